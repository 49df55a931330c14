/**
 * The lab parts raftgrade knows, in the course's order, and the spec files of each part. A part
 * without files has no specs yet: selecting it is an error, never a silent pass. Part 4C spans two
 * packages in the lab (the rsm's TestSnapshot4C and the KV service's 4C tests), hence two files.
 *
 * The classic kvraft lab (2020–2024) has parts of its own, "classic-4A" and "classic-4B": its test
 * names repeat the modern ones (TestSpeed4B is in both), so its parts are only run when asked for
 * (`--part classic`, or by name), and its ids ("classic-4B/TestSpeed4B") never match a modern id.
 */
export interface Part {
  /** The lab's name for the part, as `--part` takes it. */
  part: string;
  title: string;
  /**
   * Set for parts run only when named: the classic kvraft lab's, and the parts beyond the lab
   * (adversarial scenarios, not in any lab); absent for the current course's labs (run by default).
   */
  lab?: "classic" | "beyond";
  /** Spec files, relative to this folder; empty while the part has no specs. */
  files: string[];
}

export const PARTS: Part[] = [
  { part: "3A", title: "Raft: leader election", files: ["raft/3A.spec.ts"] },
  { part: "3B", title: "Raft: log replication", files: ["raft/3B.spec.ts"] },
  { part: "3C", title: "Raft: persistence", files: ["raft/3C.spec.ts"] },
  { part: "3D", title: "Raft: log compaction", files: ["raft/3D.spec.ts"] },
  { part: "4A", title: "rsm: replicated state machine", files: ["rsm/4A.spec.ts"] },
  { part: "4B", title: "kvraft: fault-tolerant key/value service", files: ["kv/4B.spec.ts"] },
  { part: "4C", title: "kvraft: with snapshots", files: ["rsm/4C.spec.ts", "kv/4C.spec.ts"] },
  {
    part: "3X",
    title: "Raft beyond the lab: classic hazards, driven on purpose",
    lab: "beyond",
    files: ["beyond/3X.spec.ts"],
  },
  {
    part: "4X",
    title: "rsm beyond the lab: classic hazards, driven on purpose",
    lab: "beyond",
    files: ["beyond/4X.spec.ts"],
  },
  {
    part: "classic-4A",
    title: "classic kvraft (Put/Append/Get): without snapshots",
    lab: "classic",
    files: ["classic/4A.spec.ts"],
  },
  {
    part: "classic-4B",
    title: "classic kvraft (Put/Append/Get): with snapshots",
    lab: "classic",
    files: ["classic/4B.spec.ts"],
  },
];

/** Names that stand for several parts. */
const PART_GROUPS: Record<string, string[]> = {
  classic: PARTS.filter((p) => p.lab === "classic").map((p) => p.part),
  beyond: PARTS.filter((p) => p.lab === "beyond").map((p) => p.part),
};

export function findPart(name: string): Part | undefined {
  return PARTS.find((p) => p.part.toLowerCase() === name.trim().toLowerCase());
}

/** The parts a `--part` name stands for: one part, a group ("classic"), or undefined if unknown. */
export function partsNamed(name: string): Part[] | undefined {
  const group = PART_GROUPS[name.trim().toLowerCase()];
  if (group) return group.map((p) => findPart(p)!);
  const part = findPart(name);
  return part && [part];
}
