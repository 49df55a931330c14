/**
 * The reference implementation's figures per (test, seed), for the timing report. Running the
 * reference doubles the work of a sweep, so its figures are cached in node_modules/.cache/raftgrade,
 * keyed by a fingerprint of every source that shapes a run (reference/, harness/, specs/) and of the
 * flags that change one; a later sweep on the same seeds only runs what is missing.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../run/load";
import type { ReferenceFigures } from "./timing";
import { writeFileAtomic } from "./write-reports";

const CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "raftgrade");

function sourcesUnder(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      const rel = path.relative(PROJECT_ROOT, full);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".ts")) out.push(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export function referenceFingerprint(flags: { invariants: boolean; strictLinearizability: boolean }): string {
  const hash = crypto.createHash("sha256");
  hash.update(JSON.stringify(flags));
  const files = ["reference", "harness", "specs"].flatMap((d) =>
    sourcesUnder(path.join(PROJECT_ROOT, d), (rel) => rel.startsWith(path.join("harness", "test"))),
  );
  for (const f of files) {
    hash.update(path.relative(PROJECT_ROOT, f));
    hash.update(fs.readFileSync(f));
  }
  return hash.digest("hex").slice(0, 16);
}

export class ReferenceCache {
  private readonly file: string;
  private figures: Record<string, ReferenceFigures> = {};

  constructor(fingerprint: string) {
    this.file = path.join(CACHE_DIR, `reference-${fingerprint}.json`);
    try {
      this.figures = JSON.parse(fs.readFileSync(this.file, "utf8")).figures ?? {};
    } catch {
      this.figures = {}; // no cache yet, or an unreadable one: run the reference again
    }
  }

  get(id: string, seed: number): ReferenceFigures | undefined {
    return this.figures[`${id}@${seed}`];
  }

  put(f: ReferenceFigures): void {
    this.figures[`${f.id}@${f.seed}`] = f;
  }

  /** Best effort: a cache that cannot be written only costs time next run. */
  save(): void {
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      writeFileAtomic(this.file, JSON.stringify({ figures: this.figures }));
    } catch {
      // ignored on purpose
    }
  }
}
