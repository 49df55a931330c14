/**
 * The Rafts under a service (the rsm and KV testers): the service builds its own Raft with the
 * factory the harness hands it, so the harness wraps that factory to see each server's Raft —
 * to register it as the "Raft" RPC service, to ask its state, and to check Raft's safety
 * invariants as the Raft tester does: election safety and term monotonicity after every event,
 * and, on each command Raft hands the service on applyCh, state-machine safety (one command per
 * index across servers) and commit durability.
 */
import { World } from "../sim/world";
import { SimNode } from "../sim/node";
import { ImplementationError } from "../sim/errors";
import type { ApplyMsg, Raft, RaftFactory, RaftState } from "../api/raft";
import { Channel, watchSends } from "../api/channel";
import { callChecked, showCommand as show } from "./harness";
import { InvariantViolation, RaftInvariants } from "./invariants";
import { isRaft, isRaftState, RAFT_METHODS, sameCommand } from "./raft-tester";
import { recording } from "../sim/recorder";
import { isSealedFactory, observeRaftFactory } from "../sealed/markers";

export class ServiceRafts {
  private readonly rafts: (Raft | undefined)[];
  private readonly nodes: (SimNode | undefined)[];
  private readonly invariants: RaftInvariants | undefined;
  /** The first command any server's Raft delivered at each index. */
  private readonly delivered = new Map<number, { server: number; command: unknown }>();

  constructor(
    private readonly world: World,
    readonly n: number,
    private readonly makeRaft: RaftFactory,
    /** What the tester did to server i last, for invariant messages (the group's lastChange). */
    lastChange: (i: number) => string | undefined = () => undefined,
  ) {
    this.rafts = new Array(n).fill(undefined);
    this.nodes = new Array(n).fill(undefined);
    if (world.settings.invariants) {
      const invariants = new RaftInvariants(world, n, sameCommand, lastChange);
      this.invariants = invariants;
      world.onEvent(() => {
        const states = this.rafts.map((raft, i) => (raft && this.nodes[i]?.alive ? this.getState(i) : undefined));
        recording()?.raftStates(states, (i) => this.nodes[i]!.name); // before the check, so a violating state is on the report
        invariants.checkStates(states);
      });
    }
  }

  /** The factory handed to server i's service: builds the graded Raft and remembers it. */
  factoryFor(i: number, node: SimNode): RaftFactory {
    this.rafts[i] = undefined;
    this.nodes[i] = node;
    const made = (raft: unknown): Raft => {
      if (!isRaft(raft)) {
        const failure = new ImplementationError(
          `makeRaft(...) called by server ${i}'s service returned ${typeof raft === "object" && raft ? "an object without" : "something other than a Raft with"} the methods ${RAFT_METHODS.join(", ")}`,
        );
        this.world.fail(failure);
        throw failure;
      }
      this.rafts[i] = raft;
      return raft;
    };
    const wrapper: RaftFactory = (peers, me, persister, applyCh) => {
      if (this.invariants) this.observe(i, applyCh);
      return made(this.makeRaft(peers, me, persister, applyCh));
    };
    // Sealed: the service calls the factory on the graded side, which reports what it made and applied.
    if (!isSealedFactory(this.makeRaft)) return wrapper;
    return observeRaftFactory(wrapper, {
      onMade: (raft) => {
        try {
          made(raft);
        } catch {
          // the failure is the run's
        }
      },
      onApplied: (msg) => {
        if (this.invariants) this.deliveredTo(i, msg as ApplyMsg);
      },
    });
  }

  /** Server i's Raft; a failure if its service has not made one. */
  raft(i: number): Raft {
    const raft = this.rafts[i];
    if (!raft) {
      const failure = new ImplementationError(
        `server ${i}'s service did not create its Raft (call the makeRaft it is handed before returning)`,
      );
      this.world.fail(failure);
      throw failure;
    }
    return raft;
  }

  getState(i: number): RaftState {
    const raft = this.raft(i);
    return callChecked(
      this.world,
      this.nodes[i],
      "getState()",
      () => raft.getState(),
      isRaftState,
      "{ term: integer, isLeader: boolean }",
    );
  }

  /** Checks each command as the service receives it from server i's Raft. */
  private observe(i: number, applyCh: Channel<ApplyMsg>): void {
    if (applyCh instanceof Channel) watchSends(applyCh, (msg: ApplyMsg) => this.deliveredTo(i, msg));
    else
      this.world.warn(
        `server ${i}'s service handed its Raft an applyCh that is not a harness Channel: what Raft applies there is not checked`,
      );
  }

  private deliveredTo(i: number, msg: ApplyMsg): void {
    if (msg?.snapshotValid && this.nodes[i]?.alive) recording()?.applied(this.nodes[i]!.name, msg.snapshotIndex);
    if (!msg?.commandValid || !this.nodes[i]?.alive || this.world.failure) return;
    recording()?.applied(this.nodes[i]!.name, msg.commandIndex);
    try {
      // First: an index a majority had applied, now applied otherwise, is the stronger property
      // broken (commit durability); state-machine safety below covers any other conflict.
      this.invariants!.applied(i, msg.commandIndex, msg.command);
    } catch {
      return; // the violation is already the run's failure
    }
    const first = this.delivered.get(msg.commandIndex);
    if (!first) this.delivered.set(msg.commandIndex, { server: i, command: msg.command });
    else if (!sameCommand(first.command, msg.command)) {
      const violation = new InvariantViolation(
        this.world,
        "state-machine safety",
        `server ${i}'s Raft applied ${show(msg.command)} at index ${msg.commandIndex}, where server ${first.server}'s applied ${show(first.command)}`,
      );
      this.world.fail(violation);
    }
  }

  /** Forgets server i's Raft (it was shut down). */
  stopped(i: number): void {
    this.rafts[i] = undefined;
  }
}
