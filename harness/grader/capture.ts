/**
 * Captures what a run prints (console and direct writes to stdout/stderr) in a worker, keeping
 * only the end when a run prints a lot, so a chatty implementation cannot exhaust the grader.
 */
const LIMIT = 8 * 1024;

export interface Captured {
  stop(): void;
  text(): string;
}

export function captureOutput(limit = LIMIT): Captured {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let chunks: string[] = [];
  let size = 0;
  let dropped = 0;
  const write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    chunks.push(text);
    size += text.length;
    if (size > 2 * limit) {
      const all = chunks.join("");
      dropped += all.length - limit;
      chunks = [all.slice(-limit)];
      size = limit;
    }
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") (done as () => void)();
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
  return {
    stop() {
      process.stdout.write = out;
      process.stderr.write = err;
    },
    text() {
      const all = chunks.join("");
      const skipped = dropped + Math.max(0, all.length - limit);
      return (skipped > 0 ? `[… ${skipped} earlier characters not kept]\n` : "") + all.slice(-limit);
    },
  };
}
