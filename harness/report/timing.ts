/**
 * The timing report: each test's RPCs, bytes and virtual time next to the reference implementation's
 * on the same seeds ("3.1× the reference's RPCs"). Only runs that passed on both sides are compared,
 * since a failed run stops early and would look cheap.
 */
import type { RunOutcome } from "../run/outcome";
import { isPassed } from "../run/outcome";
import { mean } from "./stats";

/** What the reference did on one item. */
export interface ReferenceFigures {
  id: string;
  seed: number;
  passed: boolean;
  rpcs: number;
  bytes: number;
  ops: number;
  virtualMs: number;
}

interface TimingRow {
  id: string;
  /** Runs compared (passed on both sides, same seeds). */
  compared: number;
  /** Runs of the graded implementation that passed. */
  passedRuns: number;
  graded: { rpcs: number; bytes: number; virtualMs: number };
  reference: { rpcs: number; bytes: number; virtualMs: number } | null;
  /** graded ÷ reference, null when there is nothing to compare. */
  ratio: { rpcs: number; bytes: number; virtualMs: number } | null;
}

export interface TimingReport {
  /** True when the graded implementation is the reference (nothing to compare). */
  isReference: boolean;
  note?: string;
  tests: TimingRow[];
}

export function figuresOf(o: RunOutcome): ReferenceFigures {
  return {
    id: o.id,
    seed: o.seed,
    passed: isPassed(o),
    rpcs: o.rpcs,
    bytes: o.bytes,
    ops: o.ops,
    virtualMs: o.virtualMs,
  };
}

export function buildTiming(
  runs: RunOutcome[],
  reference: ReferenceFigures[] | null,
  testIds: string[],
  opts: { isReference: boolean; note?: string },
): TimingReport {
  const ref = new Map((reference ?? []).map((f) => [`${f.id}@${f.seed}`, f]));
  const tests = testIds.flatMap((id): TimingRow[] => {
    const mine = runs.filter((r) => r.id === id);
    if (mine.length === 0) return [];
    const pairs = mine.filter(isPassed).flatMap((r) => {
      const f = ref.get(`${r.id}@${r.seed}`);
      return f && f.passed ? [[r, f] as const] : [];
    });
    const passed = mine.filter(isPassed);
    const graded = figures(reference ? pairs.map(([r]) => r) : passed);
    if (!reference || pairs.length === 0)
      return [{ id, compared: 0, passedRuns: passed.length, graded: figures(passed), reference: null, ratio: null }];
    const theirs = figures(pairs.map(([, f]) => f));
    const ratio = {
      rpcs: div(graded.rpcs, theirs.rpcs),
      bytes: div(graded.bytes, theirs.bytes),
      virtualMs: div(graded.virtualMs, theirs.virtualMs),
    };
    return [{ id, compared: pairs.length, passedRuns: passed.length, graded, reference: theirs, ratio }];
  });
  return { isReference: opts.isReference, note: opts.note, tests };
}

function figures(rows: { rpcs: number; bytes: number; virtualMs: number }[]) {
  return {
    rpcs: mean(rows.map((r) => r.rpcs)),
    bytes: mean(rows.map((r) => r.bytes)),
    virtualMs: mean(rows.map((r) => r.virtualMs)),
  };
}

function div(a: number, b: number): number {
  return b === 0 ? (a === 0 ? 1 : Infinity) : a / b;
}

/** The human-readable timing report. */
export function formatTiming(t: TimingReport): string {
  const lines = [
    "raftgrade timing report: means over the runs that passed" +
      (t.isReference
        ? " (this is the reference implementation: nothing to compare)"
        : ", against the reference on the same seeds"),
    "",
  ];
  if (t.note) lines.push(t.note, "");
  const width = Math.max(4, ...t.tests.map((r) => r.id.length));
  lines.push(
    `${"test".padEnd(width)}  ${"RPCs".padStart(22)}  ${"bytes".padStart(26)}  ${"virtual time".padStart(24)}`,
  );
  for (const r of t.tests) {
    const cell = (mine: number, ratio: number | undefined, fmt: (x: number) => string) =>
      ratio === undefined ? fmt(mine) : `${fmt(mine)} (${ratio === Infinity ? "∞" : ratio.toFixed(1)}×)`;
    if (r.passedRuns === 0) {
      lines.push(`${r.id.padEnd(width)}  no passing run: nothing to measure`);
      continue;
    }
    lines.push(
      `${r.id.padEnd(width)}  ${cell(r.graded.rpcs, r.ratio?.rpcs, (x) => x.toFixed(0)).padStart(22)}  ${cell(r.graded.bytes, r.ratio?.bytes, (x) => x.toFixed(0)).padStart(26)}  ${cell(r.graded.virtualMs / 1000, r.ratio?.virtualMs, (x) => `${x.toFixed(1)} s`).padStart(24)}`,
    );
  }
  const compared = t.tests.filter((r) => r.ratio);
  if (compared.length > 0) {
    lines.push("", "(n×) = n times the reference's figure on the same seeds; e.g. for RPCs:");
    for (const r of compared)
      lines.push(
        `  ${r.id}: ${r.ratio!.rpcs.toFixed(1)}× the reference's RPCs (${r.graded.rpcs.toFixed(0)} vs ${r.reference!.rpcs.toFixed(0)}, ${r.compared} seed${r.compared === 1 ? "" : "s"})`,
      );
  }
  return lines.join("\n") + "\n";
}
