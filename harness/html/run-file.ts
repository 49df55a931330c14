/**
 * A failing run's folder in the report, `runs/<test>-seed<N>/`: run.json (what the replay with
 * full recording saw, the data of the run page), the run page itself (index.html), and the
 * checker's picture (linearizability.html) when the run had a history that is not linearizable.
 * `raftgrade replay --html DIR` writes such a folder; `raftgrade report` renders its page again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedRun } from "../sim/recorder";
import type { RunOutcome } from "../run/outcome";
import { writeFileAtomic } from "../report/write-reports";

export const RUN_FILE_FORMAT = 1;
export const LINEARIZABILITY_FILE = "linearizability.html";

/** The replayed run's outcome, as the reports list every run, plus what the page needs besides. */
export interface RunFile extends Pick<
  RunOutcome,
  | "id"
  | "seed"
  | "status"
  | "failureKind"
  | "message"
  | "details"
  | "warnings"
  | "hazards"
  | "virtualMs"
  | "realMs"
  | "rpcs"
  | "bytes"
  | "ops"
> {
  tool: "raftgrade";
  kind: "run";
  format: number;
  title: string;
  implementation: string;
  layers: Record<string, string>;
  invariants: boolean;
  strictLinearizability: boolean;
  /** The command that replays this run. */
  replay: string;
  traceHash: string;
  /** LINEARIZABILITY_FILE when the folder holds the checker's picture, else null. */
  linearizability: string | null;
  recorded: Omit<RecordedRun, "linearizabilityHtml">;
}

/** The folder name of a run: the test id made safe for a path, and the seed. */
export function runFolderName(id: string, seed: number): string {
  return `${id.replace(/[^A-Za-z0-9._-]+/g, "-")}-seed${seed}`;
}

/** Writes run.json and the checker's picture (if any) into the folder, creating it. */
export function writeRunData(dir: string, file: RunFile, linearizabilityHtml: string | null): void {
  fs.mkdirSync(dir, { recursive: true });
  if (linearizabilityHtml !== null) writeFileAtomic(path.join(dir, LINEARIZABILITY_FILE), linearizabilityHtml);
  writeFileAtomic(path.join(dir, "run.json"), JSON.stringify(file) + "\n");
}

/** The run.json of a folder; undefined if there is none; throws with the reason if it is not one. */
export function readRunFile(dir: string): RunFile | undefined {
  const file = path.join(dir, "run.json");
  if (!fs.existsSync(file)) return undefined;
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as RunFile;
  if (data.tool !== "raftgrade" || data.kind !== "run" || !data.recorded)
    throw new Error(`${file} is not a raftgrade run.json`);
  if (data.format !== RUN_FILE_FORMAT)
    throw new Error(`${file} has format ${data.format}; this raftgrade reads format ${RUN_FILE_FORMAT}`);
  return data;
}

/** The checker's picture in a run folder, if it has one. */
export function readLinearizability(dir: string, file: RunFile): string | null {
  if (!file.linearizability) return null;
  try {
    return fs.readFileSync(path.join(dir, file.linearizability), "utf8");
  } catch {
    return null;
  }
}
