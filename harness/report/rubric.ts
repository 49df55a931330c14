/**
 * Points. By default every part with specs is worth 100 points, split evenly over its tests in
 * whole hundredths (the first tests get the odd hundredths, so a part always adds up to exactly
 * 100). A rubric file (--rubric FILE) overrides part totals and single tests:
 *
 *   { "parts": { "3A": 50 }, "tests": { "3B/TestBackup3B": 20 } }
 *
 * A part total is split evenly over the part's tests that the file does not name. A test counts as
 * passed for points only if it passed on every seed it ran.
 */
import * as fs from "node:fs";
import type { LabTestInfo } from "../run/discover";
import { PARTS } from "../../specs";
import { UsageError } from "../run/errors";

const DEFAULT_PART_POINTS = 100;

/** Points of each test id. */
export type Rubric = Record<string, number>;

interface RubricFile {
  parts?: Record<string, number>;
  tests?: Record<string, number>;
}

/** The points of every test: from the file if given, else the default split. */
export function buildRubric(tests: LabTestInfo[], file?: RubricFile): Rubric {
  const rubric: Rubric = {};
  const byPart = new Map<string, LabTestInfo[]>();
  for (const t of tests) byPart.set(t.part, [...(byPart.get(t.part) ?? []), t]);
  for (const [part, partTests] of byPart) {
    const fixed = partTests.filter((t) => file?.tests?.[t.id] !== undefined);
    for (const t of fixed) rubric[t.id] = file!.tests![t.id];
    const rest = partTests.filter((t) => !fixed.includes(t));
    const total = file?.parts?.[part] ?? DEFAULT_PART_POINTS;
    splitEvenly(total, rest.length).forEach((points, k) => (rubric[rest[k].id] = points));
  }
  return rubric;
}

/** `total` split into `n` shares of whole hundredths that add up to exactly `total` (rounded to hundredths). */
function splitEvenly(total: number, n: number): number[] {
  if (n === 0) return [];
  const cents = Math.round(total * 100);
  const share = Math.floor(cents / n);
  return Array.from({ length: n }, (_, k) => (share + (k < cents - share * n ? 1 : 0)) / 100);
}

/** Reads and checks a rubric file; every problem is named with its place in the file. */
export function loadRubricFile(file: string, tests: LabTestInfo[]): RubricFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--rubric ${file}: cannot read it: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--rubric ${file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateRubric(data, tests, `--rubric ${file}`);
}

export function validateRubric(data: unknown, tests: LabTestInfo[], where: string): RubricFile {
  const fail = (path: string, message: string): never => {
    throw new UsageError(`${where}: ${path}: ${message}`);
  };
  if (!isObject(data))
    fail(
      "top level",
      `must be an object like {"parts": {"3A": 50}, "tests": {"3A/TestReElection3A": 20}}, got ${kind(data)}`,
    );
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj))
    if (key !== "parts" && key !== "tests" && key !== "$comment")
      fail(`"${key}"`, `unknown key; a rubric has "parts" and "tests"`);
  const ids = new Set(tests.map((t) => t.id));
  const out: RubricFile = {};
  for (const section of ["parts", "tests"] as const) {
    const value = obj[section];
    if (value === undefined) continue;
    if (!isObject(value))
      fail(
        section,
        `must be an object mapping ${section === "parts" ? "part names" : "test ids"} to points, got ${kind(value)}`,
      );
    const entries: Record<string, number> = {};
    for (const [key, points] of Object.entries(value as Record<string, unknown>)) {
      const path = `${section}["${key}"]`;
      if (section === "parts" && !PARTS.some((p) => p.part === key))
        fail(path, `unknown part; parts are ${PARTS.map((p) => p.part).join(", ")}`);
      if (section === "tests" && !ids.has(key)) {
        const close = tests
          .filter((t) => t.name.toLowerCase() === key.split("/").pop()!.toLowerCase())
          .map((t) => t.id);
        fail(
          path,
          `no such test${close.length ? ` (did you mean ${close.join(" or ")}?)` : ""}; ids look like 3A/TestInitialElection3A ('raftgrade list' prints them)`,
        );
      }
      if (typeof points !== "number" || !Number.isFinite(points) || points < 0)
        fail(path, `points must be a non-negative number, got ${JSON.stringify(points)}`);
      entries[key] = points as number;
    }
    out[section] = entries;
  }
  return out;
}

function isObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

/** Rounds points for display and reports (hundredths). */
export function roundPoints(x: number): number {
  return Math.round(x * 100) / 100;
}
