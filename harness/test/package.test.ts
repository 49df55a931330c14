/**
 * The real install, end to end: `npm pack`, the tarball installed into a folder of its own with no
 * network (npm's cache only, as a fresh clone after `npm ci` has it), `raftgrade init`, and grades
 * of implementations that live outside the raftgrade tree: the untouched skeleton, a copy of the
 * reference, and plain JavaScript modules (CommonJS and ESM) that import "raftgrade".
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const REPORTS = ["results.json", "junit.xml", "gradescope.json", "timing.json", "timing.txt", "index.html"];

function run(command: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
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
    "node_modules/raftgrade": { version: own.version, resolved: spec, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
  };
  for (const [where, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean }>)) {
    if (where !== "" && !entry.dev) packages[where] = entry;
  }
  fs.writeFileSync(path.join(home, "package.json"), JSON.stringify({ name: "course", private: true, dependencies: { raftgrade: spec } }));
  fs.writeFileSync(path.join(home, "package-lock.json"), JSON.stringify({ name: "course", lockfileVersion: 3, requires: true, packages }, null, 2));
}

describe("the installed package", function () {
  this.timeout(600_000);
  let tmp: string;
  let bin: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-package-"));
    const packed = run("npm", ["pack", "--json", "--pack-destination", tmp], ROOT);
    expect(packed.status, packed.out).to.equal(0);
    const tarball = path.join(tmp, (JSON.parse(packed.out.slice(packed.out.indexOf("["), packed.out.lastIndexOf("]") + 1)) as { filename: string }[])[0].filename);
    const home = path.join(tmp, "home");
    fs.mkdirSync(home);
    writeProject(home, tarball);
    const installed = run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], home);
    expect(installed.status, installed.out).to.equal(0);
    bin = path.join(home, "node_modules", ".bin", "raftgrade");
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const grade = (impl: string, out: string, ...args: string[]) => run(bin, ["grade", "--impl", impl, "--no-reference-timing", "--html-pages", "0", "--out", out, ...args], path.join(tmp, "home"));
  const runs = (out: string) => (JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")) as { runs: { id: string; status: string; message?: string }[] }).runs;

  it("packs only what a user needs: the API entry points, the CLI, specs, reference and skeleton, no tests", () => {
    const listed = run("npm", ["pack", "--dry-run", "--json"], ROOT);
    const files = (JSON.parse(listed.out.slice(listed.out.indexOf("["), listed.out.lastIndexOf("]") + 1)) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    for (const f of ["bin/raftgrade.js", "harness/api/index.ts", "harness/api/entry.cjs", "harness/api/entry.mjs", "harness/html/assets", "specs/raft/3A.spec.ts", "reference/index.ts", "student/raft.ts", "LICENSE", "tsconfig.json"]) {
      expect(files.some((p) => p.startsWith(f)), f).to.equal(true);
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

  it("grades plain JavaScript, CommonJS and ESM, importing \"raftgrade\"; a module that cannot load says why on the first line", () => {
    // A Raft that never leads: loads, runs, and fails the election test with the lab's message.
    const follower = (exportLine: string) =>
      `const state = () => ({ term: 0, isLeader: false });\n${exportLine} = (peers, me, persister, applyCh) => ({ getState: state, start: () => ({ index: -1, term: 0, isLeader: false }), kill() {}, snapshot() {}, persistBytes: () => persister.raftStateSize() });\n`;
    const cjs = path.join(tmp, "js", "cjs");
    fs.mkdirSync(cjs, { recursive: true });
    fs.writeFileSync(path.join(cjs, "index.js"), `const { Channel, OK } = require("raftgrade");\nif (typeof Channel !== "function" || OK !== "OK") throw new Error("the API did not load");\n${follower("exports.makeRaft")}`);
    const esm = path.join(tmp, "home", "esm"); // ESM resolves "raftgrade" from node_modules: the project must have it installed
    fs.mkdirSync(esm, { recursive: true });
    fs.writeFileSync(path.join(esm, "package.json"), JSON.stringify({ type: "module" }));
    fs.writeFileSync(path.join(esm, "index.js"), `import { Channel, OK } from "raftgrade";\nif (typeof Channel !== "function" || OK !== "OK") throw new Error("the API did not load");\n${follower("export const makeRaft")}`);
    for (const impl of [cjs, esm]) {
      const out = path.join(tmp, `${path.basename(impl)}-report`);
      const r = grade(impl, out, "--test", "3A/TestInitialElection3A");
      expect(r.status, r.out).to.equal(1);
      expect(runs(out)[0].message, impl).to.equal("expected one leader, got none");
    }
    const broken = path.join(tmp, "js", "broken");
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, "index.js"), `require("./missing-helper");\n`);
    const out = path.join(tmp, "broken-report");
    const r = grade(broken, out, "--test", "3A/TestInitialElection3A");
    expect(r.status, r.out).to.equal(1);
    expect(runs(out)[0].message!.split("\n")[0]).to.match(/failed to load: Error: Cannot find module '\.\/missing-helper'/);
  });
});
