/**
 * Why a simulated run ended badly. Each kind carries what a student needs to act on it; the runner
 * adds the seed and the replay command.
 */

export type FailureKind =
  | "test" // a check of the tester failed (the lab's own checks)
  | "invariant" // a safety property raftgrade checks after every event (beyond the lab's checks)
  | "implementation" // the graded code threw, returned a wrong shape, or broke a rule of the harness
  | "deadlock" // the test waits but nothing is scheduled
  | "livelock" // graded code keeps busy without letting virtual time advance
  | "virtual-time-limit" // more virtual time than the lab allows
  | "watchdog"; // more real time than the runner allows

export class SimulationFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** Extra lines shown under the message: pending waits, recent events, a student's stack. */
    readonly details = "",
  ) {
    super(message);
    this.name = "SimulationFailure";
  }
}

/** A failed tester check, like Go's `t.Fatalf`. */
export class TestFailure extends SimulationFailure {
  constructor(message: string, details = "") {
    super("test", message, details);
    this.name = "TestFailure";
  }
}

/** The graded implementation did something wrong that is not a lab check (threw, bad shape, ...). */
export class ImplementationError extends SimulationFailure {
  constructor(message: string, thrown?: unknown) {
    super("implementation", message, thrown instanceof Error && thrown.stack ? thrown.stack : "");
    this.name = "ImplementationError";
    this.cause = thrown;
  }
}

/** Short text for any thrown value, for messages that must never crash on odd throws. */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return `non-Error value thrown: ${typeof e === "string" ? JSON.stringify(e) : String(e)}`;
  } catch {
    return "non-Error value thrown (cannot be printed)";
  }
}
