/**
 * Messages between the grader and its worker processes (child_process.fork, IPC). The grader hands
 * out one item at a time and keeps track of which item each worker runs, so a worker that dies or
 * hangs becomes a failed result for exactly that item, and the sweep goes on with a new worker.
 *
 *   grader → worker: init (once), then run … run, then stop
 *   worker → grader: ready (specs loaded) | fatal (could not start); one result per run
 */
import type { RunOutcome } from "./outcome";
import type { Part } from "../../specs";

export interface CoverageSetup {
  /** nyc's cwd: file paths in the report are relative to it. */
  cwd: string;
  /** Globs relative to cwd: the graded implementation's folders only. */
  include: string[];
  /** Where each worker writes its raw coverage. */
  tempDir: string;
}

/**
 * The grader makes up a token for each worker and sends it with init, before any graded module
 * loads; every message the worker sends back carries it. Graded code in the worker never sees it,
 * so a message it forges on the channel is refused. (Messages to the worker need no token: a forged
 * "run" only produces a result the grader does not wait for.)
 */
export type ToWorker =
  | { type: "init"; token: string; parts: Part[]; coverage?: CoverageSetup }
  | { type: "run"; item: number; id: string; seed: number }
  | { type: "stop" };

export type FromWorker =
  /** The specs are loaded; the graded modules load next (the grader times that, as it times a run). */
  | { type: "loading"; token: string }
  | { type: "ready"; token: string; tests: number }
  | { type: "fatal"; token: string; message: string }
  /** Sealed runs: the run's graded process has loaded; --run-timeout counts from here. */
  | { type: "running"; token: string; item: number }
  /** retire: the worker exits after this result (its built-ins were tampered with); send it nothing more. */
  | { type: "result"; token: string; item: number; outcome: RunOutcome; retire?: boolean };

/** The first argument of bin/raftgrade.js that makes it a worker instead of the command line. */
export const WORKER_ARG = "__worker";
