/**
 * `raftgrade replay`: re-runs one test on one seed in this process, with every trace event kept,
 * and prints the run's own output (the tester's lines and the graded code's console output) as it
 * happens, then the harness trace, the verdict and the trace hash — the same hash as the run it
 * replays, since the simulation is deterministic.
 */
import Mocha from "mocha";
import { findPart, PARTS } from "../../specs";
import type { Layer } from "../api/implementation";
import { writeConfig, readConfig } from "./config";
import { loadSpecs } from "./discover";
import { lastRunResult } from "./lab-test";
import { parseSeed, parsePositiveInt } from "./plan";
import { UsageError, EXIT } from "./errors";
import { resolveImplementation } from "./load";
import { formatEvents } from "../sim/trace";
import * as fs from "node:fs";
import { preloadLayers } from "./preload";

export interface ReplayOptions {
  impl: string;
  layers: Partial<Record<Layer, string | undefined>>;
  test: string;
  seed: string;
  invariants: boolean;
  strictLinearizability: boolean;
  /** "all" (default), "none", or the number of last events to print. */
  trace?: string;
}

class SilentReporter extends Mocha.reporters.Base {}

export async function replay(options: ReplayOptions): Promise<number> {
  let traceLimit: number;
  let seed: number;
  let specs: ReturnType<typeof loadSpecs>;
  try {
    seed = parseSeed(options.seed);
    traceLimit = options.trace === undefined || options.trace === "all" ? Infinity : options.trace === "none" ? 0 : parsePositiveInt("--trace", options.trace);
    const partName = options.test.includes("/") ? options.test.slice(0, options.test.indexOf("/")) : "";
    const part = findPart(partName);
    if (!part) throw new UsageError(`--test ${options.test}: ids look like <part>/<TestName>, e.g. 3A/TestInitialElection3A; parts are ${PARTS.map((p) => p.part).join(", ")}`);
    if (part.files.length === 0) throw new UsageError(`--test ${options.test}: part ${part.part} has no specs yet`);
    for (const ref of [options.impl, ...Object.values(options.layers)]) {
      if (ref && !fs.existsSync(resolveImplementation(ref)) && !fs.existsSync(`${resolveImplementation(ref)}.ts`)) {
        throw new UsageError(`implementation "${ref}" not found: ${resolveImplementation(ref)} does not exist`);
      }
    }
    specs = loadSpecs([part], { reporter: SilentReporter });
    if (!specs.byId.has(options.test)) {
      throw new UsageError(`--test ${options.test}: no such test in part ${part.part}; its tests are ${specs.tests.map((t) => t.id).join(", ")}`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return EXIT.usage;
  }

  const layers = Object.fromEntries(Object.entries(options.layers).filter(([, v]) => v)) as Partial<Record<Layer, string>>;
  writeConfig({ impl: options.impl, layers, seed, invariants: options.invariants, strictLinearizability: options.strictLinearizability, traceAll: true });
  const config = readConfig();
  const test = specs.byId.get(options.test)!;
  preloadLayers();
  console.log(`raftgrade replay: ${options.test} on seed ${seed}, layers ${JSON.stringify(config.layers)}${config.invariants ? "" : ", without invariants"}`);
  console.log(`--- output of the run (the tester's lines and the graded code's own) ---`);
  specs.mocha.grep(new RegExp(`^${test.fullTitle().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  let error: Error | undefined;
  await new Promise<void>((resolve) => {
    const runner = specs.mocha.run(() => resolve());
    runner.on("fail", (_t, err) => (error ??= err));
  });

  const result = lastRunResult();
  if (!result) {
    console.log(`--- result ---\nfailed before the simulated run finished: ${error?.message ?? "no run"}`);
    return EXIT.failed;
  }
  const trace = result.trace ?? [];
  if (traceLimit > 0) {
    const shown = trace.slice(-Math.min(traceLimit, trace.length));
    console.log(`--- harness trace: ${trace.length} events${shown.length < trace.length ? `, the last ${shown.length} shown` : ""} ---`);
    console.log(formatEvents(shown));
  }
  console.log("--- result ---");
  if (result.failure) {
    console.log(`failed [${result.failure.kind}]: ${result.failure.message}`);
    if (result.failure.details) console.log(result.failure.details);
  } else {
    console.log(result.warnings.length ? `passed with warnings:\n  ${result.warnings.join("\n  ")}` : "passed");
  }
  console.log(`seed ${result.seed}, virtual time ${(result.virtualMs / 1000).toFixed(3)} s, ${result.counters.rpcs} RPCs, ${result.counters.bytes} bytes, ${result.counters.ops} ops`);
  console.log(`trace hash: ${result.traceHash}`);
  return result.failure ? EXIT.failed : EXIT.passed;
}
