/**
 * The grader's side of the worker processes: forks J workers, hands out the work items one at a
 * time, and collects one outcome per item. A worker that dies while running an item (process.exit
 * in graded code, out of memory, a native crash) or overruns --run-timeout of real time is killed if
 * need be, its item becomes a failed outcome with the reason, and a fresh worker takes over the rest.
 */
import { fork, ChildProcess } from "node:child_process";
import { killGroup } from "./process-group";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { Part } from "../../specs";
import type { WorkItem } from "./plan";
import { failedOutcome, RunOutcome, type FailureKind } from "./outcome";
import { FromWorker, ToWorker, CoverageSetup, WORKER_ARG } from "./worker-protocol";

const BIN = path.resolve(__dirname, "..", "..", "bin", "raftgrade.js");
/** A worker that dies this many times in a row before it is ready means the grader itself is broken. */
const MAX_START_FAILURES = 3;
const TAIL = 4096;

interface PoolOptions {
  jobs: number;
  parts: Part[];
  /** The environment of the workers: the run's configuration (config.ts) and artifacts folder. */
  env: NodeJS.ProcessEnv;
  coverage?: CoverageSetup;
  /** Real time allowed per run before its worker is killed. */
  runTimeoutMs: number;
  /**
   * Sealed runs: real time a run's graded process may take to load before the run's own time
   * starts (the --load-timeout, which the worker enforces); 0 when nothing loads per run.
   */
  loadAllowanceMs: number;
  /** V8 heap limit of a worker, in MiB: a run that needs more fails as out of memory. */
  workerMemoryMb: number;
  partOf(id: string): string;
  onStart?(index: number, item: WorkItem): void;
  onResult?(index: number, outcome: RunOutcome): void;
}

export interface PoolResult {
  /** By item index; undefined for items that never finished (interrupted). */
  outcomes: (RunOutcome | undefined)[];
  interrupted: boolean;
}

interface Worker {
  child: ChildProcess;
  /** Proves a message came from the worker code, not from graded code in it (worker-protocol.ts). */
  token: string;
  ready: boolean;
  /** The item it runs, if any. */
  current?: number;
  timer?: NodeJS.Timeout;
  killedForTime?: boolean;
  /** The graded modules did not finish loading within the run timeout (a top-level loop). */
  killedWhileLoading?: boolean;
  fatal?: string;
  tail: string;
}

export class WorkerPool {
  private readonly outcomes: (RunOutcome | undefined)[];
  private next = 0;
  private live = new Set<Worker>();
  private interrupted = false;
  private startFailures = 0;
  private resolve!: (r: PoolResult) => void;

  constructor(
    private readonly items: WorkItem[],
    private readonly options: PoolOptions,
  ) {
    this.outcomes = new Array(items.length).fill(undefined);
  }

  run(): Promise<PoolResult> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      const jobs = Math.max(1, Math.min(this.options.jobs, this.items.length));
      if (this.items.length === 0) return this.finish();
      for (let i = 0; i < jobs; i++) this.spawn();
    });
  }

  /** Ctrl-C: stop handing out work, end the workers; finished outcomes are kept. */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    for (const w of this.live) {
      killGroup(w.child, "SIGTERM");
      setTimeout(() => killGroup(w.child, "SIGKILL"), 2000).unref();
    }
  }

  private spawn(): void {
    const child = fork(BIN, [WORKER_ARG], {
      env: this.options.env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // A process group of its own, so that killing it also ends the run's graded process.
      detached: true,
      execArgv: [...process.execArgv, `--max-old-space-size=${this.options.workerMemoryMb}`],
    });
    const w: Worker = { child, token: randomBytes(16).toString("hex"), ready: false, tail: "" };
    this.live.add(w);
    const keep = (d: Buffer) => (w.tail = (w.tail + d.toString("utf8")).slice(-TAIL));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    child.on("message", (msg: FromWorker) => this.onMessage(w, msg));
    child.on("error", (e) => (w.tail += `\n${e.message}`));
    child.on("exit", (code, signal) => this.onExit(w, code, signal));
    this.send(w, { type: "init", token: w.token, parts: this.options.parts, coverage: this.options.coverage });
  }

  private send(w: Worker, msg: ToWorker): void {
    try {
      w.child.send(msg, (e) => e && killGroup(w.child, "SIGKILL"));
    } catch {
      killGroup(w.child, "SIGKILL"); // its exit handler records the item
    }
  }

  private onMessage(w: Worker, msg: FromWorker): void {
    if (msg?.token !== w.token) return this.forged(w, msg);
    if (msg.type === "loading") {
      w.timer = setTimeout(() => {
        w.killedWhileLoading = true;
        killGroup(w.child, "SIGKILL");
      }, this.options.runTimeoutMs);
    } else if (msg.type === "ready") {
      clearTimeout(w.timer);
      w.ready = true;
      this.startFailures = 0;
      this.assign(w);
    } else if (msg.type === "fatal") {
      w.fatal = msg.message;
    } else if (msg.type === "running" && msg.item === w.current) {
      // The graded process has loaded (its own --load-timeout bounded that): the run's time starts now.
      clearTimeout(w.timer);
      w.timer = this.runTimer(w);
    } else if (msg.type === "result" && msg.item === w.current) {
      const item = this.items[msg.item];
      if (msg.outcome?.id !== item.id || msg.outcome?.seed !== item.seed) return this.forged(w, msg);
      clearTimeout(w.timer);
      w.current = undefined;
      this.record(msg.item, msg.outcome);
      if (!msg.retire) this.assign(w); // a retiring worker exits, and a fresh one takes the next item
    }
  }

  /**
   * A message without the worker's token, or a result for another test than the one the worker
   * runs: graded code is talking on the channel. The run fails and the worker is replaced.
   */
  private forged(w: Worker, msg: unknown): void {
    if (w.current === undefined) return void killGroup(w.child, "SIGKILL");
    const index = w.current;
    const item = this.items[index];
    clearTimeout(w.timer);
    w.current = undefined;
    const shown = JSON.stringify(msg)?.slice(0, 200);
    this.record(
      index,
      failedOutcome(
        item.id,
        this.options.partOf(item.id),
        item.seed,
        "integrity",
        `the graded code sent the grader a message of its own on the worker's channel; this run's verdict cannot be trusted`,
        `message: ${shown}`,
      ),
    );
    killGroup(w.child, "SIGKILL");
  }

  private assign(w: Worker): void {
    if (this.interrupted || this.next >= this.items.length) return this.send(w, { type: "stop" });
    const index = this.next++;
    const item = this.items[index];
    w.current = index;
    this.options.onStart?.(index, item);
    // Until the worker says its graded process has loaded, the load's own limit is allowed too.
    w.timer = this.runTimer(w, this.options.loadAllowanceMs);
    this.send(w, { type: "run", item: index, id: item.id, seed: item.seed });
  }

  /** Kills the worker once its run has taken --run-timeout of real time (plus an allowance). */
  private runTimer(w: Worker, allowanceMs = 0): NodeJS.Timeout {
    return setTimeout(() => {
      w.killedForTime = true;
      killGroup(w.child, "SIGKILL");
    }, this.options.runTimeoutMs + allowanceMs);
  }

  private onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(w.timer);
    killGroup(w.child, "SIGKILL"); // whatever the worker started (a graded process started ahead) ends with it
    this.live.delete(w);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = w.tail.trim() ? `last output of the worker:\n${w.tail.trim()}` : undefined;
    if (w.current !== undefined && !this.interrupted) {
      const item = this.items[w.current];
      const part = this.options.partOf(item.id);
      this.record(
        w.current,
        w.killedForTime
          ? failedOutcome(
              item.id,
              part,
              item.seed,
              "killed",
              `killed: the run took more than ${this.options.runTimeoutMs / 1000} s of real time (--run-timeout); graded code may be stuck in a loop that never yields`,
              tail,
            )
          : outOfMemory(w.tail)
            ? failedOutcome(
                item.id,
                part,
                item.seed,
                "out-of-memory",
                `out of memory: the run needed more than the worker's ${this.options.workerMemoryMb} MiB heap (--worker-memory); graded code may keep everything it ever made`,
                tail,
              )
            : failedOutcome(
                item.id,
                part,
                item.seed,
                "crash",
                `the worker process running this test ${how} (graded code may have ended the process or crashed node)`,
                tail,
              ),
      );
    }
    if (!w.ready && !this.interrupted) this.startFailures++;
    if (w.killedWhileLoading) {
      // Loading is the same every time: no other worker would get further.
      this.failRemaining(
        `the graded code did not finish loading within ${this.options.runTimeoutMs / 1000} s (--run-timeout); a loop at the top level of a module never yields`,
        "killed",
      );
      for (const other of this.live) if (!other.ready) killGroup(other.child, "SIGKILL");
    } else if (this.startFailures >= MAX_START_FAILURES)
      this.failRemaining(`no worker could start (${how}): ${w.fatal ?? w.tail.trim()}`);
    else if (!this.interrupted && this.next < this.items.length && this.live.size < this.options.jobs) this.spawn();
    if (this.live.size === 0) this.finish();
  }

  private failRemaining(reason: string, kind: FailureKind = "grader"): void {
    for (; this.next < this.items.length; this.next++) {
      const item = this.items[this.next];
      this.record(this.next, failedOutcome(item.id, this.options.partOf(item.id), item.seed, kind, reason));
    }
  }

  private record(index: number, outcome: RunOutcome): void {
    this.outcomes[index] = outcome;
    this.options.onResult?.(index, outcome);
  }

  private finish(): void {
    this.resolve({ outcomes: this.outcomes, interrupted: this.interrupted });
  }
}

/** V8's last words when a heap limit is reached. */
function outOfMemory(output: string): boolean {
  return /heap out of memory|Allocation failed|Reached heap limit/.test(output);
}
