/**
 * For each operation, the longest linearizable prefix seen that contains it (porcupine's verbose
 * mode), for the report. A prefix is seen each time the search backtracks. To keep that O(1) in the
 * common case, `floor[i]` holds the least recorded length among the operations at stack positions
 * 0..i: if it is at least the current depth, nothing improves and nothing is copied.
 */
import { int32Arrays } from "./int32-arrays";

export class PartialTracker {
  // Allocated at the first prefix: a search that never backtracks (a linearizable history checked
  // straight through) needs none. Until then every length is 0, and so is every floor.
  private best: Int32Array | undefined; // per operation: length of its longest prefix so far
  private bestPrefix!: Int32Array; // per operation: index into `prefixes`, or -1
  private floor!: Int32Array;
  /** Prefixes by id; one nobody points at any more is dropped, so memory stays O(n²) at worst. */
  private readonly prefixes: (Int32Array | null)[] = [];
  private readonly users: number[] = [];

  constructor(private readonly n: number) {}

  pushed(depth: number, op: number): void {
    if (this.best === undefined) return;
    const b = this.best[op];
    this.floor[depth] = depth === 0 || b < this.floor[depth - 1] ? b : this.floor[depth - 1];
  }

  reached(depth: number, stackOp: Int32Array): void {
    const best = this.best ?? this.allocate();
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

  private allocate(): Int32Array {
    const a = int32Arrays({ best: this.n, bestPrefix: this.n, floor: this.n });
    this.bestPrefix = a.bestPrefix.fill(-1);
    this.floor = a.floor;
    return (this.best = a.best);
  }

  private release(id: number): void {
    if (id >= 0 && --this.users[id] === 0) this.prefixes[id] = null;
  }

  /** The prefixes some operation still points at, longest first (ties: found first). */
  distinct(): Int32Array[] {
    if (this.best === undefined) return [];
    const used = [...new Set(this.bestPrefix)].filter((id) => id >= 0).sort((a, b) => a - b);
    return used.map((id) => this.prefixes[id]!).sort((a, b) => b.length - a.length);
  }
}
