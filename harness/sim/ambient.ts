/**
 * What a channel needs from whatever runs it: a count of activity at the current instant (so a
 * livelock is caught) and a register of blocked operations (so a deadlock report names them).
 * The judging side's World provides it during a run; the sealed graded side provides its own.
 * Kept apart from world.ts so the graded side loads neither sinon nor the world.
 */
import type { SimNode } from "./node";

interface Ambient {
  /** Counts one channel operation or RPC; false once the run is over (the caller stops its chain). */
  noteActivity(): boolean;
  /** Marks a blocked operation; call the result when it is done. */
  beginWait(what: string, node?: SimNode): () => void;
}

let current: Ambient | undefined;

export function ambient(): Ambient | undefined {
  return current;
}

export function setAmbient(a: Ambient | undefined): void {
  current = a;
}
