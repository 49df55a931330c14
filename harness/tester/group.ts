/**
 * A group of simulated servers, as tester1's config/group (the 6.5840 handout): each server slot has
 * a node, its private outgoing ends (fresh random names at every start), a saved persister, and the
 * services its start function returned. Connectivity is only the enabled flag of each directed end.
 */
import { World } from "../sim/world";
import { Network, SimServer } from "../sim/network";
import { SimNode } from "../sim/node";
import { SimPersister } from "../sim/persister";
import type { ClientEnd } from "../api/network";
import { recording } from "../sim/recorder";

/** A started server's services, registered by name ("Raft", "KVServer", ...), and how to stop them. */
export interface StartedServer {
  services: Record<string, object>;
  /** Called on shutdown (the 2025 `Kill()`); the harness cancels the node's timers regardless. */
  kill(): void;
}

/** Builds server i from its ends (ends[j] reaches server j), its persister and its node. */
export type StartServerFn = (ends: ClientEnd[], i: number, persister: SimPersister, node: SimNode) => StartedServer;

interface Slot {
  node: SimNode | undefined;
  endNames: string[];
  persister: SimPersister;
  started: StartedServer | undefined;
  connected: boolean;
  /** The last thing the tester did to this slot, and when: for failure messages that say what came just before. */
  lastChange: { t: number; what: string } | undefined;
}

export class ServerGroup {
  private readonly slots: Slot[];

  constructor(
    readonly world: World,
    readonly net: Network,
    readonly n: number,
    private readonly startFn: StartServerFn,
    readonly gid = 0,
  ) {
    this.slots = Array.from({ length: n }, () => ({
      node: undefined,
      endNames: [],
      persister: new SimPersister(),
      started: undefined,
      connected: false,
      lastChange: undefined,
    }));
  }

  serverName(i: number): string {
    return `server-${this.gid}-${i}`;
  }

  /** Starts a fresh instance in slot i with fresh end names and a copy of the saved persister. Connects nothing. */
  startServer(i: number): void {
    const slot = this.slots[i];
    if (slot.node?.alive) throw new Error(`harness bug: server ${i} is already running`);
    const node = this.world.startNode(this.serverName(i));
    recording()?.serverUp(this.serverName(i));
    slot.node = node;
    this.changed(i, node.generation > 1 ? `restarted (generation ${node.generation})` : "started");
    slot.endNames = Array.from({ length: this.n }, () => this.world.rng.string(20));
    const ends = slot.endNames.map((name, j) => {
      const end = this.net.makeEnd(name, node);
      this.net.connect(name, this.serverName(j));
      return end;
    });
    slot.persister = slot.persister.copy();
    slot.started = this.startFn(ends, i, slot.persister, node);
    const server = new SimServer(node);
    for (const [name, service] of Object.entries(slot.started.services)) server.addService(name, service);
    this.net.addServer(this.serverName(i), server);
  }

  /**
   * Crash: cut i off, delete its server, keep a copy of its persister (so later writes by the old
   * instance are lost), kill it, and cancel every timer of its node.
   */
  shutdownServer(i: number): void {
    const slot = this.slots[i];
    this.disconnect(i, this.all());
    this.changed(i, "crashed");
    this.net.deleteServer(this.serverName(i));
    slot.persister = slot.persister.copy();
    const started = slot.started;
    slot.started = undefined;
    if (slot.node) this.world.crashNode(slot.node);
    if (started) recording()?.serverDown(this.serverName(i));
    if (started) this.world.callImplementation(undefined, `kill() of server ${i}`, () => started.kill());
  }

  startServers(): void {
    for (let i = 0; i < this.n; i++) this.startServer(i);
    this.connectAll();
  }

  shutdown(): void {
    for (let i = 0; i < this.n; i++) this.shutdownServer(i);
  }

  /** Marks i connected and enables the ends between i and every connected server in `to`. */
  connect(i: number, to: number[]): void {
    this.slots[i].connected = true;
    for (const j of to) {
      if (!this.slots[j].connected) continue;
      this.enableEnd(i, j, true);
      this.enableEnd(j, i, true);
    }
  }

  /** Marks i disconnected and disables the ends between i and every server in `from`. */
  disconnect(i: number, from: number[]): void {
    this.slots[i].connected = false;
    for (const j of from) {
      this.enableEnd(i, j, false);
      this.enableEnd(j, i, false);
    }
    this.world.trace.record(this.world.now(), "disconnect", "tester", `server ${i} from [${from.join(",")}]`, i);
  }

  connectOne(i: number): void {
    this.connect(i, this.all());
    if (this.slots[i].lastChange?.t !== this.world.now()) this.changed(i, "reconnected");
    this.world.trace.record(this.world.now(), "connect", "tester", `server ${i}`, i);
  }

  disconnectAll(i: number): void {
    this.disconnect(i, this.all());
    this.changed(i, "disconnected");
  }

  connectAll(): void {
    for (let i = 0; i < this.n; i++) this.connectOne(i);
  }

  /** Full connectivity inside each side, none across. */
  partition(p1: number[], p2: number[]): void {
    for (const i of p1) {
      this.disconnect(i, p2);
      this.connect(i, p1);
    }
    for (const i of p2) {
      this.disconnect(i, p1);
      this.connect(i, p2);
    }
    for (const side of [p1, p2]) for (const i of side) this.changed(i, `partitioned with [${side.join(",")}]`);
  }

  /** What happened to server i last, e.g. "restarted (generation 2) 0 ms earlier, at 3.200s"; undefined if nothing yet. */
  lastChange(i: number): string | undefined {
    const c = this.slots[i].lastChange;
    if (!c || c.what === "started") return undefined; // the first start tells nothing
    return `${c.what} ${this.world.now() - c.t} ms earlier, at ${(c.t / 1000).toFixed(3)}s`;
  }

  private changed(i: number, what: string): void {
    this.slots[i].lastChange = { t: this.world.now(), what };
  }

  /**
   * Cuts (or heals) the link between i and j only, in both directions, leaving both connected to
   * everyone else: a network in which two servers cannot hear each other but a third hears both.
   */
  cutLink(i: number, j: number, cut = true): void {
    this.enableEnd(i, j, !cut);
    this.enableEnd(j, i, !cut);
    this.world.trace.record(this.world.now(), cut ? "cut" : "heal", "tester", `link ${i}-${j}`, i * 64 + j);
  }

  /**
   * Opens (or closes) the link from i to j in one direction only: i's calls reach j and their
   * replies come back, while j's calls to i still fail. A server cut off can then hear a leader
   * without its own calls telling anyone (or it) anything first.
   */
  oneWay(i: number, j: number, open = true): void {
    this.enableEnd(i, j, open);
    this.world.trace.record(this.world.now(), open ? "heal" : "cut", "tester", `link ${i}->${j}`, i * 64 + j);
  }

  /** p1: the first n/2+1 servers other than l; p2: the rest, with l last (always in the minority). */
  makePartition(l: number): [number[], number[]] {
    const others = this.all().filter((i) => i !== l);
    const majority = Math.floor(this.n / 2) + 1;
    return [others.slice(0, majority), [...others.slice(majority), l]];
  }

  isConnected(i: number): boolean {
    return this.slots[i].connected;
  }

  /** True while slot i has a running instance (started and not shut down). */
  isRunning(i: number): boolean {
    return this.slots[i].started !== undefined;
  }

  services(i: number): Record<string, object> | undefined {
    return this.slots[i].started?.services;
  }

  node(i: number): SimNode | undefined {
    return this.slots[i].node;
  }

  persister(i: number): SimPersister {
    return this.slots[i].persister;
  }

  /** Largest raft-state size over the group's persisters (tester1's LogSize / RaftSize). */
  logSize(): number {
    return Math.max(...this.slots.map((s) => s.persister.raftStateSize()));
  }

  snapshotSize(): number {
    return Math.max(...this.slots.map((s) => s.persister.snapshotSize()));
  }

  /** Incoming RPCs dispatched at server i. */
  rpcCount(i: number): number {
    return this.net.getCount(this.serverName(i));
  }

  all(): number[] {
    return Array.from({ length: this.n }, (_, i) => i);
  }

  private enableEnd(from: number, to: number, enabled: boolean): void {
    const name = this.slots[from].endNames[to];
    if (name !== undefined) this.net.enable(name, enabled);
  }
}
