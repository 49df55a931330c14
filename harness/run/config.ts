/**
 * The configuration of a grading run. The CLI writes it into the environment of the worker
 * processes it starts; a worker reads it once, before any graded code exists, and hands it to each
 * run as a value (runLabTest). Nothing reads it again during a run: the testers read the world.
 */
import { normalizeSeed } from "../sim/rng";
import type { SelectableLayer } from "../api/implementation";
import type { LayerSelection } from "./load";

export const ENV = {
  impl: "RAFTGRADE_IMPL",
  raft: "RAFTGRADE_RAFT",
  rsm: "RAFTGRADE_RSM",
  kv: "RAFTGRADE_KV",
  clerk: "RAFTGRADE_CLERK",
  seed: "RAFTGRADE_SEED",
  invariants: "RAFTGRADE_INVARIANTS",
  checkDeterminism: "RAFTGRADE_CHECK_DETERMINISM",
  strictLinearizability: "RAFTGRADE_STRICT_LINEARIZABILITY",
  traceAll: "RAFTGRADE_TRACE_ALL",
  sealed: "RAFTGRADE_SEALED",
  memoryMb: "RAFTGRADE_MEMORY_MB",
  loadTimeoutS: "RAFTGRADE_LOAD_TIMEOUT_S",
  artifacts: "RAFTGRADE_ARTIFACTS",
} as const;

/** Memory limit of the graded code (MiB) and the time it may take to load (s), unless set. */
const DEFAULT_MEMORY_MB = 2048;
export const DEFAULT_LOAD_TIMEOUT_S = 60;

/** Seed used when none is given, so that a plain run is reproducible too. */
export const DEFAULT_SEED = 1;

export interface GradeConfig {
  /** The implementation named by --impl; per-layer overrides may replace single layers. */
  impl: string;
  layers: LayerSelection;
  seed: number;
  /** Check Raft's safety invariants after every event (default); off for a purely lab-equivalent run. */
  invariants: boolean;
  /** Run each test twice on its seed and warn when the two traces differ. */
  checkDeterminism: boolean;
  /** Fail a test whose linearizability check timed out (the lab assumes such a history is ok). */
  strictLinearizability: boolean;
  /** Keep every trace event of a run (replay prints them); the trace hash is the same either way. */
  traceAll: boolean;
  /** Run the graded code in a process of its own, out of reach of everything that judges it (default). */
  sealed: boolean;
  /** The graded code's memory limit, heap and buffers, in MiB. */
  memoryMb: number;
  /** Real time the graded code may take to load, in ms. */
  loadTimeoutMs: number;
  /** Where testers write what a failure leaves behind (the report's artifacts/); undefined: the temporary folder. */
  artifactsDir?: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): GradeConfig {
  const impl = env[ENV.impl] || "reference";
  const layer = (name: SelectableLayer) => env[ENV[name]] || impl;
  return {
    impl,
    layers: { raft: layer("raft"), rsm: layer("rsm"), kv: layer("kv"), clerk: layer("clerk") },
    seed: env[ENV.seed] ? normalizeSeed(env[ENV.seed]!) : DEFAULT_SEED,
    invariants: env[ENV.invariants] !== "off",
    checkDeterminism: env[ENV.checkDeterminism] === "on",
    strictLinearizability: env[ENV.strictLinearizability] === "on",
    traceAll: env[ENV.traceAll] === "on",
    sealed: env[ENV.sealed] !== "off",
    memoryMb: Number(env[ENV.memoryMb]) || DEFAULT_MEMORY_MB,
    loadTimeoutMs: (Number(env[ENV.loadTimeoutS]) || DEFAULT_LOAD_TIMEOUT_S) * 1000,
    artifactsDir: env[ENV.artifacts] || undefined,
  };
}

let fromEnvironment: Readonly<GradeConfig> | undefined;

/** The configuration in this process's environment, read the first time and fixed from then on. */
export function configFromEnvironment(): Readonly<GradeConfig> {
  return (fromEnvironment ??= Object.freeze(readConfig()));
}

/** Writes a configuration into the environment that spec files will read. */
export function writeConfig(
  config: {
    impl: string;
    layers?: Partial<LayerSelection>;
    seed?: number;
    invariants?: boolean;
    checkDeterminism?: boolean;
    strictLinearizability?: boolean;
    traceAll?: boolean;
    sealed?: boolean;
    memoryMb?: number;
    loadTimeoutMs?: number;
    artifactsDir?: string;
  },
  env: NodeJS.ProcessEnv = process.env,
): void {
  env[ENV.impl] = config.impl;
  for (const layer of ["raft", "rsm", "kv", "clerk"] as const) {
    const ref = config.layers?.[layer];
    if (ref) env[ENV[layer]] = ref;
    else delete env[ENV[layer]];
  }
  if (config.seed !== undefined) env[ENV.seed] = String(config.seed);
  else delete env[ENV.seed];
  if (config.invariants === false) env[ENV.invariants] = "off";
  else delete env[ENV.invariants];
  if (config.checkDeterminism) env[ENV.checkDeterminism] = "on";
  else delete env[ENV.checkDeterminism];
  if (config.strictLinearizability) env[ENV.strictLinearizability] = "on";
  else delete env[ENV.strictLinearizability];
  if (config.traceAll) env[ENV.traceAll] = "on";
  else delete env[ENV.traceAll];
  if (config.sealed === false) env[ENV.sealed] = "off";
  else delete env[ENV.sealed];
  if (config.memoryMb !== undefined) env[ENV.memoryMb] = String(config.memoryMb);
  else delete env[ENV.memoryMb];
  if (config.loadTimeoutMs !== undefined) env[ENV.loadTimeoutS] = String(config.loadTimeoutMs / 1000);
  else delete env[ENV.loadTimeoutS];
  if (config.artifactsDir !== undefined) env[ENV.artifacts] = config.artifactsDir;
  else delete env[ENV.artifacts];
}

/** What a replay must repeat besides the test and the seed: the layers and the flags that change a run. */
export type ReplaySettings = Pick<GradeConfig, "impl" | "layers" | "invariants" | "strictLinearizability"> & {
  sealed?: boolean;
};

/** The command line that reruns exactly one test (by its stable id, e.g. 3A/TestInitialElection3A) on one seed. */
export function replayCommand(config: ReplaySettings, id: string, seed: number): string {
  return ["raftgrade", ...replayArgs(config, id, seed)].map(shellQuote).join(" ");
}

/** The arguments of that command (the HTML report runs it as a child process). */
export function replayArgs(config: ReplaySettings, id: string, seed: number): string[] {
  const layers = (["raft", "rsm", "kv", "clerk"] as const)
    .filter((l) => config.layers[l] !== config.impl)
    .flatMap((l) => [`--${l}`, config.layers[l]]);
  const flags = [
    ...(config.invariants ? [] : ["--no-invariants"]),
    ...(config.strictLinearizability ? ["--strict-linearizability"] : []),
    ...(config.sealed === false ? ["--unsealed"] : []),
  ];
  return ["replay", "--impl", config.impl, ...layers, "--test", id, "--seed", String(seed), ...flags];
}

export function shellQuote(s: string): string {
  return /^[\w./:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
