/**
 * `raftgrade grade`: checks the options, builds the work plan (tests × seeds, this shard's slice),
 * runs it in worker processes with a live progress display, runs the reference on the same items
 * for the timing report (cached), and writes the reports. Bad options give a precise message and
 * exit status 2 before anything runs; Ctrl-C or a crashed worker still leaves the reports of every
 * run that finished.
 */
import * as path from "node:path";
import type { Layer } from "../api/implementation";
import { replayCommand } from "../run/config";
import { WorkerPool } from "../run/pool";
import type { RunOutcome } from "../run/outcome";
import { buildReport, RunMeta } from "../report/report";
import { writeReports, prepareReportDir } from "../report/write-reports";
import { formatTable, formatHazards, formatFailures, formatScore } from "../report/table";
import { coverageSetup, writeCoverageReport } from "../run/coverage";
import { UsageError, EXIT } from "../run/errors";
import { makePlan, header, Plan, DEFAULT_RUN_TIMEOUT_S, DEFAULT_WORKER_MEMORY_MB } from "./grade-plan";
import { runItems, referenceFigures, workerEnv, isReference, layerRefs } from "./grade-run";
import { writeHtmlReport, parseHtmlPages } from "../html/report-pages";

export { DEFAULT_RUN_TIMEOUT_S, DEFAULT_WORKER_MEMORY_MB };

export interface GradeOptions {
  impl: string;
  layers: Partial<Record<Layer, string | undefined>>;
  parts?: string;
  grep?: string;
  /** Exact test ids (--test). */
  tests?: string[];
  seed?: string;
  seeds?: unknown;
  jobs?: unknown;
  shard?: string;
  rubric?: string;
  /** Folder in which each run writes its report folder (reports/<run-id>/). */
  reportsDir: string;
  /** Write the reports into exactly this folder instead. */
  out?: string;
  invariants: boolean;
  checkDeterminism: boolean;
  strictLinearizability: boolean;
  coverage: boolean;
  referenceTiming: boolean;
  /** Real seconds a single run may take in a worker before the worker is killed. */
  runTimeout?: unknown;
  /** Failing runs replayed for an HTML page each (--html-pages; default 20, 0: none). */
  htmlPages?: unknown;
  /** Heap limit of a worker in MiB (--worker-memory). */
  workerMemory?: unknown;
  /** Run the graded code in the worker itself (--unsealed). */
  unsealed?: boolean;
  /** Real seconds the graded code may take to load (--load-timeout). */
  loadTimeout?: unknown;
}

/** Runs the specs; resolves to the process exit status. */
export async function grade(options: GradeOptions): Promise<number> {
  let plan: Plan;
  let htmlPages: number;
  try {
    htmlPages = parseHtmlPages(options.htmlPages);
    plan = makePlan(options);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return EXIT.usage;
  }
  const { config, items } = plan;
  const startedAt = new Date();
  const runId =
    startedAt.toISOString().replace(/[:.]/g, "-") +
    (plan.shard ? `-shard${plan.shard.index}of${plan.shard.count}` : "");
  const reportDir = path.resolve(options.out ?? path.join(options.reportsDir, runId));
  let reportDirProblem: string | undefined;
  try {
    prepareReportDir(reportDir);
  } catch (e) {
    reportDirProblem = (e as Error).message;
    console.error(
      `raftgrade: could not write the report into ${reportDir}: ${reportDirProblem}; grading anyway (results on the console only)`,
    );
  }

  console.log(header(plan));
  const env = workerEnv(config, reportDir);
  const coverage = options.coverage ? coverageSetup(layerRefs(config)) : undefined;

  // Ctrl-C: stop handing out work, keep what finished, write the reports. A second Ctrl-C quits at once.
  let interrupted = false;
  let pool: WorkerPool | undefined;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    console.error(
      "\nraftgrade: interrupted; writing the reports of the runs that finished (Ctrl-C again to quit at once)",
    );
    pool?.interrupt();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  try {
    const outcomes = await runItems(
      items,
      plan,
      env,
      coverage,
      "grading",
      (p) => (pool = p),
      (o) => {
        if (o.status === "failed") o.replay = replayCommand(config, o.id, o.seed);
      },
      (o, note) => {
        if (o.nondeterminism)
          note(
            `warning: ${titleOf(plan, o.id)} is not deterministic, so its failures will not replay: ${o.nondeterminism}`,
          );
      },
    );
    const finished = outcomes.outcomes.filter((o): o is RunOutcome => o !== undefined);
    interrupted ||= outcomes.interrupted;

    const reference =
      !interrupted && options.referenceTiming && !isReference(config)
        ? await referenceFigures(plan, finished, (p) => (pool = p))
        : null;
    interrupted ||= reference?.interrupted ?? false;

    let coverageSummary: string | undefined;
    if (coverage) {
      try {
        coverageSummary = await writeCoverageReport(coverage, path.join(reportDir, "coverage"));
      } catch (e) {
        console.error(
          `raftgrade: could not write the coverage report into ${path.join(reportDir, "coverage")}: ${(e as Error).message}`,
        );
      }
    }

    const meta: RunMeta = {
      runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      interrupted,
      implementation: config.impl,
      layers: config.layers,
      invariants: config.invariants,
      sealed: config.sealed,
      checkDeterminism: config.checkDeterminism,
      strictLinearizability: config.strictLinearizability,
      seeds: { base: plan.base, count: plan.seeds.length, list: plan.seeds },
      shard: plan.shard ?? null,
      planned: plan.tests.map((t) => ({ id: t.id, title: t.title, part: t.part, order: plan.order.get(t.id)! })),
      plannedRuns: plan.plannedRuns,
      rubric: plan.rubric,
      reference: reference ? reference.figures : null,
    };
    const report = buildReport(meta, finished);
    console.log("");
    if (report.byTest.length > 0) console.log(formatTable(report));
    const hazards = formatHazards(report);
    if (hazards) console.log(hazards);
    const failures = formatFailures(report);
    if (failures) console.log(failures);
    if (coverageSummary) console.log(`coverage of ${coverage!.include.join(", ")}:${coverageSummary.trimEnd()}\n`);
    console.log(formatScore(report).trimEnd());
    if (interrupted)
      console.log(`interrupted: ${finished.length} of ${items.length} runs finished; the reports cover those`);

    const written = writeReports(reportDir, report);
    for (const error of written.errors)
      console.error(`raftgrade: could not write the report into ${reportDir}: ${error}`);
    if (written.written.length > 0)
      console.log(
        `raftgrade: reports written to ${reportDir}${written.errors.length ? " (some files failed, see above)" : ""}`,
      );
    if (written.written.length > 0) {
      // Failing runs are replayed with full recording in child processes: the grader never runs graded code.
      const htmlErrors = await writeHtmlReport(reportDir, report, {
        pages: htmlPages,
        settings: config,
        runTimeoutMs: plan.runTimeoutMs,
        memoryMb: plan.workerMemoryMb,
        jobs: plan.jobs,
        skip: interrupted ? "the sweep was interrupted before the pages were made" : undefined,
        log: (line) => console.log(line),
      });
      for (const error of htmlErrors) console.error(`raftgrade: could not write the HTML report: ${error}`);
      written.errors.push(...htmlErrors);
      console.log(`raftgrade: HTML report: ${path.join(reportDir, "index.html")}`);
    }

    if (interrupted) return EXIT.interrupted;
    if (report.summary.runsFailed > 0) return EXIT.failed;
    if (written.errors.length > 0 || reportDirProblem) return EXIT.report;
    return EXIT.passed;
  } finally {
    process.removeListener("SIGINT", onSigint);
    process.removeListener("SIGTERM", onSigint);
  }
}

function titleOf(plan: Plan, id: string): string {
  return plan.tests.find((t) => t.id === id)?.title ?? id;
}
