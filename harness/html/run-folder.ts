/**
 * Writes a run's folder from a replay with recording: run.json, the checker's picture if any, and
 * the run page (standalone: `raftgrade report` renders it again with the graded run beside it).
 */
import * as path from "node:path";
import type { RecordedRun } from "../sim/recorder";
import { writeFileAtomic } from "../report/write-reports";
import { LINEARIZABILITY_FILE, RUN_FILE_FORMAT, RunFile, writeRunData } from "./run-file";
import { renderRunPage } from "./run-page";

type RunMetaForPage = Omit<RunFile, "tool" | "kind" | "format" | "linearizability" | "recorded">;

/** Writes the folder; returns the page's path. */
export function writeRunPage(dir: string, meta: RunMetaForPage, recorded: RecordedRun): string {
  const { linearizabilityHtml, ...rest } = recorded;
  const file: RunFile = {
    tool: "raftgrade",
    kind: "run",
    format: RUN_FILE_FORMAT,
    ...meta,
    linearizability: linearizabilityHtml === null ? null : LINEARIZABILITY_FILE,
    recorded: rest,
  };
  writeRunData(dir, file, linearizabilityHtml);
  const pagePath = path.join(dir, "index.html");
  writeFileAtomic(pagePath, renderRunPage(file, { linearizabilityHtml }));
  return pagePath;
}
