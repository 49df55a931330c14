/**
 * Builds a deliberately broken copy of the reference Raft: the reference folder copied to a
 * temporary folder with one textual mutation applied (a line of the protocol removed or changed).
 * The mutation must match exactly once, so a refactoring of the reference that moves the code
 * breaks this fixture loudly instead of silently testing an unbroken Raft.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Mutation {
  /** File under reference/, e.g. "raft/election.ts". */
  file: string;
  find: string;
  replace: string;
}

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Copies reference/ to a fresh temporary folder, applies the mutations, and returns the folder. */
export function makeMutant(name: string, mutations: Mutation[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `raftgrade-mutant-${name}-`));
  const source = path.join(ROOT, "reference");
  for (const rel of listTs(source)) {
    let text = fs.readFileSync(path.join(source, rel), "utf8");
    // Relative imports of the harness must still resolve from the temporary folder.
    text = text.replace(/from "((?:\.\.\/)+)harness\//g, (_m, ups: string) => {
      const target = path.resolve(path.dirname(path.join(source, rel)), ups, "harness");
      return `from "${target}/`;
    });
    for (const m of mutations.filter((m) => m.file === rel)) {
      const count = text.split(m.find).length - 1;
      if (count !== 1)
        throw new Error(
          `mutant ${name}: "${m.find}" occurs ${count} times in reference/${rel}; the fixture needs updating`,
        );
      text = text.replace(m.find, m.replace);
    }
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  for (const m of mutations) {
    if (!fs.existsSync(path.join(source, m.file)))
      throw new Error(`mutant ${name}: reference/${m.file} does not exist`);
  }
  return dir;
}

function listTs(dir: string, prefix = ""): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) return listTs(dir, rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}
