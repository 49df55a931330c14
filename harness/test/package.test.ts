/**
 * The real install, end to end: `npm pack`, the tarball installed into a folder of its own with no
 * network (npm's cache only, as a fresh clone after `npm ci` has it), `raftgrade init`, and grades
 * of implementations that live outside the raftgrade tree: the untouched skeleton, a copy of the
 * reference, and plain JavaScript modules (CommonJS and ESM) that import "raftgrade". Then the
 * course staff's templates on that install: Gradescope's run_autograder with its folders moved
 * into a temporary one, and the batch-system array script's shards merged.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = ["results.json", "junit.xml", "gradescope.json", "timing.json", "timing.txt", "index.html"];

function run(command: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/**
 * A project that depends on the tarball, with a lockfile taken from this repository's: the same
 * versions of raftgrade's dependencies, so `npm ci --offline` installs them from npm's cache (which
 * `npm ci` here filled) without asking the registry anything.
 */
function writeProject(home: string, tarball: string): void {
  const spec = `file:${path.relative(home, tarball).split(path.sep).join("/")}`;
  const own = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const packages: Record<string, unknown> = {
    "": { name: "course", dependencies: { raftgrade: spec } },
    "node_modules/raftgrade": {
      version: own.version,
      resolved: spec,
      license: own.license,
      dependencies: own.dependencies,
      bin: own.bin,
      engines: own.engines,
    },
  };
  for (const [where, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) {
    if (where !== "" && !entry.dev) packages[where] = entry;
  }
  fs.writeFileSync(
    path.join(home, "package.json"),
    JSON.stringify({ name: "course", private: true, dependencies: { raftgrade: spec } }),
  );
  fs.writeFileSync(
    path.join(home, "package-lock.json"),
    JSON.stringify({ name: "course", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
}

describe("the installed package", function () {
  this.timeout(600_000);
  let tmp: string;
  let bin: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-package-"));
    const packed = run("npm", ["pack", "--json", "--pack-destination", tmp], ROOT);
    expect(packed.status, packed.out).to.equal(0);
    const tarball = path.join(
      tmp,
      (
        JSON.parse(packed.out.slice(packed.out.indexOf("["), packed.out.lastIndexOf("]") + 1)) as { filename: string }[]
      )[0].filename,
    );
    const home = path.join(tmp, "home");
    fs.mkdirSync(home);
    writeProject(home, tarball);
    const installed = run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], home);
    expect(installed.status, installed.out).to.equal(0);
    bin = path.join(home, "node_modules", ".bin", "raftgrade");
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const grade = (impl: string, out: string, ...args: string[]) =>
    run(
      bin,
      ["grade", "--impl", impl, "--no-reference-timing", "--html-pages", "0", "--out", out, ...args],
      path.join(tmp, "home"),
    );
  const runs = (out: string) =>
    (
      JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as {
        runs: { id: string; status: string; message?: string }[];
      }
    ).runs;

  it("packs only what a user needs: the API entry points, the CLI, specs, reference and skeleton, no tests", () => {
    const listed = run("npm", ["pack", "--dry-run", "--json"], ROOT);
    const files = (
      JSON.parse(listed.out.slice(listed.out.indexOf("["), listed.out.lastIndexOf("]") + 1)) as {
        files: { path: string }[];
      }[]
    )[0].files.map((f) => f.path);
    for (const f of [
      "bin/raftgrade.js",
      "harness/api/index.ts",
      "harness/api/entry.cjs",
      "harness/api/entry.mjs",
      "harness/html/assets",
      "specs/raft/3A.spec.ts",
      "reference/index.ts",
      "student/raft.ts",
      "LICENSE",
      "tsconfig.json",
    ]) {
      expect(
        files.some((p) => p.startsWith(f)),
        f,
      ).to.equal(true);
    }
    expect(files.filter((p) => p.startsWith("harness/test/"))).to.deep.equal([]);
  });

  it("init makes a project whose untouched skeleton fails cleanly, with every report written", () => {
    const made = run(bin, ["init", "labs"], path.join(tmp, "home"));
    expect(made.status, made.out).to.equal(0);
    const out = path.join(tmp, "skeleton-report");
    const r = grade("labs", out, "--part", "3A");
    expect(r.status, r.out).to.equal(1);
    for (const file of REPORTS) expect(fs.existsSync(path.join(out, file)), file).to.equal(true);
    expect(runs(out).map((x) => x.status)).to.deep.equal(["failed", "failed", "failed"]);
    expect(runs(out)[0].message).to.include("not implemented yet: Raft.getState");
  });

  it("grades a copy of the reference placed outside the raftgrade tree: 3A passes on 2 seeds", () => {
    const copy = path.join(tmp, "elsewhere", "my-raft");
    fs.cpSync(path.join(ROOT, "reference"), copy, { recursive: true });
    const out = path.join(tmp, "copy-report");
    const r = grade(copy, out, "--part", "3A", "--seeds", "2");
    expect(r.status, r.out).to.equal(0);
    expect(runs(out)).to.have.length(6);
  });

  it('grades plain JavaScript, CommonJS and ESM, importing "raftgrade"; a module that cannot load says why on the first line', () => {
    // A Raft that never leads: loads, runs, and fails the election test with the lab's message.
    const follower = (exportLine: string) =>
      `const state = () => ({ term: 0, isLeader: false });\n${exportLine} = (peers, me, persister, applyCh) => ({ getState: state, start: () => ({ index: -1, term: 0, isLeader: false }), kill() {}, snapshot() {}, persistBytes: () => persister.raftStateSize() });\n`;
    const cjs = path.join(tmp, "js", "cjs");
    fs.mkdirSync(cjs, { recursive: true });
    fs.writeFileSync(
      path.join(cjs, "index.js"),
      `const { Channel, OK } = require("raftgrade");\nif (typeof Channel !== "function" || OK !== "OK") throw new Error("the API did not load");\n${follower("exports.makeRaft")}`,
    );
    const esm = path.join(tmp, "home", "esm"); // ESM resolves "raftgrade" from node_modules: the project must have it installed
    fs.mkdirSync(esm, { recursive: true });
    fs.writeFileSync(path.join(esm, "package.json"), JSON.stringify({ type: "module" }));
    fs.writeFileSync(
      path.join(esm, "index.js"),
      `import { Channel, OK } from "raftgrade";\nif (typeof Channel !== "function" || OK !== "OK") throw new Error("the API did not load");\n${follower("export const makeRaft")}`,
    );
    for (const impl of [cjs, esm]) {
      const out = path.join(tmp, `${path.basename(impl)}-report`);
      const r = grade(impl, out, "--test", "3A/TestInitialElection3A");
      expect(r.status, r.out).to.equal(1);
      expect(runs(out)[0].message, impl).to.match(/^expected one leader, got none; .*no server claimed leadership$/);
    }
    const broken = path.join(tmp, "js", "broken");
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, "index.js"), `require("./missing-helper");\n`);
    const out = path.join(tmp, "broken-report");
    const r = grade(broken, out, "--test", "3A/TestInitialElection3A");
    expect(r.status, r.out).to.equal(1);
    expect(runs(out)[0].message!.split("\n")[0]).to.match(
      /failed to load: Error: Cannot find module '\.\/missing-helper'/,
    );
  });

  /** An autograder folder as Gradescope lays it out: source/ (the template, raftgrade installed), submission/, results/. */
  function autograder(name: string, settings: string, submission: (dir: string) => void) {
    const root = path.join(tmp, name);
    const source = path.join(root, "source");
    fs.cpSync(path.join(ROOT, "templates", "gradescope"), source, { recursive: true });
    // What setup.sh leaves: raftgrade in source/node_modules (here the install made above).
    fs.symlinkSync(path.join(tmp, "home", "node_modules"), path.join(source, "node_modules"));
    fs.appendFileSync(path.join(source, "settings.sh"), settings);
    fs.mkdirSync(path.join(root, "submission"), { recursive: true });
    submission(path.join(root, "submission"));
    const r = spawnSync(path.join(source, "run_autograder"), [], {
      encoding: "utf8",
      env: { ...process.env, AUTOGRADER_ROOT: root },
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
    const results = JSON.parse(fs.readFileSync(path.join(root, "results", "results.json"), "utf8"));
    return { root, results };
  }

  it("the Gradescope template grades a submission into results/results.json, with the rubric and the seeds of settings.sh", () => {
    const settings = `PARTS=3A\nSEEDS=2\nHTML_PAGES=0\nRUBRIC=my-rubric.json\n`;
    // A reference copy uploaded as a project folder, one level down: found, graded, full marks.
    const good = autograder("ag-good", settings, (dir) => {
      fs.cpSync(path.join(ROOT, "reference"), path.join(dir, "my-labs"), { recursive: true });
      fs.writeFileSync(path.join(dir, "..", "source", "my-rubric.json"), JSON.stringify({ parts: { "3A": 30 } }));
    });
    expect(good.results.score).to.equal(30);
    expect(good.results.tests.map((t: { name: string }) => t.name)).to.deep.equal([
      "3A/TestInitialElection3A",
      "3A/TestReElection3A",
      "3A/TestManyElections3A",
    ]);
    expect(
      good.results.tests.every(
        (t: { status: string; max_score: number }) => t.status === "passed" && t.max_score === 10,
      ),
    ).to.equal(true);
    expect(
      JSON.parse(fs.readFileSync(path.join(good.root, "results", "raftgrade", "results.json"), "utf8")).runs,
    ).to.have.length(6);

    // The untouched skeleton at the top of the submission: 0 points, and each test says why, with
    // a replay command the student can run in their own folder.
    const skeleton = autograder("ag-skeleton", settings, (dir) => {
      fs.cpSync(path.join(tmp, "home", "labs"), dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "..", "source", "my-rubric.json"), JSON.stringify({ parts: { "3A": 30 } }));
    });
    expect(skeleton.results.score).to.equal(0);
    expect(skeleton.results.tests).to.have.length(3);
    expect(skeleton.results.tests[0].output).to.include("not implemented yet: Raft.getState");
    expect(skeleton.results.tests[0].output).to.include(
      "raftgrade replay --impl . --test 3A/TestInitialElection3A --seed",
    );
  });

  it("the Gradescope template still writes results.json, saying whose problem it is, when raftgrade cannot grade at all", () => {
    const broken = autograder("ag-broken", `PARTS=9Z\nRUBRIC=\n`, (dir) =>
      fs.writeFileSync(path.join(dir, "index.ts"), ""),
    );
    expect(broken.results.score).to.equal(0);
    expect(broken.results.output).to.match(
      /^raftgrade could not grade this submission \(exit status 2\); this is a problem of the autograder/,
    );
    expect(broken.results.output).to.include('unknown part "9Z"');
  });

  it("the batch-system template's shards, merged, are the whole grade", () => {
    const home = path.join(tmp, "home");
    const impl = path.join(tmp, "slurm", "my-raft");
    fs.cpSync(path.join(ROOT, "reference"), impl, { recursive: true });
    for (const i of [1, 2]) {
      const r = spawnSync(path.join(ROOT, "templates", "ci", "slurm-array.sh"), [], {
        cwd: home,
        encoding: "utf8",
        env: {
          ...process.env,
          SLURM_ARRAY_TASK_ID: String(i),
          SLURM_ARRAY_TASK_COUNT: "2",
          SLURM_CPUS_PER_TASK: "1",
          IMPL: impl,
          SEEDS: "2",
          PARTS: "3A",
        },
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
    }
    const merged = run("npx", ["raftgrade", "merge", "shards/shard-1", "shards/shard-2", "--out", "merged"], home);
    expect(merged.status, merged.out).to.equal(0);
    const all = runs(path.join(home, "merged"));
    expect(all.length).to.equal(2 * 3); // 3A's 3 tests on 2 seeds
    expect(all.every((x) => x.status !== "failed")).to.equal(true);
  });
});
