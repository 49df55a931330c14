/**
 * The one seeded PRNG of a simulated run: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * 128-bit state, passes PractRand), seeded through splitmix32. It feeds the network, the tester and
 * the `Math.random` that implementations see, so a seed fixes every random choice of a run.
 */

/** A seed as users type it: a number, a bigint or any string. */
export type Seed = number | bigint | string;

/** Parses the `--seed` forms users type: decimal, 0x-hex, or any other text (hashed). */
export function normalizeSeed(seed: Seed): number {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    return seed;
  }
  if (typeof seed === "bigint") return Number(BigInt.asUintN(53, seed));
  const text = seed.trim();
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (/^0x[0-9a-f]+$/i.test(text)) return Number(BigInt.asUintN(53, BigInt(text)));
  if (/^[+-]?[\d.]+(e[+-]?\d+)?$/i.test(text))
    throw new RangeError(
      `seed must be a non-negative integer below 2^53 (or any text that is not a number), got ${text}`,
    );
  // Any other text: FNV-1a, so `--seed flaky-run` is still a stable seed.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** How many 32-bit draws were made; part of the trace, handy when two runs diverge. */
  draws = 0;

  constructor(seed: Seed) {
    const n = normalizeSeed(seed);
    // Fold both halves of a 53-bit seed into the splitmix state.
    const mix = splitmix32((n >>> 0) ^ Math.imul(Math.floor(n / 2 ** 32), 0x9e3779b1));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.next(); // warm up, as sfc32's author recommends
    this.draws = 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    this.draws++;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of randomness, the shape `Math.random` returns. */
  float(): number {
    return this.next() / 4294967296;
  }

  /** A uniform integer in [0, n), like Go's `rand.Intn(n)`; n must be a positive integer ≤ 2^32. */
  int(n: number): number {
    if (!(n > 0) || n > 4294967296 || !Number.isInteger(n)) throw new RangeError(`Rng.int: bad bound ${n}`);
    // Rejection keeps it unbiased: redraw the few values above the largest multiple of n.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.next();
    while (x >= limit) x = this.next();
    return x % n;
  }

  /** True with probability `num / den`. */
  chance(num: number, den: number): boolean {
    return this.int(den) < num;
  }

  /** A random string over [a-zA-Z0-9_-], e.g. for end names (labrpc uses 20-character names). */
  string(length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[this.next() & 63];
    return out;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
