/**
 * How a tester tells the sealed judging side what a factory it hands to graded code stands for:
 * a graded layer (a factory from the graded side), or the Raft factory a service is handed, whose
 * Rafts and applied messages the tester watches.
 */
export const SEALED_FACTORY = Symbol("raftgrade.sealedFactory");

export interface ObservedRaftFactory {
  /** Called with the Raft the service made (a stand-in), or whatever else the factory returned. */
  onMade(raft: unknown): void;
  /** Called with each message that Raft sent on its applyCh, once the send completed. */
  onApplied(msg: unknown): void;
}

/** True for a factory that builds on the sealed graded side. */
export function isSealedFactory(f: unknown): boolean {
  return typeof f === "function" && typeof (f as { [SEALED_FACTORY]?: unknown })[SEALED_FACTORY] === "string";
}

/** Marks the Raft factory a service is handed, in a sealed run, with what the tester does with what it makes. */
export function observeRaftFactory<F extends Function>(wrapper: F, hooks: ObservedRaftFactory): F {
  return Object.assign(wrapper, { [SEALED_FACTORY]: hooks });
}
