// The timeline: one lane per server over the run's virtual time (a stripe for whom it reaches, the
// body up or crashed, gold while it claims leadership, its term at each change, its applied index
// as a step line), then the clients' operations from call to return. Drag to zoom, click to move
// the message diagram's window there, hover for the state at that instant.
"use strict";
(() => {
  const AXIS = 20,
    LANE = 42,
    CLIENT = 14,
    MAX_CLIENT_LANES = 20;
  const canvas = document.getElementById("timeline-canvas");
  const names = document.getElementById("timeline-names");
  const servers = REC.servers;
  const fullMask = (1 << servers.length) - 1;
  const clients = [...new Set(REC.ops.client)].sort((a, b) => a - b);
  const clientLanes = Math.min(clients.length, MAX_CLIENT_LANES);
  const clientLane = (c) => Math.min(clients.indexOf(c), MAX_CLIENT_LANES - 1);
  const clientTop = AXIS + servers.length * LANE + 8;
  const height = clientTop + clientLanes * CLIENT + 6;
  const maxCommit = Math.max(1, ...REC.commit.index);
  const view = { t0: 0, t1: Math.max(1, REC.endMs) };
  /** The log lines of nemesis strikes and scheduler holds, by index. */
  const STRIKES = REC.log.text.flatMap((text, i) => (/^(nemesis|scheduler): /.test(text) ? [i] : []));
  let width = 0;
  let drag = null;
  let cursor = null;

  const x = (t) => ((t - view.t0) / (view.t1 - view.t0)) * width;
  const timeAt = (px) => view.t0 + (px / width) * (view.t1 - view.t0);

  // Lane names, in the DOM (so they can be read and searched).
  servers.forEach((k, s) =>
    laneName(names, REC.nodes[k], AXIS + s * LANE, LANE - 4, "tl-lane server", { node: REC.nodes[k] }),
  );
  for (let c = 0; c < clientLanes; c++) {
    const label =
      c === MAX_CLIENT_LANES - 1 && clients.length > MAX_CLIENT_LANES
        ? "clients " + clients[c] + "+"
        : "client " + clients[c];
    laneName(names, label, clientTop + c * CLIENT, CLIENT, "tl-lane client", {});
  }
  names.style.height = height + "px";

  function sideColor(mask) {
    if (mask === fullMask) return COLORS.connected;
    if ((mask & (mask - 1)) === 0) return COLORS.isolated;
    return SIDE_COLORS[mask % SIDE_COLORS.length];
  }

  /** Calls fn(from, to, row) for each stretch between a node's rows, clipped to the view. */
  function stretches(cols, rows, fn) {
    for (let i = 0; i < rows.length; i++) {
      const from = cols.t[rows[i]];
      const to = i + 1 < rows.length ? cols.t[rows[i + 1]] : REC.endMs;
      if (to < view.t0 || from > view.t1) continue;
      fn(Math.max(from, view.t0), Math.min(to, view.t1), rows[i]);
    }
  }

  function rect(ctx, color, t0, t1, y, h) {
    const x0 = Math.floor(x(t0)),
      x1 = Math.max(x0 + 1, Math.round(x(t1)));
    ctx.fillStyle = color;
    ctx.fillRect(x0, y, x1 - x0, h);
  }

  function draw() {
    const fit = fitCanvas(canvas, height);
    const ctx = fit.ctx;
    width = fit.width;

    // Axis.
    ctx.fillStyle = "#66707a";
    ctx.strokeStyle = "#eef0f2";
    for (const t of ticks(view.t0, view.t1, width).list) {
      const px = Math.round(x(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(px, AXIS - 4);
      ctx.lineTo(px, height);
      ctx.stroke();
      ctx.fillText(secs(t, t % 1000 === 0 ? 0 : 2), px + 2, 12);
    }

    // Strikes of a nemesis and holds of the scheduler (the parts beyond the lab): a mark on the axis.
    ctx.fillStyle = COLORS.strike;
    for (const i of STRIKES) {
      const t = REC.log.t[i];
      if (t < view.t0 || t > view.t1) continue;
      const px = x(t);
      ctx.beginPath();
      ctx.moveTo(px - 4, AXIS - 7);
      ctx.lineTo(px + 4, AXIS - 7);
      ctx.lineTo(px, AXIS);
      ctx.fill();
    }

    servers.forEach((k, s) => {
      const y = AXIS + s * LANE;
      stretches(REC.life, LIFE.get(k) || [], (a, b, r) => {
        if (REC.life.up[r]) rect(ctx, COLORS.up, a, b, y + 8, 18);
      });
      stretches(REC.reach, REACH.get(k) || [], (a, b, r) => rect(ctx, sideColor(REC.reach.mask[r]), a, b, y, 6));
      if (REC.raft) {
        const rows = RAFT.get(k) || [];
        stretches(REC.raft, rows, (a, b, r) => {
          if (REC.raft.leader[r]) rect(ctx, COLORS.leader, a, b, y + 8, 18);
        });
        // The term at each change, where there is room.
        ctx.fillStyle = "#1d232a";
        let lastX = -100,
          lastTerm = -1;
        for (const r of rows) {
          const term = REC.raft.term[r];
          if (term === lastTerm) continue;
          lastTerm = term;
          const px = x(REC.raft.t[r]);
          if (px < 0 || px > width || px - lastX < 24) continue;
          ctx.fillText("t" + term, px + 2, y + 21);
          lastX = px;
        }
      }
      // Crashed: over everything else of the lane.
      stretches(REC.life, LIFE.get(k) || [], (a, b, r) => {
        if (!REC.life.up[r]) rect(ctx, COLORS.down, a, b, y, 26);
      });
      // Applied index, a step line under the lane.
      const rows = COMMIT.get(k) || [];
      if (rows.length) {
        ctx.strokeStyle = COLORS.commit;
        ctx.beginPath();
        let prevY = null;
        stretches(REC.commit, rows, (a, b, r) => {
          const cy = y + 38 - (REC.commit.index[r] / maxCommit) * 9;
          if (prevY === null) ctx.moveTo(x(a), cy);
          else ctx.lineTo(x(a), cy);
          ctx.lineTo(x(b), cy);
          prevY = cy;
        });
        ctx.stroke();
      }
    });

    // Clients' operations.
    const ops = REC.ops;
    for (let i = 0; i < ops.call.length; i++) {
      if (ops.ret[i] < view.t0 || ops.call[i] > view.t1) continue;
      const y = clientTop + clientLane(ops.client[i]) * CLIENT + 2;
      rect(
        ctx,
        /Err/.test(ops.text[i]) ? COLORS.opErr : COLORS.op,
        Math.max(ops.call[i], view.t0),
        Math.min(ops.ret[i], view.t1),
        y,
        CLIENT - 4,
      );
    }

    // The message diagram's window, the failure, the cursor, a selection being dragged.
    const win = VIEWS.messages && VIEWS.messages.window();
    if (win && win[1] >= view.t0 && win[0] <= view.t1) {
      // A band on the axis and two edges, so that the lanes keep their colours.
      rect(ctx, COLORS.window, Math.max(win[0], view.t0), Math.min(win[1], view.t1), AXIS - 6, 6);
      ctx.fillStyle = COLORS.window;
      for (const t of win) if (t >= view.t0 && t <= view.t1) ctx.fillRect(Math.round(x(t)), AXIS - 6, 1, height);
    }
    if (RUN.status === "failed" && REC.endMs >= view.t0 && REC.endMs <= view.t1) {
      ctx.fillStyle = COLORS.failure;
      ctx.fillRect(Math.min(width - 2, Math.round(x(REC.endMs))), AXIS - 6, 2, height);
    }
    if (cursor !== null && cursor >= view.t0 && cursor <= view.t1) {
      ctx.fillStyle = "#1d232a";
      ctx.fillRect(Math.round(x(cursor)), AXIS - 6, 1, height);
    }
    if (drag && drag.moved) {
      ctx.fillStyle = "rgba(0,0,0,0.12)";
      ctx.fillRect(Math.min(drag.x0, drag.x1), AXIS, Math.abs(drag.x1 - drag.x0), height - AXIS);
    }
    document.getElementById("timeline-range").textContent = secs(view.t0) + " – " + secs(view.t1);
  }

  /** What the lane under the mouse shows at time t. */
  function describe(t, py) {
    const s = Math.floor((py - AXIS) / LANE);
    if (py >= AXIS && s < servers.length) {
      const k = servers[s];
      const lines = [REC.nodes[k] + " at " + secs(t), upAt(k, t) ? "running" : "not running"];
      if (REC.raft) {
        const r = rowAt(REC.raft, RAFT.get(k) || [], t);
        if (r >= 0)
          lines.push("term " + REC.raft.term[r] + (REC.raft.leader[r] ? ", claims leadership" : ", not leader"));
      }
      const c = rowAt(REC.commit, COMMIT.get(k) || [], t);
      lines.push("applied index " + (c >= 0 ? REC.commit.index[c] : 0));
      const m = rowAt(REC.reach, REACH.get(k) || [], t);
      if (m >= 0)
        lines.push(
          "reaches " + (REC.reach.mask[m] === fullMask ? "every server" : maskNames(REC.reach.mask[m]).join(", ")),
        );
      return lines.join("\n");
    }
    const lane = Math.floor((py - clientTop) / CLIENT);
    if (py >= clientTop && lane < clientLanes) {
      const slack = (view.t1 - view.t0) * (3 / width);
      const ops = REC.ops;
      for (let i = ops.call.length - 1; i >= 0; i--) {
        if (clientLane(ops.client[i]) === lane && ops.call[i] - slack <= t && t <= ops.ret[i] + slack) {
          return (
            "client " +
            ops.client[i] +
            ": " +
            ops.text[i] +
            "\ncalled " +
            secs(ops.call[i]) +
            ", returned " +
            secs(ops.ret[i])
          );
        }
      }
    }
    return secs(t);
  }

  const local = (e) => {
    const b = canvas.getBoundingClientRect();
    return { px: e.clientX - b.left, py: e.clientY - b.top };
  };
  canvas.addEventListener("mousedown", (e) => {
    const p = local(e);
    drag = { x0: p.px, x1: p.px, moved: false };
  });
  canvas.addEventListener("mousemove", (e) => {
    const p = local(e);
    if (drag) {
      drag.x1 = p.px;
      drag.moved = drag.moved || Math.abs(drag.x1 - drag.x0) > 4;
      draw();
      return;
    }
    showTip(describe(timeAt(p.px), p.py), e.clientX, e.clientY);
  });
  canvas.addEventListener("mouseleave", hideTip);
  window.addEventListener("mouseup", () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.moved) {
      const a = timeAt(Math.min(d.x0, d.x1)),
        b = timeAt(Math.max(d.x0, d.x1));
      if (b - a >= 1) Object.assign(view, { t0: a, t1: b });
    } else if (VIEWS.messages) {
      VIEWS.messages.centerAt(timeAt(d.x0));
    }
    draw();
  });
  document.getElementById("timeline-all").addEventListener("click", () => {
    Object.assign(view, { t0: 0, t1: Math.max(1, REC.endMs) });
    draw();
  });
  document.getElementById("timeline-window").addEventListener("click", () => {
    const win = VIEWS.messages && VIEWS.messages.window();
    if (win) Object.assign(view, { t0: win[0], t1: Math.max(win[0] + 1, win[1]) });
    draw();
  });
  window.addEventListener("resize", draw);

  // Facts the page states in words (and the tests read): crashes and cut-off servers before the end.
  const crashes = REC.life.t.filter((t, r) => !REC.life.up[r] && t < REC.endMs).length;
  let partitions = 0;
  REC.reach.t.forEach((t, r) => {
    const k = REC.reach.node[r];
    if (!upAt(k, t) || t >= REC.endMs) return;
    const missing = REC.servers.some((j, bit) => j !== k && upAt(j, t) && !(REC.reach.mask[r] & (1 << bit)));
    if (missing) partitions++;
  });
  const leaderChanges = REC.raft ? REC.raft.leader.filter((l) => l === 1).length : 0;
  const summary = document.getElementById("timeline-summary");
  Object.assign(summary.dataset, {
    servers: servers.length,
    crashes,
    partitions,
    clients: clients.length,
    ops: REC.ops.call.length,
    strikes: STRIKES.length,
  });
  summary.textContent =
    servers.length +
    " server" +
    (servers.length === 1 ? "" : "s") +
    " · " +
    crashes +
    " crash" +
    (crashes === 1 ? "" : "es") +
    " · " +
    partitions +
    " time" +
    (partitions === 1 ? "" : "s") +
    " a running server was cut off from a running peer · " +
    (REC.raft ? leaderChanges + " times a server became leader" : "terms not recorded") +
    " · " +
    REC.ops.call.length +
    " client operations" +
    (REC.ops.total > REC.ops.call.length ? " (of " + REC.ops.total + ")" : "") +
    (STRIKES.length
      ? " · " + STRIKES.length + " nemesis strikes and held messages (marks on the axis; the log says what each did)"
      : "");

  VIEWS.timeline = {
    redraw: draw,
    setCursor(t) {
      cursor = t;
      if (t < view.t0 || t > view.t1) {
        const span = view.t1 - view.t0;
        view.t0 = Math.max(0, t - span / 2);
        view.t1 = view.t0 + span;
      }
      draw();
    },
  };
  draw();
})();
