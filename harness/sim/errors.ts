import * as path from "node:path";

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
  | "watchdog" // more real time than the runner allows
  | "output-limit" // the run printed more than the grader keeps up with
  | "integrity" // graded code replaced what the harness relies on (timers, Math.random, process.exit, ...)
  | "crash" // the graded process (or the worker) ended during the run
  | "out-of-memory" // the graded code outgrew its memory limit
  | "killed" // the run overran its real-time limit and was stopped
  | "grader"; // the grader could not run the test (a harness bug, never the submission's)

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

/**
 * The graded implementation did something wrong that is not a lab check (threw, bad shape, ...).
 * When it threw, the message ends with where, in the graded code's own files, and the details
 * keep the stack only down to where the harness called in.
 */
export class ImplementationError extends SimulationFailure {
  constructor(message: string, thrown?: unknown) {
    const stack = thrown instanceof Error && thrown.stack ? gradedFrames(thrown.stack) : undefined;
    const readOnly =
      thrown instanceof TypeError && HARNESS_OBJECT_CHANGED.test(thrown.message)
        ? "; the persister, applyCh and ends the harness hands over are read-only"
        : "";
    super("implementation", `${message}${readOnly}${stack?.at ? ` (at ${stack.at})` : ""}`, stack?.text ?? "");
    this.name = "ImplementationError";
    this.cause = thrown;
  }
}

/** V8's words for a write to a frozen harness object. */
const HARNESS_OBJECT_CHANGED =
  /^Cannot (assign to read only property|add property|delete property|define property) .*'#<(SimPersister|Channel|SimClientEnd|GradedPersister|HostChannel|ClientEndStub|ClntStub)>'/;

const ROOT = path.resolve(__dirname, "..", "..");
/** Frames of the harness itself, of node and of installed packages: not the graded code. */
const HARNESS_FRAME = new RegExp(
  `\\(?(node:|.*[\\/]node_modules[\\/]|${escapeRegExp(ROOT)}[\\/](harness[\\/](sim|tester|grader|api|checker|cli|sealed)|specs|bin)[\\/])`,
);

/**
 * The first frame of a stack that is in graded code ("reference/raft/log.ts:12"), and the stack
 * with only the frames from the first graded one to the last, so a student sees their own frames
 * and not the simulator's.
 */
function gradedFrames(stack: string): { at?: string; text: string } {
  const lines = stack.split("\n");
  const frames = lines.map((l, i) => ({
    i,
    l,
    graded: /^\s+at /.test(l) && !HARNESS_FRAME.test(l.replace(/^\s+at (.*? \()?/, "")),
  }));
  const graded = frames.filter((f) => f.graded);
  if (graded.length === 0) return { text: stack };
  const location = /\(?([^()\s]+):(\d+):\d+\)?$/.exec(graded[0].l);
  const at = location ? `${path.relative(ROOT, location[1]) || location[1]}:${location[2]}` : undefined;
  const first = graded[0].i;
  const last = graded[graded.length - 1].i;
  const header = lines.slice(0, first).filter((l) => !/^\s+at /.test(l));
  const cut = lines.length - 1 - last + (first - header.length);
  return {
    at,
    text: [...header, ...lines.slice(first, last + 1)].join("\n") + (cut > 0 ? `\n    … ${cut} harness frames` : ""),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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
