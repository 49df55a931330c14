/**
 * The states a search has reached, each interned to a small integer, and a cache of transitions
 * (state id, operation) → next state id. The search then runs on integers, and the memo compares
 * states as ids.
 *
 * The cache is direct-mapped, with a size bounded by the history's length: a register model with a
 * handful of states keeps every transition; a string model that meets a new state at almost every
 * step just recomputes, at little memory cost.
 */
import type { Model, Operation } from "./model";
import type { Int32Arena } from "./int32-arrays";

const REJECTED_ID = -1;
/** Transition cache slots to begin with: a small search computes fewer transitions. */
function initialCacheSize(n: number): number {
  let size = 16;
  while (size < 4 * n && size < 256) size *= 2;
  return size;
}

export class StateTable<State = unknown> {
  readonly states: State[] = [];
  /** Intern table: open addressing over ids + 1, with each id's hash alongside (0 = empty). */
  private slots: Int32Array;
  private hashes: Int32Array;
  /**
   * Transition cache: triples (state id, op, next id) in one array, so a lookup is one cache line.
   * It starts small, for a small search, and each time it has missed as often as it has slots it
   * doubles (emptied), up to `maxSize` slots.
   */
  private cache: Int32Array;
  private mask: number;
  private misses = 0;
  private readonly maxSize: number;

  /** The arrays a table starts with, for a history of n operations. */
  static lengths(n: number) {
    return { slots: 64, hashes: 32, cache: initialCacheSize(n) * 4 };
  }

  constructor(
    private readonly model: Model<State>,
    private readonly history: readonly Operation[],
    arena: Int32Arena,
  ) {
    let size = 1024; // slots of 16 bytes: from 16 KiB to 1 MiB
    while (size < history.length * 8 && size < 1 << 16) size *= 2;
    this.maxSize = size;
    const a = arena.take(StateTable.lengths(history.length));
    this.slots = a.slots;
    this.hashes = a.hashes;
    this.cache = a.cache.fill(-1); // state id -1: empty
    this.mask = initialCacheSize(history.length) - 1;
  }

  get size(): number {
    return this.states.length;
  }

  /** The id of a state, adding it if new. */
  intern(state: State): number {
    const h = this.model.hash(state) | 0;
    const mask = this.slots.length - 1;
    let i = mix(h) & mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) break;
      if (this.hashes[slot - 1] === h && this.model.equal(this.states[slot - 1], state)) return slot - 1;
      i = (i + 1) & mask;
    }
    const id = this.states.length;
    this.states.push(state);
    if (id === this.hashes.length) {
      const hashes = new Int32Array(id * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[id] = h;
    this.slots[i] = id + 1;
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** Doubles the cache, empty, and answers the lookup that missed. */
  private growCache(id: number, op: number): number {
    this.mask = this.mask * 2 + 1;
    this.cache = new Int32Array((this.mask + 1) * 4).fill(-1);
    this.misses = 0;
    return this.next(id, op);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.states.length; id++) {
      let i = mix(this.hashes[id]) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    this.slots = slots;
  }

  /** The state after applying operation `op` in state `id`, or REJECTED_ID. */
  next(id: number, op: number): number {
    const at = ((Math.imul(id, 0x9e3779b1) + op) & this.mask) << 2;
    const cache = this.cache;
    if (cache[at] === id && cache[at + 1] === op) return cache[at + 2];
    if (++this.misses > this.mask && this.mask + 1 < this.maxSize) return this.growCache(id, op);
    const o = this.history[op];
    const state = this.states[id];
    const step = this.model.step(state, o.input, o.output);
    const result = !step.legal ? REJECTED_ID : step.next === state ? id : this.intern(step.next);
    cache[at] = id;
    cache[at + 1] = op;
    cache[at + 2] = result;
    return result;
  }
}

/** MurmurHash3's 32-bit finalizer. */
export function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
