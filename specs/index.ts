/**
 * The lab parts raftgrade knows, in the course's order, and the spec file of each part that has
 * one. A part without a file has no specs yet: selecting it is an error, never a silent pass.
 */
export interface Part {
  /** The lab's name for the part, as `--part` takes it. */
  part: string;
  title: string;
  /** Spec file, relative to this folder; absent while the part has no specs. */
  file?: string;
}

export const PARTS: Part[] = [
  { part: "3A", title: "Raft: leader election", file: "raft/3A.spec.ts" },
  { part: "3B", title: "Raft: log replication", file: "raft/3B.spec.ts" },
  { part: "3C", title: "Raft: persistence", file: "raft/3C.spec.ts" },
  { part: "3D", title: "Raft: log compaction", file: "raft/3D.spec.ts" },
  { part: "4A", title: "rsm: replicated state machine" },
  { part: "4B", title: "kvraft: fault-tolerant key/value service" },
  { part: "4C", title: "kvraft: with snapshots" },
];

export function findPart(name: string): Part | undefined {
  return PARTS.find((p) => p.part.toLowerCase() === name.trim().toLowerCase());
}
