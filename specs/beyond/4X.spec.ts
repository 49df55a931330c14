/**
 * Part 4X — the replicated state machine beyond the lab: scenarios that drive the rsm (on the
 * graded Raft) into one classic hazard each, on every seed, and check the outcome with the lab's
 * own kind of checks. Not in the lab: the part runs only when named (`--part 4X`, or `--part beyond`).
 */
import { labTest } from "../../harness/run/lab-test";
import { RsmTester, NSRV, Inc, type IncRep } from "../../harness/tester/rsm-tester";
import { fatal, showCommand as show, within } from "../../harness/tester/harness";
import { OK } from "../../harness/api/rpc";

describe("4X", () => {
  /**
   * A leader cut off takes a submission; the majority commits an identical request (another Inc)
   * at the same index, and the old leader then applies that one there. Its own submission was
   * lost: an rsm that tells submissions apart by their request rather than by which submission
   * each entry is reports it done, with the other Inc's result, and two Incs that returned OK
   * moved the counter once.
   */
  labTest("4X", "TestSubmitReplacedBySameRequest4X", async (world) => {
    const ts = new RsmTester(world, -1);
    const hazard = "a submission waiting on a cut-off leader while the majority committed an identical request";
    world.aimAt(hazard);
    ts.begin("Test (4X): a lost submission whose index gets an identical request");

    let r = await ts.oneInc();
    await ts.checkCounter(r.n, NSRV);
    const rounds = 5;
    for (let round = 0; round < rounds; round++) {
      // The leader alone in a minority takes an Inc it cannot commit.
      const l = ts.leader;
      const [p1, p2] = ts.group.makePartition(l);
      ts.group.partition(p1, p2);
      const lost = ts.submit(l, Inc);
      await world.sleep(10);

      // The majority commits another Inc, most likely at the same index.
      r = await ts.oneInc(p1);
      if ((await within(world, 0, lost)) === "timeout") world.reached(hazard);

      // The old leader hears the new one (its own calls still fail, so it learns of the newer term
      // from the new leader's AppendEntries first) and applies the majority's Inc where its own was.
      ts.group.oneWay(ts.leader, l);
      const outcome = await within(world, 2000, lost);
      if (outcome === "timeout")
        fatal(`Submit(Inc) on server ${l} didn't return within 2 s of hearing the new leader, server ${ts.leader}`);
      const { err, value } = outcome.value;
      if (err === OK) {
        const n = (value as IncRep | undefined)?.n;
        fatal(
          `Submit(Inc) on server ${l}, cut off in a minority, returned OK ${show(value)}` +
            (n === r.n ? `, the result of the majority's Inc (also ${r.n})` : "") +
            `: its own entry could not commit, so it must fail (ErrWrongLeader); an entry applied at its index is its own only if it is the same submission, not an equal request`,
        );
      }
      ts.connect(l);
      await ts.checkCounter(r.n, NSRV);
    }
    ts.end();
  });

  /**
   * Submissions wait on a leader cut off in a minority (they cannot commit) when the service calls
   * its rsm's kill(), the process still running. The 2025 handout asks that kill() end them
   * (ErrWrongLeader); in 2026 the whole server process dies instead, which the lab's TestShutdown4A
   * models, so only this test sees an rsm whose kill() leaves its submitters waiting for ever.
   */
  labTest("4X", "TestKillWhileSubmitsWait4X", async (world) => {
    const NSUBMIT = 10;
    const ts = new RsmTester(world, -1);
    const hazard = "rsm.kill() called while submissions waited on that server";
    world.aimAt(hazard);
    ts.begin("Test (4X): kill() while submissions wait");

    const r = await ts.oneInc();
    await ts.checkCounter(r.n, NSRV);

    // The leader alone in a minority takes submissions it cannot commit.
    const l = ts.leader;
    const [p1, p2] = ts.group.makePartition(l);
    ts.group.partition(p1, p2);
    const waiting = Promise.all(Array.from({ length: NSUBMIT }, () => ts.submit(l, Inc)));
    await world.sleep(100);
    if ((await within(world, 0, waiting)) === "timeout") world.reached(hazard);

    ts.killRsm(l);
    const outcome = await within(world, 1000, waiting);
    if (outcome === "timeout")
      fatal(
        `Submit on server ${l} didn't return within 1 s of its rsm's kill() (${NSUBMIT} were waiting, none could commit): kill() must end the submissions that wait, with ErrWrongLeader`,
      );
    const ok = outcome.value.filter((res) => res.err === OK);
    if (ok.length > 0)
      fatal(`Submit on server ${l}, cut off in a minority, returned OK ${show(ok[0].value)} after kill()`);

    // The killed server restarts; the service goes on.
    ts.group.shutdownServer(l);
    ts.group.startServer(l);
    ts.connect(l); // to every connected server: the partition is over
    const rep = await ts.oneInc();
    await ts.checkCounter(rep.n, NSRV);
    ts.end();
  });
});
