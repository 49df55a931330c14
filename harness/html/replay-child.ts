/**
 * Re-runs one failing run with full recording in a child process (`raftgrade replay ... --html
 * DIR`), never in the grader: the child runs graded code, which may hang, crash or exhaust memory,
 * and then only that page is missing. The child has the workers' limits: a heap size, and a real
 * time past which it is killed. What the run prints goes nowhere (the page's log has it); only
 * the end of the child's stderr is kept, to say why it failed.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../run/load";
import { killGroup } from "../run/process-group";

const BIN = path.join(PROJECT_ROOT, "bin", "raftgrade.js");
/** What is kept of the child's output, to say why it failed. */
const TAIL = 2000;

interface ChildResult {
  /** Undefined when the child did its job (exit status 0 or 1: the run passed or failed). */
  problem?: string;
  /** The last line the child printed. */
  lastLine: string;
}

export function replayInChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  limits: { timeoutMs: number; memoryMb: number },
): Promise<ChildResult> {
  const timeoutMs = limits.timeoutMs;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.memoryMb}`, BIN, ...args], {
      cwd: process.cwd(),
      env,
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-TAIL);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, "SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ problem: `the replay could not be started: ${e.message}`, lastLine: "" });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = lastLine(tail);
      if (timedOut)
        resolve({
          problem: `the replay took more than ${Math.round(timeoutMs / 1000)} s of real time and was stopped`,
          lastLine: last,
        });
      else if (code === 0 || code === 1) resolve({ lastLine: last });
      else
        resolve({
          problem: `the replay ${signal ? `was killed by ${signal}` : `exited with status ${code}`}${last ? `: ${last}` : ""}`,
          lastLine: last,
        });
    });
  });
}

function lastLine(text: string): string {
  const lines = text
    .trim()
    .split("\n")
    .filter((l) => l.trim());
  return (lines.at(-1) ?? "").slice(0, 300);
}
