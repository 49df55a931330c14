/**
 * Part 3C — persistence (the 6.5840 handout): the lab's eight tests, same steps, same limits. A crash
 * is the tester's ShutdownServer: state survives only through the persister.
 */
import { labTest } from "../../harness/run/lab-test";
import { RaftTester, RAFT_ELECTION_TIMEOUT, figure8Churn, figure8Pause } from "../../harness/tester/raft-tester";
import { fatal } from "../../harness/tester/harness";
import type { World } from "../../harness/sim/world";

describe("3C", () => {
  labTest("3C", "TestPersist13C", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3C): basic persistence");

    await ts.one(11, servers, true);

    ts.group.shutdown();
    ts.group.startServers();

    await ts.one(12, servers, true);

    const leader1 = await ts.checkOneLeader();
    ts.crash(leader1);
    ts.restart(leader1);

    await ts.one(13, servers, true);

    const leader2 = await ts.checkOneLeader();
    ts.crash(leader2);

    await ts.one(14, servers - 1, true);

    ts.restart(leader2);

    await ts.wait(4, servers, -1); // wait for leader2 to join before killing i3

    const i3 = ((await ts.checkOneLeader()) + 1) % servers;
    ts.crash(i3);

    await ts.one(15, servers - 1, true);

    ts.restart(i3);

    await ts.one(16, servers, true);
    ts.end();
  });

  labTest("3C", "TestPersist23C", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3C): more persistence");

    let index = 1;
    for (let iters = 0; iters < 5; iters++) {
      await ts.one(10 + index, servers, true);
      index++;

      const leader1 = await ts.checkOneLeader();

      ts.crash((leader1 + 1) % servers);
      ts.crash((leader1 + 2) % servers);

      await ts.one(10 + index, servers - 2, true);
      index++;

      ts.crash((leader1 + 0) % servers);
      ts.crash((leader1 + 3) % servers);
      ts.crash((leader1 + 4) % servers);

      ts.restart((leader1 + 1) % servers);
      ts.restart((leader1 + 2) % servers);

      await world.sleep(RAFT_ELECTION_TIMEOUT);

      ts.restart((leader1 + 3) % servers);

      await ts.one(10 + index, servers - 2, true);
      index++;

      ts.restart((leader1 + 4) % servers);
      ts.restart((leader1 + 0) % servers);
    }

    await ts.one(1000, servers, true);
    ts.end();
  });

  labTest("3C", "TestPersist33C", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3C): partitioned leader and one follower crash, leader restarts");

    await ts.one(101, 3, true);

    const leader = await ts.checkOneLeader();
    ts.disconnect((leader + 2) % servers);

    await ts.one(102, 2, true);

    ts.crash((leader + 0) % servers);
    ts.crash((leader + 1) % servers);
    ts.connect((leader + 2) % servers);
    ts.restart((leader + 0) % servers);

    await ts.one(103, 2, true);

    ts.restart((leader + 1) % servers);

    await ts.one(104, servers, true);
    ts.end();
  });

  // Test the scenarios described in Figure 8 of the extended Raft paper. Each iteration asks a
  // leader, if there is one, to insert a command in the Raft log. If there is a leader, that
  // leader will fail quickly with a high probability (perhaps without committing the command),
  // or crash after a while with low probability (most likely committing the command). If the
  // number of alive servers isn't enough to form a majority, perhaps start a new server. The
  // leader in a new term may try to finish replicating log entries that haven't been committed yet.
  labTest("3C", "TestFigure83C", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, true, false);
    ts.begin("Test (3C): Figure 8");

    await ts.one(ts.randCommand(), 1, true);

    await figure8Churn(ts, 1000);

    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });

  labTest("3C", "TestUnreliableAgree3C", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, false, false);
    ts.begin("Test (3C): unreliable agreement");

    const background: Promise<number>[] = [];
    for (let iters = 1; iters < 50; iters++) {
      for (let j = 0; j < 4; j++) background.push(ts.one(100 * iters + j, 1, true));
      await ts.one(iters, 1, true);
    }

    ts.net.reliable = true;

    await Promise.all(background);

    await ts.one(100, servers, true);
    ts.end();
  });

  labTest("3C", "TestFigure8Unreliable3C", async (world) => {
    const servers = 5;
    const ts = new RaftTester(world, servers, false, false);
    ts.begin("Test (3C): Figure 8 (unreliable)");

    await ts.one(world.rng.int(10000), 1, true);

    let nup = servers;
    for (let iters = 0; iters < 1000; iters++) {
      if (iters === 200) ts.net.longReordering = true;
      let leader = -1;
      for (let i = 0; i < servers; i++) {
        const { isLeader } = ts.start(i, world.rng.int(10000));
        if (isLeader && ts.group.isConnected(i)) leader = i;
      }

      await figure8Pause(world);

      if (leader !== -1 && world.rng.int(1000) < RAFT_ELECTION_TIMEOUT / 2) {
        ts.disconnect(leader);
        nup -= 1;
      }

      if (nup < 3) {
        const s = world.rng.int(servers);
        if (!ts.group.isConnected(s)) {
          ts.connect(s);
          nup += 1;
        }
      }
    }

    for (let i = 0; i < servers; i++) {
      if (!ts.group.isConnected(i)) ts.connect(i);
    }

    await ts.one(world.rng.int(10000), servers, true);
    ts.end();
  });

  labTest("3C", "TestReliableChurn3C", (world) => internalChurn(world, true));
  labTest("3C", "TestUnreliableChurn3C", (world) => internalChurn(world, false));
});

async function internalChurn(world: World, reliable: boolean): Promise<void> {
  const servers = 5;
  const ts = new RaftTester(world, servers, reliable, false);
  ts.begin(reliable ? "Test (3C): churn" : "Test (3C): unreliable churn");

  let stop = false;

  // A client: submits random values to whoever accepts, and remembers those it saw committed.
  const client = async (me: number): Promise<number[]> => {
    const values: number[] = [];
    while (!stop) {
      const x = ts.randCommand();
      let index = -1;
      let ok = false;
      for (let i = 0; i < servers; i++) {
        // try them all, maybe one of them is a leader
        if (!ts.group.isRunning(i)) continue;
        const r = ts.start(i, x);
        if (r.isLeader) {
          ok = true;
          index = r.index;
        }
      }
      if (ok) {
        // maybe leader will commit our value, maybe not. but don't wait forever.
        for (const to of [10, 20, 50, 100, 200]) {
          const { count, command } = ts.nCommitted(index);
          if (count > 0) {
            if (typeof command !== "number") fatal("wrong command type");
            if (command === x) values.push(x);
            break;
          }
          await world.sleep(to);
        }
      } else {
        await world.sleep(79 + me * 17);
      }
    }
    return values;
  };

  const ncli = 3;
  const clients = Array.from({ length: ncli }, (_, i) => client(i));

  for (let iters = 0; iters < 20; iters++) {
    if (world.rng.int(1000) < 200) {
      const i = world.rng.int(servers);
      ts.disconnect(i);
    }

    if (world.rng.int(1000) < 500) {
      const i = world.rng.int(servers);
      if (!ts.group.isRunning(i)) ts.group.startServer(i);
      ts.connect(i);
    }

    if (world.rng.int(1000) < 200) {
      const i = world.rng.int(servers);
      if (ts.group.isRunning(i)) ts.crash(i);
    }

    // Make crash/restart infrequent enough that the servers can often keep up, but not so
    // infrequent that everything has settled down from one change to the next.
    await world.sleep((RAFT_ELECTION_TIMEOUT * 7) / 10);
  }

  await world.sleep(RAFT_ELECTION_TIMEOUT);
  ts.net.reliable = true;
  for (let i = 0; i < servers; i++) {
    if (!ts.group.isRunning(i)) ts.group.startServer(i);
    ts.connect(i);
  }

  stop = true;

  const values: number[] = [];
  for (const vv of await Promise.all(clients)) values.push(...vv);

  await world.sleep(RAFT_ELECTION_TIMEOUT);

  const lastIndex = await ts.one(ts.randCommand(), servers, true);

  const really: number[] = [];
  for (let index = 1; index <= lastIndex; index++) {
    const v = await ts.wait(index, servers, -1);
    if (typeof v !== "number") fatal("not an int");
    really.push(v);
  }

  for (const v1 of values) {
    if (!really.includes(v1)) fatal("didn't find a value");
  }
  ts.end();
}
