// Training curves as a self-contained SVG: loss (train and test) and test accuracy per epoch.

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
}

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

const W = 420, H = 300; // one panel
const M = { left: 56, right: 20, top: 48, bottom: 44 };

/** Round numbers for axis ticks covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v: number): string => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3))));

/** One chart panel at horizontal offset `x0`. */
function panel(x0: number, title: string, series: Series[], epochs: number, yRange: [number, number]): string {
  const pw = W - M.left - M.right, ph = H - M.top - M.bottom;
  const [ylo, yhi] = yRange;
  const sx = (e: number): number => x0 + M.left + (epochs <= 1 ? pw / 2 : ((e - 1) / (epochs - 1)) * pw);
  const sy = (v: number): number => M.top + ph - ((v - ylo) / (yhi - ylo || 1)) * ph;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (const t of ticks(ylo, yhi)) {
    if (t < ylo - 1e-12 || t > yhi + 1e-12) continue;
    parts.push(`<line x1="${x0 + M.left}" x2="${x0 + M.left + pw}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x0 + M.left - 6}" y="${sy(t) + 4}" text-anchor="end" font-size="11">${fmt(t)}</text>`);
  }
  const xticks = ticks(1, Math.max(epochs, 2), Math.min(epochs, 8)).filter((t) => Number.isInteger(t) && t >= 1 && t <= epochs);
  for (const t of xticks) parts.push(`<text x="${sx(t)}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11">${t}</text>`);
  parts.push(`<text x="${x0 + M.left + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="12">epoch</text>`);
  parts.push(`<rect x="${x0 + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  series.forEach((s, k) => {
    const d = s.points.map(([e, v], i) => `${i ? 'L' : 'M'}${sx(e).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [e, v] of s.points) parts.push(`<circle cx="${sx(e).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    // Legend above the frame, right-aligned, one entry after another: it never covers a line.
    const lx = x0 + M.left + pw - 70 * (series.length - k);
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${M.top - 12}" y2="${M.top - 12}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 23}" y="${M.top - 8}" font-size="11">${esc(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** The range of the values, padded a little so lines don't touch the frame. */
function range(values: number[], floor?: number, ceil?: number): [number, number] {
  let lo = Math.min(...values), hi = Math.max(...values);
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
  lo -= pad;
  hi += pad;
  return [floor === undefined ? lo : Math.max(floor, lo), ceil === undefined ? hi : Math.min(ceil, hi)];
}

/**
 * The SVG document of the training curves.
 * @param history - One record per finished epoch.
 * @param title - A caption (model, data, optimizer).
 */
export function curvesSvg(history: EpochRecord[], title: string): string {
  const epochs = Math.max(1, ...history.map((h) => h.epoch));
  const losses = history.flatMap((h) => [h.trainLoss, h.testLoss]);
  const accs = history.map((h) => h.testAccuracy * 100);
  const lossPanel = panel(0, 'loss', [
    { label: 'train', color: '#1f77b4', points: history.map((h) => [h.epoch, h.trainLoss]) },
    { label: 'test', color: '#ff7f0e', points: history.map((h) => [h.epoch, h.testLoss]) },
  ], epochs, history.length ? range(losses, 0) : [0, 1]);
  const accPanel = panel(W, 'test accuracy (%)', [
    { label: 'test', color: '#2ca02c', points: history.map((h) => [h.epoch, h.testAccuracy * 100]) },
  ], epochs, history.length ? range(accs, 0, 100) : [0, 100]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 24}" viewBox="0 0 ${2 * W} ${H + 24}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    lossPanel,
    accPanel,
    `<text x="${W}" y="${H + 16}" text-anchor="middle" font-size="11" fill="#555">${esc(title)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
