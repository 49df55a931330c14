/**
 * The grader's pieces in-process: seeds and shards, flag parsing, part selection, the rubric, the
 * report formats (JUnit parsed, Gradescope's schema checked), the timing report, merging.
 */
import { expect } from "chai";
import { deriveSeeds, parseShard, buildPlan, shardOf, parsePositiveInt, parseSeed } from "../run/plan";
import { selectParts, selectTests, compileGrep } from "../run/select";
import { buildRubric, validateRubric } from "../report/rubric";
import { buildReport, RunMeta, Report } from "../report/report";
import type { RunOutcome } from "../run/outcome";
import { junitXml } from "../report/junit";
import { formatHazards } from "../report/table";
import { renderIndexPage } from "../html/index-page";
import { gradescopeResults } from "../report/gradescope";
import { buildTiming, formatTiming } from "../report/timing";
import { mergeReports } from "../cli/merge";
import { readConfig, writeConfig, replayCommand } from "../run/config";
import { UsageError } from "../run/errors";
import type { LabTestInfo } from "../run/discover";
import { parseXml, childrenNamed, validateGradescope } from "./grader-helpers";
import { createProgress } from "../cli/progress";
import { runSimulation } from "../sim/world";
import sinon from "sinon";

const info = (part: string, name: string): LabTestInfo => ({
  id: `${part}/${name}`,
  part,
  name,
  title: `${part} ${name}`,
  file: `${part}.spec.ts`,
});
const TESTS = [info("3A", "TestOne3A"), info("3A", "TestTwo3A"), info("3A", "TestThree3A"), info("3B", "TestOne3B")];

function outcome(id: string, seed: number, status: RunOutcome["status"], extra: Partial<RunOutcome> = {}): RunOutcome {
  return {
    id,
    part: id.split("/")[0],
    seed,
    status,
    warnings: [],
    virtualMs: 1000,
    realMs: 10,
    rpcs: 100,
    bytes: 1000,
    ops: 5,
    traceHash: `h${seed}`,
    ...extra,
  };
}

function meta(over: Partial<RunMeta> = {}): RunMeta {
  return {
    runId: "r",
    startedAt: "2025-01-01T00:00:00.000Z",
    finishedAt: "2025-01-01T00:01:00.000Z",
    interrupted: false,
    implementation: "student",
    layers: { raft: "student", rsm: "student", kv: "student", clerk: "student" },
    invariants: true,
    sealed: true,
    checkDeterminism: false,
    strictLinearizability: false,
    seeds: { base: 1, count: 2, list: [1, 2] },
    shard: null,
    planned: TESTS.map((t, k) => ({ id: t.id, title: t.title, part: t.part, order: k })),
    plannedRuns: 8,
    rubric: buildRubric(TESTS),
    reference: null,
    ...over,
  };
}

describe("grader: seeds, shards and flags", () => {
  it("derives N distinct seeds from a base, the base first, always the same", () => {
    const seeds = deriveSeeds(7, 50);
    expect(seeds[0]).to.equal(7);
    expect(new Set(seeds).size).to.equal(50);
    expect(deriveSeeds(7, 50)).to.deep.equal(seeds);
    expect(deriveSeeds(8, 3)).to.not.deep.equal(deriveSeeds(7, 3));
  });

  it("shards take every n-th item, cover the plan exactly once, and reject bad forms precisely", () => {
    const plan = buildPlan(["a", "b", "c"], [1, 2, 3]);
    const shards = [1, 2, 3, 4].map((i) => shardOf(plan, parseShard(`${i}/4`)));
    expect(
      shards
        .flat()
        .map((w) => `${w.id}@${w.seed}`)
        .sort(),
    ).to.deep.equal(plan.map((w) => `${w.id}@${w.seed}`).sort());
    expect(shards[0].map((w) => `${w.id}@${w.seed}`)).to.deep.equal(["a@1", "b@2", "c@3"]);
    expect(() => parseShard("3/2")).to.throw(UsageError, "--shard 3/2: the shard number must be from 1 to 2");
    expect(() => parseShard("0/2")).to.throw(UsageError, "the shard number must be from 1 to 2");
    expect(() => parseShard("half")).to.throw(
      UsageError,
      '--shard must look like i/n (e.g. 2/4: the second of four shards), got "half"',
    );
  });

  it("names the flag and the bad value of a numeric option", () => {
    expect(parsePositiveInt("--seeds", "5")).to.equal(5);
    expect(() => parsePositiveInt("--seeds", "0")).to.throw(
      UsageError,
      '--seeds must be a whole number from 1 to 1000000, got "0"',
    );
    expect(() => parsePositiveInt("--jobs", "two", 256)).to.throw(
      UsageError,
      '--jobs must be a whole number from 1 to 256, got "two"',
    );
    expect(() => parseSeed("-1")).to.throw(UsageError, "--seed: seed must be a non-negative integer");
  });

  it("selects parts by name, refuses unknown parts and parts without specs", () => {
    const parts = [
      { part: "3A", title: "Raft: leader election", files: ["raft/3A.spec.ts"] },
      { part: "9Z", title: "future lab", files: [] },
    ];
    expect(selectParts("3a", parts).map((p) => p.part)).to.deep.equal(["3A"]);
    expect(selectParts(undefined, parts).map((p) => p.part)).to.deep.equal(["3A"]);
    expect(() => selectParts("9Z", parts)).to.throw(
      UsageError,
      "part 9Z (future lab) has no specs yet; parts with specs: 3A",
    );
    expect(() => selectParts("4Q", parts)).to.throw(UsageError, 'unknown part "4Q"; parts are 3A, 9Z');
  });

  it("matches --grep against ids and titles, and --test ids exactly, with a suggestion", () => {
    expect(selectTests(TESTS, { grep: compileGrep("^3A/TestT") }).map((t) => t.name)).to.deep.equal([
      "TestTwo3A",
      "TestThree3A",
    ]);
    expect(selectTests(TESTS, { grep: compileGrep("^3B TestOne3B$") }).map((t) => t.id)).to.deep.equal([
      "3B/TestOne3B",
    ]);
    expect(selectTests(TESTS, { ids: ["3B/TestOne3B", "3A/TestOne3A"] }).map((t) => t.id)).to.deep.equal([
      "3B/TestOne3B",
      "3A/TestOne3A",
    ]);
    expect(() => selectTests(TESTS, { ids: ["3C/TestOne3B"] })).to.throw(
      UsageError,
      "--test 3C/TestOne3B: no such test (did you mean 3B/TestOne3B?)",
    );
    expect(() => compileGrep("(")).to.throw(UsageError, "--grep is not a valid regular expression");
  });

  it("--strict-linearizability travels to the specs as config.strictLinearizability, and into replay commands", () => {
    const env: NodeJS.ProcessEnv = {};
    writeConfig({ impl: "student", strictLinearizability: true, invariants: false }, env);
    const config = readConfig(env);
    expect(config.strictLinearizability).to.equal(true);
    expect(env.RAFTGRADE_STRICT_LINEARIZABILITY).to.equal("on");
    expect(replayCommand(config, "3A/TestOne3A", 9)).to.equal(
      "raftgrade replay --impl student --test 3A/TestOne3A --seed 9 --no-invariants --strict-linearizability",
    );
    expect(readConfig({}).strictLinearizability).to.equal(false);
  });
});

describe("grader: rubric", () => {
  it("by default gives each part 100 points, split in hundredths that add up exactly", () => {
    const rubric = buildRubric(TESTS);
    expect(rubric).to.deep.equal({
      "3A/TestOne3A": 33.34,
      "3A/TestTwo3A": 33.33,
      "3A/TestThree3A": 33.33,
      "3B/TestOne3B": 100,
    });
  });

  it("a file overrides part totals and single tests", () => {
    const file = validateRubric({ parts: { "3A": 10 }, tests: { "3A/TestTwo3A": 4 } }, TESTS, "r.json");
    expect(buildRubric(TESTS, file)).to.deep.equal({
      "3A/TestOne3A": 5,
      "3A/TestTwo3A": 4,
      "3A/TestThree3A": 5,
      "3B/TestOne3B": 100,
    });
  });

  it("names each problem of a rubric file with its place", () => {
    const bad: [unknown, string][] = [
      [[], 'r.json: top level: must be an object like {"parts": {"3A": 50}'],
      [{ part: {} }, 'r.json: "part": unknown key; a rubric has "parts" and "tests"'],
      [{ parts: { "3E": 5 } }, 'r.json: parts["3E"]: unknown part; parts are 3A, 3B'],
      [{ parts: { "3A": "ten" } }, 'r.json: parts["3A"]: points must be a non-negative number, got "ten"'],
      [
        { tests: { "3A/TestOne3A": -1 } },
        'r.json: tests["3A/TestOne3A"]: points must be a non-negative number, got -1',
      ],
      [{ tests: { "3B/TestTwo3A": 1 } }, 'r.json: tests["3B/TestTwo3A"]: no such test (did you mean 3A/TestTwo3A?)'],
      [{ tests: [] }, "r.json: tests: must be an object mapping test ids to points, got an array"],
    ];
    for (const [data, message] of bad)
      expect(() => validateRubric(data, TESTS, "r.json"), JSON.stringify(data)).to.throw(UsageError, message);
  });

  it("counts a test for points only if it passed on every seed it ran", () => {
    const report = buildReport(meta(), [
      outcome("3A/TestOne3A", 1, "passed"),
      outcome("3A/TestOne3A", 2, "passed-with-warning", { warnings: ["linearizability check timed out"] }),
      outcome("3A/TestTwo3A", 1, "passed"),
      outcome("3A/TestTwo3A", 2, "failed", { message: "boom", failureKind: "test" }),
      outcome("3B/TestOne3B", 1, "passed"),
    ]);
    expect(report.score).to.deep.equal({
      points: 133.34,
      max: 200,
      parts: { "3A": { points: 33.34, max: 100 }, "3B": { points: 100, max: 100 } },
    });
    expect(report.summary).to.include({
      tests: 4,
      passed: 2,
      failed: 1,
      notRun: 1,
      runs: 5,
      runsFailed: 1,
      runsWithWarnings: 1,
    });
    const two = report.byTest.find((t) => t.id === "3A/TestTwo3A")!;
    expect(two).to.include({ runs: 2, failures: 1, passRate: 0.5, passed: false, points: 0 });
    expect(two.failedSeeds).to.deep.equal([2]);
  });

  it("hazard coverage: per test, the runs that reached each hazard it aims at; a hazard no run reached is marked as not tested", () => {
    const a = "a voter restarted";
    const b = "a reply held across a term";
    const report = buildReport(meta(), [
      outcome("3A/TestOne3A", 1, "passed", { hazards: { [a]: 2, [b]: 0 } }),
      outcome("3A/TestOne3A", 2, "failed", { hazards: { [a]: 0, [b]: 0 }, message: "x", failureKind: "test" }),
      outcome("3A/TestTwo3A", 1, "passed"),
    ]);
    const one = report.byTest.find((t) => t.id === "3A/TestOne3A")!;
    expect(one.hazards).to.deep.equal([
      { hazard: a, reached: 1, runs: 2 },
      { hazard: b, reached: 0, runs: 2 },
    ]);
    expect(report.byTest.find((t) => t.id === "3A/TestTwo3A")!.hazards).to.equal(undefined);
    expect(formatHazards(report)).to.equal(
      `Hazard coverage:\n  3A/TestOne3A: ${a}: reached on 1 of 2 runs\n  3A/TestOne3A: ${b}: reached on 0 of 2 runs (NOT TESTED)\n`,
    );
    expect(formatHazards(buildReport(meta(), [outcome("3A/TestTwo3A", 1, "passed")]))).to.equal("");
    const html = renderIndexPage(report, []);
    expect(html).to.contain('<table id="hazards">');
    expect(html).to.contain(`<tr data-test="3A/TestOne3A" data-reached="0" data-runs="2">`);
  });
});

describe("grader: report formats", () => {
  const runs = [
    outcome("3A/TestOne3A", 1, "passed"),
    outcome("3A/TestTwo3A", 1, "failed", {
      message: 'apply error: <"bad"> & worse\nsecond line \x1b[31mred\x1b[0m \x07',
      failureKind: "invariant",
      replay: "raftgrade replay --impl student --test 3A/TestTwo3A --seed 1",
      output: "Test (3A): ... <ok>",
    }),
    outcome("3B/TestOne3B", 1, "passed-with-warning", { warnings: ["history check timed out"] }),
  ];
  const report = buildReport(meta({ seeds: { base: 1, count: 1, list: [1] } }), runs);

  it("JUnit: parses, one testsuite per part, failures as <failure> with message and type", () => {
    const root = parseXml(junitXml(report));
    expect(root.name).to.equal("testsuites");
    expect(root.attrs).to.include({ tests: "3", failures: "1" });
    const suites = childrenNamed(root, "testsuite");
    expect(suites.map((s) => s.attrs.name)).to.deep.equal(["3A", "3B"]);
    expect(suites[0].attrs).to.include({ tests: "2", failures: "1" });
    const failed = childrenNamed(suites[0], "testcase")[1];
    expect(failed.attrs.name).to.equal("TestTwo3A (seed 1)");
    const failure = childrenNamed(failed, "failure")[0];
    expect(failure.attrs).to.deep.equal({ message: 'apply error: <"bad"> & worse', type: "invariant" });
    expect(failure.text)
      .to.include("replay: raftgrade replay --impl student --test 3A/TestTwo3A --seed 1")
      .and.include("second line red");
    expect(childrenNamed(failed, "system-out")[0].text).to.equal("Test (3A): ... <ok>");
    expect(childrenNamed(childrenNamed(suites[1], "testcase")[0], "failure")).to.have.length(0);
  });

  it("Gradescope: score and tests[] with name, score, max_score, status, output", () => {
    const gs = gradescopeResults(report) as unknown as Record<string, unknown>;
    validateGradescope(gs);
    const tests = gs.tests as { name: string; score: number; max_score: number; status: string; output: string }[];
    expect(tests.map((t) => [t.name, t.score, t.max_score, t.status])).to.deep.equal([
      ["3A/TestOne3A", 33.34, 33.34, "passed"],
      ["3A/TestTwo3A", 0, 33.33, "failed"],
      ["3A/TestThree3A", 0, 33.33, "failed"],
      ["3B/TestOne3B", 100, 100, "passed"],
    ]);
    expect(tests[1].output).to.include("seed 1: apply error").and.include("replay: raftgrade replay");
    expect(tests[2].output).to.include("did not run");
    expect(gs.score).to.equal(133.34);
  });

  it("timing: the graded figures against the reference's on the same seeds", () => {
    const mine = [
      outcome("3A/TestOne3A", 1, "passed", { rpcs: 310 }),
      outcome("3A/TestOne3A", 2, "passed", { rpcs: 310 }),
    ];
    const reference = [1, 2, 3].map((seed) => ({
      id: "3A/TestOne3A",
      seed,
      passed: true,
      rpcs: 100,
      bytes: 1000,
      ops: 5,
      virtualMs: 2000,
    }));
    const t = buildTiming(mine, reference, ["3A/TestOne3A"], { isReference: false });
    expect(t.tests[0]).to.include({ compared: 2 });
    expect(t.tests[0].ratio).to.deep.equal({ rpcs: 3.1, bytes: 1, virtualMs: 0.5 });
    expect(formatTiming(t)).to.include("3A/TestOne3A: 3.1× the reference's RPCs (310 vs 100, 2 seeds)");
  });

  it("merging shards recomputes the score and keeps every run once, in plan order", () => {
    const half = (runsOf: RunOutcome[], index: number): Report =>
      buildReport(meta({ shard: { index, count: 2 }, runId: `s${index}` }), runsOf);
    const a = half(
      [
        outcome("3A/TestOne3A", 1, "passed"),
        outcome("3A/TestTwo3A", 1, "passed"),
        outcome("3A/TestThree3A", 1, "passed"),
        outcome("3B/TestOne3B", 1, "passed"),
      ],
      1,
    );
    const b = half(
      [
        outcome("3A/TestOne3A", 2, "passed"),
        outcome("3A/TestTwo3A", 2, "failed", { message: "x" }),
        outcome("3A/TestThree3A", 2, "passed"),
        outcome("3B/TestOne3B", 2, "passed"),
      ],
      2,
    );
    const { merged, warnings } = mergeReports([b, a]);
    expect(warnings).to.deep.equal([]);
    expect(merged.runs.map((r) => `${r.id}@${r.seed}`)).to.deep.equal([
      "3A/TestOne3A@1",
      "3A/TestOne3A@2",
      "3A/TestTwo3A@1",
      "3A/TestTwo3A@2",
      "3A/TestThree3A@1",
      "3A/TestThree3A@2",
      "3B/TestOne3B@1",
      "3B/TestOne3B@2",
    ]);
    expect(merged.score.points).to.equal(166.67);
    expect(merged.shard).to.equal(null);
    expect(mergeReports([a]).warnings).to.deep.equal([
      "shard 2/2 missing: the merged report covers only the shards given",
    ]);
    expect(() => mergeReports([a, { ...b, invariants: false }])).to.throw(
      UsageError,
      "cannot merge runs with different --no-invariants",
    );
  });
});

describe("grader: progress display", () => {
  function fakeStream(isTTY: boolean) {
    const chunks: string[] = [];
    return {
      stream: {
        isTTY,
        columns: 100,
        rows: 30,
        write: (s: string) => (chunks.push(s), true),
      } as unknown as NodeJS.WriteStream,
      text: () => chunks.join(""),
    };
  }

  it("on a terminal: a bar with ETA, per-test counts, and the first failure of a test printed as it happens", () => {
    const { stream, text } = fakeStream(true);
    const p = createProgress(stream, 4, "grading");
    p.started("3A/TestOne3A");
    p.finished(outcome("3A/TestOne3A", 1, "passed"));
    p.started("3A/TestOne3A");
    p.finished(
      outcome("3A/TestOne3A", 2, "failed", {
        message: "no leader\ndetails",
        replay: "raftgrade replay --test 3A/TestOne3A --seed 2",
      }),
    );
    p.started("3A/TestOne3A");
    p.finished(outcome("3A/TestOne3A", 3, "failed", { message: "again" }));
    p.done();
    const out = text();
    expect(out).to.match(/\[█+░+\] 3\/4 75% · 2 failed · ETA \d+:\d\d/);
    expect(out).to.match(/3A\/TestOne3A\s+✓\s+1\s+✗\s+2/);
    expect(out).to.include(
      "✗ 3A/TestOne3A seed 2: no leader\n    details\n    replay: raftgrade replay --test 3A/TestOne3A --seed 2",
    );
    expect(out).to.not.include("seed 3: again"); // only a test's first failure is printed in full
  });

  it("elsewhere: plain lines, one per run for small sweeps", () => {
    const { stream, text } = fakeStream(false);
    const p = createProgress(stream, 2, "grading");
    p.finished(outcome("3A/TestOne3A", 1, "passed"));
    p.finished(outcome("3A/TestOne3A", 2, "failed", { message: "boom" }));
    p.done();
    expect(text()).to.equal(
      "grading: 2 runs\n[1/2] ✓ 3A/TestOne3A seed 1 (1.0 s virtual, 10 ms real)\n[2/2] ✗ 3A/TestOne3A seed 2: boom\n",
    );
    expect(text()).to.not.include("\x1b[");
  });
});

describe("grader: worker hygiene", () => {
  it("leaves no finished run's fake clock in sinon's default sandbox (which would keep the whole world alive)", async () => {
    await runSimulation({ seed: 1 }, (world) => world.sleep(10));
    const isClock = (f: unknown) => typeof (f as { tickAsync?: unknown })?.tickAsync === "function";
    const fakes = (sinon as unknown as { getFakes(): unknown[] }).getFakes();
    expect(fakes.some(isClock)).to.equal(false);
  });
});
