/**
 * Int32Arrays carved out of one buffer. Each typed array allocated on its own costs about a
 * microsecond (a buffer outside the JS heap), which on a small history is more than the search: a
 * check allocates one arena for the fixed-size arrays of all its searches.
 */

/** Arrays by name, with their lengths. */
export type Lengths<Name extends string> = Record<Name, number>;

/** The words a set of arrays takes. */
export function int32sOf(lengths: Lengths<string>): number {
  let total = 0;
  for (const name in lengths) total += lengths[name];
  return total;
}

export class Int32Arena {
  private readonly buffer: Int32Array;
  private at = 0;
  /** Words asked for so far, in the buffer or not. */
  asked = 0;

  constructor(words: number) {
    this.buffer = new Int32Array(words);
  }

  /** The next arrays of the buffer, zeroed; fresh ones once it is used up (a wrong size costs only time). */
  take<Name extends string>(lengths: Lengths<Name>): Record<Name, Int32Array> {
    const total = int32sOf(lengths);
    this.asked += total;
    const room = this.at + total <= this.buffer.length;
    const buffer = room ? this.buffer : new Int32Array(total);
    let at = room ? this.at : 0;
    const arrays = {} as Record<Name, Int32Array>;
    for (const name in lengths) arrays[name] = buffer.subarray(at, (at += lengths[name]));
    if (room) this.at = at;
    return arrays;
  }
}
