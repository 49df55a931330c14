/**
 * A sealed run: the graded side is started before the world, with the settings fixed for it, and
 * ended with the run. If it cannot start (its modules hang or crash while loading), the run fails
 * with that reason and nothing of the test runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runSimulation, type RunOptions, type RunResult, type World } from "../sim/world";
import { SimulationFailure } from "../sim/errors";
import { LAYERS, type Layer } from "../api/implementation";
import type { GradeConfig } from "../run/config";
import { GradedSide, type GradedSideOptions } from "./host";

interface SealedSettings {
  config: Pick<GradeConfig, "layers" | "memoryMb" | "loadTimeoutMs">;
  coverage?: GradedSideOptions["coverage"];
}

let sideReady: (() => void) | undefined;

/**
 * Called when a run's graded process has loaded and the run proper begins: the worker tells the
 * grader, whose --run-timeout then counts from there (a graded process's start and compile are
 * bounded by --load-timeout instead).
 */
export function onGradedSideReady(hook: (() => void) | undefined): void {
  sideReady = hook;
}

/** Runs `body` with the graded code in a process of its own. */
export async function runSealed(
  options: RunOptions,
  settings: SealedSettings,
  body: (world: World) => Promise<void>,
): Promise<RunResult> {
  let side: GradedSide;
  try {
    side = await takeSide(sideOptions(settings, options.livelockEvents));
    side.begin(Number(options.seed));
    sideReady?.();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const kind = /did not finish loading/.test(message) ? "killed" : "crash";
    return runSimulation(options, async () => {
      throw new SimulationFailure(kind, message);
    });
  }
  return runSimulation({ ...options, graded: side }, body);
}

let spare: { key: string; side: Promise<GradedSide> } | undefined;
let keepSpare = false;

/**
 * A worker keeps one graded process started ahead, with the layers loaded, for its next run: it
 * starts while the current run runs (when the run's two processes take turns, a core is free).
 * It is fresh all the same: it has run nothing but the modules' loading, the same every time.
 */
export function startGradedSidesAhead(on: boolean): void {
  keepSpare = on;
}

async function takeSide(options: GradedSideOptions): Promise<GradedSide> {
  const key = JSON.stringify(options);
  const ready = spare?.key === key ? spare.side : undefined;
  if (spare && !ready)
    void spare.side.then(
      (s) => s.discard(),
      () => undefined,
    );
  spare = undefined;
  const side = ready ?? GradedSide.launch(options);
  if (keepSpare) {
    spare = { key, side: GradedSide.launch(options) };
    spare.side.catch(() => undefined); // its failure is the next run's to report
  }
  return side;
}

function sideOptions(settings: SealedSettings, livelockEvents: number | undefined): GradedSideOptions {
  const layers: GradedSideOptions["layers"] = {};
  for (const layer of Object.keys(LAYERS) as Layer[]) layers[layer] = settings.config.layers[LAYERS[layer].selectedBy];
  const files = prewarm(Object.values(layers) as string[]);
  return {
    layers,
    loadTimeoutMs: settings.config.loadTimeoutMs,
    memoryMb: settings.config.memoryMb,
    livelockEvents,
    coverage: settings.coverage,
    user: files.every(readableByOthers) ? unprivilegedUser() : undefined,
  };
}

/**
 * When the grader runs as root (a grading container), the graded process runs as `nobody`: it
 * cannot signal the grader, write the reports or the compile cache, or read files only root may.
 * RAFTGRADE_GRADED_USER=root keeps root (debugging only).
 */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  if (process.env.RAFTGRADE_GRADED_USER === "root") return undefined;
  try {
    const line = fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("nobody:"));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

const warmed = new Map<string, string[]>();

/**
 * Compiles the graded side's TypeScript into the on-disk cache before the graded process starts:
 * it may not be allowed to write the cache, and compiling in every run would cost a second each.
 */
function prewarm(refs: string[]): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileFile } = require("../../bin/register-ts") as { compileFile?: (file: string) => void };
  const root = path.resolve(__dirname, "..", "..");
  const folders = [
    path.join(root, "harness", "sealed"),
    path.join(root, "harness", "sim"),
    path.join(root, "harness", "api"),
    path.join(root, "harness", "run", "load.ts"),
  ];
  for (const ref of refs)
    folders.push(ref === "reference" || ref === "student" ? path.join(root, ref) : path.resolve(ref));
  const all: string[] = [];
  for (const folder of folders) {
    const files = warmed.get(folder) ?? tsFiles(folder);
    if (!warmed.has(folder)) for (const file of files) compileFile?.(file);
    warmed.set(folder, files);
    all.push(...files);
  }
  return all;
}

/**
 * Whether `nobody` could read the file: read permission for others on it, and search permission
 * on every folder above it. When it could not (an implementation in a private folder), the
 * graded process keeps the grader's user: sealed still, but without the operating system's help.
 */
function readableByOthers(file: string): boolean {
  try {
    if ((fs.statSync(file).mode & 0o004) === 0) return false;
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      if ((fs.statSync(dir).mode & 0o001) === 0) return false;
      if (path.dirname(dir) === dir) return true;
    }
  } catch {
    return false;
  }
}

function tsFiles(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    try {
      return fs.statSync(`${target}.ts`).isFile() ? [`${target}.ts`] : [];
    } catch {
      return [];
    }
  }
  if (stat.isFile()) return target.endsWith(".ts") ? [target] : [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    out.push(...tsFiles(path.join(target, entry.name)));
  }
  return out;
}
