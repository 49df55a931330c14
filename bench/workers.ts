/**
 * What isolation costs: the grader's overhead per run in a warm worker (real time from handing out
 * an item to its result, minus the run's own real time), a worker's start-up, and how long a run
 * that never yields holds a worker before --run-timeout kills it.
 *
 *   node -r ts-node/register/transpile-only bench/workers.ts [runs]
 *
 * (Each sweep runs in a process of its own: the specs load once per process.)
 */
import { execFileSync } from "node:child_process";
import { makePlan } from "../harness/cli/grade-plan";
import { WorkerPool } from "../harness/run/pool";
import { workerEnv } from "../harness/cli/grade-run";
import type { RunOutcome } from "../harness/run/outcome";
import * as os from "node:os";
import * as path from "node:path";

const [mode, count] =
  process.argv[2] === "overhead" || process.argv[2] === "kill" ? process.argv.slice(2) : ["both", process.argv[2]];
const runs = Number(count ?? 100);

async function sweep(
  label: string,
  options: { impl?: string; raft?: string; grep: string; seeds: number; runTimeout?: string },
) {
  const plan = makePlan({
    impl: options.impl ?? "reference",
    layers: { raft: options.raft },
    parts: "3A",
    grep: options.grep,
    seeds: String(options.seeds),
    jobs: "1",
    runTimeout: options.runTimeout,
    invariants: true,
    checkDeterminism: false,
    strictLinearizability: false,
    reportsDir: os.tmpdir(),
    coverage: false,
    referenceTiming: false,
  });
  const started = new Map<number, number>();
  const spans: { wall: number; outcome: RunOutcome }[] = [];
  const t0 = performance.now();
  let firstStart = 0;
  const pool = new WorkerPool(plan.items, {
    jobs: 1,
    parts: plan.parts,
    env: workerEnv(plan.config, path.join(os.tmpdir(), "raftgrade-bench-workers")),
    runTimeoutMs: plan.runTimeoutMs,
    loadAllowanceMs: plan.config.sealed ? plan.config.loadTimeoutMs : 0,
    workerMemoryMb: plan.workerMemoryMb,
    partOf: () => "3A",
    onStart: (i) => {
      firstStart ||= performance.now();
      started.set(i, performance.now());
    },
    onResult: (i, outcome) => spans.push({ wall: performance.now() - started.get(i)!, outcome }),
  });
  await pool.run();
  const total = performance.now() - t0;
  const overhead = spans.map((s) => s.wall - s.outcome.realMs).sort((a, b) => a - b);
  const wall = spans.map((s) => s.wall).sort((a, b) => a - b);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)];
  console.log(
    `${label}: ${spans.length} runs in ${(total / 1000).toFixed(2)} s; first worker ready after ${(firstStart - t0).toFixed(0)} ms`,
  );
  console.log(
    `  per run: wall median ${median(wall).toFixed(1)} ms, of which grader overhead median ${median(overhead).toFixed(2)} ms (p90 ${overhead[Math.floor(overhead.length * 0.9)].toFixed(2)} ms)`,
  );
  const kinds = new Map<string, number>();
  for (const s of spans)
    kinds.set(
      s.outcome.failureKind ?? s.outcome.status,
      (kinds.get(s.outcome.failureKind ?? s.outcome.status) ?? 0) + 1,
    );
  console.log(`  outcomes: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);
}

async function main() {
  if (mode === "overhead")
    await sweep("reference TestInitialElection3A", { grep: "TestInitialElection3A", seeds: runs });
  else if (mode === "kill")
    await sweep("a run that never yields, --run-timeout 2", {
      raft: "harness/test/fixtures/hostile/infinite-loop.ts",
      grep: "TestInitialElection3A",
      seeds: 3,
      runTimeout: "2",
    });
  else
    for (const m of ["overhead", "kill"])
      execFileSync(process.execPath, [...process.execArgv, __filename, m, String(runs)], { stdio: "inherit" });
}

void main();
