/**
 * Finds the lab tests by loading the spec files with mocha's own loader (never a hard-coded list:
 * parts gain specs as they are written). Loading a spec only declares its tests; no graded code runs.
 */
import * as path from "node:path";
import Mocha from "mocha";
import { PARTS, Part } from "../../specs";
import { LabTestMeta, testId } from "./lab-test";

const SPECS_DIR = path.resolve(__dirname, "..", "..", "specs");

export interface LabTestInfo {
  /** Stable id, `<part>/<TestName>`. */
  id: string;
  part: string;
  /** The lab's test name, e.g. TestInitialElection3A. */
  name: string;
  /** mocha's full title, e.g. "3A TestInitialElection3A" (what --grep matched before ids existed). */
  title: string;
  file: string;
}

export interface LoadedSpecs {
  tests: LabTestInfo[];
  /** The declaration of each id, to run it (runLabTest). */
  byId: Map<string, LabTestMeta>;
}

/** The absolute spec files of some parts. */
function specFiles(parts: Part[]): string[] {
  return parts.flatMap((p) => p.files.map((f) => path.join(SPECS_DIR, f)));
}

/** The parts that have specs, in the course's order. */
export function partsWithSpecs(parts: Part[] = PARTS): Part[] {
  return parts.filter((p) => p.files.length > 0);
}

/**
 * Loads the spec files of the given parts with mocha's loader (which gives them `describe` and
 * `it`) and lists their tests, in file order. Runs never go through mocha: see runLabTest.
 */
export function loadSpecs(parts: Part[]): LoadedSpecs {
  const mocha = new Mocha();
  for (const part of parts) {
    for (const file of specFiles([part])) {
      mocha.addFile(file);
    }
  }
  try {
    (mocha as unknown as { loadFiles(): void }).loadFiles(); // public in mocha, protected in its typings
  } catch (e) {
    throw new SpecLoadError(
      `the lab specs could not be loaded: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  }
  const tests: LabTestInfo[] = [];
  const byId = new Map<string, LabTestMeta>();
  const files = new Map<string, string>();
  const visit = (suite: Mocha.Suite) => {
    for (const test of suite.tests) {
      const meta = (test as unknown as { raftgradeMeta?: LabTestMeta }).raftgradeMeta;
      const file = test.file ?? "";
      if (!meta)
        throw new SpecLoadError(
          `${file}: "${test.fullTitle()}" is a plain mocha test; lab specs declare their tests with labTest`,
        );
      const { part, name } = meta;
      const id = testId(part, name);
      if (byId.has(id))
        throw new SpecLoadError(
          `two lab tests have the id ${id} (in ${files.get(id)} and ${file}); test names must be unique within a part`,
        );
      byId.set(id, meta);
      files.set(id, file);
      tests.push({ id, part, name, title: test.fullTitle(), file });
    }
    suite.suites.forEach(visit);
  };
  visit(mocha.suite);
  return { tests, byId };
}

/** A spec file failed to load, or declares an ambiguous test: a harness problem, not the student's. */
class SpecLoadError extends Error {}
