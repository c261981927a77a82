/**
 * Holm's step-down adjustment (Holm 1979) for the per-task tests of `compare`. Thirty unadjusted tests at α = 0.05
 * flag at least one task in about a third of comparisons of identical harnesses (issue 10); Holm keeps the chance of
 * flagging any task wrongly at ≤ α whatever the dependence between tests, and is uniformly more powerful than
 * Bonferroni. Family-wise control (rather than Benjamini–Hochberg's false discovery rate) because a flagged task is
 * read as "this task really moved", one claim at a time.
 */
export function holmAdjust(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    // Monotone: an adjusted p is never below the one of a smaller raw p.
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
