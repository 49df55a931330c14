/**
 * Your fault-tolerant key/value server (labs 4B/4C), built on the rsm it is handed: the server is
 * the rsm's StateMachine. Clerks call "KVServer.get" and "KVServer.put"; interfaces in
 * raftgrade's kv.ts, raftgrade's rsm.ts and raftgrade's rpc.ts. As in the lab's skeleton, the
 * constructor already makes the rsm.
 */
import type {
  ClientEnd,
  GetArgs,
  GetReply,
  KVServer,
  KVServerFactory,
  Persister,
  PutArgs,
  PutReply,
  RaftFactory,
  RSM,
  RsmFactory,
  StateMachine,
} from "raftgrade";

function notImplemented(what: string): never {
  throw new Error(`not implemented yet: ${what} (student/kv-server.ts)`);
}

class StudentKVServer implements KVServer, StateMachine {
  private readonly rsm: RSM;

  constructor(
    readonly servers: ClientEnd[],
    readonly gid: number,
    readonly me: number,
    readonly persister: Persister,
    readonly maxRaftState: number,
    makeRsm: RsmFactory,
    makeRaft: RaftFactory,
  ) {
    this.rsm = makeRsm(servers, me, persister, maxRaftState, this, makeRaft);
    // Your initialization code here (4B).
  }

  /** StateMachine: applies one committed operation (called by the rsm). */
  doOp(req: unknown): unknown {
    return notImplemented(`KVServer.doOp(${JSON.stringify(req)})`);
  }

  /** StateMachine: the server's state as bytes (4C). */
  snapshot(): Uint8Array {
    return notImplemented("KVServer.snapshot");
  }

  /** StateMachine: replaces the server's state with a snapshot's (4C). */
  restore(data: Uint8Array): void {
    notImplemented(`KVServer.restore(${data.length} bytes)`);
  }

  get(args: GetArgs): GetReply | Promise<GetReply> {
    return notImplemented(`KVServer.get(${JSON.stringify(args)})`);
  }

  put(args: PutArgs): PutReply | Promise<PutReply> {
    return notImplemented(`KVServer.put(${JSON.stringify(args)})`);
  }

  kill(): void {
    this.rsm.kill();
  }
}

export const startKVServer: KVServerFactory = (servers, gid, me, persister, maxRaftState, makeRsm, makeRaft) =>
  new StudentKVServer(servers, gid, me, persister, maxRaftState, makeRsm, makeRaft);
