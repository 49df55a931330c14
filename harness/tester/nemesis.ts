/**
 * Faults triggered by protocol events, for the parts beyond the lab. The lab's faults land at
 * random moments, so the narrow windows some classic bugs need almost never open; a nemesis
 * watches what the servers answer on the network (never their private state: an outside author's
 * Raft has no fields we know) and strikes at the moment the protocol makes dangerous. Every strike
 * is in the trace, so a failing seed replays it exactly.
 */
import { decode } from "../sim/codec";
import type { HandledRpc } from "../sim/network";
import { recording } from "../sim/recorder";
import type { RaftTester } from "./raft-tester";

/** What a RequestVote reply says, read by shape: the first boolean field named like "granted", the first integer named like "term". */
export interface VoteAnswer {
  granted: boolean | undefined;
  term: number | undefined;
}

/** The answer of a vote request (a method named like "vote"), or undefined for any other RPC. */
export function voteAnswer(rpc: HandledRpc): VoteAnswer | undefined {
  if (!/vote/i.test(rpc.method)) return undefined;
  let reply: unknown;
  try {
    reply = decode(rpc.reply);
  } catch {
    return { granted: undefined, term: undefined };
  }
  const fields = typeof reply === "object" && reply !== null ? Object.entries(reply) : [];
  const granted = fields.find(([k, v]) => /grant/i.test(k) && typeof v === "boolean")?.[1] as boolean | undefined;
  const term = fields.find(([k, v]) => /term/i.test(k) && Number.isInteger(v))?.[1] as number | undefined;
  return { granted, term };
}

/**
 * Crashes a voter and restarts it from its persister right after it grants a vote (or answers a
 * vote request at all, when the reply has no field that says whether it granted). A Raft that
 * does not persist votedFor before answering then votes again in the same term.
 */
export class VoterRestarts {
  private armedFor: number | undefined;
  /** How many times it struck: a scenario that never struck did not test anything. */
  strikes = 0;

  constructor(private readonly ts: RaftTester) {
    ts.net.onHandled = (rpc) => this.seen(rpc);
  }

  /** Strike after every vote server i grants, until disarmed. */
  arm(i: number): void {
    this.armedFor = i;
  }

  disarm(): void {
    this.armedFor = undefined;
  }

  private seen(rpc: HandledRpc): void {
    const i = this.armedFor;
    if (i === undefined || rpc.server !== this.ts.group.serverName(i)) return;
    const vote = voteAnswer(rpc);
    if (!vote || vote.granted === false) return;
    this.strikes++;
    const world = this.ts.world;
    const what = `server ${i} answered ${rpc.method} from ${rpc.from ?? "?"} (granted: ${vote.granted ?? "?"}, term ${vote.term ?? "?"}): crash and restart it`;
    world.trace.record(world.now(), "nemesis", "tester", what, i);
    recording()?.print(`nemesis: ${what}`, undefined); // the run page's log; the timeline shows the crash and the restart
    // The reply is already on its way; the crash comes right behind it, at the same instant.
    world.after(0, () => {
      if (this.armedFor !== i || !this.ts.group.isRunning(i)) return;
      this.ts.crash(i);
      this.ts.restart(i);
    });
  }
}
