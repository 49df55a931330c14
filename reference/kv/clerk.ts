/**
 * The clerk (labs 4B/4C). It sends each request to the server it last saw as leader; on
 * ErrWrongLeader or no reply it moves on to the next server, and after a whole round of servers
 * without an answer (an election is going on, or it is cut off) it pauses before trying again.
 *
 * Put and ErrMaybe: a Put the clerk had to re-send may have been executed by an earlier copy.
 * Not only when a reply was lost: a leader that started the Put and then lost its leadership
 * answers ErrWrongLeader, yet its successor may still commit the entry. So if a re-sent Put gets
 * ErrVersion, that version mismatch may be the clerk's own earlier write: the clerk says ErrMaybe.
 * ErrVersion on the very first send is certain (the Put was not performed).
 */
import type { Clerk, GetResult } from "raftgrade";
import type { Clnt } from "raftgrade";
import { ErrMaybe, ErrNoKey, ErrVersion, OK } from "raftgrade";
import type { Err, GetArgs, GetReply, PutArgs, PutReply, Tversion } from "raftgrade";

/** Pause after a full round of servers without an answer (never on the happy path). */
const RETRY_ROUND_MS = 100;

/** The errors that settle a request; anything else (ErrWrongLeader, no reply) means try elsewhere. */
const GET_ANSWERS: readonly Err[] = [OK, ErrNoKey];
const PUT_ANSWERS: readonly Err[] = [OK, ErrNoKey, ErrVersion];

export class KVClerk implements Clerk {
  /** Index of the server that last answered as leader. */
  private leaderIndex = 0;

  constructor(
    private readonly clnt: Clnt,
    private readonly servers: string[],
  ) {}

  leader(): number {
    return this.leaderIndex;
  }

  async get(key: string): Promise<GetResult> {
    const args: GetArgs = { key };
    const { reply } = await this.callLeader<GetReply>("KVServer.get", args, GET_ANSWERS);
    if (reply.err === ErrNoKey) return { value: "", version: 0, err: ErrNoKey };
    return { value: reply.value, version: reply.version, err: OK };
  }

  async put(key: string, value: string, version: Tversion): Promise<Err> {
    const args: PutArgs = { key, value, version };
    const { reply, resent } = await this.callLeader<PutReply>("KVServer.put", args, PUT_ANSWERS);
    return reply.err === ErrVersion && resent ? ErrMaybe : reply.err;
  }

  /**
   * Sends until a server gives one of `answers`, starting with the last leader. `resent` says
   * whether copies were sent before the one that got the answer.
   */
  private async callLeader<R extends { err: Err }>(
    method: string,
    args: unknown,
    answers: readonly Err[],
  ): Promise<{ reply: R; resent: boolean }> {
    let server = this.leaderIndex;
    for (let sent = 0; ; sent++) {
      if (sent > 0 && sent % this.servers.length === 0) await sleep(RETRY_ROUND_MS);
      const reply = await this.clnt.call<R>(this.servers[server], method, args);
      if (reply && answers.includes(reply.err)) {
        this.leaderIndex = server;
        return { reply, resent: sent > 0 };
      }
      server = (server + 1) % this.servers.length;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
