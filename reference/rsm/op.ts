/**
 * What the rsm puts in the Raft log: the service's request wrapped with an identity, so that the
 * server waiting for an index can tell whether the entry applied there is the one it submitted
 * or another leader's entry that took its place.
 */

export interface Op {
  /** The submitting server. */
  me: number;
  /** Drawn at random when the rsm starts: a restarted server's ops never match older ones. */
  epoch: number;
  /** Counts this incarnation's submissions. */
  seq: number;
  req: unknown;
}

/** Hands out op identities for one rsm incarnation: unique across servers and restarts. */
export class OpIds {
  // Math.random is seeded by the simulation, so the epoch is deterministic yet differs per start.
  private readonly epoch = Math.floor(Math.random() * 2 ** 32);
  private seq = 0;

  constructor(private readonly me: number) {}

  wrap(req: unknown): Op {
    return { me: this.me, epoch: this.epoch, seq: ++this.seq, req };
  }
}

/** Ops come back from the log as copies (decoded on followers and after restarts): compare ids. */
export function sameOp(a: Op, b: unknown): boolean {
  if (typeof b !== "object" || b === null) return false;
  const op = b as Partial<Op>;
  return op.me === a.me && op.epoch === a.epoch && op.seq === a.seq;
}
