/**
 * An implementation is a module (a folder with an index) exporting factories for the layers it
 * provides. Each layer receives the layer below from the harness, so any mix of reference and
 * student layers can be graded.
 */
import type { RaftFactory } from "./raft";
import type { RsmFactory } from "./rsm";
import type { ClerkFactory, KVServerFactory } from "./kv";
import type { ClassicClerkFactory, ClassicKVServerFactory } from "./classic";

export interface Implementation {
  makeRaft?: RaftFactory;
  makeRsm?: RsmFactory;
  startKVServer?: KVServerFactory;
  makeClerk?: ClerkFactory;
  /** The classic kvraft lab's server and clerk (graded with the classic parts). */
  startClassicKVServer?: ClassicKVServerFactory;
  makeClassicClerk?: ClassicClerkFactory;
}

/**
 * The graded layers, the export each one needs, and the flag that selects its module: the classic
 * lab's server and clerk come from the module --kv and --clerk name, as the modern ones do.
 */
export const LAYERS = {
  raft: { export: "makeRaft", shape: "(peers, me, persister, applyCh) => Raft", selectedBy: "raft" },
  rsm: { export: "makeRsm", shape: "(servers, me, persister, maxRaftState, sm, makeRaft) => RSM", selectedBy: "rsm" },
  kv: {
    export: "startKVServer",
    shape: "(servers, gid, me, persister, maxRaftState, makeRsm, makeRaft) => KVServer",
    selectedBy: "kv",
  },
  clerk: { export: "makeClerk", shape: "(clnt, servers) => Clerk", selectedBy: "clerk" },
  classicKv: {
    export: "startClassicKVServer",
    shape: "(servers, me, persister, maxRaftState, makeRaft) => ClassicKVServer",
    selectedBy: "kv",
  },
  classicClerk: { export: "makeClassicClerk", shape: "(servers) => ClassicClerk", selectedBy: "clerk" },
} as const;

export type Layer = keyof typeof LAYERS;
/** The layers a user selects (--raft, --rsm, --kv, --clerk). */
export type SelectableLayer = (typeof LAYERS)[Layer]["selectedBy"];
