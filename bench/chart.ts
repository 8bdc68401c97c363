/**
 * A hand-rolled SVG of latency distributions: one cumulative curve per series, the x axis in ms on a
 * log scale (so the fast body and the slow tail both show), the y axis the share of requests.
 */
export interface Series {
  name: string;
  color: string;
  values: number[];
}

const W = 760;
const H = 420;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function cdfSvg(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / Math.log10(hi / lo)) * pw;
  const y = (q: number) => M.top + (1 - q) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  );
  for (let d = lo; d <= hi; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi) break;
      const px = x(v).toFixed(1);
      parts.push(`<line x1="${px}" x2="${px}" y1="${M.top}" y2="${M.top + ph}" stroke="#ddd"/>`);
      parts.push(`<text x="${px}" y="${M.top + ph + 16}" text-anchor="middle">${v >= 1 ? v : v.toFixed(1)}</text>`);
    }
  }
  for (const q of [0, 0.25, 0.5, 0.75, 0.95, 0.99, 1]) {
    const py = y(q).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${py}" y2="${py}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py}" text-anchor="end" dy="4">${q * 100}%</text>`);
  }
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">POST /agreements → decision applied in PE, ms (log scale)</text>`,
    `<text x="14" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})">share of agreements</text>`,
  );
  for (const [i, s] of series.entries()) {
    const v = [...s.values].sort((a, b) => a - b);
    // At most ~600 points: plenty for the width of the plot.
    const step = Math.max(1, Math.floor(v.length / 600));
    const pts: string[] = [];
    for (let k = 0; k < v.length; k += step) pts.push(`${x(v[k]!).toFixed(1)},${y((k + 1) / v.length).toFixed(1)}`);
    pts.push(`${x(v.at(-1)!).toFixed(1)},${y(1).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    const ly = M.top + ph - 14 - (series.length - 1 - i) * 18;
    parts.push(
      `<line x1="${M.left + pw - 190}" x2="${M.left + pw - 170}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`,
      `<text x="${M.left + pw - 164}" y="${ly}">${esc(s.name)}</text>`,
    );
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
