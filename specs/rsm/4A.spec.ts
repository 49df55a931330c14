/**
 * Part 4A — the replicated state machine (the 6.5840 handout): the lab's seven rsm tests, same
 * steps, same limits. Each server is the tester's counter on the graded rsm and Raft.
 */
import { labTest } from "../../harness/run/lab-test";
import { RsmTester, NSRV, NSEC, Dec } from "../../harness/tester/rsm-tester";
import { fatal, showCommand as show, within } from "../../harness/tester/harness";
import { OK } from "../../harness/api/rpc";

/** Runs `count` concurrent submitters; resolves when all have returned. */
function concurrently(count: number, submitter: (i: number) => Promise<unknown>): Promise<unknown[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => submitter(i)));
}

describe("4A", () => {
  labTest("4A", "TestBasic4A", async (world) => {
    const NINC = 10;
    const ts = new RsmTester(world, -1);
    ts.begin("Test RSM basic");
    for (let i = 0; i < NINC; i++) {
      const r = await ts.oneInc();
      if (r.n !== i + 1) fatal(`expected ${i + 1} instead of ${r.n}`);
      await ts.checkCounter(r.n, NSRV);
    }
    ts.end();
  });

  labTest("4A", "TestConcurrent4A", async (world) => {
    const NINC = 50;
    const ts = new RsmTester(world, -1);
    ts.begin("Test concurrent submit");
    await concurrently(NINC, () => ts.oneInc());
    await ts.checkCounter(NINC, NSRV);
    ts.end();
  });

  labTest("4A", "TestLeaderFailure4A", async (world) => {
    const ts = new RsmTester(world, -1);
    ts.begin("Test Leader Failure");
    let r = await ts.oneInc();
    await ts.checkCounter(r.n, NSRV);

    const l = ts.disconnectLeader();
    r = await ts.oneInc();
    await ts.checkCounter(r.n, NSRV - 1);

    ts.connect(l);
    await ts.checkCounter(r.n, NSRV);
    ts.end();
  });

  labTest("4A", "TestLeaderPartition4A", async (world) => {
    const NSUBMIT = 100;
    const ts = new RsmTester(world, -1);
    ts.begin("Test Leader Partition");

    // submit an Inc
    const r = await ts.oneInc();
    await ts.checkCounter(r.n, NSRV);

    // partition the leader
    const l = ts.leader;
    const [p1, p2] = ts.group.makePartition(l);
    ts.group.partition(p1, p2);

    // Many concurrent Decs on the old leader: none may commit, so none may return OK.
    const decs = concurrently(NSUBMIT, async (i) => {
      const { err, value } = await ts.submit(l, Dec);
      if (err === OK) fatal(`Submit ${i} in minority completed ${show(value)}`);
    });

    // give old leader some time to submit
    await world.sleep(10);

    // submit an Inc in the majority
    const rep = await ts.oneInc(p1);

    if ((await within(world, 1000, decs)) !== "timeout")
      fatal("Dec's in minority completed; Submit returns before its op commits or is known lost");

    // reconnect the leader
    ts.connect(l);

    if ((await within(world, 1000, decs)) === "timeout") fatal("Submit after healing didn't return");

    // check that all replicas have the same value for counter
    await ts.checkCounter(rep.n, NSRV);
    ts.end();
  });

  labTest("4A", "TestRestartReplay4A", async (world) => {
    const NSUBMIT = 100;
    const ts = new RsmTester(world, -1);
    ts.begin("Test Restart");
    for (let i = 0; i < NSUBMIT; i++) {
      const r = await ts.oneInc();
      if (r.n !== i + 1) fatal(`expected ${i + 1} instead of ${r.n}`);
      await ts.checkCounter(r.n, NSRV);
    }

    ts.group.shutdown();
    await world.sleep(1000);
    ts.group.startServers();

    // submit an Inc: the servers must have rebuilt the counter by replaying the log
    const r = await ts.oneInc();
    if (r.n !== NSUBMIT + 1) fatal(`expected ${NSUBMIT + 1} got ${r.n}`);
    await world.sleep(1000);
    await ts.checkCounter(r.n, NSRV);
    ts.end();
  });

  labTest("4A", "TestShutdown4A", async (world) => {
    const NSUBMIT = 100;
    const ts = new RsmTester(world, -1);
    ts.begin("Test Shutdown");

    // Submit many Nulls concurrently
    const nulls = concurrently(NSUBMIT, () => ts.oneNull());

    // give some time to submit
    await world.sleep(20);
    ts.group.shutdown();

    if ((await within(world, (NSEC + 1) * 1000, nulls)) === "timeout") fatal("Submit didn't stop after shutdown");
    ts.end();
  });

  labTest("4A", "TestRestartSubmit4A", async (world) => {
    const NSUBMIT = 100;
    const ts = new RsmTester(world, -1);
    ts.begin("Test Restart and submit");
    for (let i = 0; i < NSUBMIT; i++) {
      const r = await ts.oneInc();
      if (r.n !== i + 1) fatal(`expected ${i + 1} instead of ${r.n}`);
      await ts.checkCounter(r.n, NSRV);
    }

    ts.group.shutdown();
    await world.sleep(1000);
    ts.group.startServers();

    let r = await ts.oneInc();
    if (r.n !== NSUBMIT + 1) fatal(`Expected ${NSUBMIT + 1} got ${r.n}`);
    await world.sleep(1000);

    // Submit many Nulls concurrently, then crash everyone while they are in flight
    const nulls = concurrently(NSUBMIT, () => ts.oneNull());
    await world.sleep(20);
    ts.group.shutdown();
    if ((await within(world, (NSEC + 1) * 1000, nulls)) === "timeout") fatal("Submit didn't stop after shutdown");

    ts.group.startServers();
    r = await ts.oneInc();
    await ts.checkCounter(r.n, NSRV);
    ts.end();
  });
});
