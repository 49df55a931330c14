/**
 * What the two KV testers share (modern kvraft1 and the classic kvraft lab): a group of servers,
 * each a service on the graded Raft, on a network whose messages take the millisecond a real
 * machine spends on them; partitions and crashes, drawn on the linearizability picture; the random
 * partitioner; the log and snapshot size limits.
 */
import { World } from "../sim/world";
import { Network } from "../sim/network";
import { SimNode } from "../sim/node";
import { SimPersister } from "../sim/persister";
import type { ClientEnd } from "../api/network";
import type { RaftFactory } from "../api/raft";
import type { Annotation } from "../checker/html";
import type { Model, Operation } from "../checker/model";
import { ServerGroup, type StartedServer } from "./group";
import { TestRun, fatal } from "./harness";
import { ServiceRafts } from "./service-rafts";
import { checkHistory } from "./linearizability";

/** The KV tests' ElectionTimeout: how long they let a new leader take. */
export const ELECTION_TIMEOUT = 1000;

/**
 * Virtual ms per request and per reply on the KV tests' network (see Network.hopDelayMs): clients
 * loop for a fixed time, and without it one client would do ~8,000 ops per virtual second.
 */
export const KV_HOP_DELAY_MS = 1;

/**
 * The classic lab's hop delay, calibrated on the op counts of the 2024 handout's sample run of the
 * 11 classic 4A tests that do more than 100 ops: test by test, the reference on seed 1 is within a
 * factor of 1.40 of it (geometric mean) with 2 ms, 1.51 with 3 ms, 1.74 with 1 ms. In total, 31.7k
 * ops against the sample's 26.6k (3 ms: 24.9k; 1 ms: 61.9k). The classic 4A tests never snapshot,
 * so each op makes every later persist longer.
 */
export const CLASSIC_HOP_DELAY_MS = 2;

export abstract class ServiceTester {
  readonly net: Network;
  readonly group: ServerGroup;
  readonly run: TestRun;
  readonly rafts: ServiceRafts;
  /** Partitions and crashes of this run, drawn on the linearizability picture. */
  private readonly annotations: Annotation[] = [];
  private openPartition: Annotation | undefined;

  constructor(
    readonly world: World,
    readonly nservers: number,
    readonly maxRaftState: number,
    makeRaft: RaftFactory,
  ) {
    this.net = new Network(world);
    this.rafts = new ServiceRafts(world, nservers, makeRaft, (i) => this.group.lastChange(i));
    this.group = new ServerGroup(world, this.net, nservers, (ends, i, persister, node) =>
      this.startService(ends, i, persister, node, this.rafts.factoryFor(i, node)),
    );
    this.run = new TestRun(
      world,
      nservers,
      () => this.net.getTotalCount(),
      () => this.net.reliable,
    );
  }

  /** Builds server i's service on the Raft factory given (subclasses; called by the group). */
  protected abstract startService(
    ends: ClientEnd[],
    i: number,
    persister: SimPersister,
    node: SimNode,
    makeRaft: RaftFactory,
  ): StartedServer;

  /** As MakeConfig: start and connect every server, then set the network (call at the end of the subclass's constructor). */
  protected startAll(reliable: boolean, hopDelayMs = KV_HOP_DELAY_MS): void {
    this.group.startServers();
    this.net.reliable = reliable;
    this.net.hopDelayMs = hopDelayMs;
  }

  begin(description: string): void {
    this.run.begin(description);
  }

  end(): void {
    this.run.end();
  }

  /** Crashes every server, annotated on the linearizability picture. */
  shutdownServers(): void {
    this.annotations.push({ start: this.world.now(), label: "shutdown all", tag: "servers", color: "#c0392b" });
    this.group.shutdown();
  }

  /** Restarts every server from its persister and connects them all. */
  startServers(): void {
    this.annotations.push({ start: this.world.now(), label: "restart all", tag: "servers", color: "#27ae60" });
    this.group.startServers();
    this.closePartition();
  }

  partition(p1: number[], p2: number[]): void {
    this.group.partition(p1, p2);
    this.closePartition();
    if (p1.length > 0 && p2.length > 0) {
      this.openPartition = {
        start: this.world.now(),
        label: `[${p1.join(",")}] | [${p2.join(",")}]`,
        tag: "partitions",
        color: "#e67e22",
      };
    }
  }

  connectAll(): void {
    this.group.connectAll();
    this.closePartition();
  }

  private closePartition(): void {
    if (!this.openPartition) return;
    this.annotations.push({ ...this.openPartition, end: this.world.now() });
    this.openPartition = undefined;
  }

  /** Re-partitions the servers at random every 1–1.2 s until stopped; checks for the stop between sleeps. */
  async partitioner(stop: { requested: boolean }): Promise<void> {
    const all = this.group.all();
    while (!stop.requested) {
      const side = all.map(() => this.world.rng.int(2));
      this.partition(
        all.filter((j) => side[j] === 0),
        all.filter((j) => side[j] === 1),
      );
      await this.world.sleep(ELECTION_TIMEOUT + this.world.rng.int(200));
    }
  }

  /** Raft state and snapshot limits after each GenericTest iteration. */
  checkSizes(): void {
    const m = this.maxRaftState;
    if (m > 0) {
      const sz = this.group.logSize();
      if (sz > 8 * m) fatal(`logs were not trimmed (${sz} > 8*${m})`);
    }
    if (m < 0) {
      const ssz = this.group.snapshotSize();
      if (ssz > 0) fatal(`snapshot too large (${ssz}), should not be used when maxraftstate = ${m}`);
    }
  }

  /** Linearizability of a recorded history, with this run's partitions and crashes on the picture. */
  protected checkLinearizable<I, O>(
    model: Model<unknown, I, O>,
    history: readonly Operation<I, O>[],
    title: string,
  ): void {
    checkHistory(this.world, history, this.annotations, this.openPartition, title, model);
  }

  cleanup(): void {
    this.group.shutdown();
    this.net.cleanup();
  }
}
