/**
 * The recorder: structured events of one run, for the HTML report of a failing run. It is on only
 * in `raftgrade replay --html`, which re-runs the failed run (the simulation is deterministic) with
 * recording on; graded runs never record. Hooks in the network, the server group and the testers
 * call `recording()?.…`: when recording is off that is one null check, and when it is on the hooks
 * only write down what happened, so the run itself (and its trace hash) is the same either way.
 *
 * What is kept: servers up and down, which servers reach each other, every RPC with its fate, each
 * server's term and leadership as the invariant checks read them, each server's last applied index,
 * the clients' operations and the lines the run printed. `finish()` turns it into compact columns
 * (times as deltas or offsets), trimmed to budgets so that a long run still makes a usable page.
 */
import { summarizeBytes } from "./rpc-summary";
import { clip } from "./text";
import { activeWorld } from "./world";

/** What became of an RPC; the numbers are what the run data stores. */
const RPC_FATES = [
  "pending",
  "delivered",
  "request dropped",
  "reply dropped",
  "peer unreachable",
  "no reply",
  "late",
  "caller crashed",
] as const;
export const FATE = {
  pending: 0,
  delivered: 1,
  requestDropped: 2,
  replyDropped: 3,
  unreachable: 4,
  serverDied: 5,
  late: 6,
  callerCrashed: 7,
} as const;

/** Budgets: beyond them the oldest entries are dropped (the end of a run is where it failed), with a note. */
export const BUDGET = {
  rpcs: 40_000,
  logLines: 20_000,
  ops: 20_000,
  commits: 20_000,
  lineLength: 400,
  opLength: 96,
} as const;

/** Characters of each RPC's argument and reply summary on the run page. */
const SUMMARY_CHARS = 90;

/** The recorded run, as stored in run.json: columns of numbers, names by index into `nodes`. */
export interface RecordedRun {
  /** Node names ("server-0-1", "clerk-3", "tester"); other fields refer to them by index. */
  nodes: string[];
  /** The server lanes, in the order the servers first started. */
  servers: number[];
  /** Virtual ms at which the run ended. */
  endMs: number;
  /** Servers started (up 1) and shut down (up 0). */
  life: { t: number[]; node: number[]; up: number[] };
  /** Which servers each server reaches both ways: a bit per position in `servers` (its own included). */
  reach: { t: number[]; node: number[]; mask: number[] };
  /** Term and leadership (1 = claims to lead) as getState() reported them, on each change; null if never read. */
  raft: { t: number[]; node: number[]; term: number[]; leader: number[] } | null;
  /** Highest index each server has applied (0 again after a restart). */
  commit: { t: number[]; node: number[]; index: number[]; total: number };
  /** RPCs in send order: `send` as deltas from the previous send, the other times as offsets from the send (-1: never). */
  rpcs: {
    total: number;
    /** RPC_FATES: the name of each fate code. */
    fates: string[];
    methods: string[];
    id: number[];
    from: number[];
    to: number[];
    method: number[];
    bytes: number[];
    replyBytes: number[];
    /** One-line summaries of the arguments and of the reply ("" when there was none). */
    args: string[];
    reply: string[];
    send: number[];
    arrive: number[];
    done: number[];
    end: number[];
    fate: number[];
  };
  /** Clients' operations (the histories the linearizability check gets). */
  ops: { total: number; client: number[]; call: number[]; ret: number[]; text: string[] };
  /** Lines the run printed, with the node that printed them. */
  log: { total: number; t: number[]; node: number[]; text: string[] };
  /** The checker's picture of a history that is not linearizable, if the run had one. */
  linearizabilityHtml: string | null;
  /** What was left out, and why (trimming, data not available). */
  notes: string[];
}

interface Rpc {
  id: number;
  from: number;
  to: number;
  method: number;
  bytes: number;
  replyBytes: number;
  /** The encoded arguments and reply, summarised only for the RPCs the page keeps. */
  argData: Uint8Array | undefined;
  replyData: Uint8Array | undefined;
  send: number;
  arrive: number;
  done: number;
  end: number;
  fate: number;
}

let active: Recorder | undefined;

/** The recorder of the run in progress, or undefined when recording is off (always, outside replay --html). */
export function recording(): Recorder | undefined {
  return active;
}

/** Turns recording on for the next run in this process. */
export function startRecording(): Recorder {
  active = new Recorder();
  return active;
}

export function stopRecording(): void {
  active = undefined;
}

export class Recorder {
  private readonly nodes: string[] = [];
  private readonly nodeIndex = new Map<string, number>();
  private readonly servers: number[] = [];
  private readonly life = { t: [] as number[], node: [] as number[], up: [] as number[] };
  private readonly reach = { t: [] as number[], node: [] as number[], mask: [] as number[] };
  private readonly raft = { t: [] as number[], node: [] as number[], term: [] as number[], leader: [] as number[] };
  private readonly commit = { t: [] as number[], node: [] as number[], index: [] as number[] };
  /** The last RPCs (at most twice the budget while recording); handles count from the first RPC. */
  private readonly rpcs: Rpc[] = [];
  private rpcsDropped = 0;
  private readonly methods: string[] = [];
  private readonly methodIndex = new Map<string, number>();
  private readonly ops = { client: [] as number[], call: [] as number[], ret: [] as number[], text: [] as string[] };
  private opsDropped = 0;
  private readonly log = { t: [] as number[], node: [] as number[], text: [] as string[] };
  private logDropped = 0;
  private linearizabilityHtml: string | null = null;
  private sawRaftState = false;
  /** Last values per node, so only changes are stored. */
  private readonly lastUp = new Map<number, number>();
  private readonly lastReach = new Map<number, number>();
  private readonly lastRaft = new Map<number, string>();
  private readonly lastCommit = new Map<number, number>();
  /** Enabled links between servers, "from>to". */
  private readonly links = new Set<string>();
  /** A printed line not finished yet (no newline), per node. */
  private readonly partialLine = new Map<number, string>();

  private now(): number {
    return activeWorld()?.now() ?? 0;
  }

  private node(name: string): number {
    let k = this.nodeIndex.get(name);
    if (k === undefined) {
      k = this.nodes.push(name) - 1;
      this.nodeIndex.set(name, k);
    }
    return k;
  }

  // --- servers and the network's topology ---------------------------------------------------------

  serverUp(name: string): void {
    const k = this.node(name);
    if (!this.servers.includes(k)) this.servers.push(k);
    this.setLife(k, 1);
    if ((this.lastCommit.get(k) ?? 0) !== 0) this.applied(name, 0); // a new instance applies from the start again
  }

  serverDown(name: string): void {
    this.setLife(this.node(name), 0);
  }

  private setLife(k: number, up: number): void {
    if (this.lastUp.get(k) === up) return;
    this.lastUp.set(k, up);
    pushRow(this.life, { t: this.now(), node: k, up });
  }

  /** An end from `from` to `to` was enabled or disabled (only ends between servers count). */
  link(from: string | undefined, to: string | undefined, enabled: boolean): void {
    if (from === undefined || to === undefined) return;
    const [a, b] = [this.nodeIndex.get(from), this.nodeIndex.get(to)];
    if (a === undefined || b === undefined || !this.servers.includes(a) || !this.servers.includes(b)) return;
    const key = `${a}>${b}`;
    if (enabled) this.links.add(key);
    else this.links.delete(key);
    this.updateReach(a);
    this.updateReach(b);
  }

  private updateReach(k: number): void {
    let mask = 0;
    this.servers.forEach((j, bit) => {
      if (j === k || (this.links.has(`${k}>${j}`) && this.links.has(`${j}>${k}`))) mask |= 1 << bit;
    });
    if (this.lastReach.get(k) === mask) return;
    this.lastReach.set(k, mask);
    // The tester flips many ends at one instant: keep only the last state of each server per instant.
    const t = this.now();
    const n = this.reach.t.length;
    for (let r = n - 1; r >= 0 && this.reach.t[r] === t; r--) {
      if (this.reach.node[r] === k) {
        this.reach.mask[r] = mask;
        return;
      }
    }
    pushRow(this.reach, { t, node: k, mask });
  }

  // --- RPCs --------------------------------------------------------------------------------------

  /** A request entered the network; returns the handle the later steps of the call pass back. */
  rpcSend(id: number, from: string, to: string | undefined, method: string, bytes: number, data?: Uint8Array): number {
    let m = this.methodIndex.get(method);
    if (m === undefined) {
      m = this.methods.push(method) - 1;
      this.methodIndex.set(method, m);
    }
    const rpc: Rpc = {
      id,
      from: this.node(from),
      to: this.node(to ?? "?"),
      method: m,
      bytes,
      replyBytes: 0,
      argData: data,
      replyData: undefined,
      send: this.now(),
      arrive: -1,
      done: -1,
      end: -1,
      fate: FATE.pending,
    };
    // Memory stays bounded however many RPCs a run makes: only the last ones can be kept anyway.
    if (this.rpcs.length >= 2 * BUDGET.rpcs) {
      const drop = this.rpcs.length - BUDGET.rpcs;
      this.rpcs.splice(0, drop);
      this.rpcsDropped += drop;
    }
    return this.rpcsDropped + this.rpcs.push(rpc) - 1;
  }

  /** The request reached the server's handler. */
  rpcArrive(handle: number): void {
    const rpc = this.rpcs[handle - this.rpcsDropped];
    if (rpc) rpc.arrive = this.now();
  }

  /** The handler returned its reply, which now travels back. */
  rpcHandled(handle: number, reply?: Uint8Array): void {
    const rpc = this.rpcs[handle - this.rpcsDropped];
    if (!rpc) return;
    rpc.done = this.now();
    rpc.replyData = reply;
  }

  /** The call ended: its reply reached the caller, or it failed as `fate` says. */
  rpcEnd(handle: number, fate: number, replyBytes = 0): void {
    const rpc = this.rpcs[handle - this.rpcsDropped];
    if (!rpc) return;
    rpc.end = this.now();
    rpc.fate = fate;
    rpc.replyBytes = replyBytes;
  }

  // --- what the testers observe --------------------------------------------------------------------

  /** The servers' getState() (undefined: not running), as the invariant checks read them after every event. */
  raftStates(states: ({ term: number; isLeader: boolean } | undefined)[], nameOf: (i: number) => string): void {
    states.forEach((state, i) => this.raftState(nameOf(i), state));
  }

  private raftState(server: string, state: { term: number; isLeader: boolean } | undefined): void {
    if (!state) return;
    this.sawRaftState = true;
    const k = this.node(server);
    const key = `${state.term}/${state.isLeader ? 1 : 0}`;
    if (this.lastRaft.get(k) === key) return;
    this.lastRaft.set(k, key);
    pushRow(this.raft, { t: this.now(), node: k, term: state.term, leader: state.isLeader ? 1 : 0 });
  }

  /** A server applied (or installed a snapshot up to) `index`. */
  applied(server: string, index: number): void {
    const k = this.node(server);
    if (this.lastCommit.get(k) === index) return;
    this.lastCommit.set(k, index);
    pushRow(this.commit, { t: this.now(), node: k, index });
  }

  /** A client's operation, as the KV testers record it for the linearizability check. */
  clientOp(client: number, call: number, ret: number, text: string): void {
    pushRow(this.ops, { client, call, ret, text: clipMiddle(text, BUDGET.opLength) });
    this.opsDropped += bound(this.ops, BUDGET.ops);
  }

  linearizabilityPicture(html: string): void {
    this.linearizabilityHtml ??= html;
  }

  /** Text the run printed, from `node` (undefined: the tester), at the current virtual time. */
  print(text: string, node: string | undefined): void {
    const k = this.node(node ?? "tester");
    const lines = ((this.partialLine.get(k) ?? "") + text).split("\n");
    const rest = lines.pop()!.slice(0, BUDGET.lineLength + 1); // a line that never ends is clipped anyway
    if (rest) this.partialLine.set(k, rest);
    else this.partialLine.delete(k);
    const t = this.now();
    for (const line of lines) pushRow(this.log, { t, node: k, text: clip(line, BUDGET.lineLength) });
    this.logDropped += bound(this.log, BUDGET.logLines);
  }

  // --- the result ----------------------------------------------------------------------------------

  /** The recorded run, trimmed to the budgets. */
  finish(endMs: number): RecordedRun {
    const notes: string[] = [];
    for (const [k, rest] of this.partialLine)
      pushRow(this.log, { t: endMs, node: k, text: clip(rest, BUDGET.lineLength) });
    this.partialLine.clear();

    const rpcTotal = this.rpcsDropped + this.rpcs.length;
    const rpcs = this.rpcs.slice(-BUDGET.rpcs);
    if (rpcs.length < rpcTotal)
      notes.push(
        `RPCs: the first ${rpcTotal - rpcs.length} of ${rpcTotal} are not kept (budget ${BUDGET.rpcs}); the message diagram covers from ${secs(rpcs[0].send)} on`,
      );
    let last = 0;
    const rpcColumns = {
      id: [] as number[],
      from: [] as number[],
      to: [] as number[],
      method: [] as number[],
      bytes: [] as number[],
      replyBytes: [] as number[],
      args: [] as string[],
      reply: [] as string[],
      send: [] as number[],
      arrive: [] as number[],
      done: [] as number[],
      end: [] as number[],
      fate: [] as number[],
    };
    for (const r of rpcs) {
      const offset = (t: number) => (t < 0 ? -1 : t - r.send);
      pushRow(rpcColumns, {
        id: r.id,
        from: r.from,
        to: r.to,
        method: r.method,
        bytes: r.bytes,
        replyBytes: r.replyBytes,
        args: r.argData ? summarizeBytes(r.argData, SUMMARY_CHARS) : "",
        reply: r.replyData ? summarizeBytes(r.replyData, SUMMARY_CHARS) : "",
        send: r.send - last,
        arrive: offset(r.arrive),
        done: offset(r.done),
        end: offset(r.end),
        fate: r.fate,
      });
      last = r.send;
    }

    this.logDropped += trim(this.log, BUDGET.logLines);
    this.opsDropped += trim(this.ops, BUDGET.ops);
    const logTotal = this.logDropped + this.log.t.length;
    const opsTotal = this.opsDropped + this.ops.call.length;
    if (this.logDropped)
      notes.push(`log: the first ${this.logDropped} of ${logTotal} lines are not kept (budget ${BUDGET.logLines})`);
    if (this.opsDropped)
      notes.push(`client operations: the first ${this.opsDropped} of ${opsTotal} are not kept (budget ${BUDGET.ops})`);
    const commitTotal = this.commit.t.length;
    const commit = thinCommits(this.commit, BUDGET.commits, endMs);
    if (commit.t.length < commitTotal)
      notes.push(
        `applied indices: ${commitTotal} changes thinned to ${commit.t.length} (the last value per server in each time slot)`,
      );
    if (!this.sawRaftState)
      notes.push(
        "terms and leaders: not recorded (they are read by the invariant checks, which this run did not make: --no-invariants, or a tester without them)",
      );

    return {
      nodes: this.nodes,
      servers: this.servers,
      endMs,
      life: this.life,
      reach: this.reach,
      raft: this.sawRaftState ? this.raft : null,
      commit: { ...commit, total: commitTotal },
      rpcs: { total: rpcTotal, fates: [...RPC_FATES], methods: this.methods, ...rpcColumns },
      ops: { ...this.ops, total: opsTotal },
      log: { ...this.log, total: logTotal },
      linearizabilityHtml: this.linearizabilityHtml,
      notes,
    };
  }
}

/** Appends one row to a set of columns. */
function pushRow<T extends Record<string, unknown[]>>(columns: T, row: { [K in keyof T]?: T[K][number] }): void {
  for (const key of Object.keys(row) as (keyof T)[]) columns[key].push(row[key]);
}

/** Drops the first rows of equally long columns so that `budget` remain; returns how many went. */
function trim(columns: Record<string, unknown[]>, budget: number): number {
  const drop = Object.values(columns)[0].length - budget;
  if (drop <= 0) return 0;
  for (const column of Object.values(columns)) column.splice(0, drop);
  return drop;
}

/** While recording: trims to the budget once columns reach twice it (so each row is moved about once). */
function bound(columns: Record<string, unknown[]>, budget: number): number {
  return Object.values(columns)[0].length >= 2 * budget ? trim(columns, budget) : 0;
}

/**
 * At most about `budget` applied-index changes: the run is cut into time slots and each server
 * keeps its last value per slot (the step line on the timeline looks the same at page resolution).
 */
function thinCommits(
  c: { t: number[]; node: number[]; index: number[] },
  budget: number,
  endMs: number,
): { t: number[]; node: number[]; index: number[] } {
  if (c.t.length <= budget) return c;
  const servers = new Set(c.node).size;
  const slot = Math.max(1, Math.ceil((endMs + 1) / Math.max(1, Math.floor(budget / servers))));
  const out = { t: [] as number[], node: [] as number[], index: [] as number[] };
  const lastRowOf = new Map<number, number>(); // node -> row in `out` of its current slot
  for (let r = 0; r < c.t.length; r++) {
    const s = Math.floor(c.t[r] / slot);
    const row = lastRowOf.get(c.node[r]);
    if (row !== undefined && Math.floor(out.t[row] / slot) === s) {
      out.t[row] = c.t[r];
      out.index[row] = c.index[r];
      continue;
    }
    lastRowOf.set(c.node[r], out.t.length);
    pushRow(out, { t: c.t[r], node: c.node[r], index: c.index[r] });
  }
  return out;
}

/** Keeps both ends of a long text (a Get's long value: how it ends matters as much as how it starts). */
function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) * 0.6);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
