/**
 * Faults triggered by protocol events, for the parts beyond the lab. The lab's faults land at
 * random moments, so the narrow windows some classic bugs need almost never open; a nemesis
 * watches what the servers answer on the network (never their private state: an outside author's
 * Raft has no fields we know) and strikes at the moment the protocol makes dangerous. Every strike
 * is in the trace, so a failing seed replays it exactly.
 */
import { decode } from "../sim/codec";
import type { ArrivingRpc, HandledRpc } from "../sim/network";
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
  const fields = fieldsOf(rpc.reply);
  const granted = fields.find(([k, v]) => /grant/i.test(k) && typeof v === "boolean")?.[1] as boolean | undefined;
  return { granted, term: termOf(fields) };
}

/** What an AppendEntries call and its reply say, read by shape: entries carried (an array field named like "entries"), success, the reply's term. */
export interface AppendAnswer {
  entries: number;
  success: boolean | undefined;
  term: number | undefined;
}

/** The shape of an append call (a method named like "append"), or undefined for any other RPC. */
export function appendAnswer(rpc: HandledRpc): AppendAnswer | undefined {
  if (!/append/i.test(rpc.method)) return undefined;
  const args = fieldsOf(rpc.args);
  const reply = fieldsOf(rpc.reply);
  const entries = args.find(([k, v]) => /entr/i.test(k) && Array.isArray(v))?.[1] as unknown[] | undefined;
  const success = reply.find(([k, v]) => /success|ok/i.test(k) && typeof v === "boolean")?.[1] as boolean | undefined;
  return { entries: entries?.length ?? 0, success, term: termOf(reply) };
}

/** The snapshot point an InstallSnapshot call names, read by shape: the first integer field of its arguments named like "index". */
export function snapshotIndexOf(rpc: ArrivingRpc): number | undefined {
  if (!/snapshot/i.test(rpc.method)) return undefined;
  return fieldsOf(rpc.args).find(([k, v]) => /index/i.test(k) && Number.isInteger(v))?.[1] as number | undefined;
}

/** The first integer field named like "term". */
function termOf(fields: [string, unknown][]): number | undefined {
  return fields.find(([k, v]) => /term/i.test(k) && Number.isInteger(v))?.[1] as number | undefined;
}

function fieldsOf(bytes: Uint8Array): [string, unknown][] {
  try {
    const value = decode(bytes);
    return typeof value === "object" && value !== null ? Object.entries(value) : [];
  } catch {
    return [];
  }
}

/** A strike, in the trace (so a replay shows it) and as a line of the run page's log, marked on its timeline. */
function announce(ts: RaftTester, what: string, key = 0): void {
  ts.world.trace.record(ts.world.now(), "nemesis", "tester", what, key);
  recording()?.print(`nemesis: ${what}\n`, undefined);
}

/**
 * Crashes a server and restarts it from its persister right after it gives an answer of a kind
 * (`match` says what the answer was, or undefined to let it pass), while armed for that server.
 */
class RestartsOnAnswer {
  private armedFor: number | undefined;
  /** How many times it struck: a scenario that never struck did not test anything. */
  strikes = 0;

  constructor(
    private readonly ts: RaftTester,
    private readonly hazard: string,
    private readonly match: (rpc: HandledRpc) => string | undefined,
  ) {
    ts.net.onHandled = (rpc) => this.seen(rpc);
    ts.world.aimAt(hazard);
  }

  /** Strike after every such answer of server i, until disarmed. */
  arm(i: number): void {
    this.armedFor = i;
  }

  disarm(): void {
    this.armedFor = undefined;
  }

  private seen(rpc: HandledRpc): void {
    const i = this.armedFor;
    if (i === undefined || rpc.server !== this.ts.group.serverName(i)) return;
    const said = this.match(rpc);
    if (said === undefined) return;
    this.strikes++;
    const world = this.ts.world;
    announce(this.ts, `server ${i} answered ${rpc.method} from ${rpc.from ?? "?"} (${said}): crash and restart it`, i);
    // The reply is already on its way; the crash comes right behind it, at the same instant.
    world.after(0, () => {
      if (this.armedFor !== i || !this.ts.group.isRunning(i)) return;
      this.ts.crash(i);
      this.ts.restart(i);
      world.reached(this.hazard);
    });
  }
}

/**
 * Crashes a voter and restarts it right after it grants a vote (or answers a vote request at all,
 * when the reply has no field that says whether it granted). A Raft that does not persist
 * votedFor before answering then votes again in the same term.
 */
export class VoterRestarts extends RestartsOnAnswer {
  static readonly HAZARD = "a voter restarted right after granting its vote, its election still open";
  constructor(ts: RaftTester) {
    super(ts, VoterRestarts.HAZARD, (rpc) => {
      const vote = voteAnswer(rpc);
      if (!vote || vote.granted === false) return undefined;
      return `granted: ${vote.granted ?? "?"}, term ${vote.term ?? "?"}`;
    });
  }
}

/**
 * Crashes a follower and restarts it right after it acknowledges new entries. A Raft that answers
 * before its log is on the persister (persisting later, or in batches) then loses entries its
 * leader has counted toward a commit.
 */
export class AckRestarts extends RestartsOnAnswer {
  static readonly HAZARD = "a follower restarted right after acknowledging new entries";
  constructor(ts: RaftTester) {
    super(ts, AckRestarts.HAZARD, (rpc) => {
      const append = appendAnswer(rpc);
      if (!append || append.entries === 0 || append.success !== true) return undefined;
      return `success, ${append.entries} entr${append.entries === 1 ? "y" : "ies"}`;
    });
  }
}

/** A reply held by a nemesis: to whom, what it said (its term, when read), and how to let it go. */
interface HeldReply {
  caller: number;
  term: number | undefined;
  what: string;
  deliver: () => void;
}

/**
 * Holds, while armed for a server, the replies to its calls that `match` picks (returning what
 * the reply said and its term), until the test releases them.
 */
class RepliesHeld {
  private heldFor: number | undefined;
  private readonly held: HeldReply[] = [];
  /** How many replies it held: a scenario that held none did not test anything. */
  strikes = 0;

  constructor(
    protected readonly ts: RaftTester,
    private readonly match: (rpc: HandledRpc) => { said: string; term: number | undefined } | undefined,
  ) {
    ts.net.onHandled = (rpc) => this.seen(rpc);
  }

  /** Hold the matching replies to server i's calls from now until disarmed. */
  arm(i: number): void {
    this.heldFor = i;
  }

  disarm(): void {
    this.heldFor = undefined;
  }

  /** How many held replies wait for release(). */
  get waiting(): number {
    return this.held.length;
  }

  /** Delivers every held reply now, in the order they were held. */
  release(): void {
    for (const reply of this.held.splice(0)) {
      const now = this.ts.group.isRunning(reply.caller) ? this.ts.getState(reply.caller).term : undefined;
      announce(
        this.ts,
        `delivering the held reply ${reply.what}; server ${reply.caller} is now in term ${now ?? "? (down)"}`,
      );
      this.delivering(reply, now);
      reply.deliver();
    }
  }

  /** A held reply is about to be delivered to its caller, now in term `now` (undefined: down). */
  protected delivering(_reply: HeldReply, _now: number | undefined): void {}

  private seen(rpc: HandledRpc): Promise<void> | void {
    const i = this.heldFor;
    if (i === undefined || rpc.from !== this.ts.group.serverName(i)) return;
    const picked = this.match(rpc);
    if (!picked) return;
    this.strikes++;
    const what = `#${rpc.id} ${rpc.method} from ${rpc.server} to server ${i} (${picked.said})`;
    announce(this.ts, `holding the reply ${what}`);
    return new Promise<void>((deliver) => this.held.push({ caller: i, term: picked.term, what, deliver }));
  }
}

/**
 * Holds the votes granted to one candidate and delivers them later, when the test says so
 * (typically once the candidate's term has moved on). A Raft that counts a reply without checking
 * that it answers the election it is running then wins a later term with an earlier term's votes,
 * without any voter having compared its log in that term.
 */
export class VoteGrantsHeld extends RepliesHeld {
  static readonly HAZARD = "a vote granted in one term delivered after its candidate's term moved on";

  constructor(ts: RaftTester) {
    super(ts, (rpc) => {
      const vote = voteAnswer(rpc);
      if (!vote || vote.granted !== true) return undefined;
      return { said: `granted, term ${vote.term ?? "?"}`, term: vote.term };
    });
    ts.world.aimAt(VoteGrantsHeld.HAZARD);
  }

  protected override delivering(reply: HeldReply, now: number | undefined): void {
    if (now !== undefined && reply.term !== undefined && now > reply.term) this.ts.world.reached(VoteGrantsHeld.HAZARD);
  }
}

/**
 * Holds the answers to a leader's AppendEntries, so that a leader cut off and back never learns
 * that a newer term exists, and goes on sending heartbeats of its old term to everyone.
 */
export class AppendRepliesHeld extends RepliesHeld {
  constructor(ts: RaftTester) {
    super(ts, (rpc) => {
      const append = appendAnswer(rpc);
      if (!append) return undefined;
      return { said: `success: ${append.success ?? "?"}, term ${append.term ?? "?"}`, term: append.term };
    });
  }
}

/**
 * Holds the acknowledgements of a leader's AppendEntries that carried entries (success, entries > 0)
 * until the test releases them, typically once that leader has lost its term and leads again in a
 * newer one. A leader that takes such a reply without checking that it answers a request of its
 * current term counts the follower for entries the follower no longer holds, and commits without
 * a majority.
 */
export class AppendAcksHeld extends RepliesHeld {
  static readonly HAZARD =
    "an AppendEntries acknowledgement of an old term delivered to its sender, leader of a newer term";

  constructor(ts: RaftTester) {
    super(ts, (rpc) => {
      const append = appendAnswer(rpc);
      if (!append || append.entries === 0 || append.success !== true) return undefined;
      return {
        said: `success, ${append.entries} entr${append.entries === 1 ? "y" : "ies"}, term ${append.term ?? "?"}`,
        term: append.term,
      };
    });
    ts.world.aimAt(AppendAcksHeld.HAZARD);
  }

  protected override delivering(reply: HeldReply, now: number | undefined): void {
    if (now === undefined || reply.term === undefined || now <= reply.term) return;
    if (this.ts.getState(reply.caller).isLeader) this.ts.world.reached(AppendAcksHeld.HAZARD);
  }
}

/**
 * Holds the first InstallSnapshot request (a method named like "snapshot") that reaches the armed
 * server, and lets the later ones through, until the test releases it: a snapshot that arrives
 * after its server has moved past it, brought up to date by a resent snapshot and the entries that
 * followed. A Raft that installs a snapshot without checking that it is newer than what it has
 * committed goes back to that point, and drops committed entries.
 */
export class FirstSnapshotHeld {
  static readonly HAZARD = "an InstallSnapshot delivered after its server had applied past the snapshot's point";
  private armedFor: number | undefined;
  private held: { server: number; index: number | undefined; what: string; deliver: () => void } | undefined;

  constructor(private readonly ts: RaftTester) {
    ts.net.onRequest = (rpc) => this.seen(rpc);
    ts.world.aimAt(FirstSnapshotHeld.HAZARD);
  }

  /** Hold the next InstallSnapshot that reaches server i (one only). */
  arm(i: number): void {
    this.armedFor = i;
  }

  disarm(): void {
    this.armedFor = undefined;
  }

  /** How many held requests wait for release() (0 or 1). */
  get waiting(): number {
    return this.held ? 1 : 0;
  }

  /** Delivers the held request now. */
  release(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    const applied = this.ts.group.isRunning(held.server) ? this.ts.appliedIndex(held.server) : undefined;
    announce(
      this.ts,
      `delivering the held request ${held.what}; server ${held.server} has applied through index ${applied ?? "? (down)"}`,
    );
    if (applied !== undefined && held.index !== undefined && applied > held.index)
      this.ts.world.reached(FirstSnapshotHeld.HAZARD);
    held.deliver();
  }

  private seen(rpc: ArrivingRpc): Promise<void> | void {
    const i = this.armedFor;
    if (i === undefined || this.held || rpc.server !== this.ts.group.serverName(i) || !/snapshot/i.test(rpc.method))
      return;
    this.armedFor = undefined; // the first one only
    const index = snapshotIndexOf(rpc);
    const what = `#${rpc.id} ${rpc.method} from ${rpc.from ?? "?"} to server ${i} (snapshot through index ${index ?? "?"})`;
    announce(this.ts, `holding the request ${what}`);
    return new Promise<void>((deliver) => (this.held = { server: i, index, what, deliver }));
  }
}
