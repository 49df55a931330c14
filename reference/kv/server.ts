/**
 * The fault-tolerant key/value server (labs 4B/4C): versioned Get/Put with the Lab 2 semantics,
 * replicated through the rsm it is handed. Both handlers go through the log, Get included: a
 * server answering from its own state might be a deposed leader with stale data.
 *
 * The network exposes every method of the server object as an RPC handler, so the server has only
 * get, put and kill; the state machine the rsm drives is a separate object (KVStore).
 */
import { decode, encode } from "raftgrade";
import type { ClientEnd } from "raftgrade";
import type { Persister } from "raftgrade";
import type { RaftFactory } from "raftgrade";
import type { KVServer as KVServerApi } from "raftgrade";
import type { RSM, RsmFactory, StateMachine } from "raftgrade";
import { ErrNoKey, ErrVersion, OK } from "raftgrade";
import type { GetArgs, GetReply, PutArgs, PutReply, Tversion } from "raftgrade";

/** What goes into the log: the RPC's arguments, tagged with the operation. */
type Request = { kind: "get"; args: GetArgs } | { kind: "put"; args: PutArgs };

export class KVServer implements KVServerApi {
  private readonly rsm: RSM;

  constructor(
    servers: ClientEnd[],
    _gid: number, // the replica group's id: only sharded services (lab 5) use it
    me: number,
    persister: Persister,
    maxRaftState: number,
    makeRsm: RsmFactory,
    makeRaft: RaftFactory,
  ) {
    this.rsm = makeRsm(servers, me, persister, maxRaftState, new KVStore(), makeRaft);
  }

  async get(args: GetArgs): Promise<GetReply> {
    const request: Request = { kind: "get", args };
    const { err, value } = await this.rsm.submit(request);
    return err === OK ? (value as GetReply) : { value: "", version: 0, err };
  }

  async put(args: PutArgs): Promise<PutReply> {
    const request: Request = { kind: "put", args };
    const { err, value } = await this.rsm.submit(request);
    return err === OK ? (value as PutReply) : { err };
  }

  kill(): void {
    this.rsm.kill();
  }
}

interface Entry {
  value: string;
  version: Tversion;
}

/** A snapshot is the list of [key, value, version] (the codec carries arrays, not Maps). */
type SnapshotRow = [string, string, Tversion];

/** The state machine: the key → (value, version) map, changed only by doOp. */
class KVStore implements StateMachine {
  private data = new Map<string, Entry>();

  doOp(req: unknown): GetReply | PutReply {
    const request = req as Request;
    return request.kind === "get" ? this.get(request.args) : this.put(request.args);
  }

  snapshot(): Uint8Array {
    const rows: SnapshotRow[] = [...this.data].map(([key, e]) => [key, e.value, e.version]);
    return encode(rows, "snapshot");
  }

  restore(data: Uint8Array): void {
    const rows = decode<SnapshotRow[]>(data);
    this.data = new Map(rows.map(([key, value, version]) => [key, { value, version }]));
  }

  private get({ key }: GetArgs): GetReply {
    const entry = this.data.get(key);
    if (!entry) return { value: "", version: 0, err: ErrNoKey };
    return { value: entry.value, version: entry.version, err: OK };
  }

  /** Stores only if the caller saw the current version; version 0 creates a missing key. */
  private put({ key, value, version }: PutArgs): PutReply {
    const entry = this.data.get(key);
    if (!entry) {
      if (version !== 0) return { err: ErrNoKey };
      this.data.set(key, { value, version: 1 });
      return { err: OK };
    }
    if (entry.version !== version) return { err: ErrVersion };
    this.data.set(key, { value, version: version + 1 });
    return { err: OK };
  }
}
