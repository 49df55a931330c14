// The message diagram: the RPCs of a window of virtual time (by default the last 2 s before the
// run ended), one lane per server and per client; each request an arrow from sender to server,
// each reply an arrow back, coloured by what became of it. Hover an arrow for the RPC.
"use strict";
(() => {
  const AXIS = 20,
    LANE = 30,
    MAX_DRAWN = 5000,
    MAX_CLIENT_LANES = 12;
  const canvas = document.getElementById("msg-canvas");
  const names = document.getElementById("msg-names");
  const fromInput = document.getElementById("msg-from");
  const widthSelect = document.getElementById("msg-width");
  const methodSelect = document.getElementById("msg-method");
  const summary = document.getElementById("msg-summary");

  // Lanes: the servers, then the other nodes that sent or received RPCs (clerks), merged past a few.
  const laneOf = new Map();
  const laneNames = [];
  REC.servers.forEach((k) => {
    laneOf.set(k, laneNames.length);
    laneNames.push(REC.nodes[k]);
  });
  const others = [...new Set([...RPCS.from, ...RPCS.to])]
    .filter((k) => !laneOf.has(k))
    .sort((a, b) => REC.nodes[a].localeCompare(REC.nodes[b], "en", { numeric: true }));
  others.forEach((k, i) => {
    if (i < MAX_CLIENT_LANES - 1 || others.length === MAX_CLIENT_LANES) {
      laneOf.set(k, laneNames.length);
      laneNames.push(REC.nodes[k]);
    } else {
      if (i === MAX_CLIENT_LANES - 1) laneNames.push("other clients (" + (others.length - i) + ")");
      laneOf.set(k, laneNames.length - 1);
    }
  });
  const height = AXIS + laneNames.length * LANE + 4;
  laneNames.forEach((name, l) => laneName(names, name, AXIS + l * LANE + LANE / 2 - 9, 18, "msg-lane", {}));
  names.style.height = height + "px";

  RPCS.methods.forEach((m, i) => methodSelect.add(new Option(m, String(i))));

  const win = { t0: Math.max(0, REC.endMs - 2000), t1: REC.endMs };
  let width = 0;
  let drawn = [];

  const x = (t) => ((t - win.t0) / Math.max(1, win.t1 - win.t0)) * width;
  const laneY = (k) => AXIS + laneOf.get(k) * LANE + LANE / 2;

  function lastTime(i) {
    return RPCS.end[i] < 0 ? REC.endMs : Math.max(RPCS.end[i], RPCS.done[i], RPCS.arrive[i]);
  }

  function arrow(ctx, x0, y0, x1, y1, color, cross, dashed) {
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.setLineDash(dashed ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
    ctx.setLineDash([]);
    if (cross) {
      ctx.beginPath();
      ctx.moveTo(x1 - 3, y1 - 3);
      ctx.lineTo(x1 + 3, y1 + 3);
      ctx.moveTo(x1 + 3, y1 - 3);
      ctx.lineTo(x1 - 3, y1 + 3);
      ctx.stroke();
    } else if (!dashed) {
      const a = Math.atan2(y1 - y0, x1 - x0);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 6 * Math.cos(a - 0.4), y1 - 6 * Math.sin(a - 0.4));
      ctx.lineTo(x1 - 6 * Math.cos(a + 0.4), y1 - 6 * Math.sin(a + 0.4));
      ctx.fill();
    }
  }

  /** Draws one RPC; returns its segments (for hovering). */
  function drawRpc(ctx, i) {
    const f = RPCS.fate[i];
    const yFrom = laneY(RPCS.from[i]),
      yTo = laneY(RPCS.to[i]);
    const mid = (yFrom + yTo) / 2;
    const xs = x(RPCS.send[i]);
    const segs = [];
    const seg = (x0, y0, x1, y1, color, cross, dashed) => {
      arrow(ctx, x0, y0, x1, y1, color, cross, dashed);
      segs.push([x0, y0, x1, y1]);
    };
    const endX = RPCS.end[i] >= 0 ? x(RPCS.end[i]) : x(Math.min(win.t1, REC.endMs));
    if (RPCS.arrive[i] >= 0) seg(xs, yFrom, x(RPCS.arrive[i]), yTo, COLORS.request, false, false);
    else if (f === FATE["request dropped"]) seg(xs, yFrom, endX, mid, COLORS.dropped, true, false);
    else if (f === FATE["peer unreachable"]) seg(xs, yFrom, endX, mid, COLORS.unreachable, true, false);
    else if (f === FATE["caller crashed"]) seg(xs, yFrom, endX, mid, COLORS.gone, true, false);
    else seg(xs, yFrom, endX, mid, COLORS.pending, false, true);
    if (RPCS.done[i] >= 0) {
      const xd = x(RPCS.done[i]);
      if (f === FATE.delivered) seg(xd, yTo, endX, yFrom, COLORS.reply, false, false);
      else if (f === FATE.late) seg(xd, yTo, endX, yFrom, COLORS.late, false, false);
      else if (f === FATE["reply dropped"]) seg(xd, yTo, endX, mid, COLORS.dropped, true, false);
      else if (f === FATE["caller crashed"]) seg(xd, yTo, endX, mid, COLORS.gone, true, false);
      else seg(xd, yTo, endX, mid, COLORS.pending, false, true);
    } else if (RPCS.arrive[i] >= 0 && f === FATE["no reply"]) {
      seg(x(RPCS.arrive[i]), yTo, endX, yTo, COLORS.died, true, false);
    }
    return segs;
  }

  function draw() {
    const fit = fitCanvas(canvas, height);
    const ctx = fit.ctx;
    width = fit.width;
    ctx.lineWidth = 1;
    // Lanes and axis.
    ctx.strokeStyle = "#d8dde3";
    laneNames.forEach((_, l) => {
      const y = AXIS + l * LANE + LANE / 2 + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(width, y);
      ctx.stroke();
    });
    ctx.fillStyle = "#66707a";
    for (const t of ticks(win.t0, win.t1, width).list) {
      const px = Math.round(x(t)) + 0.5;
      ctx.fillRect(px, AXIS - 5, 1, 4);
      ctx.fillText(secs(t), px + 2, 11);
    }
    // Crashed servers: a grey band over their lane.
    REC.servers.forEach((k) => {
      const rows = LIFE.get(k) || [];
      rows.forEach((r, j) => {
        if (REC.life.up[r]) return;
        const a = Math.max(win.t0, REC.life.t[r]),
          b = Math.min(win.t1, j + 1 < rows.length ? REC.life.t[rows[j + 1]] : REC.endMs);
        if (b <= a && !(b === a && a === REC.endMs)) return;
        ctx.fillStyle = "rgba(91,91,91,0.25)";
        ctx.fillRect(x(a), laneY(k) - 8, Math.max(1, x(b) - x(a)), 16);
      });
    });

    const method = methodSelect.value === "" ? -1 : Number(methodSelect.value);
    const counts = new Array(FATES.length).fill(0);
    let inWindow = 0;
    drawn = [];
    for (let i = 0; i < RPCS.n; i++) {
      if (RPCS.send[i] > win.t1 || lastTime(i) < win.t0) continue;
      if (method >= 0 && RPCS.method[i] !== method) continue;
      inWindow++;
      counts[RPCS.fate[i]]++;
      if (drawn.length < MAX_DRAWN) drawn.push({ i, segs: drawRpc(ctx, i) });
    }
    if (RPCS.n > 0 && REC.endMs >= win.t0 && REC.endMs <= win.t1 && RUN.status === "failed") {
      ctx.fillStyle = COLORS.failure;
      ctx.fillRect(Math.min(width - 2, x(REC.endMs)), AXIS - 6, 2, height);
    }

    const parts = FATES.map((name, f) => (counts[f] ? counts[f] + " " + name : "")).filter(Boolean);
    let text =
      inWindow +
      " RPC" +
      (inWindow === 1 ? "" : "s") +
      " from " +
      secs(win.t0) +
      " to " +
      secs(win.t1) +
      (parts.length ? ": " + parts.join(", ") : "");
    if (drawn.length < inWindow) text += " — only the first " + drawn.length + " are drawn: choose a shorter window";
    const firstKept = RPCS.n ? RPCS.send[0] : 0;
    if (REC.rpcs.total > RPCS.n && win.t0 < firstKept)
      text += " — RPCs before " + secs(firstKept) + " are not kept (see the notes above)";
    summary.textContent = text;
    Object.assign(summary.dataset, { count: inWindow, drawn: drawn.length });
    fromInput.value = (win.t0 / 1000).toFixed(3);
  }

  function setWindow(t0, t1) {
    win.t0 = Math.max(0, t0);
    win.t1 = Math.max(win.t0 + 1, t1);
    draw();
    if (VIEWS.timeline) VIEWS.timeline.redraw();
  }
  const span = () => Number(widthSelect.value) * 1000;

  // Defaults: the width select shows the default window's width.
  widthSelect.value = "2";
  fromInput.addEventListener("change", () =>
    setWindow(Number(fromInput.value) * 1000, Number(fromInput.value) * 1000 + span()),
  );
  widthSelect.addEventListener("change", () => setWindow(win.t1 - span(), win.t1));
  methodSelect.addEventListener("change", draw);
  document
    .getElementById("msg-prev")
    .addEventListener("click", () => setWindow(win.t0 - span() / 2, win.t0 - span() / 2 + span()));
  document
    .getElementById("msg-next")
    .addEventListener("click", () => setWindow(win.t0 + span() / 2, win.t0 + span() / 2 + span()));
  document.getElementById("msg-end").addEventListener("click", () => setWindow(REC.endMs - span(), REC.endMs));

  function distance(px, py, s) {
    const [x0, y0, x1, y1] = s;
    const dx = x1 - x0,
      dy = y1 - y0;
    const len = dx * dx + dy * dy;
    const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len));
    return Math.hypot(px - (x0 + u * dx), py - (y0 + u * dy));
  }
  function describe(i) {
    const t = (v) => (v < 0 ? "—" : secs(v));
    return (
      "#" +
      RPCS.id[i] +
      " " +
      RPCS.methods[RPCS.method[i]] +
      "  " +
      REC.nodes[RPCS.from[i]] +
      " → " +
      REC.nodes[RPCS.to[i]] +
      "\n" +
      FATES[RPCS.fate[i]] +
      " · " +
      RPCS.bytes[i] +
      " bytes" +
      (RPCS.replyBytes[i] ? ", reply " + RPCS.replyBytes[i] + " bytes" : "") +
      (RPCS.args[i] ? "\nargs: " + RPCS.args[i] : "") +
      (RPCS.reply[i] ? "\nreply: " + RPCS.reply[i] : "") +
      "\n" +
      "sent " +
      t(RPCS.send[i]) +
      " · at the server " +
      t(RPCS.arrive[i]) +
      " · replied " +
      t(RPCS.done[i]) +
      " · ended " +
      t(RPCS.end[i])
    );
  }
  canvas.addEventListener("mousemove", (e) => {
    const b = canvas.getBoundingClientRect();
    const px = e.clientX - b.left,
      py = e.clientY - b.top;
    let best = null,
      bestD = 6;
    for (const d of drawn) {
      for (const s of d.segs) {
        const dist = distance(px, py, s);
        if (dist < bestD) {
          bestD = dist;
          best = d.i;
        }
      }
    }
    if (best === null) showTip(secs(win.t0 + (px / width) * (win.t1 - win.t0)), e.clientX, e.clientY);
    else showTip(describe(best), e.clientX, e.clientY);
  });
  canvas.addEventListener("mouseleave", hideTip);
  window.addEventListener("resize", draw);

  VIEWS.messages = {
    window: () => [win.t0, win.t1],
    centerAt: (t) => setWindow(t - span() / 2, t + span() / 2),
  };
  draw();
})();
