/**
 * `raftgrade list`: the lab tests with their stable ids, parts and points (discovered from the
 * specs). Without --part it lists every test, the classic lab's too, marked as run only when named.
 */
import { PARTS } from "../../specs";
import { loadSpecs, partsWithSpecs } from "../run/discover";
import { selectParts, selectTests, compileGrep } from "../run/select";
import { buildRubric, loadRubricFile } from "../report/rubric";
import { UsageError, EXIT } from "../run/errors";

interface ListOptions {
  parts?: string;
  grep?: string;
  rubric?: string;
  json: boolean;
}

export function list(options: ListOptions): number {
  try {
    const parts = options.parts === undefined ? partsWithSpecs() : selectParts(options.parts);
    const byDefault = new Set(selectParts(undefined).map((p) => p.part));
    const all = loadSpecs(options.rubric ? partsWithSpecs() : parts).tests;
    const inParts = all.filter((t) => parts.some((p) => p.part === t.part));
    const rubric = buildRubric(inParts, options.rubric ? loadRubricFile(options.rubric, all) : undefined);
    const tests = selectTests(inParts, { grep: compileGrep(options.grep) });
    const rows = tests.map((t) => ({
      id: t.id,
      part: t.part,
      points: rubric[t.id],
      title: t.title,
      file: t.file,
      runByDefault: byDefault.has(t.part),
    }));
    if (options.json) {
      console.log(JSON.stringify(rows, null, 2));
      return EXIT.passed;
    }
    const width = Math.max(4, ...rows.map((r) => r.id.length));
    const partWidth = Math.max(4, ...rows.map((r) => r.part.length));
    console.log(`${"id".padEnd(width)}  ${"part".padEnd(partWidth)}  ${"points".padStart(6)}`);
    for (const r of rows)
      console.log(
        `${r.id.padEnd(width)}  ${r.part.padEnd(partWidth)}  ${r.points.toFixed(2).padStart(6)}${r.runByDefault ? "" : "  (run only when named)"}`,
      );
    const sum = (xs: typeof rows) => Math.round(xs.reduce((a, r) => a + r.points, 0) * 100) / 100;
    const [usual, named] = [rows.filter((r) => r.runByDefault), rows.filter((r) => !r.runByDefault)];
    console.log(`\n${rows.length} tests, ${sum(rows)} points`);
    if (named.length > 0) {
      console.log(
        `  ${usual.length} tests (${sum(usual)} points) run by default; ${named.length} tests (${sum(named)} points) of ${[...new Set(named.map((r) => r.part))].join(", ")} run only when named (e.g. --part classic)`,
      );
    }
    const without = PARTS.filter((p) => p.files.length === 0).map((p) => p.part);
    if (without.length && options.parts === undefined) console.log(`parts without specs yet: ${without.join(", ")}`);
    return EXIT.passed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`raftgrade: ${e.message}`);
    return EXIT.usage;
  }
}
