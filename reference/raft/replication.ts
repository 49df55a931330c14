/**
 * Log replication (Figure 2, AppendEntries RPC and the leader's rules): heartbeats, sending each
 * follower what it lacks, the follower's consistency check, and advancing commitIndex.
 *
 * RPC economy: at most one send carrying entries (or a snapshot) is outstanding per follower;
 * its reply immediately triggers the next one if more is needed. Start() sends right away when the
 * follower is idle, so several Start()s in a row share one round trip. A send that has not been
 * answered by the next-but-one heartbeat is presumed lost and the heartbeat carries the entries
 * again; otherwise heartbeats are empty, so a follower never receives entries twice on a healthy
 * network.
 */
import type { Raft } from "./raft";
import type { AppendEntriesArgs, AppendEntriesReply } from "./types";
import { HEARTBEAT_MS } from "./types";
import { persist } from "./persist";
import { adoptTerm, becomeFollower, resetElectionTimer } from "./election";
import { sendSnapshot } from "./snapshot";
import { wakeApplier } from "./apply";

/** New leader: heartbeat everyone now, then every HEARTBEAT_MS while still leader of this term. */
export function startHeartbeats(rf: Raft): void {
  const term = rf.currentTerm;
  const beat = () => {
    rf.heartbeatTimer = undefined;
    if (rf.killed || rf.role !== "leader" || rf.currentTerm !== term) return;
    rf.heartbeatTick++;
    for (let peer = 0; peer < rf.peers.length; peer++) if (peer !== rf.me) heartbeat(rf, peer);
    rf.heartbeatTimer = setTimeout(beat, HEARTBEAT_MS);
  };
  beat();
}

function heartbeat(rf: Raft, peer: number): void {
  // A data send that left during the last interval is probably still on its way: don't duplicate it.
  if (rf.inflight[peer] !== 0 && rf.inflightTick[peer] >= rf.heartbeatTick - 1) {
    void sendAppend(rf, peer, false);
    return;
  }
  rf.inflight[peer] = 0; // presumed lost
  sendWhatIsMissing(rf, peer);
}

/** Sends the follower what it lacks, unless a send is already outstanding (its reply continues). */
export function replicate(rf: Raft, peer: number): void {
  if (rf.inflight[peer] === 0) sendWhatIsMissing(rf, peer);
}

/** The entries from nextIndex on (possibly none: a heartbeat), or the snapshot if they are gone. */
function sendWhatIsMissing(rf: Raft, peer: number): void {
  if (rf.nextIndex[peer] <= rf.log.snapIndex) void sendSnapshot(rf, peer);
  else void sendAppend(rf, peer, true);
}

/** Marks a send carrying data as the outstanding one for this peer; returns its id. */
export function markInflight(rf: Raft, peer: number): number {
  const id = ++rf.sendSeq;
  rf.inflight[peer] = id;
  rf.inflightTick[peer] = rf.heartbeatTick;
  return id;
}

/** After any reply: keep going if the follower still lacks entries and nothing is outstanding. */
export function continueReplication(rf: Raft, peer: number): void {
  if (rf.role === "leader" && !rf.killed && rf.inflight[peer] === 0 && rf.nextIndex[peer] <= rf.log.lastIndex()) {
    sendWhatIsMissing(rf, peer);
  }
}

async function sendAppend(rf: Raft, peer: number, withEntries: boolean): Promise<void> {
  // When the entries before nextIndex were compacted away (a snapshot is on its way), an empty
  // heartbeat anchors at the snapshot point, the oldest place whose term is still known.
  const prevLogIndex = Math.max(rf.nextIndex[peer] - 1, rf.log.snapIndex);
  const args: AppendEntriesArgs = {
    term: rf.currentTerm,
    leaderId: rf.me,
    prevLogIndex,
    prevLogTerm: rf.log.term(prevLogIndex),
    entries: withEntries ? rf.log.from(prevLogIndex + 1) : [],
    leaderCommit: rf.commitIndex,
  };
  const id = args.entries.length > 0 ? markInflight(rf, peer) : 0;
  const reply = await rf.peers[peer].call<AppendEntriesReply>("Raft.appendEntries", args);
  if (id !== 0 && rf.inflight[peer] === id) rf.inflight[peer] = 0;
  if (!reply || rf.killed) return; // lost: the next heartbeat retries
  if (reply.term > rf.currentTerm) {
    adoptTerm(rf, reply.term);
    persist(rf);
    return;
  }
  // Replies may be stale or reordered: act only within the term that sent them, and never move
  // matchIndex backwards or nextIndex below what the follower is known to hold.
  if (rf.role !== "leader" || rf.currentTerm !== args.term) return;
  if (reply.success) {
    const match = args.prevLogIndex + args.entries.length;
    if (match > rf.matchIndex[peer]) {
      rf.matchIndex[peer] = match;
      advanceCommit(rf);
    }
    rf.nextIndex[peer] = Math.max(rf.nextIndex[peer], match + 1);
  } else {
    rf.nextIndex[peer] = Math.max(rf.matchIndex[peer] + 1, Math.min(rf.nextIndex[peer], backUpTo(rf, reply)));
  }
  continueReplication(rf, peer);
}

/** Fast back-up: skip the follower's whole conflicting term (or to its log end) in one step. */
function backUpTo(rf: Raft, reply: AppendEntriesReply): number {
  if (reply.xTerm < 0) return reply.xLen; // follower's log ends before prevLogIndex
  const last = rf.log.lastIndexOfTerm(reply.xTerm);
  return last > 0 ? last + 1 : reply.xIndex; // we share that term up to `last`; else skip it all
}

/**
 * Leader: the highest N > commitIndex replicated on a majority commits, but only if log[N] is
 * from the current term (§5.4.2, Figure 8); earlier entries then commit with it.
 */
export function advanceCommit(rf: Raft): void {
  if (rf.role !== "leader") return;
  for (let n = rf.log.lastIndex(); n > rf.commitIndex; n--) {
    const term = rf.log.term(n);
    if (term < rf.currentTerm) break; // older terms are never counted
    let count = 1; // ourselves
    for (let peer = 0; peer < rf.peers.length; peer++) if (peer !== rf.me && rf.matchIndex[peer] >= n) count++;
    if (count * 2 > rf.peers.length) {
      rf.commitIndex = n;
      wakeApplier(rf);
      return;
    }
  }
}

/** Follower side of AppendEntries. */
export function handleAppendEntries(rf: Raft, args: AppendEntriesArgs): AppendEntriesReply {
  const reply: AppendEntriesReply = {
    term: rf.currentTerm,
    success: false,
    xTerm: -1,
    xIndex: -1,
    xLen: rf.log.lastIndex() + 1,
  };
  if (rf.killed || args.term < rf.currentTerm) return reply; // a stale leader learns our term
  let changed = false;
  if (args.term > rf.currentTerm) {
    adoptTerm(rf, args.term);
    changed = true;
  }
  becomeFollower(rf); // a candidate of this term yields to its leader
  resetElectionTimer(rf);
  reply.term = rf.currentTerm;

  let prev = args.prevLogIndex;
  let entries = args.entries;
  if (prev < rf.log.snapIndex) {
    // The start is inside our snapshot, hence committed and identical: skip that part.
    entries = entries.slice(Math.min(entries.length, rf.log.snapIndex - prev));
    prev = rf.log.snapIndex;
  } else if (prev > rf.log.lastIndex()) {
    if (changed) persist(rf);
    return reply; // too short: xLen tells the leader where we end
  } else if (rf.log.term(prev) !== args.prevLogTerm) {
    reply.xTerm = rf.log.term(prev);
    reply.xIndex = rf.log.firstIndexOfTermRun(prev);
    reply.xLen = rf.log.lastIndex() + 1;
    if (changed) persist(rf);
    return reply;
  }

  // Append what is new; cut our log only at a real conflict, never because a (reordered, older)
  // request is shorter than what we already have.
  for (let k = 0; k < entries.length; k++) {
    const index = prev + 1 + k;
    if (index <= rf.log.lastIndex() && rf.log.term(index) === entries[k].term) continue;
    if (index <= rf.log.lastIndex()) rf.log.truncateFrom(index);
    rf.log.append(entries.slice(k));
    changed = true;
    break;
  }
  if (changed) persist(rf);

  // Commit only what this request proved we share with the leader.
  const lastNew = prev + entries.length;
  const commit = Math.min(args.leaderCommit, lastNew);
  if (commit > rf.commitIndex) {
    rf.commitIndex = commit;
    wakeApplier(rf);
  }
  reply.success = true;
  reply.xLen = rf.log.lastIndex() + 1;
  return reply;
}
