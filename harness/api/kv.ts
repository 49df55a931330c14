/**
 * The fault-tolerant key/value service (the 6.5840 handout, modern 4B/4C): a server built on the
 * rsm it is handed, and a clerk that talks to servers by name.
 */
import type { ClientEnd, Clnt } from "./network";
import type { Persister } from "./persister";
import type { RaftFactory } from "./raft";
import type { RsmFactory } from "./rsm";
import type { Err, GetArgs, GetReply, PutArgs, PutReply, Tversion } from "./rpc";

/**
 * RPC service "KVServer" (clerks call "KVServer.get" and "KVServer.put"): each handler submits
 * through the rsm and answers. `kill` is the tester's shutdown; it must kill the rsm (and so Raft).
 */
export interface KVServer {
  get(args: GetArgs): GetReply | Promise<GetReply>;
  put(args: PutArgs): PutReply | Promise<PutReply>;
  kill(): void;
}

export type KVServerFactory = (
  servers: ClientEnd[],
  gid: number,
  me: number,
  persister: Persister,
  maxRaftState: number,
  makeRsm: RsmFactory,
  makeRaft: RaftFactory,
) => KVServer;

export interface GetResult {
  value: string;
  version: Tversion;
  err: Err;
}

export interface Clerk {
  /** Retries until it gets an answer; ("", 0, ErrNoKey) if the key is absent. */
  get(key: string): Promise<GetResult>;
  /** OK, ErrVersion (certainly not done), ErrNoKey, or ErrMaybe (a re-sent Put got ErrVersion). */
  put(key: string, value: string, version: Tversion): Promise<Err>;
  /** The index of the last server that answered as leader (2026's `Leader()`). */
  leader?(): number;
}

export type ClerkFactory = (clnt: Clnt, servers: string[]) => Clerk;
