/**
 * The simulated network, labrpc's equivalent (the 6.5840 handout), on virtual time.
 *
 * Client ends are connected to server *names*; a server is a bag of services (objects whose
 * methods are RPC handlers). Every request is encoded at send time and decoded into a fresh
 * object on the other side, so caller and handler never share memory, and the encoded sizes are
 * what the byte counters count. Delays, drops and reordering follow labrpc's constants exactly;
 * every random choice comes from the world's seeded PRNG.
 */
import { World } from "./world";
import { SimNode } from "./node";
import { encode, decode, CodecError } from "./codec";
import { ImplementationError, describeThrown } from "./errors";
import { hashBytes } from "./trace";
import { summarizeBytes } from "./rpc-summary";
import { recording, FATE } from "./recorder";
import type { ClientEnd } from "../api/network";
import { handlerNames, QUEUED_CALL } from "./handlers";

/** labrpc's constants, named as in the 2025 sources. */
const SHORT_DELAY_MS = 27; // unreliable: each request waits rand(0..26) ms
const LONG_DELAY_MS = 7000; // longDelays: a call to an unreachable server fails after rand(0..6999) ms
const SHORT_FAILURE_MS = 100; // otherwise after rand(0..99) ms
const DROP_PER_MILLE = 100; // unreliable: 10 % of requests and 10 % of replies are lost
const REORDER_OF_900 = 600; // longReordering: 2/3 of replies arrive 200..2199 ms late
const DEAD_CHECK_MS = 100; // how often a waiting call notices that its server died
/**
 * raftgrade's one addition to labrpc's timing: an end carries at most this many calls per virtual
 * millisecond, the rest wait for the next one. On a network without delays an RPC costs no
 * virtual time, so code that retries at once, forever (a clerk cycling through servers, a leader
 * resending a rejected AppendEntries) would otherwise never let the clock advance; in Go each
 * round trip takes tens of microseconds, which is about this rate.
 */
const END_CALLS_PER_MS = 10;

/** A promise that never settles: what a crashed process's pending call turns into. */
const never = <T>() => new Promise<T>(() => {});

interface EndState {
  readonly name: string;
  /** The node that owns this end, if any: a crashed owner's calls go nowhere. */
  readonly owner: SimNode | undefined;
  enabled: boolean;
  serverName: string | undefined;
  /** The virtual millisecond whose call budget (END_CALLS_PER_MS) is being spent, and how much is spent. */
  budgetAt: number;
  budgetUsed: number;
}

/** A call whose handler is running; it must notice (every 100 ms) if its server went away. */
interface InflightCall {
  readonly end: EndState;
  readonly serverName: string;
  readonly server: SimServer;
  readonly startedAt: number;
  checkScheduled: boolean;
  finish: (reply: Uint8Array | null) => void;
}

/** The end handed to graded code: only `call`; its wiring lives in the network, out of reach. */
export class SimClientEnd implements ClientEnd {
  readonly #net: Network;
  readonly #state: EndState;
  constructor(net: Network, state: EndState) {
    this.#net = net;
    this.#state = state;
    Object.freeze(this); // graded code gets ends to call, not to change
  }
  call<Reply = unknown>(serviceMethod: string, args?: unknown): Promise<Reply | null> {
    return this.#net.call<Reply>(this.#state, serviceMethod, args);
  }
  toString(): string {
    return `ClientEnd(${this.#state.name})`;
  }
}
Object.freeze(SimClientEnd.prototype);

/** An RPC whose handler has just answered, as the network saw it (bytes in the codec's encoding). */
export interface HandledRpc {
  id: number;
  method: string;
  /** The caller's node name (e.g. "server-0-1"), undefined for the tester's own ends. */
  from: string | undefined;
  /** The server name the call reached. */
  server: string;
  args: Uint8Array;
  reply: Uint8Array;
}

/** An RPC whose request has just reached its server, before the handler runs. */
export type ArrivingRpc = Omit<HandledRpc, "reply">;

export class Network {
  /** labrpc's three switches (defaults: reliable, no long delays, no long reordering). */
  reliable = true;
  longDelays = false;
  longReordering = false;
  /** Calls one end carries per virtual millisecond (see END_CALLS_PER_MS); benchmarks may lift it. */
  endCallsPerMs = END_CALLS_PER_MS;
  /**
   * Virtual ms each request and each reply spends in transit, on top of labrpc's delays (default 0,
   * as labrpc). In virtual time computation is free, so a tester whose clients loop for a fixed time
   * sets 1 ms to get the op rates of a real machine rather than thousands of ops per virtual second.
   */
  hopDelayMs = 0;
  /**
   * The parts beyond the lab: seeded transit time for each request and each reply, `baseMs` plus
   * 0..`jitterMs`, so that an election or a round of replication spans time in which faults can
   * land, and messages overtake each other. Unset in the lab-equivalent parts (labrpc has none).
   */
  latency: { baseMs: number; jitterMs: number } | undefined;
  /**
   * A PCT-style scheduler for the parts beyond the lab: in each block of `perCalls` RPCs, one call
   * picked by the seed has its request or its reply held for minHoldMs..maxHoldMs, long enough
   * for terms to change under it. A few deep deviations from the usual order, rather than noise
   * everywhere, are what open the windows of the classic bugs. Unset in the lab-equivalent parts.
   */
  deviations: { perCalls: number; minHoldMs: number; maxHoldMs: number } | undefined;
  /** Per block of calls, its deviation: which call, which leg, how long (drawn when first needed). */
  private readonly deviationOf = new Map<number, { id: number; leg: "request" | "reply"; holdMs: number }>();
  /**
   * Who watches the RPCs that servers answer: the adversary parts' nemesis, which strikes at the
   * moments the protocol makes dangerous. Called when a handler has returned its reply, before the
   * reply's fate; it must not draw on the PRNG unless it changes the run on purpose (none is set in
   * the lab-equivalent parts, so their traces do not change). Returning a promise holds the reply
   * until it settles: a reply delivered after its sender's term moved on.
   */
  onHandled: ((rpc: HandledRpc) => Promise<void> | void) | undefined;
  /**
   * The same for requests, when one reaches its server and before its handler runs (unset in the
   * lab-equivalent parts). Returning a promise holds the request until it settles: a message
   * delivered late, after what followed it. A held request whose server is gone by then is lost.
   */
  onRequest: ((rpc: ArrivingRpc) => Promise<void> | void) | undefined;

  private readonly ends = new Map<string, EndState>();
  private readonly servers = new Map<string, SimServer>();
  private readonly inflight = new Set<InflightCall>();
  private totalCount = 0;
  private totalBytes = 0;
  private nextCallId = 1;
  private cleanedUp = false;

  constructor(readonly world: World) {}

  /** Creates a client end, disabled and unconnected (as labrpc's MakeEnd). */
  makeEnd(name: string, owner?: SimNode): ClientEnd {
    if (this.ends.has(name)) throw new Error(`harness bug: client end "${name}" already exists`);
    const state: EndState = { name, owner, enabled: false, serverName: undefined, budgetAt: -1, budgetUsed: 0 };
    this.ends.set(name, state);
    return new SimClientEnd(this, state);
  }

  /** Forgets an end; later calls on it behave as on a disabled end. */
  deleteEnd(name: string): void {
    const end = this.ends.get(name);
    if (!end) return;
    end.enabled = false;
    this.ends.delete(name);
    recording()?.link(end.owner?.name, end.serverName, false);
    this.noticeChanges();
  }

  /** Connects an end to a server name; an end is connected once, for its whole life. */
  connect(endName: string, serverName: string): void {
    const end = this.endState(endName);
    if (end.serverName !== undefined)
      throw new Error(`harness bug: end "${endName}" is already connected to ${end.serverName}`);
    end.serverName = serverName;
  }

  enable(endName: string, enabled: boolean): void {
    const end = this.endState(endName);
    if (end.enabled === enabled) return;
    end.enabled = enabled;
    recording()?.link(end.owner?.name, end.serverName, enabled);
    if (!enabled) this.noticeChanges();
  }

  isEnabled(endName: string): boolean {
    return this.endState(endName).enabled;
  }

  /** Registers (or replaces) the server under a name; calls running on a replaced one get no reply. */
  addServer(name: string, server: SimServer): void {
    this.servers.set(name, server);
    this.noticeChanges();
  }

  deleteServer(name: string): void {
    this.servers.delete(name);
    this.noticeChanges();
  }

  /** Incoming RPCs that reached the named server's dispatcher (0 if no such server). */
  getCount(serverName: string): number {
    return this.servers.get(serverName)?.count ?? 0;
  }

  /** All requests that entered the network, including dropped ones and ones to unreachable peers. */
  getTotalCount(): number {
    return this.totalCount;
  }

  /** Request bytes at send plus reply bytes at delivery. */
  getTotalBytes(): number {
    return this.totalBytes;
  }

  /** Ends the network: new calls fail at once, running ones get no reply. */
  cleanup(): void {
    this.cleanedUp = true;
    for (const call of [...this.inflight]) call.finish(null);
  }

  /** One RPC, step by step as labrpc's processReq. Resolves to the decoded reply or null. */
  async call<Reply>(end: EndState, serviceMethod: string, args: unknown): Promise<Reply | null> {
    const world = this.world;
    const who = end.owner ? end.owner.label : end.name;
    let argBytes: Uint8Array;
    try {
      argBytes = encode(args, "args");
    } catch (e) {
      const why = e instanceof CodecError ? e.message : describeThrown(e);
      world.fail(new ImplementationError(`RPC ${serviceMethod} sent by ${who}: ${why}`, e));
      return never();
    }
    if (!world.noteActivity()) return never(); // the run is over (or livelocked): end the chain here
    this.totalCount++;
    this.totalBytes += argBytes.length;
    world.counters.rpcs++;
    world.counters.bytes += argBytes.length;
    const id = this.nextCallId++;
    world.trace.record(
      world.now(),
      "rpc.send",
      who,
      () =>
        `#${id} ${serviceMethod} -> ${end.serverName ?? "?"} (${argBytes.length} bytes): ${summarizeBytes(argBytes)}`,
      hashBytes(argBytes, argBytes.length),
    );
    // The HTML report's recorder (replay --html only) follows the call's steps: `rec` is undefined otherwise.
    const rec = recording();
    const r = rec
      ? rec.rpcSend(id, end.owner?.name ?? "tester", end.serverName, serviceMethod, argBytes.length, argBytes)
      : -1;
    if (end.owner && !end.owner.alive) {
      rec?.rpcEnd(r, FATE.callerCrashed);
      return never(); // a crashed process sends nothing
    }
    if (this.cleanedUp) return null;

    // The handler runs after the caller yields, as in its own goroutine.
    await undefined;
    while (!this.spendCallBudget(end)) await world.sleep(1);
    const server = this.reachableServer(end);
    if (!server) {
      await world.sleep(this.longDelays ? world.rng.int(LONG_DELAY_MS) : world.rng.int(SHORT_FAILURE_MS));
      world.trace.record(world.now(), "rpc.fail", who, `#${id} ${serviceMethod}: peer unreachable`);
      rec?.rpcEnd(r, FATE.unreachable);
      return end.owner && !end.owner.alive ? never() : null;
    }
    if (this.hopDelayMs > 0) await world.sleep(this.hopDelayMs);
    if (this.latency || this.deviations) await world.sleep(this.transitMs(id, "request", who, serviceMethod));
    if (!this.reliable) {
      await world.sleep(world.rng.int(SHORT_DELAY_MS));
      if (world.rng.int(1000) < DROP_PER_MILLE) {
        world.trace.record(world.now(), "rpc.drop", who, `#${id} ${serviceMethod}: request dropped`);
        rec?.rpcEnd(r, FATE.requestDropped);
        return end.owner && !end.owner.alive ? never() : null;
      }
    }

    const heldRequest = this.onRequest?.({
      id,
      method: serviceMethod,
      from: end.owner?.name,
      server: end.serverName!,
      args: argBytes,
    });
    if (heldRequest) {
      // Only a nemesis holds requests: no await otherwise, so the lab's schedules stay as they were.
      await heldRequest;
      if (end.owner && !end.owner.alive) {
        rec?.rpcEnd(r, FATE.callerCrashed);
        return never();
      }
      if (this.reachableServer(end) !== server) {
        world.trace.record(world.now(), "rpc.fail", who, `#${id} ${serviceMethod}: held request, its server gone`);
        rec?.rpcEnd(r, FATE.unreachable);
        return null;
      }
    }
    rec?.rpcArrive(r);
    const replyBytes = await this.runHandler(end, end.serverName!, server, serviceMethod, argBytes, id);
    if (replyBytes === null) {
      world.trace.record(world.now(), "rpc.fail", who, `#${id} ${serviceMethod}: server died or handler failed`);
      rec?.rpcEnd(r, FATE.serverDied);
      return end.owner && !end.owner.alive ? never() : null;
    }
    rec?.rpcHandled(r, replyBytes);
    const held = this.onHandled?.({
      id,
      method: serviceMethod,
      from: end.owner?.name,
      server: end.serverName!,
      args: argBytes,
      reply: replyBytes,
    });
    if (held) await held; // only a nemesis holds replies: no await otherwise, so the lab's schedules stay as they were
    if (!this.reliable && world.rng.int(1000) < DROP_PER_MILLE) {
      world.trace.record(world.now(), "rpc.drop", who, `#${id} ${serviceMethod}: reply dropped`);
      rec?.rpcEnd(r, FATE.replyDropped);
      return end.owner && !end.owner.alive ? never() : null;
    }
    let late = false;
    if (this.longReordering && world.rng.int(900) < REORDER_OF_900) {
      late = true;
      await world.sleep(200 + world.rng.int(1 + world.rng.int(2000)));
    }
    if (this.hopDelayMs > 0) await world.sleep(this.hopDelayMs);
    if (this.latency || this.deviations) await world.sleep(this.transitMs(id, "reply", who, serviceMethod));
    if (end.owner && !end.owner.alive) {
      rec?.rpcEnd(r, FATE.callerCrashed);
      return never();
    }
    this.totalBytes += replyBytes.length;
    world.counters.bytes += replyBytes.length;
    world.trace.record(
      world.now(),
      "rpc.reply",
      who,
      () =>
        `#${id} ${serviceMethod} reply from ${end.serverName ?? "?"} (${replyBytes.length} bytes): ${summarizeBytes(replyBytes)}`,
      hashBytes(replyBytes, replyBytes.length),
    );
    rec?.rpcEnd(r, late ? FATE.late : FATE.delivered, replyBytes.length);
    return decode<Reply>(replyBytes);
  }

  /** Virtual ms one leg of call `id` spends in transit: its seeded latency, plus a hold if the scheduler picked it. */
  private transitMs(id: number, leg: "request" | "reply", who: string, method: string): number {
    const world = this.world;
    let ms = 0;
    if (this.latency) ms += this.latency.baseMs + world.rng.int(this.latency.jitterMs + 1);
    const d = this.deviations;
    if (d) {
      const block = Math.floor((id - 1) / d.perCalls);
      let pick = this.deviationOf.get(block);
      if (!pick) {
        // Drawn when a call of the block first travels, so the picks follow the seed and nothing else.
        pick = {
          id: block * d.perCalls + 1 + world.rng.int(d.perCalls),
          leg: world.rng.int(2) === 0 ? "request" : "reply",
          holdMs: d.minHoldMs + world.rng.int(d.maxHoldMs - d.minHoldMs + 1),
        };
        this.deviationOf.set(block, pick);
      }
      if (pick.id === id && pick.leg === leg) {
        ms += pick.holdMs;
        world.trace.record(world.now(), "deviation", who, `#${id} ${method}: ${leg} held ${pick.holdMs} ms`);
        recording()?.print(`scheduler: #${id} ${method} (${who}): ${leg} held ${pick.holdMs} ms\n`, undefined);
      }
    }
    return ms;
  }

  /** Takes one call from the end's budget for the current millisecond; false when it is spent. */
  private spendCallBudget(end: EndState): boolean {
    const now = this.world.now();
    if (end.budgetAt !== now) {
      end.budgetAt = now;
      end.budgetUsed = 0;
    }
    if (end.budgetUsed >= this.endCallsPerMs) return false;
    end.budgetUsed++;
    return true;
  }

  private endState(name: string): EndState {
    const end = this.ends.get(name);
    if (!end) throw new Error(`harness bug: no client end named "${name}"`);
    return end;
  }

  /** The server an end reaches now: enabled, connected, and a live server under that name. */
  private reachableServer(end: EndState): SimServer | undefined {
    if (!end.enabled || end.serverName === undefined || this.ends.get(end.name) !== end) return undefined;
    const server = this.servers.get(end.serverName);
    if (!server || (server.node && !server.node.alive)) return undefined;
    return server;
  }

  /** Dead for this call: its end was disabled, or its server name now maps to another server. */
  private isDead(call: InflightCall): boolean {
    return this.cleanedUp || !call.end.enabled || this.servers.get(call.serverName) !== call.server;
  }

  /**
   * Runs the handler and resolves to the encoded reply, or to null once the call is dead. labrpc
   * re-checks deadness every 100 ms while it waits; rather than poll, this schedules the re-check
   * at the next 100 ms mark only when the topology changes (see noticeChanges), which gives the
   * same answer at the same virtual time without keeping a timer per waiting call.
   */
  private runHandler(
    end: EndState,
    serverName: string,
    server: SimServer,
    method: string,
    argBytes: Uint8Array,
    id: number,
  ): Promise<Uint8Array | null> {
    return new Promise((resolve) => {
      const release = this.world.beginWait(
        `RPC #${id} ${method} to ${serverName}: its handler has not returned`,
        server.node,
      );
      let settled = false;
      const call: InflightCall = {
        end,
        serverName,
        server,
        startedAt: this.world.now(),
        checkScheduled: false,
        finish: (reply) => {
          if (settled) return;
          settled = true;
          release();
          this.inflight.delete(call);
          resolve(reply);
        },
      };
      this.inflight.add(call);
      server
        .dispatch(this.world, serverName, method, argBytes)
        .then((reply) => call.finish(reply && !this.isDead(call) ? reply : null));
    });
  }

  /** Something was disabled, replaced or deleted: waiting calls that are now dead re-check at their next 100 ms mark. */
  private noticeChanges(): void {
    const now = this.world.now();
    for (const call of this.inflight) {
      if (call.checkScheduled || !this.isDead(call)) continue;
      call.checkScheduled = true;
      const elapsed = now - call.startedAt;
      const nextMark = call.startedAt + (Math.floor(elapsed / DEAD_CHECK_MS) + 1) * DEAD_CHECK_MS;
      this.world.after(nextMark - now, () => {
        call.checkScheduled = false;
        if (this.isDead(call)) call.finish(null);
      });
    }
  }
}

/**
 * A server: the services registered on it share one dispatcher and one incoming-RPC count. It runs
 * every handler inside its node's context, so timers a handler starts belong to that node.
 */
export class SimServer {
  count = 0;
  private readonly services = new Map<string, object>();
  /** Handlers already looked up, by "Service.method" (the lookup walks prototypes). */
  private readonly handlers = new Map<string, { service: object; fn: Function; name: string }>();

  constructor(readonly node?: SimNode) {}

  /** Registers `service` under `name` ("Raft", "KVServer", ...): its methods become RPC handlers. */
  addService(name: string, service: object): void {
    if (this.services.has(name)) throw new Error(`harness bug: service ${name} registered twice`);
    this.services.set(name, service);
  }

  /** Decodes the args, runs the handler, encodes the reply; null (and a failed run) on any fault. */
  async dispatch(
    world: World,
    serverName: string,
    serviceMethod: string,
    argBytes: Uint8Array,
  ): Promise<Uint8Array | null> {
    this.count++;
    const where = `${serviceMethod} on ${this.node ? this.node.label : serverName}`;
    const handler = this.findHandler(serviceMethod, serverName);
    if (typeof handler === "string") {
      world.fail(new ImplementationError(handler));
      return null;
    }
    try {
      const args = decode(argBytes);
      const queued = (handler.service as { [QUEUED_CALL]?: (method: string, args: unknown) => Promise<unknown> })[
        QUEUED_CALL
      ];
      const run = queued ? () => queued(handler.name, args) : () => handler.fn.call(handler.service, args);
      let reply = this.node ? this.node.run(run) : run();
      if (reply && typeof (reply as Promise<unknown>).then === "function") reply = await reply;
      world.afterEvent(); // an RPC delivery is an event: invariants look at the state it left
      if (reply === undefined) {
        world.fail(
          new ImplementationError(`RPC handler ${where} returned undefined: a handler must return its reply object`),
        );
        return null;
      }
      return encode(reply, "reply");
    } catch (e) {
      const why = e instanceof CodecError ? `its reply cannot be sent: ${e.message}` : `threw: ${describeThrown(e)}`;
      world.fail(new ImplementationError(`RPC handler ${where} ${why}`, e));
      return null;
    }
  }

  /** The handler for "Service.method", or a message that names what exists. */
  private findHandler(
    serviceMethod: string,
    serverName: string,
  ): { service: object; fn: Function; name: string } | string {
    const known = this.handlers.get(serviceMethod);
    if (known) return known;
    const dot = serviceMethod.indexOf(".");
    const serviceName = dot < 0 ? serviceMethod : serviceMethod.slice(0, dot);
    const methodName = dot < 0 ? "" : serviceMethod.slice(dot + 1);
    const service = this.services.get(serviceName);
    if (!service) {
      return `RPC to unknown service "${serviceName}" (called as "${serviceMethod}") on ${serverName}; services there: ${[...this.services.keys()].join(", ") || "none"}`;
    }
    const methods = handlerNames(service);
    if (!methods.includes(methodName)) {
      return `RPC to unknown method "${serviceMethod}" on ${serverName}; service ${serviceName} has: ${methods.join(", ") || "no methods"}`;
    }
    const handler = { service, fn: (service as Record<string, Function>)[methodName], name: methodName };
    this.handlers.set(serviceMethod, handler);
    return handler;
  }
}
