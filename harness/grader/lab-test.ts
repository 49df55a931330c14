/**
 * `labTest` declares one lab test as a mocha test that runs inside a fresh simulated world with the
 * configured seed. A failure becomes a mocha failure whose message carries the seed and the exact
 * command that replays it; the run's figures are attached to the mocha test for the grader, and the
 * whole RunResult (with the full trace when asked for) is kept for `raftgrade replay`.
 */
import { runSimulation, RunResult, RunOptions, World } from "../sim/world";
import { readConfig, replayCommand, GradeConfig } from "./config";
import { runSealed } from "../sealed/run";
import { firstDifference, formatEvents } from "../sim/trace";
import type { FailureKind } from "../sim/errors";

/** What the grader finds on a finished mocha test (`test.raftgrade`). */
export interface RunRecord {
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
  failureKind?: FailureKind;
  /** The failure's own message (without seed and replay lines) and its details. */
  failureMessage?: string;
  failureDetails?: string;
  /** With --check-determinism: where a second run on the same seed parted from the first. */
  nondeterminism?: string;
  crossings?: { steps: number; callouts: number };
}

/** What discovery finds on a declared mocha test (`test.raftgradeMeta`): the part and the lab's name. */
export interface LabTestMeta {
  part: string;
  name: string;
}

/** The stable id of a lab test: `<part>/<TestName>`, e.g. `3A/TestInitialElection3A`. */
export function testId(part: string, name: string): string {
  return `${part}/${name}`;
}

/** The last run's full result in this process (replay prints its trace). */
let lastRun: RunResult | undefined;
export function lastRunResult(): RunResult | undefined {
  return lastRun;
}

export function labTest(part: string, name: string, body: (world: World) => Promise<void>): void {
  const test = it(name, async function () {
    this.timeout(0); // the simulation has its own limits: 120 s of virtual time and a real-time watchdog
    const config = readConfig();
    const result: RunResult = await runOnce(config, { seed: config.seed, traceAll: config.checkDeterminism || config.traceAll }, body);
    lastRun = result;
    const nondeterminism = config.checkDeterminism ? await replayDiffers(config, result, body) : undefined;
    if (nondeterminism) console.log(`warning: ${this.test!.fullTitle()} is not deterministic, so its failures will not replay: ${nondeterminism}`);
    const record: RunRecord = {
      id: testId(part, name),
      part,
      seed: result.seed,
      virtualMs: result.virtualMs,
      realMs: result.realMs,
      traceHash: result.traceHash,
      ...result.counters,
      warnings: result.warnings,
      failureKind: result.failure?.kind,
      failureMessage: result.failure?.message,
      failureDetails: result.failure?.details || undefined,
      nondeterminism,
      crossings: result.crossings && { steps: result.crossings.steps, callouts: result.crossings.callouts },
    };
    (this.test as unknown as { raftgrade: RunRecord }).raftgrade = record;
    if (result.failure) {
      const f = result.failure;
      const replay = replayCommand(config, testId(part, name), result.seed);
      const error = new Error(`${f.message}\n  seed ${result.seed} (virtual time ${(result.virtualMs / 1000).toFixed(1)}s)\n  replay: ${replay}${f.details ? `\n${indent(f.details)}` : ""}`);
      error.stack = error.message; // the simulation's details are the useful stack; mocha's frames are not
      throw error;
    }
  });
  (test as unknown as { raftgradeMeta: LabTestMeta }).raftgradeMeta = { part, name };
}

/** One run of a test: sealed (the graded code in a process of its own) unless asked otherwise. */
function runOnce(config: GradeConfig, options: RunOptions, body: (world: World) => Promise<void>): Promise<RunResult> {
  return config.sealed ? runSealed(options, { config, coverage: coverageSetup }, body) : runSimulation(options, body);
}

/** Where a sealed run's graded coverage goes, when the grader collects it (set by the worker). */
let coverageSetup: { cwd: string; include: string[]; tempDir: string } | undefined;
export function collectSealedCoverage(setup: typeof coverageSetup): void {
  coverageSetup = setup;
}

function indent(text: string): string {
  return text.replace(/^/gm, "    ");
}

/**
 * Runs the test again on the same seed; if the trace differs, says where the runs part (the
 * graded code used something outside the simulation: crypto randomness, a real clock, real I/O).
 */
async function replayDiffers(config: GradeConfig, first: RunResult, body: (world: World) => Promise<void>): Promise<string | undefined> {
  const second = await runOnce(config, { seed: first.seed, traceAll: true }, body);
  if (second.traceHash === first.traceHash) return undefined;
  const [a, b] = [first.trace ?? [], second.trace ?? []];
  const at = firstDifference(a, b);
  const show = (events: typeof a) => (events[at] ? formatEvents([events[at]]).trim() : "(no event: the run ended)");
  return `the traces part at event ${at + 1}: first run: ${show(a)}; second run: ${show(b)}`;
}
