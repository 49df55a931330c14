/**
 * The broken classic KV servers the classic specs must catch (the 6.5840 handout: duplicate
 * appends, duplicate tables lost on snapshot, stale reads), each with specs that catch it on seed 1.
 */
import type { BrokenVariant } from "./broken-rafts";

export const BROKEN_CLASSIC: BrokenVariant[] = [
  {
    name: "classic-no-duplicate-detection",
    why: "the classic server applies every Put/Append it finds in the log, re-sent copies included",
    mutations: [
      {
        file: "classic/server.ts",
        find: "if (op.seq > (this.lastSeq.get(op.clientId) ?? 0)) {",
        replace: "if (op.seq > 0) {",
      },
    ],
    caughtBy: [
      { test: "classic-4A TestUnreliableOneKey4A", message: /^duplicate element x \d \d+ y in Append result/ },
    ],
  },
  {
    name: "classic-snapshot-without-duplicate-table",
    why: "the classic server's snapshot leaves out the duplicate table, so after a restart re-sent appends apply again",
    mutations: [
      {
        file: "classic/server.ts",
        find: "const data: SnapshotData = [[...this.store], [...this.lastSeq]];",
        replace: "const data: SnapshotData = [[...this.store], []];",
      },
    ],
    caughtBy: [
      {
        test: "classic-4B TestSnapshotUnreliableRecoverConcurrentPartition4B",
        message: /^(get wrong value, key \d+, wanted:|duplicate element x \d \d+ y in Append result)/,
      },
    ],
  },
  {
    name: "classic-get-from-local-state",
    why: "the classic server answers Get from its own store while its Raft says it is leader, without the log",
    mutations: [
      {
        file: "classic/server.ts",
        find: "    const { key, clientId, seq } = args;\n",
        replace:
          "    const { key, clientId, seq } = args;\n" +
          "    const local = this.rsm as unknown as { rf: { getState(): { isLeader: boolean } }; sm: { store: Map<string, string> } };\n" +
          '    if (local.rf.getState().isLeader) return { err: OK, value: local.sm.store.get(key) ?? "" };\n',
      },
    ],
    caughtBy: [{ test: "classic-4A TestOnePartition4A", message: /^Get in minority completed/ }],
  },
];
