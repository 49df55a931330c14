/**
 * The search for one partition: Wing & Gong's backtracking over the operations that may come next,
 * with Lowe's memo of configurations (set of linearized operations, state), on porcupine's doubly
 * linked list of call and return events.
 *
 * Event nodes are integers: operation i has call node 2i and return node 2i+1, and node 2n is the
 * list head. The calls met before the first return in the list are the candidates: the operations
 * real time allows next. Linearizing one unlinks ("lifts") both of its nodes in O(1); backtracking
 * relinks them. The linearized set is a bitset with an incremental (Zobrist) hash, states are
 * interned integers (states.ts), and the loop allocates nothing.
 *
 * Three additions to porcupine, none of which changes a verdict:
 * - A read-only operation (Model.isReadOnly) that is legal now is taken at once and never branched
 *   on: if the configuration has a linearization, it has one that starts with that operation. So is
 *   one that is read-only from the current state on (Model.isReadOnlyFrom), by the same argument.
 * - Of two interchangeable long operations (same input and output, one called and returning no
 *   later than the other), the earlier is always linearized first: any linearization can swap them.
 *   This tames the identical writes a Jepsen history leaves pending to the end.
 * - Candidates are tried short operations first, in call order (as porcupine does), then long ones
 *   (longer than LONG times the median operation: pending, timed out), latest call first, except
 *   that a pending one after which the first operation to return is legal goes first among them.
 *   Only a heuristic, but the order matters on linearizable histories (see `markLong`).
 *
 * A search runs in slices (`run(turns)`), so that check.ts can interleave partitions and stop at
 * the first illegal one, at the deadline or at the memory cap.
 */
import type { Model, Operation } from "./model";
import { StateTable } from "./states";
import { Memo, ADDED, FULL } from "./memo";
import { PartialTracker } from "./partials";
import { earlierTwins } from "./twins";
import { Int32Arena, int32sOf } from "./int32-arrays";

export interface SearchOutcome {
  verdict: "ok" | "illegal" | "unknown";
  /** For "unknown": what ran out, or "stopped" when the caller ended the search. */
  reason?: "timeout" | "memory" | "stopped";
  /** For "ok": a complete linearization, as indices into the partition's operations. */
  order?: Int32Array;
  /** For "illegal"/"unknown": distinct longest partial linearizations, longest first. */
  partials: Int32Array[];
  /** Configurations entered (memo entries) and distinct states reached. */
  configurations: number;
  states: number;
}

interface SearchLimits {
  /** Cap on the memo's memory; reaching it ends the search as unknown. */
  memoBytes: number;
}

const NIL = -1;

/** Words of the linearized set's bitset. */
function wordsFor(n: number): number {
  return (n + 31) >>> 5;
}

/** The search's own fixed-size arrays. */
function searchLengths(n: number) {
  return {
    next: 2 * n + 1,
    prev: 2 * n + 1,
    bits: wordsFor(n),
    readOnly: n,
    long: n,
    twin: n,
    stackOp: n,
    stackState: n,
    stackForced: n,
    cands: 4 * n,
    candFrom: n + 1,
    candTo: n + 1,
    candAt: n + 1,
  };
}

/** What the next turn does: enter a new configuration, try its next candidate, or backtrack. */
const ENTER = 0;
const TRY = 1;
const BACKTRACK = 2;

export class PartitionSearch<State = unknown> {
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly table: StateTable<State>;
  /** Per operation: 1 read-only in every state, 2 possibly read-only from some state on (ask the model), 0 neither. */
  private readonly readOnly: Int32Array;
  private readonly anyReadOnly: boolean;
  private readonly model: Model<State>;
  private readonly ops: readonly Operation[];
  /** Per operation: an interchangeable long operation that must be linearized before it, or -1. */
  private readonly twin: Int32Array;
  /** Per operation: SHORT, SLOW or PENDING (markLong); the long ones (not SHORT) are tried after the short ones. */
  private readonly long: Int32Array;
  private readonly memo: Memo;
  private readonly bits: Int32Array;
  private readonly zobrist: Int32Array; // the linearized set's hash is the XOR of its members' words
  /** The linearized operations in order, the state before each, and whether each was forced. */
  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  private readonly stackForced: Int32Array;
  /**
   * Per depth: the configuration's candidates, cands[candFrom..candTo), of which
   * cands[candFrom..candAt) are still to be tried (from the end: the last is tried first). Each
   * depth's range follows the previous one's, as on a stack.
   */
  private cands: Int32Array;
  private readonly candFrom: Int32Array;
  private readonly candTo: Int32Array;
  private readonly candAt: Int32Array;
  private readonly partials: PartialTracker;
  private setHash = 0;
  /** Times the search has backtracked (for the guess of long candidates, see ENTER). */
  private backtracks = 0;
  private depth = 0;
  private state: number;
  private phase = ENTER;
  /** Set once the search has ended. */
  outcome: SearchOutcome | undefined;

  /** The words of arena a search of n operations takes (see the constructor). */
  static int32s(n: number): number {
    return (
      int32sOf(searchLengths(n)) +
      int32sOf(StateTable.lengths(n)) +
      int32sOf(Memo.lengths(wordsFor(n), n)) +
      int32sOf(PartialTracker.lengths(n))
    );
  }

  /** `arena`: where the fixed-size arrays come from (by default its own, of int32s(n) words). */
  constructor(
    model: Model<State>,
    ops: readonly Operation[],
    limits: SearchLimits,
    arena = new Int32Arena(PartitionSearch.int32s(ops.length)),
  ) {
    const n = ops.length;
    const words = wordsFor(n);
    this.model = model;
    this.ops = ops;
    this.head = 2 * n;
    const a = arena.take(searchLengths(n));
    this.next = a.next;
    this.prev = a.prev;
    this.bits = a.bits;
    this.zobrist = zobristWords(n);
    this.readOnly = a.readOnly;
    this.long = a.long;
    this.twin = a.twin;
    this.stackOp = a.stackOp;
    this.stackState = a.stackState;
    this.stackForced = a.stackForced;
    this.cands = a.cands;
    this.candFrom = a.candFrom;
    this.candTo = a.candTo;
    this.candAt = a.candAt;
    this.linkByTime(ops);
    this.table = new StateTable<State>(model, ops, arena);
    this.state = this.table.intern(model.init());
    let anyReadOnly = false;
    for (let i = 0; i < n; i++) {
      const { input, output } = ops[i];
      this.readOnly[i] = model.isReadOnly?.(input, output) ? 1 : model.isReadOnlyFrom ? 2 : 0;
      anyReadOnly ||= this.readOnly[i] > 0;
    }
    this.anyReadOnly = anyReadOnly;
    markLong(ops, this.long);
    earlierTwins(ops, this.long, this.twin);
    this.memo = new Memo(words, n, limits.memoBytes, arena);
    this.partials = new PartialTracker(n, arena);
    if (n === 0) this.outcome = this.end("ok");
  }

  /** Ends an unfinished search as unknown, keeping the partial linearizations found so far. */
  stop(reason: "timeout" | "memory" | "stopped"): SearchOutcome {
    return (this.outcome ??= this.end("unknown", reason));
  }

  /** Runs at most `turns` steps of the search; returns the outcome once there is one. */
  run(turns: number): SearchOutcome | undefined {
    if (this.outcome) return this.outcome;
    const { next, prev, table, memo, bits, zobrist, stackOp, stackState, stackForced, readOnly, head, partials } = this;
    const { candFrom, candTo, candAt, anyReadOnly, long } = this;
    const n = this.ops.length;
    const twin = this.twin;
    let { phase, depth, state, setHash, cands } = this;
    let outcome: SearchOutcome | undefined;

    for (let turn = 0; turn < turns; turn++) {
      if (phase === ENTER) {
        // A new configuration: collect its candidates, skipping any whose twin is not linearized
        // yet. A read-only one that is legal now is taken at once, unbranched. The list gives them
        // in call order; they are tried from the end of cands[from..to), so long ones go up from
        // `from` and short ones down from the top of the room (n), then join them.
        const from = depth === 0 ? 0 : candTo[depth - 1];
        if (cands.length - from < this.head) cands = this.growCandidates(from);
        const top = from + n;
        let longTo = from;
        let shortFrom = top;
        let forced = NIL;
        let e = next[head];
        for (; (e & 1) === 0; e = next[e]) {
          const op = e >> 1;
          const t = twin[op];
          if (t >= 0 && (bits[t >>> 5] & (1 << (t & 31))) === 0) continue;
          if (
            anyReadOnly &&
            readOnly[op] > 0 &&
            table.next(state, op) === state &&
            (readOnly[op] === 1 || this.readOnlyFrom(state, op))
          ) {
            forced = op;
            break;
          }
          if (long[op] !== SHORT) cands[longTo++] = op;
          else cands[--shortFrom] = op;
        }
        if (forced === NIL) {
          // If the first operation to return (e) is not legal now, the latest-called pending one
          // after which it is legal is tried first among the long ones: e must be linearized
          // before anything called after it returns, and a Jepsen history leaves pending the
          // write that its reads saw. Only while the search has backtracked fewer times than
          // there are operations: the guess guides a descent, and costs lookups in every
          // configuration of a search that explores them all (an illegal history).
          const first = e >> 1;
          if (longTo > from && this.backtracks < n && table.next(state, first) < 0) {
            for (let i = longTo - 1; i >= from; i--) {
              const op = cands[i];
              if (long[op] !== PENDING || !this.enables(state, op, first)) continue;
              cands.copyWithin(i, i + 1, longTo);
              cands[longTo - 1] = op;
              break;
            }
          }
          // The short ones move (there are few at a time: one per client at most).
          let to = longTo;
          for (let i = shortFrom; i < top; i++) cands[to++] = cands[i];
          candFrom[depth] = from;
          candTo[depth] = to;
          candAt[depth] = to;
          phase = TRY;
          continue;
        }
        const word = forced >>> 5;
        const bit = 1 << (forced & 31);
        bits[word] |= bit;
        const hash = setHash ^ zobrist[forced];
        const added = memo.add(bits, hash, state);
        if (added !== ADDED) {
          bits[word] &= ~bit;
          if (added === FULL) {
            outcome = this.end("unknown", "memory");
            break;
          }
          phase = BACKTRACK; // seen before, and it failed: so does this configuration
          continue;
        }
        candFrom[depth] = candTo[depth] = candAt[depth] = from;
        stackOp[depth] = forced;
        stackState[depth] = state;
        stackForced[depth] = 1;
        partials.pushed(depth, forced);
        depth++;
        setHash = hash;
        lift(2 * forced, next, prev);
        if (next[head] === NIL) {
          outcome = this.end("ok");
          break;
        }
      } else if (phase === TRY) {
        // The configuration's next candidate: linearize it if the model accepts it and the
        // configuration it leads to is new.
        if (candAt[depth] === candFrom[depth]) {
          phase = BACKTRACK;
          continue;
        }
        const op = cands[--candAt[depth]];
        const after = table.next(state, op);
        if (after < 0) continue;
        const word = op >>> 5;
        const bit = 1 << (op & 31);
        bits[word] |= bit;
        const hash = setHash ^ zobrist[op];
        const added = memo.add(bits, hash, after);
        if (added !== ADDED) {
          bits[word] &= ~bit;
          if (added === FULL) {
            outcome = this.end("unknown", "memory");
            break;
          }
          continue;
        }
        stackOp[depth] = op;
        stackState[depth] = state;
        stackForced[depth] = 0;
        partials.pushed(depth, op);
        depth++;
        state = after;
        setHash = hash;
        lift(2 * op, next, prev);
        if (next[head] === NIL) {
          outcome = this.end("ok");
          break;
        }
        phase = ENTER;
      } else {
        // Nothing works here. Record the prefix, then undo steps back to a configuration that has
        // candidates left (a forced step has none: its configuration fails with it).
        if (depth === 0) {
          outcome = this.end("illegal");
          break;
        }
        partials.reached(depth, stackOp);
        this.backtracks++;
        do {
          depth--;
          const op = stackOp[depth];
          state = stackState[depth];
          bits[op >>> 5] &= ~(1 << (op & 31));
          setHash ^= zobrist[op];
          unlift(2 * op, next, prev);
        } while (stackForced[depth] === 1 && depth > 0);
        if (stackForced[depth] === 0) phase = TRY; // else: depth 0 was forced, and failed
      }
    }
    this.phase = phase;
    this.depth = depth;
    this.state = state;
    this.setHash = setHash;
    this.cands = cands;
    if (outcome) this.outcome = outcome;
    return outcome;
  }

  /** Whether `op` is legal now and `first` legal right after it. */
  private enables(state: number, op: number, first: number): boolean {
    const after = this.table.next(state, op);
    return after >= 0 && this.table.next(after, first) >= 0;
  }

  private readOnlyFrom(state: number, op: number): boolean {
    const o = this.ops[op];
    return this.model.isReadOnlyFrom!(this.table.states[state], o.input, o.output);
  }

  /** Room for at least one more configuration's candidates (at most all n operations). */
  private growCandidates(used: number): Int32Array {
    const bigger = new Int32Array(Math.max(this.cands.length * 2, used + this.head));
    bigger.set(this.cands.subarray(0, used));
    return (this.cands = bigger);
  }

  private end(verdict: SearchOutcome["verdict"], reason?: SearchOutcome["reason"]): SearchOutcome {
    return {
      verdict,
      reason,
      order: verdict === "ok" ? this.stackOp : undefined, // the search is over: its stack is the linearization
      partials: verdict === "ok" ? [] : this.partials.distinct(),
      configurations: this.memo.size,
      states: this.table.size,
    };
  }

  /** Links call and return nodes in time order (eventsByTime). */
  private linkByTime(ops: readonly Operation[]): void {
    const order = eventsByTime(ops);
    let last = this.head;
    for (let i = 0; i < order.length; i++) {
      const node = order[i];
      this.next[last] = node;
      this.prev[node] = last;
      last = node;
    }
    this.next[last] = NIL;
  }
}

/**
 * Scratch space for a search's set-up, shared by all searches (a set-up runs to its end before
 * anything else): a fresh typed array costs about a microsecond, more than a small search.
 */
let scratch = new ArrayBuffer(1 << 12);
/** Scratch larger than this (bytes) is not kept for the next search. */
const KEPT_SCRATCH = 1 << 20;

function scratchBuffer(bytes: number): ArrayBuffer {
  if (bytes <= scratch.byteLength) return scratch;
  const buffer = new ArrayBuffer(Math.max(bytes, 2 * scratch.byteLength));
  if (buffer.byteLength <= KEPT_SCRATCH) scratch = buffer;
  return buffer;
}

/**
 * The call and return nodes in time order; at equal times calls first (intervals are closed), then
 * by node. A merge sort with no callback, of runs sorted by insertion (on the usual history, in call
 * order, a node moves only past the few operations that overlap it): a comparison sort with a
 * callback costs several times as much, which on a small history is more than the search. The
 * result is scratch.
 */
function eventsByTime(ops: readonly Operation[]): Int32Array {
  const m = 2 * ops.length;
  const buffer = scratchBuffer(16 * m);
  const times = new Float64Array(buffer, 0, m);
  let order = new Int32Array(buffer, 8 * m, m);
  let other = new Int32Array(buffer, 12 * m, m);
  for (let i = 0; i < ops.length; i++) {
    times[2 * i] = ops[i].call;
    times[2 * i + 1] = ops[i].return;
  }
  // Runs of RUN nodes by insertion sort (shifts only past the few overlapping operations) ...
  for (let from = 0; from < m; from += RUN) {
    const to = Math.min(from + RUN, m);
    for (let i = from; i < to; i++) {
      let j = i;
      while (j > from && before(times, i, order[j - 1])) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = i;
    }
  }
  // ... then merged pairwise; a pair already in order is copied.
  for (let width = RUN; width < m; width *= 2) {
    for (let from = 0; from < m; from += 2 * width) {
      const mid = Math.min(from + width, m);
      const to = Math.min(from + 2 * width, m);
      if (mid === to || !before(times, order[mid], order[mid - 1])) {
        other.set(order.subarray(from, to), from);
        continue;
      }
      let i = from;
      let j = mid;
      for (let k = from; k < to; k++)
        other[k] = j < to && (i === mid || before(times, order[j], order[i])) ? order[j++] : order[i++];
    }
    [order, other] = [other, order];
  }
  return order;
}

const RUN = 16;

/** Whether node x sorts strictly before node y: an earlier time, or at the same time a call before a return. */
function before(times: Float64Array, x: number, y: number): boolean {
  return times[x] < times[y] || (times[x] === times[y] && (x & 1) < (y & 1));
}

/**
 * Marks the long operations: those that lasted more than LONG times the median operation. The
 * search tries them after the short ones, latest call first; short ones it tries in call order.
 *
 * Why: of two short operations that overlap, the one called first has most likely taken effect
 * first, and trying the other first is not only usually wrong but expensive to refute when the
 * history has pending writes (etcd_018, etcd_067): the search "repairs" the wrong state with some
 * of the pending operations (write(4) before cas(2, 2) → ok, then a pending write(2)), goes on, and
 * fails only much later, where the ones it used up were needed; then it tries every other subset
 * of them before it backtracks to the wrong step. Trying latest call first everywhere did that;
 * porcupine's call order everywhere places a long operation first, at every step, which on the
 * hard histories (kv_c50, etcd_002) enters several times as many configurations.
 *
 * Among the long ones, a pending one (it returned after every call: most likely it never returned)
 * after which the first operation to return is legal is tried first: etcd_002, etcd_005 and
 * etcd_007 then enter 77, 79 and 81 configurations instead of 14,914, 471 and 369 (etcd_098: 172
 * instead of 85; no other file changes). Promoting long ones that did return as well made a key of
 * kv_c50-ok explode (6,379 to 145,131).
 */
const LONG = 8;
const SHORT = 0;
const SLOW = 1;
/** Long, and returned after every call: most likely never returned (model.ts). */
const PENDING = 2;

function markLong(ops: readonly Operation[], long: Int32Array): void {
  const n = ops.length;
  const durations = new Float64Array(scratchBuffer(8 * n), 0, n);
  let lastCall = -Infinity;
  for (let i = 0; i < n; i++) {
    durations[i] = ops[i].return - ops[i].call;
    lastCall = Math.max(lastCall, ops[i].call);
  }
  const limit = LONG * select(durations, n, n >> 1);
  for (let i = 0; i < n; i++) {
    const { call, return: ret } = ops[i];
    long[i] = ret - call > limit ? (ret > lastCall ? PENDING : SLOW) : SHORT;
  }
}

/** The k-th smallest of xs[0..n), by Hoare's selection (reorders xs). NaN counts as Infinity. */
function select(xs: Float64Array, n: number, k: number): number {
  for (let i = 0; i < n; i++) if (xs[i] !== xs[i]) xs[i] = Infinity;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i] < pivot) i++;
      while (xs[j] > pivot) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i++] = xs[j];
        xs[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return xs[k];
}

/** Unlinks a call node and its return node (call + 1). A call is never last, so next[call] exists. */
function lift(call: number, next: Int32Array, prev: Int32Array): void {
  next[prev[call]] = next[call];
  prev[next[call]] = prev[call];
  const ret = call + 1;
  next[prev[ret]] = next[ret];
  if (next[ret] !== NIL) prev[next[ret]] = prev[ret];
}

/** Relinks what `lift` unlinked, in the reverse order. */
function unlift(call: number, next: Int32Array, prev: Int32Array): void {
  const ret = call + 1;
  if (next[ret] !== NIL) prev[next[ret]] = ret;
  next[prev[ret]] = ret;
  prev[next[call]] = call;
  next[prev[call]] = call;
}

/** Fixed pseudo-random words (splitmix32), so runs are reproducible; shared by all searches. */
let zobristTable = new Int32Array(0);

/** At least n of the words: operation i's is the i-th, whatever n. */
function zobristWords(n: number): Int32Array {
  if (zobristTable.length >= n) return zobristTable;
  zobristTable = new Int32Array(Math.max(n, 2 * zobristTable.length, 256));
  let s = 0x2545f491;
  for (let i = 0; i < zobristTable.length; i++) {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    zobristTable[i] = z ^ (z >>> 16);
  }
  return zobristTable;
}
