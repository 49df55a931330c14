/**
 * The judging side of a sealed run: starts the graded process, hands the testers factories and
 * objects that look like the graded ones (each call a step of the protocol, see protocol.ts), and
 * turns what the graded side reports into the world's events: RPCs on the network, timers on the
 * virtual clock, persister writes, applied messages, output and failures. Nothing the graded side
 * sends is trusted beyond its shape: it can only describe what the submission did.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import type { World } from "../sim/world";
import { SimNode, currentNode } from "../sim/node";
import { encode, decode, CodecError } from "../sim/codec";
import { SimPersister, markStale } from "../sim/persister";
import { SimClientEnd } from "../sim/network";
import { handlerNames, QUEUED_CALL } from "../sim/handlers";
import { SimulationFailure, ImplementationError } from "../sim/errors";
import { Channel } from "../api/channel";
import { SyncPipe, PipeClosed } from "./pipe";
import { SEALED_FACTORY, type ObservedRaftFactory } from "./markers";
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

/** Every graded process of this process that has not exited, with what unblocks its pipe's open. */
const live = new Map<ChildProcess, () => void>();

/**
 * Kills them all: done before this process exits. One still starting (a run's process started
 * ahead) may hold a thread of node's pool in the open of its pipe, which only a writer ends, and
 * node would wait for that thread at exit.
 */
export function killGradedProcesses(): void {
  for (const [child, unblock] of live) {
    child.kill("SIGKILL");
    unblock();
  }
}

/** Real timers, taken at load: runs replace the globals with virtual ones. */
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const BIN = path.resolve(__dirname, "..", "..", "bin", "raftgrade.js");
/** The first argument of bin/raftgrade.js that makes it a graded process. */
const GRADED_ARG = "__graded";

type Marked = { [SEALED_FACTORY]?: GradedLayerName | ObservedRaftFactory };

export interface GradedSideOptions {
  /** Module reference of each layer, as the grader resolved them (absolute paths or reference/student). */
  layers: Partial<Record<GradedLayerName, string>>;
  /** Real time allowed for the graded process to start and load its modules. */
  loadTimeoutMs: number;
  /** Heap limit of the graded process and its resident-memory limit (external memory included), in MiB. */
  memoryMb: number;
  livelockEvents?: number;
  coverage?: { cwd: string; include: string[]; tempDir: string };
  /** Run the graded process as this user (uid, gid): the grader runs as root and an unprivileged user exists. */
  user?: { uid: number; gid: number };
}

interface Deferred {
  promise: Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GradedSide {
  private world: World | undefined;
  private pending: Command[] = [];
  private readonly answers = new Map<number, { r?: Wire; error?: Thrown; promise?: Deferred }>();
  private nextId = 1;
  private readonly proxies = new Map<number, object>();
  private readonly proxyIds = new WeakMap<object, number>();
  private readonly hosts = new Map<number, object>();
  private readonly hostIds = new Map<object, number>();
  private readonly nodeIds = new WeakMap<SimNode, number>();
  private readonly nodes = new Map<number, SimNode>();
  private readonly observed = new Map<number, ObservedRaftFactory>();
  private readonly mirrors = new Map<number, { cancel: () => void; node: SimNode | undefined; key: number }>();
  private readonly waits = new Map<number, () => void>();
  private states = new Map<number, { r: Wire } | { error: Thrown }>();
  private dead: SimulationFailure | undefined;
  /** A step is under way (a persister read must not start another inside it). */
  private inStep = false;
  private lastMemoryCheck = 0;
  /** Resident bytes when the grader stopped the graded process for using too much; 0 while it has not. */
  private overMemory = 0;
  /** Steps taken, and the callouts answered: the crossings of the run. */
  crossings = 0;
  callouts = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly pipe: SyncPipe,
    private readonly loaded: Record<string, string | null>,
    private readonly options: GradedSideOptions,
    private readonly output: () => string,
    private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    private readonly dir: string,
  ) {}

  /**
   * Starts a graded process and loads the layers; rejects with a message when it cannot. The
   * process then waits for its run (begin): a worker starts the next run's while this one runs.
   */
  static async launch(options: GradedSideOptions): Promise<GradedSide> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-sealed-"));
    const toGraded = path.join(dir, "to-graded");
    const fromGraded = path.join(dir, "from-graded");
    execFileSync("mkfifo", ["-m", options.user ? "0666" : "0600", toGraded, fromGraded]);
    if (options.user) fs.chmodSync(dir, 0o711);
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${options.memoryMb}`, BIN, GRADED_ARG, toGraded, fromGraded],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "test" },
        cwd: process.cwd(),
        ...(options.user ?? {}),
      },
    );
    let tail = "";
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString("utf8")).slice(-8192));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    // Opening a FIFO to read waits for a writer: a process that dies before it opens its end would
    // leave that open waiting for ever, so the grader then opens the writing end itself.
    const unblockOpen = () => {
      try {
        fs.closeSync(fs.openSync(fromGraded, fs.constants.O_RDWR | fs.constants.O_NONBLOCK));
      } catch {
        // the folder is gone: the open was unblocked before
      }
    };
    live.set(child, unblockOpen);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => {
        live.delete(child);
        unblockOpen();
        resolve({ code, signal });
      }),
    );
    const failStart = (why: string) => {
      child.kill("SIGKILL");
      unblockOpen();
      fs.rmSync(dir, { recursive: true, force: true });
      return new Error(`${why}${tail.trim() ? `\n${tail.trim()}` : ""}`);
    };
    // O_RDWR never blocks on a FIFO; the read end is opened (and the ready frame read) off the main
    // thread, with a time limit, since a graded process that dies or hangs would never answer.
    const writeFd = fs.openSync(toGraded, fs.constants.O_RDWR);
    let readFd: number;
    let ready: Extract<FromGraded, { t: "ready" }>;
    try {
      readFd = await withTimeout(openAsync(fromGraded), options.loadTimeoutMs, exited, unblockOpen, (fd) =>
        fs.closeSync(fd),
      );
      const pipe = new SyncPipe(readFd, writeFd);
      pipe.write({
        t: "init",
        layers: options.layers,
        livelockEvents: options.livelockEvents ?? 200_000,
        coverage: options.coverage && { cwd: options.coverage.cwd, include: options.coverage.include },
      } satisfies ToGraded);
      ready = await withTimeout(
        readFrameAsync<Extract<FromGraded, { t: "ready" }>>(readFd),
        options.loadTimeoutMs,
        exited,
        () => child.kill("SIGKILL"),
      );
      if (ready.t !== "ready") throw new Error(`unexpected first frame ${ready.t}`);
      return new GradedSide(child, pipe, ready.loaded, options, () => tail, exited, dir);
    } catch (e) {
      fs.closeSync(writeFd);
      const why =
        e instanceof TimeoutError
          ? `the graded code did not finish loading within ${options.loadTimeoutMs / 1000} s (--load-timeout); a loop at the top level of a module never yields`
          : e instanceof ExitError
            ? `the graded process ended while loading (${e.message})`
            : `the graded process could not start: ${(e as Error).message}`;
      throw failStart(why);
    }
  }

  /** Gives the waiting process its run's seed: from here on it is that run's graded side. */
  begin(seed: number): void {
    try {
      this.pipe.write({ t: "begin", seed } satisfies ToGraded);
    } catch {
      this.dead = new SimulationFailure("crash", "the graded process ended before its run began");
    }
  }

  /** Ends a process that will never run (a spare nobody took). */
  discard(): void {
    this.pipe.close();
    this.child.kill("SIGKILL");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Connects this side to the run's world; done once, before any graded call. */
  attach(world: World): void {
    this.world = world;
    if (this.dead) world.fail(this.dead);
  }

  /** The factory of a layer, as a function the tester calls like the graded one; a load error throws. */
  factory(layer: GradedLayerName): Function {
    const error = this.loaded[layer];
    if (error) throw new ImplementationError(error);
    if (error === undefined) throw new ImplementationError(`no module was selected for the ${layer} layer`);
    const make = (...args: unknown[]) =>
      this.invoke({ c: "make", id: 0, node: this.nodeOf(currentNode()), layer, args: args.map((a) => this.arg(a)) });
    return Object.assign(make, { [SEALED_FACTORY]: layer });
  }

  // --- steps -------------------------------------------------------------------------------------

  /** Sends what is queued (one step); true if there was anything. The world's driver calls it until false. */
  flush(): boolean {
    if (this.pending.length === 0 || this.dead) return false;
    this.step();
    return true;
  }

  /** A synchronous call: queued behind everything pending, sent at once, answered in the same step. */
  private invoke(cmd: Extract<Command, { id: number }>): unknown {
    const id = this.nextId++;
    this.pending.push({ ...cmd, id } as Command);
    if (this.dead) throw this.dead;
    this.step();
    const answer = this.answers.get(id);
    this.answers.delete(id);
    if (!answer) throw this.dead ?? new Error(`harness bug: the graded side did not answer call #${id}`);
    if (answer.error) throw rebuild(answer.error);
    if (answer.promise) return answer.promise.promise;
    return this.value(answer.r!);
  }

  private step(): void {
    const world = this.world!;
    const cmds = this.pending;
    this.pending = [];
    let done: Extract<FromGraded, { t: "done" }>;
    if (this.inStep) throw new Error("harness bug: a step of the graded side started inside another");
    this.inStep = true;
    try {
      this.pipe.write({ t: "step", now: world.now(), cmds } satisfies ToGraded);
      this.crossings++;
      for (;;) {
        const frame = this.pipe.read<FromGraded>();
        if (frame.t === "done") {
          if (!Array.isArray(frame.fx) || !Array.isArray(frame.states))
            throw new Error("a step's answer without its effects and states");
          done = frame;
          break;
        }
        if (frame.t !== "callout") throw new Error(`a frame of unknown type ${JSON.stringify(frame.t)}`);
        this.callouts++;
        this.pipe.write(this.answerCallout(frame));
      }
    } catch (e) {
      this.died(e);
      throw this.dead;
    } finally {
      this.inStep = false;
    }
    try {
      this.states = new Map(done.states);
      for (const effect of done.fx) this.apply(effect);
    } catch (e) {
      // Effects are the graded side's words: one that cannot be taken is a broken protocol, not a harness error.
      this.died(e);
      throw this.dead;
    }
    this.checkMemory();
  }

  private answerCallout(frame: Extract<FromGraded, { t: "callout" }>): ToGraded {
    const host = this.hosts.get(frame.host) as Record<string, Function> | undefined;
    const node = frame.node === undefined ? undefined : this.nodes.get(frame.node);
    try {
      if (!host || typeof host[frame.method] !== "function")
        throw new Error(`no method ${frame.method} on that object`);
      const args = frame.args.map((w) => this.value(w));
      const result = node ? node.run(() => host[frame.method](...args)) : host[frame.method](...args);
      return { t: "answer", r: wireOf(result) };
    } catch (e) {
      return { t: "answer", error: thrownOf(e, false) };
    }
  }

  private apply(fx: Effect): void {
    const world = this.world!;
    switch (fx.e) {
      case "ret": {
        const later = this.later.get(fx.id);
        if (later) {
          this.later.delete(fx.id);
          if ("promise" in fx.r) this.promises.set(fx.id, later);
          else {
            try {
              later.resolve(this.value(fx.r));
            } catch (e) {
              later.reject(e);
            }
          }
          return;
        }
        if ("promise" in fx.r) {
          const d = deferred();
          this.promises.set(fx.id, d);
          this.answers.set(fx.id, { promise: d });
        } else this.answers.set(fx.id, { r: fx.r });
        return;
      }
      case "threw": {
        const later = this.later.get(fx.id);
        this.later.delete(fx.id);
        if (later) later.reject(rebuild(fx.error));
        else this.answers.set(fx.id, { error: fx.error });
        return;
      }
      case "settled": {
        const d = this.promises.get(fx.id);
        this.promises.delete(fx.id);
        if (!d) return;
        if (fx.ok) {
          try {
            d.resolve(this.value(fx.r!));
          } catch (e) {
            d.reject(e);
          }
        } else d.reject(rebuild(fx.error!));
        return;
      }
      case "acall":
        return this.hostCall(fx);
      case "timer":
        return this.mirrorTimer(fx.id, this.nodeById(fx.node), fx.kind, fx.ms);
      case "clear": {
        const m = this.mirrors.get(fx.id);
        if (!m) return;
        this.mirrors.delete(fx.id);
        m.cancel();
        m.node?.timers.delete(m.key);
        return;
      }
      case "persist": {
        const p = this.hosts.get(fx.persister);
        if (p instanceof SimPersister) markStale(p, () => this.readPersister(fx.persister, p));
        return;
      }
      case "made": {
        const hooks = this.observed.get(fx.tag);
        let raft: unknown;
        try {
          raft = this.value(fx.r);
        } catch {
          raft = undefined;
        }
        hooks?.onMade(raft);
        return;
      }
      case "applied": {
        const hooks = this.observed.get(fx.tag);
        if (hooks) hooks.onApplied(this.value(fx.msg));
        return;
      }
      case "wait": {
        this.waits.set(fx.id, world.beginWait(fx.what, this.nodeById(fx.node)));
        return;
      }
      case "unwait":
        this.waits.get(fx.id)?.();
        this.waits.delete(fx.id);
        return;
      case "out": {
        const node = this.nodeById(fx.node);
        if (node) node.run(() => process.stdout.write(fx.text));
        else process.stdout.write(fx.text);
        return;
      }
      case "fail":
        world.fail(
          fx.kind !== "implementation"
            ? new SimulationFailure(fx.kind === "livelock" ? "livelock" : "integrity", fx.message)
            : new ImplementationError(
                fx.message,
                fx.details ? Object.assign(new Error(fx.message), { stack: fx.details }) : undefined,
              ),
        );
        return;
      case "warn":
        world.warn(fx.message);
        return;
    }
  }

  /** Queued calls (RPC deliveries), until their answer comes. */
  private readonly later = new Map<number, Deferred>();

  /** A call that waits for the next step with everything else queued at this instant. */
  private invokeLater(cmd: Extract<Command, { c: "call" }>): Promise<unknown> {
    const id = this.nextId++;
    const d = deferred();
    if (this.dead) return Promise.reject(this.dead);
    this.later.set(id, d);
    this.pending.push({ ...cmd, id });
    return d.promise;
  }

  /** Promises graded calls returned, until they settle. */
  private readonly promises = new Map<number, Deferred>();

  /** An async call graded code made to a judging object: an end, a clerk's client, the tester's channel. */
  private hostCall(fx: Extract<Effect, { e: "acall" }>): void {
    const host = this.hosts.get(fx.host) as Record<string, Function> | undefined;
    const node = this.nodeById(fx.node);
    const settle = (ok: boolean, r?: Wire, error?: string) =>
      this.pending.push({ c: "settle", id: fx.id, ok, r, error });
    let result: Promise<unknown>;
    try {
      if (!host || typeof host[fx.method] !== "function") throw new Error(`no method ${fx.method}`);
      const args = fx.args.map((w) => this.value(w));
      result = Promise.resolve(node ? node.run(() => host[fx.method](...args)) : host[fx.method](...args));
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (v) => settle(true, wireOf(v)),
      (e) => settle(false, undefined, e instanceof Error ? e.message : String(e)),
    );
  }

  private mirrorTimer(
    id: number,
    node: SimNode | undefined,
    kind: "timeout" | "interval" | "immediate",
    ms: number,
  ): void {
    const world = this.world!;
    const clock = world.clock;
    if (world.ended || (node && !node.alive)) return;
    let key = 0;
    const fire = () => {
      if (kind !== "interval") {
        this.mirrors.delete(id);
        node?.timers.delete(key);
      }
      if (world.ended || (node && !node.alive)) return;
      world.trace.record(clock.now, "timer", node ? node.label : "tester", kind);
      this.pending.push({ c: "fire", timer: id });
    };
    const handle =
      kind === "timeout"
        ? clock.setTimeout(fire, ms)
        : kind === "interval"
          ? clock.setInterval(fire, ms)
          : clock.setImmediate(fire);
    key = Number(handle);
    const cancel =
      kind === "immediate" ? () => clock.clearImmediate(handle as never) : () => clock.clearTimeout(handle);
    this.mirrors.set(id, { cancel, node, key });
    node?.timers.set(key, () => {
      cancel();
      this.mirrors.delete(id);
    });
  }

  /**
   * Brings a persister's contents over: a step of its own, ahead of anything queued, since reading
   * what the graded side saved must not run any graded code.
   */
  private readPersister(id: number, p: SimPersister): void {
    if (this.dead || this.inStep) return;
    const queued = this.pending;
    const call = this.nextId++;
    this.pending = [{ c: "read", id: call, persister: id }];
    try {
      this.step();
    } catch {
      return; // the graded side died: the persister keeps what it had
    } finally {
      this.pending = [...this.pending, ...queued];
    }
    const answer = this.answers.get(call);
    this.answers.delete(call);
    if (!answer?.r || !("v" in answer.r)) return;
    const { state, snapshot } = decode<{ state: Uint8Array; snapshot: Uint8Array }>(fromBase64(answer.r.v));
    if (state instanceof Uint8Array && snapshot instanceof Uint8Array) p.save(state, snapshot);
  }

  /** A crash on the judging side is a crash on the graded side too (queued: it takes effect at the next step). */
  crashed(node: SimNode): void {
    const id = this.nodeIds.get(node);
    if (id !== undefined) this.pending.push({ c: "crash", node: id });
  }

  // --- values ------------------------------------------------------------------------------------

  private value(w: Wire): unknown {
    if ("u" in w) return undefined;
    if ("v" in w) return decode(fromBase64(w.v));
    if ("obj" in w) return this.proxy(w.obj, w.methods);
    if ("promise" in w) return new Promise(() => {});
    throw new CodecError("", w.bad);
  }

  /** A judging-side stand-in for a graded object: each method a call; getState() answered from the last step. */
  private proxy(id: number, methods: string[]): object {
    let p = this.proxies.get(id);
    if (p) return p;
    const obj: Record<string, Function> = {};
    for (const m of methods) {
      obj[m] = (...args: unknown[]) =>
        this.invoke({
          c: "call",
          id: 0,
          node: this.nodeOf(currentNode()),
          obj: id,
          method: m,
          args: args.map((a) => this.arg(a)),
        });
    }
    if (methods.includes("getState")) {
      const call = obj.getState;
      obj.getState = (...args: unknown[]) => {
        const state = args.length === 0 ? this.states.get(id) : undefined;
        if (!state) return call(...args);
        if ("error" in state) throw rebuild(state.error);
        return this.value(state.r);
      };
    }
    // The network delivers RPCs through this: every delivery of an instant goes in one step.
    const queued = (method: string, args: unknown) =>
      this.invokeLater({ c: "call", id: 0, node: this.nodeOf(currentNode()), obj: id, method, args: [this.arg(args)] });
    p = Object.freeze(Object.assign(obj, { [QUEUED_CALL]: queued }));
    this.proxies.set(id, p);
    this.proxyIds.set(p, id);
    return p;
  }

  private arg(value: unknown): Arg {
    if (value === undefined) return { u: 1 };
    if (typeof value === "function") {
      const mark = (value as Marked)[SEALED_FACTORY];
      if (typeof mark === "string") return { factory: mark };
      if (mark) {
        const tag = this.nextId++;
        this.observed.set(tag, mark);
        return { factory: "raft", observe: tag };
      }
      throw new Error("harness bug: a judging-side function cannot be handed to a sealed graded side");
    }
    if (typeof value !== "object" || value === null) return { v: toBase64(encode(value)) };
    const proxied = this.proxyIds.get(value);
    if (proxied !== undefined) return { obj: proxied };
    if (value instanceof SimPersister)
      return {
        persister: this.hostId(value),
        state: toBase64(value.readRaftState()),
        snapshot: toBase64(value.readSnapshot()),
      };
    if (value instanceof SimClientEnd) return { host: this.hostId(value), kind: "end" };
    if (value instanceof Channel) return { host: this.hostId(value), kind: "chan" };
    if (Array.isArray(value)) {
      const items = value.map((v) => this.arg(v));
      return items.every((a) => "v" in a) ? { v: toBase64(encode(value)) } : { list: items };
    }
    if (ArrayBuffer.isView(value)) return { v: toBase64(encode(value)) };
    const methods = handlerNames(value);
    if (methods.length === 0) return { v: toBase64(encode(value)) };
    return {
      host: this.hostId(value),
      kind: methods.includes("call") && methods.includes("connectTo") ? "clnt" : "object",
      methods,
    };
  }

  private hostId(obj: object): number {
    let id = this.hostIds.get(obj);
    if (id === undefined) {
      id = this.nextId++;
      this.hostIds.set(obj, id);
      this.hosts.set(id, obj);
    }
    return id;
  }

  private nodeOf(node: SimNode | undefined): number | undefined {
    if (!node) return undefined;
    let id = this.nodeIds.get(node);
    if (id === undefined) {
      id = this.nextId++;
      this.nodeIds.set(node, id);
      this.nodes.set(id, node);
      this.pending.push({ c: "node", node: id, label: node.label });
      if (!node.alive) this.pending.push({ c: "crash", node: id });
    }
    return id;
  }

  private nodeById(id: number | undefined): SimNode | undefined {
    return id === undefined ? undefined : this.nodes.get(id);
  }

  // --- the graded process ------------------------------------------------------------------------

  private died(e: unknown): void {
    if (this.dead) return;
    // A closed pipe is a process that ended (how, close() finds out); anything else on the pipe is
    // the graded code writing what is not the protocol.
    this.dead = this.overMemory
      ? new SimulationFailure(
          "out-of-memory",
          this.memoryMessage(),
          `stopped by the grader: the graded process held ${Math.round(this.overMemory / 1048576)} MiB of resident memory (the limit allows 1.5 times --worker-memory for what is not heap)`,
        )
      : e instanceof PipeClosed
        ? new SimulationFailure("crash", "the graded process ended during the run")
        : new SimulationFailure(
            "integrity",
            `the graded process sent what is not the protocol (${(e as Error).message}); the graded code wrote to the harness's pipe, so this run's verdict cannot be trusted`,
          );
    this.world?.fail(this.dead);
  }

  private memoryMessage(): string {
    return `out of memory: the graded code used more than ${this.options.memoryMb} MiB (--worker-memory), heap and buffers together; it may keep everything it ever made`;
  }

  /** Resident memory covers what V8's heap limit does not (Buffers, typed arrays): checked after steps, at most every 100 ms. */
  private checkMemory(): void {
    const t = performanceNow();
    if (t - this.lastMemoryCheck < 100 && (this.crossings & 15) !== 0) return;
    this.lastMemoryCheck = t;
    let rssPages = 0;
    try {
      rssPages = Number(fs.readFileSync(`/proc/${this.child.pid}/statm`, "utf8").split(" ")[1]);
    } catch {
      return;
    }
    if (rssPages * 4096 > this.options.memoryMb * 1024 * 1024 * 1.5) {
      this.overMemory = rssPages * 4096;
      this.child.kill("SIGKILL");
      this.died(new PipeClosed());
    }
  }

  /**
   * Ends the graded process after the run: takes its coverage, and when it died, says how in the
   * run's failure (its exit status, out of memory, its last output).
   */
  async close(): Promise<void> {
    if (!this.dead) {
      try {
        this.pipe.write({ t: "stop" } satisfies ToGraded);
        const bye = this.pipe.read<FromGraded>();
        if (bye.t === "bye" && bye.coverage && this.options.coverage)
          writeCoverage(this.options.coverage.tempDir, bye.coverage);
      } catch {
        // it died on its way out: nothing more to take
      }
    }
    this.pipe.close();
    const exit = await Promise.race([
      this.exited,
      new Promise<undefined>((r) => realSetTimeout(() => r(undefined), 5000).unref()),
    ]);
    if (!exit) this.child.kill("SIGKILL");
    fs.rmSync(this.dir, { recursive: true, force: true });
    if (this.dead?.kind === "crash" && exit && !this.overMemory) {
      const tail = this.output().trim();
      const oom = OOM.test(tail);
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const failure = oom
        ? new SimulationFailure(
            "out-of-memory",
            this.memoryMessage(),
            `last output of the graded process:\n${oomLines(tail)}`,
          )
        : new SimulationFailure(
            "crash",
            `the graded process ${how} during the run (a submission must never end its process)`,
            tail ? `last output of the graded process:\n${tail.split("\n").slice(-20).join("\n")}` : "",
          );
      if (this.world && this.world.failure === this.dead) this.world.failure = failure;
    }
  }
}

/** V8's report of the out-of-memory: from its first line, ten lines (the native stack after it says nothing to a student). */
function oomLines(tail: string): string {
  const lines = tail.split("\n");
  const first = lines.findIndex((l) => OOM.test(l));
  return lines.slice(Math.max(0, first - 2), first + 8).join("\n");
}
const OOM = /heap out of memory|Allocation failed|Reached heap limit/;

const realHrtime = process.hrtime.bigint.bind(process.hrtime);
function performanceNow(): number {
  return Number(realHrtime()) / 1e6;
}

function writeCoverage(dir: string, coverage: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `sealed-${process.pid}-${Math.floor(performanceNow() * 1000)}.json`);
  fs.writeFileSync(file, JSON.stringify(coverage));
}

function wireOf(value: unknown): Wire {
  if (value === undefined) return { u: 1 };
  try {
    return { v: toBase64(encode(value)) };
  } catch (e) {
    return { bad: e instanceof Error ? e.message : String(e) };
  }
}

function deferred(): Deferred {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a rejection nobody awaits (the run ended) is not an error of the harness
  return { promise, resolve, reject };
}

class TimeoutError extends Error {}
class ExitError extends Error {}

/**
 * `promise`, or a TimeoutError after `ms` of real time, or an ExitError when the process exits
 * first; a value that comes after that goes to `onLate` (an fd to close).
 */
function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  onGiveUp: () => void,
  onLate?: (late: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let over = false;
    const timer = realSetTimeout(() => {
      over = true;
      onGiveUp();
      reject(new TimeoutError());
    }, ms);
    exited.then((x) => {
      if (over) return;
      over = true;
      realClearTimeout(timer);
      onGiveUp();
      reject(new ExitError(x.signal ? `killed by ${x.signal}` : `exit code ${x.code}`));
    });
    promise.then(
      (v) => {
        if (over) return onLate?.(v);
        over = true;
        realClearTimeout(timer);
        resolve(v);
      },
      (e) => {
        if (over) return;
        over = true;
        realClearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Opens a FIFO for reading off the main thread (the open waits for the writer). */
function openAsync(file: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, "r", (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** One frame read without blocking the event loop (the ready frame, under a time limit). */
async function readFrameAsync<T>(fd: number): Promise<T> {
  const read = (n: number) =>
    new Promise<Buffer>((resolve, reject) => {
      const buf = Buffer.alloc(n);
      let got = 0;
      const more = () =>
        fs.read(fd, buf, got, n - got, null, (err, r) => {
          if (err) return reject(err);
          if (r === 0) return reject(new PipeClosed());
          got += r;
          if (got < n) more();
          else resolve(buf);
        });
      more();
    });
  const header = await read(4);
  const body = await read(header.readUInt32LE(0));
  return JSON.parse(body.toString("utf8")) as T;
}
