/**
 * Your classic key/value server (the 2020–2024 kvraft lab): Put/Append/Get on top of your Raft, each
 * Put/Append applied exactly once (client id + sequence number), snapshots that carry the duplicate
 * table. Every method of this object is an RPC handler ("KVServer.get", ...): keep helpers elsewhere.
 * Interfaces in raftgrade's classic.ts. Grade it with `--part classic`.
 */
import { Channel } from "raftgrade";
import type {
  ApplyMsg,
  ClassicKVServer,
  ClassicKVServerFactory,
  ClientEnd,
  Persister,
  Raft,
  RaftFactory,
} from "raftgrade";

function notImplemented(what: string): never {
  throw new Error(`not implemented yet: ${what} (student/classic-kv-server.ts)`);
}

/** Suggested RPC arguments: the clerk's id and sequence number make retries recognisable. */
interface GetArgs {
  key: string;
  clientId: number;
  seq: number;
}

interface PutAppendArgs {
  key: string;
  value: string;
  op: "Put" | "Append";
  clientId: number;
  seq: number;
}

class StudentClassicKVServer implements ClassicKVServer {
  private readonly applyCh = new Channel<ApplyMsg>();
  private readonly rf: Raft;

  constructor(servers: ClientEnd[], me: number, persister: Persister, maxRaftState: number, makeRaft: RaftFactory) {
    this.rf = makeRaft(servers, me, persister, this.applyCh);
    // Your initialization code here: restore from the snapshot, start a reader of applyCh.
    void maxRaftState;
  }

  get(args: GetArgs): Promise<{ err: string; value: string }> {
    return notImplemented(`KVServer.get(${JSON.stringify(args)})`);
  }

  putAppend(args: PutAppendArgs): Promise<{ err: string }> {
    return notImplemented(`KVServer.putAppend(${JSON.stringify(args)})`);
  }

  kill(): void {
    this.rf.kill();
    // Your code here: release waiting handlers.
  }
}

export const startClassicKVServer: ClassicKVServerFactory = (servers, me, persister, maxRaftState, makeRaft) =>
  new StudentClassicKVServer(servers, me, persister, maxRaftState, makeRaft);
