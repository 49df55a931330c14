/**
 * Running a plan's items in worker processes with the live progress display, and the reference's
 * figures on the same items for the timing report (from the cache; only missing items are run).
 */
import * as os from "node:os";
import * as path from "node:path";
import { writeConfig, GradeConfig } from "../run/config";
import type { WorkItem } from "../run/plan";
import { WorkerPool, PoolResult } from "../run/pool";
import { createProgress } from "./progress";
import type { RunOutcome } from "../run/outcome";
import { figuresOf, ReferenceFigures } from "../report/timing";
import { ReferenceCache, referenceFingerprint } from "../report/reference-cache";
import type { CoverageSetup } from "../run/worker-protocol";
import type { Plan } from "./grade-plan";

/** The workers' environment: the settings, and the report's artifacts/ folder for pictures and histories. */
export function workerEnv(config: GradeConfig, reportDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  writeConfig({ ...config, artifactsDir: path.join(reportDir, "artifacts") }, env);
  return env;
}

/** Runs items in a pool with a progress display; `fix` completes an outcome before it is shown. */
export async function runItems(
  items: WorkItem[],
  plan: Plan,
  env: NodeJS.ProcessEnv,
  coverage: CoverageSetup | undefined,
  label: string,
  expose: (pool: WorkerPool) => void,
  fix: (o: RunOutcome) => void = () => undefined,
  after: (o: RunOutcome, note: (line: string) => void) => void = () => undefined,
): Promise<PoolResult> {
  const progress = createProgress(process.stdout, items.length, label);
  const pool = new WorkerPool(items, {
    jobs: plan.jobs,
    parts: plan.parts,
    env,
    coverage,
    runTimeoutMs: plan.runTimeoutMs,
    loadAllowanceMs: plan.config.sealed ? plan.config.loadTimeoutMs : 0,
    workerMemoryMb: plan.workerMemoryMb,
    partOf: (id) => plan.tests.find((t) => t.id === id)?.part ?? id.split("/")[0],
    onStart: (_, item) => progress.started(item.id),
    onResult: (_, o) => {
      fix(o);
      progress.finished(o);
      after(o, (line) => progress.note(line));
    },
  });
  expose(pool);
  const result = await pool.run();
  progress.done();
  return result;
}

/** The reference's figures on the same items: from the cache, running only what is missing. */
export async function referenceFigures(
  plan: Plan,
  finished: RunOutcome[],
  expose: (pool: WorkerPool) => void,
): Promise<{ figures: ReferenceFigures[]; interrupted: boolean }> {
  const cache = new ReferenceCache(
    referenceFingerprint({
      invariants: plan.config.invariants,
      strictLinearizability: plan.config.strictLinearizability,
    }),
  );
  const wanted = finished.map((o) => ({ id: o.id, seed: o.seed }));
  const missing = wanted.filter((i) => !cache.get(i.id, i.seed));
  let interrupted = false;
  if (missing.length > 0) {
    const refConfig: GradeConfig = {
      ...plan.config,
      impl: "reference",
      layers: { raft: "reference", rsm: "reference", kv: "reference", clerk: "reference" },
      checkDeterminism: false,
    };
    const env = workerEnv(refConfig, os.tmpdir());
    const result = await runItems(
      missing,
      plan,
      env,
      undefined,
      "reference implementation on the same seeds (for the timing report; cached)",
      expose,
    );
    for (const o of result.outcomes) if (o) cache.put(figuresOf(o));
    interrupted = result.interrupted;
    cache.save();
  }
  return { figures: wanted.flatMap((i) => cache.get(i.id, i.seed) ?? []), interrupted };
}

export function isReference(config: GradeConfig): boolean {
  return Object.values(config.layers).every((l) => l === "reference");
}

export function layerRefs(config: GradeConfig): string[] {
  return [...new Set(Object.values(config.layers))];
}
