/**
 * `raftgrade init DIR`: a standalone student project in DIR: the skeleton (which imports the API
 * from "raftgrade"), a package.json that depends on raftgrade, a tsconfig.json, a README with the
 * commands a student needs, and a .gitignore for the reports.
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
        throw new UsageError(
          `init: ${target} is not empty (it holds ${entries.slice(0, 5).join(", ")}${entries.length > 5 ? ", …" : ""}); name a new or empty folder, so nothing of yours is overwritten`,
        );
      }
    }
    const files = fs.readdirSync(SKELETON).filter((f) => f.endsWith(".ts"));
    fs.mkdirSync(target, { recursive: true });
    for (const f of files) fs.copyFileSync(path.join(SKELETON, f), path.join(target, f));
    const project = projectFiles(path.basename(target));
    for (const [name, text] of Object.entries(project)) fs.writeFileSync(path.join(target, name), text);
    const shown = path.relative(process.cwd(), target) || ".";
    console.log(`raftgrade: wrote a student project to ${target}: ${[...files, ...Object.keys(project)].join(", ")}`);
    console.log(`next:  cd ${shown} && npm install   (raftgrade ${version()} and the TypeScript compiler)`);
    console.log(`then fill in raft.ts and run  npx raftgrade grade --impl . --part 3A`);
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

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** The project's own files besides the skeleton, by name. */
function projectFiles(folder: string): Record<string, string> {
  const name =
    folder
      .toLowerCase()
      .replace(/[^a-z0-9-_.]+/g, "-")
      .replace(/^[-_.]+/, "") || "raft-labs";
  const pkg = {
    name,
    version: "0.0.0",
    private: true,
    description: "My solutions to the 6.5840 Raft and KV labs, graded by raftgrade",
    scripts: {
      grade: "raftgrade grade --impl .",
      typecheck: "tsc --noEmit -p .",
    },
    devDependencies: { raftgrade: `^${version()}`, typescript: "5.9.3" },
  };
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "DOM"], // DOM: the types of setTimeout and console without @types/node
      module: "node16",
      moduleResolution: "node16",
      types: [],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ["*.ts"],
  };
  const readme = `# ${folder}

Raft (3A–3D), the replicated state machine (4A) and the key/value service (4B, 4C), graded by
[raftgrade](https://www.npmjs.com/package/raftgrade). Fill in \`raft.ts\` first; \`rsm.ts\`,
\`kv-server.ts\` and \`clerk.ts\` come with lab 4. The interfaces you implement are raftgrade's:
go to the definition of any name imported from "raftgrade" to read them.

Set up once: \`npm install\`.

Grade a part (every run writes its reports into \`reports/\`: results.json, junit.xml,
gradescope.json, an HTML report):

    npx raftgrade grade --impl . --part 3A

Replay a failure exactly: the report prints the command for each failing run, for example

    npx raftgrade replay --impl . --test 3A/TestReElection3A --seed 1

Sweep seeds, to find the bugs that one schedule does not show:

    npx raftgrade grade --impl . --part 3B --seeds 50

Every run is deterministic: the same seed gives the same run, so a failing seed replays exactly.
Use only \`setTimeout\`/\`setInterval\` for time and \`Math.random\` for randomness; raftgrade runs
them on virtual time with a seeded generator.
`;
  return {
    "package.json": JSON.stringify(pkg, null, 2) + "\n",
    "tsconfig.json": JSON.stringify(tsconfig, null, 2) + "\n",
    "README.md": readme,
    ".gitignore": "node_modules/\nreports/\n",
  };
}
