/**
 * The rsm tester (the 6.5840 handout, modern kvraft1/rsm; 2026 behaviour where versions differ):
 * three servers, each a counter state machine on the graded rsm (on the graded Raft), reliable
 * network, no long delays. The tester calls `submit` directly, as the lab's control call does; a
 * submit on a server that is shut down returns ErrWrongLeader, as a call to a killed 2026 daemon.
 */
import { World } from "../sim/world";
import { Network } from "../sim/network";
import { SimNode } from "../sim/node";
import { SimPersister } from "../sim/persister";
import { TestFailure } from "../sim/errors";
import { encode, decode } from "../sim/codec";
import type { ClientEnd } from "../api/network";
import type { RSM, RsmFactory, StateMachine, SubmitResult } from "../api/rsm";
import type { RaftFactory } from "../api/raft";
import { ErrWrongLeader, OK } from "../api/rpc";
import { ServerGroup } from "./group";
import { TestRun, callAsync, callChecked, fatal, gradedLayer, hasMethods, showCommand as show } from "./harness";
import { ServiceRafts } from "./service-rafts";

/** Servers in every rsm test. */
export const NSRV = 3;
/** onePartition gives up after this long. */
export const NSEC = 10;

/** The requests the tester submits (Go's Inc{}, Null{}, Dec{}) and the replies doOp returns. */
export type CounterReq = { op: "Inc" } | { op: "Null" } | { op: "Dec" };
export const Inc: CounterReq = { op: "Inc" };
export const Null: CounterReq = { op: "Null" };
export const Dec: CounterReq = { op: "Dec" };
export interface IncRep {
  n: number;
}

const RSM_METHODS = ["submit", "raft", "kill"] as const;
const isRsm = hasMethods<RSM>(RSM_METHODS);
const isSubmitResult = (v: unknown): v is SubmitResult =>
  typeof v === "object" && v !== null && typeof (v as SubmitResult).err === "string";

/** The tester's state machine: a counter. Dec must never execute (it is only submitted to a minority). */
class CounterSM implements StateMachine {
  counter = 0;

  constructor(
    private readonly world: World,
    private readonly server: number,
  ) {}

  doOp(req: unknown): unknown {
    const op = (req as CounterReq | null)?.op;
    if (op === "Inc") return { n: ++this.counter } satisfies IncRep;
    if (op === "Null") return {};
    if (op === "Dec")
      this.fail("doOp(Dec) executed: Dec is only submitted to a leader cut off in a minority, so it must never commit");
    return this.fail(
      `doOp on server ${this.server} got ${show(req)}; expected one of the submitted requests (Inc, Null), unchanged`,
    );
  }

  snapshot(): Uint8Array {
    return encode(this.counter);
  }

  restore(data: Uint8Array): void {
    let value: unknown;
    try {
      value = decode(data);
    } catch {
      // reported below
    }
    if (!Number.isInteger(value))
      this.fail(
        `restore on server ${this.server}: the snapshot does not decode to the counter's snapshot (hand restore() the bytes snapshot() returned)`,
      );
    this.counter = value as number;
  }

  /** A fatal error raised inside graded code's call: fail the run even if the caller catches the throw. */
  private fail(message: string): never {
    const failure = new TestFailure(message);
    this.world.fail(failure);
    throw failure;
  }
}

interface Server {
  sm: CounterSM;
  rsm: RSM;
  node: SimNode;
}

export class RsmTester {
  readonly net: Network;
  readonly group: ServerGroup;
  readonly run: TestRun;
  readonly rafts: ServiceRafts;
  private readonly servers: (Server | undefined)[] = new Array(NSRV).fill(undefined);
  /** The last server whose submit succeeded (2026's leader guess). */
  leader = 0;

  constructor(
    readonly world: World,
    readonly maxRaftState: number,
    private readonly makeRsm: RsmFactory = gradedLayer("rsm"),
    makeRaft: RaftFactory = gradedLayer("raft"),
  ) {
    this.net = new Network(world);
    this.rafts = new ServiceRafts(world, NSRV, makeRaft, (i) => this.group.lastChange(i));
    this.group = new ServerGroup(world, this.net, NSRV, (ends, i, persister, node) =>
      this.startServer(ends, i, persister, node),
    );
    this.run = new TestRun(
      world,
      NSRV,
      () => this.net.getTotalCount(),
      () => this.net.reliable,
    );
    this.group.startServers();
    this.net.reliable = true;
  }

  begin(description: string): void {
    this.run.begin(description);
  }

  end(): void {
    this.run.end();
  }

  private startServer(ends: ClientEnd[], i: number, persister: SimPersister, node: SimNode) {
    const sm = new CounterSM(this.world, i);
    const makeRaft = this.rafts.factoryFor(i, node);
    const rsm = callChecked(
      this.world,
      node,
      `makeRsm(servers, ${i}, persister, ${this.maxRaftState}, sm, makeRaft)`,
      () => this.makeRsm(ends, i, persister, this.maxRaftState, sm, makeRaft),
      isRsm,
      `an RSM object with methods ${RSM_METHODS.join(", ")}`,
    );
    this.servers[i] = { sm, rsm, node };
    return {
      services: { Raft: this.rafts.raft(i) as object },
      kill: () => {
        this.servers[i] = undefined;
        this.rafts.stopped(i);
        node.run(() => rsm.kill());
      },
    };
  }

  /** Server i's rsm.submit(req); ErrWrongLeader if the server is down or crashes meanwhile. */
  async submit(i: number, req: CounterReq): Promise<SubmitResult> {
    const server = this.servers[i];
    if (!server) return { err: ErrWrongLeader };
    const result = await callAsync(
      this.world,
      server.node,
      `submit(${show(req)})`,
      () => server.rsm.submit(req),
      isSubmitResult,
      "{ err: OK or ErrWrongLeader, value }",
      { err: ErrWrongLeader },
    );
    if (result.err === OK) this.run.countOp();
    return result;
  }

  /**
   * Tries each connected server (in partition p, if given) once per round, starting at the last
   * leader, sleeping 50 ms between rounds, for up to NSEC; the first OK's value, else undefined.
   */
  async onePartition(p: number[] | undefined, req: CounterReq): Promise<unknown> {
    const t0 = this.world.now();
    while (this.world.now() - t0 < NSEC * 1000) {
      let index = this.leader;
      for (let k = 0; k < NSRV; k++) {
        if (this.group.isConnected(index) && (!p || p.includes(index)) && this.servers[index]) {
          const { err, value } = await this.submit(index, req);
          if (err === OK) {
            this.leader = index;
            return value;
          }
        }
        index = (index + 1) % NSRV;
      }
      await this.world.sleep(50);
    }
    return undefined;
  }

  /** Submits Inc until a leader applies it; its reply (the counter after it). */
  async oneInc(p?: number[]): Promise<IncRep> {
    const rep = await this.onePartition(p, Inc);
    if (rep === undefined) fatal(`Submit(Inc) did not succeed on any server within ${NSEC} s`);
    if (typeof rep !== "object" || rep === null || !Number.isInteger((rep as IncRep).n)) {
      fatal(`Submit(Inc) returned value ${show(rep)}; expected doOp's reply { n: counter } for that op`);
    }
    return rep as IncRep;
  }

  async oneNull(): Promise<unknown> {
    return this.onePartition(undefined, Null);
  }

  /** Waits (back-off from 10 ms, 30 polls) until at least n servers' counters equal v. */
  async checkCounter(v: number, n: number): Promise<void> {
    let to = 10;
    let count = 0;
    for (let iters = 0; iters < 30; iters++) {
      count = this.servers.filter((s) => s?.sm.counter === v).length;
      if (count >= n) return;
      await this.world.sleep(to);
      if (to < 1000) to *= 2;
    }
    fatal(`checkCounter: only ${count} srvs have ${v} instead of ${n}`);
  }

  /**
   * Calls server i's rsm.kill() while its process goes on running (2025's shutdown, an embedded
   * service): unlike a crash, nothing but the rsm itself can end the submissions that wait there.
   */
  killRsm(i: number): void {
    const server = this.servers[i];
    if (!server) return;
    this.world.callImplementation(server.node, "kill()", () => server.rsm.kill());
  }

  /** Disconnects the last leader from everyone; returns it. */
  disconnectLeader(): number {
    const l = this.leader;
    this.group.disconnectAll(l);
    return l;
  }

  connect(i: number): void {
    this.group.connectOne(i);
  }

  cleanup(): void {
    this.group.shutdown();
    this.net.cleanup();
  }
}
