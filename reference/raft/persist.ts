/**
 * Figure 2's persistent state (currentTerm, votedFor, log) plus the snapshot point, encoded
 * compactly: only the log after the snapshot is stored, as parallel arrays of terms and
 * commands, so the state stays small (the 3D tests require < 2000 bytes once snapshots run).
 *
 * The whole state is rewritten at every change, as in the lab. Without snapshots the log grows
 * long, so each command is encoded once and its bytes cached: a save then mostly copies bytes.
 */
import { encode, decode } from "../../harness/sim/codec";
import { RaftLog } from "./log";
import type { Raft } from "./raft";
import type { LogEntry } from "./types";

interface PersistedState {
  term: number;
  votedFor: number;
  snapIndex: number;
  snapTerm: number;
  terms: number[];
  /** Each command encoded on its own (see encodedCommand). */
  commands: Uint8Array[];
}

const encodedCommands = new WeakMap<LogEntry, Uint8Array>();

function encodedCommand(entry: LogEntry): Uint8Array {
  let bytes = encodedCommands.get(entry);
  if (!bytes) {
    bytes = encode(entry.command, "command");
    encodedCommands.set(entry, bytes);
  }
  return bytes;
}

/** Saves the state together with the current snapshot, so a save never erases the snapshot. */
export function persist(rf: Raft): void {
  const state: PersistedState = {
    term: rf.currentTerm,
    votedFor: rf.votedFor,
    snapIndex: rf.log.snapIndex,
    snapTerm: rf.log.snapTerm,
    terms: rf.log.entries.map((e) => e.term),
    commands: rf.log.entries.map(encodedCommand),
  };
  rf.persister.save(encode(state), rf.snapshotData);
}

/** Restores what a previous incarnation saved; a fresh persister leaves the initial state. */
export function restore(rf: Raft): void {
  rf.snapshotData = rf.persister.readSnapshot();
  const bytes = rf.persister.readRaftState();
  if (bytes.length === 0) return;
  const s = decode<PersistedState>(bytes);
  rf.currentTerm = s.term;
  rf.votedFor = s.votedFor;
  rf.log = new RaftLog(
    s.snapIndex,
    s.snapTerm,
    s.terms.map((term, k) => ({ term, command: decode(s.commands[k]) })),
  );
  // Everything in the snapshot is committed and the service restores it itself at start, so
  // delivery continues right after it.
  rf.commitIndex = s.snapIndex;
  rf.lastApplied = s.snapIndex;
}
