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

/**
 * Instruments the graded files as they are required (nyc's require hook, after ts-node compiles
 * them; source maps lead back to the .ts files). With `toFiles`, nyc writes the raw coverage into
 * the setup's temporary folder when the process exits (unsealed workers); without, the caller reads
 * it from the process and sends it on (the sealed graded side never writes a file).
 */
export function instrumentGradedFiles(
  setup: { cwd: string; include: string[]; tempDir?: string },
  toFiles: boolean,
): void {
  const nyc = nycFor(setup, true);
  nyc.wrap();
  if (!toFiles) nyc.writeCoverageFile = () => undefined;
}

/** One nyc for both uses: instrumenting the graded files, or reading the raw coverage they left. */
function nycFor(setup: { cwd: string; include: string[]; tempDir?: string }, instrument: boolean) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const NYC = require("nyc");
  const hook = instrument && {
    hookRequire: true,
    sourceMap: true,
    parserPlugins: require("@istanbuljs/nyc-config-typescript").parserPlugins,
    useSpawnWrap: false,
    silent: true,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new NYC({
    cwd: setup.cwd,
    include: setup.include,
    exclude: [],
    extension: [".ts"],
    tempDir: setup.tempDir,
    cache: false,
    ...hook,
  });
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
  const nyc = nycFor(setup, false);
  const summary = writeCoverageFiles(await nyc.getCoverageMapFromAllCoverageFiles(), outDir, setup.cwd);
  fs.rmSync(setup.tempDir, { recursive: true, force: true });
  return summary;
}

/**
 * `merge`: one coverage report from the report folders' raw coverage (coverage-final.json); the
 * lines any shard ran count as run. Returns the summary, or undefined when no folder has coverage.
 */
export function mergeCoverage(dirs: string[], outDir: string): { summary: string; from: number } | undefined {
  const files = dirs.map((d) => path.join(d, "coverage", RAW_FILE)).filter((f) => fs.existsSync(f));
  if (files.length === 0) return undefined;
  const map = istanbul("istanbul-lib-coverage").createCoverageMap({});
  for (const file of files) map.merge(JSON.parse(fs.readFileSync(file, "utf8")));
  return { summary: writeCoverageFiles(map, outDir, PROJECT_ROOT), from: files.length };
}

/** The raw coverage a report keeps, so that shards can be merged. */
const RAW_FILE = "coverage-final.json";

/** HTML, lcov, text and JSON summaries and the raw map into outDir (replaced whole); returns the text summary. */
function writeCoverageFiles(map: unknown, outDir: string, projectRoot: string): string {
  const libReport = istanbul("istanbul-lib-report");
  const reports = istanbul("istanbul-reports");
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
    ["json", { file: RAW_FILE }],
  ] as const) {
    reports.create(name, { ...opts, projectRoot }).execute(context);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return fs.readFileSync(path.join(outDir, "summary.txt"), "utf8");
}

/** nyc's own istanbul libraries, resolved from nyc so the versions match what it wrote. */
function istanbul(name: string) {
  const nycDir = path.dirname(require.resolve("nyc/package.json"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(name, { paths: [nycDir] }));
}
