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
