/**
 * What sealed runs cost: the same grades, sealed (the default) and --unsealed, side by side on this
 * machine: the whole `npm run grade` (3A-4C, seed 1) and one seed of the classic lab, each as a
 * whole command; then, from the sealed report, the crossings per run (steps to the graded process
 * and callouts back) and the real time per crossing.
 *
 *   node -r ts-node/register/transpile-only bench/sealed.ts [repeats]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const repeats = Number(process.argv[2] ?? 1);

interface Run {
  id: string;
  realMs: number;
  crossings?: { steps: number; callouts: number };
}

function grade(args: string[]): { wallS: number; runs: Run[] } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-bench-sealed-"));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "bin", "raftgrade.js"),
      "grade",
      "--impl",
      "reference",
      "--no-reference-timing",
      "--html-pages",
      "0",
      "--out",
      out,
      ...args,
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`grade ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  const runs = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8")).runs as Run[];
  fs.rmSync(out, { recursive: true, force: true });
  return { wallS, runs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [label, args] of [
  ["3A-4C, seed 1", []],
  ["classic, seed 1", ["--part", "classic"]],
] as [string, string[]][]) {
  const walls: Record<string, number[]> = { unsealed: [], sealed: [] };
  let sealedRuns: Run[] = [];
  for (let i = 0; i < repeats; i++) {
    walls.unsealed.push(grade([...args, "--unsealed"]).wallS);
    const sealed = grade(args);
    walls.sealed.push(sealed.wallS);
    sealedRuns = sealed.runs;
  }
  const [u, s] = [median(walls.unsealed), median(walls.sealed)];
  console.log(
    `${label}: unsealed ${u.toFixed(1)} s, sealed ${s.toFixed(1)} s (${(s / u).toFixed(2)}x), median of ${repeats}`,
  );
  const steps = sealedRuns.reduce((n, r) => n + (r.crossings?.steps ?? 0), 0);
  const callouts = sealedRuns.reduce((n, r) => n + (r.crossings?.callouts ?? 0), 0);
  const realMs = sealedRuns.reduce((n, r) => n + r.realMs, 0);
  console.log(
    `  sealed: ${sealedRuns.length} runs, ${steps} steps and ${callouts} callouts in all (median ${median(sealedRuns.map((r) => r.crossings?.steps ?? 0))} steps a run), ${((realMs * 1000) / Math.max(1, steps + callouts)).toFixed(0)} µs of run time per crossing`,
  );
}
