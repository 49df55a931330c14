/**
 * Loads the implementation to grade, layer by layer. Each layer (raft, rsm, kv, clerk) comes from
 * `reference`, `student`, or a path to a module folder; what a module lacks, or exports in the
 * wrong shape, is reported precisely — never as a crash of the grader.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { LAYERS, Layer, Implementation, SelectableLayer } from "../api/implementation";
import { ImplementationError } from "../sim/errors";
import type { LayerSource } from "../sim/world";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** `reference`, `student`, or a path (relative to the working directory) to a module folder or file. */
type ImplementationRef = string;

/** Which module each layer comes from. */
export type LayerSelection = Record<SelectableLayer, ImplementationRef>;

export class ImplementationLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImplementationLoadError";
  }
}

/** The absolute module path a reference names. */
export function resolveImplementation(ref: ImplementationRef): string {
  if (ref === "reference" || ref === "student") return path.join(PROJECT_ROOT, ref);
  return path.resolve(process.cwd(), ref);
}

const cache = new Map<string, Implementation | ImplementationLoadError>();

/** Requires the module once; a missing folder or a module that throws on load becomes a clear error. */
function requireModule(ref: ImplementationRef): Implementation {
  const modulePath = resolveImplementation(ref);
  let loaded = cache.get(modulePath);
  if (!loaded) {
    if (!fs.existsSync(modulePath) && !fs.existsSync(`${modulePath}.ts`) && !fs.existsSync(`${modulePath}.js`)) {
      loaded = new ImplementationLoadError(`implementation "${ref}" not found: ${modulePath} does not exist`);
    } else {
      try {
        loaded = require(modulePath) as Implementation;
      } catch (e) {
        // The cause on the first line (a report's summary shows only that); the stack after it.
        const cause = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        const stack = e instanceof Error && e.stack ? `\n${e.stack}` : "";
        loaded = new ImplementationLoadError(
          `implementation "${ref}" (${modulePath}) failed to load: ${cause.split("\n")[0]}${stack}`,
        );
      }
    }
    cache.set(modulePath, loaded);
  }
  if (loaded instanceof ImplementationLoadError) throw loaded;
  return loaded;
}

/**
 * The factory for one layer, checked: the module must export it as a function. The message names
 * the module, the export, its expected shape, and what the module does export.
 */
export function loadLayer<L extends Layer>(
  layer: L,
  ref: ImplementationRef,
): NonNullable<Implementation[(typeof LAYERS)[L]["export"]]> {
  const { export: name, shape } = LAYERS[layer];
  const mod = requireModule(ref);
  const factory = (mod as Record<string, unknown>)[name];
  if (factory === undefined) {
    const exported = Object.keys(mod).filter((k) => k !== "__esModule");
    throw new ImplementationLoadError(
      `implementation "${ref}" (${resolveImplementation(ref)}) does not export ${name}, the ${layer} layer: ` +
        `expected \`export const ${name} = ${shape}\`; it exports: ${exported.join(", ") || "nothing"}`,
    );
  }
  if (typeof factory !== "function") {
    throw new ImplementationLoadError(
      `implementation "${ref}" exports ${name} as ${factory === null ? "null" : typeof factory}; expected a function ${shape}`,
    );
  }
  return factory as NonNullable<Implementation[(typeof LAYERS)[L]["export"]]>;
}

/** The layers of an unsealed run, from modules loaded in this process; a load problem fails the run as the implementation's. */
export function inProcessLayers(selection: LayerSelection): LayerSource {
  return {
    factory(layer: string) {
      try {
        return loadLayer(layer as Layer, selection[LAYERS[layer as Layer].selectedBy]);
      } catch (e) {
        if (e instanceof ImplementationLoadError) throw new ImplementationError(e.message);
        throw e;
      }
    },
  };
}

/**
 * Loads the selected modules before the first run, so that compiling them is not counted in that
 * run's real time, and their load-time side effects happen outside every run. A module that fails
 * to load fails each test that needs it later, with the load error.
 */
export function preloadLayers(selection: LayerSelection): void {
  for (const layer of Object.keys(LAYERS) as Layer[]) {
    try {
      loadLayer(layer, selection[LAYERS[layer].selectedBy]);
    } catch {
      // reported by each test that needs the layer
    }
  }
}
