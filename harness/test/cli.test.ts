/** The raftgrade command: bad input gets a precise message and a non-zero status, and loses nothing. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "raftgrade.js");

function raftgrade(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("raftgrade CLI", function () {
  this.timeout(60_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-cli-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("--help explains every grade flag", () => {
    const r = raftgrade("grade", "--help");
    expect(r.status).to.equal(0);
    for (const flag of ["--impl", "--raft", "--rsm", "--kv", "--clerk", "--part", "--grep", "--seed", "--reports"])
      expect(r.stdout).to.include(flag);
  });

  it("rejects an unknown flag, an unknown part, a bad regex, a repeated flag and a missing implementation with status 2", () => {
    const cases: [string[], string][] = [
      [["grade", "--frobnicate"], "Unknown argument: frobnicate"],
      [["grade", "--part", "9Z"], 'unknown part "9Z"'],
      [["grade", "--grep", "("], "--grep is not a valid regular expression"],
      [["grade", "--impl", "no/such/dir"], 'implementation "no/such/dir" not found'],
      [["grade", "--seed", "-5"], "--seed: seed must be a non-negative integer"],
      [
        ["grade", "--part", "3A", "--part", "3B"],
        "--part was given 2 times (3A, 3B); give it once (comma-separate several parts)",
      ],
      [["grade", "--worker-memory", "lots"], "--worker-memory"],
      [[], "Name a command"],
    ];
    for (const [args, message] of cases) {
      const r = raftgrade(...args);
      expect(r.status, args.join(" ")).to.equal(2);
      expect(r.stderr, args.join(" ")).to.include(message);
    }
  });

  it("fails every test of an implementation that lacks an export, saying what is missing, and still writes the report", () => {
    const reports = path.join(tmp, "missing");
    const r = raftgrade(
      "grade",
      "--impl",
      "harness/test/fixtures/missing-export",
      "--part",
      "3A",
      "--jobs",
      "1",
      "--no-reference-timing",
      "--reports",
      reports,
    );
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include("does not export makeRaft, the raft layer");
    expect(r.stdout).to.include("it exports: makeRfat");
    const [run] = fs.readdirSync(reports);
    const report = JSON.parse(fs.readFileSync(path.join(reports, run, "results.json"), "utf8"));
    expect(report.summary).to.include({ tests: 3, passed: 0, failed: 3, runs: 3, runsFailed: 3 });
    expect(report.runs[0]).to.include({
      id: "3A/TestInitialElection3A",
      status: "failed",
      failureKind: "implementation",
    });
  });

  it("reports a module that throws while loading, with its message", () => {
    const r = raftgrade(
      "grade",
      "--impl",
      "harness/test/fixtures/throws-on-load",
      "--grep",
      "TestInitialElection3A",
      "--no-reference-timing",
      "--reports",
      path.join(tmp, "throws"),
    );
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include("failed to load").and.include("student module exploded at load time");
  });

  it("grades the student skeleton without crashing: each test fails with 'not implemented yet'", () => {
    const r = raftgrade(
      "grade",
      "--impl",
      "student",
      "--grep",
      "TestInitialElection3A",
      "--no-reference-timing",
      "--reports",
      path.join(tmp, "student"),
    );
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include("not implemented yet: Raft.getState (student/raft.ts)");
    expect(r.stdout).to.include("replay: raftgrade replay --impl student --test 3A/TestInitialElection3A --seed 1");
  });

  it("says precisely why the report could not be written", () => {
    const blocker = path.join(tmp, "a-file");
    fs.writeFileSync(blocker, "not a folder");
    const r = raftgrade(
      "grade",
      "--impl",
      "student",
      "--grep",
      "TestInitialElection3A",
      "--no-reference-timing",
      "--reports",
      blocker,
    );
    expect(r.status).to.equal(1);
    expect(r.stderr).to.include(`could not write the report into ${blocker}`);
  });
});
