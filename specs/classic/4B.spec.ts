/**
 * The classic kvraft lab, part B (2024 names; the 6.5840 handout): the KV service with snapshots
 * (maxraftstate 1000), which must carry the duplicate table. Graded as part "classic-4B", apart
 * from the modern 4B.
 */
import { labTest } from "../../harness/run/lab-test";
import { ClassicTester, ELECTION_TIMEOUT, type ClassicTestOptions } from "../../harness/tester/classic-tester";
import { fatal } from "../../harness/tester/harness";
import type { World } from "../../harness/sim/world";

const PART = "classic-4B";
const MAXRAFTSTATE = 1000;
/** TestSnapshotSize4B: the largest snapshot allowed, in bytes. */
const MAXSNAPSHOTSTATE = 500;

function makeTest(
  world: World,
  nclients: number,
  nservers: number,
  unreliable: boolean,
  crash: boolean,
  partitions: boolean,
  randomKeys: boolean,
): ClassicTester {
  const opts: ClassicTestOptions = {
    part: "4B",
    nclients,
    nservers,
    unreliable,
    crash,
    partitions,
    maxRaftState: MAXRAFTSTATE,
    randomKeys,
  };
  return new ClassicTester(world, opts);
}

describe(PART, () => {
  labTest(PART, "TestSnapshotRPC4B", async (world) => {
    const ts = makeTest(world, 0, 3, false, false, false, false);
    const ck = ts.makeClient();
    ts.begin("Test: InstallSnapshot RPC (4B)");

    await ck.put("a", "A", -1, false);
    await ts.check(ck, "a", "A");

    // a bunch of puts into the majority partition
    ts.partition([0, 1], [2]);
    const ck1 = ts.makeClient([0, 1]);
    for (let i = 0; i < 50; i++) await ck1.put(String(i), String(i), -1, false);
    await world.sleep(ELECTION_TIMEOUT);
    await ck1.put("b", "B", -1, false);

    // the majority must have thrown away most of its log
    const sz = ts.group.logSize();
    if (sz > 8 * MAXRAFTSTATE) fatal(`logs were not trimmed (${sz} > 8*${MAXRAFTSTATE})`);

    // a group that needs the lagging server, which must catch up (by InstallSnapshot)
    ts.partition([0, 2], [1]);
    const ck2 = ts.makeClient([0, 2]);
    await ck2.put("c", "C", -1, false);
    await ck2.put("d", "D", -1, false);
    await ts.check(ck2, "a", "A");
    await ts.check(ck2, "b", "B");
    await ts.check(ck2, "1", "1");
    await ts.check(ck2, "49", "49");

    // now everybody
    ts.partition([0, 1, 2], []);
    await ck.put("e", "E", -1, false);
    await ts.check(ck, "c", "C");
    await ts.check(ck, "e", "E");
    await ts.check(ck, "1", "1");
    ts.end();
  });

  labTest(PART, "TestSnapshotSize4B", async (world) => {
    const ts = makeTest(world, 0, 3, false, false, false, false);
    const ck = ts.makeClient();
    ts.begin("Test: snapshot size is reasonable (4B)");

    for (let i = 0; i < 200; i++) {
      await ck.put("x", "0", -1, false);
      await ts.check(ck, "x", "0");
      await ck.put("x", "1", -1, false);
      await ts.check(ck, "x", "1");
    }

    // the servers must have thrown away most of their logs
    const sz = ts.group.logSize();
    if (sz > 8 * MAXRAFTSTATE) fatal(`logs were not trimmed (${sz} > 8*${MAXRAFTSTATE})`);
    // and the snapshots must not be unreasonably large
    const ssz = ts.group.snapshotSize();
    if (ssz > MAXSNAPSHOTSTATE) fatal(`snapshot too large (${ssz} > ${MAXSNAPSHOTSTATE})`);
    ts.end();
  });

  labTest(PART, "TestSpeed4B", (world) => makeTest(world, 1, 3, false, false, false, false).genericTestSpeed());

  labTest(PART, "TestSnapshotRecover4B", (world) => makeTest(world, 1, 5, false, true, false, false).genericTest());

  labTest(PART, "TestSnapshotRecoverManyClients4B", (world) =>
    makeTest(world, 20, 5, false, true, false, false).genericTest(),
  );

  labTest(PART, "TestSnapshotUnreliable4B", (world) => makeTest(world, 5, 5, true, false, false, false).genericTest());

  labTest(PART, "TestSnapshotUnreliableRecover4B", (world) =>
    makeTest(world, 5, 5, true, true, false, false).genericTest(),
  );

  labTest(PART, "TestSnapshotUnreliableRecoverConcurrentPartition4B", (world) =>
    makeTest(world, 5, 5, true, true, true, false).genericTest(),
  );

  labTest(PART, "TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4B", (world) =>
    makeTest(world, 15, 7, true, true, true, true).genericTest(),
  );
});
