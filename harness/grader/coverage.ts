/**
 * --coverage: the workers instrument only the graded implementation's folders (nyc's require hook
 * after ts-node, source maps back to the .ts files); the grader then merges the workers' raw
 * coverage and writes HTML, lcov and a text summary into <report>/coverage.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, resolveImplementation } from "./load";
import type { CoverageSetup } from "./worker-protocol";

/** The folders measured: each graded layer's module folder (a file's folder for a single-file module). */
export function coverageSetup(layerRefs: string[]): CoverageSetup {
  const dirs = [...new Set(layerRefs.map((ref) => moduleDir(resolveImplementation(ref))))];
  const inside = dirs.every((d) => !path.relative(PROJECT_ROOT, d).startsWith(".."));
  const cwd = inside ? PROJECT_ROOT : commonAncestor(dirs);
  const include = dirs.map((d) => {
    const rel = path.relative(cwd, d).split(path.sep).join("/");
    return rel ? `${rel}/**` : "**";
  });
  return { cwd, include, tempDir: fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-nyc-")) };
}

function moduleDir(p: string): string {
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) return p;
  return path.dirname(p);
}

function commonAncestor(dirs: string[]): string {
  let common = dirs[0];
  for (const d of dirs.slice(1)) while (path.relative(common, d).startsWith("..")) common = path.dirname(common);
  return common;
}

/** Writes the coverage report; returns the text summary. Removes the raw data afterwards. */
export async function writeCoverageReport(setup: CoverageSetup, outDir: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const NYC = require("nyc");
  const nycDir = path.dirname(require.resolve("nyc/package.json"));
  // nyc's own report libraries, resolved from nyc so the versions match what it wrote.
  const libReport = require(require.resolve("istanbul-lib-report", { paths: [nycDir] }));
  const reports = require(require.resolve("istanbul-reports", { paths: [nycDir] }));
  const nyc = new NYC({ cwd: setup.cwd, include: setup.include, exclude: [], extension: [".ts"], tempDir: setup.tempDir, cache: false });
  const map = await nyc.getCoverageMapFromAllCoverageFiles();
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const context = libReport.createContext({ dir: tmp, coverageMap: map });
  for (const [name, opts] of [
    ["html", {}],
    ["lcovonly", { file: "lcov.info" }],
    ["text-summary", { file: "summary.txt" }],
    ["text", { file: "files.txt" }],
    ["json-summary", { file: "coverage-summary.json" }],
  ] as const) {
    reports.create(name, { ...opts, projectRoot: setup.cwd }).execute(context);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  fs.rmSync(setup.tempDir, { recursive: true, force: true });
  return fs.readFileSync(path.join(outDir, "summary.txt"), "utf8");
}
