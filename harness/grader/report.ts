/**
 * Results of a run as data, collected from mocha's runner events, and the JSON report written to
 * reports/<run-id>/results.json. (The HTML, JUnit and Gradescope reporters build on these records.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type Mocha from "mocha";
import type { GradeConfig } from "./config";
import type { RunRecord } from "./lab-test";

export interface TestResult {
  /** Stable id: the full title, e.g. "3A TestInitialElection3A". */
  id: string;
  state: "passed" | "failed";
  part?: string;
  seed?: number;
  virtualMs?: number;
  realMs?: number;
  traceHash?: string;
  failureKind?: string;
  message?: string;
}

export function collectResults(runner: Mocha.Runner): { tests: TestResult[] } {
  const tests: TestResult[] = [];
  const record = (test: Mocha.Test, state: TestResult["state"], err?: Error) => {
    const run = (test as unknown as { raftgrade?: RunRecord }).raftgrade;
    tests.push({ id: test.fullTitle(), state, ...run, message: err?.message });
  };
  runner.on("pass", (test) => record(test, "passed"));
  runner.on("fail", (test, err) => {
    // Hook failures arrive as "fail" too; they are reported under the hook's title.
    record(test as Mocha.Test, "failed", err);
  });
  return { tests };
}

/** Writes results.json into a new run folder and returns its path; throws with the OS reason. */
export function writeReport(reportsDir: string, run: { config: GradeConfig; startedAt: Date; results: TestResult[] }): string {
  const runId = run.startedAt.toISOString().replace(/[:.]/g, "-");
  const dir = path.resolve(reportsDir, runId);
  fs.mkdirSync(dir, { recursive: true });
  const passed = run.results.filter((r) => r.state === "passed").length;
  const file = path.join(dir, "results.json");
  const report = {
    tool: "raftgrade",
    startedAt: run.startedAt.toISOString(),
    implementation: run.config.impl,
    layers: run.config.layers,
    seed: run.config.seed,
    summary: { tests: run.results.length, passed, failed: run.results.length - passed },
    tests: run.results,
  };
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  return file;
}
