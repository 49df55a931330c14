/**
 * The replicated state machine (lab 4A). A service submits requests; each goes through the Raft
 * log and is applied, in log order and exactly once per entry, on every replica by the state
 * machine's doOp.
 *
 * submit() resolves once its own op has been applied here, with what doOp returned, or with
 * ErrWrongLeader as soon as the op may never be applied: Raft says we are not the leader, another
 * entry is applied at its index, a snapshot covers that index, or our term changes (checked every
 * 50 ms). A leader cut off in a minority keeps its term, so its submits simply wait: they cannot
 * commit, but they are not known to be lost either, until it hears of a newer term.
 */
import { Channel } from "raftgrade";
import type { ClientEnd } from "raftgrade";
import type { Persister } from "raftgrade";
import type { ApplyMsg, CommandMsg, Raft, RaftFactory, SnapshotMsg } from "raftgrade";
import type { RSM as RsmApi, StateMachine, SubmitResult } from "raftgrade";
import { type Op, OpIds } from "./op";
import { PendingSubmits, wrongLeader } from "./pending";

/** How often a waiting submit checks that this server is still leader of the same term. */
const LEADERSHIP_CHECK_MS = 50;

type Timer = ReturnType<typeof setTimeout>;

export class RSM implements RsmApi {
  private readonly applyCh: Channel<ApplyMsg>;
  private readonly rf: Raft;
  private readonly ids: OpIds;
  private readonly pending = new PendingSubmits();
  /**
   * Highest log index this incarnation applied or installed. After a restart it starts at 0 even
   * though sm holds the saved snapshot: Raft resumes delivery right after that snapshot.
   */
  private lastApplied = 0;
  /** Set by kill(), or when Raft closes applyCh: nothing more is applied or submitted. */
  private stopped = false;
  private leadershipTimer: Timer | undefined;

  constructor(
    servers: ClientEnd[],
    me: number,
    persister: Persister,
    private readonly maxRaftState: number,
    private readonly sm: StateMachine,
    makeRaft: RaftFactory,
  ) {
    this.ids = new OpIds(me);
    // The state of the last snapshot; Raft then delivers only the entries after it. Read before
    // Raft starts, so nothing Raft saves while starting can hide it.
    const snapshot = persister.readSnapshot();
    if (snapshot.length > 0) sm.restore(snapshot);
    this.applyCh = new Channel<ApplyMsg>(0, `applyCh of rsm ${me}`);
    this.rf = makeRaft(servers, me, persister, this.applyCh);
    void this.readApplyCh();
  }

  submit(req: unknown): Promise<SubmitResult> {
    if (this.stopped) return Promise.resolve(wrongLeader());
    const op = this.ids.wrap(req);
    const { index, term, isLeader } = this.rf.start(op);
    if (!isLeader) return Promise.resolve(wrongLeader());
    // Registered before anything can be applied: the reader only runs once we yield.
    const result = this.pending.wait(index, term, op);
    this.watchLeadership();
    return result;
  }

  raft(): Raft {
    return this.rf;
  }

  kill(): void {
    this.rf.kill();
    this.stop();
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.leadershipTimer);
    this.leadershipTimer = undefined;
    this.pending.failAll();
  }

  /** The one reader of applyCh: applies in order until killed or until Raft closes the channel. */
  private async readApplyCh(): Promise<void> {
    for await (const msg of this.applyCh) {
      if (this.stopped) break;
      if (msg.snapshotValid) this.installSnapshot(msg);
      else this.apply(msg);
    }
    this.stop();
  }

  private apply(msg: CommandMsg): void {
    const index = msg.commandIndex;
    if (index <= this.lastApplied) return; // already in sm: an entry must take effect only once
    this.lastApplied = index;
    const op = msg.command as Op;
    const value = this.sm.doOp(op.req);
    this.pending.applied(index, op, value);
    // sm now holds everything through index, so Raft may drop those entries.
    if (this.maxRaftState !== -1 && this.rf.persistBytes() > this.maxRaftState) {
      this.rf.snapshot(index, this.sm.snapshot());
    }
  }

  /** A leader's snapshot replaces our state (we lagged behind its compacted log). */
  private installSnapshot(msg: SnapshotMsg): void {
    if (msg.snapshotIndex <= this.lastApplied) return; // older than what we hold: would move back
    this.sm.restore(msg.snapshot);
    this.lastApplied = msg.snapshotIndex;
    this.pending.failThrough(msg.snapshotIndex);
  }

  /** While submits wait, re-check leadership every LEADERSHIP_CHECK_MS (one timer for all). */
  private watchLeadership(): void {
    if (this.leadershipTimer !== undefined || this.stopped) return;
    this.leadershipTimer = setTimeout(() => {
      this.leadershipTimer = undefined;
      const { term, isLeader } = this.rf.getState();
      this.pending.failUnlessLeaderIn(term, isLeader);
      if (this.pending.size > 0) this.watchLeadership();
    }, LEADERSHIP_CHECK_MS);
  }
}
