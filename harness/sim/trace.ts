/**
 * The trace of a simulated run: every event (timer firing, RPC sent / delivered / dropped, tester
 * action) is folded into a 64-bit hash as it happens, and the last events are kept in a ring so a
 * failure can show what led to it. Two runs with the same seed and the same code must end with the
 * same hash; a mismatch means the code drew on something outside the simulation.
 */

export interface TraceEvent {
  /** Virtual time in ms since the run started. */
  t: number;
  /** Short kind, e.g. "timer", "rpc.send", "rpc.reply", "crash". */
  kind: string;
  /** Who: a node name such as "server-0-1#2" (generation 2), or "tester" / "net". */
  who: string;
  /** Free text shown in failure reports, e.g. "Raft.appendEntries 3->1 (212 bytes)". */
  what: string;
  /** The trace hash after this event; kept only when every event is kept, to find where two runs part. */
  hash?: string;
}

/** FNV-1a over a string, 32 bits; used to fold names into the hash. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** FNV-1a over bytes, 32 bits; used to fold RPC payloads into the hash. */
export function hashBytes(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

export class Trace {
  private lo = 0x9e3779b9;
  private hi = 0x7f4a7c15;
  private readonly ring: (TraceEvent | undefined)[];
  private next = 0;
  /** Number of events recorded. */
  count = 0;
  /** When set (replay, HTML reports), every event is kept, not only the last ones. */
  readonly all: TraceEvent[] | undefined;

  constructor(ringSize = 200, keepAll = false) {
    this.ring = new Array(ringSize);
    this.all = keepAll ? [] : undefined;
  }

  /**
   * Records one event. `key` is the part that identifies the event for determinism (kind, who, and
   * numbers such as sizes and payload hashes); `what` is only for people, and may be a function
   * that makes the text when it is read (most events of a run are never read).
   */
  record(t: number, kind: string, who: string, what: string | (() => string), key = 0): void {
    this.mix(t);
    this.mix(hashString(kind));
    this.mix(hashString(who));
    this.mix(key);
    const event: TraceEvent = typeof what === "string" ? { t, kind, who, what } : lazyEvent(t, kind, who, what);
    this.ring[this.next] = event;
    this.next = (this.next + 1) % this.ring.length;
    this.count++;
    if (this.all) {
      event.hash = this.hash();
      this.all.push(event);
    }
  }

  /** Folds a number into the hash (time stamps, counters, payload hashes). */
  mix(x: number): void {
    const low = x >>> 0;
    const high = Math.floor(x / 4294967296) >>> 0;
    this.lo = Math.imul(this.lo ^ low, 0x5bd1e995);
    this.lo ^= this.lo >>> 15;
    this.hi = Math.imul(this.hi ^ high ^ this.lo, 0x27d4eb2f);
    this.hi ^= this.hi >>> 13;
  }

  /** The hash so far, as 16 hex digits. */
  hash(): string {
    return (this.hi >>> 0).toString(16).padStart(8, "0") + (this.lo >>> 0).toString(16).padStart(8, "0");
  }

  /** The last events, oldest first. */
  recent(limit = this.ring.length): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const e = this.ring[(this.next + i) % this.ring.length];
      if (e) out.push(e);
    }
    return out.slice(-limit);
  }
}

/** An event whose text is made only when someone reads it (an RPC's summary decodes its bytes). */
function lazyEvent(t: number, kind: string, who: string, describe: () => string): TraceEvent {
  let text: string | undefined;
  return {
    t,
    kind,
    who,
    get what() {
      return (text ??= describe());
    },
  };
}

/** Formats events one per line, with virtual time in seconds, for failure messages and replays. */
export function formatEvents(events: TraceEvent[]): string {
  return events
    .map((e) => `${(e.t / 1000).toFixed(3).padStart(9)}s  ${e.kind.padEnd(11)} ${e.who.padEnd(18)} ${e.what}`)
    .join("\n");
}

/** The first position at which two full traces differ, or -1 if they are the same. */
export function firstDifference(a: TraceEvent[], b: TraceEvent[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i].hash !== b[i].hash) return i;
  return a.length === b.length ? -1 : n;
}
