/**
 * The applier: one long-lived task that hands committed entries to the service, strictly in
 * index order and one at a time (each send waits for the receiver). The receiver may call
 * snapshot() or an InstallSnapshot may arrive during any send, so the state is re-read after
 * every await: if the log start moved past lastApplied, the snapshot is delivered instead.
 */
import type { Raft } from "./raft";
import type { ApplyMsg } from "raftgrade";

export function wakeApplier(rf: Raft): void {
  const wake = rf.applierWake;
  rf.applierWake = undefined;
  wake?.();
}

export async function runApplier(rf: Raft): Promise<void> {
  while (!rf.killed) {
    let msg: ApplyMsg;
    if (rf.lastApplied < rf.log.snapIndex) {
      msg = {
        snapshotValid: true,
        snapshot: rf.snapshotData.slice(),
        snapshotTerm: rf.log.snapTerm,
        snapshotIndex: rf.log.snapIndex,
      };
      rf.lastApplied = rf.log.snapIndex;
    } else if (rf.lastApplied < rf.commitIndex) {
      const index = rf.lastApplied + 1;
      msg = { commandValid: true, command: rf.log.entry(index).command, commandIndex: index };
      // Advanced before the send: the receiver may snapshot through this index while we wait.
      rf.lastApplied = index;
    } else {
      await new Promise<void>((resolve) => (rf.applierWake = resolve));
      continue;
    }
    try {
      await rf.applyCh.send(msg);
    } catch {
      return; // the channel was closed: the service is gone
    }
  }
}
