// The run page's data and what the timeline, the message diagram and the log share. The data is
// run.json, embedded in the page; its columns are decoded here once (times are stored as deltas).
"use strict";
const RUN = JSON.parse(document.getElementById("run-data").textContent);
const REC = RUN.recorded;

// What became of each RPC: the names of the fate codes, from run.json (harness/sim/recorder.ts).
const FATES = REC.rpcs.fates;
const FATE = Object.fromEntries(FATES.map((name, code) => [name, code]));
const COLORS = {
  up: "#e6f2e1",
  down: "#5b5b5b",
  leader: "#f1c40f",
  connected: "#cfe3f5",
  isolated: "#e74c3c",
  commit: "#2c7be5",
  failure: "#c0392b",
  window: "#2c7be5",
  op: "#7d8b99",
  opErr: "#e67e22",
  request: "#2c7be5",
  reply: "#27ae60",
  dropped: "#e74c3c",
  late: "#e67e22",
  unreachable: "#95a5a6",
  died: "#8e44ad",
  gone: "#7f8c8d",
  pending: "rgba(127,140,141,0.45)",
  strike: "#d6336c",
};
// Colours of the sides of a partition, by which servers a server reaches.
const SIDE_COLORS = ["#9b59b6", "#16a085", "#d35400", "#c71585", "#8d6e63", "#556b2f", "#b8860b"];

function secs(ms, digits) {
  return (ms / 1000).toFixed(digits === undefined ? 3 : digits) + " s";
}

/** The RPC columns with absolute times (-1: never). */
const RPCS = (() => {
  const r = REC.rpcs;
  const n = r.id.length;
  const send = new Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) send[i] = t += r.send[i];
  const abs = (col) => col.map((o, i) => (o < 0 ? -1 : send[i] + o));
  return {
    n,
    id: r.id,
    from: r.from,
    to: r.to,
    method: r.method,
    methods: r.methods,
    bytes: r.bytes,
    replyBytes: r.replyBytes,
    args: r.args || [],
    reply: r.reply || [],
    fate: r.fate,
    send,
    arrive: abs(r.arrive),
    done: abs(r.done),
    end: abs(r.end),
  };
})();

/** Per node, the rows (indices) of a column set that concern it, in time order. */
function rowsByNode(cols) {
  const out = new Map();
  cols.t.forEach((t, i) => {
    if (!out.has(cols.node[i])) out.set(cols.node[i], []);
    out.get(cols.node[i]).push(i);
  });
  for (const rows of out.values()) rows.sort((a, b) => cols.t[a] - cols.t[b] || a - b);
  return out;
}

/** The last row (of `rows`, sorted by time) at or before t, or -1. */
function rowAt(cols, rows, t) {
  let lo = 0,
    hi = rows.length - 1,
    found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cols.t[rows[mid]] <= t) {
      found = rows[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const LIFE = rowsByNode(REC.life);
const REACH = rowsByNode(REC.reach);
const RAFT = REC.raft ? rowsByNode(REC.raft) : new Map();
const COMMIT = rowsByNode(REC.commit);

/** Is server `node` running at time t? */
function upAt(node, t) {
  const r = rowAt(REC.life, LIFE.get(node) || [], t);
  return r >= 0 && REC.life.up[r] === 1;
}

/** The servers (names) a reach mask names. */
function maskNames(mask) {
  return REC.servers.filter((_, bit) => mask & (1 << bit)).map((k) => REC.nodes[k]);
}

// One tooltip for the page.
const tip = document.getElementById("tip");
function showTip(text, x, y) {
  tip.textContent = text;
  tip.hidden = false;
  const w = tip.offsetWidth,
    h = tip.offsetHeight;
  tip.style.left = Math.min(x + 14, window.innerWidth - w - 4) + "px";
  tip.style.top = (y + 16 + h > window.innerHeight ? y - h - 8 : y + 16) + "px";
}
function hideTip() {
  tip.hidden = true;
}

/**
 * A canvas sized to its box at the screen's pixel ratio, cleared, with the pages' font: returns its
 * 2D context in CSS pixels, ready for a fresh drawing.
 */
function fitCanvas(canvas, height) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.parentElement.clientWidth;
  canvas.style.height = height + "px";
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  return { ctx, width, height };
}

/** Puts a lane's name next to a canvas, at vertical position y. */
function laneName(box, text, y, height, cls, data) {
  const div = document.createElement("div");
  div.className = cls;
  div.textContent = text;
  div.title = text;
  div.style.top = y + "px";
  div.style.height = height + "px";
  div.style.lineHeight = height + "px";
  for (const [k, v] of Object.entries(data || {})) div.dataset[k] = v;
  box.appendChild(div);
}

/** Axis ticks every "nice" step for a range of ms over `width` px. */
function ticks(t0, t1, width) {
  const span = Math.max(1, t1 - t0);
  const want = span / Math.max(1, width / 90);
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];
  const step = steps.find((s) => s >= want) || 100000;
  const out = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) out.push(t);
  return { step, list: out };
}

// The checker's picture (same origin, from srcdoc) gets the height of its content.
const linFrame = document.getElementById("lin-frame");
if (linFrame) {
  linFrame.addEventListener("load", () => {
    const doc = linFrame.contentDocument;
    if (doc && doc.body)
      linFrame.style.height = Math.min(2400, Math.max(200, doc.documentElement.scrollHeight + 24)) + "px";
  });
}

// The views talk through these: the timeline moves the message window, the log moves the cursor.
const VIEWS = { timeline: null, messages: null, log: null };
