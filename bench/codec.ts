/**
 * Codec speed: ops/sec for encoding and decoding a RequestVote-sized object and a 100-entry
 * AppendEntries, with JSON.stringify + Buffer.from (and back) as a yardstick.
 * Run: node -r ts-node/register/transpile-only bench/codec.ts
 */
import { decode, encode } from "../harness/sim/codec";

const requestVote = { term: 5, candidateId: 2, lastLogIndex: 100, lastLogTerm: 4 };
const appendEntries = {
  term: 7,
  leaderId: 1,
  prevLogIndex: 1200,
  prevLogTerm: 6,
  entries: Array.from({ length: 100 }, (_, i) => ({ term: 6 + (i >> 6), command: 1000 + i })),
  leaderCommit: 1195,
};

/** Runs `fn` for about `ms` real milliseconds and returns calls per second. */
function opsPerSec(fn: () => unknown, ms = 500): number {
  for (let i = 0; i < 1000; i++) fn(); // warm up the JIT
  let calls = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn();
    calls += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return (calls * 1e9) / Number(elapsed);
}

function report(label: string, value: unknown): void {
  const bytes = encode(value);
  const json = Buffer.from(JSON.stringify(value));
  const rows: [string, number][] = [
    ["codec encode", opsPerSec(() => encode(value))],
    ["codec decode", opsPerSec(() => decode(bytes))],
    ["JSON  encode", opsPerSec(() => Buffer.from(JSON.stringify(value)))],
    ["JSON  decode", opsPerSec(() => JSON.parse(json.toString()))],
  ];
  console.log(`${label}: ${bytes.length} bytes encoded (JSON ${json.length})`);
  for (const [name, ops] of rows) {
    console.log(
      `  ${name}  ${Math.round(ops).toLocaleString("en-US").padStart(12)} ops/s  ${(1e6 / ops).toFixed(3).padStart(8)} µs/op`,
    );
  }
}

report("RequestVote args", requestVote);
report("AppendEntries, 100 entries", appendEntries);
