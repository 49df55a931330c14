/** --check-determinism: a Raft that draws on real randomness is named, with where its runs part. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeMutant } from "./mutants/make-mutant";

const ROOT = path.resolve(__dirname, "..", "..");

function grade(impl: string, reports: string) {
  const args = [
    path.join(ROOT, "bin", "raftgrade.js"),
    "grade",
    "--impl",
    impl,
    "--grep",
    "TestInitialElection3A",
    "--check-determinism",
    "--reports",
    reports,
  ];
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
}

describe("--check-determinism", function () {
  this.timeout(120_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-determinism-"));
  const mutant = makeMutant("crypto-timeouts", [
    {
      file: "raft/election.ts",
      find: "Math.floor(Math.random() * ELECTION_TIMEOUT_SPREAD_MS)",
      replace: 'require("node:crypto").randomInt(ELECTION_TIMEOUT_SPREAD_MS)',
    },
  ]);
  after(() => [tmp, mutant].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("is silent for the reference, which draws only on the simulation", () => {
    const r = grade("reference", path.join(tmp, "reference"));
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include("each test twice to check determinism");
    expect(r.stdout).to.not.include("is not deterministic");
  });

  it("warns, naming the test and the first event where the runs part, for a Raft using crypto randomness", () => {
    const reports = path.join(tmp, "mutant");
    const r = grade(mutant, reports);
    expect(r.stdout).to.match(
      /warning: 3A TestInitialElection3A is not deterministic, so its failures will not replay: the traces part at event \d+: first run: .+; second run: .+/,
    );
    const [run] = fs.readdirSync(reports);
    const report = JSON.parse(fs.readFileSync(path.join(reports, run, "results.json"), "utf8"));
    expect(report.runs[0].nondeterminism).to.match(/^the traces part at event \d+/);
  });
});
