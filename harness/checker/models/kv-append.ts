/**
 * `kv-append`: the classic lab's key/value store (Put/Append/Get, the 6.5840 handout), checked per
 * key. Each key is a string register starting at "". A missing output value reads as "" (as
 * porcupine's parser does); `{unknown: true}` marks an outcome never seen, accepted in any state.
 *
 * Appends make long strings, and the search meets many of them, so a state carries a polynomial
 * hash of its text that an append extends in O(length of the appended value), not of the text.
 */
import { accept, partitionBy, REJECTED, type Model } from "../model";

export interface AppendState {
  readonly value: string;
  /** polyHash(value): Σ value[i]·BASE^(len−1−i) mod 2^32. */
  readonly hash: number;
}

export interface AppendInput {
  op: "get" | "put" | "append";
  key: string;
  value?: string;
}

export interface AppendOutput {
  value?: string;
  unknown?: boolean;
}

const BASE = 0x01000193;

function polyHash(s: string, h = 0): number {
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return h;
}

const EMPTY: AppendState = { value: "", hash: 0 };

export const kvAppend: Model<AppendState, AppendInput, AppendOutput> = {
  name: "kv-append",
  init: () => EMPTY,
  step(state, input, output) {
    const value = input.value ?? "";
    switch (input.op) {
      case "get":
        return output.unknown || (output.value ?? "") === state.value ? accept(state) : REJECTED;
      case "put":
        return accept({ value, hash: polyHash(value) });
      case "append":
        return accept({ value: state.value + value, hash: polyHash(value, state.hash) });
      default:
        return REJECTED;
    }
  },
  isReadOnly: (input) => input.op === "get",
  equal: (a, b) => a === b || (a.hash === b.hash && a.value === b.value),
  hash: (state) => state.hash,
  partition: (history) => partitionBy(history, (input) => input.key),
  describePartition: (history, part) => `key ${JSON.stringify(history[part[0]].input.key)}`,
  describeOperation(input, output) {
    const got = output.unknown ? "?" : JSON.stringify(output.value ?? "");
    if (input.op === "get") return `get(${JSON.stringify(input.key)}) → ${got}`;
    return `${input.op}(${JSON.stringify(input.key)}, ${JSON.stringify(input.value ?? "")})`;
  },
  describeState: (state) => JSON.stringify(state.value),
};

/** The state holding `value`, for tests and callers that build states by hand. */
export function appendState(value: string): AppendState {
  return { value, hash: polyHash(value) };
}
