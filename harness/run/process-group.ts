/**
 * Child processes that run graded code (workers, HTML replays) start in a process group of their
 * own, and are killed as a group: the sealed run's graded process goes with them, even when it is
 * stuck in a loop that never reads its pipe.
 */
import type { ChildProcess } from "node:child_process";

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal);
  }
}
