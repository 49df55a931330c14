/**
 * The replicated state machine layer (the 6.5840 handout, modern 4A). The rsm is handed the Raft
 * factory of the implementation being graded, never imports one.
 */
import type { ClientEnd } from "./network";
import type { Persister } from "./persister";
import type { Raft, RaftFactory } from "./raft";
import type { Err } from "./rpc";

/** Implemented by the service on top of the rsm (the KV server, or the tester's counter). */
export interface StateMachine {
  doOp(req: unknown): unknown;
  snapshot(): Uint8Array;
  restore(data: Uint8Array): void;
}

export interface SubmitResult {
  /** OK, or ErrWrongLeader when this server is not (or stopped being) the leader. */
  err: Err;
  /** What `doOp` returned, when err is OK. */
  value?: unknown;
}

export interface RSM {
  /** Submits `req` through Raft and resolves once that exact op is applied (or leadership is lost). */
  submit(req: unknown): Promise<SubmitResult>;
  raft(): Raft;
  /** Shutdown: kill the Raft and resolve every blocked submit with ErrWrongLeader. */
  kill(): void;
}

/**
 * `MakeRSM(servers, me, persister, maxraftstate, sm)` plus the Raft factory to build on. Must
 * start reading applyCh and return quickly; snapshot when raft state exceeds maxraftstate (≠ −1).
 */
export type RsmFactory = (
  servers: ClientEnd[],
  me: number,
  persister: Persister,
  maxRaftState: number,
  sm: StateMachine,
  makeRaft: RaftFactory,
) => RSM;
