/**
 * Checking a whole history: split it into the model's independent partitions (P-compositionality:
 * a history is linearizable iff each part is), search them under one time and memory budget, and
 * combine. Any illegal part makes the history illegal; otherwise any part that ran out of time or
 * memory makes it unknown. Unknown is never a pass.
 *
 * The partitions' searches are interleaved in slices, round-robin (porcupine runs them in
 * parallel): an easy illegal key is found even when another key's search explodes.
 */
import type { Model, Operation } from "./model";
import { realClock, type Clock } from "./clock";
import { PartitionSearch, type SearchOutcome } from "./search";
import { Int32Arena } from "./int32-arrays";
import { getHeapStatistics } from "node:v8";

export type Verdict = "ok" | "illegal" | "unknown";

/** Why a part is unknown: out of time, out of memory, or left unfinished once another part was illegal. */
export type UnknownReason = "timeout" | "memory" | "stopped";

export interface CheckOptions {
  /** Real-time budget for the whole history, in ms (default 10 s; the lab uses 1 s). */
  timeoutMs?: number;
  /** Real-time clock in ms; by default the real one, even inside a simulated run. */
  clock?: Clock;
  /**
   * How much the process's memory (JS heap and typed arrays) may grow during the check before it
   * ends as unknown, in bytes (default 1 GiB). Also caps each partition's memo.
   */
  maxMemoryBytes?: number;
  /** Keep searching the other parts after one is illegal, for a complete report (default false). */
  allPartitions?: boolean;
}

export interface PartitionResult {
  verdict: Verdict;
  reason?: UnknownReason;
  /** The model's name for the part (e.g. `key "x"`), else "all operations" or "part N". */
  label: string;
  /** The part's operations, as indices into the history, in history order. */
  ops: number[];
  /** For ok: a complete linearization (indices into the history). */
  linearization?: number[];
  /** For illegal/unknown: the distinct longest partial linearizations found, longest first. */
  partials: number[][];
  /** Configurations the search entered and distinct model states it reached. */
  configurations: number;
  states: number;
}

export interface CheckResult {
  verdict: Verdict;
  /** For unknown: "timeout" or "memory". */
  reason?: UnknownReason;
  partitions: PartitionResult[];
  /** Real ms the check took. */
  ms: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_MEMORY_BYTES = 2 ** 30;

/**
 * Search steps per slice. Slices start small, so that an easy illegal part is found early, and
 * double each round, so that long searches are not slowed by switching. The largest takes a few ms,
 * which is how late a deadline can be noticed.
 */
const FIRST_SLICE = 1 << 11;
const LAST_SLICE = 1 << 14;
/** Reading the heap's statistics costs about a µs: do it at most this often (ms). */
const MEMORY_EVERY_MS = 5;

export function checkOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult {
  validateTimes(history);
  const clock = options.clock ?? realClock;
  const start = clock();
  const deadline = start + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxMemory = options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
  // A check that ends in its first round of slices (most small ones) reads nothing: the first
  // reading, the baseline, is taken when a second round begins (one round allocates little).
  let baseline: number | undefined;
  let memoryCheckedAt = start;

  const parts = model.partition ? model.partition(history) : [history.map((_, i) => i)];
  // A part's search lives until it ends; then only its outcome is kept, so the memory it grew can go.
  // Its fixed-size arrays come from one arena for all parts (int32-arrays.ts).
  const arena = new Int32Arena(parts.reduce((words, part) => words + PartitionSearch.int32s(part.length), 0));
  const searches: (PartitionSearch | undefined)[] = parts.map(
    (part) =>
      new PartitionSearch(
        model as Model,
        parts.length === 1 ? history : part.map((i) => history[i]),
        { memoBytes: maxMemory },
        arena,
      ),
  );
  const outcomes: (SearchOutcome | undefined)[] = searches.map((s) => s!.outcome);
  let illegal = outcomes.some((o) => o?.verdict === "illegal");
  let outOf: "timeout" | "memory" | undefined;

  /** False once the check must end: time or memory ran out, or (by default) a part is illegal. */
  const mayGoOn = (): boolean => {
    if (illegal && !options.allPartitions) return false;
    const now = clock();
    if (now > deadline) outOf = "timeout";
    else if (baseline !== undefined && now - memoryCheckedAt >= MEMORY_EVERY_MS) {
      memoryCheckedAt = now;
      if (memoryInUse() - baseline > maxMemory) outOf = "memory";
    }
    return !outOf;
  };

  for (let slice = FIRST_SLICE; outcomes.includes(undefined) && mayGoOn(); slice = Math.min(slice * 2, LAST_SLICE)) {
    if (slice > FIRST_SLICE) baseline ??= memoryInUse();
    for (let i = 0; i < searches.length && mayGoOn(); i++) {
      const outcome = searches[i]?.run(slice);
      if (!outcome) continue;
      outcomes[i] = outcome;
      searches[i] = undefined;
      if (outcome.verdict === "illegal") illegal = true;
    }
  }

  const partitions = parts.map((part, index): PartitionResult => {
    const outcome = outcomes[index] ?? searches[index]!.stop(outOf ?? "stopped");
    const toHistory = (order: Int32Array) => {
      const indices = new Array<number>(order.length);
      for (let k = 0; k < order.length; k++) indices[k] = part[order[k]];
      return indices;
    };
    return {
      verdict: outcome.verdict,
      reason: outcome.reason,
      label: model.describePartition?.(history, part) ?? (parts.length === 1 ? "all operations" : `part ${index + 1}`),
      ops: part,
      linearization: outcome.order && toHistory(outcome.order),
      partials: outcome.partials.map(toHistory),
      configurations: outcome.configurations,
      states: outcome.states,
    };
  });

  const unknown = partitions.find((p) => p.verdict === "unknown");
  return {
    verdict: illegal ? "illegal" : unknown ? "unknown" : "ok",
    reason: illegal ? undefined : unknown?.reason,
    partitions,
    ms: clock() - start,
  };
}

/**
 * Bytes of JS heap and of memory outside it (typed-array buffers) in use. Not process.memoryUsage(),
 * which also reads the resident set from the OS: 10 µs, more than a small search.
 */
function memoryInUse(): number {
  const heap = getHeapStatistics();
  return heap.used_heap_size + heap.external_memory;
}

function validateTimes(history: readonly Operation[]): void {
  history.forEach((op, i) => {
    if (
      typeof op.call !== "number" ||
      typeof op.return !== "number" ||
      Number.isNaN(op.call) ||
      Number.isNaN(op.return)
    ) {
      throw new TypeError(`operation ${i}: call and return must be numbers`);
    }
    if (op.return < op.call)
      throw new RangeError(`operation ${i}: returns (${op.return}) before it is called (${op.call})`);
  });
}
