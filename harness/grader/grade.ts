/**
 * One grading run: check the options, select the spec files, run them with mocha in this process,
 * and write the report. Bad options give a precise message and exit status 2 before anything runs;
 * a broken implementation fails its tests one by one, with the load error, and the report is still
 * written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";
import { PARTS, findPart } from "../../specs";
import { normalizeSeed } from "../sim/rng";
import { LAYERS, Layer } from "../api/implementation";
import { readConfig, writeConfig, DEFAULT_SEED } from "./config";
import { resolveImplementation } from "./load";
import { collectResults, writeReport } from "./report";

export interface GradeOptions {
  impl: string;
  layers: Partial<Record<Layer, string | undefined>>;
  parts?: string;
  grep?: string;
  seed?: string;
  reportsDir: string;
  /** False for a lab-equivalent run without raftgrade's continuous invariants. */
  invariants: boolean;
  /** Run each test twice on its seed and warn when the traces differ. */
  checkDeterminism: boolean;
}

class UsageError extends Error {}

/** Runs the specs; resolves to the process exit status. */
export async function grade(options: GradeOptions): Promise<number> {
  let files: string[];
  let grep: RegExp | undefined;
  let seed: number;
  try {
    files = selectSpecFiles(options.parts);
    grep = options.grep === undefined ? undefined : compileGrep(options.grep);
    seed = options.seed === undefined ? DEFAULT_SEED : parseSeed(options.seed);
    for (const ref of [options.impl, ...Object.values(options.layers)]) {
      if (ref && !fs.existsSync(resolveImplementation(ref)) && !fs.existsSync(`${resolveImplementation(ref)}.ts`)) {
        throw new UsageError(`implementation "${ref}" not found: ${resolveImplementation(ref)} does not exist`);
      }
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return 2;
  }

  const layers = Object.fromEntries(Object.entries(options.layers).filter(([, v]) => v)) as Partial<Record<Layer, string>>;
  writeConfig({ impl: options.impl, layers, seed, invariants: options.invariants, checkDeterminism: options.checkDeterminism });
  const config = readConfig();
  console.log(
    `raftgrade: grading ${describeLayers(config.layers)} on seed ${seed}` +
      (grep ? `, tests matching ${grep}` : "") +
      (config.invariants ? "" : ", without invariants (lab checks only)") +
      (config.checkDeterminism ? ", each test twice to check determinism" : ""),
  );

  const mocha = new Mocha({ reporter: "spec", timeout: 0, grep });
  for (const file of files) mocha.addFile(file);
  const startedAt = new Date();
  const runner = mocha.run();
  const results = collectResults(runner);
  const failures = await new Promise<number>((resolve) => runner.on("end", () => resolve(runner.failures)));
  if (results.tests.length === 0) {
    console.error(`raftgrade: no test matched${grep ? ` ${grep}` : ""} in parts ${options.parts ?? "(all)"}`);
    return 2;
  }
  try {
    const written = writeReport(options.reportsDir, { config, startedAt, results: results.tests });
    console.log(`raftgrade: report written to ${written}`);
  } catch (e) {
    console.error(`raftgrade: could not write the report into ${path.resolve(options.reportsDir)}: ${(e as Error).message}`);
    return failures > 0 ? 1 : 3;
  }
  return failures > 0 ? 1 : 0;
}

function selectSpecFiles(parts: string | undefined): string[] {
  const specsDir = path.resolve(__dirname, "..", "..", "specs");
  const wanted = parts === undefined ? PARTS.filter((p) => p.files.length > 0) : parts.split(",").filter((s) => s.trim()).map((name) => {
    const part = findPart(name);
    if (!part) throw new UsageError(`unknown part "${name}"; parts are ${PARTS.map((p) => p.part).join(", ")}`);
    if (part.files.length === 0) {
      const ready = PARTS.filter((p) => p.files.length > 0).map((p) => p.part);
      throw new UsageError(`part ${part.part} (${part.title}) has no specs yet; parts with specs: ${ready.join(", ") || "none"}`);
    }
    return part;
  });
  if (wanted.length === 0) throw new UsageError("no part selected (and no part has specs yet)");
  return wanted.flatMap((p) => p.files.map((f) => path.join(specsDir, f)));
}

function compileGrep(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UsageError(`--grep is not a valid regular expression: ${(e as Error).message}`);
  }
}

function parseSeed(text: string): number {
  try {
    return normalizeSeed(text);
  } catch (e) {
    throw new UsageError(`--seed: ${(e as Error).message}`);
  }
}

function describeLayers(layers: Record<Layer, string>): string {
  const refs = new Set(Object.values(layers));
  if (refs.size === 1) return `"${[...refs][0]}"`;
  return (Object.keys(LAYERS) as Layer[]).map((l) => `${l}=${layers[l]}`).join(" ");
}
