/**
 * The classic kvraft server (2020–2024): Put, Append and Get, replicated through the reference rsm
 * on whichever Raft is graded (the classic lab has no rsm layer of its own, but the log-driving
 * part is the same: submit, wait for that exact entry, snapshot past maxRaftState). Every request,
 * Get included, goes through the log: a server answering from its own state might be a deposed
 * leader with stale data.
 *
 * Exactly-once: a clerk retries an operation until some server answers, so several copies of one
 * Put/Append may be committed. The duplicate table (client id → last seq applied) lets only the
 * first take effect, and travels in every snapshot. Gets change nothing, so they simply run again.
 *
 * The network exposes every method of the server object as an RPC handler, so the server has only
 * get, putAppend and kill; the state machine is a separate object (ClassicStore).
 */
import { decode, encode } from "raftgrade";
import type { ClassicKVServer as ClassicKVServerApi } from "raftgrade";
import type { ClientEnd } from "raftgrade";
import type { Persister } from "raftgrade";
import type { RaftFactory } from "raftgrade";
import type { StateMachine } from "raftgrade";
import { ErrNoKey, OK } from "raftgrade";
import { RSM } from "../rsm/rsm";
import type { ClassicErr, GetArgs, GetReply, PutAppendArgs, PutAppendReply, RequestId } from "./rpc";

/** What goes into the log: the request with its clerk's id and sequence number. */
interface Op extends RequestId {
  kind: "Get" | "Put" | "Append";
  key: string;
  value: string;
}

interface Result {
  err: ClassicErr;
  /** Get's value ("" when absent). */
  value: string;
}

export class ClassicKVServer implements ClassicKVServerApi {
  private readonly rsm: RSM;

  constructor(servers: ClientEnd[], me: number, persister: Persister, maxRaftState: number, makeRaft: RaftFactory) {
    this.rsm = new RSM(servers, me, persister, maxRaftState, new ClassicStore(), makeRaft);
  }

  async get(args: GetArgs): Promise<GetReply> {
    const { key, clientId, seq } = args;
    const op: Op = { kind: "Get", key, value: "", clientId, seq };
    const { err, value } = await this.rsm.submit(op);
    return err === OK ? (value as Result) : { err: err as ClassicErr, value: "" };
  }

  async putAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    const { key, value, op: kind, clientId, seq } = args;
    const op: Op = { kind, key, value, clientId, seq };
    const { err } = await this.rsm.submit(op);
    return { err: err as ClassicErr };
  }

  kill(): void {
    this.rsm.kill();
  }
}

/** The snapshot: [[key, value]...] and [[clientId, last seq]...] (the codec carries arrays, not Maps). */
type SnapshotData = [[string, string][], [number, number][]];

/** The state machine: the store and the duplicate table, changed only by doOp. */
class ClassicStore implements StateMachine {
  private store = new Map<string, string>();
  /** Client id → seq of the last Put/Append of that client applied. */
  private lastSeq = new Map<number, number>();

  /** Applies one op; a Put/Append the duplicate table has seen is skipped. */
  doOp(req: unknown): Result {
    const op = req as Op;
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

  /** The duplicate table goes with the store: without it a restarted replica would re-apply retries. */
  snapshot(): Uint8Array {
    const data: SnapshotData = [[...this.store], [...this.lastSeq]];
    return encode(data, "snapshot");
  }

  restore(bytes: Uint8Array): void {
    const [store, lastSeq] = decode<SnapshotData>(bytes);
    this.store = new Map(store);
    this.lastSeq = new Map(lastSeq);
  }
}
