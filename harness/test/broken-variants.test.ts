/**
 * Proof that the specs can fail: each deliberately broken copy of the reference (a broken Raft for
 * 3A-3D, a broken rsm, KV server or clerk for 4A-4C, a broken classic KV server for the classic
 * lab) is graded on the specs that must catch it,
 * and each of those must fail with the expected message.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeMutant } from "./mutants/make-mutant";
import { BROKEN_RAFTS, type BrokenVariant } from "./mutants/broken-rafts";
import { BROKEN_SERVICES } from "./mutants/broken-services";
import { BROKEN_CLASSIC } from "./mutants/broken-classic";
import type { RunOutcome } from "../run/outcome";

const VARIANTS = [...BROKEN_RAFTS, ...BROKEN_SERVICES, ...BROKEN_CLASSIC];

const ROOT = path.resolve(__dirname, "..", "..");
const SEED = 1;

interface Graded {
  runs: Pick<RunOutcome, "id" | "status" | "message" | "failureKind" | "labVerdict">[];
}

/** Grades the mutant on the specs that must catch it; resolves to the run's results.json. */
function gradeMutant(broken: BrokenVariant, dir: string, reports: string): Promise<Graded> {
  const grep = `^(${broken.caughtBy.map((c) => c.test).join("|")})$`;
  const parts = [...new Set(broken.caughtBy.map((c) => c.test.split(" ")[0]))].join(",");
  const args = [
    path.join(ROOT, "bin", "raftgrade.js"),
    "grade",
    "--impl",
    dir,
    "--part",
    parts,
    "--grep",
    grep,
    "--seed",
    String(SEED),
    "--reports",
    reports,
    "--html-pages",
    "0",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", () => {
      const runs = fs.existsSync(reports) ? fs.readdirSync(reports) : [];
      if (runs.length !== 1) return reject(new Error(`grading ${broken.name} wrote no report:\n${output}`));
      resolve(JSON.parse(fs.readFileSync(path.join(reports, runs[0], "results.json"), "utf8")));
    });
  });
}

describe("broken variants fail the specs that must catch them", function () {
  this.timeout(600_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-broken-"));
  const dirs: string[] = [];
  after(() => [tmp, ...dirs].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  // Grade all variants up front, two at a time (the machine has two cores).
  const results = new Map<string, Promise<Graded>>();
  before(() => {
    const queue = [...VARIANTS];
    const worker = async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        const dir = makeMutant(b.name, b.mutations);
        dirs.push(dir);
        const graded = gradeMutant(b, dir, path.join(tmp, b.name));
        results.set(b.name, graded);
        await graded.catch(() => undefined);
      }
    };
    void Promise.all([worker(), worker()]);
  });

  for (const broken of VARIANTS) {
    it(`${broken.name}: ${broken.why}`, async () => {
      while (!results.has(broken.name)) await new Promise((r) => setTimeout(r, 50));
      const graded = await results.get(broken.name)!;
      for (const { test, message } of broken.caughtBy) {
        const id = test.replace(" ", "/"); // "3C TestPersist13C" is run 3C/TestPersist13C
        const result = graded.runs.find((r) => r.id === id);
        expect(result, `${test} did not run`).to.not.equal(undefined);
        expect(result!.status, `${test} passed on the ${broken.name} variant`).to.equal("failed");
        expect(result!.message).to.match(message);
        // An invariant's verdict comes with the lab's own on the same seed; neither hides the other.
        if (result!.failureKind === "invariant") expect(result!.labVerdict?.status, test).to.be.a("string");
        else expect(result!.labVerdict, test).to.equal(undefined);
      }
      // Only the term-monotonicity invariant sees a forgotten term: the lab's own checks pass that run.
      if (broken.name === "forgets-term")
        expect(graded.runs.find((r) => r.id === "3C/TestPersist13C")!.labVerdict).to.deep.equal({ status: "passed" });
    });
  }
});
