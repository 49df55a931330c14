/**
 * The HTML report in a real browser: one sweep with a failing Raft test (a Raft without the vote
 * restriction fails 3B/TestFailAgree3B, which disconnects a follower) and a failing KV test (an rsm
 * that does not restore its snapshot on start fails 4C/TestSnapshotRecover4C, which restarts every
 * server, with a history that is not linearizable), graded with separate --impl and --raft layers.
 * Headless Chromium (the build that @sparticuz/chromium ships inside its npm package, so `npm ci`
 * installs it with nothing else on the machine; driven by playwright-core) opens the index and both run pages; the
 * test checks the numbers against results.json and run.json, that the drawings are there, the
 * message window control and the log filters, and saves screenshots into the report folder.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import packagedChromium from "@sparticuz/chromium";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { makeMutant, type Mutation } from "./mutants/make-mutant";
import { BROKEN_RAFTS } from "./mutants/broken-rafts";
import { BROKEN_SERVICES } from "./mutants/broken-services";
import { checkOperations } from "../checker/check";
import { renderHtml } from "../checker/html";
import { etcdRegister } from "../checker/models";
import type { Operation } from "../checker/model";

/** Functions passed to page.evaluate run in the page, where there is a document (not in this project's typings). */
declare const document: any;

const ROOT = path.resolve(__dirname, "..", "..");
/** Kept after the test, with its screenshots, for a person to look at. */
const REPORT = path.join(ROOT, "reports", "html-browser-test");
const RAFT_TEST = "3B/TestFailAgree3B";
/** A seed on which both broken variants fail their test (sealed runs' schedules). */
const SEED = 2;
const KV_TEST = "4C/TestSnapshotRecover4C";

const mutations = (list: { name: string; mutations: Mutation[] }[], name: string) =>
  list.find((b) => b.name === name)!.mutations;
/** The broken Raft also says when it becomes leader, so that servers have lines in the log. */
const LEADER_LINE: Mutation = {
  file: "raft/election.ts",
  find: 'function becomeLeader(rf: Raft): void {\n  rf.role = "leader";',
  replace:
    'function becomeLeader(rf: Raft): void {\n  rf.role = "leader";\n  console.log(`S${rf.me} becomes leader in term ${rf.currentTerm}`);',
};

interface Ran {
  status: number | null;
  output: string;
}

function raftgrade(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "raftgrade.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (status) => resolve({ status, output }));
  });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The RPCs of run.json that overlap a window, counted as the page should (times are stored as deltas and offsets). */
function rpcsInWindow(run: any, t0: number, t1: number): number {
  const r = run.recorded.rpcs;
  let send = 0;
  let count = 0;
  for (let i = 0; i < r.id.length; i++) {
    send += r.send[i];
    const last = r.end[i] < 0 ? run.recorded.endMs : send + Math.max(r.end[i], r.done[i], r.arrive[i]);
    if (send <= t1 && last >= t0) count++;
  }
  return count;
}

/** Pixels of a canvas close to a colour (drawn, not transparent). */
function pixelsNear(page: Page, canvas: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(
    ([selector, [r, g, b]]) => {
      const c = document.querySelector(selector as string);
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40)
          n++;
      }
      return n;
    },
    [canvas, rgb] as const,
  );
}

describe("the HTML report, in headless Chromium", function () {
  this.timeout(300_000);
  let started = 0;
  const dirs: string[] = [];
  let browser: BrowserContext;
  let userData: string;
  let results: any;
  const errors: string[] = [];

  before(async () => {
    started = Date.now();
    // Unpacks the packaged build into the temporary folder on first use (about 1 s).
    const executablePath = await packagedChromium.executablePath();
    const kv = makeMutant("html-kv", mutations(BROKEN_SERVICES, "rsm-no-restore-on-start"));
    const raft = makeMutant("html-raft", [...mutations(BROKEN_RAFTS, "no-vote-restriction"), LEADER_LINE]);
    dirs.push(kv, raft);
    fs.rmSync(REPORT, { recursive: true, force: true });
    const graded = await raftgrade(
      "grade",
      "--impl",
      kv,
      "--raft",
      raft,
      "--part",
      "3B,4C",
      "--grep",
      `^(${RAFT_TEST}|${KV_TEST})$`,
      "--seed",
      String(SEED),
      "--jobs",
      "2",
      "--out",
      REPORT,
    );
    expect(graded.status, graded.output).to.equal(1);
    expect(graded.output).to.include(`raftgrade: HTML report: ${path.join(REPORT, "index.html")}`);
    results = readJson(path.join(REPORT, "results.json"));

    userData = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-chromium-"));
    browser = await chromium.launchPersistentContext(userData, {
      executablePath,
      headless: true,
      viewport: { width: 1400, height: 900 },
      // The package's own flags (headless shell, no sandbox, software GL), and no calls home: a
      // closed network refuses them, many at a time.
      args: [
        ...packagedChromium.args,
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  after(async () => {
    await browser?.close();
    for (const d of [...dirs, userData]) if (d) fs.rmSync(d, { recursive: true, force: true });
    console.log(
      `      (browser tests: ${((Date.now() - started) / 1000).toFixed(1)} s of wall time; pages and screenshots in ${REPORT})`,
    );
  });

  /** Opens a page of the report; script errors on it fail the test. */
  async function open(rel: string): Promise<Page> {
    const page = await browser.newPage();
    page.on("pageerror", (e) => errors.push(`${rel}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${rel}: console: ${m.text()}`);
    });
    await page.goto(`file://${path.join(REPORT, rel)}`, { waitUntil: "load" });
    return page;
  }

  afterEach(() => {
    expect(errors, "errors on the pages").to.deep.equal([]);
  });

  it("both failing runs failed as chosen, and each has a page replayed to the same trace hash", () => {
    const byId = new Map(results.runs.map((r: any) => [r.id, r]));
    expect((byId.get(RAFT_TEST) as any).status).to.equal("failed");
    const kvMessage: string = (byId.get(KV_TEST) as any).message;
    expect(kvMessage).to.match(/^history is not linearizable/);
    // The grade's own runs put the picture and the history into the report, not a temporary folder.
    const picture = /visualization: (\S+\.html)/.exec(kvMessage)?.[1];
    expect(picture, kvMessage).to.be.a("string");
    expect(path.dirname(picture!)).to.equal(path.join(REPORT, "artifacts"));
    expect(fs.existsSync(picture!), picture).to.equal(true);
    for (const id of [RAFT_TEST, KV_TEST]) {
      const run = readJson(path.join(REPORT, "runs", `${id.replace("/", "-")}-seed${SEED}`, "run.json"));
      expect(run.traceHash, id).to.equal((byId.get(id) as any).traceHash);
    }
  });

  it("index.html: the score, the test table and the charts match results.json; its links lead to both run pages", async () => {
    const page = await open("index.html");
    const score = page.locator("#score");
    expect(await score.getAttribute("data-points")).to.equal(String(results.score.points));
    expect(await score.getAttribute("data-max")).to.equal(String(results.score.max));
    expect(await score.textContent()).to.include(`${results.score.points} / ${results.score.max}`);
    expect(await page.locator("#tests tr[data-test]").count()).to.equal(results.byTest.length);
    for (const t of results.byTest) {
      const row = page.locator(`#tests tr[data-test="${t.id}"]`);
      expect(await row.getAttribute("data-runs")).to.equal(String(t.runs));
      expect(await row.getAttribute("data-failures")).to.equal(String(t.failures));
      expect(await row.getAttribute("data-points")).to.equal(String(t.points));
      expect(await row.textContent()).to.include(`${(100 * t.passRate).toFixed(1)}%`);
      expect(await row.textContent()).to.include(`${t.points} / ${t.maxPoints}`);
      // The RPC chart: the graded mean and the reference's on the same seeds.
      const bar = page.locator(`#chart-rpcs g.bar[data-test="${t.id}"]`);
      expect(Number(await bar.getAttribute("data-graded"))).to.equal(
        mean(results.runs.filter((r: any) => r.id === t.id).map((r: any) => r.rpcs)),
      );
      expect(Number(await bar.getAttribute("data-reference"))).to.equal(
        mean(results.reference.filter((f: any) => f.id === t.id).map((f: any) => f.rpcs)),
      );
    }
    const links = await page
      .locator("#failing a.run-link")
      .evaluateAll((as) => as.map((a: any) => a.getAttribute("href")));
    expect(links.sort()).to.deep.equal([
      `runs/3B-TestFailAgree3B-seed${SEED}/index.html`,
      `runs/4C-TestSnapshotRecover4C-seed${SEED}/index.html`,
    ]);
    await page.screenshot({ path: path.join(REPORT, "index.png"), fullPage: true });
    await page.click(`#failing a.run-link[data-test="${RAFT_TEST}"]`);
    await page.waitForLoadState("load");
    expect(await page.locator("h1").textContent()).to.include(RAFT_TEST);
    await page.close();
  });

  it(`the Raft run's page: verdict, timeline lanes and the partition, messages in a chosen window, the log filters`, async () => {
    const dir = `runs/3B-TestFailAgree3B-seed${SEED}`;
    const run = readJson(path.join(REPORT, dir, "run.json"));
    const graded = results.runs.find((r: any) => r.id === RAFT_TEST);
    const page = await open(`${dir}/index.html`);
    expect(await page.locator("#status").textContent()).to.equal("failed");
    expect(await page.locator("#message").textContent()).to.equal(graded.message);
    expect(await page.locator("#replay").textContent()).to.equal(graded.replay);
    expect(await page.locator("#hash-check").getAttribute("data-match")).to.equal("yes");

    // One lane per server; the follower cut off shows (and is counted) as a partition.
    const lanes = await page.locator("#timeline-names .tl-lane.server").allTextContents();
    expect(lanes).to.deep.equal(run.recorded.servers.map((k: number) => run.recorded.nodes[k]));
    expect(lanes).to.have.length(3);
    const full = (1 << 3) - 1;
    expect(
      run.recorded.reach.mask.some((m: number) => m !== full),
      "run.json records the disconnection",
    ).to.equal(true);
    expect(Number(await page.locator("#timeline-summary").getAttribute("data-partitions"))).to.be.greaterThan(0);
    expect(
      await pixelsNear(page, "#timeline-canvas", [231, 76, 60]),
      "a server drawn cut off from every server",
    ).to.be.greaterThan(100);
    expect(await pixelsNear(page, "#timeline-canvas", [241, 196, 15]), "a leader drawn").to.be.greaterThan(100);

    // The message diagram: the last 2 s by default, then a window chosen with the controls.
    const end = run.recorded.endMs;
    const summary = page.locator("#msg-summary");
    expect(Number(await summary.getAttribute("data-count")))
      .to.equal(rpcsInWindow(run, end - 2000, end))
      .and.to.be.greaterThan(0);
    expect(await pixelsNear(page, "#msg-canvas", [39, 174, 96]), "replies drawn").to.be.greaterThan(20);
    await page.selectOption("#msg-width", "0.5");
    await page.fill("#msg-from", "1");
    await page.dispatchEvent("#msg-from", "change");
    expect(Number(await summary.getAttribute("data-count")))
      .to.equal(rpcsInWindow(run, 1000, 1500))
      .and.to.be.greaterThan(0);

    // Hovering over a drawn message shows it, with its arguments' and its reply's summaries.
    const spot = await page.evaluate(() => {
      const c = document.querySelector("#msg-canvas");
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      const box = c.getBoundingClientRect();
      for (let i = 0; i < data.length; i += 4) {
        if (
          data[i + 3] > 200 &&
          Math.abs(data[i] - 39) + Math.abs(data[i + 1] - 174) + Math.abs(data[i + 2] - 96) < 40
        ) {
          const x = (i / 4) % c.width;
          const y = Math.floor(i / 4 / c.width);
          return { x: box.left + (x * box.width) / c.width, y: box.top + (y * box.height) / c.height };
        }
      }
      return null;
    });
    expect(spot, "a reply drawn in the window").to.not.equal(null);
    await page.mouse.move(spot!.x, spot!.y);
    const tip = await page.locator("#tip").textContent();
    expect(tip).to.match(/^#\d+ Raft\.\w+ /);
    expect(tip).to.match(/\nargs: term \d+, (candidateId|leaderId) \d+/);
    expect(tip).to.match(/\nreply: term \d+, (voteGranted|success) (true|false)/);
    await page.screenshot({ path: path.join(REPORT, "raft-run-message.png") });

    await checkLog(page, run);

    // A click on a log line's time moves the message window there (centred, same width: 0.5 s).
    const line = page.locator("#log-table tbody tr").nth(1);
    const t = Number(await line.getAttribute("data-t"));
    await line.locator("td.t").click();
    expect(await page.inputValue("#msg-from")).to.equal((Math.max(0, t - 250) / 1000).toFixed(3));
    expect(Number(await summary.getAttribute("data-count"))).to.equal(
      rpcsInWindow(run, Math.max(0, t - 250), Math.max(0, t - 250) + 500),
    );
    await page.screenshot({ path: path.join(REPORT, "raft-run.png"), fullPage: true });
    await page.close();
  });

  it(`the KV run's page: the crashes on the timeline, the linearizability picture, the log`, async () => {
    const dir = `runs/4C-TestSnapshotRecover4C-seed${SEED}`;
    const run = readJson(path.join(REPORT, dir, "run.json"));
    const page = await open(`${dir}/index.html`);
    expect(await page.locator("#status").textContent()).to.equal("failed");
    expect(await page.locator("#hash-check").getAttribute("data-match")).to.equal("yes");
    expect(await page.locator("#timeline-names .tl-lane.server").count()).to.equal(run.recorded.servers.length);

    const crashes = run.recorded.life.t.filter(
      (t: number, r: number) => run.recorded.life.up[r] === 0 && t < run.recorded.endMs,
    ).length;
    expect(crashes, "run.json records the restarts").to.be.greaterThan(0);
    expect(Number(await page.locator("#timeline-summary").getAttribute("data-crashes"))).to.equal(crashes);
    expect(await pixelsNear(page, "#timeline-canvas", [91, 91, 91]), "crashed servers drawn").to.be.greaterThan(100);
    expect(Number(await page.locator("#timeline-summary").getAttribute("data-ops")))
      .to.equal(run.recorded.ops.call.length)
      .and.to.be.greaterThan(0);
    expect(Number(await page.locator("#msg-summary").getAttribute("data-count"))).to.equal(
      rpcsInWindow(run, run.recorded.endMs - 2000, run.recorded.endMs),
    );

    // The checker's picture, embedded: its verdict and the operations it draws.
    expect(run.linearizability).to.equal("linearizability.html");
    const picture = page.frameLocator("#lin-frame");
    expect(await picture.locator("h1").textContent()).to.include("not linearizable");
    expect(await picture.locator("g.op").count()).to.be.greaterThan(0);

    await checkLog(page, run);
    await page.screenshot({ path: path.join(REPORT, "kv-run.png"), fullPage: true });
    await page.close();
  });

  it("a 3X run's page: each nemesis strike is a line of the log and a mark on the timeline's axis", async () => {
    const dir = path.join(REPORT, "runs", "3X-TestStaleVoteReply3X-seed1");
    const r = await raftgrade(
      "replay",
      "--impl",
      "reference",
      "--test",
      "3X/TestStaleVoteReply3X",
      "--seed",
      "1",
      "--trace",
      "none",
      "--html",
      dir,
    );
    expect(r.status, r.output).to.equal(0);
    const run = readJson(path.join(dir, "run.json"));
    const strikes = run.recorded.log.text.filter((t: string) => t.startsWith("nemesis: "));
    expect(strikes).to.have.length(2); // the grant held, then delivered
    expect(strikes[0]).to.match(
      /^nemesis: holding the reply #\d+ Raft\.requestVote from server-0-\d to server \d \(granted, term \d+\)$/,
    );
    const page = await open("runs/3X-TestStaleVoteReply3X-seed1/index.html");
    expect(await page.locator("#timeline-summary").getAttribute("data-strikes")).to.equal("2");
    expect(await page.locator("#timeline-summary").textContent()).to.include("2 nemesis strikes and held messages");
    expect(await pixelsNear(page, "#timeline-canvas", [214, 51, 108]), "the strikes marked").to.be.greaterThan(10);
    await page.screenshot({ path: path.join(REPORT, "3x-run.png") });
    await page.close();
  });

  it("the checker's picture of 1,201 operations on one key: the first red operation in view on opening, zoom to the whole history", async () => {
    // 12 clients writing in turn, one after another, then a read of a value nobody wrote.
    const history: Operation[] = [];
    for (let k = 0; k < 1200; k++)
      history.push({
        clientId: k % 12,
        input: { op: "write", value: k },
        output: {},
        call: 10 * k,
        return: 10 * k + 5,
      });
    history.push({
      clientId: 0,
      input: { op: "read" },
      output: { exists: true, value: -1 },
      call: 12_000,
      return: 12_005,
    });
    const result = checkOperations(etcdRegister, history);
    expect(result.verdict).to.equal("illegal");
    fs.writeFileSync(path.join(REPORT, "linearizability-1201.html"), renderHtml(result, history, etcdRegister));
    const page = await open("linearizability-1201.html");
    const inView = () =>
      page.evaluate(() => {
        const mark = document.querySelector("[id^=first-]").getBoundingClientRect();
        const view = document.querySelector("details[open] .scroll").getBoundingClientRect();
        return (
          mark.left >= view.left &&
          mark.right <= view.right &&
          mark.top >= 0 &&
          mark.bottom <= document.documentElement.clientHeight
        );
      });
    expect(await inView(), "the first red operation is in view when the page opens").to.equal(true);
    expect(await page.locator("g.op").count()).to.equal(1201);
    expect(await page.locator("text.lane").allTextContents()).to.have.length(12); // one lane per client
    await page.screenshot({ path: path.join(REPORT, "linearizability-1201-open.png") });

    await page.click("#zoom-fit");
    const fit = await page.evaluate(() => {
      const scroll = document.querySelector("details[open] .scroll");
      return { svg: Number(scroll.querySelector("svg").getAttribute("width")), room: scroll.clientWidth };
    });
    expect(fit.svg).to.be.at.most(fit.room + 1);
    expect(await page.locator("#zoom-level").textContent()).to.match(/^\d+(\.\d)?%$/);
    await page.screenshot({ path: path.join(REPORT, "linearizability-1201-whole.png") });
    await page.click("#zoom-reset");
    expect(await page.locator("#zoom-level").textContent()).to.equal("100%");
    await page.close();
  });

  it("`raftgrade report DIR` renders the same pages again from the folder", async () => {
    const pages = [
      "index.html",
      `runs/3B-TestFailAgree3B-seed${SEED}/index.html`,
      `runs/4C-TestSnapshotRecover4C-seed${SEED}/index.html`,
    ];
    const before = pages.map((p) => fs.readFileSync(path.join(REPORT, p), "utf8"));
    for (const p of pages) fs.rmSync(path.join(REPORT, p));
    const out = await raftgrade("report", REPORT);
    expect(out.status, out.output).to.equal(0);
    expect(out.output).to.include("(2 of 2 failing runs with a page)");
    expect(pages.map((p) => fs.readFileSync(path.join(REPORT, p), "utf8"))).to.deep.equal(before);
  });

  /** The log view: filtered by a server that printed something, then by text; the counts are run.json's. */
  async function checkLog(page: Page, run: any): Promise<void> {
    const log = run.recorded.log;
    const count = page.locator("#log-count");
    const rows = page.locator("#log-table tbody tr");
    expect(Number(await count.getAttribute("data-matching"))).to.equal(log.t.length);
    const servers = run.recorded.servers.map((k: number) => run.recorded.nodes[k]);
    const node = servers.find((s: string) => log.node.some((k: number) => run.recorded.nodes[k] === s));
    expect(node, "a server printed something").to.be.a("string");
    const fromNode = log.node.filter((k: number) => run.recorded.nodes[k] === node).length;
    expect(log.t.length, "the tester printed too").to.be.greaterThan(fromNode);
    await page.selectOption("#log-node", node);
    expect(Number(await count.getAttribute("data-matching"))).to.equal(fromNode);
    expect(await rows.count()).to.equal(Math.min(fromNode, 500));
    expect(await rows.first().locator("td.n").textContent()).to.equal(node);

    await page.selectOption("#log-node", "");
    const matching = log.text.filter((t: string) => t.toLowerCase().includes("becomes leader")).length;
    expect(matching, "lines that say a server became leader").to.be.greaterThan(0);
    await page.fill("#log-text", "BECOMES LEADER");
    await page.waitForFunction(
      (n) => document.querySelectorAll("#log-table tbody tr").length === n,
      Math.min(matching, 500),
    );
    expect(Number(await count.getAttribute("data-matching"))).to.equal(matching);
    await page.fill("#log-text", "");
    await page.waitForFunction(
      (n) => document.querySelectorAll("#log-table tbody tr").length === n,
      Math.min(log.t.length, 500),
    );
  }
});
