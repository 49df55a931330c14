/**
 * What the report's pages share: escaping, embedding data in a page, and the page shell with the
 * shared style sheet. Pages are self-contained: styles and scripts are inlined from assets/, data
 * is embedded as JSON, and nothing is fetched.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ASSETS = path.join(__dirname, "assets");

/** The text of a file in assets/ (style sheet, page scripts). */
export function asset(name: string): string {
  return fs.readFileSync(path.join(ASSETS, name), "utf8");
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JSON safe inside <script type="application/json">: no "</script" or "<!--" can end or confuse it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A complete page: the shared style sheet, the body, and scripts (inlined) at the end. */
export function page(title: string, body: string, scripts: string[] = []): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${asset("style.css")}</style></head>
<body>
${body}
${scripts.map((s) => `<script>${s}</script>`).join("\n")}
</body></html>
`;
}

export function seconds(ms: number, digits = 3): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}
