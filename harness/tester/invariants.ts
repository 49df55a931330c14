/**
 * Raft's safety properties, checked after every simulated event (each timer firing and each RPC
 * delivery) rather than at the lab's polls, using only what graded code shows the tester:
 * getState() and the applied messages. A violation fails the test at once, at the exact step,
 * as an "invariant" failure, so a grader can count it or only the lab's own checks.
 *
 * (State-machine safety — never two commands applied at one index — is the lab's own apply-time
 * check, `checkLogs` in the Raft tester; it is not repeated here.)
 */
import { World } from "../sim/world";
import { SimulationFailure } from "../sim/errors";
import { showCommand as show } from "./harness";

export class InvariantViolation extends SimulationFailure {
  constructor(world: World, invariant: string, message: string) {
    super(
      "invariant",
      `invariant violated: ${invariant}: ${message} (at ${(world.now() / 1000).toFixed(3)}s virtual)`,
      `last events:\n${world.recentEvents(25)}`,
    );
    this.name = "InvariantViolation";
  }
}

export class RaftInvariants {
  /** Per term, the first server seen claiming leadership in it (election safety: at most one, ever). */
  private readonly leaderOfTerm = new Map<number, number>();
  /** Per server slot, the highest term it has reported, across crashes and restarts. */
  private readonly highestTerm: number[];
  /** Per index, the command once a majority of servers has applied it (commit durability). */
  private readonly committed = new Map<number, unknown>();
  /** Per index not yet fixed, what each server slot applied there (a restart that applies again counts once). */
  private readonly appliedBy = new Map<number, Map<number, unknown>>();

  constructor(
    private readonly world: World,
    private readonly n: number,
    private readonly sameCommand: (a: unknown, b: unknown) => boolean,
    /** What the tester did to server i last ("restarted (generation 2) 0 ms earlier, ..."), for the messages. */
    private readonly lastChange: (i: number) => string | undefined = () => undefined,
  ) {
    this.highestTerm = new Array(n).fill(0);
  }

  /** Election safety and term monotonicity, from the running servers' getState(). */
  checkStates(states: ({ term: number; isLeader: boolean } | undefined)[]): void {
    states.forEach((state, i) => {
      if (!state) return;
      if (state.term < this.highestTerm[i]) {
        this.fail(
          "term monotonicity",
          `server ${i}'s term went down from ${this.highestTerm[i]} to ${state.term}${this.context([i])}`,
        );
      }
      this.highestTerm[i] = state.term;
      if (!state.isLeader) return;
      const other = this.leaderOfTerm.get(state.term);
      if (other === undefined) this.leaderOfTerm.set(state.term, i);
      else if (other !== i)
        this.fail(
          "election safety",
          `servers ${other} and ${i} both claimed leadership in term ${state.term}${this.context([other, i])}`,
        );
    });
  }

  /**
   * Commit durability, on each command a server applies: once a majority applied an index, its
   * command is fixed. Counting per index is enough: under the Raft tester this runs after the
   * lab's own apply check (which then finds any conflict first, and a lab failure stays a lab
   * failure); under the services, before state-machine safety, so a conflict at an index a
   * majority had applied is named as the stronger property.
   */
  applied(i: number, index: number, command: unknown): void {
    const fixed = this.committed.get(index);
    if (this.committed.has(index)) {
      if (!this.sameCommand(fixed, command)) {
        this.fail(
          "commit durability",
          `server ${i} applied ${show(command)} at index ${index}, which a majority had already applied as ${show(fixed)}${this.context([i])}`,
        );
      }
      return;
    }
    let by = this.appliedBy.get(index);
    if (!by) this.appliedBy.set(index, (by = new Map()));
    by.set(i, command);
    // Fixed once a majority of distinct servers applied this same command there.
    let agreeing = 0;
    for (const c of by.values()) if (this.sameCommand(c, command)) agreeing++;
    if (agreeing * 2 > this.n) {
      this.committed.set(index, command);
      this.appliedBy.delete(index);
    }
  }

  /** Commit durability, when a server's state is replaced by a snapshot: it must hold every committed command it covers. */
  installed(i: number, xlog: unknown[]): void {
    for (let index = 1; index < xlog.length; index++) {
      if (this.committed.has(index) && !this.sameCommand(this.committed.get(index), xlog[index])) {
        this.fail(
          "commit durability",
          `server ${i} installed a snapshot with ${show(xlog[index])} at index ${index}, which a majority had applied as ${show(this.committed.get(index))}${this.context([i])}`,
        );
      }
    }
  }

  /** "; server 0 restarted (generation 2) 0 ms earlier, at 1.200s" for the servers the tester did something to. */
  private context(servers: number[]): string {
    const said = servers.flatMap((i) => {
      const change = this.lastChange(i);
      return change ? [`server ${i} ${change}`] : [];
    });
    return said.length ? `; ${said.join("; ")}` : "";
  }

  private fail(invariant: string, message: string): never {
    const violation = new InvariantViolation(this.world, invariant, message);
    this.world.fail(violation);
    throw violation;
  }
}
