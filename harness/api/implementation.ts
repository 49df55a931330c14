/**
 * An implementation is a module (a folder with an index) exporting factories for the layers it
 * provides. Each layer receives the layer below from the harness, so any mix of reference and
 * student layers can be graded.
 */
import type { RaftFactory } from "./raft";
import type { RsmFactory } from "./rsm";
import type { ClerkFactory, KVServerFactory } from "./kv";

export interface Implementation {
  makeRaft?: RaftFactory;
  makeRsm?: RsmFactory;
  startKVServer?: KVServerFactory;
  makeClerk?: ClerkFactory;
}

/** The graded layers and the export each one needs. */
export const LAYERS = {
  raft: { export: "makeRaft", shape: "(peers, me, persister, applyCh) => Raft" },
  rsm: { export: "makeRsm", shape: "(servers, me, persister, maxRaftState, sm, makeRaft) => RSM" },
  kv: { export: "startKVServer", shape: "(servers, gid, me, persister, maxRaftState, makeRsm, makeRaft) => KVServer" },
  clerk: { export: "makeClerk", shape: "(clnt, servers) => Clerk" },
} as const;

export type Layer = keyof typeof LAYERS;
