/**
 * `raftgrade replay`: re-runs one test on one seed in this process, with every trace event kept,
 * and prints the run's own output (the tester's lines and the graded code's console output) as it
 * happens, then the harness trace, the verdict and the trace hash — the same hash as the run it
 * replays, since the simulation is deterministic. With `--html DIR` it also records the run in
 * full (harness/sim/recorder.ts) and writes its page and data into DIR (harness/html/).
 */
import { findPart, PARTS } from "../../specs";
import type { Layer } from "../api/implementation";
import { replayCommand, readConfig, writeConfig, ENV } from "../run/config";
import { loadSpecs } from "../run/discover";
import { runLabTest, type LabRun } from "../run/lab-test";
import { parseSeed, parsePositiveInt } from "../run/plan";
import { UsageError, EXIT } from "../run/errors";
import { resolveImplementation, preloadLayers } from "../run/load";
import { formatEvents } from "../sim/trace";
import { filterEvents, type TraceFilter } from "../sim/trace-filter";
import * as fs from "node:fs";
import { captureOutput, Captured } from "../run/capture";
import { activeWorld } from "../sim/world";
import { currentNode } from "../sim/node";
import { startRecording, stopRecording, Recorder } from "../sim/recorder";
import { writeRunPage } from "../html/run-folder";

interface ReplayOptions {
  impl: string;
  layers: Partial<Record<Layer, string | undefined>>;
  test: string;
  seed: string;
  invariants: boolean;
  strictLinearizability: boolean;
  /** "all" (default), "none", or the number of last events to print. */
  trace?: string;
  /** Record the run in full and write its HTML page and run.json into this folder. */
  html?: string;
  /** Replay a run graded with --unsealed. */
  unsealed?: boolean;
  /** Which trace events to print (servers, kinds, a window; timers only when asked). */
  traceFilter?: TraceFilterOptions;
}

export async function replay(options: ReplayOptions): Promise<number> {
  let traceLimit: number;
  let traceFilter: TraceFilter;
  let seed: number;
  let specs: ReturnType<typeof loadSpecs>;
  try {
    seed = parseSeed(options.seed);
    traceLimit =
      options.trace === undefined || options.trace === "all"
        ? Infinity
        : options.trace === "none"
          ? 0
          : parsePositiveInt("--trace", options.trace);
    traceFilter = parseTraceFilter(options.traceFilter ?? {});
    const partName = options.test.includes("/") ? options.test.slice(0, options.test.indexOf("/")) : "";
    const part = findPart(partName);
    if (!part)
      throw new UsageError(
        `--test ${options.test}: ids look like <part>/<TestName>, e.g. 3A/TestInitialElection3A; parts are ${PARTS.map((p) => p.part).join(", ")}`,
      );
    if (part.files.length === 0) throw new UsageError(`--test ${options.test}: part ${part.part} has no specs yet`);
    for (const ref of [options.impl, ...Object.values(options.layers)]) {
      if (ref && !fs.existsSync(resolveImplementation(ref)) && !fs.existsSync(`${resolveImplementation(ref)}.ts`)) {
        throw new UsageError(`implementation "${ref}" not found: ${resolveImplementation(ref)} does not exist`);
      }
    }
    if (options.html !== undefined) checkHtmlDir(options.html);
    specs = loadSpecs([part]);
    if (!specs.byId.has(options.test)) {
      throw new UsageError(
        `--test ${options.test}: no such test in part ${part.part}; its tests are ${specs.tests.map((t) => t.id).join(", ")}`,
      );
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return EXIT.usage;
  }

  const layers = Object.fromEntries(Object.entries(options.layers).filter(([, v]) => v)) as Partial<
    Record<Layer, string>
  >;
  // The same path from flags to settings as `grade` (writeConfig, readConfig), without touching this process's environment.
  const settings: NodeJS.ProcessEnv = {};
  const artifactsDir = process.env[ENV.artifacts] || undefined; // the HTML report's replays write into its artifacts/
  writeConfig(
    {
      impl: options.impl,
      layers,
      seed,
      invariants: options.invariants,
      strictLinearizability: options.strictLinearizability,
      traceAll: true,
      sealed: !options.unsealed,
      artifactsDir,
    },
    settings,
  );
  const config = readConfig(settings);
  const test = specs.byId.get(options.test)!;
  const title = specs.tests.find((t) => t.id === options.test)!.title;
  if (!config.sealed) preloadLayers(config.layers);
  console.log(
    `raftgrade replay: ${options.test} on seed ${seed}, layers ${JSON.stringify(config.layers)}${config.invariants ? "" : ", without invariants"}`,
  );
  console.log(`--- output of the run (the tester's lines and the graded code's own) ---`);
  const recorder = options.html !== undefined ? startRecording() : undefined;
  const output = recorder ? recordOutput(recorder) : undefined;
  let run: LabRun;
  try {
    run = await runLabTest(test, { config }, seed);
  } catch (e) {
    console.log(
      `--- result ---\nfailed before the simulated run finished: ${e instanceof Error ? e.message : String(e)}`,
    );
    return EXIT.failed;
  } finally {
    output?.stop();
    stopRecording();
  }

  const { result } = run;
  const trace = result.trace ?? [];
  if (traceLimit > 0) {
    const selected = filterEvents(trace, traceFilter);
    const shown = selected.slice(-Math.min(traceLimit, selected.length));
    const hidden = trace.length - selected.length;
    console.log(
      `--- harness trace: ${trace.length} events${hidden > 0 ? `, ${selected.length} selected (${describeFilter(traceFilter)})` : ""}${shown.length < selected.length ? `, the last ${shown.length} shown` : ""} ---`,
    );
    console.log(formatEvents(shown));
  }
  console.log("--- result ---");
  if (result.failure) {
    console.log(`failed [${result.failure.kind}]: ${result.failure.message}`);
    if (result.failure.details) console.log(result.failure.details);
  } else {
    console.log(result.warnings.length ? `passed with warnings:\n  ${result.warnings.join("\n  ")}` : "passed");
  }
  console.log(
    `seed ${result.seed}, virtual time ${(result.virtualMs / 1000).toFixed(3)} s, ${result.counters.rpcs} RPCs, ${result.counters.bytes} bytes, ${result.counters.ops} ops`,
  );
  if (result.hazards)
    for (const [hazard, times] of Object.entries(result.hazards))
      console.log(
        `hazard: ${hazard}: ${times === 0 ? "not reached" : `reached ${times} time${times === 1 ? "" : "s"}`}`,
      );
  console.log(`trace hash: ${result.traceHash}`);
  if (recorder && options.html !== undefined) {
    const recorded = recorder.finish(result.virtualMs);
    const file = writeRunPage(
      options.html,
      {
        id: options.test,
        title,
        seed: result.seed,
        implementation: config.impl,
        layers: config.layers,
        invariants: config.invariants,
        strictLinearizability: config.strictLinearizability,
        replay: replayCommand(config, options.test, result.seed),
        status: result.failure ? "failed" : result.warnings.length ? "passed-with-warning" : "passed",
        failureKind: result.failure?.kind,
        message: result.failure?.message,
        details: result.failure?.details || undefined,
        warnings: result.warnings,
        hazards: result.hazards,
        virtualMs: result.virtualMs,
        realMs: Math.round(result.realMs),
        ...result.counters,
        traceHash: result.traceHash,
      },
      recorded,
    );
    console.log(`html page: ${file}`);
  }
  return result.failure ? EXIT.failed : EXIT.passed;
}

/** The folder for --html must be creatable and writable (checked before the run). */
function checkHtmlDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`--html ${dir}: cannot write there: ${(e as Error).message}`);
  }
}

/**
 * While the run is recorded, what it prints goes to the recorder too, stamped with the virtual
 * time and the node that printed it, and still to the terminal.
 */
function recordOutput(recorder: Recorder): Captured {
  const terminal = process.stdout.write.bind(process.stdout);
  return captureOutput(1024, (text) => {
    if (activeWorld()) recorder.print(text, currentNode()?.name);
    terminal(text);
  });
}

/** "timers hidden; servers server-0-1; kinds rpc; 1.000-2.500 s": what the selection kept. */
function describeFilter(f: TraceFilter): string {
  const said = [
    ...(f.timers || f.kinds.includes("timer") ? [] : ["timers hidden (--trace-timers shows them)"]),
    ...(f.servers.length ? [`servers ${f.servers.join(", ")}`] : []),
    ...(f.kinds.length ? [`kinds ${f.kinds.join(", ")}`] : []),
    ...(f.methods.length ? [`methods ${f.methods.join(", ")}`] : []),
    ...(f.fromMs > 0 || f.toMs < Infinity
      ? [`${(f.fromMs / 1000).toFixed(3)}-${f.toMs === Infinity ? "end" : `${(f.toMs / 1000).toFixed(3)} s`}`]
      : []),
  ];
  return said.join("; ");
}

/** The --trace-* flags as a filter; a bad time is a usage error. */
interface TraceFilterOptions {
  server?: string;
  kind?: string;
  method?: string;
  /** Seconds of virtual time. */
  from?: string;
  to?: string;
  timers?: boolean;
}

function parseTraceFilter(options: TraceFilterOptions): TraceFilter {
  const list = (s: string | undefined) =>
    (s ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  const seconds = (flag: string, s: string | undefined, fallback: number) => {
    if (s === undefined) return fallback;
    const v = Number(s);
    if (s.trim() === "" || !Number.isFinite(v) || v < 0)
      throw new UsageError(`${flag} needs a time in seconds of virtual time (e.g. 1.5), got "${s}"`);
    return v * 1000;
  };
  const filter: TraceFilter = {
    servers: list(options.server),
    kinds: list(options.kind),
    methods: list(options.method),
    fromMs: seconds("--trace-from", options.from, 0),
    toMs: seconds("--trace-to", options.to, Infinity),
    timers: options.timers ?? false,
  };
  if (filter.fromMs > filter.toMs) throw new UsageError("--trace-from is after --trace-to");
  return filter;
}
