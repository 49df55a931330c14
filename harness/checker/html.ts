/**
 * The visual report: one self-contained HTML page (inline CSS, SVG and script; nothing fetched)
 * that shows where a history stops being linearizable.
 *
 * Each partition is drawn as one lane per client on a time axis, each operation a box from its
 * call to its return. Times are replaced by their rank, so that bursts and idle stretches take the
 * same room. On top: the longest partial linearization the checker found, as linearization points
 * joined in order, and in red the operations that real time allowed next but that could not be
 * linearized there. Hovering an operation shows the model state before and after it (and picks the
 * partial linearization that contains it); a click keeps the selection. Annotations (network
 * partitions, crashes, check intervals...) are drawn in their own lanes on the same axis.
 */
import type { Model, Operation } from "./model";
import type { CheckResult, PartitionResult } from "./check";

export interface Annotation {
  /** Time, in the history's unit. An annotation without `end` is a point in time. */
  start: number;
  end?: number;
  label: string;
  /** Any CSS colour (default grey). */
  color?: string;
  /** Longer text for the tooltip. */
  details?: string;
  /** Annotations with the same tag share a lane (default "events"). */
  tag?: string;
}

export interface RenderOptions {
  title?: string;
  /** Partial linearizations drawn per partition, longest first (default 8). */
  maxPartials?: number;
}

/** Horizontal room per time rank, lane height, left margin (px). */
const UNIT = 40;
const LANE = 26;
const LEFT = 6;

interface Drawn {
  /** The lane names (kept in view) and the lanes (scrolled). */
  names: string;
  svg: string;
  /**
   * Per linearization: its ops, the states (before the first op, then after each), and the ops
   * allowed next with the state each leads to (-1: rejected). States are indices into a table of
   * descriptions shared by the page, since partial linearizations share most of their prefixes.
   */
  lins: { ops: number[]; states: number[]; next: { op: number; after: number }[] }[];
  /** Per history index: the linearization to show on hover. */
  hover: Record<number, number>;
}

/** Descriptions of states, each stored once; long ones keep their start and their end. */
class StateTexts {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  add(text: string): number {
    if (text.length > 400) text = `${text.slice(0, 120)} … ${text.slice(-240)}`;
    let i = this.index.get(text);
    if (i === undefined) this.index.set(text, (i = this.list.push(text) - 1));
    return i;
  }
}

export function renderHtml<S, I, O>(
  result: CheckResult,
  history: readonly Operation<I, O>[],
  model: Model<S, I, O>,
  annotations: readonly Annotation[] = [],
  options: RenderOptions = {},
): string {
  const title = options.title ?? `linearizability: ${result.verdict}`;
  // Failing parts first: they are what the page is for.
  const order = result.partitions
    .map((p, i) => i)
    .sort((a, b) => rankOf(result.partitions[a]) - rankOf(result.partitions[b]) || a - b);
  const texts = new StateTexts();
  const drawn = order.map((i) => ({
    part: result.partitions[i],
    index: i,
    ...drawPartition(result.partitions[i], i, history, model, annotations, texts, options.maxPartials ?? 8),
  }));
  const ops = Object.fromEntries(
    drawn.flatMap((d) => d.part.ops.map((id) => [id, describe(history[id], model)] as const)),
  );
  const data = {
    ops,
    states: texts.list,
    parts: Object.fromEntries(drawn.map((d) => [d.index, { lins: d.lins, hover: d.hover }])),
  };

  const sections = drawn.map((d) => {
    const p = d.part;
    const failing = p.verdict !== "ok" && p.reason !== "stopped";
    const summary =
      `${escape(p.label)} — <b class="v-${p.verdict}">${p.verdict}</b>${p.reason ? ` (${REASONS[p.reason]})` : ""}, ${p.ops.length} operations` +
      (failing ? `; longest partial linearization: ${p.partials[0]?.length ?? 0} of ${p.ops.length}` : "");
    const jump =
      failing && d.lins.some((l) => l.next.length > 0)
        ? ` <a class="jump" href="#first-${d.index}">jump to the first red operation</a>`
        : "";
    return `<details id="part-${d.index}"${failing ? " open" : ""}><summary>${summary}${jump}</summary><div class="row">${d.names}<div class="scroll">${d.svg}</div></div></details>`;
  });

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${escape(title)}</h1>
<p class="verdict">Verdict: <b class="v-${result.verdict}">${result.verdict}</b>${result.reason ? ` (${result.reason})` : ""} · model ${escape(model.name)} · ${history.length} operations in ${result.partitions.length} partition(s) · checked in ${result.ms.toFixed(1)} ms</p>
<p class="legend"><span class="key lp"></span> linearization point, in order · <span class="key bad"></span> allowed next by real time, rejected by the model · <span class="key dead"></span> accepted, but nothing linearizes after it · hover an operation for the states, click to keep the selection</p>
<p class="zoom">zoom <button id="zoom-out" title="narrower: more of the time axis">−</button><button id="zoom-in" title="wider: more detail">+</button><button id="zoom-fit" title="the whole history in the width of the page">whole history</button><button id="zoom-reset" title="back to full size">full size</button> <span id="zoom-level">100%</span> · drag the lanes sideways to move along the time axis</p>
${sections.join("\n")}
<div id="tip" hidden></div>
<script type="application/json" id="data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

/** Page order: illegal parts, then unfinished ones, then ok ones, then those never finished because another was illegal. */
function rankOf(p: PartitionResult): number {
  return p.verdict === "illegal" ? 0 : p.reason === "stopped" ? 3 : p.verdict === "unknown" ? 1 : 2;
}

function describe<I, O>(op: Operation<I, O>, model: Model<unknown, I, O>) {
  return {
    text: model.describeOperation(op.input, op.output),
    client: op.clientId,
    call: formatTime(op.call),
    ret: formatTime(op.return),
  };
}

/** The SVG of one partition and the data its script needs. */
function drawPartition<S, I, O>(
  part: PartitionResult,
  index: number,
  history: readonly Operation<I, O>[],
  model: Model<S, I, O>,
  annotations: readonly Annotation[],
  texts: StateTexts,
  maxPartials: number,
): Drawn {
  // The axis: every distinct time of the part and of the annotations, by rank.
  const times = [
    ...new Set([
      ...part.ops.flatMap((i) => [history[i].call, history[i].return]),
      ...annotations.flatMap((a) => (a.end === undefined ? [a.start] : [a.start, a.end])),
    ]),
  ].sort((a, b) => a - b);
  const rank = new Map(times.map((t, r) => [t, r]));
  const x = (t: number) => LEFT + rank.get(t)! * UNIT + UNIT / 2;

  const tags = [...new Set(annotations.map((a) => a.tag ?? "events"))];
  const clients = [...new Set(part.ops.map((i) => history[i].clientId))].sort((a, b) => a - b);
  const laneOf = new Map(clients.map((c, k) => [c, tags.length + k]));
  const y = (lane: number) => 24 + lane * LANE;
  const width = LEFT + times.length * UNIT + UNIT;
  const height = y(tags.length + clients.length) + 8;
  const out: string[] = [];

  // Lanes, axis ticks, annotations.
  const names = [
    ...tags.map((tag, k) => [tag, y(k)] as const),
    ...clients.map((c) => [`client ${c}`, y(laneOf.get(c)!)] as const),
  ];
  const nameSvg = `<svg class="names" width="100" height="${height}">${names.map(([name, top]) => `<text class="lane" x="4" y="${top + 16}">${escape(name)}</text>`).join("")}</svg>`;
  const every = Math.max(1, Math.ceil(times.length / 40));
  times.forEach((t, r) => {
    if (r % every === 0) out.push(`<text class="tick" x="${x(t)}" y="12">${escape(formatTime(t))}</text>`);
  });
  annotations.forEach((a) => {
    const lane = tags.indexOf(a.tag ?? "events");
    const color = escape(a.color ?? "#888");
    const tip = escape(
      `${a.label}${a.details ? `\n${a.details}` : ""}\n${formatTime(a.start)}${a.end !== undefined ? ` – ${formatTime(a.end)}` : ""}`,
    );
    if (a.end === undefined) {
      out.push(
        `<g class="ann" data-tip="${tip}"><line x1="${x(a.start)}" x2="${x(a.start)}" y1="${y(lane)}" y2="${height}" stroke="${color}" stroke-dasharray="4 3"/><text x="${x(a.start) + 3}" y="${y(lane) + 16}" fill="${color}">${escape(a.label)}</text></g>`,
      );
    } else {
      const x0 = x(a.start) - UNIT / 2,
        w = x(a.end) - x(a.start) + UNIT;
      out.push(
        `<g class="ann" data-tip="${tip}"><rect class="band" x="${x0}" y="${y(lane)}" width="${w}" height="${height - y(lane)}" fill="${color}"/><rect x="${x0}" y="${y(lane) + 3}" width="${w}" height="${LANE - 6}" fill="${color}" rx="3"/><text x="${x0 + 4}" y="${y(lane) + 16}">${escape(fit(a.label, w))}</text></g>`,
      );
    }
  });

  // Operations.
  for (const id of part.ops) {
    const op = history[id];
    const x0 = x(op.call) - UNIT / 2 + 2,
      w = Math.max(8, x(op.return) - x(op.call) + UNIT - 4);
    const top = y(laneOf.get(op.clientId)!) + 3;
    out.push(
      `<g class="op" data-p="${index}" data-op="${id}"><rect x="${x0}" y="${top}" width="${w}" height="${LANE - 6}" rx="3"/><text x="${x0 + 4}" y="${top + 14}">${escape(fit(model.describeOperation(op.input, op.output), w))}</text></g>`,
    );
  }

  // Linearizations: the complete one for an ok part; otherwise the longest partial ones.
  const chosen =
    part.verdict === "ok" && part.linearization
      ? [part.linearization]
      : part.reason === "stopped"
        ? []
        : part.partials.slice(0, maxPartials);
  if (part.verdict === "illegal" && chosen.length === 0) chosen.push([]); // not even a first step works
  const lins = chosen.map((ops) => replay(ops, part, history, model, texts));
  const hover: Record<number, number> = {};
  lins.forEach((lin, l) => {
    for (const id of lin.ops) if (!(id in hover)) hover[id] = l;
  });
  lins.forEach((lin, l) => {
    for (const n of lin.next) if (!(n.op in hover)) hover[n.op] = l;
  });
  lins.forEach((lin, l) =>
    out.push(drawLinearization(lin, l, index, history, x, (id) => y(laneOf.get(history[id].clientId)!))),
  );

  return {
    names: nameSvg,
    svg: `<svg class="lanes" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" data-p="${index}">${out.join("")}</svg>`,
    lins,
    hover,
  };
}

/**
 * Replays a linearization through the model for the state descriptions, and finds the operations
 * real time allows next: not linearized, called no later than the earliest return among those left.
 */
function replay<S, I, O>(
  ops: number[],
  part: PartitionResult,
  history: readonly Operation<I, O>[],
  model: Model<S, I, O>,
  texts: StateTexts,
): Drawn["lins"][number] {
  let state = model.init();
  const states = [texts.add(model.describeState(state))];
  let usable = ops.length;
  for (let k = 0; k < ops.length; k++) {
    const op = history[ops[k]];
    const step = model.step(state, op.input, op.output);
    if (!step.legal) {
      // Cannot happen with a pure model; shown rather than thrown (porcupine panics here).
      states.push(texts.add("⟨the model no longer accepts this step: is it deterministic?⟩"));
      usable = k;
      break;
    }
    state = step.next;
    states.push(texts.add(model.describeState(state)));
  }
  const done = new Set(ops);
  const left = part.ops.filter((id) => !done.has(id));
  const firstReturn = Math.min(...left.map((id) => history[id].return));
  const next =
    usable < ops.length
      ? []
      : left
          .filter((id) => history[id].call <= firstReturn)
          .map((id) => {
            const step = model.step(state, history[id].input, history[id].output);
            return { op: id, after: step.legal ? texts.add(model.describeState(step.next)) : -1 };
          });
  return { ops, states, next };
}

function drawLinearization(
  lin: Drawn["lins"][number],
  l: number,
  part: number,
  history: readonly Operation[],
  x: (t: number) => number,
  laneY: (id: number) => number,
): string {
  // Each point sits in its operation's box, no earlier than the previous point.
  const out: string[] = [];
  const points: string[] = [];
  let at = -Infinity;
  let same = 0;
  for (const id of lin.ops) {
    const call = x(history[id].call);
    same = call > at ? 0 : same + 1;
    at = Math.max(at, call);
    const px = Math.min(at + Math.min(same * 3, UNIT / 2 - 2), x(history[id].return) + UNIT / 2 - 3);
    const py = laneY(id) + LANE / 2;
    points.push(`${px},${py}`);
    out.push(`<line class="lp" x1="${px}" x2="${px}" y1="${py - 9}" y2="${py + 9}"/>`);
  }
  if (points.length > 1) out.unshift(`<polyline class="path" points="${points.join(" ")}"/>`);
  lin.next.forEach((n, k) => {
    const px = Math.max(at, x(history[n.op].call));
    const py = laneY(n.op) + LANE / 2;
    const id = l === 0 && k === 0 ? ` id="first-${part}"` : "";
    out.push(
      `<g class="${n.after < 0 ? "bad" : "dead"}"${id}><line x1="${px - 5}" x2="${px + 5}" y1="${py - 5}" y2="${py + 5}"/><line x1="${px - 5}" x2="${px + 5}" y1="${py + 5}" y2="${py - 5}"/></g>`,
    );
  });
  return `<g class="lin${l === 0 ? " shown" : ""}" data-l="${l}">${out.join("")}</g>`;
}

const REASONS = {
  timeout: "out of time",
  memory: "out of memory",
  stopped: "not searched to the end: another partition is illegal",
};

/** Clips a label to the room a box gives it (about 6.5 px a character). */
function fit(text: string, width: number): string {
  const room = Math.floor((width - 8) / 6.5);
  if (text.length <= room) return text;
  return room <= 1 ? "" : `${text.slice(0, room - 1)}…`;
}

function formatTime(t: number): string {
  return Number.isFinite(t) ? String(t) : "∞";
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON that is safe inside a script element: no "</script>" or "<!--" can appear. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const CSS = `
body { font: 13px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 6px; }
.v-ok { color: #1a7f37; } .v-illegal { color: #c62828; } .v-unknown { color: #b26a00; }
details { margin: 10px 0; border: 1px solid #ddd; border-radius: 4px; }
summary { padding: 6px 8px; cursor: pointer; background: #f6f6f6; }
.row { display: flex; } .names { flex: none; border-right: 1px solid #eee; } .scroll { overflow-x: auto; cursor: grab; }
.scroll.dragging { cursor: grabbing; user-select: none; } .zoom button { margin-left: 4px; }
svg.lanes * { vector-effect: non-scaling-stroke; } .overview svg.lanes text { display: none; }
svg text { font: 11px ui-monospace, monospace; }
text.lane { fill: #555; } text.tick { fill: #999; text-anchor: middle; font-size: 9px; }
.op rect { fill: #e3ecf7; stroke: #7a9cc6; } .op:hover rect, .op.sel rect { fill: #ffe9a8; stroke: #c9a227; }
.op text { pointer-events: none; }
.ann rect.band { opacity: .08; } .ann rect { opacity: .5; } .ann text { fill: #222; }
.lin { display: none; } .lin.shown { display: inline; }
.lp { stroke: #111; stroke-width: 2; } .path { fill: none; stroke: #111; stroke-width: 1; opacity: .5; }
.bad line { stroke: #d32f2f; stroke-width: 3; } .dead line { stroke: #ef8f00; stroke-width: 3; }
.legend .key { display: inline-block; width: 14px; height: 10px; margin: 0 3px 0 8px; }
.key.lp { border-left: 2px solid #111; } .key.bad { background: #d32f2f; } .key.dead { background: #ef8f00; }
#tip { position: fixed; background: #fffbe6; border: 1px solid #c9a227; padding: 6px 8px; white-space: pre-wrap; max-width: 560px; font: 12px ui-monospace, monospace; pointer-events: none; }
`;

/**
 * Hover: pick the partial linearization that contains the operation (else the one it failed after)
 * and show the states around it. Click keeps the selection; a click elsewhere releases it.
 */
const SCRIPT = `
const data = JSON.parse(document.getElementById("data").textContent);
const tip = document.getElementById("tip");
let pinned = null;
function select(svg, l) {
  for (const g of svg.querySelectorAll(".lin")) g.classList.toggle("shown", g.dataset.l === String(l));
}
function describe(p, op) {
  const o = data.ops[op], part = data.parts[p], l = part.hover[op];
  let text = o.text + "\\nclient " + o.client + " · call " + o.call + " · return " + o.ret;
  if (l === undefined) return text + "\\n(not in any partial linearization shown)";
  const lin = part.lins[l], k = lin.ops.indexOf(op);
  const state = (i) => data.states[i] ?? "?";
  if (k >= 0) return text + "\\nstep " + (k + 1) + " of " + lin.ops.length + "\\nbefore: " + state(lin.states[k]) + "\\nafter:  " + state(lin.states[k + 1]);
  const n = lin.next.find((x) => x.op === op);
  if (!n) return text + "\\n(not reached by this partial linearization)";
  return text + "\\nnot linearizable after step " + lin.ops.length + "\\nbefore: " + state(lin.states[lin.states.length - 1]) +
    "\\nafter:  " + (n.after >= 0 ? state(n.after) + "  (accepted, but nothing linearizes after it)" : "⟨rejected by the model⟩");
}
document.addEventListener("mouseover", (e) => {
  const g = e.target.closest(".op, .ann");
  if (!g) { if (!pinned) tip.hidden = true; return; }
  if (pinned) return;
  if (g.classList.contains("op")) {
    const l = data.parts[g.dataset.p].hover[g.dataset.op];
    if (l !== undefined) select(g.closest("svg"), l);
    tip.textContent = describe(g.dataset.p, Number(g.dataset.op));
  } else tip.textContent = g.dataset.tip;
  tip.hidden = false;
});
document.addEventListener("mousemove", (e) => {
  if (pinned) return;
  tip.style.left = Math.min(e.clientX + 14, innerWidth - 580) + "px";
  tip.style.top = (e.clientY + 14) + "px";
});
// Zoom on the time axis only: the lanes keep their height, operations get narrower, and below
// 60% their labels are hidden (they would not fit); 100% is full detail.
let zoom = 1;
function setZoom(z) {
  zoom = Math.min(1, Math.max(0.0005, z));
  for (const svg of document.querySelectorAll("svg.lanes")) {
    const w = Number(svg.getAttribute("viewBox").split(" ")[2]);
    svg.setAttribute("width", String(w * zoom));
  }
  document.body.classList.toggle("overview", zoom < 0.6);
  document.getElementById("zoom-level").textContent = (zoom < 0.1 ? (zoom * 100).toFixed(1) : Math.round(zoom * 100)) + "%";
}
document.getElementById("zoom-in").onclick = () => setZoom(zoom * 1.5);
document.getElementById("zoom-out").onclick = () => setZoom(zoom / 1.5);
document.getElementById("zoom-reset").onclick = () => setZoom(1);
document.getElementById("zoom-fit").onclick = () => {
  let widest = 0, room = Infinity;
  for (const scroll of document.querySelectorAll("details[open] .scroll")) {
    widest = Math.max(widest, Number(scroll.querySelector("svg").getAttribute("viewBox").split(" ")[2]));
    room = Math.min(room, scroll.clientWidth);
  }
  if (widest > 0 && room < Infinity) setZoom(Math.min(1, room / widest));
};
// Pan: drag the lanes sideways.
let drag = null;
document.addEventListener("mousedown", (e) => {
  const scroll = e.target.closest(".scroll");
  if (!scroll || e.button !== 0) return;
  drag = { scroll, x: e.clientX, left: scroll.scrollLeft, moved: false };
});
document.addEventListener("mousemove", (e) => {
  if (!drag) return;
  if (Math.abs(e.clientX - drag.x) > 3) { drag.moved = true; drag.scroll.classList.add("dragging"); }
  drag.scroll.scrollLeft = drag.left - (e.clientX - drag.x);
});
document.addEventListener("mouseup", () => {
  if (drag) drag.scroll.classList.remove("dragging");
  setTimeout(() => (drag = null));
});
/** Brings a part's first red operation into the middle of its lanes' view. */
function showFirstRed(mark) {
  select(mark.closest("svg"), 0);
  const scroll = mark.closest(".scroll");
  const box = mark.getBoundingClientRect(), view = scroll.getBoundingClientRect();
  scroll.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
  mark.scrollIntoView({ block: "center", inline: "nearest" });
}
// On opening: the first failing part's first red operation is in view.
const firstRed = document.querySelector("details[open] [id^=first-]");
if (firstRed) showFirstRed(firstRed);
document.addEventListener("click", (e) => {
  if (drag && drag.moved) return; // the end of a drag, not a click
  const jump = e.target.closest("a.jump");
  if (jump) {
    e.preventDefault();
    showFirstRed(document.getElementById(jump.getAttribute("href").slice(1)));
    return;
  }
  if (pinned) pinned.classList.remove("sel");
  const g = e.target.closest(".op");
  pinned = g && g !== pinned ? g : null;
  if (pinned) pinned.classList.add("sel"); else tip.hidden = true;
});
`;
