/**
 * A worker process: loads the lab specs once, then runs the items the grader sends, one at a time,
 * each as its own mocha run of one test on one seed, and sends back one record per run. The layers
 * and flags come from the environment the grader set (config.ts); the seed is set per run.
 */
import Mocha from "mocha";
import { ENV, readConfig } from "./config";
import { collectSealedCoverage } from "./lab-test";
import { startGradedSidesAhead } from "../sealed/run";
import { killGradedProcesses } from "../sealed/host";
import { loadSpecs, keepLoaded, LoadedSpecs } from "./discover";
import type { RunRecord } from "./lab-test";
import type { FromWorker, ToWorker, CoverageSetup } from "./worker-protocol";
import type { RunOutcome } from "./outcome";
import { captureOutput } from "./capture";
import { preloadLayers } from "./preload";
import { failedOutcome } from "./outcome";
import { guardChannel, snapshotGlobals, changedGlobals, restoreGlobals, GlobalsSnapshot } from "./integrity";

/** Keeps the grader's reporter quiet: mocha's events are read directly. */
class SilentReporter extends Mocha.reporters.Base {}

export function runWorker(): void {
  if (!process.send) throw new Error("raftgrade worker: must be started by the grader (no IPC channel)");
  // Before any graded module loads: the channel and the process's own exit stay the worker's.
  const channel = guardChannel();
  const exit = process.exit.bind(process);
  // The grader decides when workers stop: Ctrl-C reaches the whole process group, and the grader
  // must still be able to tell an interrupted run from a crashed one.
  process.on("SIGINT", () => undefined);
  // The grader is gone (killed, crashed): nothing would read the results, so stop at once.
  process.on("disconnect", () => {
    killGradedProcesses();
    exit(0);
  });
  let specs: LoadedSpecs | undefined;
  let token = "";
  let baseline: GlobalsSnapshot | undefined;
  /** What the graded modules changed while loading: every run of this worker fails with it. */
  let loadTampering: string[] = [];
  let queue = Promise.resolve();
  const send = (msg: FromWorker, then?: () => void) => channel.send(msg, then);
  process.on("message", (msg: ToWorker) => {
    queue = queue.then(async () => {
      if (msg.type === "init" && !token) {
        token = msg.token;
        try {
          // Sealed (the default), the graded code never loads here: each run's graded process
          // loads it, instruments it, and hands its coverage back.
          const sealed = readConfig().sealed;
          if (msg.coverage && sealed) collectSealedCoverage(msg.coverage);
          else if (msg.coverage) startCoverage(msg.coverage);
          startGradedSidesAhead(sealed);
          specs = loadSpecs(msg.parts, { reporter: SilentReporter });
          keepLoaded(specs.mocha);
          baseline = snapshotGlobals();
          send({ type: "loading", token });
          if (!sealed) preloadLayers();
          loadTampering = changedGlobals(baseline);
          send({ type: "ready", token, tests: specs.tests.length });
        } catch (e) {
          send({ type: "fatal", token, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }, () => exit(1));
        }
      } else if (msg.type === "run") {
        const outcome = loadTampering.length > 0 ? tamperedAtLoad(msg.id, msg.seed, loadTampering) : await runOne(specs!, msg.id, msg.seed);
        const tampering = [...changedGlobals(baseline!), ...channel.attempts.splice(0)];
        if (tampering.length > 0 && loadTampering.length === 0) {
          // This worker's built-ins can no longer be trusted: report, put them back, and let a fresh worker go on.
          restoreGlobals(baseline!);
          send({ type: "result", token, item: msg.item, outcome: tamperedInRun(outcome, tampering), retire: true }, () => exit(0));
        } else {
          send({ type: "result", token, item: msg.item, outcome });
        }
      } else if (msg.type === "stop") {
        killGradedProcesses();
        process.disconnect?.();
        exit(0); // nyc (if on) writes this worker's coverage on exit
      }
    });
  });
}

/** Every run of a worker whose graded modules changed built-ins while loading fails, without running. */
function tamperedAtLoad(id: string, seed: number, changed: string[]): RunOutcome {
  return failedOutcome(
    id,
    id.split("/")[0],
    seed,
    "integrity",
    `the graded code changed ${changed.join(", ")} when its modules were loaded; the harness computes verdicts with these built-ins, so no run of this submission can be trusted`,
  );
}

/** A run during which graded code changed built-ins or used the worker's channel: failed, whatever it reported. */
function tamperedInRun(outcome: RunOutcome, changed: string[]): RunOutcome {
  const verdict = outcome.status === "failed" ? `failed [${outcome.failureKind}]: ${outcome.message}` : outcome.status;
  return {
    ...outcome,
    status: "failed",
    failureKind: "integrity",
    message: `the graded code changed ${changed.join(", ")} during this run; the harness computes verdicts with these, so this run's verdict cannot be trusted`,
    details: `the run's own verdict was: ${verdict}`,
  };
}

/** Runs one test on one seed with mocha, capturing what it prints. */
async function runOne(specs: LoadedSpecs, id: string, seed: number): Promise<RunOutcome> {
  const test = specs.byId.get(id);
  const info = specs.tests.find((t) => t.id === id);
  const base = { id, part: info?.part ?? id.split("/")[0], seed, warnings: [], virtualMs: 0, realMs: 0, rpcs: 0, bytes: 0, ops: 0 };
  if (!test || !info) return { ...base, status: "failed", failureKind: "grader", message: `no test ${id} in the loaded specs` };

  process.env[ENV.seed] = String(seed);
  delete (test as unknown as { raftgrade?: RunRecord }).raftgrade;
  specs.mocha.grep(new RegExp(`^${escapeRegExp(test.fullTitle())}$`));
  const output = captureOutput();
  let error: Error | undefined;
  let ran = false;
  try {
    await new Promise<void>((resolve) => {
      const runner = specs.mocha.run(() => resolve());
      runner.on("pass", (t) => (ran ||= t === test));
      runner.on("fail", (t, err) => {
        ran ||= t === test;
        error ??= err;
      });
    });
  } finally {
    output.stop();
  }
  const record = (test as unknown as { raftgrade?: RunRecord }).raftgrade;
  const printed = output.text();
  if (!ran && !error) return { ...base, status: "failed", failureKind: "grader", message: `mocha did not run ${id}`, output: printed };
  if (!record) {
    // Not a labTest, or it failed before its run finished (a hook, a crash of the spec itself).
    return error
      ? { ...base, status: "failed", failureKind: "test", message: error.message, details: error.stack, output: printed }
      : { ...base, status: "passed" };
  }
  const warnings = [...record.warnings, ...(record.nondeterminism ? [`not deterministic: ${record.nondeterminism}`] : [])];
  const failed = record.failureKind !== undefined || error !== undefined;
  return {
    id,
    part: record.part,
    seed: record.seed,
    status: failed ? "failed" : warnings.length > 0 ? "passed-with-warning" : "passed",
    message: failed ? (record.failureMessage ?? error?.message) : undefined,
    failureKind: failed ? (record.failureKind ?? "test") : undefined,
    details: failed ? record.failureDetails : undefined,
    warnings,
    virtualMs: record.virtualMs,
    realMs: Math.round(record.realMs * 10) / 10,
    rpcs: record.rpcs,
    bytes: record.bytes,
    ops: record.ops,
    traceHash: record.traceHash,
    crossings: record.crossings,
    nondeterminism: record.nondeterminism,
    output: failed ? printed : undefined,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Instruments the graded implementation's files as they are required (after ts-node compiles them). */
function startCoverage(setup: CoverageSetup): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const NYC = require("nyc");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parserPlugins } = require("@istanbuljs/nyc-config-typescript");
  const nyc = new NYC({
    cwd: setup.cwd,
    include: setup.include,
    exclude: [],
    extension: [".ts"],
    tempDir: setup.tempDir,
    hookRequire: true,
    cache: false,
    sourceMap: true,
    parserPlugins,
    useSpawnWrap: false,
  });
  nyc.wrap();
}
