/**
 * The page of one run: what failed and how to replay it, whether the replay is the run that was
 * graded (same trace hash), then the timeline, the message diagram, the checker's picture (for a
 * history that is not linearizable) and the log. The drawing is done in the browser, from run.json
 * embedded in the page (scripts in assets/).
 */
import type { RunOutcome } from "../run/outcome";
import type { RunFile } from "./run-file";
import { LINEARIZABILITY_FILE } from "./run-file";
import { asset, escapeHtml, jsonForScript, page, seconds } from "./shared";

interface RunPageContext {
  /** The graded run this page replays (from results.json); absent for a replay on its own. */
  graded?: RunOutcome;
  /** Link back to the report's index page. */
  backLink?: string;
  /** The checker's picture, embedded when the run has one. */
  linearizabilityHtml: string | null;
}

export function renderRunPage(run: RunFile, ctx: RunPageContext): string {
  const title = `${run.id}, seed ${run.seed}`;
  const rec = run.recorded;
  const body = `
${ctx.backLink ? `<p><a href="${escapeHtml(ctx.backLink)}">← the report</a></p>` : ""}
<h1>${escapeHtml(run.id)} <span class="muted">seed ${run.seed}</span></h1>
<p class="muted">${escapeHtml(run.title)}</p>
<p>Replay: <b id="status" class="${escapeHtml(run.status)}">${escapeHtml(run.status)}</b>${run.failureKind ? ` [${escapeHtml(run.failureKind)}]` : ""} · virtual time ${seconds(run.virtualMs)}
 · ${run.rpcs} RPCs · ${run.bytes} bytes · ${run.ops} operations · layers ${escapeHtml(describeLayers(run))}${run.invariants ? "" : " · without invariants"}</p>
${run.message ? `<pre id="message">${escapeHtml(run.message)}</pre>` : ""}
${run.warnings.map((w) => `<p class="note">warning: ${escapeHtml(w)}</p>`).join("\n")}
${Object.entries(run.hazards ?? {})
  .map(
    ([h, times]) =>
      `<p class="note hazard">hazard: ${escapeHtml(h)}: ${times === 0 ? "not reached" : `reached ${times}×`}</p>`,
  )
  .join("\n")}
<p>Replay it: <code id="replay">${escapeHtml(run.replay)}</code></p>
${hashCheck(run, ctx.graded)}
${rec.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("\n")}

<h2>Timeline</h2>
<div class="controls"><button id="timeline-all">whole run</button><button id="timeline-window">zoom to the message window</button>
 <span class="muted">showing <span id="timeline-range"></span> · drag to zoom · click to move the message window there</span></div>
<div class="legend"><span><i style="background:#e6f2e1"></i>running</span><span><i style="background:#5b5b5b"></i>crashed</span>
 <span><i style="background:#f1c40f"></i>claims leadership (tN: term)</span><span><i style="background:#cfe3f5"></i>reaches every server</span>
 <span><i style="background:#9b59b6"></i><i style="background:#16a085"></i>a side of a partition (a colour per side)</span><span><i style="background:#e74c3c"></i>cut off from every server</span>
 <span><i style="background:#2c7be5"></i>applied index</span><span><i style="background:#7d8b99"></i>client operation</span><span><i style="background:#c0392b"></i>end of the run</span><span><i style="background:#d6336c"></i>nemesis strike (axis)</span></div>
<div class="lanes-row"><div class="lane-names" id="timeline-names"></div><div class="canvas-box"><canvas id="timeline-canvas"></canvas></div></div>
<p id="timeline-summary" class="muted"></p>

<h2>Messages</h2>
<div class="controls">
 <label>from (s) <input type="number" id="msg-from" step="0.1" min="0"></label>
 <label>width <select id="msg-width">${[0.1, 0.5, 1, 2, 5, 10, 30].map((w) => `<option value="${w}">${w} s</option>`).join("")}</select></label>
 <button id="msg-prev">◀ earlier</button><button id="msg-next">later ▶</button><button id="msg-end">the end</button>
 <label>method <select id="msg-method"><option value="">all</option></select></label></div>
<div class="legend"><span><i style="background:#2c7be5"></i>request</span><span><i style="background:#27ae60"></i>reply</span>
 <span><i style="background:#e74c3c"></i>dropped (×)</span><span><i style="background:#e67e22"></i>late (long reordering)</span>
 <span><i style="background:#95a5a6"></i>peer unreachable</span><span><i style="background:#8e44ad"></i>no reply (server crashed or cut off while handling)</span><span><i style="background:#7f8c8d"></i>caller crashed / pending</span></div>
<div class="lanes-row"><div class="lane-names" id="msg-names"></div><div class="canvas-box"><canvas id="msg-canvas"></canvas></div></div>
<p id="msg-summary" class="muted"></p>

${linearizabilitySection(run, ctx.linearizabilityHtml)}

<h2>Log</h2>
<div class="controls"><label>node <select id="log-node"><option value="">all</option></select></label>
 <label>text <input type="search" id="log-text" placeholder="filter"></label><span id="log-count" class="muted"></span></div>
<div class="log-box"><table id="log-table"><tbody></tbody></table></div>
<button id="log-more" hidden>show more</button>

${run.details ? `<h2>Failure details</h2>\n<pre id="details">${escapeHtml(run.details)}</pre>` : ""}
<p class="muted">trace hash ${escapeHtml(run.traceHash)} · replayed in ${(run.realMs / 1000).toFixed(1)} s of real time</p>
<div id="tip" hidden></div>
<script type="application/json" id="run-data">${jsonForScript(run)}</script>`;
  return page(`${title} — raftgrade`, body, [
    asset("run.js"),
    asset("timeline.js"),
    asset("messages.js"),
    asset("log.js"),
  ]);
}

function describeLayers(run: RunFile): string {
  const refs = new Set(Object.values(run.layers));
  if (refs.size <= 1) return run.implementation;
  return Object.entries(run.layers)
    .map(([layer, ref]) => `${layer}=${ref}`)
    .join(" ");
}

/** Whether the replay is the graded run: the same trace hash (and the same verdict). */
function hashCheck(run: RunFile, graded: RunOutcome | undefined): string {
  if (!graded?.traceHash) {
    return `<p id="hash-check" data-match="unknown" class="muted">Trace hash ${escapeHtml(run.traceHash)} (replayed on its own: no graded run to compare with).</p>`;
  }
  if (graded.traceHash === run.traceHash) {
    return `<p id="hash-check" data-match="yes" class="good">This is the graded run: the replay's trace hash ${escapeHtml(run.traceHash)} is the graded run's.</p>`;
  }
  return (
    `<p id="hash-check" data-match="no" class="bad">The replay's trace hash ${escapeHtml(run.traceHash)} differs from the graded run's ${escapeHtml(graded.traceHash)}: ` +
    `the implementation drew on something outside the simulation (real time, real randomness, state left over between runs), so this page shows a different execution than the one graded` +
    `${graded.status !== run.status ? ` (graded: ${escapeHtml(graded.status)}, replay: ${escapeHtml(run.status)})` : ""}. Try --check-determinism.</p>`
  );
}

function linearizabilitySection(run: RunFile, html: string | null): string {
  if (html === null) return "";
  return `<h2>Linearizability</h2>
<p class="muted">The checker's picture of the history that is not linearizable, with the run's partitions and crashes; <a href="${LINEARIZABILITY_FILE}">open it alone</a>.</p>
<iframe id="lin-frame" class="lin" title="linearizability picture" srcdoc="${escapeHtml(html)}"></iframe>`;
}
