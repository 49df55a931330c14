/**
 * Part 4C — the key/value service with snapshots (the 6.5840 handout): the lab's nine tests in order,
 * with the 2026 network settings; maxraftstate 1000 throughout.
 */
import { labTest } from "../../harness/run/lab-test";
import { KVTester, ELECTION_TIMEOUT, type KVTestOptions } from "../../harness/tester/kv-tester";
import { fatal } from "../../harness/tester/harness";
import type { World } from "../../harness/sim/world";

const MAXRAFTSTATE = 1000;
/** TestSnapshotSize4C: the largest snapshot allowed, in bytes. */
const MAXSNAPSHOTSTATE = 500;

function makeTest(
  world: World,
  nclients: number,
  nservers: number,
  reliable: boolean,
  crash: boolean,
  partitions: boolean,
  randomKeys: boolean,
): KVTester {
  const opts: KVTestOptions = {
    part: "4C",
    nclients,
    nservers,
    reliable,
    crash,
    partitions,
    maxRaftState: MAXRAFTSTATE,
    randomKeys,
  };
  return new KVTester(world, opts);
}

describe("4C", () => {
  labTest("4C", "TestSnapshotRPC4C", async (world) => {
    const ts = makeTest(world, 0, 3, true, false, false, false);
    ts.begin("Test: InstallSnapshot RPC (4C)");
    const ck = ts.makeClerk();

    const vera = await ts.putAtLeastOnce(ck, "a", "A", 0, -1);
    await ts.checkGet(ck, "a", "A", vera);

    // a bunch of puts into the majority partition
    ts.partition([0, 1], [2]);
    const ck1 = ts.makeClerk([0, 1]);
    for (let i = 0; i < 50; i++) await ts.putAtLeastOnce(ck1, String(i), String(i), 0, -1);
    await world.sleep(ELECTION_TIMEOUT);
    const verb = await ts.putAtLeastOnce(ck1, "b", "B", 0, -1);

    // the majority must have thrown away most of its log
    const sz = ts.group.logSize();
    if (sz > 8 * MAXRAFTSTATE) fatal(`logs were not trimmed (${sz} > 8*${MAXRAFTSTATE})`);

    // a group that needs the lagging server, which must catch up (by InstallSnapshot)
    ts.partition([0, 2], [1]);
    const ck2 = ts.makeClerk([0, 2]);
    const verc = await ts.putAtLeastOnce(ck2, "c", "C", 0, -1);
    await ts.putAtLeastOnce(ck2, "d", "D", 0, -1);
    await ts.checkGet(ck2, "a", "A", vera);
    await ts.checkGet(ck2, "b", "B", verb);
    await ts.checkGet(ck2, "1", "1", 1);
    await ts.checkGet(ck2, "49", "49", 1);

    // now everybody
    ts.partition([0, 1, 2], []);
    const vere = await ts.putAtLeastOnce(ck, "e", "E", 0, -1);
    await ts.checkGet(ck, "c", "C", verc);
    await ts.checkGet(ck, "e", "E", vere);
    await ts.checkGet(ck, "1", "1", 1);
    ts.end();
  });

  labTest("4C", "TestSnapshotSize4C", async (world) => {
    const ts = makeTest(world, 0, 3, true, false, false, false);
    ts.begin("Test: snapshot size is reasonable (4C)");
    const ck = ts.makeClerk();

    let ver = 0;
    for (let i = 0; i < 200; i++) {
      ver = await ts.putAtLeastOnce(ck, "x", "0", ver, -1);
      await ts.checkGet(ck, "x", "0", ver);
      ver = await ts.putAtLeastOnce(ck, "x", "1", ver, -1);
      await ts.checkGet(ck, "x", "1", ver);
    }

    // the servers must have thrown away most of their logs
    const sz = ts.group.logSize();
    if (sz > 8 * MAXRAFTSTATE) fatal(`logs were not trimmed (${sz} > 8*${MAXRAFTSTATE})`);
    // and the snapshots must not be unreasonably large
    const ssz = ts.group.snapshotSize();
    if (ssz > MAXSNAPSHOTSTATE) fatal(`snapshot too large (${ssz} > ${MAXSNAPSHOTSTATE})`);
    ts.end();
  });

  labTest("4C", "TestSpeed4C", (world) => makeTest(world, 1, 3, true, false, false, false).genericTestSpeed());

  labTest("4C", "TestSnapshotRecover4C", (world) => makeTest(world, 1, 5, true, true, false, false).genericTest());

  labTest("4C", "TestSnapshotRecoverManyClients4C", (world) =>
    makeTest(world, 20, 5, true, true, false, false).genericTest(),
  );

  labTest("4C", "TestSnapshotUnreliable4C", (world) => makeTest(world, 5, 5, false, false, false, false).genericTest());

  labTest("4C", "TestSnapshotUnreliableRecover4C", (world) =>
    makeTest(world, 5, 5, false, true, false, false).genericTest(),
  );

  labTest("4C", "TestSnapshotUnreliableRecoverConcurrentPartition4C", (world) =>
    makeTest(world, 5, 5, false, true, true, false).genericTest(),
  );

  labTest("4C", "TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4C", (world) =>
    makeTest(world, 15, 7, false, true, true, true).genericTest(),
  );
});
