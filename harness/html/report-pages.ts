/**
 * The HTML report of a grading run: `reports/<run>/index.html`, and a page for each failing run
 * under `runs/<test>-seed<N>/`. After a sweep the grader re-runs failing runs (the first failing
 * seed of each test first, up to --html-pages) with full recording, each in a child process, then
 * renders every page from results.json and the runs' run.json; `raftgrade report DIR` renders them
 * again from the same files, without re-running anything.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Report } from "../report/report";
import { readResults } from "../report/report";
import type { RunOutcome } from "../run/outcome";
import { isPassed } from "../run/outcome";
import { replayArgs, replayCommand, shellQuote, ReplaySettings, ENV } from "../run/config";
import { UsageError, EXIT } from "../run/errors";
import { writeFileAtomic } from "../report/write-reports";
import { renderIndexPage, PageStatus } from "./index-page";
import { renderRunPage } from "./run-page";
import { readLinearizability, readRunFile, runFolderName } from "./run-file";
import { replayInChild } from "./replay-child";

/** Pages per sweep by default (--html-pages). */
export const DEFAULT_HTML_PAGES = 20;
/** What the grader tried, so that `raftgrade report` can say why a failing run has no page. */
const PAGES_FILE = "pages.json";

interface PagesRecord {
  cap: number;
  /** Why no run was replayed at all, when that was not the cap (an interrupted sweep). */
  skipped?: string;
  /** Runs the grader replayed; `problem` when no page came of it. */
  attempts: { id: string; seed: number; problem?: string }[];
}

/** `--html-pages N`: a whole number from 0 (no pages) to 1000. */
export function parseHtmlPages(value: unknown): number {
  if (value === undefined) return DEFAULT_HTML_PAGES;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > 1000)
    throw new UsageError(`--html-pages must be a whole number from 0 to 1000, got ${JSON.stringify(value)}`);
  return Number(text);
}

/**
 * The failing runs that get a page: each test's first failing seed, then the others, in plan order.
 * A run without a trace hash has no record from its worker (killed past --run-timeout, crashed, out
 * of memory): its replay would end the same way, so it is not tried.
 */
function choosePages(report: Report, cap: number): RunOutcome[] {
  const failed = (id: string, seed: number) =>
    report.runs.find((r) => r.id === id && r.seed === seed && !isPassed(r) && r.traceHash !== undefined);
  const first = report.byTest.flatMap((t) => t.failedSeeds.slice(0, 1).map((s) => failed(t.id, s)));
  const rest = report.byTest.flatMap((t) => t.failedSeeds.slice(1).map((s) => failed(t.id, s)));
  return [...first, ...rest].filter((r): r is RunOutcome => r !== undefined).slice(0, cap);
}

interface HtmlOptions {
  /** At most this many run pages (0: none). */
  pages: number;
  /** The layers and flags of the sweep, which the replays repeat. */
  settings: ReplaySettings;
  /** Limits of each replay, as of each worker: real time, and heap. */
  runTimeoutMs: number;
  memoryMb: number;
  /** Replays at once. */
  jobs: number;
  /** Replay nothing, for this reason (e.g. the sweep was interrupted). */
  skip?: string;
  log?: (line: string) => void;
}

/** After a sweep: replays the chosen failing runs in child processes, then writes every page. Returns write errors. */
export async function writeHtmlReport(dir: string, report: Report, options: HtmlOptions): Promise<string[]> {
  const chosen = options.skip ? [] : choosePages(report, options.pages);
  const record: PagesRecord = { cap: options.pages, skipped: options.skip, attempts: [] };
  if (chosen.length > 0) {
    options.log?.(
      `raftgrade: replaying ${chosen.length} failing run${chosen.length === 1 ? "" : "s"} with full recording for the HTML report (--html-pages ${options.pages})`,
    );
  }
  const env = { ...process.env, [ENV.artifacts]: path.join(dir, "artifacts") };
  const queue = [...chosen];
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const runDir = path.join(dir, "runs", runFolderName(run.id, run.seed));
      fs.rmSync(runDir, { recursive: true, force: true }); // never show a page of an earlier sweep
      const args = [...replayArgs(options.settings, run.id, run.seed), "--trace", "none", "--html", runDir];
      const child = await replayInChild(args, env, { timeoutMs: options.runTimeoutMs, memoryMb: options.memoryMb });
      const problem =
        child.problem ??
        (fs.existsSync(path.join(runDir, "run.json"))
          ? undefined
          : `the replay wrote no page${child.lastLine ? `: ${child.lastLine}` : ""}`);
      record.attempts.push({ id: run.id, seed: run.seed, problem });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, chosen.length)) }, worker));
  const errors: string[] = [];
  try {
    writeFileAtomic(path.join(dir, PAGES_FILE), JSON.stringify(record, null, 2) + "\n");
  } catch (e) {
    errors.push(`${path.join(dir, PAGES_FILE)}: ${(e as Error).message}`);
  }
  return [...errors, ...renderPages(dir, report).errors];
}

/** Renders index.html and the page of every failing run that has a run.json. */
export function renderPages(dir: string, report: Report): { pages: number; errors: string[] } {
  const record = readPagesRecord(dir);
  const errors: string[] = [];
  const statuses: PageStatus[] = [];
  for (const run of report.runs.filter((r) => !isPassed(r))) {
    const folder = runFolderName(run.id, run.seed);
    const runDir = path.join(dir, "runs", folder);
    const status: PageStatus = { id: run.id, seed: run.seed };
    try {
      const file = readRunFile(runDir);
      if (file) {
        const html = renderRunPage(file, {
          graded: run,
          backLink: "../../index.html",
          linearizabilityHtml: readLinearizability(runDir, file),
        });
        writeFileAtomic(path.join(runDir, "index.html"), html);
        status.href = `runs/${folder}/index.html`;
        status.sameHash = run.traceHash === undefined ? undefined : run.traceHash === file.traceHash;
      } else {
        status.reason = whyNoPage(record, run, settingsOf(report), path.resolve(runDir));
      }
    } catch (e) {
      status.reason = `its page could not be made: ${(e as Error).message}`;
      errors.push(`${runDir}: ${(e as Error).message}`);
    }
    statuses.push(status);
  }
  try {
    writeFileAtomic(path.join(dir, "index.html"), renderIndexPage(report, statuses));
  } catch (e) {
    errors.push(`${path.join(dir, "index.html")}: ${(e as Error).message}`);
  }
  return { pages: statuses.filter((s) => s.href).length, errors };
}

function whyNoPage(record: PagesRecord | undefined, run: RunOutcome, settings: ReplaySettings, runDir: string): string {
  const attempt = record?.attempts.find((a) => a.id === run.id && a.seed === run.seed);
  if (attempt?.problem) return attempt.problem;
  if (run.traceHash === undefined)
    return `not replayed: the graded run ended without a record (${run.failureKind ?? "no result"}), and a replay would end the same way`;
  if (record?.skipped) return record.skipped;
  if (record && record.cap === 0) return "pages were off (--html-pages 0)";
  if (record) return `beyond the ${record.cap} pages of this sweep (--html-pages)`;
  return `not replayed; this makes its page: ${replayCommand(settings, run.id, run.seed)} --html ${shellQuote(runDir)}`;
}

/** The layers and flags of the sweep, as results.json states them. */
function settingsOf(report: Report): ReplaySettings {
  return {
    impl: report.implementation,
    layers: report.layers as ReplaySettings["layers"],
    invariants: report.invariants,
    strictLinearizability: report.strictLinearizability,
  };
}

function readPagesRecord(dir: string): PagesRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, PAGES_FILE), "utf8")) as PagesRecord;
  } catch {
    return undefined;
  }
}

/** `raftgrade report DIR`: renders the HTML report of a report folder again. */
export function reportCommand(dir: string): number {
  let report: Report;
  try {
    report = readResults(dir);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return EXIT.usage;
  }
  const { pages, errors } = renderPages(dir, report);
  for (const error of errors) console.error(`raftgrade: could not write the HTML report: ${error}`);
  const failing = report.runs.filter((r) => !isPassed(r)).length;
  console.log(
    `raftgrade: HTML report written to ${path.join(path.resolve(dir), "index.html")} (${pages} of ${failing} failing run${failing === 1 ? "" : "s"} with a page)`,
  );
  return errors.length ? EXIT.report : EXIT.passed;
}
