/**
 * The reference implementation graded against the lab suite. Layers are added as they are
 * written; for now, Raft (labs 3A–3D).
 */
import type { RaftFactory } from "../harness/api/raft";
import { Raft } from "./raft/raft";

export const makeRaft: RaftFactory = (peers, me, persister, applyCh) => new Raft(peers, me, persister, applyCh);
