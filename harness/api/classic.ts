/**
 * The classic kvraft lab (2020–2024; the 6.5840 handout): a KV server that drives Raft directly, with
 * Put, Append and Get, exactly-once through client ids and sequence numbers. The RPC arguments are
 * the student's own design (the harness never looks inside them); the clerk gets shuffled ends.
 */
import type { ClientEnd } from "./network";
import type { Persister } from "./persister";
import type { RaftFactory } from "./raft";

/**
 * The server object, registered as RPC service "KVServer": every method is a handler its clerk may
 * call (e.g. "KVServer.get", "KVServer.putAppend"), taking one args object and returning (or
 * resolving to) one reply object. `kill` is the tester's shutdown: it must kill the Raft too.
 */
export interface ClassicKVServer {
  kill(): void;
}

/**
 * `StartKVServer(servers, me, persister, maxraftstate)`, plus the Raft factory to build on. Must
 * return quickly; snapshot (with the duplicate table) when Raft's state approaches maxRaftState (≠ −1).
 */
export type ClassicKVServerFactory = (
  servers: ClientEnd[],
  me: number,
  persister: Persister,
  maxRaftState: number,
  makeRaft: RaftFactory,
) => ClassicKVServer;

/** Retries forever; each operation takes effect exactly once. */
export interface ClassicClerk {
  /** The value, or "" if the key is absent. */
  get(key: string): Promise<string>;
  put(key: string, value: string): Promise<void>;
  append(key: string, value: string): Promise<void>;
}

/** `MakeClerk(servers)`: ends to every server, in an order that differs from clerk to clerk. */
export type ClassicClerkFactory = (servers: ClientEnd[]) => ClassicClerk;
