/**
 * What the checker needs to know about the object a history talks to: a sequential specification
 * (a model), and the operations clients performed on it.
 */

/**
 * One client operation: what was asked, what came back, and when. Times are in any unit, compared
 * only with each other; intervals are closed, so [10, 20] and [20, 30] overlap (porcupine's rule).
 * An operation that never returned gets a return time after everything else (or Infinity), and an
 * output the model accepts in any state: it may then have happened, or not.
 */
export interface Operation<Input = unknown, Output = unknown> {
  clientId: number;
  input: Input;
  output: Output;
  call: number;
  return: number;
}

/** A model's answer to one step: accepted, with the state after it, or rejected. */
export type Step<State> = { legal: true; next: State } | { legal: false };

export const REJECTED: Step<never> = { legal: false };
export function accept<State>(next: State): Step<State> {
  return { legal: true, next };
}

/**
 * A sequential specification. States are immutable values: `step` returns a new state (or the same
 * one) and never changes the one it is given, and depends on nothing but its arguments (their JSON
 * content, for inputs and outputs: the search treats operations with equal JSON as interchangeable).
 * The checker interns states (by `hash`, then `equal`) and caches transitions, so `step` is called
 * far less often than the search takes steps.
 */
export interface Model<State = any, Input = any, Output = any> {
  /** The registry name, e.g. "kv-versioned". */
  readonly name: string;
  init(): State;
  step(state: State, input: Input, output: Output): Step<State>;
  equal(a: State, b: State): boolean;
  /** Any 32-bit integer; equal states must have equal hashes. */
  hash(state: State): number;
  /**
   * True when the operation, in every state where it is legal, leaves the state unchanged (a read, a
   * failed compare-and-set, a Put refused with ErrVersion). The search then takes such an operation
   * as soon as real time and the model allow it, without trying alternatives first: moving it
   * earlier cannot break any linearization. Optional; a wrong `true` makes the checker unsound.
   */
  isReadOnly?(input: Input, output: Output): boolean;
  /**
   * The same promise from a given state on: true when the operation is legal in `state` without
   * changing it, and in every state reachable from `state` can only leave the state unchanged (a
   * Put that may or may not have happened, whose version the state has already passed). The search
   * then takes it at once, as a read-only one. Optional; a wrong `true` makes the checker unsound.
   */
  isReadOnlyFrom?(state: State, input: Input, output: Output): boolean;
  /**
   * Splits a history into independent sub-histories (e.g. one per key), as lists of indices into
   * `history`. The whole is linearizable iff every part is (linearizability is local). Absent: one part.
   */
  partition?(history: readonly Operation<Input, Output>[]): number[][];
  /** A short name for a part, for the report (e.g. the key). */
  describePartition?(history: readonly Operation<Input, Output>[], part: readonly number[]): string;
  describeOperation(input: Input, output: Output): string;
  describeState(state: State): string;
}

/** Groups operations by a key (first-seen order of keys is replaced by sorted order, as the lab does). */
export function partitionBy<I, O>(history: readonly Operation<I, O>[], keyOf: (input: I) => string): number[][] {
  const groups = new Map<string, number[]>();
  history.forEach((op, i) => {
    const key = keyOf(op.input);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(i);
  });
  return [...groups.keys()].sort().map((key) => groups.get(key)!);
}

/** FNV-1a over a string's UTF-16 code units (the trace's hash): the hash the string-valued models use. */
export { hashString } from "../sim/trace";
