/**
 * Node contexts: every simulated server (and every clerk) runs "inside" a node, so that each timer
 * it creates and each RPC it sends is attributed to it. The context is carried by AsyncLocalStorage,
 * which follows promise continuations; timer callbacks are re-entered into the context that
 * created them (see timers.ts). Crashing a node cancels all its timers, like killing every thread
 * of a process, whether or not the implementation honours kill().
 */
import { AsyncLocalStorage } from "node:async_hooks";

const storage = new AsyncLocalStorage<SimNode>();

/** The node whose code is running now, or undefined for the tester itself. */
export function currentNode(): SimNode | undefined {
  return storage.getStore();
}

/**
 * The node whose code created a promise, when the runtime keeps it: Node 20's AsyncLocalStorage
 * stores each promise's context on the promise itself. Undefined otherwise (other runtimes, or a
 * promise made by the tester). Only names the server in an unhandled rejection's message.
 */
export function nodeOfPromise(promise: unknown): SimNode | undefined {
  if (typeof promise !== "object" || promise === null) return undefined;
  for (const key of Object.getOwnPropertySymbols(promise)) {
    const value = (promise as Record<symbol, unknown>)[key];
    if (value instanceof SimNode) return value;
  }
  return undefined;
}

/** "unhandled error in the graded code (server-0-2#1, at 0.150s virtual)": who and when, as far as known. */
export function unhandledErrorPrefix(node: SimNode | undefined, nowMs: number): string {
  return `unhandled error in the graded code (${node ? `${node.label}, ` : ""}at ${(nowMs / 1000).toFixed(3)}s virtual)`;
}

export class SimNode {
  /** False once crashed: its timers are cancelled and its RPCs and channel sends go nowhere. */
  alive = true;
  /** Live timers this generation created, by numeric id, with the function that cancels each. */
  readonly timers = new Map<number, () => void>();
  private crashed: Promise<void> | undefined;
  private announceCrash: (() => void) | undefined;

  constructor(
    /** The slot's name, e.g. "server-0-1" or "clerk-3". */
    readonly name: string,
    /** 1 for the first start of a slot, 2 after its first restart, ... */
    readonly generation: number,
  ) {}

  /** "server-0-1#2": slot and generation, as the trace and failure messages print it. */
  get label(): string {
    return `${this.name}#${this.generation}`;
  }

  /** Runs `fn` inside this node's context: timers and RPCs it starts belong to this node. */
  run<T>(fn: () => T): T {
    return storage.run(this, fn);
  }

  /** Resolves when this generation crashes (the tester's calls into it then stop waiting, as 2026's killed daemons). */
  whenCrashed(): Promise<void> {
    if (!this.alive) return Promise.resolve();
    this.crashed ??= new Promise<void>((resolve) => (this.announceCrash = resolve));
    return this.crashed;
  }

  /** Crash: cancel every timer of this generation. Returns how many were cancelled. */
  crash(): number {
    this.alive = false;
    this.announceCrash?.();
    const cancelled = this.timers.size;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    return cancelled;
  }
}
