/**
 * The HTML report from the command line, without a browser: `raftgrade report DIR` refuses bad
 * folders precisely (exit status 2); --html-pages is checked before anything runs and caps the
 * pages; and a submission that misbehaves only when replayed for its page (dies, hangs, or runs
 * differently) costs that page, with the reason on the index page, never the grader.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const MISBEHAVES = path.join(ROOT, "harness", "test", "fixtures", "html", "replay-misbehaves");

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function raftgrade(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "raftgrade.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: "0", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Grades the fixture on 3A/TestInitialElection3A (it fails at once), misbehaving in `mode` when replayed. */
function gradeMisbehaving(out: string, mode: string, ...flags: string[]): Promise<Ran> {
  const impl = `${out}-impl`;
  fs.mkdirSync(impl, { recursive: true });
  fs.writeFileSync(
    path.join(impl, "index.ts"),
    `export const makeRaft = require(${JSON.stringify(MISBEHAVES)}).misbehaving(${JSON.stringify(mode)}, ${JSON.stringify(path.join(impl, "graded-once"))});\n`,
  );
  return raftgrade([
    "grade",
    "--impl",
    impl,
    "--test",
    "3A/TestInitialElection3A",
    "--no-reference-timing",
    "--out",
    out,
    ...flags,
  ]);
}

const read = (file: string) => fs.readFileSync(file, "utf8");

describe("the HTML report from the command line", function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-html-cli-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("`raftgrade report` refuses a folder that is not a report, with status 2 and the reason", async () => {
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "x");
    const empty = path.join(tmp, "empty");
    fs.mkdirSync(empty);
    const malformed = path.join(tmp, "malformed");
    fs.mkdirSync(malformed);
    fs.writeFileSync(path.join(malformed, "results.json"), '{"tool": "raftgrade", "runs": [');
    const foreign = path.join(tmp, "foreign");
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, "results.json"), JSON.stringify({ tool: "something-else" }));
    const cases: [string[], string][] = [
      [["report", path.join(tmp, "missing")], `${path.join(tmp, "missing")}: no such folder`],
      [["report", file], `${file}: not a folder`],
      [["report", empty], `${empty}: not a raftgrade report folder: no results.json there`],
      [["report", malformed], `${path.join(malformed, "results.json")}: not valid JSON`],
      [["report", foreign], `${path.join(foreign, "results.json")}: not a raftgrade results.json`],
      [["report"], "Not enough non-option arguments"],
      [["grade", "--html-pages", "-1"], '--html-pages must be a whole number from 0 to 1000, got "-1"'],
      [["grade", "--html-pages", "lots"], '--html-pages must be a whole number from 0 to 1000, got "lots"'],
    ];
    const results = await Promise.all(cases.map(([args]) => raftgrade(args)));
    cases.forEach(([args, message], k) => {
      expect(results[k].status, args.join(" ") + results[k].stderr).to.equal(2);
      expect(results[k].stderr, args.join(" ")).to.include(message);
    });
    for (const dir of [empty, malformed, foreign])
      expect(fs.existsSync(path.join(dir, "index.html")), dir).to.equal(false);
  });

  it("a replay that dies, hangs or runs differently costs its page only, and the index page says why", async () => {
    const [dies, hangs, differs] = ["dies", "hangs", "differs"].map((d) => path.join(tmp, d));
    const runs = await Promise.all([
      gradeMisbehaving(dies, "kill"),
      gradeMisbehaving(hangs, "hang", "--run-timeout", "30"),
      gradeMisbehaving(differs, "differ"),
    ]);
    for (const r of runs) expect(r.status, r.stdout + r.stderr).to.equal(1);
    const page = (dir: string) => path.join(dir, "runs", "3A-TestInitialElection3A-seed1", "index.html");

    // Sealed, the graded process dies, not the replay: the page is there, with a run that crashed.
    expect(
      JSON.parse(read(path.join(dies, "runs", "3A-TestInitialElection3A-seed1", "run.json"))).failureKind,
    ).to.equal("crash");
    expect(fs.existsSync(page(dies))).to.equal(true);
    expect(fs.existsSync(page(hangs))).to.equal(false);
    expect(read(path.join(hangs, "index.html"))).to.include(
      "no page: the replay took more than 30 s of real time and was stopped",
    );

    // The replay ran, but not as graded: the page is there and says so, and so does the index.
    const results = JSON.parse(read(path.join(differs, "results.json")));
    const run = JSON.parse(read(path.join(differs, "runs", "3A-TestInitialElection3A-seed1", "run.json")));
    expect(run.traceHash).to.not.equal(results.runs[0].traceHash);
    expect(read(page(differs))).to.include('id="hash-check" data-match="no"');
    expect(read(path.join(differs, "index.html"))).to.include("the replay did not repeat the graded run");
  });

  it("--html-pages caps the pages (first failing seed of each test first); 0 makes none; `report` renders the index again", async () => {
    const [two, none] = ["two", "none"].map((d) => path.join(tmp, d));
    const [graded, off] = await Promise.all([
      raftgrade([
        "grade",
        "--impl",
        MISBEHAVES,
        "--part",
        "3A",
        "--seeds",
        "3",
        "--html-pages",
        "2",
        "--no-reference-timing",
        "--out",
        two,
      ]),
      raftgrade([
        "grade",
        "--impl",
        MISBEHAVES,
        "--part",
        "3A",
        "--grep",
        "TestReElection3A",
        "--html-pages",
        "0",
        "--no-reference-timing",
        "--out",
        none,
      ]),
    ]);
    expect(graded.status, graded.stderr).to.equal(1);
    const results = JSON.parse(read(path.join(two, "results.json")));
    const tests = results.byTest.map((t: { id: string }) => t.id);
    expect(tests.length).to.be.greaterThan(2);
    const folders = fs.readdirSync(path.join(two, "runs")).sort();
    expect(folders).to.deep.equal(
      [`${tests[0].replace("/", "-")}-seed1`, `${tests[1].replace("/", "-")}-seed1`].sort(),
    );
    const index = read(path.join(two, "index.html"));
    expect(index.match(/class="run-link"/g)?.length).to.equal(4); // each page linked from the table and from the list
    expect(index).to.include("no page: beyond the 2 pages of this sweep (--html-pages)");

    expect(off.status, off.stderr).to.equal(1);
    expect(fs.existsSync(path.join(none, "runs"))).to.equal(false);
    expect(read(path.join(none, "index.html"))).to.include("no page: pages were off (--html-pages 0)");

    fs.rmSync(path.join(two, "index.html"));
    const again = await raftgrade(["report", two]);
    expect(again.status, again.stderr).to.equal(0);
    expect(read(path.join(two, "index.html"))).to.equal(index);
  });
});
