/**
 * The classic kvraft server (2020–2024): Put, Append and Get on top of Raft, driven directly
 * (there is no rsm layer in the classic lab). Every request, Get included, goes through the log
 * and is applied in log order on every replica: a server answering from its own state might be a
 * deposed leader with stale data.
 *
 * Exactly-once: a clerk retries an operation until some server answers, so several copies of one
 * Put/Append may be committed. The duplicate table (client id → last seq applied) lets only the
 * first take effect. Gets change nothing, so they are simply executed again.
 *
 * A handler waits until the entry at the index Raft gave it is applied; it answers ErrWrongLeader
 * as soon as its entry may never be applied: another request is applied at that index, a snapshot
 * covers it, or this server's term or leadership changes (checked every 50 ms). A leader cut off
 * in a minority keeps its term, so its handlers simply wait (their entries are not known to be
 * lost) until it hears of a newer term, or the clerk's call dies with its end.
 *
 * The network exposes every method of the server object as an RPC handler, so the server has only
 * get, putAppend and kill; everything else lives on a separate Replica object.
 */
import { Channel, decode, encode } from "../../harness/api";
import type { ClassicKVServer as ClassicKVServerApi } from "../../harness/api/classic";
import type { ClientEnd } from "../../harness/api/network";
import type { Persister } from "../../harness/api/persister";
import type { ApplyMsg, CommandMsg, Raft, RaftFactory, SnapshotMsg } from "../../harness/api/raft";
import { ErrNoKey, ErrWrongLeader, OK } from "../../harness/api/rpc";
import type { ClassicErr, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./rpc";

/** How often a waiting handler checks that this server is still leader of the same term. */
export const LEADERSHIP_CHECK_MS = 50;

export class ClassicKVServer implements ClassicKVServerApi {
  private readonly replica: Replica;

  constructor(servers: ClientEnd[], me: number, persister: Persister, maxRaftState: number, makeRaft: RaftFactory) {
    this.replica = new Replica(servers, me, persister, maxRaftState, makeRaft);
  }

  async get(args: GetArgs): Promise<GetReply> {
    const { key, clientId, seq } = args;
    const { err, value } = await this.replica.submit({ kind: "Get", key, value: "", clientId, seq });
    return { err, value };
  }

  async putAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    const { key, value, op, clientId, seq } = args;
    const { err } = await this.replica.submit({ kind: op, key, value, clientId, seq });
    return { err };
  }

  kill(): void {
    this.replica.kill();
  }
}

/** What goes into the Raft log: the request with its clerk's id, which also identifies the entry. */
interface Op {
  kind: "Get" | "Put" | "Append";
  key: string;
  value: string;
  clientId: number;
  seq: number;
}

interface Result {
  err: ClassicErr;
  /** Get's value ("" when absent or not applied). */
  value: string;
}

interface Waiter {
  op: Op;
  /** The term in which the op was started: if this server's term moves on, it may be lost. */
  term: number;
  resolve: (result: Result) => void;
}

/** The snapshot: [[key, value]...] and [[clientId, last seq]...] (the codec carries arrays, not Maps). */
type SnapshotData = [[string, string][], [number, number][]];

type Timer = ReturnType<typeof setTimeout>;

const wrongLeader = (): Result => ({ err: ErrWrongLeader, value: "" });

/** Ops come back from the log as copies: the same clerk operation has the same id. */
function sameRequest(a: Op, b: Op): boolean {
  return a.clientId === b.clientId && a.seq === b.seq;
}

/** One replica: the store, the duplicate table, the Raft under them, and the waiting handlers. */
class Replica {
  private store = new Map<string, string>();
  /** Client id → seq of the last Put/Append of that client applied. */
  private lastSeq = new Map<number, number>();
  private readonly rf: Raft;
  private readonly applyCh: Channel<ApplyMsg>;
  /** Handlers waiting for their index, one per index. */
  private readonly waiters = new Map<number, Waiter>();
  /**
   * Highest log index this incarnation applied or installed. After a restart it starts at 0 even
   * though the store holds the saved snapshot: Raft resumes delivery right after that snapshot.
   */
  private lastApplied = 0;
  /** Set by kill(), or when Raft closes applyCh: nothing more is applied or submitted. */
  private stopped = false;
  private leadershipTimer: Timer | undefined;

  constructor(servers: ClientEnd[], me: number, persister: Persister, private readonly maxRaftState: number, makeRaft: RaftFactory) {
    // Read before Raft starts, so nothing Raft saves while starting can hide it.
    const snapshot = persister.readSnapshot();
    if (snapshot.length > 0) this.restore(snapshot);
    this.applyCh = new Channel<ApplyMsg>(0, `applyCh of kvserver ${me}`);
    this.rf = makeRaft(servers, me, persister, this.applyCh);
    void this.readApplyCh();
  }

  /** Starts `op` in Raft and resolves once it is applied here, or may never be. */
  submit(op: Op): Promise<Result> {
    if (this.stopped) return Promise.resolve(wrongLeader());
    const { index, term, isLeader } = this.rf.start(op);
    if (!isLeader) return Promise.resolve(wrongLeader());
    // Raft reusing an index means the earlier entry there was discarded.
    this.waiters.get(index)?.resolve(wrongLeader());
    // Registered before anything can be applied: the reader only runs once we yield.
    const result = new Promise<Result>((resolve) => this.waiters.set(index, { op, term, resolve }));
    this.watchLeadership();
    return result;
  }

  kill(): void {
    this.rf.kill();
    this.stop();
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.leadershipTimer);
    this.leadershipTimer = undefined;
    this.failWaiters(() => true);
  }

  /** The one reader of applyCh: applies in order until killed or until Raft closes the channel. */
  private async readApplyCh(): Promise<void> {
    for await (const msg of this.applyCh) {
      if (this.stopped) break;
      if (msg.snapshotValid) this.installSnapshot(msg);
      else this.applyCommand(msg);
    }
    this.stop();
  }

  private applyCommand(msg: CommandMsg): void {
    const index = msg.commandIndex;
    if (index <= this.lastApplied) return; // already in the store: an entry takes effect only once
    this.lastApplied = index;
    const op = msg.command as Op;
    const result = this.execute(op);
    const waiter = this.waiters.get(index);
    if (waiter) {
      this.waiters.delete(index);
      waiter.resolve(sameRequest(waiter.op, op) ? result : wrongLeader());
    }
    // The store now holds everything through index, so Raft may drop those entries.
    if (this.maxRaftState !== -1 && this.rf.persistBytes() > this.maxRaftState) {
      this.rf.snapshot(index, this.snapshot());
    }
  }

  /** Applies one op to the store; a Put/Append the duplicate table has seen is skipped. */
  private execute(op: Op): Result {
    if (op.kind === "Get") {
      const value = this.store.get(op.key);
      return value === undefined ? { err: ErrNoKey, value: "" } : { err: OK, value };
    }
    if (op.seq > (this.lastSeq.get(op.clientId) ?? 0)) {
      const value = op.kind === "Put" ? op.value : (this.store.get(op.key) ?? "") + op.value;
      this.store.set(op.key, value);
      this.lastSeq.set(op.clientId, op.seq);
    }
    return { err: OK, value: "" };
  }

  /** A leader's snapshot replaces our state (we lagged behind its compacted log). */
  private installSnapshot(msg: SnapshotMsg): void {
    if (msg.snapshotIndex <= this.lastApplied) return; // older than what we hold: would move back
    this.restore(msg.snapshot);
    this.lastApplied = msg.snapshotIndex;
    // Whether our ops are among the entries it replaced is unknown: let the clerks retry.
    this.failWaiters((index) => index <= msg.snapshotIndex);
  }

  /** The duplicate table goes with the store: without it a restarted replica would re-apply retries. */
  private snapshot(): Uint8Array {
    const data: SnapshotData = [[...this.store], [...this.lastSeq]];
    return encode(data, "snapshot");
  }

  private restore(bytes: Uint8Array): void {
    const [store, lastSeq] = decode<SnapshotData>(bytes);
    this.store = new Map(store);
    this.lastSeq = new Map(lastSeq);
  }

  /** While handlers wait, re-check leadership every LEADERSHIP_CHECK_MS (one timer for all). */
  private watchLeadership(): void {
    if (this.leadershipTimer !== undefined || this.stopped) return;
    this.leadershipTimer = setTimeout(() => {
      this.leadershipTimer = undefined;
      const { term, isLeader } = this.rf.getState();
      // A new term (or a lost leadership) means our entries may be overwritten.
      this.failWaiters((_, waiter) => !isLeader || waiter.term !== term);
      if (this.waiters.size > 0) this.watchLeadership();
    }, LEADERSHIP_CHECK_MS);
  }

  private failWaiters(lost: (index: number, waiter: Waiter) => boolean): void {
    for (const [index, waiter] of [...this.waiters]) {
      if (!lost(index, waiter)) continue;
      this.waiters.delete(index);
      waiter.resolve(wrongLeader());
    }
  }
}
