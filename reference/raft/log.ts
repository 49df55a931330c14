/**
 * The log after compaction: entries with absolute indices snapIndex+1 .. lastIndex(); everything
 * up to snapIndex lives in the snapshot, of which only the last entry's index and term are kept
 * (Figure 2's consistency check on the first entry after the snapshot needs that term).
 */
import type { LogEntry } from "./types";

export class RaftLog {
  constructor(
    /** lastIncludedIndex of the snapshot (0: no snapshot). */
    public snapIndex = 0,
    /** lastIncludedTerm of the snapshot. */
    public snapTerm = 0,
    /** entries[k] has index snapIndex + 1 + k. */
    public entries: LogEntry[] = [],
  ) {}

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].term : this.snapTerm;
  }

  /** Term of the entry at `index`, or -1 if it is neither the snapshot point nor in the log. */
  term(index: number): number {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return -1;
    return this.entries[index - this.snapIndex - 1].term;
  }

  /** The entry at `index`; callers guarantee snapIndex < index <= lastIndex(). */
  entry(index: number): LogEntry {
    return this.entries[index - this.snapIndex - 1];
  }

  /** Entries from `from` (> snapIndex) to the end. */
  from(from: number): LogEntry[] {
    return this.entries.slice(from - this.snapIndex - 1);
  }

  append(...entries: LogEntry[]): void {
    this.entries.push(...entries);
  }

  /** Drops the entries at `index` and after (a conflicting suffix). */
  truncateFrom(index: number): void {
    this.entries.length = Math.max(0, index - this.snapIndex - 1);
  }

  /** First index of the run of `term` that ends at `index` (never below snapIndex + 1). */
  firstIndexOfTermRun(index: number): number {
    const term = this.term(index);
    let i = index;
    while (i - 1 > this.snapIndex && this.term(i - 1) === term) i--;
    return i;
  }

  /** Last index holding an entry of `term` after the snapshot point, or -1. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.lastIndex(); i > this.snapIndex; i--) {
      const t = this.term(i);
      if (t === term) return i;
      if (t < term) break; // terms only grow along the log
    }
    return -1;
  }

  /**
   * Makes `index` (with `term`) the new snapshot point. Entries after it are kept if the log
   * actually holds that entry; otherwise the whole log is discarded (it conflicts or is too short).
   * Slicing copies into a fresh array so discarded entries can be collected.
   */
  compactTo(index: number, term: number): void {
    const keep = index < this.lastIndex() && this.term(index) === term ? this.entries.slice(index - this.snapIndex) : [];
    this.snapIndex = index;
    this.snapTerm = term;
    this.entries = keep;
  }
}
