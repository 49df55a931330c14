/**
 * Gradescope's autograder results.json schema (https://gradescope-autograders.readthedocs.io):
 * { score, tests: [{ name, score, max_score, status, output }], output }. One entry per test,
 * counting for points only if it passed on every seed it ran.
 */
import type { Report } from "./report";
import { isPassed } from "../run/outcome";

interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
}

interface GradescopeResults {
  score: number;
  output: string;
  tests: GradescopeTest[];
}

const OUTPUT_LIMIT = 4000;

export function gradescopeResults(report: Report): GradescopeResults {
  const tests = report.planned.map((t, k): GradescopeTest => {
    const s = report.byTest.find((b) => b.id === t.id);
    const runs = report.runs.filter((r) => r.id === t.id);
    const failed = runs.filter((r) => !isPassed(r));
    let output: string;
    if (!s) output = "did not run (the grading run was interrupted)";
    else if (failed.length === 0)
      output = `passed on ${runs.length} seed${runs.length === 1 ? "" : "s"} (${runs.map((r) => r.seed).join(", ")})`;
    else {
      const f = failed[0];
      output =
        `failed on ${failed.length} of ${runs.length} seed${runs.length === 1 ? "" : "s"} (${failed.map((r) => r.seed).join(", ")})\n\n` +
        `seed ${f.seed}: ${f.message ?? "failed"}\n${f.replay ? `replay: ${f.replay}\n` : ""}` +
        (f.output ? `\noutput of that run:\n${f.output}` : "");
    }
    return {
      name: t.id,
      number: String(k + 1),
      score: s?.points ?? 0,
      max_score: report.rubric[t.id] ?? 0,
      status: s?.passed ? "passed" : "failed",
      output:
        output.length > OUTPUT_LIMIT
          ? `${output.slice(0, OUTPUT_LIMIT)}\n[… cut; the full record is in raftgrade's results.json]`
          : output,
    };
  });
  const s = report.summary;
  return {
    score: report.score.points,
    output:
      `raftgrade: ${s.passed} of ${s.tests} tests passed on every seed (${s.runs} run${s.runs === 1 ? "" : "s"}, ${s.runsFailed} failed); score ${report.score.points} / ${report.score.max}` +
      (report.interrupted ? " — the grading run was interrupted, so some tests did not run" : ""),
    tests,
  };
}
