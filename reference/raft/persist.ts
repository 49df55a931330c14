/**
 * Figure 2's persistent state (currentTerm, votedFor, log) plus the snapshot point. Only the log
 * after the snapshot is stored, already encoded (see RaftLog), so the state stays small once
 * snapshots run (the 3D tests require < 2000 bytes) and cheap to rewrite when they do not.
 */
import { encode, decode } from "raftgrade";
import { RaftLog } from "./log";
import type { Raft } from "./raft";

interface PersistedState {
  term: number;
  votedFor: number;
  snapIndex: number;
  snapTerm: number;
  /** The entries after the snapshot point, as RaftLog keeps them encoded. */
  log: Uint8Array;
}

/** Saves the state together with the current snapshot, so a save never erases the snapshot. */
export function persist(rf: Raft): void {
  const state: PersistedState = {
    term: rf.currentTerm,
    votedFor: rf.votedFor,
    snapIndex: rf.log.snapIndex,
    snapTerm: rf.log.snapTerm,
    log: rf.log.encoded(),
  };
  rf.persister.save(encode(state), rf.snapshotData);
}

/** Restores what a previous incarnation saved; a fresh persister leaves the initial state. */
export function restore(rf: Raft): void {
  rf.snapshotData = rf.persister.readSnapshot();
  const bytes = rf.persister.readRaftState();
  if (bytes.length === 0) return;
  const s = decode<PersistedState>(bytes);
  rf.currentTerm = s.term;
  rf.votedFor = s.votedFor;
  rf.log = RaftLog.fromEncoded(s.snapIndex, s.snapTerm, s.log);
  // Everything in the snapshot is committed and the service restores it itself at start, so
  // delivery continues right after it.
  rf.commitIndex = s.snapIndex;
  rf.lastApplied = s.snapIndex;
}
