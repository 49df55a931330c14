/**
 * One Raft peer (Figure 2 of the extended Raft paper, with log compaction from §7).
 *
 * The simulation is single-threaded, so there are no locks; instead every continuation after an
 * `await` (an RPC reply, a send on applyCh) re-checks the state it depends on, since anything may
 * have happened meanwhile. The public methods and the three RPC handlers are on this class
 * (the network registers the object as service "Raft"); the protocol itself lives in
 * election.ts, replication.ts, snapshot.ts and apply.ts.
 */
import type { ClientEnd } from "raftgrade";
import type { Persister } from "raftgrade";
import type { Channel } from "raftgrade";
import type { ApplyMsg, Raft as RaftApi, RaftState, StartResult } from "raftgrade";
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  RequestVoteArgs,
  RequestVoteReply,
  Role,
} from "./types";
import { RaftLog } from "./log";
import { persist, restore } from "./persist";
import { handleRequestVote, resetElectionTimer } from "./election";
import { advanceCommit, handleAppendEntries, replicate } from "./replication";
import { handleInstallSnapshot, takeSnapshot } from "./snapshot";
import { runApplier, wakeApplier } from "./apply";

type Timer = ReturnType<typeof setTimeout>;

export class Raft implements RaftApi {
  // Persistent state (saved by persist() before any reply or acknowledgement depends on it).
  currentTerm = 0;
  /** Candidate voted for in currentTerm, -1 for none. */
  votedFor = -1;
  log = new RaftLog();
  /** The service's latest snapshot (through log.snapIndex); saved alongside the state. */
  snapshotData: Uint8Array = new Uint8Array(0);

  // Volatile state.
  role: Role = "follower";
  commitIndex = 0;
  /** Highest index handed to the applier (set before the send on applyCh completes). */
  lastApplied = 0;
  killed = false;
  electionTimer: Timer | undefined;
  heartbeatTimer: Timer | undefined;
  /** Resolves the applier's wait for new commits. */
  applierWake: (() => void) | undefined;

  // Leader state, reinitialised after each election.
  nextIndex: number[] = [];
  matchIndex: number[] = [];
  /** Per peer: id of the outstanding send that carries entries or a snapshot (0: none). */
  inflight: number[] = [];
  /** Heartbeat tick at which that send left, to tell a slow reply from a lost one. */
  inflightTick: number[] = [];
  heartbeatTick = 0;
  sendSeq = 0;

  constructor(
    readonly peers: ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly applyCh: Channel<ApplyMsg>,
  ) {
    restore(this);
    resetElectionTimer(this);
    void runApplier(this);
  }

  /** Appends a command if leader and starts replicating it at once; never waits. */
  start(command: unknown): StartResult {
    if (this.killed || this.role !== "leader") return { index: -1, term: this.currentTerm, isLeader: false };
    this.log.append([{ term: this.currentTerm, command }]);
    persist(this);
    const index = this.log.lastIndex();
    advanceCommit(this); // a one-server cluster commits on its own
    for (let peer = 0; peer < this.peers.length; peer++) if (peer !== this.me) replicate(this, peer);
    return { index, term: this.currentTerm, isLeader: true };
  }

  getState(): RaftState {
    return { term: this.currentTerm, isLeader: !this.killed && this.role === "leader" };
  }

  snapshot(index: number, snapshot: Uint8Array): void {
    takeSnapshot(this, index, snapshot);
  }

  persistBytes(): number {
    return this.persister.raftStateSize();
  }

  kill(): void {
    this.killed = true;
    clearTimeout(this.electionTimer);
    clearTimeout(this.heartbeatTimer);
    this.electionTimer = this.heartbeatTimer = undefined;
    wakeApplier(this);
  }

  // RPC handlers ("Raft.requestVote", ...): synchronous, each returns its reply.

  requestVote(args: RequestVoteArgs): RequestVoteReply {
    return handleRequestVote(this, args);
  }

  appendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    return handleAppendEntries(this, args);
  }

  installSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    return handleInstallSnapshot(this, args);
  }
}
