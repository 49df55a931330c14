/**
 * The classic clerk (2020–2024). Each operation gets the next sequence number of this clerk, and
 * every copy it sends carries the same (clientId, seq), so the servers apply it exactly once
 * however often it is re-sent.
 *
 * It sends to the server it last saw as leader; on ErrWrongLeader or no reply it moves on to the
 * next end, and after a whole round of ends without an answer (an election is going on, or it is
 * cut off) it pauses before trying again. The ends come shuffled and some may be disabled: the
 * clerk cannot tell, and does not need to.
 */
import type { ClassicClerk as ClassicClerkApi } from "raftgrade";
import type { ClientEnd } from "raftgrade";
import { ErrNoKey, ErrWrongLeader } from "raftgrade";
import type { ClassicErr, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./rpc";

/** Pause after a full round of servers without an answer (never on the happy path). */
const RETRY_ROUND_MS = 100;

export class ClassicClerk implements ClassicClerkApi {
  // Math.random is seeded by the simulation; 2^53 ids keep collisions between clerks negligible.
  private readonly clientId = Math.floor(Math.random() * 2 ** 53);
  private seq = 0;
  /** Index (into servers) of the end that last answered as leader. */
  private leader = 0;

  constructor(private readonly servers: ClientEnd[]) {}

  async get(key: string): Promise<string> {
    const args: GetArgs = { key, clientId: this.clientId, seq: ++this.seq };
    const reply = await this.callLeader<GetReply>("KVServer.get", args);
    return reply.err === ErrNoKey ? "" : reply.value;
  }

  put(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, "Put");
  }

  append(key: string, value: string): Promise<void> {
    return this.putAppend(key, value, "Append");
  }

  private async putAppend(key: string, value: string, op: PutAppendArgs["op"]): Promise<void> {
    const args: PutAppendArgs = { key, value, op, clientId: this.clientId, seq: ++this.seq };
    await this.callLeader<PutAppendReply>("KVServer.putAppend", args);
  }

  /** Sends `args` until some server answers as leader, starting with the last leader; its reply. */
  private async callLeader<R extends { err: ClassicErr }>(method: string, args: unknown): Promise<R> {
    let server = this.leader;
    for (let sent = 0; ; sent++) {
      if (sent > 0 && sent % this.servers.length === 0) await sleep(RETRY_ROUND_MS);
      const reply = await this.servers[server].call<R>(method, args);
      if (reply && reply.err !== ErrWrongLeader) {
        this.leader = server;
        return reply;
      }
      server = (server + 1) % this.servers.length;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
