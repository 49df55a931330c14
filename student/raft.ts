/**
 * Your Raft (labs 3A–3D). Fill in the methods; the interfaces are in raftgrade's raft.ts and the
 * lab's rules in the handout. Use only setTimeout/setInterval and Math.random for time and
 * randomness: the grader runs them on virtual time with a seeded generator.
 */
import type { ApplyMsg, Channel, ClientEnd, Persister, Raft, RaftFactory, RaftState, StartResult } from "raftgrade";

function notImplemented(what: string): never {
  throw new Error(`not implemented yet: ${what} (student/raft.ts)`);
}

class StudentRaft implements Raft {
  constructor(
    readonly peers: ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly applyCh: Channel<ApplyMsg>,
  ) {
    // Your initialization code here (3A, 3B, 3C): restore from persister.readRaftState(),
    // start the election ticker with setTimeout, ...
  }

  getState(): RaftState {
    return notImplemented("Raft.getState");
  }

  start(command: unknown): StartResult {
    return notImplemented(`Raft.start(${JSON.stringify(command)})`);
  }

  snapshot(index: number, snapshot: Uint8Array): void {
    notImplemented(`Raft.snapshot(${index}, ${snapshot.length} bytes)`);
  }

  persistBytes(): number {
    return this.persister.raftStateSize();
  }

  kill(): void {
    // Stop your timers here; the grader also cancels them when it crashes a server.
  }
}

export const makeRaft: RaftFactory = (peers, me, persister, applyCh) => new StudentRaft(peers, me, persister, applyCh);
