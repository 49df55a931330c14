/**
 * The data of a grading run's report (results.json): every run, a summary per test, the summary,
 * and the score. `buildReport` is used by `grade` and again by `merge`, which recomputes everything
 * from the runs of several shards.
 */
import type { RunOutcome } from "../run/outcome";
import { isPassed } from "../run/outcome";
import type { Rubric } from "./rubric";
import { roundPoints } from "./rubric";
import { meanSd, MeanSd } from "./stats";
import type { Shard } from "../run/plan";
import type { ReferenceFigures } from "./timing";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../run/errors";

const REPORT_FORMAT = 2;

export interface RunMeta {
  runId: string;
  startedAt: string;
  finishedAt: string;
  interrupted: boolean;
  implementation: string;
  layers: Record<string, string>;
  invariants: boolean;
  /** Whether the graded code ran in a process of its own (false: --unsealed). */
  sealed: boolean;
  checkDeterminism: boolean;
  strictLinearizability: boolean;
  seeds: { base: number; count: number; list: number[] };
  shard: Shard | null;
  /** The tests of the plan (this shard's), in order, with their mocha titles and parts. */
  planned: PlannedTest[];
  /** Items in the plan; fewer runs than this means the run was interrupted. */
  plannedRuns: number;
  rubric: Rubric;
  /** The reference implementation's figures on the same items, for the timing report (null: not compared). */
  reference: ReferenceFigures[] | null;
  /** For a merged report: the folders it was merged from. */
  mergedFrom?: string[];
}

export interface PlannedTest {
  id: string;
  title: string;
  part: string;
  /** Position in the whole selection (before sharding), so merged shards keep the order. */
  order: number;
}

interface TestSummary {
  id: string;
  title: string;
  part: string;
  /** Points earned: maxPoints if the test passed on every seed it ran (and ran at least once), else 0. */
  points: number;
  maxPoints: number;
  runs: number;
  failures: number;
  /** Runs that passed with a warning. */
  warnings: number;
  passRate: number;
  passed: boolean;
  virtualMs: MeanSd;
  realMs: MeanSd;
  /** Seeds of the failed runs, in plan order. */
  failedSeeds: number[];
  /** The hazards the test aims at, each with the runs that reached it at least once (absent: it names none). */
  hazards?: HazardCoverage[];
}

export interface HazardCoverage {
  hazard: string;
  /** Runs that reached it, of `runs` (the test's runs that recorded hazards). */
  reached: number;
  runs: number;
}

interface Score {
  points: number;
  max: number;
  parts: Record<string, { points: number; max: number }>;
}

export interface Report extends RunMeta {
  tool: "raftgrade";
  format: number;
  summary: {
    /** Tests of the plan; passed = passed on every seed it ran. */
    tests: number;
    passed: number;
    failed: number;
    /** Tests that did not run at all (interrupted). */
    notRun: number;
    runs: number;
    runsPassed: number;
    runsFailed: number;
    runsWithWarnings: number;
  };
  score: Score;
  byTest: TestSummary[];
  runs: RunOutcome[];
}

export function buildReport(meta: RunMeta, runs: RunOutcome[]): Report {
  const byTest = meta.planned
    .map((t) =>
      summarizeTest(
        t,
        runs.filter((r) => r.id === t.id),
        meta.rubric[t.id] ?? 0,
      ),
    )
    .filter((s) => s.runs > 0);
  const ran = new Set(byTest.map((s) => s.id));
  const score: Score = { points: 0, max: 0, parts: {} };
  for (const t of meta.planned) {
    const s = byTest.find((b) => b.id === t.id);
    const max = meta.rubric[t.id] ?? 0;
    const points = s?.points ?? 0;
    const part = (score.parts[t.part] ??= { points: 0, max: 0 });
    part.points = roundPoints(part.points + points);
    part.max = roundPoints(part.max + max);
    score.points = roundPoints(score.points + points);
    score.max = roundPoints(score.max + max);
  }
  return {
    tool: "raftgrade",
    format: REPORT_FORMAT,
    ...meta,
    summary: {
      tests: meta.planned.length,
      passed: byTest.filter((s) => s.passed).length,
      failed: byTest.filter((s) => !s.passed).length,
      notRun: meta.planned.filter((t) => !ran.has(t.id)).length,
      runs: runs.length,
      runsPassed: runs.filter(isPassed).length,
      runsFailed: runs.filter((r) => !isPassed(r)).length,
      runsWithWarnings: runs.filter((r) => r.status === "passed-with-warning").length,
    },
    score,
    byTest,
    runs,
  };
}

function summarizeTest(
  t: { id: string; title: string; part: string },
  runs: RunOutcome[],
  maxPoints: number,
): TestSummary {
  const failed = runs.filter((r) => !isPassed(r));
  const passed = runs.length > 0 && failed.length === 0;
  return {
    id: t.id,
    title: t.title,
    part: t.part,
    points: passed ? maxPoints : 0,
    maxPoints,
    runs: runs.length,
    failures: failed.length,
    warnings: runs.filter((r) => r.status === "passed-with-warning").length,
    passRate: runs.length ? (runs.length - failed.length) / runs.length : 0,
    passed,
    virtualMs: meanSd(runs.map((r) => r.virtualMs)),
    realMs: meanSd(runs.map((r) => r.realMs)),
    failedSeeds: failed.map((r) => r.seed),
    hazards: hazardCoverage(runs),
  };
}

/** Per hazard named by any run of a test: how many of the runs that name hazards reached it. */
function hazardCoverage(runs: RunOutcome[]): HazardCoverage[] | undefined {
  const named = runs.filter((r) => r.hazards !== undefined);
  if (named.length === 0) return undefined;
  const hazards = [...new Set(named.flatMap((r) => Object.keys(r.hazards!)))];
  return hazards.map((hazard) => ({
    hazard,
    reached: named.filter((r) => (r.hazards![hazard] ?? 0) > 0).length,
    runs: named.length,
  }));
}

/** results.json of a report folder, or a UsageError saying exactly what is wrong. */
export function readResults(dir: string): Report {
  if (!fs.existsSync(dir)) throw new UsageError(`${dir}: no such folder`);
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder`);
  const file = path.join(dir, "results.json");
  if (!fs.existsSync(file)) throw new UsageError(`${dir}: not a raftgrade report folder: no results.json there`);
  let data: Report;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (
    typeof data !== "object" ||
    data === null ||
    data.tool !== "raftgrade" ||
    !Array.isArray(data.runs) ||
    !Array.isArray(data.byTest) ||
    typeof data.score !== "object"
  ) {
    throw new UsageError(
      `${file}: not a raftgrade results.json (it needs "tool": "raftgrade", runs, byTest and score)`,
    );
  }
  if (data.format !== REPORT_FORMAT)
    throw new UsageError(`${file}: report format ${data.format}; this raftgrade reads format ${REPORT_FORMAT}`);
  return data;
}
