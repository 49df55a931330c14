/**
 * A World is one simulated run: virtual time (sinon's fake timers), the seeded PRNG, the trace, the
 * nodes and the list of things the run is waiting for. `runSimulation` installs a world, drives its
 * clock one timer at a time with the async tick API (so promise chains settle between timers),
 * enforces the virtual-time limit and the real-time watchdog, detects deadlocks, and always
 * restores the real globals afterwards.
 */
import * as sinon from "sinon";
import { Rng, Seed, normalizeSeed } from "./rng";
import { Trace, TraceEvent, formatEvents } from "./trace";
import { SimNode, currentNode, nodeOfPromise, unhandledErrorPrefix } from "./node";
import { SimulationFailure, ImplementationError, describeThrown } from "./errors";
import { setAmbient } from "./ambient";

/** Real time, read through functions captured before any fake clock is installed. */
const realSetImmediate = setImmediate;
const realHrtime = process.hrtime.bigint.bind(process.hrtime);
export function realMillis(): number {
  return Number(realHrtime()) / 1e6;
}

/** The globals sinon replaces for a run: everything an implementation could use to observe time. */
const FAKED_GLOBALS = [
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "Date",
  "performance",
  "hrtime",
] as const;

export interface RunOptions {
  seed: Seed;
  /** The lab's per-test limit, in virtual ms (default 120 s). */
  virtualTimeLimitMs?: number;
  /** Real-time watchdog in ms (default 5 minutes); checked between simulated events. */
  realTimeLimitMs?: number;
  /** Keep every trace event, not just the last ones (for replays and reports). */
  traceAll?: boolean;
  /** RPCs and channel operations allowed at one virtual instant before the run is a livelock (default 200,000). */
  livelockEvents?: number;
  /** The sealed graded side of the run, if the graded code runs in a process of its own. */
  graded?: GradedDriver;
  /** Where the testers get the graded factories when the run is not sealed (modules loaded in this process). */
  layers?: LayerSource;
  /** The testers' settings (default: invariants on, lenient linearizability, artifacts in the temporary folder). */
  settings?: Partial<TesterSettings>;
}

/** The testers' settings: fixed by the grader before the run, read from the world (never from the environment). */
interface TesterSettings {
  /** Raft's safety invariants, checked after every event. */
  readonly invariants: boolean;
  /** A linearizability check that gives up fails the run (the lab lets it pass). */
  readonly strictLinearizability: boolean;
  /** Where a tester writes what a failure leaves behind (a history, its picture); undefined: the temporary folder. */
  readonly artifactsDir: string | undefined;
}

/** The graded factories of a run, by layer (raft, rsm, kv, clerk, classicKv, classicClerk). */
export interface LayerSource {
  /** The layer's factory; throws an ImplementationError when it cannot be had. */
  factory(layer: string): unknown;
}

/** What the world's driver needs of a sealed graded side (see harness/sealed/host.ts). */
interface GradedDriver extends LayerSource {
  /** Sends the queued work across in one step; false when nothing was queued. */
  flush(): boolean;
  /** A node crashed on this side: it crashes on the graded side too. */
  crashed(node: SimNode): void;
  attach(world: World): void;
  /** Ends the graded side after the run; may refine the run's failure (how the graded process died). */
  close(): Promise<void>;
  /** Steps taken across the boundary, and synchronous calls back during them. */
  crossings: number;
  callouts: number;
}

export interface RunResult {
  seed: number;
  passed: boolean;
  failure?: SimulationFailure;
  /** Virtual ms from start to end of the run. */
  virtualMs: number;
  realMs: number;
  /** Timer firings driven by the clock. */
  steps: number;
  traceHash: string;
  traceEvents: number;
  /** Every event, when the run was asked to keep them (traceAll). */
  trace?: TraceEvent[];
  /** Things a passing run should still report (e.g. a linearizability check that timed out). */
  warnings: string[];
  /** What the run did: RPCs sent and bytes carried (all networks of the run), and clerk/tester operations. */
  counters: RunCounters;
  /** The hazards the test aimed at, each with how many times the run reached it (absent: the test names none). */
  hazards?: Record<string, number>;
  /** Sealed runs: steps across the boundary and callouts during them. */
  crossings?: { steps: number; callouts: number };
}

interface RunCounters {
  rpcs: number;
  bytes: number;
  ops: number;
}

interface Wait {
  what: string;
  since: number;
  /** The node that waits, if any: a crashed node's waits are no longer listed. */
  node: SimNode | undefined;
}

type Hook = () => void;

let active: World | undefined;

/** The world of the run in progress, if any. Channels and the network use it to report waits. */
export function activeWorld(): World | undefined {
  return active;
}

export class World {
  readonly seed: number;
  readonly rng: Rng;
  readonly trace: Trace;
  /** sinon's clock; only harness code touches it directly. */
  readonly clock: sinon.SinonFakeTimers;
  failure: SimulationFailure | undefined;
  ended = false;
  readonly warnings: string[] = [];
  readonly counters: RunCounters = { rpcs: 0, bytes: 0, ops: 0 };
  /** Per hazard the test aims at, the times the run reached it (see aimAt). */
  readonly hazards = new Map<string, number>();
  private readonly waits = new Map<number, Wait>();
  private nextWaitId = 1;
  private readonly generations = new Map<string, number>();
  private readonly liveNodes = new Map<string, SimNode>();
  private readonly eventHooks: Hook[] = [];
  /** Activity (RPCs, channel operations) counted since virtual time last advanced; see noteActivity. */
  private activityAt = -1;
  private activity = 0;
  private readonly livelockEvents: number;
  readonly realStart = realMillis();
  readonly realLimitMs: number;
  /** The sealed graded side, when the graded code runs in a process of its own. */
  readonly graded: GradedDriver | undefined;
  /** Where the testers get the graded factories: the sealed side, or the modules loaded in this process. */
  readonly layers: LayerSource | undefined;
  readonly settings: TesterSettings;

  constructor(options: RunOptions, clock: sinon.SinonFakeTimers) {
    this.seed = normalizeSeed(options.seed);
    this.rng = new Rng(this.seed);
    this.trace = new Trace(200, options.traceAll ?? false);
    this.clock = clock;
    this.livelockEvents = options.livelockEvents ?? 200_000;
    this.realLimitMs = options.realTimeLimitMs ?? 300_000;
    this.graded = options.graded;
    this.layers = options.graded ?? options.layers;
    this.settings = Object.freeze({
      invariants: true,
      strictLinearizability: false,
      artifactsDir: undefined,
      ...options.settings,
    });
  }

  /** Virtual ms since the run started. */
  now(): number {
    return this.clock.now;
  }

  /** A harness-side sleep (tester, network): never attributed to a node, never cancelled by crashes. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(() => resolve(), ms));
  }

  /** A harness-side timer; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void {
    const handle = this.clock.setTimeout(fn, ms);
    return () => this.clock.clearTimeout(handle);
  }

  /**
   * Starts a new generation of the named slot. The previous generation, if any, must have crashed:
   * two live generations of one server would be a tester bug.
   */
  startNode(name: string): SimNode {
    const previous = this.liveNodes.get(name);
    if (previous?.alive) throw new Error(`harness bug: ${previous.label} is still alive; crash it before restarting`);
    const generation = (this.generations.get(name) ?? 0) + 1;
    this.generations.set(name, generation);
    const node = new SimNode(name, generation);
    this.liveNodes.set(name, node);
    this.trace.record(this.now(), "start", node.label, "node started", generation);
    return node;
  }

  /** Crashes a node: all its timers are cancelled, and it can never send or deliver again. */
  crashNode(node: SimNode): void {
    if (!node.alive) return;
    const cancelled = node.crash();
    this.graded?.crashed(node);
    this.trace.record(this.now(), "crash", node.label, `node crashed (${cancelled} timers cancelled)`, cancelled);
  }

  /**
   * Records a warning: the run goes on, and a pass is reported as passed-with-warning. Not a trace
   * event: a warning may come from real time (a checker's budget), and the trace must not.
   */
  warn(message: string): void {
    this.warnings.push(message);
  }

  /**
   * Declares a dangerous situation the test means to drive the cluster into ("a voter restarted
   * while an election of its term was open"), so the reports show per test how often it was
   * reached over the seeds: a scenario that never reaches its hazard tested nothing.
   */
  aimAt(hazard: string): void {
    if (!this.hazards.has(hazard)) this.hazards.set(hazard, 0);
  }

  /** The run reached a hazard (observed, never assumed: by what the servers answered or applied). */
  reached(hazard: string): void {
    this.hazards.set(hazard, (this.hazards.get(hazard) ?? 0) + 1);
  }

  /** Records a failure; the first one ends the run at the next step. */
  fail(failure: SimulationFailure): void {
    if (!this.failure) this.failure = failure;
  }

  /**
   * Runs graded code in a node's context (or the tester's when node is undefined) and turns a
   * throw into an ImplementationError naming what was being called.
   */
  callImplementation<T>(node: SimNode | undefined, what: string, fn: () => T): T {
    try {
      return node ? node.run(fn) : fn();
    } catch (e) {
      const failure = new ImplementationError(
        `${what}${node ? ` on ${node.label}` : ""} threw: ${describeThrown(e)}`,
        e,
      );
      this.fail(failure);
      throw failure;
    }
  }

  /**
   * Counts one RPC or channel operation. Code that answers or retries at once, forever (an RPC
   * resent as soon as its reply arrives, on a network without delays), never lets the clock
   * advance, so the driver would never get control back: this is where such a livelock, and a
   * run out of real time within one instant, are caught. Returns false once the run is over,
   * and the caller then stops the chain (a call that never resolves).
   */
  noteActivity(): boolean {
    if (this.failure || this.ended) return false;
    const now = this.clock.now;
    if (now !== this.activityAt) {
      this.activityAt = now;
      this.activity = 0;
    }
    this.activity++;
    if (this.activity > this.livelockEvents) {
      this.fail(
        new SimulationFailure(
          "livelock",
          `livelock at ${(now / 1000).toFixed(3)}s (virtual): ${this.livelockEvents} RPCs and channel operations without virtual time advancing ` +
            "(something answers or retries at once, forever; e.g. an RPC resent as soon as its reply arrives)",
          `last events:\n${this.recentEvents(20)}`,
        ),
      );
      return false;
    }
    if ((this.activity & 1023) === 0 && realMillis() - this.realStart > this.realLimitMs) {
      this.fail(watchdogFailure(this));
      return false;
    }
    return true;
  }

  /** Marks something the run waits for (a blocked channel op, an RPC handler); call the result when done. */
  beginWait(what: string, node?: SimNode): () => void {
    const id = this.nextWaitId++;
    this.waits.set(id, { what, since: this.now(), node });
    return () => this.waits.delete(id);
  }

  /** Awaits a promise, listing it as a pending wait meanwhile (so a deadlock report names it). */
  async waitFor<T>(what: string, promise: Promise<T>): Promise<T> {
    const done = this.beginWait(what);
    try {
      return await promise;
    } finally {
      done();
    }
  }

  /** Registers a check to run after every simulated event (invariants, extra bookkeeping). */
  onEvent(hook: Hook): void {
    this.eventHooks.push(hook);
  }

  /** Runs the after-event hooks; a throw becomes the run's failure. */
  afterEvent(): void {
    for (const hook of this.eventHooks) {
      try {
        hook();
      } catch (e) {
        this.fail(e instanceof SimulationFailure ? e : new SimulationFailure("test", describeThrown(e)));
      }
    }
  }

  /**
   * What the run is waiting for, one line each: the tester's own waits first (what the test is
   * stuck on), then the servers' (often just idle loops), oldest first within each.
   */
  describeWaits(): string[] {
    const live = [...this.waits.values()].filter((w) => !w.node || w.node.alive);
    return [...live.filter((w) => !w.node), ...live.filter((w) => w.node)].map(
      (w) => `${w.what} (waiting since ${(w.since / 1000).toFixed(3)}s)`,
    );
  }

  /** The last trace events, formatted, for failure details. */
  recentEvents(limit = 30): string {
    return formatEvents(this.trace.recent(limit));
  }

  /** Ends the run: every node is crashed so that no graded code can schedule anything further. */
  shutdown(): void {
    this.ended = true;
    for (const node of this.liveNodes.values()) node.crash();
  }
}

function watchdogFailure(world: World): SimulationFailure {
  return new SimulationFailure(
    "watchdog",
    `watchdog: the run used more than ${world.realLimitMs / 1000} s of real time (virtual time ${(world.now() / 1000).toFixed(1)}s)`,
  );
}

/** Yields one real macrotask, so all pending microtasks (promise continuations) run first. */
function settle(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(() => resolve()));
}

/** Sends the sealed graded side what this instant gave it, and settles what it answered, until it has nothing more. */
async function drainGraded(world: World): Promise<void> {
  const graded = world.graded;
  if (!graded) return;
  for (;;) {
    let sent: boolean;
    try {
      sent = graded.flush();
    } catch {
      return; // the graded side died: that is the run's failure already
    }
    if (!sent) return;
    await settle();
  }
}

/** Something a run installs for its duration: what graded code has replaced of it since, and how to undo it. */
interface Installed {
  replaced(): string[];
  restore(): void;
}

/** Replaces the timer globals with versions that attribute each timer to the current node. */
function installNodeTimers(world: World): Installed {
  const clock = world.clock;
  const g = globalThis as any;
  const saved = FAKED_TIMER_FUNCTIONS.map((name) => [name, g[name]] as const);
  const inert = {
    ref() {
      return this;
    },
    unref() {
      return this;
    },
    hasRef: () => false,
    refresh() {
      return this;
    },
    [Symbol.toPrimitive]: () => 0,
  };

  const owners = new Map<number, SimNode>();
  const schedule = (
    kind: "timeout" | "interval" | "immediate",
    callback: unknown,
    ms: number | undefined,
    args: unknown[],
  ) => {
    if (typeof callback !== "function") {
      throw new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`);
    }
    const node = currentNode();
    if (world.ended || (node && !node.alive)) return inert; // a dead process schedules nothing
    let id = 0;
    const fire = () => {
      if (kind !== "interval" && node) {
        node.timers.delete(id);
        owners.delete(id);
      }
      if (world.ended || (node && !node.alive)) return;
      world.trace.record(clock.now, "timer", node ? node.label : "tester", kind); // timer ids are process-global: not part of the hash
      try {
        if (node) node.run(() => (callback as Function)(...args));
        else (callback as Function)(...args);
      } catch (e) {
        world.fail(
          new ImplementationError(
            `a ${kind} callback${node ? ` on ${node.label}` : ""} threw: ${describeThrown(e)}`,
            e,
          ),
        );
      }
    };
    const handle: any =
      kind === "timeout"
        ? clock.setTimeout(fire, ms)
        : kind === "interval"
          ? clock.setInterval(fire, ms)
          : clock.setImmediate(fire);
    id = Number(handle);
    if (node) {
      const clear = kind === "immediate" ? () => clock.clearImmediate(handle) : () => clock.clearTimeout(handle);
      node.timers.set(id, clear);
      owners.set(id, node);
    }
    return handle;
  };
  const cancel = (handle: unknown) => {
    if (handle === undefined || handle === null) return;
    const id = Number(handle);
    const owner = owners.get(id);
    if (owner) {
      owner.timers.get(id)?.();
      owner.timers.delete(id);
      owners.delete(id);
    } else {
      clock.clearTimeout(handle as any);
      clock.clearImmediate(handle as any);
    }
  };

  g.setTimeout = (cb: unknown, ms?: number, ...args: unknown[]) => schedule("timeout", cb, ms, args);
  g.setInterval = (cb: unknown, ms?: number, ...args: unknown[]) => schedule("interval", cb, ms, args);
  g.setImmediate = (cb: unknown, ...args: unknown[]) => schedule("immediate", cb, 0, args);
  g.clearTimeout = cancel;
  g.clearInterval = cancel;
  g.clearImmediate = cancel;
  const installed = FAKED_TIMER_FUNCTIONS.map((name) => [name, g[name]] as const);
  return {
    replaced: () => installed.filter(([name, fn]) => g[name] !== fn).map(([name]) => name),
    restore: () => {
      for (const [name, fn] of saved) g[name] = fn;
    },
  };
}
const FAKED_TIMER_FUNCTIONS = [
  "setTimeout",
  "setInterval",
  "setImmediate",
  "clearTimeout",
  "clearInterval",
  "clearImmediate",
];

/** Takes over the process-level error events for the run, so a stray rejection fails the run. */
function captureProcessErrors(world: World): Installed {
  const events = ["unhandledRejection", "uncaughtException"] as const;
  const saved = events.map((event) => [event, process.listeners(event as any)] as const);
  for (const event of events) process.removeAllListeners(event);
  // A harness failure (a check in a tester's background task) is itself; anything else came from graded code.
  const onError = (e: unknown, promise?: unknown) =>
    world.fail(
      e instanceof SimulationFailure
        ? e
        : new ImplementationError(
            `${unhandledErrorPrefix(nodeOfPromise(promise) ?? currentNode(), world.now())}: ${describeThrown(e)}`,
            e,
          ),
    );
  for (const event of events) process.on(event as any, onError);
  return {
    replaced: () =>
      events
        .filter((event) => !process.listeners(event as any).includes(onError))
        .map((event) => `process.on("${event}") handler`),
    restore: () => {
      for (const [event, listeners] of saved) {
        process.removeAllListeners(event);
        for (const l of listeners) process.on(event as any, l as any);
      }
    },
  };
}

/** Math.random, seeded for the run. */
function installSeededRandom(world: World): Installed {
  const real = Math.random;
  const seeded = () => world.rng.float();
  Math.random = seeded;
  return {
    replaced: () => (Math.random !== seeded ? ["Math.random"] : []),
    restore: () => {
      Math.random = real;
    },
  };
}

/**
 * The clock sinon installed (Date, performance.now, process.hrtime), which sinon also restores:
 * only watched here, since graded code that replaced it would run off virtual time.
 */
function watchClock(): Installed {
  const read: [string, () => unknown][] = [
    ["Date", () => globalThis.Date],
    ["performance.now", () => globalThis.performance?.now],
    ["process.hrtime", () => process.hrtime],
  ];
  const installed = read.map(([name, get]) => ({ name, get, value: get() }));
  return { replaced: () => installed.filter((w) => w.get() !== w.value).map((w) => w.name), restore: () => undefined };
}

/** The failure for a run whose graded code replaced harness globals; the run's own failure, if any, goes into the details. */
function integrityFailure(what: string[], earlier: SimulationFailure | undefined): SimulationFailure {
  return new SimulationFailure(
    "integrity",
    `the graded code replaced ${what.join(", ")} during the run; the harness drives time, randomness and error handling, so this run's verdict cannot be trusted`,
    earlier ? `the run had also failed: [${earlier.kind}] ${earlier.message}` : "",
  );
}

/**
 * Turns process.exit and process.abort into a failure of the run while it lasts: the call throws
 * (so the graded code stops where it is) and the run fails even if the graded code catches it.
 */
function trapProcessExit(world: World): Installed {
  const saved = { exit: process.exit, abort: process.abort };
  const trap = (call: string) => () => {
    const failure = new ImplementationError(
      `the graded code called ${call}; a submission must never end the process`,
      new Error(call),
    );
    world.fail(failure);
    throw failure;
  };
  const exit = (code?: number | string) => trap(`process.exit(${code ?? ""})`)();
  const abort = trap("process.abort()");
  process.exit = exit as typeof process.exit;
  process.abort = abort as typeof process.abort;
  return {
    replaced: () => [
      ...(process.exit !== exit ? ["process.exit"] : []),
      ...(process.abort !== abort ? ["process.abort"] : []),
    ],
    restore: () => Object.assign(process, saved),
  };
}

/**
 * Runs `body` in a fresh world and returns how it ended. Never throws for a failure of the run
 * itself; throws only for misuse (a nested run).
 */
export async function runSimulation(options: RunOptions, body: (world: World) => Promise<void>): Promise<RunResult> {
  if (active) throw new Error("a simulation is already running in this process; runs cannot be nested");
  const virtualLimit = options.virtualTimeLimitMs ?? 120_000;

  // A sandbox of the run's own: sinon's default one keeps every clock (and through it the whole
  // finished world) for the life of the process.
  const sandbox = sinon.createSandbox();
  const clock = sandbox.useFakeTimers({ now: 0, toFake: [...FAKED_GLOBALS], shouldClearNativeTimers: false });
  const world = new World(options, clock);
  options.graded?.attach(world);
  // What graded code must leave alone for the run: replacing any of it fails the run (integrity).
  const installed = [
    watchClock(),
    installSeededRandom(world),
    installNodeTimers(world),
    captureProcessErrors(world),
    trapProcessExit(world),
  ];
  active = world;
  setAmbient(world);

  let steps = 0;
  try {
    let limitReached = false;
    const cancelLimit = world.after(virtualLimit, () => {
      limitReached = true;
      const waits = world.describeWaits();
      world.fail(
        new SimulationFailure(
          "virtual-time-limit",
          `test took longer than ${virtualLimit / 1000} seconds (virtual time)${waits.length ? `, waiting for ${waits[0]}` : ""}`,
          waits.length ? `pending:\n  ${waits.join("\n  ")}` : "",
        ),
      );
    });
    let finished = false;
    Promise.resolve()
      .then(() => body(world))
      .then(
        () => (finished = true),
        (e) => {
          finished = true;
          world.fail(
            e instanceof SimulationFailure
              ? e
              : new SimulationFailure("test", describeThrown(e), e instanceof Error ? (e.stack ?? "") : ""),
          );
        },
      );
    await settle();
    await drainGraded(world);
    while (!finished && !world.failure) {
      if (clock.countTimers() <= (limitReached ? 0 : 1)) {
        const waits = world.describeWaits();
        world.fail(
          new SimulationFailure(
            "deadlock",
            `deadlock at ${(clock.now / 1000).toFixed(3)}s (virtual): the test is waiting but nothing is scheduled`,
            (waits.length
              ? `pending:\n  ${waits.join("\n  ")}`
              : "pending: nothing the harness knows of (the test awaits a promise that nothing will resolve)") +
              `\nlast events:\n${world.recentEvents(15)}`,
          ),
        );
        break;
      }
      await clock.nextAsync();
      await drainGraded(world);
      steps++;
      world.afterEvent();
      if (realMillis() - world.realStart > world.realLimitMs) world.fail(watchdogFailure(world));
    }
    cancelLimit();
  } finally {
    world.shutdown();
    await settle(); // let continuations of the ended run drain while the fakes are still in place
    await settle();
    await options.graded?.close();
    active = undefined;
    setAmbient(undefined);
    const replaced = installed.flatMap((i) => i.replaced());
    if (replaced.length > 0) world.failure = integrityFailure(replaced, world.failure);
    for (const i of [...installed].reverse()) i.restore();
    sandbox.restore();
  }
  return {
    seed: world.seed,
    passed: !world.failure,
    failure: world.failure,
    virtualMs: clock.now,
    realMs: realMillis() - world.realStart,
    steps,
    traceHash: world.trace.hash(),
    traceEvents: world.trace.count,
    trace: world.trace.all,
    warnings: [...world.warnings],
    counters: { ...world.counters },
    hazards: world.hazards.size ? Object.fromEntries(world.hazards) : undefined,
    crossings: options.graded ? { steps: options.graded.crossings, callouts: options.graded.callouts } : undefined,
  };
}
