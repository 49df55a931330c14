/**
 * Part 3D — log compaction (the 6.5840 handout): the lab's seven tests, with the snapshot applier
 * (the tester calls snapshot() every 10 applied entries) and 3 servers.
 */
import { labTest } from "../../harness/run/lab-test";
import { RaftTester, SNAPSHOT_INTERVAL, MAX_LOG_SIZE } from "../../harness/tester/raft-tester";
import { fatal } from "../../harness/tester/harness";
import type { World } from "../../harness/sim/world";

async function snapcommon(
  world: World,
  name: string,
  disconnect: boolean,
  reliable: boolean,
  crash: boolean,
): Promise<void> {
  const iters = 30;
  const servers = 3;
  const ts = new RaftTester(world, servers, reliable, true);
  ts.begin(name);

  await ts.one(ts.randCommand(), servers, true);
  let leader1 = await ts.checkOneLeader();
  let largestState = 0; // raftgrade: a size check that only ever saw 0 bytes checked nothing

  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }

    if (disconnect) {
      ts.disconnect(victim);
      await ts.one(ts.randCommand(), servers - 1, true);
    }
    if (crash) {
      ts.crash(victim);
      await ts.one(ts.randCommand(), servers - 1, true);
    }

    // perhaps send enough to get a snapshot
    const nn = SNAPSHOT_INTERVAL / 2 + world.rng.int(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) ts.start(sender, ts.randCommand());

    // let applier threads catch up with the Start()'s
    if (!disconnect && !crash) {
      // make sure all followers have caught up, so that an InstallSnapshot RPC isn't required for TestSnapshotBasic3D().
      await ts.one(ts.randCommand(), servers, true);
    } else {
      await ts.one(ts.randCommand(), servers - 1, true);
    }

    // 2026 renamed the message ("Raft size too large"); the limit is unchanged.
    if (ts.group.logSize() >= MAX_LOG_SIZE)
      fatal(`Raft size too large (${ts.group.logSize()} bytes, limit ${MAX_LOG_SIZE})`);
    largestState = Math.max(largestState, ts.group.logSize());

    if (disconnect) {
      // reconnect a follower, who maybe behind and needs to receive a snapshot to catch up.
      ts.connect(victim);
      await ts.one(ts.randCommand(), servers, true);
      leader1 = await ts.checkOneLeader();
    }
    if (crash) {
      ts.restart(victim);
      await ts.one(ts.randCommand(), servers, true);
      leader1 = await ts.checkOneLeader();
    }
  }
  if ((disconnect || crash) && ts.snapshotsApplied === 0) {
    // raftgrade: an install test in which no server ever installed a snapshot tested nothing of it.
    world.warn(
      "no server delivered a snapshot on applyCh during the run: no follower ever installed one from its leader, so this install test passed without the event it is named for",
    );
  }
  if (largestState === 0) {
    // The Go lab passes this too; say it, since the size limit above then proved nothing.
    world.warn(
      "no server ever persisted any Raft state (0 bytes at every size check): the lab's size limit passes trivially, and a Raft that persists nothing cannot survive a restart (see 3C)",
    );
  }
  ts.end();
}

describe("3D", () => {
  labTest("3D", "TestSnapshotBasic3D", (world) => snapcommon(world, "Test (3D): snapshots basic", false, true, false));
  labTest("3D", "TestSnapshotInstall3D", (world) =>
    snapcommon(world, "Test (3D): install snapshots (disconnect)", true, true, false),
  );
  labTest("3D", "TestSnapshotInstallUnreliable3D", (world) =>
    snapcommon(world, "Test (3D): install snapshots (disconnect+unreliable)", true, false, false),
  );
  labTest("3D", "TestSnapshotInstallCrash3D", (world) =>
    snapcommon(world, "Test (3D): install snapshots (crash)", false, true, true),
  );
  labTest("3D", "TestSnapshotInstallUnCrash3D", (world) =>
    snapcommon(world, "Test (3D): install snapshots (unreliable+crash)", false, false, true),
  );

  // Do the servers persist the snapshots, and restart using snapshot along with the tail of the log?
  // 2025/2026 run this on an unreliable network (the classic tester's inverted flag, carried over).
  labTest("3D", "TestSnapshotAllCrash3D", async (world) => {
    const servers = 3;
    const iters = 5;
    const ts = new RaftTester(world, servers, false, true);
    ts.begin("Test (3D): crash and restart all servers");

    await ts.one(ts.randCommand(), servers, true);

    for (let i = 0; i < iters; i++) {
      // perhaps enough to get a snapshot
      const nn = SNAPSHOT_INTERVAL / 2 + world.rng.int(SNAPSHOT_INTERVAL);
      for (let j = 0; j < nn; j++) await ts.one(ts.randCommand(), servers, true);

      const index1 = await ts.one(ts.randCommand(), servers, true);

      // crash all
      ts.group.shutdown();
      ts.group.startServers();

      const index2 = await ts.one(ts.randCommand(), servers, true);
      if (index2 < index1 + 1) fatal(`index decreased from ${index1} to ${index2}`);
    }
    ts.end();
  });

  // Do servers correctly initialize their in-memory copy of the snapshot, making sure that future
  // writes to persistent state don't lose state? (2025/2026: unreliable network.)
  labTest("3D", "TestSnapshotInit3D", async (world) => {
    const servers = 3;
    const ts = new RaftTester(world, servers, false, true);
    ts.begin("Test (3D): snapshot initialization after crash");

    await ts.one(ts.randCommand(), servers, true);

    // enough ops to make a snapshot
    const nn = SNAPSHOT_INTERVAL + 1;
    for (let i = 0; i < nn; i++) await ts.one(ts.randCommand(), servers, true);

    ts.group.shutdown();
    ts.group.startServers();

    // a single op, to get something to be written back to persistent storage.
    await ts.one(ts.randCommand(), servers, true);

    ts.group.shutdown();
    ts.group.startServers();

    // do another op to trigger potential bug
    await ts.one(ts.randCommand(), servers, true);
    ts.end();
  });
});
