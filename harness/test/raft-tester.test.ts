/** The Raft tester's own checks, driven by tiny fake Rafts that break one rule each. */
import { expect } from "chai";
import { runSimulation } from "../sim/world";
import { RaftTester } from "../tester/raft-tester";
import type { ApplyMsg, Channel, RaftFactory } from "../api";

/** A Raft that never leads, with optional overrides. */
const fakeRaft =
  (extra: (applyCh: Channel<ApplyMsg>, me: number) => Record<string, unknown> = () => ({})): RaftFactory =>
  (_peers, me, persister, applyCh) =>
    ({
      start: () => ({ index: -1, term: 0, isLeader: false }),
      getState: () => ({ term: 0, isLeader: false }),
      snapshot: () => {},
      persistBytes: () => persister.raftStateSize(),
      kill: () => {},
      ...extra(applyCh, me),
    }) as never;

const run = (makeRaft: RaftFactory, body: (ts: RaftTester) => Promise<unknown>) =>
  runSimulation({ seed: 1 }, async (world) => {
    await body(new RaftTester(world, 3, true, false, makeRaft));
  });

describe("Raft tester", () => {
  it("names the methods a Raft object lacks", async () => {
    const r = await run((() => ({ start() {}, getstate() {}, kill() {} })) as unknown as RaftFactory, (ts) =>
      ts.checkOneLeader(),
    );
    expect(r.failure?.kind).to.equal("implementation");
    expect(r.failure?.message).to.equal(
      "makeRaft(peers, 0, persister, applyCh) on server-0-0#1 returned an object with methods start, getstate, kill; expected a Raft object with methods start, getState, snapshot, persistBytes, kill",
    );
  });

  it("says when getState() is async", async () => {
    const r = await run(
      fakeRaft(() => ({ getState: async () => ({ term: 1, isLeader: true }) })),
      (ts) => ts.checkOneLeader(),
    );
    expect(r.failure?.message).to.equal(
      "getState() on server-0-0#1 returned a Promise (this method must not be async); expected { term: integer, isLeader: boolean }",
    );
  });

  it("fails when nobody leads, with the lab's message", async () => {
    const r = await run(fakeRaft(), (ts) => ts.checkOneLeader());
    expect(r.failure?.kind).to.equal("test");
    expect(r.failure?.message).to.equal(
      "expected one leader, got none; in the last 5.0 s (getState after every event): no server started an election (no new term); no server claimed leadership",
    );
    expect(r.virtualMs).to.be.within(4500, 5500);
  });

  it("catches an apply out of order, at once", async () => {
    const outOfOrder = fakeRaft((applyCh, me) => {
      if (me === 1) void applyCh.send({ commandValid: true, command: 7, commandIndex: 2 });
      return {};
    });
    const r = await run(outOfOrder, () => new Promise((resolve) => setTimeout(resolve, 1000)));
    expect(r.failure?.message).to.equal("apply error: server 1 apply out of order 2");
  });

  it("catches two servers applying different commands at one index", async () => {
    const diverging = fakeRaft((applyCh, me) => {
      void applyCh.send({ commandValid: true, command: 100 + me, commandIndex: 1 });
      return {};
    });
    const r = await run(diverging, () => new Promise((resolve) => setTimeout(resolve, 1000)));
    expect(r.failure?.message).to.equal("apply error: commit index=1 server=1 101 != server=0 100");
  });
});
