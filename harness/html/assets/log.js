// The log: every line the run printed (the tester's and the graded code's), at its virtual time,
// with the node that printed it; filtered by node and by text. Click a time to put the timeline's
// cursor and the message diagram's window there.
"use strict";
(() => {
  const PAGE = 500;
  const log = REC.log;
  const nodeSelect = document.getElementById("log-node");
  const textInput = document.getElementById("log-text");
  const count = document.getElementById("log-count");
  const body = document.querySelector("#log-table tbody");
  const more = document.getElementById("log-more");
  let matching = [];
  let shown = 0;

  const used = [...new Set(log.node)].sort((a, b) => REC.nodes[a].localeCompare(REC.nodes[b], "en", { numeric: true }));
  for (const k of used) nodeSelect.add(new Option(REC.nodes[k], REC.nodes[k]));

  function filter() {
    const node = nodeSelect.value;
    const text = textInput.value.toLowerCase();
    matching = [];
    for (let i = 0; i < log.t.length; i++) {
      if (node && REC.nodes[log.node[i]] !== node) continue;
      if (text && !log.text[i].toLowerCase().includes(text)) continue;
      matching.push(i);
    }
    body.textContent = "";
    shown = 0;
    showMore();
  }

  function showMore() {
    const rows = document.createDocumentFragment();
    for (const i of matching.slice(shown, shown + PAGE)) {
      const tr = document.createElement("tr");
      tr.dataset.t = log.t[i];
      const t = document.createElement("td");
      t.className = "t";
      t.textContent = (log.t[i] / 1000).toFixed(3);
      const n = document.createElement("td");
      n.className = "n";
      n.textContent = REC.nodes[log.node[i]];
      const x = document.createElement("td");
      x.textContent = log.text[i];
      tr.append(t, n, x);
      rows.appendChild(tr);
    }
    body.appendChild(rows);
    shown = Math.min(matching.length, shown + PAGE);
    more.hidden = shown >= matching.length;
    count.textContent =
      matching.length +
      " of " +
      log.t.length +
      " lines" +
      (shown < matching.length ? ", the first " + shown + " shown" : "") +
      (log.total > log.t.length ? " (the run printed " + log.total + "; the first ones are not kept)" : "");
    Object.assign(count.dataset, { matching: matching.length, shown });
  }

  let pending = 0;
  textInput.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(filter, 120);
  });
  nodeSelect.addEventListener("change", filter);
  more.addEventListener("click", showMore);
  body.addEventListener("click", (e) => {
    const cell = e.target.closest("td.t");
    if (!cell) return;
    const t = Number(cell.parentElement.dataset.t);
    if (VIEWS.timeline) VIEWS.timeline.setCursor(t);
    if (VIEWS.messages) VIEWS.messages.centerAt(t);
  });
  filter();
})();
