/**
 * Lowe's memo: the configurations (set of linearized operations, state) the search has already
 * entered. Two paths that reach the same configuration have the same future, so the second stops.
 *
 * An open-addressing hash table over typed arrays, so entries cost no garbage. A slot holds the
 * entry's hash next to its index, so a probe touches one cache line; an entry is the state id
 * followed by the bitset's `words` words, in one pool. The caller keeps the set's hash up to date
 * incrementally (search.ts); the table mixes in the state. Memory is capped: when the next growth
 * would pass `maxBytes`, `add` answers FULL.
 */
import { mix } from "./states";
import type { Int32Arena } from "./int32-arrays";

export const ADDED = 1;
const PRESENT = 0;
export const FULL = -1;
/**
 * Entries before the first growth: most searches of a small history need no more than 128, and a
 * search of n operations that goes straight through enters n.
 */
function initialCapacity(n: number): number {
  let capacity = 8;
  while (capacity < 2 * n && capacity < 128) capacity *= 2;
  return capacity;
}

export class Memo {
  private slots: Int32Array; // pairs (hash, entry + 1); entry 0 = empty
  private pool: Int32Array; // per entry: state id, then the bitset words
  private readonly stride: number;
  private capacity: number; // entries the pool holds
  private mask: number; // over slot pairs
  size = 0;

  /** The arrays a memo starts with, for sets of `words` words out of n operations. */
  static lengths(words: number, n: number) {
    const capacity = initialCapacity(n);
    return { slots: capacity * 4, pool: capacity * (words + 1) };
  }

  constructor(
    private readonly words: number,
    n: number,
    private readonly maxBytes: number,
    arena: Int32Arena,
  ) {
    this.stride = words + 1;
    this.capacity = initialCapacity(n);
    const a = arena.take(Memo.lengths(words, n));
    this.slots = a.slots;
    this.pool = a.pool;
    this.mask = this.capacity * 2 - 1;
  }

  /** Bytes held by the table now. */
  get bytes(): number {
    return this.slots.byteLength + this.pool.byteLength;
  }

  /** Adds (bits, state) unless present. `setHash` must be the incremental hash of `bits`. */
  add(bits: Int32Array, setHash: number, state: number): number {
    const h = mix(setHash ^ Math.imul(state + 1, 0x9e3779b1));
    const { slots, pool, words, stride } = this;
    let i = h & this.mask;
    for (;;) {
      const entry = slots[2 * i + 1];
      if (entry === 0) break;
      if (slots[2 * i] === h) {
        const base = (entry - 1) * stride;
        if (pool[base] === state) {
          let w = 0;
          while (w < words && pool[base + 1 + w] === bits[w]) w++;
          if (w === words) return PRESENT;
        }
      }
      i = (i + 1) & this.mask;
    }
    if (this.size === this.capacity && !this.grow()) return FULL;
    const e = this.size++;
    const base = e * this.stride;
    this.pool[base] = state;
    for (let w = 0; w < words; w++) this.pool[base + 1 + w] = bits[w];
    if (this.slots !== slots) {
      this.insertSlot(h, e);
    } else {
      slots[2 * i] = h;
      slots[2 * i + 1] = e + 1;
    }
    return ADDED;
  }

  /** Doubles the pool and the slots (keeping the load at most one half), unless over the cap. */
  private grow(): boolean {
    const capacity = this.capacity * 2;
    if (capacity * (4 * this.stride + 16) > this.maxBytes) return false;
    const pool = new Int32Array(capacity * this.stride);
    pool.set(this.pool);
    const old = this.slots;
    this.pool = pool;
    this.capacity = capacity;
    this.slots = new Int32Array(capacity * 4);
    this.mask = capacity * 2 - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insertSlot(old[i], old[i + 1] - 1);
    return true;
  }

  private insertSlot(h: number, entry: number): void {
    let i = h & this.mask;
    while (this.slots[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    this.slots[2 * i] = h;
    this.slots[2 * i + 1] = entry + 1;
  }
}
