/**
 * The plan of a `grade` run, from its options: the configuration the workers get, the tests (by
 * part, --grep, --test), the seeds, this shard's items, the rubric. Every bad option is a
 * UsageError with a message naming the flag, before anything runs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type { SelectableLayer } from "../api/implementation";
import { readConfig, writeConfig, GradeConfig, DEFAULT_LOAD_TIMEOUT_S } from "../run/config";
import { resolveImplementation } from "../run/load";
import { loadSpecs, partsWithSpecs, LabTestInfo } from "../run/discover";
import { selectParts, selectTests, compileGrep } from "../run/select";
import type { Part } from "../../specs";
import { buildPlan, deriveSeeds, parseSeed, parsePositiveInt, parseShard, shardOf, WorkItem, Shard } from "../run/plan";
import { buildRubric, loadRubricFile, Rubric } from "../report/rubric";
import { UsageError } from "../run/errors";
import type { GradeOptions } from "./grade";

/** Default real-time limit per run: the simulation's own watchdog (5 min) plus a margin. */
export const DEFAULT_RUN_TIMEOUT_S = 330;
/** Heap of a worker: the reference's largest run (classic-4A/TestConcurrent4A) peaks near 600 MiB. */
export const DEFAULT_WORKER_MEMORY_MB = 2048;

export interface Plan {
  config: GradeConfig;
  tests: LabTestInfo[];
  items: WorkItem[];
  plannedRuns: number;
  seeds: number[];
  base: number;
  shard?: Shard;
  rubric: Rubric;
  jobs: number;
  runTimeoutMs: number;
  workerMemoryMb: number;
  parts: ReturnType<typeof selectParts>;
  /** Each test's position in the whole selection (before sharding). */
  order: Map<string, number>;
}

/**
 * --part's parts; without it, the parts that --test's ids name (an id names its part, even one that
 * runs only when named, like 3X or classic-4A), or else the parts that run by default.
 */
function partsToGrade(options: GradeOptions): Part[] {
  if (options.parts !== undefined || !options.tests?.length) return selectParts(options.parts);
  const named = partsWithSpecs().filter((p) => options.tests!.some((id) => id.startsWith(`${p.part}/`)));
  return named.length > 0 ? named : selectParts(undefined);
}

export function makePlan(options: GradeOptions): Plan {
  const grep = compileGrep(options.grep);
  const base = parseSeed(options.seed);
  const count = options.seeds === undefined ? 1 : parsePositiveInt("--seeds", options.seeds);
  const jobs =
    options.jobs === undefined ? Math.max(1, os.availableParallelism()) : parsePositiveInt("--jobs", options.jobs, 256);
  const runTimeoutMs =
    1000 *
    (options.runTimeout === undefined
      ? DEFAULT_RUN_TIMEOUT_S
      : parsePositiveInt("--run-timeout", options.runTimeout, 86_400));
  const workerMemoryMb =
    options.workerMemory === undefined
      ? DEFAULT_WORKER_MEMORY_MB
      : parsePositiveInt("--worker-memory", options.workerMemory, 1 << 20);
  const shard = parseShard(options.shard);
  const parts = partsToGrade(options);
  for (const ref of [options.impl, ...Object.values(options.layers)]) {
    if (ref && !fs.existsSync(resolveImplementation(ref)) && !fs.existsSync(`${resolveImplementation(ref)}.ts`)) {
      throw new UsageError(`implementation "${ref}" not found: ${resolveImplementation(ref)} does not exist`);
    }
  }
  // A rubric file may name any test, so it is checked against every part's tests.
  const all = loadSpecs(options.rubric ? partsWithSpecs() : parts).tests;
  const inParts = all.filter((t) => parts.some((p) => p.part === t.part));
  const tests = selectTests(inParts, { grep, ids: options.tests });
  if (tests.length === 0) {
    throw new UsageError(
      `no test matched${options.grep !== undefined ? ` --grep ${grep}` : ""} in parts ${parts.map((p) => p.part).join(", ")} ('raftgrade list' prints the tests)`,
    );
  }
  const rubric = buildRubric(inParts, options.rubric ? loadRubricFile(options.rubric, all) : undefined);

  const layers = Object.fromEntries(Object.entries(options.layers).filter(([, v]) => v)) as Partial<
    Record<SelectableLayer, string>
  >;
  const env: NodeJS.ProcessEnv = {};
  const loadTimeoutMs =
    1000 *
    (options.loadTimeout === undefined
      ? DEFAULT_LOAD_TIMEOUT_S
      : parsePositiveInt("--load-timeout", options.loadTimeout, 86_400));
  writeConfig(
    {
      impl: options.impl,
      layers,
      invariants: options.invariants,
      checkDeterminism: options.checkDeterminism,
      strictLinearizability: options.strictLinearizability,
      sealed: !options.unsealed,
      memoryMb: workerMemoryMb,
      loadTimeoutMs,
    },
    env,
  );
  const config = readConfig(env);
  const seeds = deriveSeeds(base, count);
  const whole = buildPlan(
    tests.map((t) => t.id),
    seeds,
  );
  const items = shardOf(whole, shard);
  const planned = tests.filter((t) => items.some((i) => i.id === t.id));
  const order = new Map(tests.map((t, k) => [t.id, k]));
  return {
    config,
    tests: planned,
    items,
    plannedRuns: items.length,
    seeds,
    base,
    shard,
    rubric,
    jobs,
    runTimeoutMs,
    workerMemoryMb,
    parts,
    order,
  };
}

export function header(plan: Plan): string {
  const { config, items, seeds } = plan;
  const tests = new Set(items.map((i) => i.id)).size;
  return (
    `raftgrade: grading ${describeLayers(config.layers)}: ${tests} test${tests === 1 ? "" : "s"} × ${seeds.length === 1 ? `seed ${seeds[0]}` : `${seeds.length} seeds from base ${plan.base}`}` +
    (plan.shard ? `, shard ${plan.shard.index}/${plan.shard.count} (${items.length} runs)` : "") +
    `, ${Math.min(plan.jobs, Math.max(1, items.length))} worker${plan.jobs === 1 ? "" : "s"}` +
    (config.invariants ? "" : ", without invariants (lab checks only)") +
    (config.sealed ? "" : ", UNSEALED (the graded code runs inside the worker: not for grading others' code)") +
    (config.checkDeterminism ? ", each test twice to check determinism" : "") +
    (config.strictLinearizability ? ", strict linearizability (a timed-out check fails)" : "")
  );
}

function describeLayers(layers: Record<SelectableLayer, string>): string {
  const refs = new Set(Object.values(layers));
  if (refs.size === 1) return `"${[...refs][0]}"`;
  return (Object.keys(layers) as SelectableLayer[]).map((l) => `${l}=${layers[l]}`).join(" ");
}
