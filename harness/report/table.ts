/** The end-of-run text: a table per test, each failing run with its replay command, and the score. */
import type { Report } from "./report";
import { isPassed, type RunOutcome } from "../run/outcome";
import type { MeanSd } from "./stats";

/** Failing runs listed per test on the terminal; the rest are in results.json. */
const FAILURES_SHOWN_PER_TEST = 10;

export function formatTable(report: Report): string {
  const rows = report.byTest.map((s) => [
    s.id,
    String(s.runs),
    String(s.failures),
    `${(s.passRate * 100).toFixed(1)}%`,
    ms(s.virtualMs, 1000, 1, "s"),
    ms(s.realMs, 1, 0, "ms"),
    `${s.points}/${s.maxPoints}`,
  ]);
  const head = ["test", "runs", "fail", "pass rate", "virtual time", "real time", "points"];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) =>
    cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

/** "passed", or "failed [test]: apply error: ..." (first line): what the lab-only run of an invariant failure said. */
export function describeLabVerdict(v: NonNullable<RunOutcome["labVerdict"]>): string {
  return v.status === "failed" ? `failed [${v.failureKind ?? "test"}]: ${(v.message ?? "").split("\n")[0]}` : v.status;
}

/** Per test that names hazards: how many of its runs reached each (empty when no test names any). */
export function formatHazards(report: Report): string {
  const lines = report.byTest.flatMap((t) =>
    (t.hazards ?? []).map(
      (h) =>
        `  ${t.id}: ${h.hazard}: reached on ${h.reached} of ${h.runs} runs${h.reached === 0 ? " (NOT TESTED)" : ""}`,
    ),
  );
  return lines.length ? ["Hazard coverage:", ...lines].join("\n") + "\n" : "";
}

function ms(v: MeanSd, unit: number, digits: number, suffix: string): string {
  return `${(v.mean / unit).toFixed(digits)} ± ${(v.sd / unit).toFixed(digits)} ${suffix}`;
}

export function formatFailures(report: Report): string {
  const failed = report.runs.filter((r) => !isPassed(r));
  if (failed.length === 0) return "";
  const lines = [`Failing runs (${failed.length}); each replays exactly with its command:`];
  for (const s of report.byTest.filter((b) => b.failures > 0)) {
    const runs = failed.filter((r) => r.id === s.id);
    for (const r of runs.slice(0, FAILURES_SHOWN_PER_TEST)) {
      lines.push(`  ${r.id} seed ${r.seed} [${r.failureKind ?? "test"}]: ${(r.message ?? "failed").split("\n")[0]}`);
      if (r.labVerdict)
        lines.push(`    the lab's own checks on this seed (--no-invariants): ${describeLabVerdict(r.labVerdict)}`);
      if (r.replay) lines.push(`    ${r.replay}`);
    }
    if (runs.length > FAILURES_SHOWN_PER_TEST)
      lines.push(
        `  … and ${runs.length - FAILURES_SHOWN_PER_TEST} more failing runs of ${s.id} (seeds in results.json)`,
      );
  }
  return lines.join("\n") + "\n";
}

export function formatScore(report: Report): string {
  const parts = Object.entries(report.score.parts).map(([p, s]) => `${p} ${s.points}/${s.max}`);
  const s = report.summary;
  return (
    `score: ${report.score.points} / ${report.score.max}  (${parts.join(", ")})\n` +
    `${s.passed} of ${s.tests} tests passed on every seed; ${s.runs} run${s.runs === 1 ? "" : "s"}, ${s.runsFailed} failed` +
    (s.runsWithWarnings ? `, ${s.runsWithWarnings} passed with a warning` : "") +
    (s.notRun ? `; ${s.notRun} tests did not run` : "") +
    "\n"
  );
}
