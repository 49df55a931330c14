/**
 * Times the linearizability checker on every history of data/histories: each file is
 * checked a few times after a warm-up pass, and its median counts. Prints every file's time next
 * to porcupine's (data/histories/porcupine-times.jsonl, a 2-core machine) with the ratio, then
 * the totals, the median ratio and the worst five ratios. Asserts only that every verdict is the
 * expected one; speed is for reading, not for failing.
 *
 *   node -r ts-node/register/transpile-only bench/checker.ts [RUNS]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkOperations } from "../harness/checker/check";
import { modelNamed } from "../harness/checker/models";
import { readHistoryFile } from "../harness/checker/history-file";
import { realClock } from "../harness/checker/clock";

const DIR = path.resolve(__dirname, "../data/histories");
const RUNS = Number(process.argv[2] ?? 7);

/** Porcupine's median for each file, in ms, from data/histories/porcupine-times.jsonl (a 2-core machine like this one). */
function porcupineTimes(): Map<string, number> {
  const file = path.join(DIR, "porcupine-times.jsonl");
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  return new Map(
    lines.map((line) => {
      const r = JSON.parse(line) as { file: string; porcupine_ms: number };
      return [r.file.replace(/\.json$/, ""), r.porcupine_ms];
    }),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function main(): void {
  if (!fs.existsSync(DIR)) throw new Error(`no histories at ${DIR}: the repository's histories are missing`);
  const files = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const histories = files.map((f) => readHistoryFile(path.join(DIR, f)));
  const check = (i: number) =>
    checkOperations(modelNamed(histories[i].model ?? ""), histories[i].operations, { timeoutMs: 60_000 });

  for (let i = 0; i < files.length; i++) {
    const verdict = check(i).verdict; // the warm-up pass, which also checks every verdict
    if (verdict !== histories[i].expected)
      throw new Error(`${files[i]}: verdict ${verdict}, expected ${histories[i].expected}`);
  }
  const times = files.map((file, i) => {
    const runs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const start = realClock();
      check(i);
      runs.push(realClock() - start);
    }
    return { name: histories[i].name, ms: median(runs) };
  });

  const porcupine = porcupineTimes();
  const total = times.reduce((sum, t) => sum + t.ms, 0);
  const compared = times
    .filter((t) => porcupine.has(t.name))
    .map((t) => ({ ...t, porcupineMs: porcupine.get(t.name)!, ratio: t.ms / porcupine.get(t.name)! }));
  const ourTotal = compared.reduce((sum, t) => sum + t.ms, 0);
  const theirTotal = compared.reduce((sum, t) => sum + t.porcupineMs, 0);
  const row = (name: string, ms: number, theirs: number | undefined) =>
    `  ${name.padEnd(12)} ${ms.toFixed(3).padStart(10)} ms   porcupine ${theirs === undefined ? "        ?" : theirs.toFixed(3).padStart(9)} ms   ratio ${theirs === undefined ? "?" : (ms / theirs).toFixed(2)}`;
  console.log(
    `checker: ${files.length} histories, median of ${RUNS} runs each after a warm-up (load average ${loadAverage()})`,
  );
  console.log("file by file (ratio = our time / porcupine's):");
  for (const t of times) console.log(row(t.name, t.ms, porcupine.get(t.name)));
  console.log(
    `total of the ${compared.length} files porcupine timed: ${ourTotal.toFixed(1)} ms against ${theirTotal.toFixed(1)} ms (ratio ${(ourTotal / theirTotal).toFixed(2)}); all ${files.length} files: ${total.toFixed(1)} ms`,
  );
  console.log(
    `median ratio ${median(compared.map((t) => t.ratio)).toFixed(2)}; files slower than porcupine: ${compared.filter((t) => t.ratio > 1).length} of ${compared.length}`,
  );
  console.log("worst five ratios:");
  for (const t of [...compared].sort((a, b) => b.ratio - a.ratio).slice(0, 5))
    console.log(row(t.name, t.ms, t.porcupineMs));
}

function loadAverage(): string {
  return require("node:os").loadavg()[0].toFixed(1);
}

main();
