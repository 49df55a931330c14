/**
 * The persister a Raft (or rsm / KV server) is handed: two byte arrays, raft state and snapshot,
 * replaced together. Everything is copied in and out. When the tester crashes a server it keeps a
 * copy, so whatever the crashed instance writes afterwards is lost, as on a real crash.
 */
export interface Persister {
  /** Atomically replaces both arrays with copies; a null/absent snapshot stores an empty one. */
  save(raftState: Uint8Array, snapshot?: Uint8Array | null): void;
  /** A copy of the last saved raft state (empty if none). */
  readRaftState(): Uint8Array;
  /** A copy of the last saved snapshot (empty if none). */
  readSnapshot(): Uint8Array;
  raftStateSize(): number;
  snapshotSize(): number;
}
