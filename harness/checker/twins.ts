/**
 * Interchangeable operations, which the search linearizes in a fixed order (search.ts). A Jepsen
 * history leaves many identical writes pending to the end (write(3) timed out, twice); without an
 * order the search would try every subset of them, in every order.
 */
import type { Operation } from "./model";

/**
 * Fills `twin` with, for each operation, the latest earlier interchangeable one: same input and output (as JSON, so a
 * model must depend on nothing else), called no later and returning no later. Taking such pairs in
 * that order loses no linearization: in any linearization with the later one first, swapping the
 * two keeps every real-time constraint and every model step. -1 when there is none.
 *
 * Only the operations marked in `among` are compared (the search marks the long ones): a key costs
 * a JSON.stringify, and two short operations overlap too briefly for their order to matter much.
 */
export function earlierTwins(ops: readonly Operation[], among: Int32Array, twin: Int32Array): void {
  twin.fill(-1);
  const groups = new Map<string, number[]>();
  ops.forEach((op, i) => {
    if (among[i] === 0) return;
    let key: string | undefined;
    try {
      key = JSON.stringify([op.input, op.output]);
    } catch {
      return; // not serializable (a cycle, a bigint): no twins for it
    }
    if (key === undefined) return;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => ops[a].call - ops[b].call || ops[a].return - ops[b].return || a - b);
    for (let k = 1; k < group.length; k++) {
      const b = group[k];
      // A few steps back suffice: in chains (pending operations) returns grow with calls.
      for (let j = k - 1; j >= Math.max(0, k - 8); j--) {
        if (ops[group[j]].return <= ops[b].return) {
          twin[b] = group[j];
          break;
        }
      }
    }
  }
}
