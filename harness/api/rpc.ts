/**
 * RPC error values of the labs (kvsrv1/rpc): servers answer with them, clerks return some of them.
 * `ErrMaybe` is clerk-only: a re-sent Put got ErrVersion, so an earlier copy may have executed.
 */
export const OK = "OK";
export const ErrNoKey = "ErrNoKey";
export const ErrVersion = "ErrVersion";
export const ErrMaybe = "ErrMaybe";
export const ErrWrongLeader = "ErrWrongLeader";
export const ErrWrongGroup = "ErrWrongGroup";

export type Err =
  typeof OK | typeof ErrNoKey | typeof ErrVersion | typeof ErrMaybe | typeof ErrWrongLeader | typeof ErrWrongGroup;

/** Versions are unsigned 64-bit in Go; JS numbers are exact up to 2^53, far beyond any test. */
export type Tversion = number;

export interface PutArgs {
  key: string;
  value: string;
  version: Tversion;
}
export interface PutReply {
  err: Err;
}
export interface GetArgs {
  key: string;
}
export interface GetReply {
  value: string;
  version: Tversion;
  err: Err;
}
