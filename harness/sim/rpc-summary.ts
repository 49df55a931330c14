/**
 * One-line summaries of RPC arguments and replies for people reading a trace, a replay or the run
 * page: "term 3, leaderId 0, prevLogIndex 5, prevLogTerm 2, entries [2], leaderCommit 5". Numbers,
 * booleans and short strings are shown, arrays by their length, bytes by their size, anything
 * else by its first characters. Only for people: no summary is part of a trace hash.
 */
import { decode } from "./codec";
import { clip } from "./text";

const MAX_CHARS = 120;
const STRING_CHARS = 24;

/** The summary of an encoded value (the codec's bytes, as the network carries them). */
export function summarizeBytes(bytes: Uint8Array, max = MAX_CHARS): string {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch {
    return clip(`<${bytes.length} bytes: ${Buffer.from(bytes.subarray(0, 16)).toString("hex")}…>`, max);
  }
  return clip(summarize(value, true), max);
}

function summarize(value: unknown, top: boolean): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "string") return JSON.stringify(clip(value, STRING_CHARS));
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>);
    if (!top) return `{${fields.length}}`;
    return fields.map(([k, v]) => `${k} ${summarize(v, false)}`).join(", ");
  }
  return typeof value;
}
