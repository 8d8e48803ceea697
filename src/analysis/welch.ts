/**
 * Welch's t-test for two samples with unequal variances, two-sided. The t distribution's
 * tail comes from the regularized incomplete beta function: I_x(df/2, 1/2) with
 * x = df / (df + t^2) is P(|T| > t).
 */
export interface WelchResult {
  t: number;
  df: number;
  p: number;
  meanA: number;
  meanB: number;
  diff: number;
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * B's mean minus A's, with floating-point noise taken as 0: summing the same values in
 * another order moves a mean by an ulp or so, and "B - A 2.77556e-17" would read as a
 * difference. Below 1e-12 (times the means' size when above 1) is no difference.
 */
export function differenceOfMeans(meanA: number, meanB: number): number {
  const d = meanB - meanA;
  return Math.abs(d) < 1e-12 * Math.max(1, Math.abs(meanA), Math.abs(meanB)) ? 0 : d;
}

/** Sample variance (n - 1 in the denominator). */
export function variance(xs: number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** undefined when either side has fewer than 2 values or both have no variance. */
export function welchTest(a: number[], b: number[]): WelchResult | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const [ma, mb] = [mean(a), mean(b)];
  const [sa, sb] = [variance(a) / a.length, variance(b) / b.length];
  const se2 = sa + sb;
  if (!(se2 > 0)) return undefined;
  const diff = differenceOfMeans(ma, mb);
  const t = diff / Math.sqrt(se2);
  const df = se2 ** 2 / (sa ** 2 / (a.length - 1) + sb ** 2 / (b.length - 1));
  return { t, df, p: tTwoSidedP(t, df), meanA: ma, meanB: mb, diff };
}

export function welchPValue(a: number[], b: number[]): number | undefined {
  return welchTest(a, b)?.p;
}

/** P(|T| >= |t|) for Student's t with df degrees of freedom (df may be fractional). */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t value with P(|T| >= t) = p: for confidence intervals (bisection on the tail). */
export function tCritical(p: number, df: number): number {
  let lo = 0;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSidedP(mid, df) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let s = c[0]!;
  for (let i = 1; i < 9; i++) s += c[i]! / (z + i);
  const tt = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(tt) - tt + Math.log(s);
}

/** Regularized incomplete beta I_x(a, b), by Lentz's continued fraction. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaFraction(1 - x, b, a)) / b;
  return (front * betaFraction(x, a, b)) / a;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let f = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = Math.abs(c) < tiny ? tiny : c;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return f;
}
