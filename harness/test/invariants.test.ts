/** The continuous Raft invariants, each violated on purpose. */
import { expect } from "chai";
import { runSimulation, World } from "../sim/world";
import { RaftInvariants } from "../tester/invariants";
import { LeadershipLog } from "../tester/leadership-log";

/** Runs checks against a fresh RaftInvariants for 3 servers; resolves to the run's failure, if any. */
async function violate(steps: (inv: RaftInvariants, world: World) => void) {
  const result = await runSimulation({ seed: 1 }, async (world) => {
    await world.sleep(1234);
    steps(new RaftInvariants(world, 3, (a, b) => a === b), world);
  });
  return result.failure;
}

const leader = (term: number) => ({ term, isLeader: true });
const follower = (term: number) => ({ term, isLeader: false });

describe("Raft invariants", () => {
  it("election safety: two leaders in one term, even seen at different times", async () => {
    const failure = await violate((inv) => {
      inv.checkStates([leader(3), follower(3), follower(2)]);
      inv.checkStates([follower(3), follower(3), follower(2)]);
      inv.checkStates([follower(3), follower(3), leader(3)]);
    });
    expect(failure?.kind).to.equal("invariant");
    expect(failure?.message).to.equal(
      "invariant violated: election safety: servers 0 and 2 both claimed leadership in term 3 (at 1.234s virtual)",
    );
  });

  it("election safety allows one server to stay leader, and leaders of different terms", async () => {
    const failure = await violate((inv) => {
      inv.checkStates([leader(3), follower(3), undefined]);
      inv.checkStates([leader(3), leader(4), undefined]);
      inv.checkStates([follower(4), leader(4), follower(4)]);
    });
    expect(failure).to.equal(undefined);
  });

  it("term monotonicity: a term never goes down, also across a restart", async () => {
    const failure = await violate((inv) => {
      inv.checkStates([follower(5), follower(5), follower(5)]);
      inv.checkStates([follower(5), undefined, follower(5)]); // server 1 crashed
      inv.checkStates([follower(5), follower(0), follower(5)]); // ... and came back without its term
    });
    expect(failure?.message).to.include("term monotonicity: server 1's term went down from 5 to 0");
  });

  it("commit durability: a command a majority applied is never replaced, by an apply or a snapshot", async () => {
    const byApply = await violate((inv) => {
      inv.applied(0, 1, 101);
      inv.applied(1, 1, 101); // now a majority of 3
      inv.applied(2, 1, 999);
    });
    expect(byApply?.message).to.include(
      "commit durability: server 2 applied 999 at index 1, which a majority had already applied as 101",
    );
    const bySnapshot = await violate((inv) => {
      inv.applied(0, 1, 101);
      inv.applied(1, 1, 101);
      inv.installed(2, [null, 777]);
    });
    expect(bySnapshot?.message).to.include("server 2 installed a snapshot with 777 at index 1");
  });

  it("commit durability does not fix an index that only a minority applied", async () => {
    const failure = await violate((inv) => {
      inv.applied(0, 1, 101); // one of three: not committed yet, so a snapshot may still differ
      inv.installed(2, [null, 777]);
    });
    expect(failure).to.equal(undefined);
  });

  it("commit durability counts servers, not applies: one server applying again after a restart is still a minority", async () => {
    const failure = await violate((inv) => {
      inv.applied(0, 1, 101);
      inv.applied(0, 1, 101); // server 0 restarted and applied index 1 again: still one server of three
      inv.applied(1, 1, 202); // a different command from another server: no majority had 101
    });
    expect(failure).to.equal(undefined);
  });
});

describe("leadership log (what a failure to elect or agree says the cluster did)", () => {
  const s = (term: number, isLeader = false) => ({ term, isLeader });

  it("a livelock: a new term every 300 ms, each leader gone within 40 ms", () => {
    const log = new LeadershipLog(3);
    log.observe(0, [s(1), s(1), s(1)]);
    for (let k = 0; k < 20; k++) {
      const t = 1000 + 300 * k;
      log.observe(t, [s(2 + k, k % 3 === 0), s(2 + k, k % 3 === 1), s(2 + k, k % 3 === 2)]);
      log.observe(t + 40, [s(2 + k), s(2 + k), s(2 + k)]);
    }
    expect(log.describe(7000, 5000, () => true)).to.equal(
      "in the last 5.0 s (getState after every event): 16 new terms (6 to 21); leadership claimed 16 times, longest: server 1 in term 6 for 0.040 s, server 2 in term 7 for 0.040 s, server 0 in term 8 for 0.040 s",
    );
  });

  it("no election at all, and a claim that outlives a disconnection", () => {
    const log = new LeadershipLog(3);
    log.observe(0, [s(3, true), s(3), s(3)]);
    log.observe(9000, [s(3, true), undefined, s(3)]);
    expect(log.describe(10_000, 5000, (i) => i !== 0)).to.equal(
      "in the last 5.0 s (getState after every event): no server started an election (no new term); leadership claimed 1 time, longest: server 0 (disconnected now) in term 3 for 5.000 s (still)",
    );
  });
});
