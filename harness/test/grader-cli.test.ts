/**
 * The grader end to end, through the command line: bad flags, grading the student skeleton (every
 * report file present and valid), coverage of the reference, sharding and merging, replaying a run
 * to the same trace hash, a crashing and a hanging worker, Ctrl-C, init and list. Each case selects
 * one or two tests of 3A to stay fast.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseXml, childrenNamed, validateGradescope } from "./grader-helpers";
import { REPORT_FILES } from "../report/write-reports";
import { deriveSeeds } from "../run/plan";
import { grade, GradeOptions } from "../cli/grade";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "raftgrade.js");

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function raftgrade(...args: string[]): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs several commands at once (the machine has two cores; each command is mostly start-up). */
function raftgradeAsync(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const traceHashOf = (replayOutput: string) => /^trace hash: ([0-9a-f]{16})$/m.exec(replayOutput)?.[1];

describe("raftgrade grader (command line)", function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-grader-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("refuses bad flags and inputs with status 2 and a precise message", async () => {
    const nonEmpty = path.join(tmp, "non-empty");
    fs.mkdirSync(nonEmpty);
    fs.writeFileSync(path.join(nonEmpty, "raft.ts"), "// mine");
    const badJson = path.join(tmp, "bad.json");
    fs.writeFileSync(badJson, "{ parts: }");
    const badTest = path.join(tmp, "bad-test.json");
    fs.writeFileSync(badTest, JSON.stringify({ tests: { "3A/TestNope3A": 5 } }));
    const cases: [string[], string][] = [
      [["grade", "--seeds", "0"], '--seeds must be a whole number from 1 to 1000000, got "0"'],
      [["grade", "--shard", "3/2"], "--shard 3/2: the shard number must be from 1 to 2"],
      [["grade", "--frobnicate"], "Unknown argument: frobnicate"],
      [
        ["grade", "--rubric", path.join(tmp, "missing.json")],
        `--rubric ${path.join(tmp, "missing.json")}: cannot read it: ENOENT`,
      ],
      [["grade", "--rubric", badJson], `--rubric ${badJson}: not valid JSON`],
      [["grade", "--rubric", badTest], `--rubric ${badTest}: tests["3A/TestNope3A"]: no such test`],
      [["grade", "--test", "3A/TestInitialElection"], "--test 3A/TestInitialElection: no such test"],
      [["grade", "--part", "3A", "--grep", "NoSuchTest"], "no test matched --grep /NoSuchTest/ in parts 3A"],
      [["replay", "--test", "3A/TestReElection3A"], "Missing required argument: seed"],
      [
        ["replay", "--test", "TestReElection3A", "--seed", "1"],
        "--test TestReElection3A: ids look like <part>/<TestName>",
      ],
      [
        ["replay", "--test", "3A/TestNope", "--seed", "1"],
        "--test 3A/TestNope: no such test in part 3A; its tests are 3A/TestInitialElection3A",
      ],
      [["merge", tmp], `${tmp}: not a raftgrade report folder: no results.json there`],
      [["init", nonEmpty], `init: ${nonEmpty} is not empty (it holds raft.ts)`],
      [["list", "--part", "9Z"], 'unknown part "9Z"'],
    ];
    const results: Ran[] = [];
    for (let k = 0; k < cases.length; k += 2)
      results.push(...(await Promise.all(cases.slice(k, k + 2).map(([args]) => raftgradeAsync(...args)))));
    cases.forEach(([args, message], k) => {
      expect(results[k].status, args.join(" ") + results[k].stderr).to.equal(2);
      expect(results[k].stderr, args.join(" ")).to.include(message);
    });
  });

  it("checks the numeric flags before anything runs (in-process: grade() resolves to 2)", async () => {
    const base = {
      impl: "reference",
      layers: {},
      reportsDir: path.join(tmp, "never"),
      invariants: true,
      checkDeterminism: false,
      strictLinearizability: false,
      coverage: false,
      referenceTiming: false,
    };
    const cases: [Partial<GradeOptions>, string][] = [
      [{ jobs: "many" }, '--jobs must be a whole number from 1 to 256, got "many"'],
      [{ jobs: "0" }, '--jobs must be a whole number from 1 to 256, got "0"'],
      [{ seeds: "1.5" }, '--seeds must be a whole number from 1 to 1000000, got "1.5"'],
      [{ shard: "half" }, '--shard must look like i/n (e.g. 2/4: the second of four shards), got "half"'],
      [{ shard: "0/3" }, "--shard 0/3: the shard number must be from 1 to 3"],
      [{ runTimeout: "0" }, '--run-timeout must be a whole number from 1 to 86400, got "0"'],
      [{ seed: "1e3" }, "--seed: seed must be a non-negative integer below 2^53"],
      [{ parts: "9Z" }, 'unknown part "9Z"'],
    ];
    const errors: string[] = [];
    const saved = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      for (const [options, message] of cases) {
        errors.length = 0;
        expect(await grade({ ...base, ...options }), message).to.equal(2);
        expect(errors.join("\n")).to.include(message);
      }
    } finally {
      console.error = saved;
    }
    expect(fs.existsSync(base.reportsDir)).to.equal(false);
  });

  let studentRun: { dir: string; out: Ran } | undefined;

  it("grades the student skeleton: every run fails with 'not implemented', every report file is written and valid, exit status 1", () => {
    const dir = path.join(tmp, "student");
    const rubric = path.join(tmp, "rubric.json");
    fs.writeFileSync(rubric, JSON.stringify({ tests: { "3A/TestInitialElection3A": 7 } }));
    const out = raftgrade(
      "grade",
      "--impl",
      "student",
      "--part",
      "3A",
      "--grep",
      "TestInitialElection3A|TestReElection3A",
      "--seeds",
      "2",
      "--jobs",
      "2",
      "--rubric",
      rubric,
      "--out",
      dir,
    );
    studentRun = { dir, out };
    expect(out.status, out.stdout + out.stderr).to.equal(1);
    for (const file of REPORT_FILES) expect(fs.existsSync(path.join(dir, file)), file).to.equal(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes(".tmp-"))).to.deep.equal([]);

    const results = readJson(path.join(dir, "results.json"));
    const seeds = deriveSeeds(1, 2);
    expect(results.runs.map((r: { id: string; seed: number }) => `${r.id}@${r.seed}`)).to.deep.equal([
      `3A/TestInitialElection3A@${seeds[0]}`,
      `3A/TestInitialElection3A@${seeds[1]}`,
      `3A/TestReElection3A@${seeds[0]}`,
      `3A/TestReElection3A@${seeds[1]}`,
    ]);
    for (const run of results.runs) {
      expect(run).to.include({ part: "3A", status: "failed", failureKind: "implementation" });
      expect(run.message).to.match(/not implemented yet: Raft\.getState \(student\/raft\.ts\)/);
      for (const field of ["virtualMs", "realMs", "rpcs", "bytes", "ops"]) expect(run[field], field).to.be.a("number");
      expect(run.traceHash).to.match(/^[0-9a-f]{16}$/);
      expect(run.replay).to.equal(`raftgrade replay --impl student --test ${run.id} --seed ${run.seed}`);
    }
    // The rubric names one test (7 points); the part's 100 points are split over the tests it does not name.
    expect(results.score).to.deep.equal({ points: 0, max: 57, parts: { "3A": { points: 0, max: 57 } } });
    expect(results.summary).to.include({ tests: 2, passed: 0, failed: 2, runs: 4, runsFailed: 4 });

    const junit = parseXml(fs.readFileSync(path.join(dir, "junit.xml"), "utf8"));
    const [suite] = childrenNamed(junit, "testsuite");
    expect(suite.attrs).to.include({ name: "3A", tests: "4", failures: "4" });
    for (const c of childrenNamed(suite, "testcase"))
      expect(childrenNamed(c, "failure")[0].attrs.message).to.include("not implemented yet");

    const gradescope = readJson(path.join(dir, "gradescope.json"));
    validateGradescope(gradescope);
    expect(gradescope.score).to.equal(0);
    expect(gradescope.tests[0]).to.include({
      name: "3A/TestInitialElection3A",
      score: 0,
      max_score: 7,
      status: "failed",
    });

    expect(readJson(path.join(dir, "timing.json")).tests).to.have.length(2);
    expect(out.stdout).to.include(`replay: raftgrade replay --impl student --test 3A/TestInitialElection3A --seed 1`);
    expect(out.stdout).to.match(/3A\/TestReElection3A\s+2\s+2\s+0\.0%/);
    expect(out.stdout).to.include("score: 0 / 57");
  });

  it("replays a failed run in-process: the run's output, the harness trace, and the trace hash of the run that failed", () => {
    const run = readJson(path.join(studentRun!.dir, "results.json")).runs[3];
    const r = raftgrade(...run.replay.split(" ").slice(1));
    expect(r.status).to.equal(1);
    expect(r.stdout).to.include("Test (3A): election after network failure");
    expect(r.stdout).to.match(/--- harness trace: \d+ events ---\n\s+0\.000s\s+start\s+server-0-0#1/);
    expect(r.stdout).to.include(
      "failed [implementation]: getState() on server-0-0#1 threw: Error: not implemented yet: Raft.getState",
    );
    expect(traceHashOf(r.stdout)).to.equal(run.traceHash);
  });

  it("shards a sweep deterministically; merge combines the shards into one report, and a run from a shard replays to its hash", async () => {
    const args = [
      "grade",
      "--impl",
      "reference",
      "--part",
      "3A",
      "--grep",
      "TestReElection3A|TestManyElections3A",
      "--seeds",
      "2",
      "--jobs",
      "1",
    ];
    const [one, two] = await Promise.all(
      [1, 2].map((i) => raftgradeAsync(...args, "--shard", `${i}/2`, "--out", path.join(tmp, `shard${i}`))),
    );
    expect(one.status, one.stdout + one.stderr).to.equal(0);
    expect(two.status, two.stdout + two.stderr).to.equal(0);
    const shardRuns = [1, 2].map((i) =>
      readJson(path.join(tmp, `shard${i}`, "results.json")).runs.map(
        (r: { id: string; seed: number }) => `${r.id}@${r.seed}`,
      ),
    );
    const seeds = deriveSeeds(1, 2);
    expect(shardRuns).to.deep.equal([
      [`3A/TestReElection3A@${seeds[0]}`, `3A/TestManyElections3A@${seeds[0]}`],
      [`3A/TestReElection3A@${seeds[1]}`, `3A/TestManyElections3A@${seeds[1]}`],
    ]);

    const merged = path.join(tmp, "merged");
    const m = raftgrade("merge", path.join(tmp, "shard2"), path.join(tmp, "shard1"), "--out", merged);
    expect(m.status, m.stdout + m.stderr).to.equal(0);
    const results = readJson(path.join(merged, "results.json"));
    expect(results.runs.map((r: { id: string; seed: number }) => `${r.id}@${r.seed}`)).to.deep.equal([
      `3A/TestReElection3A@${seeds[0]}`,
      `3A/TestReElection3A@${seeds[1]}`,
      `3A/TestManyElections3A@${seeds[0]}`,
      `3A/TestManyElections3A@${seeds[1]}`,
    ]);
    expect(results.score).to.deep.equal({ points: 66.66, max: 66.66, parts: { "3A": { points: 66.66, max: 66.66 } } });
    expect(results.mergedFrom).to.have.length(2);
    const suite = childrenNamed(parseXml(fs.readFileSync(path.join(merged, "junit.xml"), "utf8")), "testsuite")[0];
    expect(suite.attrs).to.include({ tests: "4", failures: "0" });
    validateGradescope(readJson(path.join(merged, "gradescope.json")));

    // The second run of shard 2's worker ran after another test in the same process: its replay still matches.
    const last = readJson(path.join(tmp, "shard2", "results.json")).runs[1];
    const r = raftgrade(
      "replay",
      "--impl",
      "reference",
      "--test",
      last.id,
      "--seed",
      String(last.seed),
      "--trace",
      "5",
    );
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /--- harness trace: \d+ events, \d+ selected \(timers hidden \(--trace-timers shows them\)\), the last 5 shown ---/,
    );
    expect(traceHashOf(r.stdout)).to.equal(last.traceHash);
  });

  it("replay prints RPC summaries and selects trace events by server, kind and time; timers only when asked", () => {
    const base = ["replay", "--impl", "reference", "--test", "3A/TestReElection3A", "--seed", "1"];
    const lines = (out: string) =>
      out.slice(out.indexOf("--- harness trace"), out.indexOf("--- result ---")).split("\n").slice(1).filter(Boolean);
    const all = raftgrade(...base, "--trace-timers");
    expect(lines(all.stdout).some((l) => /^\s+\d+\.\d{3}s\s+timer\s/.test(l))).to.equal(true);
    const plain = raftgrade(...base);
    expect(lines(plain.stdout).some((l) => /^\s+\d+\.\d{3}s\s+timer\s/.test(l))).to.equal(false);
    expect(plain.stdout).to.match(
      /Raft\.requestVote -> server-0-\d \(\d+ bytes\): term 1, candidateId \d, lastLogIndex 0, lastLogTerm 0/,
    );
    expect(plain.stdout).to.match(/Raft\.requestVote reply from server-0-\d \(\d+ bytes\): term 1, voteGranted true/);
    const some = raftgrade(...base, "--trace-server", "server-0-1", "--trace-kind", "rpc", "--trace-to", "1.5");
    expect(some.status, some.stderr).to.equal(0);
    expect(some.stdout).to.include(
      "selected (timers hidden (--trace-timers shows them); servers server-0-1; kinds rpc; 0.000-1.500 s)",
    );
    const selected = lines(some.stdout);
    expect(selected.length).to.be.greaterThan(3);
    for (const l of selected) {
      expect(l).to.match(/^\s+(0|1)\.\d{3}s\s+rpc\./);
      expect(l).to.match(/server-0-1/);
    }
    expect(traceHashOf(some.stdout)).to.equal(traceHashOf(all.stdout)); // selecting changes what is printed, not the run
    const votes = lines(raftgrade(...base, "--trace-method", "requestVote").stdout);
    expect(votes.length).to.be.greaterThan(1);
    for (const l of votes) expect(l).to.match(/rpc\.\w+\s+\S+\s+#\d+ Raft\.requestVote[ :]/);
    const bad = raftgrade(...base, "--trace-from", "2", "--trace-to", "1");
    expect([bad.status, bad.stderr.trim()]).to.deep.equal([2, "raftgrade: --trace-from is after --trace-to"]);
  });

  it("merge combines the shards' coverage (a line any shard ran counts) and renders the HTML index", async () => {
    const args = [
      "grade",
      "--impl",
      "reference",
      "--part",
      "3B",
      "--grep",
      "TestBasicAgree3B|TestFailNoAgree3B",
      "--jobs",
      "1",
      "--coverage",
      "--no-reference-timing",
    ];
    const shards = await Promise.all(
      [1, 2].map((i) => raftgradeAsync(...args, "--shard", `${i}/2`, "--out", path.join(tmp, `cov-shard${i}`))),
    );
    for (const r of shards) expect(r.status, r.stdout + r.stderr).to.equal(0);
    const merged = path.join(tmp, "cov-merged");
    const m = raftgrade("merge", path.join(tmp, "cov-shard1"), path.join(tmp, "cov-shard2"), "--out", merged);
    expect(m.status, m.stdout + m.stderr).to.equal(0);
    expect(m.stdout).to.match(/coverage merged from 2 of 2 folders:[\s\S]*Lines\s*:\s*\d+(\.\d+)?%/);
    const lines = (dir: string) => readJson(path.join(dir, "coverage", "coverage-summary.json")).total.lines;
    const [a, b, all] = [lines(path.join(tmp, "cov-shard1")), lines(path.join(tmp, "cov-shard2")), lines(merged)];
    expect(all.total).to.equal(a.total);
    expect(all.covered).to.be.at.least(Math.max(a.covered, b.covered));
    expect(all.covered).to.be.at.most(a.covered + b.covered);
    expect(fs.existsSync(path.join(merged, "index.html"))).to.equal(true);
  });

  it("measures coverage of the graded implementation only (--coverage), HTML + lcov + summary in the report folder", () => {
    const dir = path.join(tmp, "coverage");
    const r = raftgrade(
      "grade",
      "--impl",
      "reference",
      "--part",
      "3A",
      "--grep",
      "TestReElection3A",
      "--seeds",
      "2",
      "--jobs",
      "2",
      "--coverage",
      "--out",
      dir,
    );
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/coverage of reference\/\*\*:[\s\S]*Lines\s*:\s*\d+(\.\d+)?%/);
    for (const file of ["index.html", "lcov.info", "summary.txt", "coverage-summary.json"])
      expect(fs.existsSync(path.join(dir, "coverage", file)), file).to.equal(true);
    const sources = fs.readFileSync(path.join(dir, "coverage", "lcov.info"), "utf8").match(/^SF:.*$/gm) ?? [];
    expect(sources.length).to.be.greaterThan(3);
    for (const sf of sources) expect(sf).to.match(/^SF:(.*\/)?reference\/.*\.ts$/);
    const summary = readJson(path.join(dir, "coverage", "coverage-summary.json"));
    expect(summary.total.lines.pct).to.be.greaterThan(30);
  });

  it("a worker that dies or hangs fails the run it was running, with the reason, and the sweep goes on", () => {
    const impl = path.join(tmp, "hostile");
    fs.mkdirSync(impl);
    // 3-peer tests: the process kills itself; the 7-peer test (TestManyElections3A): a loop that never yields.
    fs.writeFileSync(
      path.join(impl, "index.ts"),
      'export const makeRaft = (peers: unknown[]) => {\n  if (peers.length === 7) for (;;);\n  process.kill(process.pid, "SIGKILL");\n};\n',
    );
    const dir = path.join(tmp, "hostile-report");
    const r = raftgrade(
      "grade",
      "--impl",
      impl,
      "--part",
      "3A",
      "--jobs",
      "1",
      // 30 s: the crashing runs must finish inside it on a busy machine (their graded process starts
      // and compiles the module first); only the loop that never yields waits it out.
      "--run-timeout",
      "30",
      "--no-reference-timing",
      "--out",
      dir,
    );
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    const runs = readJson(path.join(dir, "results.json")).runs;
    expect(runs.map((x: { id: string; failureKind: string }) => [x.id, x.failureKind])).to.deep.equal([
      ["3A/TestInitialElection3A", "crash"],
      ["3A/TestReElection3A", "crash"],
      ["3A/TestManyElections3A", "killed"],
    ]);
    expect(runs[0].message).to.include("the graded process was killed by SIGKILL during the run");
    expect(runs[2].message).to.include("killed: the run took more than 30 s of real time (--run-timeout)");
    expect(runs[0].replay).to.equal(`raftgrade replay --impl ${impl} --test 3A/TestInitialElection3A --seed 1`);
  });

  it("Ctrl-C stops the sweep and still writes every report for the runs that finished (exit status 130)", async () => {
    const dir = path.join(tmp, "interrupted");
    const child = spawn(
      process.execPath,
      [
        BIN,
        "grade",
        "--impl",
        "reference",
        "--part",
        "3A",
        "--seeds",
        "40",
        "--jobs",
        "1",
        "--no-reference-timing",
        "--out",
        dir,
      ],
      { cwd: ROOT },
    );
    let stdout = "";
    let sent = false;
    child.stdout.on("data", (d) => {
      stdout += d;
      if (!sent && /\[2\/120\]/.test(stdout)) sent = child.kill("SIGINT"); // once: a second Ctrl-C quits at once
    });
    const status = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    expect(status, stdout).to.equal(130);
    const results = readJson(path.join(dir, "results.json"));
    expect(results.interrupted).to.equal(true);
    expect(results.runs.length).to.be.within(2, 119);
    expect(results.plannedRuns).to.equal(120);
    for (const file of REPORT_FILES) expect(fs.existsSync(path.join(dir, file)), file).to.equal(true);
    expect(stdout).to.match(/interrupted: \d+ of 120 runs finished/);
  });

  it("exits 3 when every run passed but the reports could not be written, saying why", () => {
    const blocker = path.join(tmp, "not-a-folder");
    fs.writeFileSync(blocker, "");
    const r = raftgrade(
      "grade",
      "--impl",
      "reference",
      "--test",
      "3A/TestInitialElection3A",
      "--out",
      path.join(blocker, "run"),
    );
    expect(r.status, r.stdout + r.stderr).to.equal(3);
    expect(r.stderr).to.include(`could not write the report into ${path.join(blocker, "run")}: ENOTDIR`);
    expect(r.stdout).to.include("score: 33.34 / 33.34");
  });

  it("init makes a standalone student project whose imports work from its new folder; list prints ids, parts and points", () => {
    const dir = path.join(tmp, "my-labs");
    const r = raftgrade("init", dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(fs.readdirSync(dir).sort()).to.deep.equal([
      ".gitignore",
      "README.md",
      "classic-clerk.ts",
      "classic-kv-server.ts",
      "clerk.ts",
      "index.ts",
      "kv-server.ts",
      "package.json",
      "raft.ts",
      "rsm.ts",
      "tsconfig.json",
    ]);
    expect(fs.readFileSync(path.join(dir, "raft.ts"), "utf8"))
      .to.include('from "raftgrade"')
      .and.not.include("harness/");
    const pkg = readJson(path.join(dir, "package.json"));
    expect(pkg.name).to.equal("my-labs");
    expect(pkg.devDependencies.raftgrade).to.equal(`^${readJson(path.join(ROOT, "package.json")).version}`);
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    for (const command of [
      "npx raftgrade grade --impl . --part 3A",
      "npx raftgrade replay --impl . --test",
      "--seeds 50",
    ])
      expect(readme).to.include(command);
    expect(fs.readFileSync(path.join(dir, ".gitignore"), "utf8")).to.include("reports/");

    const graded = raftgrade(
      "grade",
      "--impl",
      dir,
      "--grep",
      "TestInitialElection3A",
      "--no-reference-timing",
      "--strict-linearizability",
      "--reports",
      path.join(tmp, "my-reports"),
    );
    expect(graded.status, graded.stdout + graded.stderr).to.equal(1);
    expect(graded.stdout).to.include("strict linearizability (a timed-out check fails)");
    expect(graded.stdout).to.include("not implemented yet: Raft.getState (student/raft.ts)");
    expect(graded.stdout).to.include(`--test 3A/TestInitialElection3A --seed 1 --strict-linearizability`);

    const list = raftgrade("list", "--part", "3A", "--json");
    expect(list.status).to.equal(0);
    expect(
      JSON.parse(list.stdout).map((t: { id: string; part: string; points: number }) => [t.id, t.part, t.points]),
    ).to.deep.equal([
      ["3A/TestInitialElection3A", "3A", 33.34],
      ["3A/TestReElection3A", "3A", 33.33],
      ["3A/TestManyElections3A", "3A", 33.33],
    ]);
  });

  it("--test names a test of a part that runs only when named, without --part", () => {
    const dir = path.join(tmp, "named-3x");
    const out = raftgrade(
      "grade",
      "--impl",
      "reference",
      "--test",
      "3X/TestStaleVoteReply3X",
      "--html-pages",
      "0",
      "--no-reference-timing",
      "--out",
      dir,
    );
    expect(out.status, out.stdout + out.stderr).to.equal(0);
    const results = readJson(path.join(dir, "results.json"));
    expect(results.runs.map((r: { id: string }) => r.id)).to.deep.equal(["3X/TestStaleVoteReply3X"]);
    expect(results.byTest[0].hazards).to.deep.equal([
      { hazard: "a vote granted in one term delivered after its candidate's term moved on", reached: 1, runs: 1 },
    ]);
    expect(out.stdout).to.include("Hazard coverage:\n  3X/TestStaleVoteReply3X: a vote granted");
  });

  it("list without --part shows every test, the classic lab's and the parts beyond the lab marked as run only when named", () => {
    const list = raftgrade("list");
    expect(list.status, list.stderr).to.equal(0);
    expect(list.stdout).to.match(/^3A\/TestInitialElection3A +3A +33\.34$/m);
    expect(list.stdout).to.match(/^classic-4A\/TestBasic4A +classic-4A +\d+\.\d\d  \(run only when named\)$/m);
    expect(list.stdout).to.include(
      "58 tests (700 points) run by default; 34 tests (400 points) of 3X, 4X, classic-4A, classic-4B run only when named",
    );
    const json = JSON.parse(raftgrade("list", "--json").stdout) as { id: string; runByDefault: boolean }[];
    expect(json.filter((t) => !t.runByDefault).map((t) => t.id))
      .to.have.length(34)
      .and.to.satisfy((ids: string[]) => ids.every((id) => /^(classic-|3X\/|4X\/)/.test(id)));
    const beyond = raftgrade("list", "--part", "beyond", "--json");
    expect((JSON.parse(beyond.stdout) as { id: string }[]).map((t) => t.id)).to.deep.equal([
      "3X/TestFigure8Scenario3X",
      "3X/TestVoterRestartsAfterVote3X",
      "3X/TestStaleVoteReply3X",
      "3X/TestStaleAppendReply3X",
      "3X/TestAckThenCrash3X",
      "3X/TestStaleSnapshot3X",
      "3X/TestStaleLeaderHeard3X",
      "3X/TestLivenessAfterFaults3X",
      "3X/TestFigure8Latency3X",
      "4X/TestSubmitReplacedBySameRequest4X",
      "4X/TestKillWhileSubmitsWait4X",
    ]);
  });
});
