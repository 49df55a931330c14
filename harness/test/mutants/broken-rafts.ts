/**
 * The broken Raft variants the 3A-3D specs must catch, each with the specs that catch it on the
 * seed the self-test uses and the failure message expected.
 */
import type { Mutation } from "./make-mutant";

export interface BrokenRaft {
  name: string;
  why: string;
  mutations: Mutation[];
  /** Full test titles (e.g. "3C TestPersist13C") that must fail, and the message each must show. */
  caughtBy: { test: string; message: RegExp }[];
}

export const BROKEN_RAFTS: BrokenRaft[] = [
  {
    name: "no-persistence",
    why: "Make ignores the persister: a restarted server forgets its term, vote and log",
    mutations: [{ file: "raft/persist.ts", find: "if (bytes.length === 0) return;", replace: "return;" }],
    caughtBy: [{ test: "3C TestPersist13C", message: /failed to reach agreement|only \d+ decided/ }],
  },
  {
    name: "no-vote-restriction",
    why: "RequestVote grants votes without the up-to-date check of §5.4.1",
    mutations: [{ file: "raft/election.ts", find: "if (upToDate) {", replace: "if (upToDate || args.term > 0) {" }],
    caughtBy: [{ test: "3C TestFigure8Unreliable3C", message: /apply error: commit index=|committed values at index|failed to reach agreement/ }],
  },
  {
    name: "counts-old-terms",
    why: "commits entries of earlier terms by counting replicas (the Figure 8 bug)",
    mutations: [{ file: "raft/replication.ts", find: "if (term < rf.currentTerm) break; // older terms are never counted", replace: "" }],
    caughtBy: [{ test: "3C TestFigure83C", message: /apply error: commit index=|committed values at index/ }],
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
    caughtBy: [{ test: "3D TestSnapshotInstall3D", message: /failed to reach agreement/ }],
  },
  {
    name: "whole-log-every-time",
    why: "every AppendEntries carries the whole log instead of what the follower lacks",
    mutations: [
      { file: "raft/replication.ts", find: "const prevLogIndex = Math.max(rf.nextIndex[peer] - 1, rf.log.snapIndex);", replace: "const prevLogIndex = rf.log.snapIndex;" },
      { file: "raft/replication.ts", find: "entries: withEntries ? rf.log.from(prevLogIndex + 1) : [],", replace: "entries: rf.log.from(prevLogIndex + 1)," },
    ],
    caughtBy: [{ test: "3B TestRPCBytes3B", message: /too many RPC bytes; got \d+, expected 150000/ }],
  },
  {
    name: "chatty-heartbeats",
    why: "heartbeats 100 times a second, ten times the lab's limit",
    mutations: [{ file: "raft/types.ts", find: "export const HEARTBEAT_MS = 100;", replace: "export const HEARTBEAT_MS = 10;" }],
    caughtBy: [{ test: "3B TestCount3B", message: /too many RPCs \(\d+\) for 1 second of idleness|too many RPCs \(\d+\) for 10 entries/ }],
  },
];
