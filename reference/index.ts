/**
 * The reference implementation graded against the lab suite: all four layers of the lab-4 stack,
 * each built on the layer below it that the harness hands in (so any layer can be swapped for a
 * student's): Raft (labs 3A–3D), the replicated state machine (4A), and the fault-tolerant KV
 * server and its clerk (4B/4C); and the classic kvraft server and clerk (2020–2024), which drive
 * Raft directly.
 */
import type { RaftFactory } from "raftgrade";
import type { RsmFactory } from "raftgrade";
import type { ClerkFactory, KVServerFactory } from "raftgrade";
import type { ClassicClerkFactory, ClassicKVServerFactory } from "raftgrade";
import { Raft } from "./raft/raft";
import { RSM } from "./rsm/rsm";
import { KVServer } from "./kv/server";
import { KVClerk } from "./kv/clerk";
import { ClassicKVServer } from "./classic/server";
import { ClassicClerk } from "./classic/clerk";

export const makeRaft: RaftFactory = (peers, me, persister, applyCh) => new Raft(peers, me, persister, applyCh);

export const makeRsm: RsmFactory = (servers, me, persister, maxRaftState, sm, makeRaft) =>
  new RSM(servers, me, persister, maxRaftState, sm, makeRaft);

export const startKVServer: KVServerFactory = (servers, gid, me, persister, maxRaftState, makeRsm, makeRaft) =>
  new KVServer(servers, gid, me, persister, maxRaftState, makeRsm, makeRaft);

export const makeClerk: ClerkFactory = (clnt, servers) => new KVClerk(clnt, servers);

export const startClassicKVServer: ClassicKVServerFactory = (servers, me, persister, maxRaftState, makeRaft) =>
  new ClassicKVServer(servers, me, persister, maxRaftState, makeRaft);

export const makeClassicClerk: ClassicClerkFactory = (servers) => new ClassicClerk(servers);
