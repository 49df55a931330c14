/**
 * The submissions waiting for their log index to be applied, one per index. Each ends exactly
 * once: with the value of its op, or with ErrWrongLeader when the op can no longer be (or might
 * not be) the one at its index.
 */
import { ErrWrongLeader, OK } from "raftgrade";
import type { SubmitResult } from "raftgrade";
import { type Op, sameOp } from "./op";

interface Waiter {
  op: Op;
  /** The term in which the op was started: if this server's term moves on, it may be lost. */
  term: number;
  resolve: (result: SubmitResult) => void;
}

/** A fresh object each time: callers own their results. */
export function wrongLeader(): SubmitResult {
  return { err: ErrWrongLeader };
}

export class PendingSubmits {
  private readonly byIndex = new Map<number, Waiter>();

  get size(): number {
    return this.byIndex.size;
  }

  /** Waits for `index`. Raft reusing an index means the earlier entry there was discarded. */
  wait(index: number, term: number, op: Op): Promise<SubmitResult> {
    this.byIndex.get(index)?.resolve(wrongLeader());
    return new Promise((resolve) => this.byIndex.set(index, { op, term, resolve }));
  }

  /** The entry at `index` was applied: its waiter succeeds only if the entry is its own op. */
  applied(index: number, command: unknown, value: unknown): void {
    const waiter = this.take(index);
    waiter?.resolve(sameOp(waiter.op, command) ? { err: OK, value } : wrongLeader());
  }

  /** A snapshot replaced everything through `index`: whether our ops are in it is unknown. */
  failThrough(index: number): void {
    for (const [i, waiter] of [...this.byIndex]) if (i <= index) this.fail(i, waiter);
  }

  /** This server is no longer leader of the waiters' term: their entries may be overwritten. */
  failUnlessLeaderIn(term: number, isLeader: boolean): void {
    for (const [i, waiter] of [...this.byIndex]) if (!isLeader || waiter.term !== term) this.fail(i, waiter);
  }

  failAll(): void {
    for (const [i, waiter] of [...this.byIndex]) this.fail(i, waiter);
  }

  private fail(index: number, waiter: Waiter): void {
    this.byIndex.delete(index);
    waiter.resolve(wrongLeader());
  }

  private take(index: number): Waiter | undefined {
    const waiter = this.byIndex.get(index);
    this.byIndex.delete(index);
    return waiter;
  }
}
