/**
 * `kv-versioned`: the 2025/2026 lab's key/value store (versioned Put/Get, the 6.5840 handout), checked
 * per key. State per key: a value and a version, initially ("", 0).
 *
 * Get is legal iff it returned the current value (its version and error are not compared, so a
 * Get of a missing key, "" with ErrNoKey, matches the initial state). Put with the current version
 * must report OK or ErrMaybe and installs (value, version + 1); with any other version it must
 * report ErrVersion or ErrMaybe and changes nothing. So an ErrMaybe Put fits either way.
 */
import { ErrMaybe, ErrVersion, OK, type Err } from "../../api/rpc";
import { accept, hashString, partitionBy, REJECTED, type Model } from "../model";

export interface VersionedState {
  value: string;
  version: number;
}

export type VersionedInput = { op: "get"; key: string } | { op: "put"; key: string; value: string; version: number };

export interface VersionedOutput {
  value?: string;
  version?: number;
  err?: Err | string;
}

const INITIAL: VersionedState = { value: "", version: 0 };

export const kvVersioned: Model<VersionedState, VersionedInput, VersionedOutput> = {
  name: "kv-versioned",
  init: () => INITIAL,
  step(state, input, output) {
    if (input.op === "get") return (output.value ?? "") === state.value ? accept(state) : REJECTED;
    if (input.op !== "put") return REJECTED;
    if (state.version === input.version) {
      return output.err === OK || output.err === ErrMaybe
        ? accept({ value: input.value, version: state.version + 1 })
        : REJECTED;
    }
    return output.err === ErrVersion || output.err === ErrMaybe ? accept(state) : REJECTED;
  },
  // A Get, or a Put refused with ErrVersion (legal only when the version differs), changes nothing.
  isReadOnly: (input, output) => input.op === "get" || output.err === ErrVersion,
  // Versions only grow: once past a Put's version, that Put (ErrMaybe) can only have done nothing.
  isReadOnlyFrom: (state, input, output) =>
    input.op === "put" && output.err === ErrMaybe && state.version > input.version,
  equal: (a, b) => a.version === b.version && a.value === b.value,
  hash: (state) => hashString(state.value, Math.imul(state.version + 1, 0x9e3779b1)),
  partition: (history) => partitionBy(history, (input) => input.key),
  describePartition: (history, part) => `key ${JSON.stringify(history[part[0]].input.key)}`,
  describeOperation(input, output) {
    const err = output.err && output.err !== OK ? ` ${output.err}` : "";
    if (input.op === "get")
      return `get(${JSON.stringify(input.key)}) → ${JSON.stringify(output.value ?? "")} v${output.version ?? 0}${err}`;
    return `put(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)}, v${input.version}) →${err || " OK"}`;
  },
  describeState: (state) => `${JSON.stringify(state.value)} v${state.version}`,
};
