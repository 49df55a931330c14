/**
 * Layers swap: the 4A-4C specs grade the reference rsm and KV service on another Raft, and another
 * rsm on the reference Raft. Each case is graded through the CLI and must pass or fail as the mix
 * predicts, with the message that shows which layer ran.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeMutant } from "./mutants/make-mutant";
import { BROKEN_RAFTS } from "./mutants/broken-rafts";
import { BROKEN_SERVICES } from "./mutants/broken-services";

const ROOT = path.resolve(__dirname, "..", "..");

interface Graded {
  status: number | null;
  runs: { id: string; status: string; message?: string }[];
  output: string;
}

function grade(args: string[], reports: string): Promise<Graded> {
  const argv = [path.join(ROOT, "bin", "raftgrade.js"), "grade", ...args, "--seed", "1", "--reports", reports];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (status) => {
      const runs = fs.existsSync(reports) ? fs.readdirSync(reports) : [];
      const report =
        runs.length === 1
          ? JSON.parse(fs.readFileSync(path.join(reports, runs[0], "results.json"), "utf8"))
          : { runs: [] };
      resolve({ status, runs: report.runs, output });
    });
  });
}

const mutations = (name: string) => [...BROKEN_RAFTS, ...BROKEN_SERVICES].find((b) => b.name === name)!.mutations;

describe("layer swapping", function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-swap-"));
  const brokenRaft = makeMutant("swap-raft", mutations("no-persistence"));
  const brokenRsm = makeMutant("swap-rsm", mutations("rsm-never-snapshots"));
  const copy = makeMutant("swap-copy", []);
  after(() => [tmp, brokenRaft, brokenRsm, copy].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("grades the reference rsm on another Raft: a Raft that persists nothing fails the rsm's restart test", async () => {
    const g = await grade(
      ["--impl", "reference", "--raft", brokenRaft, "--grep", "^4A TestRestartReplay4A$", "--no-invariants"],
      path.join(tmp, "a"),
    );
    expect(g.status, g.output).to.equal(1);
    expect(g.runs).to.have.length(1);
    expect(g.runs[0].status).to.equal("failed");
    expect(g.runs[0].message).to.match(/^(expected 101 got \d+|checkCounter: only \d srvs have)/);
  });

  it("grades another rsm on the reference Raft: an rsm that never snapshots fails TestSnapshot4C", async () => {
    const g = await grade(
      ["--impl", brokenRsm, "--raft", "reference", "--grep", "^4C TestSnapshot4C$"],
      path.join(tmp, "b"),
    );
    expect(g.status, g.output).to.equal(1);
    expect(g.runs[0].message).to.match(/^logs were not trimmed \(\d+ > 2 \* 1000\)/);
  });

  it("passes with the rsm and KV server from another folder than Raft and the clerk", async () => {
    const g = await grade(
      ["--impl", "reference", "--rsm", copy, "--kv", copy, "--grep", "^4B TestBasic4B$"],
      path.join(tmp, "c"),
    );
    expect(g.status, g.output).to.equal(0);
    expect(g.runs.map((r) => [r.id, r.status])).to.deep.equal([["4B/TestBasic4B", "passed"]]);
  });
});
