/**
 * The sealed-run protocol: how the judging side (the world, the network, the testers, the
 * invariants, the checker) drives the graded side (the submission's modules and a small runtime,
 * in a process of their own) step by step. docs/sealed-protocol.md explains it in prose; this file
 * is its exact shape. Only JSON crosses: values in the codec's encoding (base64), objects by number.
 *
 * Every exchange is started by the judging side and is synchronous: it writes one `Step` and reads
 * frames until `Done`. While the graded side works it may need a synchronous answer from a judging
 * object (a tester's state machine, a channel's trySend): it writes a `Callout`, the judging side
 * answers with an `Answer`, and the step goes on. One step carries everything the graded side must
 * do at one virtual instant (timers due, RPCs delivered, replies, the tester's calls), so a run
 * costs a crossing per instant that has graded work, not one per event.
 */
import { describeThrown } from "../sim/errors";

/** A value crossing from the graded side. */
export type Wire =
  | { v: string } // codec bytes, base64
  | { u: 1 } // undefined
  | { obj: number; methods: string[]; cls: string } // a graded object, kept on the graded side
  | { promise: 1 } // a thenable: its outcome follows as a `settled` effect
  | { bad: string }; // cannot cross (the codec refused it): why

/** An argument crossing from the judging side. */
export type Arg =
  | { v: string }
  | { u: 1 }
  | { obj: number } // a graded object handed back (e.g. a Raft the service made)
  | { list: Arg[] } // an array with references in it (the ends)
  | { host: number; kind: HostKind; methods?: string[] } // a judging-side object the graded code may call
  | { persister: number; state: string; snapshot: string } // a persister, with its contents
  | { factory: GradedLayerName; observe?: number }; // a graded factory; observe: report each Raft it makes

/** The judging-side objects graded code is handed. */
type HostKind = "end" | "clnt" | "chan" | "object";

export type GradedLayerName = "raft" | "rsm" | "kv" | "clerk" | "classicKv" | "classicClerk";

/** What the graded side does, in order. `node` is a node number declared by a `node` command. */
export type Command =
  | { c: "node"; node: number; label: string } // declare a node (a server generation, a clerk)
  | { c: "make"; id: number; node?: number; layer: GradedLayerName; args: Arg[] } // call a factory
  | { c: "call"; id: number; node?: number; obj: number; method: string; args: Arg[] } // call a method
  | { c: "fire"; timer: number } // a timer of the graded side is due
  | { c: "settle"; id: number; ok: boolean; r?: Wire; error?: string } // an async call to a judging object finished
  | { c: "crash"; node: number } // the node is dead: its timers are cancelled, its calls go nowhere
  | { c: "read"; id: number; persister: number }; // a persister's contents, answered by `ret` with { state, snapshot }

/** What the graded side did, in order. */
export type Effect =
  | { e: "ret"; id: number; r: Wire } // a load, make or call returned
  | { e: "threw"; id: number; error: Thrown }
  | { e: "settled"; id: number; ok: boolean; r?: Wire; error?: Thrown } // a promise a call returned settled
  | { e: "acall"; id: number; node?: number; host: number; method: string; args: Wire[] } // async call to a judging object
  | { e: "timer"; id: number; node?: number; kind: "timeout" | "interval" | "immediate"; ms: number }
  | { e: "clear"; id: number }
  | { e: "persist"; persister: number } // a save: the judging side reads the contents (`read`) when it needs them
  | { e: "made"; tag: number; r: Wire } // an observed Raft factory made a Raft (or returned r)
  | { e: "applied"; tag: number; msg: Wire } // that Raft sent msg on its applyCh and the send completed
  | { e: "wait"; id: number; node?: number; what: string } // a graded operation blocked (for deadlock reports)
  | { e: "unwait"; id: number }
  | { e: "out"; node?: number; text: string } // what graded code printed
  | { e: "fail"; kind: "implementation" | "livelock" | "integrity"; message: string; details?: string } // graded code broke a rule outside any call
  | { e: "warn"; message: string };

/** An error thrown by graded code, as its name, message and stack. */
export interface Thrown {
  name: string;
  message: string;
  stack?: string;
  /** True when the thrown value was not an Error. */
  nonError?: boolean;
}

/** judging → graded */
export type ToGraded =
  | {
      t: "init";
      layers: Partial<Record<GradedLayerName, string>>;
      livelockEvents: number;
      coverage?: { cwd: string; include: string[] };
    }
  | { t: "begin"; seed: number } // the run starts: seeds Math.random; steps follow
  | { t: "step"; now: number; cmds: Command[] }
  | { t: "answer"; r?: Wire; error?: Thrown }
  | { t: "stop" };

/** graded → judging */
export type FromGraded =
  | { t: "done"; fx: Effect[]; states: [number, { r: Wire } | { error: Thrown }][] } // states: getState() of each live Raft, after the step
  | { t: "ready"; loaded: Record<string, string | null> } // after init: each selected layer's load error, or null
  | { t: "callout"; node?: number; host: number; method: string; args: Wire[] }
  | { t: "bye"; coverage?: unknown };

/** An error of either side as it crosses: name, message, and (from graded code) its stack. */
export function thrownOf(e: unknown, withStack = true): Thrown {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: withStack ? e.stack : undefined };
  return { name: "Error", message: describeThrown(e), nonError: true };
}

/** The error back as an Error of this side, of the same standard class where it was one (messages depend on it). */
export function rebuild(t: Thrown): Error {
  const Standard =
    ({ TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError } as Record<string, ErrorConstructor>)[
      t.name
    ] ?? Error;
  const e = new Standard(t.message);
  e.name = t.name;
  e.stack = t.stack ?? `${t.name}: ${t.message}`;
  return e;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function fromBase64(text: string): Uint8Array {
  const b = Buffer.from(text, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
