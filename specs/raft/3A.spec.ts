/**
 * Part 3A — leader election (the 6.5840 handout): the lab's three tests, same steps, same limits.
 */
import { labTest } from "../../harness/run/lab-test";
import { RaftTester, RAFT_ELECTION_TIMEOUT } from "../../harness/tester/raft-tester";
import { fatal } from "../../harness/tester/harness";

describe("3A", () => {
  labTest("3A", "TestInitialElection3A", async (world) => {
    const ts = new RaftTester(world, 3, true, false);
    ts.begin("Test (3A): initial election");

    // is a leader elected?
    await ts.checkOneLeader();

    // sleep a bit to avoid racing with followers learning of the election, then check all peers agree on the term.
    await world.sleep(50);
    const term1 = ts.checkTerms();
    if (term1 < 1) fatal(`term is ${term1}, but should be at least 1`);

    // does the leader+term stay the same if there is no network failure?
    await world.sleep(2 * RAFT_ELECTION_TIMEOUT);
    const term2 = ts.checkTerms();
    if (term1 !== term2) {
      // The lab only prints this; raftgrade also reports it (the run passes, with this warning).
      console.log("warning: term changed even though there were no failures");
      world.warn(
        `term changed from ${term1} to ${term2} even though there were no failures (the lab prints this and passes the run)`,
      );
    }

    // there should still be a leader.
    await ts.checkOneLeader();
    ts.end();
  });

  labTest("3A", "TestReElection3A", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3A): election after network failure");

    const leader1 = await ts.checkOneLeader();

    // if the leader disconnects, a new one should be elected.
    ts.disconnect(leader1);
    await ts.checkOneLeader();

    // if the old leader rejoins, that shouldn't disturb the new leader. And the old leader should switch to follower.
    ts.connect(leader1);
    const leader2 = await ts.checkOneLeader();

    // if there's no quorum, no new leader should be elected.
    ts.disconnect(leader2);
    ts.disconnect((leader2 + 1) % servers);
    await world.sleep(2 * RAFT_ELECTION_TIMEOUT);

    // check that the one connected server does not think it is the leader.
    ts.checkNoLeader();

    // if a quorum arises, it should elect a leader.
    ts.connect((leader2 + 1) % servers);
    await ts.checkOneLeader();

    // re-join of last node shouldn't prevent leader from existing.
    ts.connect(leader2);
    await ts.checkOneLeader();
    ts.end();
  });

  labTest("3A", "TestManyElections3A", async (world) => {
    const servers = 7;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3A): multiple elections");

    await ts.checkOneLeader();
    const iters = 10;
    for (let ii = 1; ii < iters; ii++) {
      // disconnect three nodes
      const i1 = world.rng.int(servers);
      const i2 = world.rng.int(servers);
      const i3 = world.rng.int(servers);
      ts.disconnect(i1);
      ts.disconnect(i2);
      ts.disconnect(i3);

      // either the current leader should still be alive, or the remaining four should elect a new one.
      await ts.checkOneLeader();

      ts.connect(i1);
      ts.connect(i2);
      ts.connect(i3);
    }
    await ts.checkOneLeader();
    ts.end();
  });
});
