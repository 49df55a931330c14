/**
 * The log after compaction: entries with absolute indices snapIndex+1 .. lastIndex(); everything
 * up to snapIndex lives in the snapshot, of which only the last entry's index and term are kept
 * (Figure 2's consistency check on the first entry after the snapshot needs that term).
 *
 * The log also keeps its persisted form in step with the entries: each entry's encoding, after
 * a 4-byte length, back to back in one buffer. Raft rewrites its whole persistent state at every
 * change; without snapshots the log grows to thousands of entries, and re-encoding all of them
 * each time made long runs slow. With the bytes kept, saving the log is a single copy.
 */
import { encode, decode } from "raftgrade";
import type { LogEntry } from "./types";

const LENGTH_BYTES = 4;

export class RaftLog {
  /** entries[k] has index snapIndex + 1 + k. */
  private entries: LogEntry[] = [];
  /** The persisted form: (length, encoding) of each entry, back to back... */
  private bytes = new Uint8Array(1024);
  /** ...where ends[k] is the end of entry k's part. */
  private ends: number[] = [];

  constructor(
    /** lastIncludedIndex of the snapshot (0: no snapshot). */
    public snapIndex = 0,
    /** lastIncludedTerm of the snapshot. */
    public snapTerm = 0,
  ) {}

  /** Rebuilds a log from what encoded() returned. */
  static fromEncoded(snapIndex: number, snapTerm: number, bytes: Uint8Array): RaftLog {
    const log = new RaftLog(snapIndex, snapTerm);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let pos = 0; pos < bytes.length;) {
      const start = pos + LENGTH_BYTES;
      pos = start + view.getUint32(pos, true);
      const [term, command] = decode<[number, unknown]>(bytes.subarray(start, pos));
      log.entries.push({ term, command });
      log.ends.push(pos);
    }
    log.bytes = bytes.slice();
    return log;
  }

  /** The entries in their persisted form (a view: persist() copies it at once). */
  encoded(): Uint8Array {
    return this.bytes.subarray(0, this.usedBytes());
  }

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

  append(entries: LogEntry[]): void {
    for (const e of entries) {
      const encoded = encode([e.term, e.command], "log entry");
      const start = this.usedBytes();
      const end = start + LENGTH_BYTES + encoded.length;
      if (end > this.bytes.length) {
        const grown = new Uint8Array(Math.max(2 * this.bytes.length, end));
        grown.set(this.bytes.subarray(0, start));
        this.bytes = grown;
      }
      new DataView(this.bytes.buffer, this.bytes.byteOffset).setUint32(start, encoded.length, true);
      this.bytes.set(encoded, start + LENGTH_BYTES);
      this.ends.push(end);
      this.entries.push(e);
    }
  }

  /** Drops the entries at `index` and after (a conflicting suffix). */
  truncateFrom(index: number): void {
    const keep = Math.max(0, index - this.snapIndex - 1);
    if (keep >= this.entries.length) return;
    this.entries.length = keep;
    this.ends.length = keep;
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
   * Copying into fresh arrays lets the discarded entries be collected.
   */
  compactTo(index: number, term: number): void {
    const drop = index - this.snapIndex; // entries at or before `index`
    if (index < this.lastIndex() && this.term(index) === term) {
      const cut = this.ends[drop - 1];
      this.bytes = this.bytes.slice(cut, this.usedBytes());
      this.ends = this.ends.slice(drop).map((end) => end - cut);
      this.entries = this.entries.slice(drop);
    } else {
      this.entries = [];
      this.ends = [];
      this.bytes = new Uint8Array(1024);
    }
    this.snapIndex = index;
    this.snapTerm = term;
  }

  private usedBytes(): number {
    return this.ends.length > 0 ? this.ends[this.ends.length - 1] : 0;
  }
}
