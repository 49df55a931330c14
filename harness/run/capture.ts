/**
 * Captures what a run prints (console and direct writes to stdout/stderr) in a worker, keeping
 * only the end when a run prints a lot, so a chatty implementation cannot exhaust the grader.
 * A run that prints more than OUTPUT_LIMIT in all fails: at that rate the printing, not the
 * code under test, is what the grader spends its time on.
 */
import { activeWorld } from "../sim/world";
import { SimulationFailure } from "../sim/errors";

const LIMIT = 8 * 1024;
const OUTPUT_LIMIT_MIB = 64;
const OUTPUT_LIMIT = OUTPUT_LIMIT_MIB * 1024 * 1024;

export interface Captured {
  stop(): void;
  text(): string;
}

/**
 * `onText` sees every write in full, before the cap, while it happens: the HTML report's recorder
 * stamps each line with the virtual time and the node that printed it.
 */
export function captureOutput(limit = LIMIT, onText?: (text: string) => void): Captured {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let chunks: string[] = [];
  let size = 0;
  let dropped = 0;
  let total = 0;
  let overflowed = false;
  const write = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    onText?.(text);
    chunks.push(text);
    size += text.length;
    total += text.length;
    if (total > OUTPUT_LIMIT && !overflowed) {
      overflowed = true;
      activeWorld()?.fail(
        new SimulationFailure(
          "output-limit",
          `the run printed more than ${OUTPUT_LIMIT_MIB} MiB of output; turn debug printing off (or down) for grading`,
        ),
      );
    }
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
