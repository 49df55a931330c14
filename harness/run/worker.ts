/**
 * A worker process: loads the lab specs once, then runs the items the grader sends, one at a time,
 * each a run of one test on one seed, and sends back one outcome per run. The layers and flags come
 * from the environment the grader set (config.ts), read once at the start; the seed comes with each item.
 */
import { configFromEnvironment } from "./config";
import { runLabTest, type RunSetup, type LabTestMeta } from "./lab-test";
import { startGradedSidesAhead, onGradedSideReady } from "../sealed/run";
import { killGradedProcesses } from "../sealed/host";
import { loadSpecs, LoadedSpecs } from "./discover";
import type { FromWorker, ToWorker } from "./worker-protocol";
import type { RunOutcome } from "./outcome";
import { captureOutput } from "./capture";
import { preloadLayers } from "./load";
import { instrumentGradedFiles } from "./coverage";
import { failedOutcome } from "./outcome";
import { guardChannel, snapshotGlobals, changedGlobals, restoreGlobals, GlobalsSnapshot } from "./integrity";

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
  let setup: RunSetup | undefined;
  let token = "";
  let baseline: GlobalsSnapshot | undefined;
  /** What the graded modules changed while loading: every run of this worker fails with it. */
  let loadTampering: string[] = [];
  let queue = Promise.resolve();
  /** The item of the run in progress, for the "running" message. */
  let runningItem = -1;
  const send = (msg: FromWorker, then?: () => void) => channel.send(msg, then);
  process.on("message", (msg: ToWorker) => {
    queue = queue.then(async () => {
      if (msg.type === "init" && !token) {
        token = msg.token;
        try {
          // Sealed (the default), the graded code never loads here: each run's graded process
          // loads it, instruments it, and hands its coverage back.
          const config = configFromEnvironment();
          setup = { config, coverage: config.sealed ? msg.coverage : undefined };
          if (msg.coverage && !config.sealed) instrumentGradedFiles(msg.coverage, true);
          startGradedSidesAhead(config.sealed);
          // Sealed: the grader's --run-timeout counts from the moment a run's graded process has loaded.
          if (config.sealed) onGradedSideReady(() => send({ type: "running", token, item: runningItem }));
          specs = loadSpecs(msg.parts);
          baseline = snapshotGlobals();
          send({ type: "loading", token });
          if (!config.sealed) preloadLayers(config.layers);
          loadTampering = changedGlobals(baseline);
          send({ type: "ready", token, tests: specs.tests.length });
        } catch (e) {
          send({ type: "fatal", token, message: e instanceof Error ? (e.stack ?? e.message) : String(e) }, () =>
            exit(1),
          );
        }
      } else if (msg.type === "run") {
        runningItem = msg.item;
        const outcome =
          loadTampering.length > 0
            ? tamperedAtLoad(msg.id, msg.seed, loadTampering)
            : await runOne(specs!, setup!, msg.id, msg.seed);
        const tampering = [...changedGlobals(baseline!), ...channel.attempts.splice(0)];
        if (tampering.length > 0 && loadTampering.length === 0) {
          // This worker's built-ins can no longer be trusted: report, put them back, and let a fresh worker go on.
          restoreGlobals(baseline!);
          send(
            { type: "result", token, item: msg.item, outcome: tamperedInRun(outcome, tampering), retire: true },
            () => exit(0),
          );
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

/**
 * The lab's own verdict on a seed an invariant failed: the same run with the invariants off (the
 * invariants only read, so the schedule is the same up to where they fired).
 */
async function labVerdictOf(test: LabTestMeta, setup: RunSetup, seed: number): Promise<RunOutcome["labVerdict"]> {
  try {
    const lab = (await runLabTest(test, { ...setup, config: { ...setup.config, invariants: false } }, seed)).record;
    if (!lab.failureKind) return { status: lab.warnings.length > 0 ? "passed-with-warning" : "passed" };
    return { status: "failed", failureKind: lab.failureKind, message: lab.failureMessage };
  } catch (e) {
    return {
      status: "failed",
      failureKind: "grader",
      message: `the lab-only run could not be carried out: ${String(e)}`,
    };
  }
}

/** Runs one test on one seed, capturing what it prints. */
async function runOne(specs: LoadedSpecs, setup: RunSetup, id: string, seed: number): Promise<RunOutcome> {
  const test = specs.byId.get(id);
  const part = test?.part ?? id.split("/")[0];
  if (!test) return failedOutcome(id, part, seed, "grader", `no test ${id} in the loaded specs`);
  const output = captureOutput();
  let record;
  try {
    record = (await runLabTest(test, setup, seed)).record;
  } catch (e) {
    // runLabTest reports every failure of the run itself; what escapes it is the harness's.
    const message = `the run could not be carried out: ${e instanceof Error ? e.message : String(e)}`;
    return {
      ...failedOutcome(id, part, seed, "grader", message, e instanceof Error ? e.stack : undefined),
      output: output.text(),
    };
  } finally {
    output.stop();
  }
  const labVerdict = record.failureKind === "invariant" ? await labVerdictOf(test, setup, seed) : undefined;
  const warnings = [
    ...record.warnings,
    ...(record.nondeterminism ? [`not deterministic: ${record.nondeterminism}`] : []),
  ];
  const failed = record.failureKind !== undefined;
  return {
    id,
    part: record.part,
    seed: record.seed,
    status: failed ? "failed" : warnings.length > 0 ? "passed-with-warning" : "passed",
    message: failed ? record.failureMessage : undefined,
    failureKind: record.failureKind,
    details: failed ? record.failureDetails : undefined,
    warnings,
    hazards: record.hazards,
    virtualMs: record.virtualMs,
    realMs: Math.round(record.realMs * 10) / 10,
    rpcs: record.rpcs,
    bytes: record.bytes,
    ops: record.ops,
    traceHash: record.traceHash,
    crossings: record.crossings,
    nondeterminism: record.nondeterminism,
    labVerdict,
    output: failed ? output.text() : undefined,
  };
}
