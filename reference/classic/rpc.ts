/**
 * The classic kvraft RPCs (2020–2023 style: Get and PutAppend). Every request names its clerk and
 * that clerk's sequence number: the server uses the pair to apply each Put/Append exactly once,
 * and to recognise its own request when it comes out of the log.
 */
import type { ErrNoKey, ErrWrongLeader, OK } from "raftgrade";

export type ClassicErr = typeof OK | typeof ErrNoKey | typeof ErrWrongLeader;

/** Identifies one clerk operation; re-sent copies carry the same pair. */
export interface RequestId {
  /** Drawn at random by the clerk (53-bit safe). */
  clientId: number;
  /** Counts the clerk's operations from 1; a clerk has one outstanding at a time. */
  seq: number;
}

export interface GetArgs extends RequestId {
  key: string;
}

export interface GetReply {
  err: ClassicErr;
  value: string;
}

export interface PutAppendArgs extends RequestId {
  key: string;
  value: string;
  op: "Put" | "Append";
}

export interface PutAppendReply {
  err: ClassicErr;
}
