/**
 * `etcd-register`: one etcd key as a register that may be unset, read, written and compare-and-set
 * (the Jepsen histories of porcupine's test data; semantics in docs/history-format.md).
 * An output of `{unknown: true}` means the outcome was never seen: accepted in any state.
 */
import { accept, REJECTED, type Model } from "../model";

export type RegisterState = number | null;

export type RegisterInput = { op: "read" } | { op: "write"; value: number } | { op: "cas"; from: number; to: number };

export interface RegisterOutput {
  unknown?: boolean;
  exists?: boolean;
  value?: number;
  ok?: boolean;
}

export const etcdRegister: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: "etcd-register",
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case "read":
        if (output.unknown) return accept(state);
        return (output.exists ? state === output.value : state === null) ? accept(state) : REJECTED;
      case "write":
        return accept(input.value);
      case "cas": {
        const swapped = state === input.from; // null never equals a number
        if (!output.unknown && output.ok !== swapped) return REJECTED;
        return accept(swapped ? input.to : state);
      }
    }
  },
  // A read, or a cas seen to fail, changes nothing wherever it is legal.
  isReadOnly: (input, output) => input.op === "read" || (input.op === "cas" && !output.unknown && output.ok === false),
  equal: (a, b) => a === b,
  hash: (state) => (state === null ? 0x7fffffff : state | 0),
  describeOperation(input, output) {
    const outcome = (text: string) => (output.unknown ? "?" : text);
    switch (input.op) {
      case "read":
        return `read() → ${outcome(output.exists ? String(output.value) : "nil")}`;
      case "write":
        return `write(${input.value})${output.unknown ? " → ?" : ""}`;
      case "cas":
        return `cas(${input.from}, ${input.to}) → ${outcome(output.ok ? "ok" : "fail")}`;
    }
  },
  describeState: (state) => (state === null ? "nil" : String(state)),
};
