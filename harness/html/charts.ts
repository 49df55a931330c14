/**
 * The index page's charts: per test, a horizontal bar for the graded implementation and one for
 * the reference on the same seeds, drawn as plain SVG (no script needed).
 */
import { escapeHtml } from "./shared";

export interface ChartRow {
  label: string;
  /** The graded implementation's mean; its bar is red when the test failed on some seed. */
  graded: number;
  failed: boolean;
  /** The reference's mean on the same seeds, if known. */
  reference: number | null;
}

const WIDTH = 460;
const LABEL = 190;
const ROW = 28;
const BAR = 10;

export function barChart(id: string, title: string, rows: ChartRow[], format: (v: number) => string): string {
  const max = Math.max(1e-9, ...rows.flatMap((r) => [r.graded, r.reference ?? 0]));
  const scale = (v: number) => (v / max) * (WIDTH - LABEL - 70);
  const height = 22 + rows.length * ROW;
  const bars = rows.map((r, k) => {
    const y = 22 + k * ROW;
    const graded =
      `<rect x="${LABEL}" y="${y}" width="${Math.max(1, scale(r.graded)).toFixed(1)}" height="${BAR}" fill="${r.failed ? "#c0392b" : "#2c7be5"}"><title>${escapeHtml(`${r.label}: ${format(r.graded)}`)}</title></rect>` +
      `<text x="${(LABEL + scale(r.graded) + 4).toFixed(1)}" y="${y + 9}">${escapeHtml(format(r.graded))}</text>`;
    const reference =
      r.reference === null
        ? ""
        : `<rect x="${LABEL}" y="${y + BAR + 2}" width="${Math.max(1, scale(r.reference)).toFixed(1)}" height="${BAR}" fill="#b0b8c1"><title>${escapeHtml(`reference: ${format(r.reference)}`)}</title></rect>` +
          `<text x="${(LABEL + scale(r.reference) + 4).toFixed(1)}" y="${y + BAR + 11}" fill="#66707a">${escapeHtml(format(r.reference))}</text>`;
    return `<g class="bar" data-test="${escapeHtml(r.label)}" data-graded="${r.graded}"${r.reference === null ? "" : ` data-reference="${r.reference}"`}><text x="0" y="${y + 12}">${escapeHtml(clip(r.label, 30))}</text>${graded}${reference}</g>`;
  });
  return `<figure><figcaption><b>${escapeHtml(title)}</b></figcaption><svg class="chart" id="${id}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${bars.join("")}</svg></figure>`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(-(max - 1))}`;
}
