/**
 * What every tester (Raft, rsm, KV) shares: failing like Go's t.Fatalf, the lab's Begin/End lines,
 * and calling graded code safely — in its node, with its result checked against the contract.
 */
import { World, activeWorld } from "../sim/world";
import { SimNode } from "../sim/node";
import { SimulationFailure, TestFailure, ImplementationError, describeThrown } from "../sim/errors";
import { LAYERS, type Implementation, type Layer } from "../api/implementation";

/** The factory of the graded implementation for one layer, from the run's world; a load problem fails the test with its message. */
export function gradedLayer<L extends Layer>(layer: L): NonNullable<Implementation[(typeof LAYERS)[L]["export"]]> {
  const layers = activeWorld()?.layers;
  if (!layers)
    throw new Error(`harness bug: the run has no graded layers (RunOptions.layers), so there is no ${layer} to test`);
  return layers.factory(layer) as NonNullable<Implementation[(typeof LAYERS)[L]["export"]]>;
}

/** A check for what a factory returns: an object (not a Promise) with all these methods. */
export function hasMethods<T>(methods: readonly string[]): (v: unknown) => v is T {
  return (v: unknown): v is T =>
    typeof v === "object" &&
    v !== null &&
    typeof (v as { then?: unknown }).then !== "function" &&
    methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function");
}

/** A command as failure messages print it: strings bare, anything else as JSON. */
export function showCommand(command: unknown): string {
  return typeof command === "string" ? command : JSON.stringify(command);
}

/**
 * Runs a tester task in the background (Go's `go func() {...}()`): a failure in it fails the run at
 * once, even before the test awaits the task; awaiting it later gives its result, or never resolves
 * if it failed (the run is ending).
 */
export function background<T>(world: World, task: Promise<T>): Promise<T> {
  return task.catch((e) => {
    world.fail(e instanceof SimulationFailure ? e : new TestFailure(describeThrown(e)));
    return new Promise<T>(() => {});
  });
}

/**
 * Go's `select { case v := <-done: ... case <-time.After(ms): ... }`: the task's value if it settles
 * within `ms` of virtual time, else "timeout".
 */
export function within<T>(world: World, ms: number, done: Promise<T>): Promise<{ value: T } | "timeout"> {
  return Promise.race([done.then((value) => ({ value })), world.sleep(ms).then(() => "timeout" as const)]);
}

/** Go's t.Fatalf: ends the test with the message. */
export function fatal(message: string): never {
  throw new TestFailure(message);
}

/** The lab's Begin/End bookkeeping and output. */
export class TestRun {
  private t0 = 0;
  private rpcs0 = 0;
  /** Operations since begin(), for the summary line; the run's total is in world.counters.ops. */
  ops = 0;

  constructor(
    private readonly world: World,
    private readonly peers: number,
    private readonly rpcTotal: () => number,
    private readonly reliable: () => boolean,
  ) {}

  begin(description: string): void {
    console.log(`${description} (${this.reliable() ? "reliable" : "unreliable"} network)...`);
    this.t0 = this.world.now();
    this.rpcs0 = this.rpcTotal();
    this.ops = 0;
  }

  /** Counts one completed operation (a successful one(), an rsm submission, a clerk call). */
  countOp(): void {
    this.ops++;
    this.world.counters.ops++;
  }

  /** Prints the lab's summary line, in virtual seconds. */
  end(): void {
    const seconds = (this.world.now() - this.t0) / 1000;
    const rpcs = this.rpcTotal() - this.rpcs0;
    console.log(
      `  ... Passed --  time ${seconds.toFixed(1).padStart(4)}s #peers ${this.peers} #RPCs ${String(rpcs).padStart(5)} #Ops ${String(this.ops).padStart(4)}`,
    );
  }
}

/**
 * Calls a method of graded code in its node and checks the result's shape, so that a wrong return
 * type gets a message saying what was expected rather than a confusing check failure later.
 */
export function callChecked<T>(
  world: World,
  node: SimNode | undefined,
  what: string,
  fn: () => unknown,
  check: (v: unknown) => v is T,
  expected: string,
): T {
  const value = world.callImplementation(node, what, fn);
  if (!check(value)) {
    const failure = new ImplementationError(
      `${what}${node ? ` on ${node.label}` : ""} returned ${show(value)}; expected ${expected}`,
    );
    world.fail(failure);
    throw failure;
  }
  return value;
}

/**
 * Calls an async method of graded code in its node, awaits it, and checks what it resolves to.
 * A rejection or a wrong shape fails the run with a message naming the call. When the node
 * crashes first, resolves to `onCrash` (2026: the tester's call into a killed server fails).
 */
export async function callAsync<T>(
  world: World,
  node: SimNode | undefined,
  what: string,
  fn: () => unknown,
  check: (v: unknown) => v is T,
  expected: string,
  onCrash?: T,
): Promise<T> {
  const where = `${what}${node ? ` on ${node.label}` : ""}`;
  const pending = world.callImplementation(node, what, fn);
  if (typeof pending !== "object" || pending === null || typeof (pending as Promise<unknown>).then !== "function") {
    return fail(new ImplementationError(`${where} returned ${show(pending)}; expected a Promise of ${expected}`));
  }
  let value: unknown;
  try {
    const crashed = node && onCrash !== undefined ? node.whenCrashed().then(() => onCrash) : undefined;
    // Named as a pending wait, so a run that ends waiting on it (deadlock, time limit) says so.
    value = await world.waitFor(where, crashed ? Promise.race([pending, crashed]) : (pending as Promise<unknown>));
  } catch (e) {
    return fail(new ImplementationError(`${where} rejected: ${describeThrown(e)}`, e));
  }
  if (!check(value)) return fail(new ImplementationError(`${where} resolved to ${show(value)}; expected ${expected}`));
  return value;

  function fail(failure: ImplementationError): never {
    world.fail(failure);
    throw failure;
  }
}

function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "object" && value !== null && typeof (value as Promise<unknown>).then === "function")
    return "a Promise (this method must not be async)";
  if (Array.isArray(value)) return `the array ${safeJson(value)} (return an object with named fields, not Go's tuple)`;
  if (typeof value === "object" && value !== null) {
    const methods = new Set<string>();
    for (let o = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const k of Object.getOwnPropertyNames(o))
        if (k !== "constructor" && typeof (value as Record<string, unknown>)[k] === "function") methods.add(k);
    }
    const kind =
      Object.getPrototypeOf(value) === Object.prototype
        ? "an object"
        : `an object of class ${value.constructor?.name ?? "?"}`;
    if (methods.size > 0) return `${kind} with methods ${[...methods].join(", ")}`;
  }
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
