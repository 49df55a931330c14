/**
 * The parts beyond the lab (3X, 4X): the nemesis reads vote replies by shape, whatever their field
 * names; the reference passes every scenario on seeds 1-5, reaching each scenario's hazard; and the
 * classic bugs the lab's tests let through (a vote not persisted, Figure 8's commit by counting, a
 * stale vote counted, a stale acknowledgement counted, an acknowledgement before persisting, a
 * stale snapshot installed, an rsm that matches submissions by request, an rsm whose kill()
 * leaves its submitters waiting) are caught on each of those 5 seeds, by the scenario written for
 * them.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { encode } from "../sim/codec";
import { voteAnswer, appendAnswer } from "../tester/nemesis";
import type { HandledRpc } from "../sim/network";
import { makeMutant } from "./mutants/make-mutant";
import { BROKEN_RAFTS } from "./mutants/broken-rafts";
import { BROKEN_SERVICES } from "./mutants/broken-services";
import type { Report } from "../report/report";

const ROOT = path.resolve(__dirname, "..", "..");

/** Grades one part on seeds 1-5 (base 1), into a folder of `tmp`; returns results.json. */
function gradeOnFiveSeeds(part: string, impl: string, name: string, tmp: string): Report {
  const out = path.join(tmp, name);
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "bin", "raftgrade.js"), "grade", "--impl", impl, "--part", part, "--seeds", "5"].concat([
      "--no-reference-timing",
      "--html-pages",
      "0",
      "--jobs",
      "2",
      "--out",
      out,
    ]),
    { cwd: ROOT, encoding: "utf8" },
  );
  expect(fs.existsSync(path.join(out, "results.json")), `${r.stdout}\n${r.stderr}`).to.equal(true);
  return JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8"));
}

const rpc = (method: string, reply: unknown, args: unknown = null): HandledRpc => ({
  id: 1,
  method,
  from: "server-0-1",
  server: "server-0-2",
  args: encode(args),
  reply: encode(reply),
});

describe("the parts beyond the lab (3X)", function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-beyond-"));
  const mutants: string[] = [];
  after(() => [tmp, ...mutants].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** Grades --part 3X on seeds 1-5 (base 1); returns results.json. */
  const grade3X = (impl: string, name: string) => gradeOnFiveSeeds("3X", impl, name, tmp);

  it("reads a vote reply by its shape: granted and term under any casing, nothing for other methods", () => {
    expect(voteAnswer(rpc("Raft.requestVote", { term: 3, voteGranted: true }))).to.deep.equal({
      granted: true,
      term: 3,
    });
    expect(voteAnswer(rpc("Raft.RequestVote", { Term: 4, VoteGranted: false }))).to.deep.equal({
      granted: false,
      term: 4,
    });
    expect(voteAnswer(rpc("Node.vote", { ok: true }))).to.deep.equal({ granted: undefined, term: undefined });
    expect(voteAnswer(rpc("Raft.appendEntries", { term: 1, success: true }))).to.equal(undefined);
  });

  it("reads an append call by its shape: entries carried and success, under any casing", () => {
    const entries = [{ term: 1, command: 5 }];
    expect(appendAnswer(rpc("Raft.appendEntries", { term: 1, success: true }, { term: 1, entries }))).to.deep.equal({
      entries: 1,
      success: true,
      term: 1,
    });
    expect(appendAnswer(rpc("Raft.AppendEntries", { Term: 4, Success: false }, { Entries: [] }))).to.deep.equal({
      entries: 0,
      success: false,
      term: 4,
    });
    expect(appendAnswer(rpc("Node.append", 7, 8))).to.deep.equal({ entries: 0, success: undefined, term: undefined });
    expect(appendAnswer(rpc("Raft.requestVote", { voteGranted: true }))).to.equal(undefined);
  });

  it("the reference passes every 3X scenario on seeds 1-5, and each run reaches the hazard its scenario aims at", () => {
    const report = grade3X("reference", "reference");
    expect(report.runs).to.have.length(45);
    expect(report.runs.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`)).to.deep.equal([]);
    expect(report.byTest.map((t) => [t.id, t.hazards?.map((h) => `${h.reached}/${h.runs}`)])).to.deep.equal([
      ["3X/TestFigure8Scenario3X", ["5/5"]],
      ["3X/TestVoterRestartsAfterVote3X", ["5/5"]],
      ["3X/TestStaleVoteReply3X", ["5/5"]],
      ["3X/TestStaleAppendReply3X", ["5/5"]],
      ["3X/TestAckThenCrash3X", ["5/5"]],
      ["3X/TestStaleSnapshot3X", ["5/5"]],
      ["3X/TestStaleLeaderHeard3X", ["5/5"]],
      ["3X/TestLivenessAfterFaults3X", undefined],
      ["3X/TestFigure8Latency3X", undefined],
    ]);
  });

  // Each bug of a scenario is caught by that scenario on every seed; the safety bugs by nothing
  // else of 3X (so each scenario is what finds its bug). A Raft that keeps re-electing also
  // upsets scenarios that need a quiet cluster, so only its own catch is counted.
  for (const [name, test, alone] of [
    ["forgets-vote", "3X/TestVoterRestartsAfterVote3X", true],
    ["figure-8-commit", "3X/TestFigure8Scenario3X", true],
    ["counts-stale-votes", "3X/TestStaleVoteReply3X", true],
    ["trusts-stale-append-replies", "3X/TestStaleAppendReply3X", true],
    ["acks-before-persisting", "3X/TestAckThenCrash3X", true],
    ["installs-stale-snapshots", "3X/TestStaleSnapshot3X", true],
    ["stale-leader-resets-timer", "3X/TestStaleLeaderHeard3X", true],
    ["heartbeats-do-not-reset-timer", "3X/TestLivenessAfterFaults3X", false],
  ] as const) {
    it(`${name}: caught by ${test} on each of seeds 1-5${alone ? ", and by nothing else of 3X" : ""}`, () => {
      const variant = BROKEN_RAFTS.find((b) => b.name === name)!;
      const dir = makeMutant(name, variant.mutations);
      mutants.push(dir);
      const failed = grade3X(dir, name).runs.filter((r) => r.status === "failed");
      const byScenario = failed.filter((r) => r.id === test);
      expect(byScenario.map((r) => r.id)).to.deep.equal(Array(5).fill(test));
      if (alone) expect(failed.length).to.equal(5);
    });
  }
});

describe("the parts beyond the lab (4X)", function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-beyond-4x-"));
  const mutants: string[] = [];
  after(() => [tmp, ...mutants].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("the reference passes every 4X scenario on seeds 1-5, and each run reaches the hazard its scenario aims at", () => {
    const report = gradeOnFiveSeeds("4X", "reference", "reference", tmp);
    expect(report.runs).to.have.length(10);
    expect(report.runs.filter((r) => r.status === "failed").map((r) => `${r.id}: ${r.message}`)).to.deep.equal([]);
    expect(report.byTest.map((t) => [t.id, t.hazards?.map((h) => `${h.reached}/${h.runs}`)])).to.deep.equal([
      ["4X/TestSubmitReplacedBySameRequest4X", ["5/5"]],
      ["4X/TestKillWhileSubmitsWait4X", ["5/5"]],
    ]);
  });

  // Each rsm bug is one that 4A-4C pass on all their runs (seeds 1-5); its scenario, and nothing
  // else of 4X, catches it on every seed.
  for (const [name, test] of [
    ["rsm-matches-request-not-identity", "4X/TestSubmitReplacedBySameRequest4X"],
    ["rsm-kill-leaves-submits-waiting", "4X/TestKillWhileSubmitsWait4X"],
  ] as const) {
    it(`${name}: caught by ${test} on each of seeds 1-5, and by nothing else of 4X`, () => {
      const variant = BROKEN_SERVICES.find((b) => b.name === name)!;
      const dir = makeMutant(variant.name, variant.mutations);
      mutants.push(dir);
      const failed = gradeOnFiveSeeds("4X", dir, variant.name, tmp).runs.filter((r) => r.status === "failed");
      expect(failed.map((r) => r.id)).to.deep.equal(Array(5).fill(test));
    });
  }
});

describe("what the lab's own checks cannot see, said as a warning", function () {
  this.timeout(300_000);

  it("a Raft that keeps re-electing without failures passes TestInitialElection3A (as in the Go lab) with the lab's printed warning as a run warning", () => {
    const variant = BROKEN_RAFTS.find((b) => b.name === "heartbeats-do-not-reset-timer")!;
    const dir = makeMutant(variant.name, variant.mutations);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-re-electing-"));
    try {
      const r = spawnSync(
        process.execPath,
        [path.join(ROOT, "bin", "raftgrade.js"), "grade", "--impl", dir, "--test", "3A/TestInitialElection3A"].concat([
          "--no-reference-timing",
          "--html-pages",
          "0",
          "--out",
          out,
        ]),
        { cwd: ROOT, encoding: "utf8" },
      );
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      const [run] = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")).runs;
      expect(run.status).to.equal("passed-with-warning");
      expect(run.warnings).to.have.length(1);
      expect(run.warnings[0]).to.match(
        /^term changed from (\d+) to (?!\1)\d+ even though there were no failures \(the lab prints this and passes the run\)$/,
      );
    } finally {
      for (const d of [dir, out]) fs.rmSync(d, { recursive: true, force: true });
    }
  });

  it("a Raft that never persists anything passes TestSnapshotBasic3D (as in the Go lab) with a warning saying why that proves nothing", () => {
    const dir = makeMutant("never-persists", [
      {
        file: "raft/persist.ts",
        find: "rf.persister.save(encode(state), rf.snapshotData);",
        replace: "rf.persister.save(new Uint8Array(0), rf.snapshotData);",
      },
    ]);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-never-persists-"));
    try {
      const r = spawnSync(
        process.execPath,
        [path.join(ROOT, "bin", "raftgrade.js"), "grade", "--impl", dir, "--test", "3D/TestSnapshotBasic3D"].concat([
          "--no-reference-timing",
          "--html-pages",
          "0",
          "--out",
          out,
        ]),
        { cwd: ROOT, encoding: "utf8" },
      );
      expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
      const [run] = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")).runs;
      expect(run.status).to.equal("passed-with-warning");
      expect(run.warnings).to.deep.equal([
        "no server ever persisted any Raft state (0 bytes at every size check): the lab's size limit passes trivially, and a Raft that persists nothing cannot survive a restart (see 3C)",
      ]);
    } finally {
      for (const d of [dir, out]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
