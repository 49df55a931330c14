/** What counts as an RPC handler (and as a method of a graded object crossing a sealed run). */

/** The names callable as handlers: functions on the object and its classes, not Object's own. */
export function handlerNames(service: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = service; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d && typeof d.value === "function") names.add(key);
    }
  }
  return [...names].sort();
}

/**
 * A service may take its RPCs through this method instead of its handlers: `(method, args) =>
 * Promise<reply>`. A sealed run's stand-in for a graded server does, so that every RPC delivered
 * at one instant crosses to the graded side in one step.
 */
export const QUEUED_CALL = Symbol("raftgrade.queuedCall");
