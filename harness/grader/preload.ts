/**
 * Loads the graded layers' modules before the first run, so that compiling them is not counted in
 * that run's real time. Worker and replay both do it, so a module's load-time side effects happen
 * outside every run in both. A module that fails to load fails each test with its message later.
 */
import { LAYERS, Layer } from "../api/implementation";
import { readConfig } from "./config";
import { loadLayer } from "./load";

export function preloadLayers(): void {
  const config = readConfig();
  for (const layer of Object.keys(LAYERS) as Layer[]) {
    try {
      loadLayer(layer, config.layers[LAYERS[layer].selectedBy]);
    } catch {
      // reported by each test that needs the layer, with the load error
    }
  }
}
