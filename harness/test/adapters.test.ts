/**
 * The adapter patterns of docs/validating-your-raft.md, run: a message-passing library sends
 * twice the RPCs when every message is an RPC, and passes 3A-3C with responses carried in the
 * replies; a library with no-op entries fails the lab's index checks with its own indices and
 * passes 3A-3C renumbered; a library that restores its state asynchronously fails the restart
 * tests as it is, with the message the guide quotes, and passes 3A-3C behind the guide's adapter.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Report } from "../report/report";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "harness", "test", "fixtures", "adapters");

describe("adapter patterns (docs/validating-your-raft.md)", function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-adapters-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function grade(fixture: string, ...args: string[]): Report {
    const out = path.join(tmp, fixture);
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "bin", "raftgrade.js"), "grade", "--impl", path.join(FIXTURES, `${fixture}.ts`), ...args].concat(
        ["--no-reference-timing", "--html-pages", "0", "--jobs", "2", "--out", out],
      ),
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(fs.existsSync(path.join(out, "results.json")), `${r.stdout}\n${r.stderr}`).to.equal(true);
    return JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8"));
  }

  it("a message-passing library: one RPC per message sends twice the RPCs of requests answered in their replies, which pass 3A-3C", () => {
    const asIs = grade("message-passing-as-is", "--test", "3B/TestBasicAgree3B,3B/TestCount3B");
    const adapted = grade("message-passing-adapter", "--part", "3A,3B,3C");
    expect(adapted.runs).to.have.length(21);
    expect(adapted.runs.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`)).to.deep.equal([]);
    for (const id of ["3B/TestBasicAgree3B", "3B/TestCount3B"]) {
      const one = asIs.runs.find((r) => r.id === id)!;
      const other = adapted.runs.find((r) => r.id === id)!;
      expect(one.rpcs, id).to.equal(2 * other.rpcs);
    }
  });

  it("a library with no-op entries: its own indices fail the lab's index checks; renumbered densely, it passes 3A-3C", () => {
    const [basic] = grade("noop-as-is", "--test", "3B/TestBasicAgree3B").runs;
    expect([basic.status, basic.message]).to.deep.equal(["failed", "got index 2 but expected 1"]);
    const adapted = grade("noop-adapter", "--part", "3A,3B,3C");
    expect(adapted.runs).to.have.length(21);
    expect(adapted.runs.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`)).to.deep.equal([]);
  });

  it("a callback applier that sends on applyCh without waiting (the channel keeps the order) passes 3A-3D", () => {
    const report = grade("callback-applier", "--part", "3A,3B,3C,3D");
    expect(report.runs).to.have.length(28);
    expect(report.runs.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`)).to.deep.equal([]);
  });

  it("an asynchronous restore, as it is: the restarted server reports term 0 until it has restored", () => {
    const [run] = grade("async-restore-as-is", "--test", "3C/TestPersist13C").runs;
    expect(run.status).to.equal("failed");
    expect(run.message).to.match(
      /^invariant violated: term monotonicity: server (\d)'s term went down from \d+ to 0; server \1 restarted \(generation 2\) 0 ms earlier, at \d+\.\d{3}s/,
    );
  });

  it("an asynchronous restore behind the adapter (the saved term at once, RPCs after the restore) passes 3A-3C", () => {
    const report = grade("async-restore-adapter", "--part", "3A,3B,3C");
    expect(report.runs).to.have.length(21);
    expect(report.runs.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`)).to.deep.equal([]);
  });
});
