/**
 * Several Int32Arrays carved out of one buffer. Each typed array allocated on its own costs about a
 * microsecond (a buffer outside the JS heap), which on a small history is more than the search.
 */
export function int32Arrays<Name extends string>(lengths: Record<Name, number>): Record<Name, Int32Array> {
  let total = 0;
  for (const name in lengths) total += lengths[name];
  const buffer = new Int32Array(total);
  const arrays = {} as Record<Name, Int32Array>;
  let at = 0;
  for (const name in lengths) arrays[name] = buffer.subarray(at, (at += lengths[name]));
  return arrays;
}
