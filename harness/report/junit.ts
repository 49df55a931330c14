/**
 * JUnit XML: one testsuite per part, one testcase per run (the seed in its name), failures as
 * <failure> with the message, the kind, the replay command and the run's output.
 */
import type { Report } from "./report";
import { isPassed, RunOutcome } from "../run/outcome";

export function junitXml(report: Report): string {
  const parts = [...new Set(report.planned.map((t) => t.part))];
  const suites = parts.map((part) => {
    const runs = report.runs.filter((r) => r.part === part);
    const failures = runs.filter((r) => !isPassed(r)).length;
    const seconds = runs.reduce((a, r) => a + r.realMs, 0) / 1000;
    const cases = runs.map((r) => testcase(part, r)).join("");
    return `  <testsuite name="${attr(part)}" tests="${runs.length}" failures="${failures}" errors="0" skipped="0" time="${seconds.toFixed(3)}">\n${cases}  </testsuite>\n`;
  });
  const failures = report.runs.filter((r) => !isPassed(r)).length;
  const seconds = report.runs.reduce((a, r) => a + r.realMs, 0) / 1000;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="raftgrade" tests="${report.runs.length}" failures="${failures}" errors="0" time="${seconds.toFixed(3)}">\n${suites.join("")}</testsuites>\n`
  );
}

function testcase(part: string, r: RunOutcome): string {
  const name = `${r.id.slice(r.id.indexOf("/") + 1)} (seed ${r.seed})`;
  const open = `    <testcase classname="${attr(part)}" name="${attr(name)}" time="${(r.realMs / 1000).toFixed(3)}"`;
  if (isPassed(r)) {
    if (r.warnings.length === 0) return `${open}/>\n`;
    return `${open}>\n      <system-out>${text(r.warnings.map((w) => `warning: ${w}`).join("\n"))}</system-out>\n    </testcase>\n`;
  }
  const body = [
    r.message ?? "failed",
    `seed ${r.seed}, virtual time ${(r.virtualMs / 1000).toFixed(1)} s`,
    r.replay ? `replay: ${r.replay}` : "",
    r.details ?? "",
  ]
    .filter(Boolean)
    .join("\n");
  const out = r.output ? `\n      <system-out>${text(r.output)}</system-out>` : "";
  return `${open}>\n      <failure message="${attr(firstLine(r.message ?? "failed"))}" type="${attr(r.failureKind ?? "test")}">${text(body)}</failure>${out}\n    </testcase>\n`;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

/** Drops what XML 1.0 cannot carry (control characters, lone surrogates) and ANSI colour codes. */
function clean(s: string): string {
  return s
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "");
}

function text(s: string): string {
  return clean(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function attr(s: string): string {
  return text(s).replace(/"/g, "&quot;").replace(/\n/g, "&#10;");
}
