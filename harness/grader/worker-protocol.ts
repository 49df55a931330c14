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

export type ToWorker =
  | { type: "init"; parts: Part[]; coverage?: CoverageSetup }
  | { type: "run"; item: number; id: string; seed: number }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready"; tests: number }
  | { type: "fatal"; message: string }
  | { type: "result"; item: number; outcome: RunOutcome };

/** The first argument of bin/raftgrade.js that makes it a worker instead of the command line. */
export const WORKER_ARG = "__worker";
