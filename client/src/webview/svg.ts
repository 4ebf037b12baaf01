// Tiny SVG helpers shared by the curve charts and the network drawing (pure, used both in the
// extension host and in the webviews).
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));
}

/** A short human number: 1234 → 1.23k, 61706 → 61.7k, 2.5e6 → 2.50M. */
export function human(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(2) + 'G';
  if (a >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  if (a >= 1e3) return (n / 1e3).toFixed(2) + 'k';
  return String(Math.round(n * 1000) / 1000);
}

export function shapeText(shape: readonly number[] | undefined): string {
  return shape && shape.length ? shape.join('×') : '?';
}
