/**
 * Shapes shared by the Raft files: log entries, roles, and the RPC argument/reply objects of
 * Figure 2 (plus InstallSnapshot from Figure 13). RPC values cross the simulated network as
 * plain data, so every field is always present (no `undefined`) and nothing has methods.
 */

export interface LogEntry {
  term: number;
  command: unknown;
}

export type Role = "follower" | "candidate" | "leader";

/** Timing, in (virtual) ms. Heartbeats ≤ 10/s; timeouts well above the paper's 150–300 ms
 *  because heartbeats are this slow, yet short enough to elect within 5 s on a lossy network. */
export const HEARTBEAT_MS = 100;
export const ELECTION_TIMEOUT_MIN_MS = 400;
export const ELECTION_TIMEOUT_SPREAD_MS = 300;

export interface RequestVoteArgs {
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteReply {
  term: number;
  voteGranted: boolean;
}

export interface AppendEntriesArgs {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}

/**
 * On a failed consistency check the follower says where its log diverges, so the leader can skip
 * a whole term per round trip instead of one entry:
 *  - xTerm: term of the follower's entry at prevLogIndex (-1 if it has no entry there);
 *  - xIndex: first index the follower holds with term xTerm (-1 if xTerm is -1);
 *  - xLen: the follower's lastLogIndex + 1.
 */
export interface AppendEntriesReply {
  term: number;
  success: boolean;
  xTerm: number;
  xIndex: number;
  xLen: number;
}

/** The whole snapshot in one RPC (the lab says not to implement Figure 13's offsets). */
export interface InstallSnapshotArgs {
  term: number;
  leaderId: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
}

export interface InstallSnapshotReply {
  term: number;
}
