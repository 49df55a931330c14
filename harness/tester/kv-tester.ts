/**
 * The KV tester (the 6.5840 handout, modern kvraft1 + kvtest1; 2026 behaviour where versions
 * differ): a group of KV servers (graded KV server on the graded rsm on the graded Raft), clerks
 * with their own client ends, every clerk call recorded in virtual time for the linearizability
 * checker, and the lab's helpers — PutAtLeastOnce, CheckGet, OnePut, SpawnClientsAndWait,
 * CheckPutConcurrent, the partitioner, GenericTest and GenericTestSpeed.
 */
import { World } from "../sim/world";
import { SimNode } from "../sim/node";
import { SimPersister } from "../sim/persister";
import { Channel } from "../api/channel";
import type { ClientEnd } from "../api/network";
import type { Clerk, ClerkFactory, GetResult, KVServer, KVServerFactory } from "../api/kv";
import type { RaftFactory } from "../api/raft";
import type { RsmFactory } from "../api/rsm";
import { ErrMaybe, ErrVersion, OK, type Err, type Tversion } from "../api/rpc";
import type { Model, Operation } from "../checker/model";
import { kvVersioned, type VersionedInput, type VersionedOutput } from "../checker/models/kv-versioned";
import { TesterClnt } from "./clnt";
import { background, callAsync, callChecked, fatal, gradedLayer, hasMethods } from "./harness";
import { ServiceTester, ELECTION_TIMEOUT } from "./service-tester";
import { recording } from "../sim/recorder";

export { ELECTION_TIMEOUT };
/** GenericTest: iterations, client phase (ms), keys when random. */
const NITER = 3;
const CLIENT_PHASE_MS = 1000;
const NKEYS = 100;
/** GenericTestSpeed: sequential Puts, and the time allowed per Put (a third of a 100 ms heartbeat). */
const SPEED_OPS = 1000;
const SPEED_MS_PER_OP = 100 / 3;

export interface KVTestOptions {
  part: string;
  nclients: number;
  nservers: number;
  reliable: boolean;
  crash: boolean;
  partitions: boolean;
  maxRaftState: number;
  randomKeys: boolean;
}

/** A clerk's totals: Puts reported OK, and Puts that ended in ErrMaybe. */
export interface ClntRes {
  nok: number;
  nmaybe: number;
}

type KVOperation = Operation<VersionedInput, VersionedOutput>;

const KV_METHODS = ["get", "put", "kill"] as const;
const CLERK_METHODS = ["get", "put"] as const;
const isKVServer = hasMethods<KVServer>(KV_METHODS);
const isClerk = hasMethods<Clerk>(CLERK_METHODS);
const isGetResult = (v: unknown): v is GetResult =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as GetResult).value === "string" &&
  Number.isInteger((v as GetResult).version) &&
  typeof (v as GetResult).err === "string";
const isErr = (v: unknown): v is Err => typeof v === "string";

/** A clerk as the tests use it: the graded clerk on its own client, each call recorded. */
export class TestClerk {
  constructor(
    private readonly ts: KVTester,
    readonly clnt: TesterClnt,
    readonly ck: Clerk,
  ) {}

  get node(): SimNode {
    return this.clnt.node;
  }

  async get(key: string, clientId = 0): Promise<GetResult> {
    const call = this.ts.world.now();
    const r = await callAsync(
      this.ts.world,
      this.node,
      `clerk.get(${JSON.stringify(key)})`,
      () => this.ck.get(key),
      isGetResult,
      "{ value: string, version: integer, err }",
    );
    this.ts.record({
      clientId,
      input: { op: "get", key },
      output: { value: r.value, version: r.version, err: r.err },
      call,
      return: this.ts.world.now(),
    });
    return r;
  }

  async put(key: string, value: string, version: Tversion, clientId = 0): Promise<Err> {
    const call = this.ts.world.now();
    const err = await callAsync(
      this.ts.world,
      this.node,
      `clerk.put(${JSON.stringify(key)}, ..., ${version})`,
      () => this.ck.put(key, value, version),
      isErr,
      "an Err string",
    );
    this.ts.record({
      clientId,
      input: { op: "put", key, value, version },
      output: { err },
      call,
      return: this.ts.world.now(),
    });
    return err;
  }

  /** The clerk's idea of the leader (2026's Clerk.Leader()); undefined if it has none to offer. */
  leader(): number | undefined {
    if (typeof this.ck.leader !== "function") return undefined;
    const l = this.ts.world.callImplementation(this.node, "clerk.leader()", () => this.ck.leader!());
    return Number.isInteger(l) ? l : undefined;
  }
}

export class KVTester extends ServiceTester {
  /** Every recorded clerk operation, for the linearizability check. */
  private readonly history: KVOperation[] = [];
  private clerks = 0;

  constructor(
    world: World,
    readonly opts: KVTestOptions,
    private readonly startKVServer: KVServerFactory = gradedLayer("kv"),
    private readonly makeRsm: RsmFactory = gradedLayer("rsm"),
    makeRaft: RaftFactory = gradedLayer("raft"),
    private readonly makeClerkFn: ClerkFactory = gradedLayer("clerk"),
  ) {
    super(world, opts.nservers, opts.maxRaftState, makeRaft);
    this.startAll(opts.reliable);
  }

  /** The lab's title: "Test: restarts, partitions, snapshots, random keys, many clients (4B)". */
  title(): string {
    const o = this.opts;
    return `Test: ${o.crash ? "restarts, " : ""}${o.partitions ? "partitions, " : ""}${o.maxRaftState !== -1 ? "snapshots, " : ""}${o.randomKeys ? "random keys, " : ""}${o.nclients > 1 ? "many clients" : "one client"} (${o.part})`;
  }

  protected startService(ends: ClientEnd[], i: number, persister: SimPersister, node: SimNode, makeRaft: RaftFactory) {
    const kv = callChecked(
      this.world,
      node,
      `startKVServer(servers, 0, ${i}, persister, ${this.opts.maxRaftState}, makeRsm, makeRaft)`,
      () => this.startKVServer(ends, 0, i, persister, this.opts.maxRaftState, this.makeRsm, makeRaft),
      isKVServer,
      `a KVServer object with methods ${KV_METHODS.join(", ")}`,
    );
    return {
      services: { KVServer: kv as object, Raft: this.rafts.raft(i) as object },
      kill: () => {
        this.rafts.stopped(i);
        node.run(() => kv.kill());
      },
    };
  }

  // --- clerks ------------------------------------------------------------------------------------

  /** A clerk allowed to reach `to` (server indices; default all), on its own node and client. */
  makeClerk(to?: number[]): TestClerk {
    const node = this.world.startNode(`clerk-${this.clerks++}`);
    const names = this.group.all().map((i) => this.group.serverName(i));
    const clnt = new TesterClnt(
      this.world,
      this.net,
      node,
      to?.map((i) => this.group.serverName(i)),
    );
    const ck = callChecked(
      this.world,
      node,
      "makeClerk(clnt, servers)",
      () => this.makeClerkFn(clnt, names),
      isClerk,
      `a Clerk object with methods ${CLERK_METHODS.join(", ")}`,
    );
    return new TestClerk(this, clnt, ck);
  }

  deleteClerk(ck: TestClerk): void {
    ck.clnt.delete();
  }

  record(op: KVOperation): void {
    this.history.push(op);
    recording()?.clientOp(op.clientId, op.call, op.return, kvVersioned.describeOperation(op.input, op.output));
    this.run.countOp();
  }

  // --- the lab's helpers ---------------------------------------------------------------------------

  /** Puts until one attempt is OK, moving to the next version after ErrMaybe/ErrVersion; the new version. */
  async putAtLeastOnce(ck: TestClerk, key: string, value: string, ver: Tversion, me: number): Promise<Tversion> {
    for (;;) {
      const err = await ck.put(key, value, ver, me);
      if (err === OK) return ver + 1;
      if (err === ErrMaybe || err === ErrVersion) ver += 1;
      else if (ver !== 0) fatal(`Put wrong err ${err}`); // with ver 0, ErrNoKey-like answers may just mean "retry"
    }
  }

  /** Get must return OK with exactly this value and version. */
  async checkGet(ck: TestClerk, key: string, value: string, version: Tversion): Promise<void> {
    const r = await ck.get(key, 0);
    if (r.err !== OK) fatal(`Get(${key}) returns error = ${r.err}`);
    if (r.value !== value || r.version !== version)
      fatal(`Get(${key}) returns (${r.value}, ${r.version}) != (${value}, ${version})`);
  }

  /** Get that must succeed, decoding the stored JSON entry; the server's version. */
  private async getJson(
    ck: TestClerk,
    key: string,
    me: number,
  ): Promise<{ entry: { Id: number; V: number }; version: Tversion }> {
    const r = await ck.get(key, me);
    if (r.err !== OK) fatal(`${me}: Get "${key}" err ${r.err}`);
    try {
      return { entry: JSON.parse(r.value), version: r.version };
    } catch {
      return fatal(
        `Unmarshal err: Get "${key}" returned ${JSON.stringify(r.value)}, which is not a value any client put`,
      );
    }
  }

  /** One Put of {Id: me, V: ver}, retried on ErrVersion; the server's version and whether the Put said OK. */
  async onePut(me: number, ck: TestClerk, key: string, ver: Tversion): Promise<{ ver: Tversion; ok: boolean }> {
    for (;;) {
      const err = await ck.put(key, JSON.stringify({ Id: me, V: ver }), ver, me);
      if (!(err === OK || err === ErrVersion || err === ErrMaybe)) fatal(`Wrong error ${err}`);
      const { entry, version } = await this.getJson(ck, key, me);
      if (err === OK && version === ver + 1 && entry.Id !== me && entry.V !== ver)
        fatal(`Wrong value ${JSON.stringify(entry)}`);
      ver = version;
      if (err === OK || err === ErrMaybe) return { ver, ok: err === OK };
    }
  }

  /** A client of GenericTest: OnePut after OnePut until told to stop. */
  async oneClientPut(cli: number, ck: TestClerk, keys: string[], done: Channel<void>): Promise<ClntRes> {
    const res: ClntRes = { nok: 0, nmaybe: 0 };
    const verm = new Map(keys.map((k) => [k, 0]));
    while (!done.tryRecv()) {
      const k = this.opts.randomKeys ? keys[this.world.rng.int(keys.length)] : keys[0];
      const { ver, ok } = await this.onePut(cli, ck, k, verm.get(k)!);
      verm.set(k, ver);
      if (ok) res.nok++;
      else res.nmaybe++;
    }
    return res;
  }

  /**
   * Starts n clients, each with its own clerk; after `ms`, tells them to stop one at a time (each
   * finishes its current operation first, as Go's unbuffered done channel); their results.
   */
  async spawnClientsAndWait(
    n: number,
    ms: number,
    fn: (cli: number, ck: TestClerk, done: Channel<void>) => Promise<ClntRes>,
  ): Promise<ClntRes[]> {
    const done = new Channel<void>(0, "the clients' done channel");
    const clients = Array.from({ length: n }, async (_, cli) => {
      const ck = this.makeClerk();
      const res = await fn(cli, ck, done);
      this.deleteClerk(ck);
      return res;
    });
    await this.world.sleep(ms);
    for (let i = 0; i < n; i++) await done.send(undefined);
    return Promise.all(clients);
  }

  /**
   * The server's version of `key` must match the clients' Puts: exactly their OKs on a reliable
   * network without crashes or partitions (2026), else at most their OKs plus their ErrMaybes.
   */
  async checkPutConcurrent(ck: TestClerk, key: string, rs: ClntRes[], res: ClntRes): Promise<void> {
    const { version } = await this.getJson(ck, key, -1);
    for (const r of rs) {
      res.nok += r.nok;
      res.nmaybe += r.nmaybe;
    }
    const exact = this.opts.reliable && !this.opts.crash && !this.opts.partitions;
    const show = `{nok: ${res.nok}, nmaybe: ${res.nmaybe}}`;
    if (exact && version !== res.nok) fatal(`Wrong number of puts: server ${version} clnts ${show}`);
    if (!exact && version > res.nok + res.nmaybe) fatal(`Wrong number of puts: server ${version} clnts ${show}`);
  }

  /** Linearizability of everything recorded so far (1 s budget; a timeout passes with a warning). */
  checkPorcupine(): void {
    this.checkLinearizable(
      kvVersioned as unknown as Model<unknown, VersionedInput, VersionedOutput>,
      this.history,
      this.title(),
    );
  }

  /** GenericTest: three rounds of concurrent clients, with partitions and crashes as configured. */
  async genericTest(): Promise<void> {
    this.begin(this.title());
    const ck = this.makeClerk();
    const res: ClntRes = { nok: 0, nmaybe: 0 };
    const keys = this.opts.randomKeys ? Array.from({ length: NKEYS }, (_, i) => `k${i}`) : ["k"];

    for (let i = 0; i < NITER; i++) {
      const clients = background(
        this.world,
        (async () => {
          const rs = await this.spawnClientsAndWait(this.opts.nclients, CLIENT_PHASE_MS, (cli, clerk, done) =>
            this.oneClientPut(cli, clerk, keys, done),
          );
          if (!this.opts.randomKeys) await this.checkPutConcurrent(ck, keys[0], rs, res);
        })(),
      );

      let partitioner: Promise<void> | undefined;
      const stop = { requested: false };
      if (this.opts.partitions) {
        // let the clients work uninterrupted for a while first
        await this.world.sleep(1000);
        partitioner = this.partitioner(stop);
      }

      await clients;
      this.checkPorcupine();

      if (partitioner) {
        stop.requested = true;
        await partitioner;
        // A request stuck in a minority finishes once its server learns of a new term.
        this.connectAll();
        await this.world.sleep(ELECTION_TIMEOUT);
      }

      if (this.opts.crash) {
        this.shutdownServers();
        await this.world.sleep(ELECTION_TIMEOUT);
        this.startServers();
      }

      this.checkSizes();
    }
    this.end();
  }

  /** GenericTestSpeed: 1000 sequential Puts by one clerk, each within a third of a heartbeat on average. */
  async genericTestSpeed(): Promise<void> {
    this.begin(`Test: ops complete fast enough (${this.opts.part})`);
    const ck = this.makeClerk();
    // wait until the first op completes, so a leader is elected and the servers are ready
    await ck.get("x");
    const start = this.world.now();
    for (let i = 0; i < SPEED_OPS; i++) {
      const err = await ck.put("k", String(i), i);
      if (err !== OK) fatal(`Put err ${err}`);
    }
    const dur = this.world.now() - start;
    const r = await ck.get("k");
    if (r.err !== OK) fatal(`Get err ${r.err}`);
    if (r.version !== SPEED_OPS) fatal(`Get too few ops ${r.version}`);
    if (dur > SPEED_OPS * SPEED_MS_PER_OP) {
      fatal(
        `Operations completed too slowly ${(dur / SPEED_OPS).toFixed(3)}ms/op > ${SPEED_MS_PER_OP.toFixed(6)}ms/op`,
      );
    }
    this.end();
  }
}
