/**
 * The classic kvraft tester (the 6.5840 handout, the 2020–2024 `kvraft/config.go` and
 * `test_test.go`): servers that drive the graded Raft directly; clerks with their own ends to every
 * server, shuffled, only some enabled; every Get/Put/Append recorded for the `kv-append` model; the
 * classic GenericTest with its per-client append checks (missing, duplicate, wrong-order elements),
 * GenericTestSpeed, and the helpers of the custom tests.
 */
import { World } from "../sim/world";
import { SimNode } from "../sim/node";
import { SimPersister } from "../sim/persister";
import type { ClientEnd } from "../api/network";
import type { RaftFactory } from "../api/raft";
import type { ClassicClerk, ClassicClerkFactory, ClassicKVServer, ClassicKVServerFactory } from "../api/classic";
import type { Model, Operation } from "../checker/model";
import { kvAppend, type AppendInput, type AppendOutput } from "../checker/models/kv-append";
import { background, callAsync, callChecked, fatal, gradedLayer, hasMethods } from "./harness";
import { ServiceTester, ELECTION_TIMEOUT, CLASSIC_HOP_DELAY_MS } from "./service-tester";
import { recording } from "../sim/recorder";

export { ELECTION_TIMEOUT };

/** GenericTest: iterations and the clients' phase in each (ms). */
const NITER = 3;
const CLIENT_PHASE_MS = 5000;
/** GenericTestSpeed: sequential Appends, and the time allowed per op (a third of a 100 ms heartbeat). */
const SPEED_OPS = 1000;
const SPEED_MS_PER_OP = 100 / 3;

export interface ClassicTestOptions {
  part: string;
  nclients: number;
  nservers: number;
  unreliable: boolean;
  crash: boolean;
  partitions: boolean;
  maxRaftState: number;
  randomKeys: boolean;
}

type AppendOperation = Operation<AppendInput, AppendOutput>;

const isServer = hasMethods<ClassicKVServer>(["kill"]);
const CLERK_METHODS = ["get", "put", "append"] as const;
const isClerk = hasMethods<ClassicClerk>(CLERK_METHODS);
const isString = (v: unknown): v is string => typeof v === "string";
const isVoid = (v: unknown): v is undefined => v === undefined || v === null;

/** A clerk as the tests use it: the graded clerk on its own ends, each call recorded when a log is given. */
export class ClassicTestClerk {
  constructor(
    private readonly ts: ClassicTester,
    readonly node: SimNode,
    /** End names by server index (the clerk sees them shuffled). */
    readonly endNames: string[],
    private readonly ck: ClassicClerk,
  ) {}

  async get(key: string, clientId = -1, record = true): Promise<string> {
    const call = this.ts.world.now();
    const value = await callAsync(
      this.ts.world,
      this.node,
      `clerk.get(${JSON.stringify(key)})`,
      () => this.ck.get(key),
      isString,
      'a string ("" for a missing key)',
    );
    this.ts.record(
      { clientId, input: { op: "get", key }, output: { value }, call, return: this.ts.world.now() },
      record,
    );
    return value;
  }

  async put(key: string, value: string, clientId = -1, record = true): Promise<void> {
    const call = this.ts.world.now();
    await callAsync(
      this.ts.world,
      this.node,
      `clerk.put(${JSON.stringify(key)}, ...)`,
      () => this.ck.put(key, value),
      isVoid,
      "nothing (a Promise<void>)",
    );
    this.ts.record(
      { clientId, input: { op: "put", key, value }, output: {}, call, return: this.ts.world.now() },
      record,
    );
  }

  async append(key: string, value: string, clientId = -1, record = true): Promise<void> {
    const call = this.ts.world.now();
    await callAsync(
      this.ts.world,
      this.node,
      `clerk.append(${JSON.stringify(key)}, ...)`,
      () => this.ck.append(key, value),
      isVoid,
      "nothing (a Promise<void>)",
    );
    this.ts.record(
      { clientId, input: { op: "append", key, value }, output: {}, call, return: this.ts.world.now() },
      record,
    );
  }
}

export class ClassicTester extends ServiceTester {
  private readonly history: AppendOperation[] = [];
  private clerks = 0;

  constructor(
    world: World,
    readonly opts: ClassicTestOptions,
    private readonly startKVServer: ClassicKVServerFactory = gradedLayer("classicKv"),
    makeRaft: RaftFactory = gradedLayer("raft"),
    private readonly makeClerkFn: ClassicClerkFactory = gradedLayer("classicClerk"),
  ) {
    super(world, opts.nservers, opts.maxRaftState, makeRaft);
    this.startAll(!opts.unreliable, CLASSIC_HOP_DELAY_MS);
  }

  /** The classic title: "Test: unreliable net, restarts, partitions, snapshots, random keys, many clients (4A)". */
  title(): string {
    const o = this.opts;
    return `Test: ${o.unreliable ? "unreliable net, " : ""}${o.crash ? "restarts, " : ""}${o.partitions ? "partitions, " : ""}${o.maxRaftState !== -1 ? "snapshots, " : ""}${o.randomKeys ? "random keys, " : ""}${o.nclients > 1 ? "many clients" : "one client"} (${o.part})`;
  }

  protected startService(ends: ClientEnd[], i: number, persister: SimPersister, node: SimNode, makeRaft: RaftFactory) {
    const kv = callChecked(
      this.world,
      node,
      `startClassicKVServer(servers, ${i}, persister, ${this.maxRaftState}, makeRaft)`,
      () => this.startKVServer(ends, i, persister, this.maxRaftState, makeRaft),
      isServer,
      "a KV server object with a kill method (its other methods are its RPC handlers)",
    );
    return {
      services: { KVServer: kv as object, Raft: this.rafts.raft(i) as object },
      kill: () => {
        this.rafts.stopped(i);
        node.run(() => kv.kill());
      },
    };
  }

  /** The index of a server whose Raft says it is leader, if any (the classic `Leader()`). */
  leader(): number | undefined {
    return this.group.all().find((i) => this.group.isRunning(i) && this.rafts.getState(i).isLeader);
  }

  /** Classic make_partition: the leader alone at the end of the minority. */
  makePartition(): [number[], number[]] {
    const l = this.leader() ?? 0;
    return this.group.makePartition(l);
  }

  // --- clerks --------------------------------------------------------------------------------------

  /** A clerk with ends to every server, shuffled, only those in `to` enabled (default all). */
  makeClient(to: number[] = this.group.all()): ClassicTestClerk {
    const node = this.world.startNode(`clerk-${this.clerks++}`);
    const endNames = this.group.all().map(() => this.world.rng.string(20));
    const ends = endNames.map((name, j) => {
      const end = this.net.makeEnd(name, node);
      this.net.connect(name, this.group.serverName(j));
      return end;
    });
    const shuffled = this.world.rng.shuffle(ends.slice());
    const ck = callChecked(
      this.world,
      node,
      "makeClassicClerk(servers)",
      () => this.makeClerkFn(shuffled),
      isClerk,
      `a Clerk object with methods ${CLERK_METHODS.join(", ")}`,
    );
    const clerk = new ClassicTestClerk(this, node, endNames, ck);
    this.connectClient(clerk, to);
    return clerk;
  }

  /** Enables exactly the clerk's ends to `to`. */
  connectClient(ck: ClassicTestClerk, to: number[]): void {
    ck.endNames.forEach((name, j) => this.net.enable(name, to.includes(j)));
  }

  deleteClient(ck: ClassicTestClerk): void {
    for (const name of ck.endNames) this.net.deleteEnd(name);
    this.world.crashNode(ck.node);
  }

  record(op: AppendOperation, intoHistory: boolean): void {
    if (intoHistory) this.history.push(op);
    recording()?.clientOp(op.clientId, op.call, op.return, kvAppend.describeOperation(op.input, op.output));
    this.run.countOp();
  }

  /** Get must return exactly `value`. */
  async check(ck: ClassicTestClerk, key: string, value: string): Promise<void> {
    const v = await ck.get(key, -1, false);
    if (v !== value) fatal(`Get(${key}): expected:\n${value}\nreceived:\n${v}`);
  }

  /** Starts n clients, each with its own clerk to every server, and waits for all of them. */
  async spawnClientsAndWait(n: number, fn: (cli: number, ck: ClassicTestClerk) => Promise<void>): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, async (_, cli) => {
        const ck = this.makeClient();
        await fn(cli, ck);
        this.deleteClient(ck);
      }),
    );
  }

  /** GenericTest (classic): three rounds of 5 s of appends and checked gets, then one linearizability check. */
  async genericTest(): Promise<void> {
    const o = this.opts;
    this.begin(this.title());
    const ck = this.makeClient();
    const counts = new Array<number>(o.nclients).fill(0);

    for (let i = 0; i < NITER; i++) {
      const done = { clients: false, partitioner: false };
      const clients = background(
        this.world,
        this.spawnClientsAndWait(o.nclients, async (cli, myck) => {
          let j = 0;
          let last = ""; // only used when not randomkeys
          if (!o.randomKeys) await myck.put(String(cli), last, cli);
          while (!done.clients) {
            const key = o.randomKeys ? String(this.world.rng.int(o.nclients)) : String(cli);
            const nv = `x ${cli} ${j} y`;
            if (this.world.rng.int(1000) < 500) {
              await myck.append(key, nv, cli);
              if (!o.randomKeys) last += nv;
              j++;
            } else if (o.randomKeys && this.world.rng.int(1000) < 100) {
              // only with random keys: a Put would break the Get check below
              await myck.put(key, nv, cli);
              j++;
            } else {
              const v = await myck.get(key, cli);
              if (!o.randomKeys && v !== last)
                fatal(`get wrong value, key ${key}, wanted:\n${clip(last)}\n, got\n${clip(v)}\n`);
            }
          }
          counts[cli] = j;
        }),
      );

      let partitioner: Promise<void> | undefined;
      const stop = { requested: false };
      if (o.partitions) {
        // let the clients work uninterrupted for a while first
        await this.world.sleep(1000);
        partitioner = this.partitioner(stop);
      }
      await this.world.sleep(CLIENT_PHASE_MS);
      done.clients = true; // tell clients to quit
      stop.requested = true; // and the partitioner

      if (partitioner) {
        await partitioner;
        // A request stuck in a minority finishes once its server learns of a new term.
        this.connectAll();
        await this.world.sleep(ELECTION_TIMEOUT);
      }

      if (o.crash) {
        this.shutdownServers();
        await this.world.sleep(ELECTION_TIMEOUT);
        this.startServers();
      }

      await clients;
      for (let cli = 0; cli < o.nclients; cli++) {
        const v = await ck.get(String(cli), 0);
        if (!o.randomKeys) checkClntAppends(cli, v, counts[cli]);
      }

      this.checkSizes();
    }

    this.checkLinearizable(
      kvAppend as unknown as Model<unknown, AppendInput, AppendOutput>,
      this.history,
      this.title(),
    );
    this.end();
  }

  /** GenericTestSpeed (classic): 1000 sequential Appends, each within a third of a heartbeat on average. */
  async genericTestSpeed(): Promise<void> {
    this.begin(`Test: ops complete fast enough (${this.opts.part})`);
    const ck = this.makeClient();
    // wait until the first op completes, so a leader is elected and the servers are ready
    await ck.get("x", -1, false);
    const start = this.world.now();
    for (let i = 0; i < SPEED_OPS; i++) await ck.append("x", `x 0 ${i} y`, -1, false);
    const dur = this.world.now() - start;
    const v = await ck.get("x", -1, false);
    checkClntAppends(0, v, SPEED_OPS);
    if (dur > SPEED_OPS * SPEED_MS_PER_OP) {
      fatal(
        `Operations completed too slowly ${(dur / SPEED_OPS).toFixed(3)}ms/op > ${SPEED_MS_PER_OP.toFixed(6)}ms/op`,
      );
    }
    this.end();
  }
}

/** Client `clnt`'s appends "x clnt 0 y" … "x clnt count-1 y" must each appear once, in order. */
export function checkClntAppends(clnt: number, v: string, count: number): void {
  let lastoff = -1;
  for (let j = 0; j < count; j++) {
    const wanted = `x ${clnt} ${j} y`;
    const off = v.indexOf(wanted);
    if (off < 0) fatal(`${clnt} missing element ${wanted} in Append result ${clip(v)}`);
    if (v.lastIndexOf(wanted) !== off) fatal(`duplicate element ${wanted} in Append result`);
    if (off <= lastoff) fatal(`wrong order for element ${wanted} in Append result`);
    lastoff = off;
  }
}

/** A value as a message shows it: long Append results keep their start and end. */
function clip(v: string): string {
  return v.length <= 400
    ? JSON.stringify(v)
    : `${JSON.stringify(v.slice(0, 150))} … ${JSON.stringify(v.slice(-150))} (${v.length} characters)`;
}

/** Every client's appends, checked as checkClntAppends does, in one value. */
export function checkConcurrentAppends(v: string, counts: number[]): void {
  counts.forEach((count, i) => checkClntAppends(i, v, count));
}
