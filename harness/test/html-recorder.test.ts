/**
 * The recorder behind the HTML report: recording a run changes nothing in it (same trace hash with
 * and without `replay --html`) and is itself deterministic; what it records agrees with the run
 * (RPC counts, each fate's timestamps, servers, leaders, partitions); and the budgets trim long
 * runs with a note while keeping memory bounded during the run.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUDGET, FATE, Recorder } from "../sim/recorder";

const ROOT = path.resolve(__dirname, "..", "..");
/** Unreliable, long delays, long reordering, disconnections: every fate but a crashed caller. */
const TEST = "3C/TestFigure8Unreliable3C";

function replay(...extra: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const args = [
      path.join(ROOT, "bin", "raftgrade.js"),
      "replay",
      "--impl",
      "reference",
      "--test",
      TEST,
      "--seed",
      "7",
      "--trace",
      "none",
      ...extra,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("close", (status) => resolve({ status, stdout }));
  });
}

const hashOf = (stdout: string) => /^trace hash: ([0-9a-f]{16})$/m.exec(stdout)?.[1];

describe("the run recorder (replay --html)", function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-recorder-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let run: any;

  before(async () => {
    const [plain, a, b] = await Promise.all([
      replay(),
      replay("--html", path.join(tmp, "a")),
      replay("--html", path.join(tmp, "b")),
    ]);
    expect(plain.status, plain.stdout).to.equal(0);
    expect(hashOf(plain.stdout)).to.be.a("string");
    // Recording is only watching: the run is the same, and so is what it records.
    expect(hashOf(a.stdout), "hash with recording").to.equal(hashOf(plain.stdout));
    expect(hashOf(b.stdout)).to.equal(hashOf(plain.stdout));
    run = JSON.parse(fs.readFileSync(path.join(tmp, "a", "run.json"), "utf8"));
    const again = JSON.parse(fs.readFileSync(path.join(tmp, "b", "run.json"), "utf8"));
    expect(again.recorded).to.deep.equal(run.recorded);
    expect(run.traceHash).to.equal(hashOf(plain.stdout));
  });

  it("records every RPC with timestamps that fit its fate", () => {
    const r = run.recorded.rpcs;
    expect(r.total).to.equal(run.rpcs);
    expect(r.id.length).to.equal(run.rpcs); // within the budget: nothing trimmed
    const counts = new Map<number, number>();
    let send = 0;
    for (let i = 0; i < r.id.length; i++) {
      send += r.send[i];
      const f = r.fate[i];
      counts.set(f, (counts.get(f) ?? 0) + 1);
      const [arrive, done, end] = [r.arrive[i], r.done[i], r.end[i]];
      if (f === FATE.delivered || f === FATE.late) {
        expect(0 <= arrive && arrive <= done && done <= end, `RPC #${r.id[i]}`).to.equal(true);
        expect(r.replyBytes[i]).to.be.greaterThan(0);
        expect(r.reply[i], `RPC #${r.id[i]}`).to.match(/^term \d+, /); // the reply's summary
      }
      expect(r.args[i], `RPC #${r.id[i]}`).to.match(/^term \d+, (candidateId|leaderId) \d+/);
      if (f === FATE.late) expect(end - done).to.be.at.least(200); // long reordering: 200 ms or more
      if (f === FATE.requestDropped || f === FATE.unreachable)
        expect([arrive, done, end >= 0]).to.deep.equal([-1, -1, true]);
      if (f === FATE.replyDropped) expect(done >= arrive && arrive >= 0 && end >= done).to.equal(true);
      if (f === FATE.pending) expect(end).to.equal(-1);
      expect(send).to.be.at.most(run.recorded.endMs);
    }
    for (const f of [FATE.delivered, FATE.requestDropped, FATE.replyDropped, FATE.unreachable, FATE.late])
      expect(counts.get(f) ?? 0, `fate ${f}`).to.be.greaterThan(0);
    expect(new Set(r.methods)).to.include("Raft.appendEntries");
  });

  it("records the servers, their leaders and terms, applied indices and the disconnections", () => {
    const rec = run.recorded;
    expect(rec.servers.map((k: number) => rec.nodes[k])).to.deep.equal([
      "server-0-0",
      "server-0-1",
      "server-0-2",
      "server-0-3",
      "server-0-4",
    ]);
    expect(rec.life.up.filter((u: number) => u === 1).length).to.be.at.least(5);
    // Terms only grow per server, and a leader was seen.
    const lastTerm = new Map<number, number>();
    rec.raft.t.forEach((_: number, r: number) => {
      expect(rec.raft.term[r]).to.be.at.least(lastTerm.get(rec.raft.node[r]) ?? 0);
      lastTerm.set(rec.raft.node[r], rec.raft.term[r]);
    });
    expect(rec.raft.leader).to.include(1);
    expect(Math.max(...rec.commit.index)).to.be.greaterThan(10);
    // The test disconnects servers: some server reached fewer than all five at some point.
    expect(rec.reach.mask.some((m: number) => m !== 0b11111)).to.equal(true);
    expect(rec.log.text[0]).to.match(/^Test \(3C\): Figure 8 \(unreliable\)/);
    expect(rec.notes).to.deep.equal([]);
  });

  it("trims long runs to the budgets with a note, and keeps memory bounded while recording", () => {
    const recorder = new Recorder();
    const n = 3 * BUDGET.rpcs;
    recorder.serverUp("server-0-0");
    recorder.serverUp("server-0-1");
    for (let i = 0; i < n; i++) {
      const h = recorder.rpcSend(i + 1, "server-0-0", "server-0-1", "Raft.appendEntries", 10);
      if (i % 2 === 0) recorder.rpcEnd(h, FATE.delivered, 5);
      recorder.applied(`server-0-${i % 2}`, i);
    }
    for (let i = 0; i < 3 * BUDGET.logLines; i++) recorder.print(`line ${i}\n`, "server-0-1");
    for (let i = 0; i < 3 * BUDGET.ops; i++) recorder.clientOp(0, i, i + 1, `get("k") → "${"x".repeat(500)}${i}"`);
    // Memory: never much more than twice the budget while recording.
    expect((recorder as any).rpcs.length).to.be.at.most(2 * BUDGET.rpcs);
    expect((recorder as any).log.t.length).to.be.at.most(2 * BUDGET.logLines);

    const rec = recorder.finish(1000);
    expect(rec.rpcs.total).to.equal(n);
    expect(rec.rpcs.id.length).to.equal(BUDGET.rpcs);
    expect(rec.rpcs.id[0]).to.equal(n - BUDGET.rpcs + 1); // the last ones are kept
    expect(rec.log.text.at(-1)).to.equal(`line ${3 * BUDGET.logLines - 1}`);
    expect([rec.log.t.length, rec.log.total]).to.deep.equal([BUDGET.logLines, 3 * BUDGET.logLines]);
    expect([rec.ops.call.length, rec.ops.total]).to.deep.equal([BUDGET.ops, 3 * BUDGET.ops]);
    expect(rec.ops.text.at(-1)!.length).to.equal(BUDGET.opLength);
    expect(rec.ops.text.at(-1)).to.match(/^get\("k"\) → "x+…x+\d+"$/); // both ends of a long value
    expect(rec.commit.t.length).to.be.at.most(BUDGET.commits + 2);
    expect(rec.commit.total).to.equal(n);
    expect(rec.notes.join("\n"))
      .to.match(/RPCs: the first 80000 of 120000 are not kept/)
      .and.to.match(/log: the first/)
      .and.to.match(/client operations: the first/)
      .and.to.match(/applied indices: 120000 changes thinned/);
  });
});
