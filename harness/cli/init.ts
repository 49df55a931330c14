/**
 * `raftgrade init DIR`: a fresh copy of the student skeleton in DIR. The skeleton imports the
 * interfaces from "../harness/api"; in the copy that import names this installation's harness/api
 * by a relative path from DIR (an absolute one when DIR is on another drive), so DIR compiles and
 * grades where it is: `raftgrade grade --impl DIR`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../run/load";
import { UsageError, EXIT } from "../run/errors";

const SKELETON = path.join(PROJECT_ROOT, "student");

export function init(dir: string): number {
  try {
    const target = path.resolve(dir);
    if (fs.existsSync(target)) {
      if (!fs.statSync(target).isDirectory()) throw new UsageError(`init: ${target} exists and is not a folder`);
      const entries = fs.readdirSync(target);
      if (entries.length > 0) {
        throw new UsageError(`init: ${target} is not empty (it holds ${entries.slice(0, 5).join(", ")}${entries.length > 5 ? ", …" : ""}); name a new or empty folder, so nothing of yours is overwritten`);
      }
    }
    const files = fs.readdirSync(SKELETON).filter((f) => f.endsWith(".ts"));
    fs.mkdirSync(target, { recursive: true });
    const api = apiImportPath(target);
    for (const f of files) {
      const text = fs.readFileSync(path.join(SKELETON, f), "utf8").replace(/from "\.\.\/harness\/api"/g, `from "${api}"`);
      fs.writeFileSync(path.join(target, f), text);
    }
    console.log(`raftgrade: wrote the skeleton (${files.join(", ")}) to ${target}`);
    console.log(`its imports name ${path.join(PROJECT_ROOT, "harness", "api")} as "${api}"`);
    console.log(`next: fill in raft.ts, then  raftgrade grade --impl ${path.relative(process.cwd(), target) || "."} --part 3A`);
    return EXIT.passed;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`raftgrade: ${e.message}`);
      return EXIT.usage;
    }
    console.error(`raftgrade: init: could not write ${path.resolve(dir)}: ${(e as Error).message}`);
    return EXIT.report;
  }
}

/** How a file in `dir` imports this installation's harness/api. */
export function apiImportPath(dir: string): string {
  const api = path.join(PROJECT_ROOT, "harness", "api");
  const rel = path.relative(dir, api);
  if (path.isAbsolute(rel)) return api.split(path.sep).join("/");
  const posix = rel.split(path.sep).join("/");
  return posix.startsWith(".") ? posix : `./${posix}`;
}
