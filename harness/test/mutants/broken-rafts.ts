/**
 * The broken Raft variants the specs (with raftgrade's invariants, as by default) must catch, each
 * with specs that catch it on the seed the self-test uses (seed 1) and the message expected. Those
 * caught only by part 3X pass the lab-equivalent 3A-3D on seed after seed (the zero-delay network
 * rarely opens their windows); the scenarios of part 3X drive the cluster into them on purpose.
 */
import type { Mutation } from "./make-mutant";

export interface BrokenVariant {
  name: string;
  why: string;
  mutations: Mutation[];
  /** Full test titles (e.g. "3C TestPersist13C") that must fail, and the message each must show. */
  caughtBy: { test: string; message: RegExp }[];
}

export const BROKEN_RAFTS: BrokenVariant[] = [
  {
    name: "no-persistence",
    why: "Make ignores the persister: a restarted server forgets its term, vote and log",
    mutations: [{ file: "raft/persist.ts", find: "if (bytes.length === 0) return;", replace: "return;" }],
    // The term-monotonicity invariant sees the forgotten term first; without invariants the lab's apply checks catch it.
    caughtBy: [
      {
        test: "3C TestPersist13C",
        message: /^(invariant violated: term monotonicity|apply error: commit index=1 server=\d 12 != server=\d 11)/,
      },
      {
        test: "3D TestSnapshotInit3D",
        message:
          /^(invariant violated: term monotonicity|apply error: server \d apply out of order, expected index \d+, got 1)/,
      },
    ],
  },
  {
    name: "no-vote-restriction",
    why: "RequestVote grants votes without the up-to-date check of §5.4.1",
    mutations: [{ file: "raft/election.ts", find: "if (upToDate) {", replace: "if (upToDate || args.term > 0) {" }],
    caughtBy: [
      { test: "3B TestBackup3B", message: /^apply error: commit index=\d+ server=\d \d+ != server=\d \d+/ },
      { test: "3C TestPersist33C", message: /^apply error: commit index=2 server=\d 103 != server=\d 102/ },
    ],
  },
  {
    name: "loose-majority",
    why: "a candidate with votes from two servers (itself included) becomes leader, a majority only of three",
    mutations: [
      {
        file: "raft/election.ts",
        find: "  if (tally.votes * 2 > rf.peers.length) becomeLeader(rf);",
        replace: "  if (tally.votes >= 2) becomeLeader(rf);",
      },
    ],
    // Caught at the step by the election-safety invariant (the lab's checks catch it later, as an apply error).
    caughtBy: [
      {
        test: "3C TestFigure83C",
        message: /^invariant violated: election safety: servers \d and \d both claimed leadership in term \d+/,
      },
    ],
  },
  {
    name: "forgets-term",
    why: "does not persist currentTerm: a restarted server starts again from term 0",
    mutations: [{ file: "raft/persist.ts", find: "term: rf.currentTerm,", replace: "term: 0," }],
    // Only the term-monotonicity invariant catches this (the lab's 3C checks: 0 of 20 seeds).
    caughtBy: [
      {
        test: "3C TestPersist13C",
        message:
          /^invariant violated: term monotonicity: server (\d)'s term went down from \d+ to 0; server \1 restarted \(generation \d+\) \d+ ms earlier, at \d+\.\d{3}s/,
      },
    ],
  },
  {
    name: "no-install-snapshot",
    why: "never sends InstallSnapshot: a follower behind the leader's snapshot never catches up",
    mutations: [
      {
        file: "raft/replication.ts",
        find: "if (rf.nextIndex[peer] <= rf.log.snapIndex) void sendSnapshot(rf, peer);\n  else void sendAppend(rf, peer, true);",
        replace: "void sendAppend(rf, peer, true);",
      },
    ],
    caughtBy: [{ test: "3D TestSnapshotInstall3D", message: /^one\(\d+\) failed to reach agreement/ }],
  },
  {
    name: "whole-log-every-time",
    why: "every AppendEntries carries the whole log instead of what the follower lacks",
    mutations: [
      {
        file: "raft/replication.ts",
        find: "const prevLogIndex = Math.max(rf.nextIndex[peer] - 1, rf.log.snapIndex);",
        replace: "const prevLogIndex = rf.log.snapIndex;",
      },
      {
        file: "raft/replication.ts",
        find: "entries: withEntries ? rf.log.from(prevLogIndex + 1) : [],",
        replace: "entries: rf.log.from(prevLogIndex + 1),",
      },
    ],
    caughtBy: [{ test: "3B TestRPCBytes3B", message: /^too many RPC bytes; got \d+, expected 150000/ }],
  },
  {
    name: "chatty-heartbeats",
    why: "heartbeats 100 times a second, ten times the lab's limit",
    mutations: [
      { file: "raft/types.ts", find: "export const HEARTBEAT_MS = 100;", replace: "export const HEARTBEAT_MS = 10;" },
    ],
    // Sealed schedules: TestCount3B's first count (the election) already goes over.
    caughtBy: [
      {
        test: "3B TestCount3B",
        message:
          /^too many or few RPCs \(\d+\) to elect initial leader; every RPC a server receives counts, so a reply sent as an RPC of its own counts twice/,
      },
    ],
  },
  {
    name: "forgets-vote",
    why: "does not persist votedFor: a voter restarted in a term votes again in that term",
    mutations: [{ file: "raft/persist.ts", find: "votedFor: rf.votedFor,", replace: "votedFor: -1," }],
    caughtBy: [
      {
        test: "3X TestVoterRestartsAfterVote3X",
        message: /^invariant violated: election safety: servers \d and \d both claimed leadership in term \d+/,
      },
    ],
  },
  {
    name: "figure-8-commit",
    why: "a leader commits an entry of an earlier term by counting replicas (the bug of the Raft paper's Figure 8)",
    mutations: [
      {
        file: "raft/replication.ts",
        find: "if (term < rf.currentTerm) break; // older terms are never counted",
        replace: "if (term < 0) break;",
      },
    ],
    caughtBy: [
      {
        test: "3X TestFigure8Scenario3X",
        message: /^(apply error: commit index=2 server=\d \d+ != server=\d \d+|invariant violated: commit durability)/,
      },
    ],
  },
  {
    name: "counts-stale-votes",
    why: "a candidate counts a vote reply without checking that it answers the election of its current term",
    mutations: [
      {
        file: "raft/election.ts",
        find: 'if (rf.role !== "candidate" || rf.currentTerm !== args.term || !reply.voteGranted) return;',
        replace: 'if (rf.role !== "candidate" || !reply.voteGranted) return;',
      },
    ],
    caughtBy: [
      {
        test: "3X TestStaleVoteReply3X",
        message:
          /^(apply error: commit index=\d+ server=\d \d+ != server=\d \d+|invariant violated: commit durability)/,
      },
    ],
  },
  {
    name: "acks-before-persisting",
    why: "a follower acknowledges new entries before they are on its persister (it persists 10 ms later)",
    mutations: [
      {
        file: "raft/replication.ts",
        find: "  if (changed) persist(rf);\n\n  // Commit only what this request proved",
        replace: "  if (changed) setTimeout(() => persist(rf), 10);\n\n  // Commit only what this request proved",
      },
    ],
    caughtBy: [
      {
        test: "3X TestAckThenCrash3X",
        message:
          /^(apply error: commit index=\d+ server=\d \d+ != server=\d \d+|invariant violated: commit durability)/,
      },
    ],
  },
  {
    name: "heartbeats-do-not-reset-timer",
    why: "a follower does not restart its election timer on its leader's AppendEntries, so it keeps starting elections",
    mutations: [
      {
        file: "raft/replication.ts",
        find: "  becomeFollower(rf); // a candidate of this term yields to its leader\n  resetElectionTimer(rf);",
        replace: "  becomeFollower(rf); // a candidate of this term yields to its leader",
      },
    ],
    // The lab's 3A only prints a warning when the term changes without failures (raftgrade reports it as one).
    caughtBy: [
      {
        test: "3X TestLivenessAfterFaults3X",
        message:
          /^no leader held on for 3\.0 s within 3\.0 s; in the last \d+\.\d s \(getState after every event\): \d+ new terms/,
      },
    ],
  },
  {
    name: "stale-leader-resets-timer",
    why: "a follower restarts its election timer on any AppendEntries, a stale leader's included",
    mutations: [
      {
        file: "raft/replication.ts",
        find: "  if (rf.killed || args.term < rf.currentTerm) return reply; // a stale leader learns our term",
        replace:
          "  if (!rf.killed && args.term < rf.currentTerm) resetElectionTimer(rf);\n  if (rf.killed || args.term < rf.currentTerm) return reply; // a stale leader learns our term",
      },
    ],
    caughtBy: [
      {
        test: "3X TestStaleLeaderHeard3X",
        message: /^no leader held on for 1\.0 s within 3\.0 s; .*no server started an election \(no new term\)/,
      },
    ],
  },
  {
    name: "trusts-stale-append-replies",
    why: "a leader takes an AppendEntries reply without checking that it answers a request of its current term",
    mutations: [
      {
        file: "raft/replication.ts",
        find: 'if (rf.role !== "leader" || rf.currentTerm !== args.term) return;',
        replace: 'if (rf.role !== "leader") return;',
      },
    ],
    caughtBy: [
      {
        test: "3X TestStaleAppendReply3X",
        message:
          /^(apply error: commit index=\d+ server=\d \d+ != server=\d \d+|invariant violated: (commit durability|state-machine safety))/,
      },
    ],
  },
  {
    name: "installs-stale-snapshots",
    why: "a follower installs every InstallSnapshot it gets, even one older than what it has committed",
    mutations: [
      {
        file: "raft/snapshot.ts",
        find: "  if (args.lastIncludedIndex > rf.commitIndex) {",
        replace: "  {",
      },
    ],
    caughtBy: [
      {
        test: "3X TestStaleSnapshot3X",
        message:
          /^(apply error: commit index=\d+ server=\d \d+ != server=\d \d+|invariant violated: (commit durability|state-machine safety))/,
      },
    ],
  },
];
