/**
 * Which trace events `replay` prints: those of some servers, of some kinds or RPC methods, in a
 * window of virtual time. Timer firings (most of a long trace) are left out unless asked for.
 */
import type { TraceEvent } from "./trace";

export interface TraceFilter {
  /** Node names (server-0-1) or prefixes of them: events by such a node, or RPCs sent to one. */
  servers: string[];
  /** Kinds or their prefixes: "rpc" matches rpc.send, rpc.reply, rpc.drop and rpc.fail. */
  kinds: string[];
  /** RPC methods (Raft.requestVote) or parts of them (requestVote): only RPC events of those. */
  methods: string[];
  fromMs: number;
  toMs: number;
  timers: boolean;
}

export function filterEvents(events: TraceEvent[], f: TraceFilter): TraceEvent[] {
  return events.filter(
    (e) =>
      e.t >= f.fromMs &&
      e.t <= f.toMs &&
      (f.timers || e.kind !== "timer" || f.kinds.includes("timer")) &&
      (f.kinds.length === 0 || f.kinds.some((k) => e.kind === k || e.kind.startsWith(`${k}.`))) &&
      (f.servers.length === 0 || f.servers.some((s) => involves(e, s))) &&
      (f.methods.length === 0 || (e.kind.startsWith("rpc.") && f.methods.some((m) => methodOf(e)?.includes(m)))),
  );
}

/** The event is by that node (any generation), or is an RPC sent to it or its reply. */
function involves(e: TraceEvent, server: string): boolean {
  if (e.who === server || e.who.startsWith(`${server}#`)) return true;
  if (e.kind === "rpc.send") return e.what.includes(`-> ${server} `);
  return e.kind === "rpc.reply" && e.what.includes(` from ${server} `);
}

/** The method an RPC event is about: its text starts "#<id> <Service.method> ...". */
function methodOf(e: TraceEvent): string | undefined {
  return /^#\d+ ([^\s:]+)/.exec(e.what)?.[1];
}
