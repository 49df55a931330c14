/** One finished run of one test on one seed, as every report lists it. */

type RunStatus = "passed" | "failed" | "passed-with-warning";

/**
 * Why a run failed: one closed list for the simulator and the grader (harness/sim/errors.ts); the
 * grader gives `crash` and `killed` too, when a worker dies or overruns --run-timeout.
 */
import type { FailureKind } from "../sim/errors";
export type { FailureKind };

export interface RunOutcome {
  /** Stable test id, e.g. 3A/TestInitialElection3A. */
  id: string;
  part: string;
  seed: number;
  status: RunStatus;
  /** The failure's message (first of all: what went wrong). */
  message?: string;
  failureKind?: FailureKind;
  /** Pending waits, recent events, a stack: what the failure message leaves out. */
  details?: string;
  warnings: string[];
  /** The hazards the test aimed at, with the times this run reached each (absent: the test names none). */
  hazards?: Record<string, number>;
  virtualMs: number;
  realMs: number;
  rpcs: number;
  bytes: number;
  ops: number;
  traceHash?: string;
  /** Sealed runs: steps across the boundary to the graded process, and its synchronous calls back. */
  crossings?: { steps: number; callouts: number };
  /** With --check-determinism: where a second run on the same seed parted from the first. */
  nondeterminism?: string;
  /**
   * For a run an invariant failed: the lab's own verdict on the same seed, from a second run with
   * the invariants off, so that neither verdict hides the other.
   */
  labVerdict?: { status: RunStatus; failureKind?: FailureKind; message?: string };
  /** For a failed run: the command that replays it. */
  replay?: string;
  /** For a failed run: the end of what the run printed (the tester's lines and the graded code's own). */
  output?: string;
}

export function isPassed(o: Pick<RunOutcome, "status">): boolean {
  return o.status !== "failed";
}

/** A failed run the grader makes up when there is no record from the worker (crash, kill, no start). */
export function failedOutcome(
  id: string,
  part: string,
  seed: number,
  failureKind: FailureKind,
  message: string,
  details?: string,
): RunOutcome {
  return {
    id,
    part,
    seed,
    status: "failed",
    failureKind,
    message,
    details,
    warnings: [],
    virtualMs: 0,
    realMs: 0,
    rpcs: 0,
    bytes: 0,
    ops: 0,
  };
}
