/**
 * Part 4C, rsm package (the 6.5840 handout): TestSnapshot4C — the rsm must snapshot once Raft's
 * state passes maxraftstate, and restart from its snapshot.
 */
import { labTest } from "../../harness/run/lab-test";
import { RsmTester, NSRV } from "../../harness/tester/rsm-tester";
import { fatal } from "../../harness/tester/harness";

const MAXRAFTSTATE = 1000;

describe("4C", () => {
  labTest("4C", "TestSnapshot4C", async (world) => {
    const N = 100;
    const ts = new RsmTester(world, MAXRAFTSTATE);
    ts.begin("Test creating and restoring snapshot");

    for (let i = 0; i < N; i++) await ts.oneInc();
    await ts.checkCounter(N, NSRV);

    const sz = ts.group.logSize();
    if (sz > 2 * MAXRAFTSTATE) fatal(`logs were not trimmed (${sz} > 2 * ${MAXRAFTSTATE})`);

    // rsm must have made snapshots by now; shut down all servers and restart them from a snapshot
    ts.group.shutdown();
    ts.group.startServers();

    // make restarted servers do one increment
    await ts.oneInc();
    await ts.checkCounter(N + 1, NSRV);
    ts.end();
  });
});
