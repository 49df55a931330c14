/**
 * `raftgrade check-history FILE...`: checks history files (docs/history-format.md) and
 * prints one verdict per file, as text or as JSON lines. Exit status: 0 when every file is ok, 1
 * when some file is illegal or unknown, 2 when some file could not be checked at all (missing, not
 * JSON, not a history, unknown model) or an option is bad.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkOperations, type CheckResult } from "./check";
import { readHistoryFile, HistoryFileError, type HistoryFile } from "./history-file";
import { MODELS, modelNamed } from "./models";
import { renderHtml } from "./html";
import type { Model } from "./model";

export interface CheckHistoryArgs {
  files: string[];
  model?: string;
  timeoutMs: number;
  json: boolean;
  htmlDir?: string;
}

/** What one file came to; printed as a line of text or of JSON. */
interface FileReport {
  file: string;
  model: string | null;
  verdict: CheckResult["verdict"] | "error";
  ms: number;
  reason?: string;
  expected?: string;
  html?: string;
  error?: string;
}

export function checkHistoryCommand(args: CheckHistoryArgs, out = process.stdout, err = process.stderr): number {
  if (args.model !== undefined) {
    try {
      modelNamed(args.model);
    } catch (e) {
      err.write(`raftgrade: --model: ${(e as Error).message}\n`);
      return 2;
    }
  }
  if (!(args.timeoutMs > 0)) {
    err.write(`raftgrade: --timeout must be a positive number of milliseconds\n`);
    return 2;
  }
  let status = 0;
  for (const file of args.files) {
    const report = checkFile(file, args);
    if (report.verdict === "error") {
      status = 2;
      err.write(`raftgrade: ${report.error}\n`);
    } else if (report.verdict !== "ok" && status === 0) {
      status = 1;
    }
    out.write(args.json ? `${JSON.stringify(report)}\n` : `${formatLine(report)}\n`);
  }
  return status;
}

function checkFile(file: string, args: CheckHistoryArgs): FileReport {
  let history: HistoryFile;
  let model: Model;
  try {
    history = readHistoryFile(file);
    const name = args.model ?? history.model;
    if (!name) throw new HistoryFileError(`${file}: names no model; pass --model (${Object.keys(MODELS).join(", ")})`);
    try {
      model = modelNamed(name);
    } catch (e) {
      throw new HistoryFileError(`${file}: ${(e as Error).message}`);
    }
  } catch (e) {
    if (!(e instanceof HistoryFileError)) throw e;
    return { file, model: args.model ?? null, verdict: "error", ms: 0, error: e.message };
  }

  let result: CheckResult;
  try {
    result = checkOperations(model, history.operations, { timeoutMs: args.timeoutMs });
  } catch (e) {
    return { file, model: model.name, verdict: "error", ms: 0, error: `${file}: ${(e as Error).message}` };
  }
  const report: FileReport = { file, model: model.name, verdict: result.verdict, ms: round(result.ms) };
  if (result.reason) report.reason = result.reason;
  if (history.expected) report.expected = history.expected;
  if (args.htmlDir && result.verdict !== "ok") {
    fs.mkdirSync(args.htmlDir, { recursive: true });
    const target = path.join(args.htmlDir, `${path.basename(file).replace(/\.json$/i, "")}.html`);
    fs.writeFileSync(
      target,
      renderHtml(result, history.operations, model, [], { title: `${history.name}: ${result.verdict}` }),
    );
    report.html = target;
  }
  return report;
}

function formatLine(r: FileReport): string {
  if (r.verdict === "error") return `error    ${r.file}`;
  const notes = [
    r.model,
    r.reason && `out of ${r.reason === "timeout" ? "time" : r.reason}`,
    r.expected && r.expected !== r.verdict && `expected ${r.expected}`,
    r.html && `picture: ${r.html}`,
  ];
  return `${r.verdict.padEnd(8)} ${`${r.ms.toFixed(1)} ms`.padStart(10)}  ${r.file}  (${notes.filter(Boolean).join("; ")})`;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
