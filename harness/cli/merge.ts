/**
 * `raftgrade merge DIR...`: combines the report folders of shards (or of any runs of the same
 * implementation with the same flags and seeds) into one: every run once, and the summary, the
 * score, JUnit, Gradescope and timing recomputed from the runs; the failing runs' pages and the
 * testers' pictures copied over; coverage merged (a line any shard ran counts as run); and the
 * HTML index rendered for the whole.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildReport, Report, RunMeta, PlannedTest, readResults } from "../report/report";
import type { RunOutcome } from "../run/outcome";
import type { ReferenceFigures } from "../report/timing";
import { writeReports } from "../report/write-reports";
import { formatTable, formatHazards, formatScore } from "../report/table";
import { UsageError, EXIT } from "../run/errors";
import { mergeCoverage } from "../run/coverage";
import { renderPages } from "../html/report-pages";

interface MergeOptions {
  dirs: string[];
  reportsDir: string;
  out?: string;
}

export async function merge(options: MergeOptions): Promise<number> {
  let merged: Report;
  let warnings: string[];
  try {
    ({ merged, warnings } = mergeReports(options.dirs.map(readResults)));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return EXIT.usage;
  }
  for (const w of warnings) console.error(`raftgrade: warning: ${w}`);
  merged.mergedFrom = options.dirs.map((d) => path.resolve(d));
  const dir = path.resolve(options.out ?? path.join(options.reportsDir, merged.runId));
  console.log(
    `raftgrade: merged ${options.dirs.length} report folders: ${merged.summary.runs} runs of ${merged.summary.tests} tests\n`,
  );
  if (merged.byTest.length) console.log(formatTable(merged));
  const hazards = formatHazards(merged);
  if (hazards) console.log(hazards);
  console.log(formatScore(merged).trimEnd());
  const written = writeReports(dir, merged);
  if (written.written.length) {
    written.errors.push(...copyFolders(options.dirs, dir, ["runs", "artifacts"]));
    try {
      const coverage = mergeCoverage(options.dirs, path.join(dir, "coverage"));
      if (coverage)
        console.log(
          `raftgrade: coverage merged from ${coverage.from} of ${options.dirs.length} folders:\n${coverage.summary.trim()}`,
        );
    } catch (e) {
      written.errors.push(`coverage: ${(e as Error).message}`);
    }
    written.errors.push(...renderPages(dir, merged).errors);
  }
  for (const error of written.errors) console.error(`raftgrade: could not write the report into ${dir}: ${error}`);
  if (written.written.length)
    console.log(`raftgrade: reports written to ${dir}; HTML report: ${path.join(dir, "index.html")}`);
  if (merged.summary.runsFailed > 0 || merged.interrupted) return EXIT.failed;
  return written.errors.length ? EXIT.report : EXIT.passed;
}

/** Copies the named subfolders of each input (run pages, pictures) into the merged folder; returns the errors. */
function copyFolders(from: string[], to: string, names: string[]): string[] {
  const errors: string[] = [];
  for (const dir of from) {
    for (const name of names) {
      const source = path.join(dir, name);
      if (!fs.existsSync(source)) continue;
      try {
        fs.cpSync(source, path.join(to, name), { recursive: true, force: false, errorOnExist: false });
      } catch (e) {
        errors.push(`${source}: ${(e as Error).message}`);
      }
    }
  }
  return errors;
}

/** The same flags and seeds everywhere, every run once; warns about missing or repeated shards. */
export function mergeReports(reports: Report[]): { merged: Report; warnings: string[] } {
  if (reports.length === 0) throw new UsageError("merge needs at least one report folder");
  const warnings: string[] = [];
  const first = reports[0];
  const same = (what: string, get: (r: Report) => unknown) => {
    for (const r of reports.slice(1)) {
      if (JSON.stringify(get(r)) !== JSON.stringify(get(first))) {
        throw new UsageError(
          `cannot merge runs with different ${what}: ${JSON.stringify(get(first))} (${first.runId}) vs ${JSON.stringify(get(r))} (${r.runId})`,
        );
      }
    }
  };
  same("layers", (r) => r.layers);
  same("--no-invariants", (r) => r.invariants);
  same("--strict-linearizability", (r) => r.strictLinearizability);
  same("--check-determinism", (r) => r.checkDeterminism);
  same("seeds", (r) => r.seeds);
  same("shard counts", (r) => r.shard?.count ?? null);

  const shards = reports.map((r) => r.shard).filter((s) => s !== null);
  if (shards.length > 0) {
    const count = shards[0]!.count;
    const seen = new Set(shards.map((s) => s!.index));
    const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
    if (missing.length)
      warnings.push(
        `shard${missing.length > 1 ? "s" : ""} ${missing.map((k) => `${k}/${count}`).join(", ")} missing: the merged report covers only the shards given`,
      );
    if (seen.size < shards.length) warnings.push("a shard was given twice; its runs are counted once");
  }

  const planned = new Map<string, PlannedTest>();
  for (const r of reports) for (const t of r.planned) if (!planned.has(t.id)) planned.set(t.id, t);
  const rubric: Record<string, number> = {};
  for (const r of reports) {
    for (const [id, points] of Object.entries(r.rubric)) {
      if (rubric[id] !== undefined && rubric[id] !== points)
        throw new UsageError(
          `cannot merge runs graded with different rubrics: ${id} is worth ${rubric[id]} in one and ${points} in another`,
        );
      rubric[id] = points;
    }
  }
  const runs = new Map<string, RunOutcome>();
  for (const r of reports) {
    for (const o of r.runs) {
      const key = `${o.id}@${o.seed}`;
      const had = runs.get(key);
      if (had && (had.status !== o.status || had.traceHash !== o.traceHash))
        warnings.push(
          `${o.id} seed ${o.seed} ran twice with different results (${had.status} vs ${o.status}); keeping the first`,
        );
      if (!had) runs.set(key, o);
    }
  }
  const order = [...planned.values()].sort((a, b) => a.order - b.order);
  const rank = new Map(order.map((t, k) => [t.id, k]));
  const seedRank = new Map(first.seeds.list.map((s, k) => [s, k]));
  const sorted = [...runs.values()].sort(
    (a, b) => rank.get(a.id)! - rank.get(b.id)! || (seedRank.get(a.seed) ?? 0) - (seedRank.get(b.seed) ?? 0),
  );

  const references = reports.map((r) => r.reference);
  let reference: ReferenceFigures[] | null = null;
  if (references.every((f) => f !== null)) {
    const byKey = new Map<string, ReferenceFigures>();
    for (const f of references.flat()) byKey.set(`${f!.id}@${f!.seed}`, f!);
    reference = [...byKey.values()];
  } else if (references.some((f) => f !== null)) {
    warnings.push("some shards have no reference figures; the merged timing report shows the graded figures only");
  }

  const started = reports.map((r) => r.startedAt).sort()[0];
  const finished = reports
    .map((r) => r.finishedAt)
    .sort()
    .at(-1)!;
  const meta: RunMeta = {
    runId: `merged-${new Date().toISOString().replace(/[:.]/g, "-")}`,
    startedAt: started,
    finishedAt: finished,
    interrupted: reports.some((r) => r.interrupted),
    implementation: first.implementation,
    layers: first.layers,
    invariants: first.invariants,
    sealed: reports.every((r) => r.sealed !== false),
    checkDeterminism: first.checkDeterminism,
    strictLinearizability: first.strictLinearizability,
    seeds: first.seeds,
    shard: null,
    planned: order,
    plannedRuns: reports.reduce((a, r) => a + r.plannedRuns, 0),
    rubric,
    reference,
  };
  return { merged: buildReport(meta, sorted), warnings };
}
