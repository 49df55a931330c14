/**
 * Log compaction (§7): the service's snapshot() call, and InstallSnapshot for a follower whose
 * next entries the leader has already discarded.
 */
import type { Raft } from "./raft";
import type { InstallSnapshotArgs, InstallSnapshotReply } from "./types";
import { persist } from "./persist";
import { adoptTerm, becomeFollower, resetElectionTimer } from "./election";
import { advanceCommit, continueReplication, markInflight } from "./replication";
import { wakeApplier } from "./apply";

/**
 * The service has applied everything through `index` into `data`: drop those entries and save
 * the snapshot with the state. Old or not-yet-committed points are ignored (a reordered call, or
 * a snapshot we just superseded by installing a newer one).
 */
export function takeSnapshot(rf: Raft, index: number, data: Uint8Array): void {
  if (rf.killed || index <= rf.log.snapIndex || index > rf.commitIndex) return;
  rf.log.compactTo(index, rf.log.term(index));
  rf.snapshotData = data;
  persist(rf);
}

/** Leader: the follower needs entries we compacted, so send the whole snapshot in one RPC. */
export async function sendSnapshot(rf: Raft, peer: number): Promise<void> {
  const args: InstallSnapshotArgs = {
    term: rf.currentTerm,
    leaderId: rf.me,
    lastIncludedIndex: rf.log.snapIndex,
    lastIncludedTerm: rf.log.snapTerm,
    data: rf.snapshotData,
  };
  const id = markInflight(rf, peer);
  const reply = await rf.peers[peer].call<InstallSnapshotReply>("Raft.installSnapshot", args);
  if (rf.inflight[peer] === id) rf.inflight[peer] = 0;
  if (!reply || rf.killed) return;
  if (reply.term > rf.currentTerm) {
    adoptTerm(rf, reply.term);
    persist(rf);
    return;
  }
  if (rf.role !== "leader" || rf.currentTerm !== args.term) return;
  // The follower now holds everything through the snapshot point.
  if (args.lastIncludedIndex > rf.matchIndex[peer]) {
    rf.matchIndex[peer] = args.lastIncludedIndex;
    advanceCommit(rf);
  }
  rf.nextIndex[peer] = Math.max(rf.nextIndex[peer], args.lastIncludedIndex + 1);
  continueReplication(rf, peer);
}

/** Follower side: adopt the leader's snapshot unless we already have (committed) all it covers. */
export function handleInstallSnapshot(rf: Raft, args: InstallSnapshotArgs): InstallSnapshotReply {
  if (rf.killed || args.term < rf.currentTerm) return { term: rf.currentTerm };
  let changed = false;
  if (args.term > rf.currentTerm) {
    adoptTerm(rf, args.term);
    changed = true;
  }
  becomeFollower(rf);
  resetElectionTimer(rf);

  // A snapshot at or before our commit point would only move the service backwards; our log
  // already holds (or our own snapshot covers) everything it contains.
  if (args.lastIncludedIndex > rf.commitIndex) {
    // Keeps our entries after the snapshot point if they extend the same log (Figure 13, step 6).
    rf.log.compactTo(args.lastIncludedIndex, args.lastIncludedTerm);
    rf.snapshotData = args.data;
    rf.commitIndex = args.lastIncludedIndex;
    changed = true;
    wakeApplier(rf); // lastApplied < snapIndex now: the applier delivers the snapshot
  }
  if (changed) persist(rf);
  return { term: rf.currentTerm };
}
