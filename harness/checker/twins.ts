/**
 * Interchangeable operations, which the search linearizes in a fixed order (search.ts). A Jepsen
 * history leaves many identical writes pending to the end (write(3) timed out, twice); without an
 * order the search would try every subset of them, in every order.
 */
import type { Operation } from "./model";
import { hashString } from "./model";

/**
 * Fills `twin` with, for each operation, the latest earlier interchangeable one: same input and
 * output (equal JSON content, so a model must depend on nothing else), called no later and
 * returning no later. Taking such pairs in that order loses no linearization: in any linearization
 * with the later one first, swapping the two keeps every real-time constraint and every model
 * step. -1 when there is none.
 *
 * Only the operations marked in `among` are compared (the search marks the long ones): two short
 * operations overlap too briefly for their order to matter much.
 */
export function earlierTwins(ops: readonly Operation[], among: Int32Array, twin: Int32Array): void {
  twin.fill(-1);
  // Candidates are grouped by a hash of their content, then compared: a JSON key per operation
  // (a string to build and to hash) costs more than checking a small history.
  const groups = new Map<number, number[]>();
  for (let i = 0; i < ops.length; i++) {
    if (among[i] === 0) continue;
    const key = hashValue(ops[i].output, hashValue(ops[i].input, 0, 0), 0);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => ops[a].call - ops[b].call || ops[a].return - ops[b].return || a - b);
    for (let k = 1; k < group.length; k++) {
      const b = ops[group[k]];
      // A few steps back suffice: in chains (pending operations) returns grow with calls.
      for (let j = k - 1; j >= Math.max(0, k - 8); j--) {
        const a = ops[group[j]];
        if (a.return <= b.return && sameValue(a.input, b.input, 0) && sameValue(a.output, b.output, 0)) {
          twin[group[k]] = group[j];
          break;
        }
      }
    }
  }
}

/** Deeper than this, values are never equal (and hash alike): a cycle ends there. */
const MAX_DEPTH = 16;

/** Plain data: arrays and objects whose content is all JSON says about them. */
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(v) || proto === Object.prototype || proto === null;
}

/** A hash that equal values (sameValue) share; lossy (a number counts by its integer part, keys not at all). */
function hashValue(v: unknown, h: number, depth: number): number {
  h = Math.imul(h ^ 0x5bd1e995, 0x01000193);
  switch (typeof v) {
    case "string":
      return hashString(v, h);
    case "number":
      return (h ^ (v | 0)) | 0;
    case "boolean":
      return h ^ (v ? 1 : 2);
    case "object":
      if (v === null || depth >= MAX_DEPTH) return h;
      for (const name in v) h = hashValue((v as Record<string, unknown>)[name], h, depth + 1); // names: sameValue
      return h;
    default:
      return h;
  }
}

/**
 * Whether two values are the same plain data: equal primitives, or arrays or plain objects with the
 * same keys in the same order and the same values. Stricter than equal JSON (nothing else is ever
 * the same), which is what soundness needs.
 */
function sameValue(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth >= MAX_DEPTH) return false;
  if (!isPlain(a) || !isPlain(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  const others = Object.keys(b);
  if (keys.length !== others.length) return false;
  for (let k = 0; k < keys.length; k++) {
    const name = keys[k];
    if (others[k] !== name) return false;
    if (!sameValue((a as Record<string, unknown>)[name], (b as Record<string, unknown>)[name], depth + 1)) return false;
  }
  return true;
}
