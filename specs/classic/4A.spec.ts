/**
 * The classic kvraft lab, part A (2024 names; the 6.5840 handout): the KV service without snapshots,
 * Put/Append/Get with exactly-once semantics. Graded as part "classic-4A", so these tests never
 * mix with the modern 4A (the rsm) even where a name matches.
 */
import { labTest } from "../../harness/run/lab-test";
import {
  ClassicTester,
  ELECTION_TIMEOUT,
  checkConcurrentAppends,
  type ClassicTestOptions,
} from "../../harness/tester/classic-tester";
import { fatal, within } from "../../harness/tester/harness";
import type { World } from "../../harness/sim/world";

const PART = "classic-4A";

/** GenericTest(t, "4A", nclients, nservers, unreliable, crash, partitions, maxraftstate, randomkeys). */
function makeTest(
  world: World,
  nclients: number,
  nservers: number,
  unreliable: boolean,
  crash: boolean,
  partitions: boolean,
  maxRaftState: number,
  randomKeys: boolean,
): ClassicTester {
  const opts: ClassicTestOptions = {
    part: "4A",
    nclients,
    nservers,
    unreliable,
    crash,
    partitions,
    maxRaftState,
    randomKeys,
  };
  return new ClassicTester(world, opts);
}

describe(PART, () => {
  labTest(PART, "TestBasic4A", (world) => makeTest(world, 1, 5, false, false, false, -1, false).genericTest());

  labTest(PART, "TestSpeed4A", (world) => makeTest(world, 1, 3, false, false, false, -1, false).genericTestSpeed());

  labTest(PART, "TestConcurrent4A", (world) => makeTest(world, 5, 5, false, false, false, -1, false).genericTest());

  labTest(PART, "TestUnreliable4A", (world) => makeTest(world, 5, 5, true, false, false, -1, false).genericTest());

  labTest(PART, "TestUnreliableOneKey4A", async (world) => {
    const ts = makeTest(world, 0, 3, true, false, false, -1, false);
    const ck = ts.makeClient();
    ts.begin("Test: concurrent append to same key, unreliable (4A)");

    await ck.put("k", "", -1, false);

    const nclient = 5;
    const upto = 10;
    await ts.spawnClientsAndWait(nclient, async (me, myck) => {
      for (let n = 0; n < upto; n++) await myck.append("k", `x ${me} ${n} y`, -1, false);
    });

    const vx = await ck.get("k", -1, false);
    checkConcurrentAppends(vx, new Array(nclient).fill(upto));
    ts.end();
  });

  labTest(PART, "TestOnePartition4A", async (world) => {
    const ts = makeTest(world, 0, 5, false, false, false, -1, false);
    const ck = ts.makeClient();

    await ck.put("1", "13", -1, false);

    ts.begin("Test: progress in majority (4A)");
    const [p1, p2] = ts.makePartition();
    ts.partition(p1, p2);

    const ckp1 = ts.makeClient(p1); // connect ckp1 to p1
    const ckp2a = ts.makeClient(p2); // connect ckp2a to p2
    const ckp2b = ts.makeClient(p2); // connect ckp2b to p2

    await ckp1.put("1", "14", -1, false);
    await ts.check(ckp1, "1", "14");
    ts.end();

    ts.begin("Test: no progress in minority (4A)");
    const done0 = ckp2a.put("1", "15", -1, false);
    const done1 = ckp2b.get("1", -1, false); // different clerk in p2
    const first = await within(world, 1000, Promise.race([done0.then(() => "Put"), done1.then(() => "Get")]));
    if (first !== "timeout") fatal(`${first.value} in minority completed`);

    await ts.check(ckp1, "1", "14");
    await ckp1.put("1", "16", -1, false);
    await ts.check(ckp1, "1", "16");
    ts.end();

    ts.begin("Test: completion after heal (4A)");
    ts.connectAll();
    ts.connectClient(ckp2a, ts.group.all());
    ts.connectClient(ckp2b, ts.group.all());
    await world.sleep(ELECTION_TIMEOUT);

    if ((await within(world, 30 * 100, done0)) === "timeout") fatal("Put did not complete");
    // (the lab only peeks at the minority Get here, without requiring it to be done)

    await ts.check(ck, "1", "15");
    ts.end();
  });

  labTest(PART, "TestManyPartitionsOneClient4A", (world) =>
    makeTest(world, 1, 5, false, false, true, -1, false).genericTest(),
  );

  labTest(PART, "TestManyPartitionsManyClients4A", (world) =>
    makeTest(world, 5, 5, false, false, true, -1, false).genericTest(),
  );

  labTest(PART, "TestPersistOneClient4A", (world) =>
    makeTest(world, 1, 5, false, true, false, -1, false).genericTest(),
  );

  labTest(PART, "TestPersistConcurrent4A", (world) =>
    makeTest(world, 5, 5, false, true, false, -1, false).genericTest(),
  );

  labTest(PART, "TestPersistConcurrentUnreliable4A", (world) =>
    makeTest(world, 5, 5, true, true, false, -1, false).genericTest(),
  );

  labTest(PART, "TestPersistPartition4A", (world) => makeTest(world, 5, 5, false, true, true, -1, false).genericTest());

  labTest(PART, "TestPersistPartitionUnreliable4A", (world) =>
    makeTest(world, 5, 5, true, true, true, -1, false).genericTest(),
  );

  labTest(PART, "TestPersistPartitionUnreliableLinearizable4A", (world) =>
    makeTest(world, 15, 7, true, true, true, -1, true).genericTest(),
  );
});
