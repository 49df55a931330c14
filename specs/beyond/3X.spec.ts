/**
 * Part 3X — Raft beyond the lab: scenarios that drive a cluster into one classic hazard each and
 * then check the outcome with the lab's own checks (and raftgrade's invariants). The lab's random
 * faults rarely open these windows; here the tester opens them on purpose, on every seed, so a
 * Raft with the bug fails on (almost) every seed and a correct one passes on all. These tests are
 * not in the lab: the part runs only when named (`--part 3X`, or `--part beyond`).
 */
import { labTest } from "../../harness/run/lab-test";
import { RaftTester, RAFT_ELECTION_TIMEOUT, SNAPSHOT_INTERVAL, figure8Churn } from "../../harness/tester/raft-tester";
import {
  VoterRestarts,
  VoteGrantsHeld,
  AckRestarts,
  AppendRepliesHeld,
  AppendAcksHeld,
  FirstSnapshotHeld,
} from "../../harness/tester/nemesis";
import { fatal } from "../../harness/tester/harness";

describe("3X", () => {
  /**
   * Figure 8 of the Raft paper, step by step with five servers: an entry of an old term reaches a
   * majority, but may not be committed by counting replicas, because a server with a newer entry
   * at the same index can still win an election and overwrite it.
   */
  labTest("3X", "TestFigure8Scenario3X", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3X): Figure 8, an old term's entry on a majority is not committed by counting");
    const hazard = "an old term's entry on a majority replaced by a newer term's entry at its index";
    world.aimAt(hazard);

    await ts.one(ts.randCommand(), servers, true);

    // (a) The leader gets an entry X to one follower only.
    const a = await ts.checkOneLeader();
    const b = (a + 1) % servers;
    const rest = ts.group.all().filter((i) => i !== a && i !== b);
    for (const i of rest) ts.disconnect(i);
    const x = ts.randCommand();
    const sx = ts.start(a, x);
    if (!sx.isLeader) fatal(`server ${a} lost leadership before Start (nothing else can reach it)`);
    await world.sleep(RAFT_ELECTION_TIMEOUT); // many heartbeats: b has X

    // (b) The leader crashes; the three servers without X elect one of them, which takes an entry
    // Y at X's index in its newer term, alone, and crashes with it.
    ts.crash(a);
    ts.disconnect(b);
    for (const i of rest) ts.connect(i);
    const c = await ts.checkOneLeader();
    ts.disconnect(c);
    const y = ts.randCommand();
    const sy = ts.start(c, y);
    if (!sy.isLeader) fatal(`server ${c} lost leadership before Start (nothing else can reach it)`);
    if (sy.index !== sx.index) fatal(`Start(${y}) on server ${c} gave index ${sy.index}, expected ${sx.index}`);
    ts.crash(c);

    // (c) The first leader comes back; with b and the two others it elects a leader holding X,
    // which copies X to a majority. X is from an old term: it must not commit yet.
    ts.group.startServer(a);
    ts.connect(a);
    ts.connect(b);
    await ts.checkOneLeader();
    await world.sleep(RAFT_ELECTION_TIMEOUT);

    // (d) The servers holding X crash; c comes back with Y, newer than X, and wins: Y replaces X at
    // that index everywhere. Had X been committed, two servers now apply different commands there.
    ts.crash(a);
    ts.crash(b);
    ts.group.startServer(c);
    ts.connect(c);
    await ts.one(ts.randCommand(), servers - 2, true);

    // (e) Everyone back: one log.
    ts.restart(a);
    ts.restart(b);
    await ts.one(ts.randCommand(), servers, true);
    if (ts.nCommitted(sx.index).command === y) world.reached(hazard); // c won in (d): Y replaced X
    ts.end();
  });

  /**
   * A voter crashes and restarts right after it grants its vote, while a second candidate of the
   * same term is still to ask it: two servers that cannot hear each other and one that hears both.
   * A Raft that does not persist votedFor (or persists it after answering) votes twice in one
   * term, and the term gets two leaders.
   */
  labTest("3X", "TestVoterRestartsAfterVote3X", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, false);
    const nemesis = new VoterRestarts(ts);
    ts.begin("Test (3X): a voter restarts right after granting its vote");

    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      await ts.one(ts.randCommand(), servers, true);
      // The leader restarts as a follower of its term and becomes the only server the others hear.
      const voter = await ts.checkOneLeader();
      const [x, y] = ts.group.all().filter((i) => i !== voter);
      ts.crash(voter);
      ts.restart(voter);
      ts.group.cutLink(x, y);
      nemesis.arm(voter);
      // x and y time out in the same term; the voter can give that term's vote to one of them only.
      await world.sleep(2 * RAFT_ELECTION_TIMEOUT);
      await ts.checkOneLeader();
      nemesis.disarm();
      ts.group.cutLink(x, y, false);
    }
    if (nemesis.strikes === 0) fatal(`the voter never granted a vote in ${rounds} rounds`);

    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });

  /**
   * A vote granted in one term reaches the candidate only after its term has moved on (a reply
   * held in the network while the candidate, cut off, started election after election). A Raft
   * that counts the reply without checking which election it answers becomes leader of its new
   * term with an old vote: no voter compared its log in that term, and its stale log then
   * overwrites entries the others had committed.
   */
  labTest("3X", "TestStaleVoteReply3X", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, false);
    const nemesis = new VoteGrantsHeld(ts);
    ts.begin("Test (3X): a vote reply delivered after the candidate's term moved on");

    await ts.one(ts.randCommand(), servers, true);

    // c stops hearing the leader, times out and asks the third server, which grants: the grant is
    // held, and c is cut off from everyone as soon as it is.
    const leader = await ts.checkOneLeader();
    const c = (leader + 1) % servers;
    nemesis.arm(c);
    ts.group.cutLink(c, leader);
    for (let waited = 0; waited < 2 * RAFT_ELECTION_TIMEOUT && nemesis.waiting === 0; waited += 10) {
      await world.sleep(10);
    }
    nemesis.disarm();
    if (nemesis.waiting === 0) fatal(`no server granted a vote to server ${c}, which heard only one peer for 2 s`);
    ts.disconnect(c);

    // The others go on without c: entries c does not have are committed.
    for (let k = 0; k < 3; k++) await ts.one(ts.randCommand(), servers - 1, true);

    // c, alone, keeps starting elections; once its term is above everyone else's, the old grant arrives.
    const others = ts.group.all().filter((i) => i !== c);
    const othersTerm = () => Math.max(...others.map((i) => ts.getState(i).term));
    for (let waited = 0; waited < 10 * RAFT_ELECTION_TIMEOUT && ts.getState(c).term <= othersTerm(); waited += 100) {
      await world.sleep(100);
    }
    nemesis.release();
    await world.sleep(0);

    // Back together. A c that took the old grant for a new one leads with a log missing committed
    // entries, and the next command it commits replaces one of them.
    ts.connect(c);
    await ts.one(ts.randCommand(), servers, true);
    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });

  /**
   * A follower's acknowledgement of entries reaches its leader only after that leader lost its
   * term, caught up with the entries of a newer one (which replaced those it had sent), and won
   * again. A leader that takes the old acknowledgement as an answer about its current log counts
   * the follower for entries it never received, and commits with two servers of five.
   */
  labTest("3X", "TestStaleAppendReply3X", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    const nemesis = new AppendAcksHeld(ts);
    ts.begin("Test (3X): an AppendEntries acknowledgement delivered after its leader's term moved on");

    await ts.one(ts.randCommand(), servers, true);

    // (a) The leader sends three entries to f alone; f's acknowledgements are held.
    const leader = await ts.checkOneLeader();
    const f = (leader + 1) % servers;
    const others = ts.group.all().filter((i) => i !== leader && i !== f);
    for (const i of others) ts.disconnect(i);
    nemesis.arm(leader);
    for (let k = 0; k < 3; k++) {
      if (!ts.start(leader, ts.randCommand()).isLeader) fatal(`server ${leader} lost leadership before Start`);
    }
    await world.sleep(RAFT_ELECTION_TIMEOUT / 2); // long enough for the leader to send them again, all three
    nemesis.disarm();
    if (nemesis.waiting === 0) fatal(`server ${f} never acknowledged the entries of server ${leader}`);

    // (b) The other three commit an entry of their newer term, which then replaces the three
    // entries on f and on the old leader.
    ts.disconnect(leader);
    ts.disconnect(f);
    for (const i of others) ts.connect(i);
    await ts.one(ts.randCommand(), servers - 2, true);
    ts.connect(f);
    ts.connect(leader);
    await world.sleep(RAFT_ELECTION_TIMEOUT);

    // (c) Their leader a gives one more entry to the old leader only, then crashes. With the links
    // among f, b and c cut, the old leader, whose log is now the longest, is the one that can win.
    const a = await ts.checkOneLeader();
    if (a === leader || a === f) fatal(`server ${a} became leader without the newer term's entry`);
    const [b, c] = others.filter((i) => i !== a);
    for (const i of [f, b, c]) ts.group.cutLink(a, i);
    if (!ts.start(a, ts.randCommand()).isLeader) fatal(`server ${a} lost leadership before Start`);
    await world.sleep(50);
    ts.crash(a);
    for (const [x, y] of [
      [f, b],
      [f, c],
      [b, c],
    ])
      ts.group.cutLink(x, y);
    const again = await ts.checkOneLeader();
    if (again !== leader) fatal(`server ${again} became leader; only server ${leader} could win`);

    // (d) It takes a command with b alone; then f's old acknowledgements arrive. Two servers of
    // five have the command: it must not commit.
    ts.group.cutLink(leader, c);
    ts.group.cutLink(leader, f);
    if (!ts.start(leader, ts.randCommand()).isLeader) fatal(`server ${leader} lost leadership before Start`);
    await world.sleep(10);
    nemesis.release();
    await world.sleep(RAFT_ELECTION_TIMEOUT / 2);

    // (e) The two servers that have it crash; a and the other two elect a leader and commit another
    // command at its index. Had it been committed, two servers applied different commands there.
    ts.crash(leader);
    ts.crash(b);
    ts.group.cutLink(f, c, false);
    ts.restart(a); // a restart connects a to everyone again
    await ts.one(ts.randCommand(), servers - 2, true);

    ts.restart(leader);
    ts.restart(b);
    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });

  /**
   * A follower crashes and restarts right after it acknowledges a new entry, which its leader then
   * commits with that acknowledgement alone; the leader crashes too. A Raft that answers before
   * the entry is on its persister comes back without it, and with the third server elects a
   * leader that puts another command at that index: a committed entry lost.
   */
  labTest("3X", "TestAckThenCrash3X", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, false);
    const nemesis = new AckRestarts(ts);
    ts.begin("Test (3X): a follower restarts right after acknowledging an entry");

    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      await ts.one(ts.randCommand(), servers, true);
      // Only f can acknowledge: the leader needs f's answer to commit x.
      const leader = await ts.checkOneLeader();
      const [f, other] = ts.group.all().filter((i) => i !== leader);
      ts.disconnect(other);
      nemesis.arm(f);
      const x = ts.randCommand();
      const sx = ts.start(leader, x);
      if (!sx.isLeader) fatal(`server ${leader} lost leadership before Start`);
      await world.sleep(RAFT_ELECTION_TIMEOUT / 2); // f acknowledges, restarts; the leader commits x
      nemesis.disarm();

      // The leader goes; f and the third server must keep x, which the leader applied.
      ts.crash(leader);
      ts.connect(other);
      await ts.one(ts.randCommand(), servers - 1, true);
      ts.restart(leader);
    }
    if (nemesis.strikes === 0) fatal(`no follower ever acknowledged an entry in ${rounds} rounds`);

    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });

  /**
   * An InstallSnapshot reaches its follower late: after a resent snapshot and the entries that
   * followed brought it up to date, and after it and the leader alone committed more. A Raft that
   * installs a snapshot without checking that it is newer than what it has committed goes back to
   * the snapshot's point and drops those entries, and with the leader gone, the third server,
   * which never had them, wins and puts other commands at their indices.
   */
  labTest("3X", "TestStaleSnapshot3X", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, true);
    const nemesis = new FirstSnapshotHeld(ts);
    ts.begin("Test (3X): an InstallSnapshot delivered after its follower moved past it");

    await ts.one(ts.randCommand(), servers, true);
    const leader = await ts.checkOneLeader();
    const f = (leader + 1) % servers;
    const g = (leader + 2) % servers;

    // (a) f misses enough entries for the leader to compact them away. It is down rather than cut
    // off, so that it comes back in the leader's term and its snapshot is not stale by term.
    ts.crash(f);
    for (let k = 0; k < 3 * SNAPSHOT_INTERVAL; k++) await ts.one(ts.randCommand(), servers - 1, true);

    // (b) f is back: the leader's first InstallSnapshot to it is held; a resent one brings it up to date.
    nemesis.arm(f);
    ts.restart(f);
    await ts.one(ts.randCommand(), servers, true);
    nemesis.disarm();
    if (nemesis.waiting === 0) fatal(`server ${leader} never sent server ${f} a snapshot`);

    // (c) g goes away; the leader and f alone commit entries past the held snapshot's point.
    ts.disconnect(g);
    for (let k = 0; k < 2 * SNAPSHOT_INTERVAL; k++) await ts.one(ts.randCommand(), servers - 1, true);

    // (d) The held snapshot arrives: f must keep those entries, committed on f and the leader only.
    // The leader crashes at the same instant, before it can send them again.
    nemesis.release();
    await world.sleep(0);
    ts.crash(leader);

    // (e) f and g elect a leader, which must have them.
    ts.connect(g);
    await ts.one(ts.randCommand(), servers - 1, true);
    ts.restart(leader);
    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });

  /**
   * A leader cut off comes back without learning that a newer term exists (the answers to its
   * heartbeats are held), and the leader of that newer term crashes. The others must still elect
   * a leader: a follower that restarts its election timer on a stale leader's heartbeats never
   * times out while it hears them, and the cluster stays without a leader.
   */
  labTest("3X", "TestStaleLeaderHeard3X", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    const nemesis = new AppendRepliesHeld(ts);
    const hazard = "a stale leader's heartbeats reached servers of a newer term that had lost their leader";
    world.aimAt(hazard);
    ts.begin("Test (3X): a stale leader's heartbeats while the others need an election");

    await ts.one(ts.randCommand(), servers, true);
    const stale = await ts.checkOneLeader();
    ts.disconnect(stale);
    const current = await ts.checkOneLeader();
    await ts.one(ts.randCommand(), servers - 1, true);

    // The stale leader is back but hears no answer; the current leader crashes.
    nemesis.arm(stale);
    ts.connect(stale);
    ts.crash(current);
    const heldBefore = nemesis.strikes;
    // Three servers of the newer term remain: they must elect one of them.
    await ts.checkStableLeader(3 * RAFT_ELECTION_TIMEOUT, RAFT_ELECTION_TIMEOUT);
    if (nemesis.strikes > heldBefore) world.reached(hazard);
    nemesis.disarm();
    nemesis.release();

    ts.restart(current);
    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });
  /**
   * Liveness: after a spell of faults (an unreliable network, servers crashing, restarting and cut
   * off) heals, one leader must appear within 3 s and hold its leadership for 3 s, and a command
   * must then commit on every server. A Raft that keeps re-electing (followers that do not take
   * heartbeats as a reason to wait), livelocks in split votes or stops electing fails, with what
   * the cluster did meanwhile.
   */
  labTest("3X", "TestLivenessAfterFaults3X", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3X): after faults heal, a leader appears and holds, and the log moves");

    await ts.one(ts.randCommand(), servers, true);
    for (let round = 0; round < 3; round++) {
      ts.net.reliable = false;
      for (let k = 0; k < 8; k++) {
        for (let i = 0; i < servers; i++) if (ts.group.isRunning(i)) ts.start(i, ts.randCommand());
        const victim = world.rng.int(servers);
        if (world.rng.int(2) === 0) {
          if (ts.group.isRunning(victim)) ts.crash(victim);
          else ts.restart(victim);
        } else if (ts.group.isRunning(victim)) {
          if (ts.group.isConnected(victim)) ts.disconnect(victim);
          else ts.connect(victim);
        }
        await world.sleep(world.rng.int(500));
      }

      // Everything heals at once.
      ts.net.reliable = true;
      for (let i = 0; i < servers; i++) {
        if (!ts.group.isRunning(i)) ts.restart(i);
        else if (!ts.group.isConnected(i)) ts.connect(i);
      }
      await ts.checkStableLeader(3 * RAFT_ELECTION_TIMEOUT, 3 * RAFT_ELECTION_TIMEOUT);
      await ts.one(ts.randCommand(), servers, true);
    }
    ts.end();
  });
  /**
   * The lab's Figure 8 churn (leaders crash right after Start, servers come back at random) on a
   * network where messages take time: 1-16 ms each way, and in every 30 RPCs one request or reply,
   * picked by the seed, held for 50-1500 ms, so that elections and replication rounds span the
   * moments at which servers crash, and old messages arrive in new terms. (Random schedules like
   * this one do not replace the scenarios above: on 20 seeds they caught none of their bugs.)
   */
  labTest("3X", "TestFigure8Latency3X", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    ts.net.latency = { baseMs: 1, jitterMs: 15 };
    ts.net.deviations = { perCalls: 30, minHoldMs: 50, maxHoldMs: 1500 };
    ts.begin("Test (3X): Figure 8 with message latency and held messages");

    await ts.one(ts.randCommand(), 1, true);

    await figure8Churn(ts, 1000);

    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });
});
