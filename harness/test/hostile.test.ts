/**
 * Hostile submissions (fixtures/hostile/): each is graded through the CLI, in worker processes,
 * like any submission, and must end as a failed run with the exact reason, while every other run
 * of the sweep is still graded and every report file is written.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPORT_FILES } from "../report/write-reports";
import { parseXml } from "./grader-helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = "harness/test/fixtures/hostile";

interface Run {
  id: string;
  status: string;
  failureKind?: string;
  message?: string;
  details?: string;
  output?: string;
}

interface Case {
  fixture: string;
  /** The layer the fixture replaces. */
  layer?: "raft" | "rsm";
  part: string;
  tests: string[];
  extra?: string[];
  kind: string;
  message: RegExp;
  /** More to check on each failed run. */
  also?: (run: Run) => void;
}

const at = (file: string, line: number) => `\\(at ${FIXTURES}/${file}\\.ts:${line}\\)`;
const ELECTION = ["TestInitialElection3A", "TestReElection3A"];

const CASES: Case[] = [
  {
    fixture: "infinite-loop",
    part: "3A",
    tests: ELECTION,
    extra: ["--run-timeout", "2"],
    kind: "killed",
    message: /^killed: the run took more than 2 s of real time \(--run-timeout\)/,
  },
  {
    fixture: "memory-hog",
    part: "3A",
    tests: ELECTION,
    extra: ["--worker-memory", "128"],
    kind: "out-of-memory",
    message: /^out of memory: the graded code used more than 128 MiB \(--worker-memory\)/,
    // Which limit fires first is a race on a busy machine: V8's heap limit (its own report kept),
    // or the grader's check of resident memory (the size it measured).
    also: (run) =>
      expect(run.details).to.match(
        /^last output of the graded process:\n(.*\n){0,2}.*(heap out of memory|Allocation failed|Reached heap limit)|^stopped by the grader: the graded process held \d+ MiB of resident memory/,
      ),
  },
  {
    fixture: "hang-on-load",
    part: "3A",
    tests: ["TestInitialElection3A", "TestReElection3A", "TestManyElections3A"],
    extra: ["--load-timeout", "3"], // the module never finishes loading: no limit is too short
    kind: "killed",
    message:
      /^the graded code did not finish loading within 3 s \(--load-timeout\); a loop at the top level of a module never yields$/,
  },
  {
    fixture: "kill-self",
    part: "3A",
    tests: ELECTION,
    kind: "crash",
    message: /^the graded process was killed by SIGKILL during the run/,
  },
  {
    fixture: "exit-in-start",
    part: "3B",
    tests: ["TestBasicAgree3B", "TestFailAgree3B"],
    kind: "implementation",
    message: new RegExp(
      `^the graded code called process\\.exit\\(0\\); a submission must never end the process ${at("exit-in-start", 6)}$`,
    ),
  },
  {
    fixture: "throw-in-timer",
    part: "3A",
    tests: ELECTION,
    kind: "implementation",
    message: new RegExp(
      `^a timeout callback on server-0-1#1 threw: Error: ticker of server 1 lost its state ${at("throw-in-timer", 5)}$`,
    ),
    // The student's frames, not the simulator's.
    also: (run) =>
      expect(run.details).to.match(
        /^Error: ticker of server 1 lost its state\n {4}at checkTicker \(.*throw-in-timer\.ts:5:9\)\n.*throw-in-timer\.ts:10:\d+\)\n {4}… \d+ harness frames$/,
      ),
  },
  {
    fixture: "throw-in-handler",
    part: "3A",
    tests: ELECTION,
    kind: "implementation",
    message: new RegExp(
      `^RPC handler Raft\\.requestVote on server-0-\\d#1 threw: TypeError: server \\d: cannot read votes of undefined ${at("throw-in-handler", 6)}$`,
    ),
  },
  {
    fixture: "unhandled-rejection",
    part: "3A",
    tests: ELECTION,
    kind: "implementation",
    message: new RegExp(
      `^unhandled error in the graded code \\(server-0-2#1, at 0\\.150s virtual\\): Error: server 2: persisted state is corrupt ${at("unhandled-rejection", 6)}$`,
    ),
  },
  {
    fixture: "never-resolves",
    layer: "rsm",
    part: "4A",
    tests: ["TestBasic4A"],
    kind: "virtual-time-limit",
    message:
      /^test took longer than 120 seconds \(virtual time\), waiting for submit\(\{"op":"Inc"\}\) on server-0-0#1 \(waiting since 0\.000s\)$/,
  },
  {
    fixture: "function-over-rpc",
    part: "3A",
    tests: ELECTION,
    kind: "implementation",
    message:
      /^RPC Raft\.requestVote sent by server-0-0#1: cannot encode args\.onReply\.done: a function \(done\) cannot be encoded; send plain data/,
  },
  {
    fixture: "console-flood",
    part: "3A",
    tests: ELECTION,
    kind: "output-limit",
    message: /^the run printed more than 64 MiB of output; turn debug printing off \(or down\) for grading$/,
    also: (run) => {
      expect(run.output).to.match(/^\[… \d+ earlier characters not kept\]\n/);
      expect(run.output!.length).to.be.below(8 * 1024 + 100);
    },
  },
  {
    fixture: "wrong-getstate",
    part: "3A",
    tests: ELECTION,
    kind: "implementation",
    message:
      /^getState\(\) on server-0-0#1 returned the array \[\d+,(true|false)\] \(return an object with named fields, not Go's tuple\); expected \{ term: integer, isLeader: boolean \}$/,
  },
  {
    fixture: "wrong-start",
    part: "3B",
    tests: ["TestBasicAgree3B"],
    kind: "implementation",
    message:
      /^start\(100\) on server-0-\d#1 returned -?\d+; expected \{ index: integer, term: integer, isLeader: boolean \}$/,
  },
  {
    fixture: "tamper-persister",
    part: "3A",
    tests: ELECTION,
    kind: "implementation",
    message: new RegExp(
      `threw: TypeError: Cannot assign to read only property 'raftStateSize' of object '#<(Sim|Graded)Persister>'; the persister, applyCh and ends the harness hands over are read-only ${at("tamper-persister", 5)}$`,
    ),
  },
  {
    fixture: "tamper-random",
    part: "3A",
    tests: ELECTION,
    kind: "integrity",
    message: /^the graded code replaced Math\.random during the run; /,
  },
  {
    fixture: "tamper-timers",
    part: "3A",
    tests: ELECTION,
    kind: "integrity",
    message: /^the graded code replaced setTimeout during the run; /,
  },
  // Sealed runs: the ways a Raft that never elects a leader tries to talk the grader into a pass.
  // Each must fail on the lab's own check, as the same Raft without the cheat does.
  ...["cheat-env", "cheat-harness", "cheat-transient"].map((fixture) => ({
    fixture,
    part: "3A",
    tests: ELECTION,
    kind: "test",
    message:
      /^expected one leader, got none; in the last 5\.0 s \(getState after every event\): no server started an election \(no new term\); no server claimed leadership$/,
  })),
  {
    fixture: "cheat-channel",
    part: "3A",
    tests: ELECTION,
    kind: "integrity",
    message: /^the graded process sent what is not the protocol \(a frame of \d+ bytes, more than the protocol allows/,
  },
  {
    fixture: "cheat-buffers",
    part: "3A",
    tests: ELECTION,
    extra: ["--worker-memory", "256"],
    kind: "out-of-memory",
    message: /^out of memory: the graded code used more than 256 MiB \(--worker-memory\), heap and buffers together/,
  },
];

/** Cheats that a sealed run makes harmless: the judge never sees them, and the run is judged on what it did. */
const HARMLESS = ["tamper-builtin", "tamper-console", "forge-result"];

/** Grades with the CLI; resolves to the report folder once the grader exits. */
function grade(
  name: string,
  args: string[],
  reports: string,
): Promise<{ dir: string; code: number | null; output: string }> {
  const out = path.join(reports, name);
  const argv = [
    path.join(ROOT, "bin", "raftgrade.js"),
    "grade",
    "--no-reference-timing",
    "--jobs",
    "2",
    "--out",
    out,
    ...args,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ dir: out, code, output }));
  });
}

function readRuns(dir: string, output: string): Run[] {
  const file = path.join(dir, "results.json");
  if (!fs.existsSync(file)) throw new Error(`no results.json; the grader printed:\n${output}`);
  return JSON.parse(fs.readFileSync(file, "utf8")).runs;
}

function expectAllReports(dir: string, runs: number): void {
  for (const file of REPORT_FILES) expect(fs.existsSync(path.join(dir, file)), file).to.equal(true);
  const junit = parseXml(fs.readFileSync(path.join(dir, "junit.xml"), "utf8"));
  const cases = junit.children.flatMap((suite) => suite.children.filter((c) => c.name === "testcase"));
  expect(cases.length, "JUnit test cases").to.equal(runs);
  expect(JSON.parse(fs.readFileSync(path.join(dir, "gradescope.json"), "utf8")).tests).to.be.an("array").that.is.not
    .empty;
}

describe("hostile submissions fail with a precise reason, and the sweep goes on", function () {
  this.timeout(600_000);
  const reports = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-hostile-"));
  after(() => fs.rmSync(reports, { recursive: true, force: true }));

  // Grade every fixture up front, two at a time (two workers each would only contend).
  const graded = new Map<string, ReturnType<typeof grade>>();
  before(() => {
    const queue = [...CASES];
    const next = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const grep = `^${c.part}/(${c.tests.join("|")})$`;
        // No HTML pages here (each would replay a failing run); the mixed sweep below keeps them.
        const run = grade(
          c.fixture,
          [
            `--${c.layer ?? "raft"}`,
            `${FIXTURES}/${c.fixture}.ts`,
            "--part",
            c.part,
            "--grep",
            grep,
            "--html-pages",
            "0",
            ...(c.extra ?? []),
          ],
          reports,
        );
        graded.set(c.fixture, run);
        await run;
      }
    };
    void Promise.all([next(), next()]);
  });

  for (const c of CASES) {
    it(`${c.fixture}: ${c.kind}`, async () => {
      while (!graded.has(c.fixture)) await new Promise((r) => setTimeout(r, 50));
      const { dir, code, output } = await graded.get(c.fixture)!;
      const runs = readRuns(dir, output);
      expect(code, output).to.equal(1);
      expect(runs.map((r) => r.id).sort()).to.deep.equal(c.tests.map((t) => `${c.part}/${t}`).sort());
      for (const run of runs) {
        expect(run.status, `${run.id}: ${run.message}`).to.equal("failed");
        expect(run.failureKind, `${run.id}: ${run.message}`).to.equal(c.kind);
        expect(run.message).to.match(c.message);
        c.also?.(run);
      }
      expectAllReports(dir, runs.length);
    });
  }

  for (const fixture of HARMLESS) {
    it(`${fixture}: harmless in a sealed run (the reference Raft under it passes)`, async () => {
      const { dir, code, output } = await grade(
        fixture,
        [
          "--raft",
          `${FIXTURES}/${fixture}.ts`,
          "--part",
          "3A",
          "--grep",
          `^3A/(${ELECTION.join("|")})$`,
          "--html-pages",
          "0",
        ],
        reports,
      );
      expect(code, output).to.equal(0);
      expect(readRuns(dir, output).map((r) => `${r.id} ${r.status}`)).to.deep.equal(
        ELECTION.map((t) => `3A/${t} passed`),
      );
    });
  }

  it("cheat-parent: signalling the processes above it does not stop the grade; the runs fail on the lab's check", async () => {
    const { dir, code, output } = await grade(
      "cheat-parent",
      [
        "--raft",
        `${FIXTURES}/cheat-parent.ts`,
        "--part",
        "3A",
        "--grep",
        `^3A/(${ELECTION.join("|")})$`,
        "--html-pages",
        "0",
      ],
      reports,
    );
    expect(code, output).to.equal(1);
    const runs = readRuns(dir, output);
    expect(runs).to.have.length(2);
    // As root the graded process runs as nobody and may not signal the grader; as another user it
    // can end its own worker, which costs that run only.
    const asRoot = process.getuid?.() === 0;
    for (const run of runs) {
      expect(run.status).to.equal("failed");
      if (asRoot) expect(`${run.failureKind}: ${run.message}`).to.match(/^test: expected one leader, got none; /);
    }
    expectAllReports(dir, 2);
  });

  it("cheat-cross-run: what one run leaves behind (real timers, cwd, threads) dies with its run's process; every run passes", async () => {
    const pids = "/tmp/raftgrade-cheat-cross-run";
    fs.rmSync(pids, { recursive: true, force: true });
    const { dir, code, output } = await grade(
      "cheat-cross-run",
      ["--raft", `${FIXTURES}/cheat-cross-run.ts`, "--part", "3A", "--seeds", "3", "--html-pages", "0"],
      reports,
    );
    expect(code, output).to.equal(0);
    const runs = readRuns(dir, output);
    expect(runs).to.have.length(9);
    for (const run of runs) expect(`${run.id} ${run.status}`, run.message).to.equal(`${run.id} passed`);
    // One graded process a run, each gone with its run (their timers and threads with them).
    const started = fs.readdirSync(pids).map(Number);
    expect(started).to.have.length(9);
    const alive = started.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive, "graded processes still running after the grade").to.deep.equal([]);
    fs.rmSync(pids, { recursive: true, force: true });
  });

  it("a submission that first uses a lazily defined built-in (TextEncoder, atob, AbortController) during a run passes: no false alarm", async () => {
    const { dir, code, output } = await grade(
      "benign-globals",
      ["--raft", `${FIXTURES}/benign-globals.ts`, "--part", "3A", "--html-pages", "0"],
      reports,
    );
    expect(code, output).to.equal(0);
    const runs = readRuns(dir, output);
    expect(runs.map((r) => `${r.id} ${r.status}`)).to.deep.equal([
      "3A/TestInitialElection3A passed",
      "3A/TestReElection3A passed",
      "3A/TestManyElections3A passed",
    ]);
  });

  it("a graded process that takes 12 s to load does not use up a 10 s --run-timeout: the run's time starts once it has loaded", async () => {
    const { dir, code, output } = await grade(
      "slow-load",
      ["--raft", `${FIXTURES}/slow-load.ts`, "--test", "3A/TestInitialElection3A", "--run-timeout", "10"].concat([
        "--html-pages",
        "0",
      ]),
      reports,
    );
    expect(code, output).to.equal(0);
    expect(readRuns(dir, output).map((r) => `${r.id} ${r.status}`)).to.deep.equal(["3A/TestInitialElection3A passed"]);
  });

  it("a sweep mixing passing runs with runs whose worker is killed reports every run", async () => {
    const { dir, code, output } = await grade(
      "mixed",
      ["--raft", `${FIXTURES}/mixed.ts`, "--part", "3A", "--seeds", "2", "--run-timeout", "30"],
      reports,
    );
    expect(code, output).to.equal(1);
    const runs = readRuns(dir, output);
    expect(runs).to.have.length(6);
    for (const run of runs) {
      if (run.id === "3A/TestManyElections3A") {
        expect(run.status).to.equal("failed");
        expect(run.failureKind).to.equal("killed");
      } else {
        expect(run.status, `${run.id}: ${run.message}`).to.equal("passed");
      }
    }
    expectAllReports(dir, 6);
    // The HTML report is written too; the killed runs have no trace hash to replay, and say so.
    expect(fs.readFileSync(path.join(dir, "index.html"), "utf8")).to.include("TestManyElections3A");
  });
});
