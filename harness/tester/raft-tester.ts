/**
 * The Raft tester (the 6.5840 handout, modern raft1/test.go; 2026 behaviour where versions differ):
 * a group of Raft servers on the simulated network with long delays on, an applier per server that
 * checks every ApplyMsg, and the lab's checks (checkOneLeader, checkTerms, checkNoLeader,
 * nCommitted, one, wait). It reads only what the harness recorded: applied messages and getState().
 */
import { World } from "../sim/world";
import { Network } from "../sim/network";
import { SimNode } from "../sim/node";
import { SimPersister } from "../sim/persister";
import { TestFailure } from "../sim/errors";
import { encode, decode } from "../sim/codec";
import { Channel } from "../api/channel";
import type { ApplyMsg, Raft, RaftFactory, RaftState, StartResult } from "../api/raft";
import type { ClientEnd } from "../api/network";
import { ServerGroup } from "./group";
import { LeadershipLog } from "./leadership-log";
import { TestRun, callChecked, fatal, gradedLayer, hasMethods, showCommand as show } from "./harness";
import { RaftInvariants } from "./invariants";
import { recording } from "../sim/recorder";

/** The tester "generously allows" one second for an election. */
export const RAFT_ELECTION_TIMEOUT = 1000;

/** The Figure 8 tests' pause between rounds: mostly a few ms, one time in ten up to half an election timeout. */
export async function figure8Pause(world: World): Promise<void> {
  if (world.rng.int(1000) < 100) await world.sleep(world.rng.int(RAFT_ELECTION_TIMEOUT / 2));
  else await world.sleep(world.rng.int(13));
}

/**
 * TestFigure83C's churn: each round every running server is asked to start a command, and after
 * a pause the one that accepted it as leader crashes; with fewer than 3 running, a random server
 * restarts. At the end every server runs again.
 */
export async function figure8Churn(ts: RaftTester, iterations: number): Promise<void> {
  const { world, n: servers } = ts;
  let nup = servers;
  for (let iters = 0; iters < iterations; iters++) {
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      if (ts.group.isRunning(i) && ts.start(i, ts.randCommand()).isLeader) leader = i;
    }

    await figure8Pause(world);

    if (leader !== -1) {
      ts.crash(leader);
      nup -= 1;
    }

    if (nup < 3) {
      const s = world.rng.int(servers);
      if (!ts.group.isRunning(s)) {
        ts.restart(s);
        nup += 1;
      }
    }
  }

  for (let i = 0; i < servers; i++) {
    if (!ts.group.isRunning(i)) ts.restart(i);
  }
}
/** The snapshot applier snapshots every 10 entries. */
export const SNAPSHOT_INTERVAL = 10;
/** 3D: persisted Raft state must stay below this many bytes. */
export const MAX_LOG_SIZE = 2000;

export const RAFT_METHODS = ["start", "getState", "snapshot", "persistBytes", "kill"] as const;
export const isRaft = hasMethods<Raft>(RAFT_METHODS);
export const isRaftState = (v: unknown): v is RaftState =>
  typeof v === "object" &&
  v !== null &&
  Number.isInteger((v as RaftState).term) &&
  typeof (v as RaftState).isLeader === "boolean";
const isStartResult = (v: unknown): v is StartResult =>
  typeof v === "object" &&
  v !== null &&
  Number.isInteger((v as StartResult).index) &&
  Number.isInteger((v as StartResult).term) &&
  typeof (v as StartResult).isLeader === "boolean";

/** Commands are compared by value: tests use ints and strings, which survive encoding unchanged. */
export function sameCommand(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const [x, y] = [encode(a), encode(b)];
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}

export class RaftTester {
  readonly net: Network;
  readonly group: ServerGroup;
  readonly run: TestRun;
  /** What each slot has applied, by index; survives restarts (2026), replaced when a snapshot is ingested. */
  private readonly logs: Map<number, unknown>[];
  private readonly lastApplied: number[];
  private readonly rafts: (Raft | undefined)[];
  private maxIndex = 0;
  /** Snapshots servers delivered on applyCh (a leader's InstallSnapshot; a restart's own snapshot is ingested apart). */
  snapshotsApplied = 0;
  /** Safety checked after every event (on unless the run is lab-equivalent only, --no-invariants). */
  private readonly invariants: RaftInvariants | undefined;
  /** With the invariants: who led when, to say what the cluster did when no leader or no agreement came. */
  private readonly leadership: LeadershipLog | undefined;

  constructor(
    readonly world: World,
    readonly n: number,
    reliable: boolean,
    readonly snapshotMode: boolean,
    private readonly makeRaft: RaftFactory = gradedLayer("raft"),
  ) {
    this.net = new Network(world);
    this.logs = Array.from({ length: n }, () => new Map());
    this.lastApplied = new Array(n).fill(0);
    this.rafts = new Array(n).fill(undefined);
    this.group = new ServerGroup(world, this.net, n, (ends, i, persister, node) =>
      this.startRaft(ends, i, persister, node),
    );
    this.run = new TestRun(
      world,
      n,
      () => this.net.getTotalCount(),
      () => this.net.reliable,
    );
    if (world.settings.invariants) {
      const invariants = new RaftInvariants(world, n, sameCommand, (i) => this.group.lastChange(i));
      const leadership = new LeadershipLog(n);
      this.invariants = invariants;
      this.leadership = leadership;
      world.onEvent(() => {
        const states = this.rafts.map((raft, i) => (raft ? this.getState(i) : undefined));
        recording()?.raftStates(states, (i) => this.group.serverName(i)); // before the check, so a violating state is on the report
        leadership.observe(world.now(), states);
        invariants.checkStates(states);
      });
    }
    // As tester1's MakeConfig: start and connect everyone, then set reliability; Raft tests add long delays.
    this.group.startServers();
    this.net.reliable = reliable;
    this.net.longDelays = true;
  }

  begin(description: string): void {
    this.run.begin(description);
  }

  end(): void {
    this.run.end();
  }

  // --- servers -------------------------------------------------------------------------------

  private startRaft(ends: ClientEnd[], i: number, persister: SimPersister, node: SimNode) {
    const applyCh = new Channel<ApplyMsg>(0, `applyCh of server ${i}`);
    // A new instance applies from the start, or from its snapshot (classic start1 resets this too).
    this.lastApplied[i] = 0;
    if (this.snapshotMode) this.ingestSavedSnapshot(i, persister);
    const raft = callChecked(
      this.world,
      node,
      `makeRaft(peers, ${i}, persister, applyCh)`,
      () => this.makeRaft(ends, i, persister, applyCh),
      isRaft,
      `a Raft object with methods ${RAFT_METHODS.join(", ")}`,
    );
    this.rafts[i] = raft;
    void this.applier(i, applyCh, raft, node);
    return {
      services: { Raft: raft as object },
      kill: () => {
        this.rafts[i] = undefined;
        node.run(() => raft.kill());
        applyCh.close();
      },
    };
  }

  /** Crash server i (ShutdownServer). */
  crash(i: number): void {
    this.group.shutdownServer(i);
  }

  /** 2026 restart: start the server and connect it to everyone connected. */
  restart(i: number): void {
    this.group.startServer(i);
    this.group.connectOne(i);
  }

  connect(i: number): void {
    this.group.connectOne(i);
  }

  disconnect(i: number): void {
    this.group.disconnectAll(i);
  }

  raft(i: number): Raft | undefined {
    return this.rafts[i];
  }

  getState(i: number): RaftState {
    const raft = this.rafts[i]!;
    return callChecked(
      this.world,
      this.group.node(i),
      "getState()",
      () => raft.getState(),
      isRaftState,
      "{ term: integer, isLeader: boolean }",
    );
  }

  start(i: number, command: unknown): StartResult {
    const raft = this.rafts[i]!;
    return callChecked(
      this.world,
      this.group.node(i),
      `start(${show(command)})`,
      () => raft.start(command),
      isStartResult,
      "{ index: integer, term: integer, isLeader: boolean }",
    );
  }

  // --- the appliers ----------------------------------------------------------------------------

  /**
   * Drains server i's applyCh and checks each message. Apply errors fail the test at once (2025
   * exits at once too; 2026 reports them at the next nCommitted, which a 3A test never calls).
   */
  private async applier(i: number, applyCh: Channel<ApplyMsg>, raft: Raft, node: SimNode): Promise<void> {
    for (;;) {
      const { value: m, ok } = await applyCh.recv();
      if (!ok) return;
      try {
        if (typeof m !== "object" || m === null)
          fatal(`apply error: server ${i} sent ${show(m)} on applyCh; expected an ApplyMsg object`);
        if (m.commandValid) this.applyCommand(i, m.command, m.commandIndex, raft, node);
        else if (m.snapshotValid && this.snapshotMode) this.applySnapshot(i, m.snapshot, m.snapshotIndex);
      } catch (e) {
        this.world.fail(e instanceof TestFailure ? e : new TestFailure(`apply error: ${String(e)}`));
        return;
      }
    }
  }

  private applyCommand(i: number, command: unknown, index: number, raft: Raft, node: SimNode): void {
    if (this.snapshotMode && index !== this.lastApplied[i] + 1) {
      fatal(`apply error: server ${i} apply out of order, expected index ${this.lastApplied[i] + 1}, got ${index}`);
    }
    this.checkLogs(i, command, index);
    if (index > 1 && !this.logs[i].has(index - 1)) fatal(`apply error: server ${i} apply out of order ${index}`);
    this.lastApplied[i] = index;
    recording()?.applied(this.group.serverName(i), index);
    if (this.snapshotMode && (index + 1) % SNAPSHOT_INTERVAL === 0) {
      const xlog: unknown[] = [null];
      for (let j = 1; j <= index; j++) xlog.push(this.logs[i].get(j) ?? null);
      const snapshot = encode([index, xlog]);
      this.world.callImplementation(node, `snapshot(${index}, ...)`, () => raft.snapshot(index, snapshot));
    }
  }

  /** The same command at every index across servers (state-machine safety at apply time). */
  private checkLogs(i: number, command: unknown, index: number): void {
    for (let j = 0; j < this.n; j++) {
      const old = this.logs[j].get(index);
      if (this.logs[j].has(index) && !sameCommand(old, command)) {
        fatal(`apply error: commit index=${index} server=${i} ${show(command)} != server=${j} ${show(old)}`);
      }
    }
    this.logs[i].set(index, command);
    this.invariants?.applied(i, index, command);
    if (index > this.maxIndex) this.maxIndex = index;
  }

  private applySnapshot(i: number, snapshot: Uint8Array, snapshotIndex: number): void {
    this.snapshotsApplied++;
    const [lastIncludedIndex, xlog] = this.decodeSnapshot(i, snapshot);
    if (lastIncludedIndex !== snapshotIndex) fatal(`apply error: server ${i} snapshot doesn't match m.SnapshotIndex`);
    this.invariants?.installed(i, xlog);
    this.logs[i] = new Map(xlog.map((c, j) => [j, c] as [number, unknown]).filter(([j]) => j > 0));
    this.lastApplied[i] = lastIncludedIndex;
    recording()?.applied(this.group.serverName(i), lastIncludedIndex);
  }

  /** A restarted server in snapshot mode starts from the snapshot in its persister, as a service would. */
  private ingestSavedSnapshot(i: number, persister: SimPersister): void {
    if (persister.snapshotSize() === 0) return;
    const [lastIncludedIndex, xlog] = this.decodeSnapshot(i, persister.readSnapshot());
    this.logs[i] = new Map(xlog.map((c, j) => [j, c] as [number, unknown]).filter(([j]) => j > 0));
    this.lastApplied[i] = lastIncludedIndex;
    recording()?.applied(this.group.serverName(i), lastIncludedIndex);
  }

  private decodeSnapshot(i: number, snapshot: Uint8Array): [number, unknown[]] {
    try {
      const value = decode<[number, unknown[]]>(snapshot);
      if (Array.isArray(value) && Number.isInteger(value[0]) && Array.isArray(value[1])) return value;
    } catch {
      // reported below
    }
    return fatal(
      `apply error: server ${i}: snapshot cannot be decoded (Raft must hand back the service's snapshot bytes unchanged)`,
    );
  }

  // --- the lab's checks --------------------------------------------------------------------------

  /** Polls up to 10 times, 450-549 ms apart, for exactly one leader in the highest term. */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      await this.world.sleep(450 + this.world.rng.int(100));
      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        if (!this.group.isConnected(i) || !this.rafts[i]) continue;
        const { term, isLeader } = this.getState(i);
        if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
      }
      let lastTermWithLeader = -1;
      for (const [term, ids] of leaders) {
        if (ids.length > 1) fatal(`term ${term} has ${ids.length} (>1) leaders`);
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      if (leaders.size > 0) return leaders.get(lastTermWithLeader)![0];
    }
    return fatal(`expected one leader, got none${this.whatLeadershipDid(5000)}`);
  }

  /**
   * Liveness (parts beyond the lab): within `withinMs`, one connected server leads in the highest
   * term any connected server is in, and keeps leading in that term for `holdMs`. A Raft that
   * livelocks, keeps re-electing, or has no election at all fails with what the cluster did.
   * Returns the leader.
   */
  async checkStableLeader(withinMs: number, holdMs: number): Promise<number> {
    const t0 = this.world.now();
    let held: { leader: number; term: number; since: number } | undefined;
    while (this.world.now() - t0 <= withinMs + holdMs) {
      const now = this.world.now();
      const states = this.group
        .all()
        .filter((i) => this.group.isConnected(i) && this.rafts[i])
        .map((i) => ({ i, ...this.getState(i) }));
      const top = Math.max(...states.map((s) => s.term));
      const leaders = states.filter((s) => s.isLeader && s.term === top);
      const current = leaders.length === 1 ? { leader: leaders[0].i, term: top } : undefined;
      if (!current || !held || current.leader !== held.leader || current.term !== held.term)
        held = current && { ...current, since: now };
      if (held && now - held.since >= holdMs) return held.leader;
      if (!held && now - t0 > withinMs) break; // no leader by the bound: it cannot hold long enough any more
      await this.world.sleep(50);
    }
    return fatal(
      `no leader held on for ${(holdMs / 1000).toFixed(1)} s within ${(withinMs / 1000).toFixed(1)} s${this.whatLeadershipDid(this.world.now() - t0)}`,
    );
  }

  /** All connected servers agree on the term; returns it (−1 if none is connected). */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.group.isConnected(i) || !this.rafts[i]) continue;
      const xterm = this.getState(i).term;
      if (term === -1) term = xterm;
      else if (term !== xterm) fatal("servers disagree on term");
    }
    return term;
  }

  /** No connected server claims to be leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (!this.group.isConnected(i) || !this.rafts[i]) continue;
      if (this.getState(i).isLeader) fatal(`expected no leader among connected servers, but ${i} claims to be leader`);
    }
  }

  /** How many servers (any slot, running or not) applied `index`, and what. */
  nCommitted(index: number): { count: number; command: unknown } {
    let count = 0;
    let command: unknown = undefined;
    for (let i = 0; i < this.n; i++) {
      if (!this.logs[i].has(index)) continue;
      const c = this.logs[i].get(index);
      if (count > 0 && !sameCommand(command, c))
        fatal(`committed values at index ${index} do not match (${show(command)} != ${show(c)})`);
      count++;
      command = c;
    }
    return { count, command };
  }

  checkNoAgreement(index: number): void {
    const { count } = this.nCommitted(index);
    if (count > 0) fatal(`${count} committed but no majority`);
  }

  /**
   * Submits `command` to whichever server is leader and waits for `expectedServers` to apply it;
   * retries (if allowed) for up to 10 s. Returns the index.
   */
  async one(command: unknown, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = this.world.now();
    let starts = 0;
    while (this.world.now() - t0 < 10 * RAFT_ELECTION_TIMEOUT) {
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        if (!this.group.isConnected(starts) || !this.rafts[starts]) continue;
        const r = this.start(starts, command);
        if (r.isLeader) {
          index = r.index;
          break;
        }
      }
      if (index !== -1) {
        const t1 = this.world.now();
        while (this.world.now() - t1 < 2000) {
          const { count, command: committed } = this.nCommitted(index);
          if (count > 0 && count >= expectedServers && sameCommand(committed, command)) {
            this.run.countOp();
            return index;
          }
          await this.world.sleep(20);
        }
        if (!retry) fatal(`one(${show(command)}) failed to reach agreement${this.whatLeadershipDid(2000)}`);
      } else {
        await this.world.sleep(50);
      }
    }
    return fatal(`one(${show(command)}) failed to reach agreement${this.whatLeadershipDid(10_000)}`);
  }

  /** "; in the last 5.0 s ...": what the servers did about leadership, when the invariants watched them. */
  private whatLeadershipDid(windowMs: number): string {
    return this.leadership
      ? `; ${this.leadership.describe(this.world.now(), windowMs, (i) => this.group.isConnected(i))}`
      : "";
  }

  /** Waits (exponential back-off from 10 ms, 30 polls) for n servers to apply index; −1 if the term moved past startTerm. */
  async wait(index: number, n: number, startTerm: number): Promise<unknown> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      await this.world.sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (let i = 0; i < this.n; i++) {
          if (this.rafts[i] && this.getState(i).term > startTerm) return -1; // someone moved on
        }
      }
    }
    const { count, command } = this.nCommitted(index);
    if (count < n) fatal(`only ${count} decided for index ${index}; wanted ${n}`);
    return command;
  }

  /** A random command, as the Go tests' rand.Int(): kept below 2^31 so it reads the same everywhere. */
  randCommand(): number {
    return this.world.rng.int(2 ** 31);
  }

  /** The index server i applied last, in order (a snapshot it installed counts as applied through its index). */
  appliedIndex(i: number): number {
    return this.lastApplied[i];
  }

  /** Highest index any server applied (for the classic summary's agreement count). */
  maxAppliedIndex(): number {
    return this.maxIndex;
  }

  /** Stops every server (the test's cleanup). */
  cleanup(): void {
    this.group.shutdown();
    this.net.cleanup();
  }
}
