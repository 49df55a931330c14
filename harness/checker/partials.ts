/**
 * For each operation, the longest linearizable prefix seen that contains it (porcupine's verbose
 * mode), for the report. A prefix is seen each time the search backtracks. To keep that O(1) in the
 * common case, `floor[i]` holds the least recorded length among the operations at stack positions
 * 0..i: if it is at least the current depth, nothing improves and nothing is copied.
 */
import type { Int32Arena } from "./int32-arrays";

export class PartialTracker {
  // Taken from the arena at the first prefix: a search that never backtracks (a linearizable
  // history checked straight through) records none. Until then every length is 0, and so is every floor.
  private best: Int32Array | undefined; // per operation: length of its longest prefix so far
  private bestPrefix!: Int32Array; // per operation: index into `prefixes`, or 0 for none
  private floor!: Int32Array;
  /** Prefixes by id (from 1); one nobody points at any more is dropped, so memory stays O(n²) at worst. */
  private readonly prefixes: (Int32Array | null)[] = [null];
  private readonly users: number[] = [0];

  /** The arrays it takes from the arena. */
  static lengths(n: number) {
    return { best: n, bestPrefix: n, floor: n };
  }

  constructor(
    private readonly n: number,
    private readonly arena: Int32Arena,
  ) {}

  pushed(depth: number, op: number): void {
    if (this.best === undefined) return;
    const b = this.best[op];
    this.floor[depth] = depth === 0 || b < this.floor[depth - 1] ? b : this.floor[depth - 1];
  }

  reached(depth: number, stackOp: Int32Array): void {
    const best = this.best ?? this.start();
    if (this.floor[depth - 1] >= depth) return;
    const prefix = stackOp.slice(0, depth);
    const id = this.prefixes.length;
    this.prefixes.push(prefix);
    this.users.push(0);
    let floor = depth;
    for (let i = 0; i < depth; i++) {
      const op = prefix[i];
      if (best[op] < depth) {
        this.release(this.bestPrefix[op]);
        best[op] = depth;
        this.bestPrefix[op] = id;
        this.users[id]++;
      }
      floor = Math.min(floor, best[op]);
      this.floor[i] = floor;
    }
  }

  private start(): Int32Array {
    const a = this.arena.take(PartialTracker.lengths(this.n));
    this.bestPrefix = a.bestPrefix;
    this.floor = a.floor;
    return (this.best = a.best);
  }

  private release(id: number): void {
    if (id > 0 && --this.users[id] === 0) this.prefixes[id] = null;
  }

  /**
   * The prefixes some operation still points at, longest first (ties: found first). Every prefix
   * kept has a user: it is recorded only when it improves some operation's.
   */
  distinct(): Int32Array[] {
    return this.prefixes.filter((p): p is Int32Array => p !== null).sort((a, b) => b.length - a.length);
  }
}
