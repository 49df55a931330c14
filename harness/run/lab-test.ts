/**
 * A lab test is a body run in a fresh simulated world on one seed. `runLabTest` runs it with the
 * settings the grader fixed and returns the run's record as a value; `labTest` also declares it as
 * a mocha test, whose failure message carries the seed and the command that replays it.
 */
import { runSimulation, RunResult, RunOptions, World } from "../sim/world";
import { configFromEnvironment, replayCommand, GradeConfig } from "./config";
import { inProcessLayers } from "./load";
import { runSealed } from "../sealed/run";
import { firstDifference, formatEvents } from "../sim/trace";
import type { FailureKind } from "../sim/errors";

/** One run as the grader reports it. */
interface RunRecord {
  id: string;
  part: string;
  seed: number;
  virtualMs: number;
  realMs: number;
  traceHash: string;
  rpcs: number;
  bytes: number;
  ops: number;
  warnings: string[];
  /** The hazards the test aimed at, with the times this run reached each. */
  hazards?: Record<string, number>;
  failureKind?: FailureKind;
  /** The failure's own message (without seed and replay lines) and its details. */
  failureMessage?: string;
  failureDetails?: string;
  /** With --check-determinism: where a second run on the same seed parted from the first. */
  nondeterminism?: string;
  crossings?: { steps: number; callouts: number };
}

/** A declared lab test (`test.raftgradeMeta` on its mocha test): the part, the lab's name, and the test itself. */
export interface LabTestMeta {
  part: string;
  name: string;
  body: (world: World) => Promise<void>;
}

/** The stable id of a lab test: `<part>/<TestName>`, e.g. `3A/TestInitialElection3A`. */
export function testId(part: string, name: string): string {
  return `${part}/${name}`;
}

/** What a run is given besides its seed: the settings the grader fixed, and where sealed coverage goes. */
export interface RunSetup {
  config: GradeConfig;
  coverage?: { cwd: string; include: string[]; tempDir: string };
}

/** A finished run: the record the grader reports, and the full result (replay prints its trace). */
export interface LabRun {
  record: RunRecord;
  result: RunResult;
}

/**
 * Declares a lab test as a mocha test, for `mocha` run by hand (the grader's workers and `replay`
 * call runLabTest directly). Its settings come from the environment, read once per process.
 */
export function labTest(part: string, name: string, body: (world: World) => Promise<void>): void {
  const meta: LabTestMeta = { part, name, body };
  const test = it(name, async function () {
    this.timeout(0); // the simulation has its own limits: 120 s of virtual time and a real-time watchdog
    const config = configFromEnvironment();
    const { record } = await runLabTest(meta, { config }, config.seed);
    if (record.nondeterminism)
      console.log(
        `warning: ${this.test!.fullTitle()} is not deterministic, so its failures will not replay: ${record.nondeterminism}`,
      );
    if (record.failureKind) {
      const replay = replayCommand(config, record.id, record.seed);
      const details = record.failureDetails ? `\n${indent(record.failureDetails)}` : "";
      const error = new Error(
        `${record.failureMessage}\n  seed ${record.seed} (virtual time ${(record.virtualMs / 1000).toFixed(1)}s)\n  replay: ${replay}${details}`,
      );
      error.stack = error.message; // the simulation's details are the useful stack; mocha's frames are not
      throw error;
    }
  });
  (test as unknown as { raftgradeMeta: LabTestMeta }).raftgradeMeta = meta;
}

/** Runs one lab test on one seed in a fresh world, with the settings fixed before it; never throws for the run's own failure. */
export async function runLabTest(test: LabTestMeta, setup: RunSetup, seed: number): Promise<LabRun> {
  const { config } = setup;
  const options: RunOptions = {
    seed,
    traceAll: config.checkDeterminism || config.traceAll,
    settings: {
      invariants: config.invariants,
      strictLinearizability: config.strictLinearizability,
      artifactsDir: config.artifactsDir,
    },
  };
  const result = await runOnce(setup, options, test.body);
  const nondeterminism = config.checkDeterminism ? await replayDiffers(setup, options, result, test.body) : undefined;
  const record: RunRecord = {
    id: testId(test.part, test.name),
    part: test.part,
    seed: result.seed,
    virtualMs: result.virtualMs,
    realMs: result.realMs,
    traceHash: result.traceHash,
    ...result.counters,
    warnings: result.warnings,
    hazards: result.hazards,
    failureKind: result.failure?.kind,
    failureMessage: result.failure?.message,
    failureDetails: result.failure?.details || undefined,
    nondeterminism,
    crossings: result.crossings && { steps: result.crossings.steps, callouts: result.crossings.callouts },
  };
  return { record, result };
}

/** One run of a test: sealed (the graded code in a process of its own) unless asked otherwise. */
function runOnce(setup: RunSetup, options: RunOptions, body: (world: World) => Promise<void>): Promise<RunResult> {
  const { config } = setup;
  return config.sealed
    ? runSealed(options, { config, coverage: setup.coverage }, body)
    : runSimulation({ ...options, layers: inProcessLayers(config.layers) }, body);
}

function indent(text: string): string {
  return text.replace(/^/gm, "    ");
}

/**
 * Runs the test again on the same seed; if the trace differs, says where the runs part (the
 * graded code used something outside the simulation: crypto randomness, a real clock, real I/O).
 */
async function replayDiffers(
  setup: RunSetup,
  options: RunOptions,
  first: RunResult,
  body: (world: World) => Promise<void>,
): Promise<string | undefined> {
  const second = await runOnce(setup, { ...options, seed: first.seed, traceAll: true }, body);
  if (second.traceHash === first.traceHash) return undefined;
  const [a, b] = [first.trace ?? [], second.trace ?? []];
  const at = firstDifference(a, b);
  const show = (events: typeof a) => (events[at] ? formatEvents([events[at]]).trim() : "(no event: the run ended)");
  return `the traces part at event ${at + 1}: first run: ${show(a)}; second run: ${show(b)}`;
}
