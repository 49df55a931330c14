/**
 * The broken rsm, KV server and clerk variants the 4A–4C and 4X specs must catch (the lab's failure kinds),
 * each with specs that catch it on seed 1 and the message expected. A mutant is a copy of the whole
 * reference with one layer broken, so it is graded with the reference Raft underneath. The last two
 * break Raft instead, to show that Raft's invariants are checked under the rsm and the KV service too.
 */
import { BROKEN_RAFTS, type BrokenVariant } from "./broken-rafts";

const raftMutations = (name: string) => BROKEN_RAFTS.find((b) => b.name === name)!.mutations;

export const BROKEN_SERVICES: BrokenVariant[] = [
  {
    name: "kv-get-from-local-state",
    why: "the KV server answers Get from its own state while it believes it is leader, without the log",
    mutations: [
      {
        file: "kv/server.ts",
        find: `    const request: Request = { kind: "get", args };\n`,
        replace: `    const request: Request = { kind: "get", args };\n    if (this.rsm.raft().getState().isLeader) return (this.rsm as unknown as { sm: KVStore }).sm.doOp(request) as GetReply;\n`,
      },
    ],
    caughtBy: [{ test: "4B TestOnePartition4B", message: /^Get in minority completed with version = 1/ }],
  },
  {
    name: "clerk-errversion-on-resend",
    why: "the clerk returns ErrVersion for a re-sent Put, which an earlier copy may have performed (should be ErrMaybe)",
    mutations: [
      {
        file: "kv/clerk.ts",
        find: "return reply.err === ErrVersion && resent ? ErrMaybe : reply.err;",
        replace: "return reply.err;",
      },
    ],
    caughtBy: [
      { test: "4B TestUnreliable4B", message: /^Wrong number of puts: server \d+ clnts \{nok: \d+, nmaybe: 0\}/ },
    ],
  },
  {
    name: "rsm-never-snapshots",
    why: "the rsm never calls Raft's snapshot(), so the log grows without bound",
    mutations: [{ file: "rsm/rsm.ts", find: "      this.rf.snapshot(index, this.sm.snapshot());\n", replace: "" }],
    caughtBy: [
      { test: "4C TestSnapshot4C", message: /^logs were not trimmed \(\d+ > 2 \* 1000\)/ },
      { test: "4C TestSnapshotSize4C", message: /^logs were not trimmed \(\d+ > 8\*1000\)/ },
    ],
  },
  {
    name: "rsm-no-restore-on-start",
    why: "the rsm does not restore the state machine from the snapshot when it starts",
    mutations: [{ file: "rsm/rsm.ts", find: "    if (snapshot.length > 0) sm.restore(snapshot);\n", replace: "" }],
    caughtBy: [
      { test: "4C TestSnapshot4C", message: /^checkCounter: only 0 srvs have 101 instead of 3/ },
      { test: "4C TestSnapshotRecover4C", message: /^history is not linearizable; visualization: .*\.html/ },
    ],
  },
  {
    name: "rsm-matches-index-only",
    why: "submit succeeds when anything is applied at its index, without checking that it is its own op",
    mutations: [
      {
        file: "rsm/pending.ts",
        find: "sameOp(waiter.op, command) ? { err: OK, value } : wrongLeader()",
        replace: "{ err: OK, value }",
      },
    ],
    caughtBy: [{ test: "4A TestLeaderPartition4A", message: /^Submit \d+ in minority completed \{"n":\d+\}/ }],
  },
  {
    name: "rsm-ignores-lost-leadership",
    why: "submit never notices that its server lost leadership or moved to a new term",
    mutations: [
      {
        file: "rsm/pending.ts",
        find: "if (!isLeader || waiter.term !== term) this.fail(i, waiter);",
        replace: "void [isLeader, term, i, waiter];",
      },
    ],
    caughtBy: [{ test: "4A TestLeaderPartition4A", message: /^Submit after healing didn't return/ }],
  },
  {
    name: "rsm-matches-request-not-identity",
    why: "the rsm takes the entry applied at a submission's index for that submission when it holds an equal request",
    mutations: [
      {
        file: "rsm/op.ts",
        find: "return op.me === a.me && op.epoch === a.epoch && op.seq === a.seq;",
        replace: "return JSON.stringify(op.req) === JSON.stringify(a.req);",
      },
    ],
    caughtBy: [
      {
        test: "4X TestSubmitReplacedBySameRequest4X",
        message:
          /^Submit\(Inc\) on server \d, cut off in a minority, returned OK \{"n":\d+\}, the result of the majority's Inc/,
      },
    ],
  },
  {
    name: "rsm-kill-leaves-submits-waiting",
    why: "the rsm's kill() stops applying but leaves the submissions that wait there waiting for ever",
    mutations: [{ file: "rsm/rsm.ts", find: "    this.pending.failAll();\n", replace: "" }],
    caughtBy: [
      {
        test: "4X TestKillWhileSubmitsWait4X",
        message: /^Submit on server \d didn't return within 1 s of its rsm's kill\(\)/,
      },
    ],
  },
  {
    name: "raft-no-persistence-under-rsm",
    why: "the no-persistence Raft under the reference rsm: a restarted server's term goes back to 0",
    mutations: raftMutations("no-persistence"),
    caughtBy: [
      {
        test: "4A TestRestartReplay4A",
        // The message says what happened to that server just before: it had restarted.
        message:
          /^invariant violated: term monotonicity: server (\d)'s term went down from \d+ to 0; server \1 restarted \(generation \d+\) \d+ ms earlier, at \d+\.\d{3}s/,
      },
    ],
  },
  {
    name: "raft-loose-majority-under-kv",
    why: "the loose-majority Raft under the reference KV service: two leaders commit different ops at one index",
    mutations: raftMutations("loose-majority"),
    // A majority had applied the index before the other leader's op landed there: commit durability.
    caughtBy: [
      {
        test: "4B TestManyPartitionsOneClient4B",
        message:
          /^invariant violated: commit durability: server \d applied .* at index \d+, which a majority had already applied as /,
      },
    ],
  },
  {
    name: "raft-truncating-follower-under-kv",
    why: "a follower cuts its log after every AppendEntries' prefix, so a reordered, older request erases entries it had acknowledged",
    mutations: [
      {
        file: "raft/replication.ts",
        find: `  for (let k = 0; k < entries.length; k++) {
    const index = prev + 1 + k;
    if (index <= rf.log.lastIndex() && rf.log.term(index) === entries[k].term) continue;
    if (index <= rf.log.lastIndex()) rf.log.truncateFrom(index);
    rf.log.append(entries.slice(k));
    changed = true;
    break;
  }`,
        replace: `  if (prev + 1 <= rf.log.lastIndex()) rf.log.truncateFrom(prev + 1);
  if (entries.length > 0) rf.log.append(entries);
  changed = true;`,
      },
    ],
    // Servers apply different ops at an index no majority had applied yet: state-machine safety.
    caughtBy: [
      {
        test: "4B TestManyPartitionsManyClients4B",
        message:
          /^invariant violated: state-machine safety: server \d's Raft applied .* at index \d+, where server \d's applied /,
      },
    ],
  },
];
