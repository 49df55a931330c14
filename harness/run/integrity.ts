/**
 * A worker runs graded code in its own process, so the code could try to change what the worker
 * reports instead of passing the tests. Three guards, set up before any graded module loads:
 *
 * - the IPC channel: the worker keeps its own reference to `process.send`, and graded code gets a
 *   `process.send` that sends nothing and is noted; every result also carries a token the grader
 *   made up for this worker, which graded code never sees, so a forged message is refused;
 * - the built-ins the harness computes verdicts with (Math, JSON, Array.prototype, Promise, timers,
 *   console, process.exit, ...): a snapshot is compared after every run, so a replaced or added
 *   property is reported as an integrity failure of that run, and the worker is replaced;
 * - during a run, world.ts checks the clock, timers, randomness and error handlers it installed.
 *
 * This catches tampering by mistake or by a casual cheat, not a determined attacker with the whole
 * of node at hand (README: threat model): run untrusted submissions in a container.
 */

/** The built-in objects watched, by the name a report gives them. */
function watched(): [string, object][] {
  const typedArray = Object.getPrototypeOf(Uint8Array.prototype) as object;
  return [
    ["globalThis", globalThis],
    ["Object", Object],
    ["Object.prototype", Object.prototype],
    ["Function.prototype", Function.prototype],
    ["Array", Array],
    ["Array.prototype", Array.prototype],
    ["String.prototype", String.prototype],
    ["Number.prototype", Number.prototype],
    ["Map.prototype", Map.prototype],
    ["Set.prototype", Set.prototype],
    ["Promise", Promise],
    ["Promise.prototype", Promise.prototype],
    ["TypedArray.prototype", typedArray],
    ["Uint8Array.prototype", Uint8Array.prototype],
    ["Buffer", Buffer],
    ["Math", Math],
    ["JSON", JSON],
    ["Reflect", Reflect],
    ["Date", Date],
    ["console", console],
    ["process", process],
  ];
}

/** Properties that legitimately change while a worker runs. */
const VOLATILE = new Set([
  "process.exitCode",
  "process._exiting",
  "process.title",
  "process.env",
  "process.domain",
  "process._events",
  "process._eventsCount",
  "process.mainModule",
]);

type Descriptor = { value?: unknown; get?: unknown; set?: unknown };
export type GlobalsSnapshot = Map<string, { owner: object; key: string | symbol; descriptor: Descriptor }>;

export function snapshotGlobals(): GlobalsSnapshot {
  materialiseLazyProperties();
  const snapshot: GlobalsSnapshot = new Map();
  for (const [name, owner] of watched()) {
    for (const key of Reflect.ownKeys(owner)) {
      const id = `${name}.${String(key)}`;
      if (VOLATILE.has(id)) continue;
      const d = Reflect.getOwnPropertyDescriptor(owner, key)!;
      snapshot.set(id, { owner, key, descriptor: { value: d.value, get: d.get, set: d.set } });
    }
  }
  return snapshot;
}

/**
 * Node defines many globals (TextEncoder, atob, AbortController, ...) and a few process properties
 * as getters that replace themselves with their value on first use. Reading each once here means
 * a submission's first use of one is not mistaken for tampering.
 */
function materialiseLazyProperties(): void {
  for (const owner of [globalThis, process] as object[]) {
    for (const key of Reflect.ownKeys(owner)) {
      const d = Reflect.getOwnPropertyDescriptor(owner, key);
      if (!d?.get) continue;
      try {
        void Reflect.get(owner, key);
      } catch {
        // a getter that throws defines nothing
      }
    }
  }
}

/**
 * What graded code changed since the snapshot: replaced or deleted properties, and properties added
 * to the built-ins (new globals are left alone: defining one's own global is not tampering).
 */
export function changedGlobals(snapshot: GlobalsSnapshot): string[] {
  const changed: string[] = [];
  for (const [id, { owner, key, descriptor }] of snapshot) {
    const now = Reflect.getOwnPropertyDescriptor(owner, key);
    if (!now) changed.push(`${id} (deleted)`);
    else if (!same(now, descriptor)) changed.push(id);
  }
  for (const [name, owner] of watched()) {
    if (owner === globalThis || owner === process) continue;
    for (const key of Reflect.ownKeys(owner)) {
      const id = `${name}.${String(key)}`;
      if (!snapshot.has(id) && !VOLATILE.has(id)) changed.push(`${id} (added)`);
    }
  }
  return changed;
}

/** Puts every watched property back as it was (the worker is replaced anyway; this keeps its report honest). */
export function restoreGlobals(snapshot: GlobalsSnapshot): void {
  for (const { owner, key, descriptor } of snapshot.values()) {
    const now = Reflect.getOwnPropertyDescriptor(owner, key);
    if (now && same(now, descriptor)) continue;
    try {
      Reflect.defineProperty(owner, key, {
        ...now,
        ...(descriptor.get || descriptor.set
          ? { get: descriptor.get, set: descriptor.set }
          : { value: descriptor.value }),
      } as PropertyDescriptor);
    } catch {
      // a frozen owner: nothing graded code could have changed either
    }
  }
}

/** Object.is, not ===: globalThis.NaN is not === itself. */
function same(a: Descriptor, b: Descriptor): boolean {
  return Object.is(a.value, b.value) && a.get === b.get && a.set === b.set;
}

/**
 * Takes the IPC channel away from graded code: returns the worker's own `send`, and leaves a
 * `process.send` that sends nothing and records the attempt.
 */
export function guardChannel(): { send: (msg: unknown, then?: () => void) => void; attempts: string[] } {
  const real = process.send!.bind(process) as (
    msg: unknown,
    handle?: undefined,
    options?: object,
    cb?: (e: Error | null) => void,
  ) => boolean;
  const attempts: string[] = [];
  const blocked = (msg: unknown) => {
    attempts.push(`process.send(${preview(msg)})`);
    return false;
  };
  Object.defineProperty(process, "send", { value: blocked, writable: true, configurable: true });
  return { send: (msg, then) => void real(msg, undefined, {}, () => then?.()), attempts };
}

function preview(msg: unknown): string {
  try {
    const text = JSON.stringify(msg) ?? String(msg);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return typeof msg;
  }
}
