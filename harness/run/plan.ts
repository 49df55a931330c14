/**
 * The work plan of a grading run: one item per (test, seed). Seeds for --seeds N are derived from
 * the base seed by the simulation's own PRNG, so the same flags always give the same plan, and a
 * shard takes every n-th item so that each shard gets a share of every test.
 */
import { Rng, normalizeSeed } from "../sim/rng";
import { DEFAULT_SEED } from "./config";
import { UsageError } from "./errors";

export interface WorkItem {
  /** Stable test id, e.g. 3A/TestInitialElection3A. */
  id: string;
  seed: number;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `--seed S`: the base seed (default 1). */
export function parseSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SEED;
  try {
    return normalizeSeed(text);
  } catch (e) {
    throw new UsageError(`--seed: ${(e as Error).message}`);
  }
}

/** A positive integer flag, with a message naming the flag and the bad value. */
export function parsePositiveInt(flag: string, value: unknown, max = 1_000_000): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return Number(text);
}

/**
 * N seeds from a base: the base itself first (so --seeds 1 is --seed S), then distinct 32-bit
 * seeds drawn from a PRNG seeded with the base.
 */
export function deriveSeeds(base: number, count: number): number[] {
  const seeds = [base];
  const seen = new Set(seeds);
  const rng = new Rng(base);
  while (seeds.length < count) {
    const s = rng.next();
    if (!seen.has(s)) {
      seen.add(s);
      seeds.push(s);
    }
  }
  return seeds;
}

/** `--shard i/n` with 1 ≤ i ≤ n. */
export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard must look like i/n (e.g. 2/4: the second of four shards), got "${text}"`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1) throw new UsageError(`--shard ${text}: the number of shards must be at least 1`);
  if (index < 1 || index > count) throw new UsageError(`--shard ${text}: the shard number must be from 1 to ${count}`);
  return { index, count };
}

/** Every (test, seed), test by test in the selection's order. */
export function buildPlan(testIds: string[], seeds: number[]): WorkItem[] {
  return testIds.flatMap((id) => seeds.map((seed) => ({ id, seed })));
}

/** Shard i of n takes items i-1, i-1+n, i-1+2n, … of the whole plan. */
export function shardOf(plan: WorkItem[], shard: Shard | undefined): WorkItem[] {
  if (!shard) return plan;
  return plan.filter((_, k) => k % shard.count === shard.index - 1);
}
