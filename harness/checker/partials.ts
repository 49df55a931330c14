/**
 * For each operation, the longest linearizable prefix seen that contains it (porcupine's verbose
 * mode), for the report. A prefix is seen each time the search backtracks. To keep that O(1) in the
 * common case, `floor[i]` holds the least recorded length among the operations at stack positions
 * 0..i: if it is at least the current depth, nothing improves and nothing is copied.
 */
export class PartialTracker {
  private readonly best: Int32Array; // per operation: length of its longest prefix so far
  private readonly bestPrefix: Int32Array; // per operation: index into `prefixes`, or -1
  private readonly floor: Int32Array;
  /** Prefixes by id; one nobody points at any more is dropped, so memory stays O(n²) at worst. */
  private readonly prefixes: (Int32Array | null)[] = [];
  private readonly users: number[] = [];

  constructor(n: number) {
    this.best = new Int32Array(n);
    this.bestPrefix = new Int32Array(n).fill(-1);
    this.floor = new Int32Array(n);
  }

  pushed(depth: number, op: number): void {
    const b = this.best[op];
    this.floor[depth] = depth === 0 || b < this.floor[depth - 1] ? b : this.floor[depth - 1];
  }

  reached(depth: number, stackOp: Int32Array): void {
    if (this.floor[depth - 1] >= depth) return;
    const prefix = stackOp.slice(0, depth);
    const id = this.prefixes.length;
    this.prefixes.push(prefix);
    this.users.push(0);
    let floor = depth;
    for (let i = 0; i < depth; i++) {
      const op = prefix[i];
      if (this.best[op] < depth) {
        this.release(this.bestPrefix[op]);
        this.best[op] = depth;
        this.bestPrefix[op] = id;
        this.users[id]++;
      }
      floor = Math.min(floor, this.best[op]);
      this.floor[i] = floor;
    }
  }

  private release(id: number): void {
    if (id >= 0 && --this.users[id] === 0) this.prefixes[id] = null;
  }

  /** The prefixes some operation still points at, longest first (ties: found first). */
  distinct(): Int32Array[] {
    const used = [...new Set(this.bestPrefix)].filter((id) => id >= 0).sort((a, b) => a - b);
    return used.map((id) => this.prefixes[id]!).sort((a, b) => b.length - a.length);
  }
}
