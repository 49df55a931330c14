/**
 * The simulated stable storage of one server slot: two byte arrays, replaced together. Bytes are
 * copied on the way in and on the way out, so nothing the implementation keeps a reference to can
 * change what is "on disk" (or be changed by it) afterwards.
 */
import type { Persister } from "../api/persister";

const EMPTY = new Uint8Array(0);

/**
 * Persisters whose contents live elsewhere until read (a sealed run's graded side saves without
 * sending the bytes): the function brings them here, and is called before any read or copy.
 */
const stale = new WeakMap<SimPersister, () => void>();
export function markStale(p: SimPersister, refresh: () => void): void {
  stale.set(p, refresh);
}
function refresh(p: SimPersister): void {
  const r = stale.get(p);
  if (!r) return;
  stale.delete(p);
  r();
}

export class SimPersister implements Persister {
  // Never handed out and never written in place, so copies may share them. Private to the
  // language (#), and the object frozen: graded code cannot change what the tester reads.
  #raftState: Uint8Array = EMPTY;
  #snapshot: Uint8Array = EMPTY;

  constructor() {
    Object.freeze(this);
  }

  save(raftState: Uint8Array, snapshot?: Uint8Array | null): void {
    stale.delete(this);
    // Both are checked before either is stored: a save is all or nothing.
    requireBytes("raftState", raftState);
    if (snapshot !== undefined && snapshot !== null) requireBytes("snapshot", snapshot);
    this.#raftState = copyOf(raftState);
    this.#snapshot = snapshot ? copyOf(snapshot) : EMPTY;
  }

  readRaftState(): Uint8Array {
    refresh(this);
    return copyOf(this.#raftState);
  }

  readSnapshot(): Uint8Array {
    refresh(this);
    return copyOf(this.#snapshot);
  }

  raftStateSize(): number {
    refresh(this);
    return this.#raftState.length;
  }

  snapshotSize(): number {
    refresh(this);
    return this.#snapshot.length;
  }

  /**
   * A new persister with the same bytes. The tester keeps one when it crashes a server, so whatever
   * the crashed instance still writes to this one is lost, as on a real crash.
   */
  copy(): SimPersister {
    refresh(this);
    const copy = new SimPersister();
    copy.#raftState = this.#raftState;
    copy.#snapshot = this.#snapshot;
    return copy;
  }
}

Object.freeze(SimPersister.prototype);

/** A plain Uint8Array copy, even of a Buffer (whose slice() would share memory). */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length).slice();
}

function requireBytes(name: string, value: unknown): void {
  if (value instanceof Uint8Array) return;
  throw new TypeError(
    `Persister.save: ${name} must be a Uint8Array (encode your state with encode() from harness/api), got ${describe(value)}`,
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null
      ? "a plain object"
      : `an instance of ${proto.constructor?.name || "a class"}`;
  }
  return typeof value;
}
