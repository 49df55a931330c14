/**
 * The lab parts raftgrade knows, in the course's order, and the spec files of each part. A part
 * without files has no specs yet: selecting it is an error, never a silent pass. Part 4C spans two
 * packages in the lab (the rsm's TestSnapshot4C and the KV service's 4C tests), hence two files.
 */
export interface Part {
  /** The lab's name for the part, as `--part` takes it. */
  part: string;
  title: string;
  /** Spec files, relative to this folder; empty while the part has no specs. */
  files: string[];
}

export const PARTS: Part[] = [
  { part: "3A", title: "Raft: leader election", files: ["raft/3A.spec.ts"] },
  { part: "3B", title: "Raft: log replication", files: ["raft/3B.spec.ts"] },
  { part: "3C", title: "Raft: persistence", files: ["raft/3C.spec.ts"] },
  { part: "3D", title: "Raft: log compaction", files: ["raft/3D.spec.ts"] },
  { part: "4A", title: "rsm: replicated state machine", files: [] },
  { part: "4B", title: "kvraft: fault-tolerant key/value service", files: [] },
  { part: "4C", title: "kvraft: with snapshots", files: [] },
];

export function findPart(name: string): Part | undefined {
  return PARTS.find((p) => p.part.toLowerCase() === name.trim().toLowerCase());
}
