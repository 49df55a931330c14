/**
 * Your replicated state machine (lab 4A). It is handed the Raft factory to build on (yours or the
 * reference's), never imports one. Interfaces: raftgrade's rsm.ts. As in the lab's skeleton, the
 * constructor already makes the Raft; submitting through it is yours to write.
 */
import { Channel } from "raftgrade";
import type {
  ApplyMsg,
  ClientEnd,
  Persister,
  Raft,
  RaftFactory,
  RSM,
  RsmFactory,
  StateMachine,
  SubmitResult,
} from "raftgrade";

function notImplemented(what: string): never {
  throw new Error(`not implemented yet: ${what} (student/rsm.ts)`);
}

class StudentRsm implements RSM {
  private readonly applyCh = new Channel<ApplyMsg>();
  private readonly rf: Raft;

  constructor(
    readonly servers: ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly maxRaftState: number,
    readonly sm: StateMachine,
    makeRaft: RaftFactory,
  ) {
    this.rf = makeRaft(servers, me, persister, this.applyCh);
    // Your initialization code here (4A): start a reader of this.applyCh that calls sm.doOp for
    // each committed op and wakes the submit() waiting for it.
  }

  submit(req: unknown): Promise<SubmitResult> {
    return notImplemented(`RSM.submit(${JSON.stringify(req)})`);
  }

  raft(): Raft {
    return this.rf;
  }

  kill(): void {
    this.rf.kill();
    // Your code here (4A): resolve every blocked submit with ErrWrongLeader.
  }
}

export const makeRsm: RsmFactory = (servers, me, persister, maxRaftState, sm, makeRaft) =>
  new StudentRsm(servers, me, persister, maxRaftState, sm, makeRaft);
