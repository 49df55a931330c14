/**
 * Writes a run's report folder: results.json (raftgrade's own), junit.xml, gradescope.json,
 * timing.json and timing.txt. Each file is written to a temporary name and renamed into place, so a
 * reader never sees half a file; each is attempted even when another could not be written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Report } from "./report";
import { junitXml } from "./junit";
import { gradescopeResults } from "./gradescope";
import { buildTiming, formatTiming, TimingReport } from "./timing";

export const REPORT_FILES = ["results.json", "junit.xml", "gradescope.json", "timing.json", "timing.txt"] as const;

export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Creates the folder (and parents); throws with the OS's reason. */
export function prepareReportDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.accessSync(dir, fs.constants.W_OK);
}

interface WriteResult {
  written: string[];
  errors: string[];
}

function timingOf(report: Report): TimingReport {
  const isReference = Object.values(report.layers).every((l) => l === "reference");
  const note = isReference
    ? undefined
    : report.reference === null
      ? "The reference was not run for comparison (--no-reference-timing, or interrupted): figures of the graded implementation only."
      : undefined;
  return buildTiming(
    report.runs,
    report.reference,
    report.planned.map((t) => t.id),
    { isReference, note },
  );
}

export function writeReports(dir: string, report: Report): WriteResult {
  const result: WriteResult = { written: [], errors: [] };
  try {
    prepareReportDir(dir);
  } catch (e) {
    result.errors.push(`${dir}: ${(e as Error).message}`);
    return result;
  }
  const timing = timingOf(report);
  const files: Record<(typeof REPORT_FILES)[number], () => string> = {
    "results.json": () => JSON.stringify(report, null, 2) + "\n",
    "junit.xml": () => junitXml(report),
    "gradescope.json": () => JSON.stringify(gradescopeResults(report), null, 2) + "\n",
    "timing.json": () => JSON.stringify(timing, null, 2) + "\n",
    "timing.txt": () => formatTiming(timing),
  };
  for (const [name, render] of Object.entries(files)) {
    const file = path.join(dir, name);
    try {
      writeFileAtomic(file, render());
      result.written.push(file);
    } catch (e) {
      result.errors.push(`${file}: ${(e as Error).message}`);
    }
  }
  return result;
}
