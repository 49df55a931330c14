/**
 * A Go-like channel, used for Raft's applyCh. `send` on an unbuffered channel waits until a
 * receiver has taken the value, as in Go, so an implementation that sends on applyCh when it
 * should be doing something else stalls exactly as it would in the lab.
 *
 * Blocked senders and receivers are served first come, first served, and everything resolves in
 * microtasks (no timers), so a channel costs no virtual time and never reorders a run. Two
 * harness rules: a blocked operation is registered with the simulation, so a deadlock report
 * names it; and a crashed node's operations go nowhere, since its threads are gone.
 */
import { ambient } from "../sim/ambient";
import { currentNode, type SimNode } from "../sim/node";

export interface Received<T> {
  value: T | undefined;
  /** False once the channel is closed and drained (Go's `v, ok := <-ch`). */
  ok: boolean;
}

interface BlockedSender<T> {
  value: T;
  node: SimNode | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
  release: () => void;
}

interface BlockedReceiver<T> {
  node: SimNode | undefined;
  resolve: (received: Received<T>) => void;
  release: () => void;
}

/** What a crashed node's thread waits on. A fresh one each time, so it is collected with its waiter. */
const never = () => new Promise<never>(() => {});
const DONE = Promise.resolve();
const noWait = () => {};

export class Channel<T> {
  // Private to the language (#), and the object frozen: code handed a channel (applyCh) can use it
  // but not change what the other side (the tester) gets from it.
  readonly #buffer = new Fifo<T>();
  readonly #senders = new Fifo<BlockedSender<T>>();
  readonly #receivers = new Fifo<BlockedReceiver<T>>();
  #closed = false;

  constructor(
    readonly capacity = 0,
    readonly name = "channel",
  ) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`channel ${name}: capacity must be a non-negative integer, got ${capacity}`);
    Object.freeze(this);
  }

  /** Values buffered and not yet received (Go's `len(ch)`). */
  get length(): number {
    return this.#buffer.length;
  }

  /** Resolves once a receiver took the value or it was buffered. Throws at once if the channel is closed (Go panics). */
  send(value: T): Promise<void> {
    const sent = this.#send(value);
    const watch = sendWatchers.get(this);
    if (watch)
      void sent.then(
        () => watch(value),
        () => undefined,
      );
    return sent;
  }

  #send(value: T): Promise<void> {
    const node = currentNode();
    if (node && !node.alive) return never();
    if (ambient()?.noteActivity() === false) return never(); // the run is over (or livelocked)
    if (this.trySendAlive(value)) return DONE;
    const world = ambient();
    return new Promise((resolve, reject) => {
      const what = this.capacity === 0 ? "no receiver" : `no receiver, buffer of ${this.capacity} full`;
      const release = world ? world.beginWait(`send on ${this.name}: ${what}${by(node)}`, node) : noWait;
      this.#senders.push({ value, node, resolve, reject, release });
    });
  }

  /** Resolves with the next value, or `{ value: undefined, ok: false }` once closed and drained. */
  recv(): Promise<Received<T>> {
    const node = currentNode();
    if (node && !node.alive) return never();
    const ready = this.tryRecvAlive();
    if (ready) return Promise.resolve(ready);
    const world = ambient();
    return new Promise((resolve) => {
      const release = world ? world.beginWait(`receive on ${this.name}: nothing sent${by(node)}`, node) : noWait;
      this.#receivers.push({ node, resolve, release });
    });
  }

  /** Sends without waiting: false if that would block. A crashed node's send goes nowhere (false). */
  trySend(value: T): boolean {
    const node = currentNode();
    if (node && !node.alive) return false;
    return this.trySendAlive(value);
  }

  /** Receives without waiting: undefined if nothing is ready. A crashed node receives nothing. */
  tryRecv(): Received<T> | undefined {
    const node = currentNode();
    if (node && !node.alive) return undefined;
    return this.tryRecvAlive();
  }

  /** Closing twice throws, as in Go. Blocked receivers get ok false; blocked senders are rejected. */
  close(): void {
    const node = currentNode();
    if (node && !node.alive) return;
    if (this.#closed) throw new Error(`close of closed channel ${this.name}`);
    this.#closed = true;
    for (let r = this.#receivers.shift(); r; r = this.#receivers.shift()) {
      r.release();
      if (isAlive(r.node)) r.resolve({ value: undefined, ok: false });
    }
    for (let s = this.#senders.shift(); s; s = this.#senders.shift()) {
      s.release();
      if (isAlive(s.node)) s.reject(this.closedError());
    }
  }

  /** Yields values until the channel is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const { value, ok } = await this.recv();
      if (!ok) return;
      yield value as T;
    }
  }

  private trySendAlive(value: T): boolean {
    if (this.#closed) throw this.closedError();
    const receiver = this.nextAlive(this.#receivers);
    if (receiver) {
      receiver.release();
      receiver.resolve({ value, ok: true });
      return true;
    }
    if (this.#buffer.length < this.capacity) {
      this.#buffer.push(value);
      return true;
    }
    return false;
  }

  private tryRecvAlive(): Received<T> | undefined {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift() as T;
      // The freed slot goes to the longest-waiting sender.
      const sender = this.nextAlive(this.#senders);
      if (sender) {
        this.#buffer.push(sender.value);
        sender.release();
        sender.resolve();
      }
      return { value, ok: true };
    }
    const sender = this.nextAlive(this.#senders);
    if (sender) {
      sender.release();
      sender.resolve();
      return { value: sender.value, ok: true };
    }
    return this.#closed ? { value: undefined, ok: false } : undefined;
  }

  /** The first waiter whose node is still alive; waiters of crashed nodes are dropped with their values. */
  private nextAlive<W extends { node: SimNode | undefined; release: () => void }>(queue: Fifo<W>): W | undefined {
    for (let w = queue.shift(); w; w = queue.shift()) {
      if (isAlive(w.node)) return w;
      w.release();
    }
    return undefined;
  }

  private closedError(): Error {
    return new Error(`send on closed channel ${this.name}`);
  }
}

function isAlive(node: SimNode | undefined): boolean {
  return node === undefined || node.alive;
}

/** Names the waiting node in a deadlock report. */
function by(node: SimNode | undefined): string {
  return node ? ` (${node.label})` : "";
}

Object.freeze(Channel.prototype);

const sendWatchers = new WeakMap<object, (value: any) => void>(); // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * For the harness: calls `watch` with each value sent on `ch` once its send completes (the KV
 * testers check every command Raft delivers to the service, on a channel the service made).
 */
export function watchSends<T>(ch: Channel<T>, watch: (value: T) => void): void {
  sendWatchers.set(ch, watch);
}

/** A queue with O(1) shift, since a buffered channel may hold many values. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined; // let it be collected
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
