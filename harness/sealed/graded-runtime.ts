/**
 * The graded side of a sealed run: a process of its own that holds the submission's modules and
 * this small runtime, nothing else of the harness (no world, network, tester, checker, grader
 * setting or result channel). It implements what graded code is handed — client ends, clerk
 * clients, persisters, the tester's applyCh, a tester's state machine — as stubs that turn each
 * use into an effect for the judging side, and it owns the clocks graded code can see (timers,
 * Date, performance.now, process.hrtime) and a seeded Math.random. See protocol.ts.
 */
import { format } from "node:util";
import { SimNode, currentNode, nodeOfPromise, unhandledErrorPrefix } from "../sim/node";
import { encode, decode } from "../sim/codec";
import { Rng } from "../sim/rng";
import { setAmbient } from "../sim/ambient";
import { SimPersister } from "../sim/persister";
import { Channel, watchSends } from "../api/channel";
import { loadLayer } from "../run/load";
import { instrumentGradedFiles } from "../run/coverage";
import { handlerNames } from "../sim/handlers";
import { SyncPipe, PipeClosed } from "./pipe";
import { describeThrown } from "../sim/errors";
import {
  toBase64,
  fromBase64,
  thrownOf,
  rebuild,
  type Arg,
  type Command,
  type Effect,
  type FromGraded,
  type GradedLayerName,
  type Thrown,
  type ToGraded,
  type Wire,
} from "./protocol";

/** The real functions the runtime itself needs, taken before graded code can replace them. */
const realSetImmediate = setImmediate;
const RealDate = Date;
const realExit = process.exit.bind(process);

const never = <T>() => new Promise<T>(() => {});

class GradedRuntime {
  private now = 0;
  private rng: Rng;
  private effects: Effect[] = [];
  private readonly nodes = new Map<number, SimNode>();
  private readonly nodeIds = new Map<SimNode, number>();
  private readonly objects = new Map<number, object>();
  private readonly objectIds = new Map<object, number>();
  private nextObject = 1;
  private readonly timers = new Map<
    number,
    { node: SimNode | undefined; kind: "timeout" | "interval" | "immediate"; fn: Function; args: unknown[] }
  >();
  private nextTimer = 1;
  private readonly hostCalls = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void; decodeAs: (w: Wire | undefined) => unknown }
  >();
  private nextHostCall = 1;
  private readonly stubs = new Map<number, unknown>();
  /** Rafts whose getState() goes with every answer, with the node each lives in. */
  private readonly rafts = new Map<number, SimNode | undefined>();
  private nextWait = 1;
  private activityAt = -1;
  private activity = 0;
  private livelocked = false;
  private readonly factories = new Map<GradedLayerName, Function | string>();
  private readonly persisters = new Map<number, GradedPersister>();

  constructor(
    private readonly pipe: SyncPipe,
    private readonly init: Extract<ToGraded, { t: "init" }>,
  ) {
    // Until the run begins (modules loading), a fixed stream, so loading is the same every time.
    this.rng = new Rng("graded: loading");
  }

  // --- the loop --------------------------------------------------------------------------------

  async serve(): Promise<void> {
    for (;;) {
      const frame = this.pipe.read<ToGraded>();
      if (frame.t === "begin") {
        // A stream of the run's own, apart from the judge's (which decides the network's fates).
        this.rng = new Rng(`graded ${frame.seed}`);
        continue;
      }
      if (frame.t === "stop") {
        this.pipe.write({
          t: "bye",
          coverage: (globalThis as { __coverage__?: unknown }).__coverage__,
        } satisfies FromGraded);
        return;
      }
      if (frame.t !== "step") throw new Error(`graded side: unexpected frame ${frame.t}`);
      this.now = frame.now;
      for (const cmd of frame.cmds) this.execute(cmd);
      // Every promise continuation the step started runs before the answer: one real macrotask
      // hop drains the microtask queue (graded code has no real timers to wait on).
      await new Promise<void>((resolve) => realSetImmediate(resolve));
      this.checkGlobals();
      const states = this.states();
      const fx = this.effects;
      this.effects = [];
      this.pipe.write({ t: "done", fx, states } satisfies FromGraded);
    }
  }

  private execute(cmd: Command): void {
    switch (cmd.c) {
      case "node": {
        const hash = cmd.label.lastIndexOf("#");
        const node = new SimNode(cmd.label.slice(0, hash), Number(cmd.label.slice(hash + 1)));
        this.nodes.set(cmd.node, node);
        this.nodeIds.set(node, cmd.node);
        return;
      }
      case "make": {
        const factory = this.factory(cmd.layer);
        this.invoke(
          cmd.id,
          cmd.node,
          () => (factory as Function)(...cmd.args.map((a) => this.arg(a))),
          cmd.layer === "raft",
        );
        return;
      }
      case "call": {
        const obj = this.objects.get(cmd.obj) as Record<string, Function> | undefined;
        if (!obj)
          return this.emit({
            e: "threw",
            id: cmd.id,
            error: { name: "Error", message: `harness bug: no graded object #${cmd.obj}` },
          });
        this.invoke(cmd.id, cmd.node, () => obj[cmd.method](...cmd.args.map((a) => this.arg(a))), false);
        return;
      }
      case "fire":
        return this.fire(cmd.timer);
      case "settle": {
        const call = this.hostCalls.get(cmd.id);
        if (!call) return;
        this.hostCalls.delete(cmd.id);
        if (cmd.ok) call.resolve(call.decodeAs(cmd.r));
        else call.reject(new Error(cmd.error ?? "the call failed"));
        return;
      }
      case "crash": {
        const node = this.nodes.get(cmd.node);
        if (!node) return;
        for (const id of node.timers.keys()) this.timers.delete(id);
        node.crash();
        return;
      }
      case "read": {
        const p = this.persisters.get(cmd.persister);
        const contents = p ? { state: p.readRaftState(), snapshot: p.readSnapshot() } : undefined;
        this.emit({ e: "ret", id: cmd.id, r: contents ? { v: toBase64(encode(contents)) } : { u: 1 } });
        return;
      }
    }
  }

  /** Runs one call of graded code in its node; its value (or throw) becomes the call's answer. */
  private invoke(id: number, nodeId: number | undefined, fn: () => unknown, isRaft: boolean): void {
    const node = nodeId === undefined ? undefined : this.nodes.get(nodeId);
    let value: unknown;
    try {
      value = node ? node.run(fn) : fn();
    } catch (e) {
      return this.emit({ e: "threw", id, error: thrownOf(e) });
    }
    const r = this.wire(value);
    if (isRaft && "obj" in r) this.rafts.set(r.obj, node);
    this.emit({ e: "ret", id, r });
    if ("promise" in r) {
      (value as Promise<unknown>).then(
        (v) => this.emit({ e: "settled", id, ok: true, r: this.wire(v) }),
        (e) => this.emit({ e: "settled", id, ok: false, error: thrownOf(e) }),
      );
    }
  }

  /** getState() of every live Raft, in its node, for the judging side's checks. */
  private states(): [number, { r: Wire } | { error: Thrown }][] {
    const out: [number, { r: Wire } | { error: Thrown }][] = [];
    for (const [id, node] of this.rafts) {
      if (node && !node.alive) {
        this.rafts.delete(id);
        continue;
      }
      const raft = this.objects.get(id) as { getState?: () => unknown };
      if (typeof raft?.getState !== "function") continue;
      try {
        out.push([id, { r: this.wire(node ? node.run(() => raft.getState!()) : raft.getState()) }]);
      } catch (e) {
        out.push([id, { error: thrownOf(e) }]);
      }
    }
    return out;
  }

  private emit(effect: Effect): void {
    this.effects.push(effect);
  }

  private nodeId(node: SimNode | undefined): number | undefined {
    return node ? this.nodeIds.get(node) : undefined;
  }

  // --- values ----------------------------------------------------------------------------------

  wire(value: unknown): Wire {
    if (value === undefined) return { u: 1 };
    if (value !== null && (typeof value === "object" || typeof value === "function")) {
      if (typeof (value as { then?: unknown }).then === "function") return { promise: 1 };
      const methods =
        typeof value === "object" && !Array.isArray(value) && !ArrayBuffer.isView(value) ? handlerNames(value) : [];
      if (methods.length > 0 || typeof value === "function") {
        let id = this.objectIds.get(value);
        if (id === undefined) {
          id = this.nextObject++;
          this.objectIds.set(value, id);
          this.objects.set(id, value);
        }
        return { obj: id, methods, cls: (value as { constructor?: { name?: string } }).constructor?.name ?? "Object" };
      }
    }
    try {
      return { v: toBase64(encode(value)) };
    } catch (e) {
      return { bad: e instanceof Error ? e.message : String(e) };
    }
  }

  unwire(w: Wire | undefined): unknown {
    if (!w || "u" in w) return undefined;
    if ("v" in w) return decode(fromBase64(w.v));
    if ("obj" in w) return this.objects.get(w.obj);
    throw new Error(`harness bug: cannot take ${JSON.stringify(w)} as a value`);
  }

  private arg(a: Arg): unknown {
    if ("v" in a || "u" in a) return this.unwire(a);
    if ("obj" in a) return this.objects.get(a.obj);
    if ("list" in a) return a.list.map((x) => this.arg(x));
    if ("persister" in a) return new GradedPersister(this, a.persister, fromBase64(a.state), fromBase64(a.snapshot));
    if ("factory" in a) return a.observe === undefined ? this.factory(a.factory) : this.observedRaftFactory(a.observe);
    let stub = this.stubs.get(a.host);
    if (!stub) {
      stub = this.stub(a.host, a.kind, a.methods ?? []);
      this.stubs.set(a.host, stub);
    }
    return stub;
  }

  private factory(layer: GradedLayerName): Function {
    let f = this.factories.get(layer);
    if (f === undefined) {
      const ref = this.init.layers[layer];
      try {
        f = ref === undefined ? `no module was selected for the ${layer} layer` : (loadLayer(layer, ref) as Function);
      } catch (e) {
        f = e instanceof Error ? e.message : String(e);
      }
      this.factories.set(layer, f);
    }
    if (typeof f === "string") throw new Error(f);
    return f;
  }

  /** Load errors of every selected layer, before the first run step (null: loaded). */
  loadAll(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const layer of Object.keys(this.init.layers) as GradedLayerName[]) {
      try {
        this.factory(layer);
        out[layer] = null;
      } catch (e) {
        out[layer] = e instanceof Error ? e.message : String(e);
      }
    }
    return out;
  }

  /** The Raft factory handed to a service: reports the Raft it makes, and what it applies. */
  private observedRaftFactory(tag: number): Function {
    const makeRaft = this.factory("raft");
    return (peers: unknown, me: unknown, persister: unknown, applyCh: unknown) => {
      if (applyCh instanceof Channel)
        watchSends(applyCh, (msg) => this.emit({ e: "applied", tag, msg: this.wire(msg) }));
      else
        this.emit({
          e: "warn",
          message: `the service of Raft tag ${tag} handed its Raft an applyCh that is not a harness Channel: what Raft applies there is not checked`,
        });
      const raft = makeRaft(peers, me, persister, applyCh);
      const r = this.wire(raft);
      if ("obj" in r) this.rafts.set(r.obj, currentNode());
      this.emit({ e: "made", tag, r });
      return raft;
    };
  }

  // --- calls to judging-side objects --------------------------------------------------------------

  /** An async call to a judging object: an effect now, its result in a later `settle`. */
  hostCall(
    host: number,
    method: string,
    args: Wire[],
    decodeAs: (w: Wire | undefined) => unknown = (w) => this.unwire(w),
  ): Promise<unknown> {
    const node = currentNode();
    if (node && !node.alive) return never();
    const id = this.nextHostCall++;
    this.emit({ e: "acall", id, node: this.nodeId(node), host, method, args });
    return new Promise((resolve, reject) => this.hostCalls.set(id, { resolve, reject, decodeAs }));
  }

  /** A synchronous call to a judging object: the step pauses until it answers. */
  callout(host: number, method: string, args: Wire[]): unknown {
    const node = currentNode();
    this.pipe.write({ t: "callout", node: this.nodeId(node), host, method, args } satisfies FromGraded);
    const answer = this.pipe.read<ToGraded>();
    if (answer.t !== "answer") throw new Error(`graded side: expected an answer, got ${answer.t}`);
    if (answer.error) throw rebuild(answer.error);
    return this.unwire(answer.r);
  }

  private stub(host: number, kind: string, methods: string[]): unknown {
    const rt = this;
    if (kind === "end") return new ClientEndStub(this, host);
    if (kind === "clnt") return new ClntStub(this, host);
    if (kind === "chan") return new HostChannel(this, host);
    const stub: Record<string, Function> = {};
    for (const m of methods)
      stub[m] = (...args: unknown[]) =>
        rt.callout(
          host,
          m,
          args.map((a) => rt.wire(a)),
        );
    return Object.freeze(stub);
  }

  /** A save: only noted; the bytes cross when the judging side reads them (a crash, a size check). */
  /** Graded code broke a rule outside any call. */
  failed(message: string): void {
    this.emit({ e: "fail", kind: "implementation", message });
  }

  persist(persister: number, p: GradedPersister): void {
    if (!this.persisters.has(persister)) this.persisters.set(persister, p);
    this.emit({ e: "persist", persister });
  }

  // --- time, randomness, output -------------------------------------------------------------------

  private fire(id: number): void {
    const timer = this.timers.get(id);
    if (!timer) return; // cleared after the judging side queued it
    const node = timer.node;
    if (timer.kind !== "interval") {
      this.timers.delete(id);
      node?.timers.delete(id);
    }
    if (node && !node.alive) return;
    try {
      if (node) node.run(() => timer.fn(...timer.args));
      else timer.fn(...timer.args);
    } catch (e) {
      this.emit({
        e: "fail",
        kind: "implementation",
        message: `a ${timer.kind} callback${node ? ` on ${node.label}` : ""} threw: ${describeThrown(e)}`,
        details: (e as Error)?.stack,
      });
    }
  }

  private schedule(kind: "timeout" | "interval" | "immediate", fn: unknown, ms: unknown, args: unknown[]): unknown {
    if (typeof fn !== "function")
      throw new TypeError(`The "callback" argument must be of type function. Received ${typeof fn}`);
    const node = currentNode();
    const id = this.nextTimer++;
    const handle = timerHandle(id);
    if (node && !node.alive) return handle; // a dead process schedules nothing
    this.timers.set(id, { node, kind, fn, args });
    node?.timers.set(id, () => this.timers.delete(id));
    const delay = Number(ms);
    this.emit({ e: "timer", id, node: this.nodeId(node), kind, ms: Number.isFinite(delay) ? delay : 0 });
    return handle;
  }

  private cancel(handle: unknown): void {
    if (handle === undefined || handle === null) return;
    const id = Number(handle);
    const timer = this.timers.get(id);
    if (!timer) return;
    this.timers.delete(id);
    timer.node?.timers.delete(id);
    this.emit({ e: "clear", id });
  }

  installGlobals(): void {
    const g = globalThis as Record<string, unknown>;
    g.setTimeout = (fn: unknown, ms?: unknown, ...args: unknown[]) => this.schedule("timeout", fn, ms, args);
    g.setInterval = (fn: unknown, ms?: unknown, ...args: unknown[]) => this.schedule("interval", fn, ms, args);
    g.setImmediate = (fn: unknown, ...args: unknown[]) => this.schedule("immediate", fn, 0, args);
    g.clearTimeout = g.clearInterval = g.clearImmediate = (h: unknown) => this.cancel(h);
    const rt = this;
    function VirtualDate(this: unknown, ...args: unknown[]): unknown {
      if (!new.target) return new RealDate(rt.now).toString();
      return args.length === 0
        ? new RealDate(rt.now)
        : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
    }
    VirtualDate.prototype = RealDate.prototype;
    Object.assign(VirtualDate, { now: () => rt.now, parse: RealDate.parse, UTC: RealDate.UTC });
    g.Date = VirtualDate;
    Object.defineProperty(globalThis, "performance", {
      value: Object.freeze({ now: () => rt.now, timeOrigin: 0, mark() {}, measure() {} }),
      configurable: true,
      writable: true,
    });
    const hrtime = (prev?: [number, number]) => {
      const ns = Math.round(rt.now * 1e6);
      const t: [number, number] = [Math.floor(ns / 1e9), ns % 1e9];
      if (!prev) return t;
      let [s, n] = [t[0] - prev[0], t[1] - prev[1]];
      if (n < 0) [s, n] = [s - 1, n + 1e9];
      return [s, n];
    };
    hrtime.bigint = () => BigInt(Math.round(rt.now * 1e6));
    process.hrtime = hrtime as typeof process.hrtime;
    Math.random = () => rt.rng.float();
    const print = (args: unknown[]) =>
      this.emit({ e: "out", node: this.nodeId(currentNode()), text: format(...args) + "\n" });
    for (const level of ["log", "info", "warn", "error", "debug", "trace"] as const)
      (console as unknown as Record<string, unknown>)[level] = (...args: unknown[]) => print(args);
    const write = (chunk: unknown, ...rest: unknown[]) => {
      this.emit({
        e: "out",
        node: this.nodeId(currentNode()),
        text: typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"),
      });
      const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      cb?.();
      return true;
    };
    process.stdout.write = write as typeof process.stdout.write;
    process.stderr.write = write as typeof process.stderr.write;
    const trap = (call: string) => {
      const error = new Error(`${call} is not allowed in graded code`);
      this.emit({
        e: "fail",
        kind: "implementation",
        message: `the graded code called ${call}; a submission must never end the process`,
        details: error.stack,
      });
      throw error;
    };
    process.exit = ((code?: unknown) => trap(`process.exit(${code ?? ""})`)) as typeof process.exit;
    process.abort = (() => trap("process.abort()")) as typeof process.abort;
    const onError = (e: unknown, promise?: unknown) =>
      this.emit({
        e: "fail",
        kind: "implementation",
        message: `${unhandledErrorPrefix(nodeOfPromise(promise) ?? currentNode(), this.now)}: ${describeThrown(e)}`,
        details: (e as Error)?.stack,
      });
    process.on("uncaughtException", onError);
    process.on("unhandledRejection", onError);
    const rtAmbient = {
      noteActivity: () => {
        if (this.livelocked) return false;
        if (this.activityAt !== this.now) {
          this.activityAt = this.now;
          this.activity = 0;
        }
        if (++this.activity > this.init.livelockEvents) {
          this.livelocked = true;
          this.emit({
            e: "fail",
            kind: "livelock",
            message: `livelock at ${(this.now / 1000).toFixed(3)}s (virtual): ${this.init.livelockEvents} channel operations in the graded code without virtual time advancing`,
          });
          return false;
        }
        return true;
      },
      beginWait: (what: string, node?: SimNode) => {
        const id = this.nextWait++;
        this.emit({ e: "wait", id, node: this.nodeId(node), what });
        return () => this.emit({ e: "unwait", id });
      },
    };
    setAmbient(rtAmbient);
    const watched: [string, () => unknown][] = [
      ["Math.random", () => Math.random],
      ...[
        "setTimeout",
        "setInterval",
        "setImmediate",
        "clearTimeout",
        "clearInterval",
        "clearImmediate",
        "Date",
        "performance",
      ].map((name) => [name, () => g[name]] as [string, () => unknown]),
      ["process.hrtime", () => process.hrtime],
    ];
    const installed = watched.map(([name, get]) => ({ name, get, value: get() }));
    this.replacedGlobals = () => installed.filter((w) => w.get() !== w.value).map((w) => w.name);
  }

  /** Which of the clocks and the random generator graded code replaced (checked after every step). */
  private replacedGlobals: () => string[] = () => [];
  private reportedReplaced = false;

  /**
   * A submission that replaces the runtime's clocks or random generator runs off the simulation:
   * its runs no longer replay, so the run fails. (Self-reported: it can change only its own runs.)
   */
  private checkGlobals(): void {
    if (this.reportedReplaced) return;
    const replaced = this.replacedGlobals();
    if (replaced.length === 0) return;
    this.reportedReplaced = true;
    this.emit({
      e: "fail",
      kind: "integrity",
      message: `the graded code replaced ${replaced.join(", ")} during the run; the harness drives time and randomness, so this run's verdict cannot be trusted`,
    });
  }
}

/** A persister handed to graded code: reads from its own copy, each save an effect. */
class GradedPersister {
  readonly #inner = new SimPersister();
  readonly #rt: GradedRuntime;
  readonly #id: number;

  constructor(rt: GradedRuntime, id: number, state: Uint8Array, snapshot: Uint8Array) {
    this.#rt = rt;
    this.#id = id;
    this.#inner.save(state, snapshot);
    Object.freeze(this);
  }
  save(raftState: Uint8Array, snapshot?: Uint8Array | null): void {
    this.#inner.save(raftState, snapshot);
    this.#rt.persist(this.#id, this);
  }
  readRaftState(): Uint8Array {
    return this.#inner.readRaftState();
  }
  readSnapshot(): Uint8Array {
    return this.#inner.readSnapshot();
  }
  raftStateSize(): number {
    return this.#inner.raftStateSize();
  }
  snapshotSize(): number {
    return this.#inner.snapshotSize();
  }
}
Object.freeze(GradedPersister.prototype);

/** What graded code holds of a judging-side object: the runtime to call through, and the object's number. */
class HostStub {
  constructor(
    protected readonly rt: GradedRuntime,
    protected readonly host: number,
  ) {}

  /** An RPC's arguments, encoded here so a refusal names graded code's own field; undefined (and a failed run) if refused. */
  protected encodeArgs(serviceMethod: string, args: unknown): Wire | undefined {
    try {
      return { v: toBase64(encode(args, "args")) };
    } catch (e) {
      const node = currentNode();
      this.rt.failed(`RPC ${serviceMethod} sent by ${node ? node.label : "the tester"}: ${(e as Error).message}`);
      return undefined;
    }
  }
}

/** A client end: each call an RPC the judging side's network carries. */
class ClientEndStub extends HostStub {
  constructor(rt: GradedRuntime, host: number) {
    super(rt, host);
    Object.freeze(this);
  }
  call(serviceMethod: string, args?: unknown): Promise<unknown> {
    const node = currentNode();
    if (node && !node.alive) return never();
    const encoded = this.encodeArgs(serviceMethod, args);
    if (!encoded) return never();
    return this.rt.hostCall(this.host, "call", [{ v: toBase64(encode(String(serviceMethod))) }, encoded]);
  }
  override toString(): string {
    return `ClientEnd(${this.host})`;
  }
}
Object.freeze(ClientEndStub.prototype);

/** A clerk's client (tester1's Clnt): servers by name, each call an RPC. */
class ClntStub extends HostStub {
  constructor(rt: GradedRuntime, host: number) {
    super(rt, host);
    Object.freeze(this);
  }
  call(serverName: string, serviceMethod: string, args?: unknown): Promise<unknown> {
    if (typeof serverName !== "string")
      throw new TypeError(
        `clnt.call: the server must be a server name such as "server-0-0", got ${JSON.stringify(serverName)}`,
      );
    const encoded = this.encodeArgs(serviceMethod, args);
    if (!encoded) return never();
    return this.rt.hostCall(this.host, "call", [
      { v: toBase64(encode(serverName)) },
      { v: toBase64(encode(String(serviceMethod))) },
      encoded,
    ]);
  }
}
Object.freeze(ClntStub.prototype);

/** The tester's applyCh, seen from the graded side: sends and receives are calls to it. */
class HostChannel extends HostStub {
  constructor(rt: GradedRuntime, host: number) {
    super(rt, host);
    Object.freeze(this);
  }
  get length(): number {
    return this.rt.callout(this.host, "length", []) as number;
  }
  send(value: unknown): Promise<void> {
    return this.rt.hostCall(this.host, "send", [this.rt.wire(value)]) as Promise<void>;
  }
  recv(): Promise<unknown> {
    return this.rt.hostCall(this.host, "recv", []);
  }
  trySend(value: unknown): boolean {
    return this.rt.callout(this.host, "trySend", [this.rt.wire(value)]) as boolean;
  }
  tryRecv(): unknown {
    return this.rt.callout(this.host, "tryRecv", []);
  }
  close(): void {
    this.rt.callout(this.host, "close", []);
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<unknown, void, undefined> {
    for (;;) {
      const { value, ok } = (await this.recv()) as { value: unknown; ok: boolean };
      if (!ok) return;
      yield value;
    }
  }
}
Object.freeze(HostChannel.prototype);

function timerHandle(id: number): object {
  const handle = {
    ref: () => handle,
    unref: () => handle,
    hasRef: () => true,
    refresh: () => handle,
    [Symbol.toPrimitive]: () => id,
  };
  return handle;
}

/** The graded process's main: open the pipes, load the layers, then serve steps until told to stop. */
export async function runGradedSide(toGraded: string, fromGraded: string): Promise<void> {
  const fs = await import("node:fs");
  const readFd = fs.openSync(toGraded, "r");
  const writeFd = fs.openSync(fromGraded, "w");
  const pipe = new SyncPipe(readFd, writeFd);
  try {
    const init = pipe.read<ToGraded>();
    if (init.t !== "init") throw new Error(`graded side: expected init, got ${init.t}`);
    // Only the require hook: the coverage goes back over the pipe, never to a file of the graded side.
    if (init.coverage) instrumentGradedFiles(init.coverage, false);
    const rt = new GradedRuntime(pipe, init);
    rt.installGlobals();
    pipe.write({ t: "ready", loaded: rt.loadAll() });
    await rt.serve();
  } catch (e) {
    if (!(e instanceof PipeClosed)) throw e;
  }
  realExit(0);
}
