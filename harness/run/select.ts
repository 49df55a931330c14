/**
 * Which tests a command runs: parts by lab name, a --grep regular expression (matched against the
 * stable id and against mocha's full title), and exact ids with --test.
 */
import { PARTS, Part, partsNamed } from "../../specs";
import type { LabTestInfo } from "./discover";
import { UsageError } from "./errors";

/**
 * The parts named by --part (comma-separated; "classic" names the classic kvraft lab's parts), or
 * every part of the current course's labs that has specs (the classic lab and the parts beyond the
 * lab only run when named).
 */
export function selectParts(spec: string | undefined, parts: Part[] = PARTS): Part[] {
  const ready = parts.filter((p) => p.files.length > 0);
  if (spec === undefined) {
    const current = ready.filter((p) => p.lab === undefined);
    if (current.length === 0) throw new UsageError("no part has specs yet");
    return current;
  }
  const names = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new UsageError(`--part needs at least one part name; parts are ${parts.map((p) => p.part).join(", ")}`);
  const chosen: Part[] = [];
  for (const name of names) {
    const named = parts === PARTS ? partsNamed(name) : parts.filter((p) => p.part.toLowerCase() === name.toLowerCase());
    if (!named?.length)
      throw new UsageError(
        `unknown part "${name}"; parts are ${parts.map((p) => p.part).join(", ")}${parts === PARTS ? ", classic (both classic parts) or beyond (the parts beyond the lab)" : ""}`,
      );
    for (const part of named) {
      if (part.files.length === 0) {
        throw new UsageError(
          `part ${part.part} (${part.title}) has no specs yet; parts with specs: ${ready.map((p) => p.part).join(", ") || "none"}`,
        );
      }
      if (!chosen.includes(part)) chosen.push(part);
    }
  }
  return chosen;
}

export function compileGrep(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UsageError(`--grep is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** The tests that match; exact ids (--test) must all exist, with a suggestion when one does not. */
export function selectTests(all: LabTestInfo[], options: { grep?: RegExp; ids?: string[] }): LabTestInfo[] {
  let tests = all;
  if (options.ids && options.ids.length > 0) {
    const byId = new Map(all.map((t) => [t.id, t]));
    tests = options.ids.map((id) => {
      const test = byId.get(id);
      if (!test)
        throw new UsageError(
          `--test ${id}: no such test${suggest(id, all)}; ids look like 3A/TestInitialElection3A ('raftgrade list' prints them)`,
        );
      return test;
    });
  }
  const grep = options.grep;
  if (grep) tests = tests.filter((t) => grep.test(t.id) || grep.test(t.title));
  return tests;
}

function suggest(id: string, all: LabTestInfo[]): string {
  const name = id.includes("/") ? id.slice(id.indexOf("/") + 1) : (id.split(/\s+/).pop() ?? id);
  const close = all.filter(
    (t) => t.name.toLowerCase() === name.toLowerCase() || t.id.toLowerCase() === id.toLowerCase(),
  );
  return close.length > 0 ? ` (did you mean ${close.map((t) => t.id).join(" or ")}?)` : "";
}

/** Splits repeated or comma-separated --test values. */
export function splitIds(values: string | string[] | undefined): string[] {
  if (values === undefined) return [];
  return (Array.isArray(values) ? values : [values])
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
}
