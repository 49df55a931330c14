/**
 * Which trace events `replay` prints: those of some servers, of some kinds, in a window of
 * virtual time. Timer firings (most of a long trace) are left out unless asked for.
 */
import type { TraceEvent } from "./trace";
import { UsageError } from "../run/errors";

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

export interface TraceFilterOptions {
  server?: string;
  kind?: string;
  method?: string;
  /** Seconds of virtual time. */
  from?: string;
  to?: string;
  timers?: boolean;
}

export function parseTraceFilter(options: TraceFilterOptions): TraceFilter {
  const list = (s: string | undefined) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  const seconds = (flag: string, s: string | undefined, fallback: number) => {
    if (s === undefined) return fallback;
    const v = Number(s);
    if (s.trim() === "" || !Number.isFinite(v) || v < 0)
      throw new UsageError(`${flag} needs a time in seconds of virtual time (e.g. 1.5), got "${s}"`);
    return v * 1000;
  };
  const filter: TraceFilter = {
    servers: list(options.server),
    kinds: list(options.kind),
    methods: list(options.method),
    fromMs: seconds("--trace-from", options.from, 0),
    toMs: seconds("--trace-to", options.to, Infinity),
    timers: options.timers ?? false,
  };
  if (filter.fromMs > filter.toMs) throw new UsageError("--trace-from is after --trace-to");
  return filter;
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
