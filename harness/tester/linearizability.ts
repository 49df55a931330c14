/**
 * The testers' linearizability check (the 6.5840 handout): porcupine-class checking of the recorded
 * history with a 1 s budget. Illegal fails the test and writes the checker's HTML picture, annotated
 * with the run's partitions and crashes; a timeout is what the lab calls "assuming history is ok",
 * reported here as a pass with a warning — or a failure with --strict-linearizability.
 *
 * The budget is real time (a check is one synchronous computation between two simulated events), so
 * only the verdict "unknown" can depend on the machine; the simulated run itself is unaffected.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { World } from "../sim/world";
import { checkOperations } from "../checker/check";
import { renderHtml, type Annotation } from "../checker/html";
import type { Model, Operation } from "../checker/model";
import { kvVersioned } from "../checker/models";
import { fatal } from "./harness";
import { recording } from "../sim/recorder";

/** The lab's budget per check. */
export const LINEARIZABILITY_TIMEOUT_MS = 1000;

/** Where pictures and histories go: the grader's artifacts folder for this run, else the system's temp folder. */
export function checkHistory<I, O>(
  world: World,
  history: readonly Operation<I, O>[],
  annotations: readonly Annotation[],
  openAnnotation: Annotation | undefined,
  title: string,
  model: Model<unknown, I, O> = kvVersioned as unknown as Model<unknown, I, O>,
): void {
  const result = checkOperations(model, history, { timeoutMs: LINEARIZABILITY_TIMEOUT_MS });
  if (result.verdict === "ok") return;
  const now = world.now();
  const name = `${slug(title)}-seed${world.seed}-t${now}`;
  // The history itself, so that `raftgrade check-history` can check it again with a larger budget.
  const historyFile = writeArtifact(
    world,
    JSON.stringify({ name, model: model.name, operations: history }),
    `${name}.history.json`,
  );
  if (result.verdict === "unknown") {
    const message =
      `linearizability check of ${history.length} operations gave up after ${LINEARIZABILITY_TIMEOUT_MS} ms (${result.reason ?? "timeout"}); ` +
      `the lab assumes such a history is ok (history: ${historyFile})`;
    if (world.settings.strictLinearizability) fatal(`${message}; --strict-linearizability fails it`);
    world.warn(message);
    return;
  }
  const marks = openAnnotation ? [...annotations, { ...openAnnotation, end: now }] : annotations;
  const html = renderHtml(result, history, model, marks, { title: `${title}, seed ${world.seed}: not linearizable` });
  const file = writeArtifact(world, html, `${name}.html`);
  recording()?.linearizabilityPicture(html);
  fatal(`history is not linearizable; visualization: ${file} (history: ${historyFile})`);
}

function writeArtifact(world: World, text: string, name: string): string {
  const dir = world.settings.artifactsDir ?? path.join(os.tmpdir(), "raftgrade");
  const file = path.resolve(dir, name);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  } catch (e) {
    return `(could not be written to ${file}: ${e instanceof Error ? e.message : String(e)})`;
  }
}

function slug(title: string): string {
  return title
    .replace(/^Test:\s*/, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
}
