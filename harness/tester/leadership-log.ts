/**
 * What the servers did about leadership, as getState() showed it after every event: the terms each
 * one went through and who claimed leadership for how long. When a run fails because no leader
 * appeared or nothing was agreed ("expected one leader, got none", "one(x) failed to reach
 * agreement"), the message says what the cluster was doing instead: electing again and again
 * (a livelock), a leader that never held on, or no election at all.
 */

interface Claim {
  server: number;
  term: number;
  from: number;
  /** undefined while the server still claims it. */
  to: number | undefined;
}

/** Claims and term changes kept for the description; older ones are dropped. */
const KEPT = 2000;

export class LeadershipLog {
  private readonly claims: Claim[] = [];
  /** When each term was first seen on any server. */
  private readonly termSeen = new Map<number, number>();
  private readonly open: (Claim | undefined)[];

  constructor(n: number) {
    this.open = new Array(n).fill(undefined);
  }

  /** The running servers' states after an event, at virtual time now (undefined: not running). */
  observe(now: number, states: ({ term: number; isLeader: boolean } | undefined)[]): void {
    states.forEach((state, i) => {
      if (state && !this.termSeen.has(state.term)) {
        // The terms servers start in (0, or a restarted one's) are not new: no election made them.
        this.termSeen.set(state.term, this.termSeen.size === 0 ? -Infinity : now);
        if (this.termSeen.size > KEPT) this.termSeen.delete(this.termSeen.keys().next().value!);
      }
      const claim = this.open[i];
      if (claim && (!state || !state.isLeader || state.term !== claim.term)) {
        claim.to = now;
        this.open[i] = undefined;
      }
      if (state?.isLeader && !this.open[i]) {
        const started: Claim = { server: i, term: state.term, from: now, to: undefined };
        this.open[i] = started;
        this.claims.push(started);
        if (this.claims.length > KEPT) this.claims.shift();
      }
    });
  }

  /** "in the last 5.0 s: 12 new terms (4 to 15); leadership claimed 3 times: ..." for the window before now. */
  describe(now: number, windowMs: number, connected: (i: number) => boolean): string {
    const since = now - windowMs;
    const terms = [...this.termSeen].filter(([, t]) => t > since).map(([term]) => term);
    const claims = this.claims.filter((c) => c.to === undefined || c.to > since);
    const held = (c: Claim) => ((c.to ?? now) - Math.max(c.from, since)) / 1000;
    const termsSaid =
      terms.length === 0
        ? "no server started an election (no new term)"
        : terms.length === 1
          ? `1 new term (${terms[0]})`
          : `${terms.length} new terms (${Math.min(...terms)} to ${Math.max(...terms)})`;
    const longest = [...claims].sort((a, b) => held(b) - held(a));
    const claimsSaid =
      claims.length === 0
        ? "no server claimed leadership"
        : `leadership claimed ${claims.length} time${claims.length === 1 ? "" : "s"}, longest: ${longest
            .slice(0, 3)
            .map(
              (c) =>
                `server ${c.server}${connected(c.server) ? "" : " (disconnected now)"} in term ${c.term} for ${held(c).toFixed(3)} s${c.to === undefined ? " (still)" : ""}`,
            )
            .join(", ")}`;
    return `in the last ${(windowMs / 1000).toFixed(1)} s (getState after every event): ${termsSaid}; ${claimsSaid}`;
  }
}
