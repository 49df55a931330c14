/**
 * The Raft a student implements (the 6.5840 handout, in TypeScript style): Go's tuples become
 * objects, `Make` becomes a factory, `applyCh` is a Go-like channel whose `send` waits for the
 * tester (or the rsm) to receive.
 */
import type { ClientEnd } from "./network";
import type { Persister } from "./persister";
import type { Channel } from "./channel";

/**
 * A committed command, delivered in index order starting at 1. Indices are dense and count only
 * the service's commands: a log that also holds entries of its own (a leader's no-op, a
 * configuration change) must number the commands apart (docs/validating-your-raft.md, 2.4).
 */
export interface CommandMsg {
  commandValid: true;
  command: unknown;
  commandIndex: number;
  snapshotValid?: false;
}

/** A snapshot the service must install (3D): everything through snapshotIndex. */
export interface SnapshotMsg {
  snapshotValid: true;
  snapshot: Uint8Array;
  snapshotTerm: number;
  snapshotIndex: number;
  commandValid?: false;
}

/** Exactly one of commandValid / snapshotValid is true. */
export type ApplyMsg = CommandMsg | SnapshotMsg;

export interface StartResult {
  /** The index the command will have if it is ever committed. */
  index: number;
  term: number;
  isLeader: boolean;
}

export interface RaftState {
  term: number;
  isLeader: boolean;
}

export interface Raft {
  /**
   * Appends `command` if leader and returns at once; `isLeader: false` otherwise. Must not block.
   * `index` is the commandIndex the command will be applied with if it commits.
   */
  start(command: unknown): StartResult;
  /** Synchronous and side-effect free: the tester calls it after every simulated event. */
  getState(): RaftState;
  /** The service has a snapshot through `index`: trim the log and persist both together. */
  snapshot(index: number, snapshot: Uint8Array): void;
  /** Size of the persisted raft state (`persister.raftStateSize()`). */
  persistBytes(): number;
  /** The tester's signal to stop; the harness also cancels the node's timers itself. */
  kill(): void;
}

/**
 * `Make(peers, me, persister, applyCh)`: peers[me] is this server's own end; every server sees the
 * peers in the same order. Must return quickly and restore from the persister.
 */
export type RaftFactory = (peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>) => Raft;
