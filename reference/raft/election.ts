/**
 * Leader election (Figure 2, "Rules for Servers" and RequestVote RPC): the election timer, the
 * candidate's vote collection, the voter's side, and the role changes that go with them.
 */
import type { Raft } from "./raft";
import type { RequestVoteArgs, RequestVoteReply } from "./types";
import { ELECTION_TIMEOUT_MIN_MS, ELECTION_TIMEOUT_SPREAD_MS } from "./types";
import { persist } from "./persist";
import { startHeartbeats } from "./replication";

/** (Re)arms the election timer with a fresh random timeout, so split votes resolve. */
export function resetElectionTimer(rf: Raft): void {
  clearTimeout(rf.electionTimer);
  if (rf.killed) return;
  const timeout = ELECTION_TIMEOUT_MIN_MS + Math.floor(Math.random() * ELECTION_TIMEOUT_SPREAD_MS);
  rf.electionTimer = setTimeout(() => {
    rf.electionTimer = undefined;
    startElection(rf);
  }, timeout);
}

/**
 * Adopts a higher term seen in any RPC or reply (Figure 2: "convert to follower"). The caller
 * persists. Only a former leader needs the election timer restarted: a follower or candidate
 * keeps its running timer, so a peer with a stale log cannot postpone elections by calling them.
 */
export function adoptTerm(rf: Raft, term: number): void {
  rf.currentTerm = term;
  rf.votedFor = -1;
  becomeFollower(rf);
}

export function becomeFollower(rf: Raft): void {
  const wasLeader = rf.role === "leader";
  rf.role = "follower";
  if (wasLeader) {
    clearTimeout(rf.heartbeatTimer);
    rf.heartbeatTimer = undefined;
    resetElectionTimer(rf);
  }
}

/** Election timeout: become candidate, vote for self, ask every peer at once. */
function startElection(rf: Raft): void {
  if (rf.killed || rf.role === "leader") return;
  rf.role = "candidate";
  rf.currentTerm++;
  rf.votedFor = rf.me;
  persist(rf);
  resetElectionTimer(rf); // a split vote times out into the next election

  const args: RequestVoteArgs = {
    term: rf.currentTerm,
    candidateId: rf.me,
    lastLogIndex: rf.log.lastIndex(),
    lastLogTerm: rf.log.lastTerm(),
  };
  const tally = { votes: 1 };
  if (tally.votes * 2 > rf.peers.length) return becomeLeader(rf);
  for (let peer = 0; peer < rf.peers.length; peer++) {
    if (peer !== rf.me) void requestVoteFrom(rf, peer, args, tally);
  }
}

async function requestVoteFrom(rf: Raft, peer: number, args: RequestVoteArgs, tally: { votes: number }): Promise<void> {
  const reply = await rf.peers[peer].call<RequestVoteReply>("Raft.requestVote", args);
  if (!reply || rf.killed) return;
  if (reply.term > rf.currentTerm) {
    adoptTerm(rf, reply.term);
    persist(rf);
    return;
  }
  // The election may be over (won, lost, or superseded by a later term) by the time this arrives.
  if (rf.role !== "candidate" || rf.currentTerm !== args.term || !reply.voteGranted) return;
  tally.votes++;
  if (tally.votes * 2 > rf.peers.length) becomeLeader(rf);
}

/** Won: reinitialise nextIndex/matchIndex and assert leadership with an immediate heartbeat. */
function becomeLeader(rf: Raft): void {
  rf.role = "leader";
  clearTimeout(rf.electionTimer);
  rf.electionTimer = undefined;
  const n = rf.peers.length;
  rf.nextIndex = new Array(n).fill(rf.log.lastIndex() + 1);
  rf.matchIndex = new Array(n).fill(0);
  rf.inflight = new Array(n).fill(0);
  rf.inflightTick = new Array(n).fill(0);
  startHeartbeats(rf);
}

/** Voter side: grant at most one vote per term, and only to a candidate whose log is at least as
 *  up-to-date as ours (§5.4.1), so a leader always holds every committed entry. */
export function handleRequestVote(rf: Raft, args: RequestVoteArgs): RequestVoteReply {
  if (rf.killed) return { term: rf.currentTerm, voteGranted: false };
  let changed = false;
  if (args.term > rf.currentTerm) {
    adoptTerm(rf, args.term);
    changed = true;
  }
  let granted = false;
  if (args.term === rf.currentTerm && (rf.votedFor === -1 || rf.votedFor === args.candidateId)) {
    const myLastTerm = rf.log.lastTerm();
    const upToDate =
      args.lastLogTerm > myLastTerm || (args.lastLogTerm === myLastTerm && args.lastLogIndex >= rf.log.lastIndex());
    if (upToDate) {
      granted = true;
      changed ||= rf.votedFor !== args.candidateId;
      rf.votedFor = args.candidateId;
      resetElectionTimer(rf); // only a granted vote defers our own candidacy
    }
  }
  if (changed) persist(rf);
  return { term: rf.currentTerm, voteGranted: granted };
}
