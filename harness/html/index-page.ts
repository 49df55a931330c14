/**
 * The report's index page: the score, each part and test (pass rate over its seeds, points), the
 * failing runs with a link to each one's page (or why it has none), and charts of virtual time,
 * real time and RPCs per test against the reference. Everything comes from results.json.
 */
import type { Report } from "../report/report";
import type { RunOutcome } from "../run/outcome";
import { isPassed } from "../run/outcome";
import { barChart, ChartRow } from "./charts";
import { escapeHtml, page } from "./shared";
import { describeLabVerdict } from "../report/table";
import { clip } from "../sim/text";

/** What the index says about a failing run's page: where it is, or why there is none. */
export interface PageStatus {
  id: string;
  seed: number;
  /** Relative link to the run page. */
  href?: string;
  reason?: string;
  /** Whether the replay's trace hash is the graded run's (undefined: unknown). */
  sameHash?: boolean;
}

export function renderIndexPage(report: Report, pages: PageStatus[]): string {
  const pageOf = new Map(pages.map((p) => [`${p.id}@${p.seed}`, p]));
  const failing = report.runs.filter((r) => !isPassed(r));
  const body = `
<h1>raftgrade report <span class="muted">${escapeHtml(report.runId)}</span></h1>
<p class="muted">${escapeHtml(describeLayers(report))} · ${report.seeds.count === 1 ? `seed ${report.seeds.list[0]}` : `${report.seeds.count} seeds from base ${report.seeds.base}`}${report.shard ? ` · shard ${report.shard.index}/${report.shard.count}` : ""}${report.invariants ? "" : " · without invariants"}
 · ${escapeHtml(report.startedAt)} – ${escapeHtml(report.finishedAt)}</p>
${report.interrupted ? `<p class="bad">The sweep was interrupted: ${report.summary.runs} of ${report.plannedRuns} runs finished; this report covers those.</p>` : ""}
<p class="score" id="score" data-points="${report.score.points}" data-max="${report.score.max}">Score: ${report.score.points} / ${report.score.max}</p>
<p id="summary" data-runs="${report.summary.runs}" data-failed="${report.summary.runsFailed}">${report.summary.passed} of ${report.summary.tests} tests passed on every seed; ${report.summary.runs} runs, ${report.summary.runsFailed} failed${report.summary.runsWithWarnings ? `, ${report.summary.runsWithWarnings} passed with a warning` : ""}.</p>

<h2>Parts</h2>
<table id="parts"><tr><th>part</th><th class="num">points</th></tr>
${Object.entries(report.score.parts)
  .map(
    ([part, s]) =>
      `<tr data-part="${escapeHtml(part)}" data-points="${s.points}" data-max="${s.max}"><td>${escapeHtml(part)}</td><td class="num">${s.points} / ${s.max}</td></tr>`,
  )
  .join("\n")}
</table>

<h2>Tests</h2>
<table id="tests"><tr><th>part</th><th>test</th><th class="num">runs</th><th class="num">failed</th><th class="num">pass rate</th><th class="num">points</th><th class="num">virtual time</th><th class="num">real time</th><th>failing seeds</th></tr>
${report.byTest
  .map(
    (
      t,
    ) => `<tr data-test="${escapeHtml(t.id)}" data-runs="${t.runs}" data-failures="${t.failures}" data-pass-rate="${t.passRate}" data-points="${t.points}" data-max-points="${t.maxPoints}">
<td>${escapeHtml(t.part)}</td><td>${escapeHtml(t.id)}</td><td class="num">${t.runs}</td><td class="num">${t.failures}</td><td class="num ${t.passed ? "passed" : "failed"}">${(100 * t.passRate).toFixed(1)}%</td>
<td class="num">${t.points} / ${t.maxPoints}</td><td class="num">${(t.virtualMs.mean / 1000).toFixed(1)} s</td><td class="num">${t.realMs.mean.toFixed(0)} ms</td>
<td>${t.failedSeeds.map((seed) => seedLink(t.id, seed, pageOf.get(`${t.id}@${seed}`))).join(" ")}</td></tr>`,
  )
  .join("\n")}
</table>

${hazardTable(report)}
${failing.length ? `<h2>Failing runs</h2>\n<ul id="failing">\n${failing.map((r) => failingRun(r, pageOf.get(`${r.id}@${r.seed}`))).join("\n")}\n</ul>` : ""}

<h2>Time and RPCs per test</h2>
<p class="muted">Means over every run of each test (a failed run ends early and looks cheap; its bar is red)${referenceNote(report)}.</p>
<div class="charts" id="charts">
${charts(report)}
</div>
<p class="muted">Files: <a href="results.json">results.json</a> · <a href="junit.xml">junit.xml</a> · <a href="timing.txt">timing.txt</a> · <a href="gradescope.json">gradescope.json</a></p>`;
  return page(`raftgrade report ${report.runId}`, body);
}

/** Per test that names hazards, how many of its runs reached each; a hazard no run reached is marked. */
function hazardTable(report: Report): string {
  const rows = report.byTest.flatMap((t) =>
    (t.hazards ?? []).map(
      (h) =>
        `<tr data-test="${escapeHtml(t.id)}" data-reached="${h.reached}" data-runs="${h.runs}"><td>${escapeHtml(t.id)}</td><td>${escapeHtml(h.hazard)}</td><td class="num ${h.reached > 0 ? "passed" : "failed"}">${h.reached} of ${h.runs}</td></tr>`,
    ),
  );
  if (rows.length === 0) return "";
  return `<h2>Hazard coverage</h2>
<p class="muted">The dangerous situations each test drives the cluster into, and how many of its runs reached each (seen in what the servers answered and applied). A hazard that no run reached was not tested.</p>
<table id="hazards"><tr><th>test</th><th>hazard</th><th class="num">runs that reached it</th></tr>
${rows.join("\n")}
</table>`;
}

function describeLayers(report: Report): string {
  const refs = new Set(Object.values(report.layers));
  if (refs.size === 1) return `implementation ${[...refs][0]}`;
  return Object.entries(report.layers)
    .map(([layer, ref]) => `${layer}=${ref}`)
    .join(" ");
}

function seedLink(id: string, seed: number, status: PageStatus | undefined): string {
  if (status?.href)
    return `<a class="run-link" data-test="${escapeHtml(id)}" data-seed="${seed}" href="${escapeHtml(status.href)}">${seed}</a>`;
  return `<span title="${escapeHtml(status?.reason ?? "no page")}">${seed}</span>`;
}

function failingRun(r: RunOutcome, status: PageStatus | undefined): string {
  const page = status?.href
    ? `<a class="run-link" data-test="${escapeHtml(r.id)}" data-seed="${r.seed}" href="${escapeHtml(status.href)}">timeline, messages and log</a>${status.sameHash === false ? ` <span class="failed">(the replay did not repeat the graded run: see its page)</span>` : ""}`
    : `<span class="muted no-page">no page: ${escapeHtml(status?.reason ?? "not replayed")}</span>`;
  return `<li data-test="${escapeHtml(r.id)}" data-seed="${r.seed}"><b>${escapeHtml(r.id)}</b> seed ${r.seed} [${escapeHtml(r.failureKind ?? "test")}]: ${escapeHtml(clip(r.message ?? "", 400))}${r.labVerdict ? `<br><span class="lab-verdict">the lab's own checks on this seed: ${escapeHtml(clip(describeLabVerdict(r.labVerdict), 300))}</span>` : ""}<br>${page}${r.replay ? `<br><code>${escapeHtml(r.replay)}</code>` : ""}</li>`;
}

function referenceNote(report: Report): string {
  if (Object.values(report.layers).every((l) => l === "reference"))
    return "; this is the reference implementation, so there is nothing to compare with";
  if (report.reference === null)
    return "; the reference was not run for comparison (--no-reference-timing, or interrupted)";
  return "; grey: the reference implementation on the same seeds (its real time is not recorded)";
}

function charts(report: Report): string {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const rows = (
    pick: (r: { virtualMs: number; realMs: number; rpcs: number }) => number,
    withReference: boolean,
  ): ChartRow[] =>
    report.byTest.map((t) => {
      const ref = (report.reference ?? []).filter((f) => f.id === t.id);
      return {
        label: t.id,
        graded: mean(report.runs.filter((r) => r.id === t.id).map(pick)),
        failed: !t.passed,
        reference: withReference && ref.length ? mean(ref.map((f) => pick({ ...f, realMs: 0 }))) : null,
      };
    });
  return [
    barChart(
      "chart-virtual",
      "virtual time",
      rows((r) => r.virtualMs, true),
      (v) => `${(v / 1000).toFixed(1)} s`,
    ),
    barChart(
      "chart-real",
      "real time",
      rows((r) => r.realMs, false),
      (v) => `${v.toFixed(0)} ms`,
    ),
    barChart(
      "chart-rpcs",
      "RPCs",
      rows((r) => r.rpcs, true),
      (v) => v.toFixed(0),
    ),
  ].join("\n");
}
