/**
 * Times the linearizability checker on every history of data/histories: each file is
 * checked a few times after a warm-up pass, and its median counts. Prints the total and the
 * slowest five next to porcupine's figures (data/histories/porcupine-times.jsonl, a 2-core machine). Asserts
 * only that every verdict is the expected one; speed is for reading, not for failing.
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

/** Porcupine's medians in ms (data/histories/porcupine-times.jsonl), for the files it names. */
const PORCUPINE_MS: Record<string, string> = {
  total: "600–740",
  "kv_c50-ok": "142–172",
  etcd_002: "145–238",
  etcd_007: "103–144",
  etcd_057: "43–75",
  etcd_099: "43–75",
  "kv_c50-bad": "16–34",
  etcd_075: "15–28",
};

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

  const total = times.reduce((sum, t) => sum + t.ms, 0);
  const byTime = [...times].sort((a, b) => b.ms - a.ms);
  const row = (name: string, ms: number) =>
    `  ${name.padEnd(12)} ${ms.toFixed(2).padStart(9)} ms   porcupine ${PORCUPINE_MS[name] ?? "?"} ms`;
  console.log(
    `checker: ${files.length} histories, median of ${RUNS} runs each after a warm-up (load average ${loadAverage()})`,
  );
  console.log(row("total", total));
  console.log("slowest five:");
  for (const t of byTime.slice(0, 5)) console.log(row(t.name, t.ms));
  console.log("porcupine's slowest, here:");
  for (const name of ["kv_c50-ok", "etcd_002", "etcd_007", "etcd_057", "etcd_099"])
    console.log(row(name, times.find((t) => t.name === name)!.ms));
  const fast = times.filter((t) => t.ms < 0.5).length;
  console.log(`${fast} of ${files.length} under 0.5 ms; median file ${median(times.map((t) => t.ms)).toFixed(3)} ms`);
}

function loadAverage(): string {
  return require("node:os").loadavg()[0].toFixed(1);
}

main();
