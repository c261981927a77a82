/**
 * The exact sign-flip permutation test over per-task differences, and the confidence interval that inverts it.
 *
 * The interval is the set of shifts δ the test does not reject at α: δ is kept when the p-value of the differences
 * d_t − δ is ≥ α. So the interval excludes 0 exactly when p < α — a t interval beside an exact p-value can disagree
 * with it (issue 10). For one flip s (signs s_t, k = Σ s_t, centred sum c = Σ s_t (d_t − d̄)) and δ = d̄ − u, the
 * flipped sum is at least as extreme as the observed one while |c + u·k| ≥ T·u. The right side grows faster in u
 * than the left can, so each flip stays extreme on an interval [0, u_s], u_s = max(c/(T−k), −c/(T+k)) (∞ for the
 * all-equal flips), and the p-value falls monotonically away from d̄. The lower limit is therefore d̄ − u_(m), u_(m)
 * the m-th largest u_s with m = ⌈α·2^T⌉; above d̄ (δ = d̄ + v) the same holds with v_s = max(c/(T+k), −c/(T−k)).
 * Limits are clipped to [−1, 1] (a difference of pass rates). When α·2^T ≤ 2 (T ≤ 5 at α = 0.05) the test can
 * never reject and the interval is the whole [−1, 1].
 */

/** Exact two-sided sign-flip test: the share of the 2^T sign assignments whose |mean| reaches the observed one. */
export function signFlipPValue(diffs: number[]): number {
  const T = diffs.length;
  const observed = Math.abs(diffs.reduce((a, b) => a + b, 0));
  if (observed === 0) return 1;
  let extreme = 0;
  const total = 2 ** T;
  for (let mask = 0; mask < total; mask++) {
    let s = 0;
    for (let i = 0; i < T; i++) s += mask & (1 << i) ? -diffs[i]! : diffs[i]!;
    if (Math.abs(s) >= observed - 1e-12) extreme++;
  }
  return extreme / total;
}

/**
 * The shifts not rejected by the sign-flip test at level α: a 1−α interval for the mean difference.
 * A 1e-9 margin absorbs rounding where a limit ties with 0 (differences are multiples of 1/trials, so real gaps
 * are far larger), keeping "0 inside" and "p ≥ α" the same statement, as signFlipPValue's 1e-12 does for ties.
 */
export function signFlipInterval(diffs: number[], alpha: number): { low: number; high: number } {
  const T = diffs.length;
  const dbar = diffs.reduce((a, b) => a + b, 0) / T;
  const total = 2 ** T;
  // Every flip's centred sum c and sign count k, built by doubling: flip i turns c into c − 2(d_i − d̄), k into k − 2.
  const c = new Float64Array(total);
  const k = new Int8Array(total);
  c[0] = diffs.reduce((a, d) => a + (d - dbar), 0);
  k[0] = T;
  for (let i = 0, size = 1; i < T; i++, size *= 2) {
    for (let j = 0; j < size; j++) {
      c[size + j] = c[j]! - 2 * (diffs[i]! - dbar);
      k[size + j] = k[j]! - 2;
    }
  }
  const below = new Float64Array(total);
  const above = new Float64Array(total);
  for (let j = 0; j < total; j++) {
    const cj = c[j]!;
    const kj = k[j]!;
    const all = kj === T || kj === -T;
    below[j] = all ? Infinity : Math.max(cj / (T - kj), -cj / (T + kj));
    above[j] = all ? Infinity : Math.max(cj / (T + kj), -cj / (T - kj));
  }
  below.sort();
  above.sort();
  const m = Math.ceil(alpha * total);
  const down = below[total - m]! + 1e-9;
  const up = above[total - m]! + 1e-9;
  return { low: Math.max(-1, dbar - down), high: Math.min(1, dbar + up) };
}
