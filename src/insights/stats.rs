//! Descriptive and inferential statistics over plain slices: the building blocks of baselines
//! (mean, sd, median, quantiles, MAD), anomaly scores (robust z), trends (least-squares slope)
//! and correlations (Pearson and Spearman with Student's t p-values, Benjamini–Hochberg).
//!
//! Inputs are daily figures that storage has already checked, so they are expected to be
//! finite; sorting uses `f64::total_cmp`, so a stray NaN can never panic, it only sorts last.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Φ⁻¹(3/4): the MAD of a normal distribution is 0.6745 σ, so 0.6745·(x − median)/MAD is on
/// the same scale as an ordinary z-score (Iglewicz & Hoaglin, 1993).
pub const MAD_Z_FACTOR: f64 = 0.6745;

/// A typical relative floor for [`mad_floor`] on ratio-scale metrics such as heart rate: a
/// normal-equivalent sd of at least 2 % of the median.
pub const RELATIVE_SD_FLOOR: f64 = 0.02;

/// The arithmetic mean; `None` for an empty slice.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    Some(xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The sample standard deviation (divisor n − 1); `None` below two values.
pub fn sample_sd(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    let ss: f64 = xs.iter().map(|x| (x - m).powi(2)).sum();
    Some((ss / (xs.len() - 1) as f64).sqrt())
}

/// A sorted copy of `xs`.
fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// Type 7 quantile of values already sorted ascending (see [`quantile`]).
fn quantile_sorted(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// The `p` quantile (0 ≤ p ≤ 1) by linear interpolation between order statistics — Hyndman &
/// Fan's type 7, the default of R and NumPy: with the values sorted, h = (n − 1)·p and the
/// result is x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋+1 − x⌊h⌋). `None` for an empty slice or p outside [0, 1].
pub fn quantile(xs: &[f64], p: f64) -> Option<f64> {
    quantile_sorted(&sorted(xs), p)
}

/// The median (the 0.5 quantile); `None` for an empty slice.
pub fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// The raw median absolute deviation, median(|xᵢ − median(x)|), not rescaled to σ.
pub fn mad(xs: &[f64]) -> Option<f64> {
    let m = median(xs)?;
    let deviations: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    median(&deviations)
}

/// The smallest MAD worth dividing by for a metric: the MAD of a normal distribution whose sd
/// is `fraction` of |median| (0.6745·fraction·|median|), but at least `absolute`, an amount in
/// the metric's own unit below which differences are measurement noise (for example 1 bpm for
/// resting heart rate). Without a floor a history of identical values (MAD 0) would make any
/// change infinitely unusual. Use `fraction` 0 for interval-scale metrics such as temperature,
/// whose zero is arbitrary, and for SpO₂, which sits near its ceiling.
pub fn mad_floor(median: f64, fraction: f64, absolute: f64) -> f64 {
    (MAD_Z_FACTOR * fraction * median.abs()).max(absolute)
}

/// The robust (modified) z-score 0.6745·(x − median)/MAD of Iglewicz & Hoaglin (1993), on the
/// scale of an ordinary z-score, with the MAD taken as at least `min_mad` (see [`mad_floor`]).
/// Positive when `x` is above the median. `None` when an input is not finite or the scale is
/// not positive.
pub fn robust_z(x: f64, median: f64, mad: f64, min_mad: f64) -> Option<f64> {
    if !x.is_finite() || !median.is_finite() {
        return None;
    }
    let scale = mad.max(min_mad);
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    Some(MAD_Z_FACTOR * (x - median) / scale)
}

/// The least-squares slope of `ys` against their index 0, 1, 2, …: the change per step (per
/// day for a daily series). `None` below two values.
pub fn linear_slope(ys: &[f64]) -> Option<f64> {
    let n = ys.len();
    if n < 2 {
        return None;
    }
    let x_mean = (n - 1) as f64 / 2.0;
    let y_mean = mean(ys)?;
    let mut sxy = 0.0;
    let mut sxx = 0.0;
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - x_mean;
        sxy += dx * (y - y_mean);
        sxx += dx * dx;
    }
    Some(sxy / sxx)
}

/// Ranks 1…n in the original order, ties sharing the average of the ranks they span (so
/// [1, 2, 2, 3] ranks as [1, 2.5, 2.5, 4]).
pub fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut out = vec![0.0; xs.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && xs[order[end]].total_cmp(&xs[order[start]]).is_eq() {
            end += 1;
        }
        // Positions start..end hold ranks start+1 ..= end; their average is (start+1+end)/2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    out
}

/// A correlation coefficient with its sample size and two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Correlation {
    /// The coefficient, −1 ≤ r ≤ 1.
    pub r: f64,
    /// The number of pairs.
    pub n: usize,
    /// Two-sided p-value of r ≠ 0 from Student's t with n − 2 degrees of freedom.
    pub p: f64,
}

/// Pearson's product-moment correlation of paired series, with its p-value from
/// t = r·√((n − 2)/(1 − r²)) on n − 2 degrees of freedom (two-sided). `None` when the slices
/// differ in length, there are fewer than three pairs (no degree of freedom left), or either
/// series is constant (r undefined).
pub fn pearson(x: &[f64], y: &[f64]) -> Option<Correlation> {
    let n = x.len();
    if n != y.len() || n < 3 {
        return None;
    }
    let mx = mean(x)?;
    let my = mean(y)?;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    if !r.is_finite() {
        return None;
    }
    Some(Correlation {
        r,
        n,
        p: correlation_p(r, n)?,
    })
}

/// Spearman's rank correlation: Pearson's r of the average ranks ([`ranks`]), which stays
/// correct with ties (the shortcut 1 − 6Σd²/(n(n² − 1)) does not). The p-value uses the same t
/// approximation as [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Option<Correlation> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// Two-sided p-value for a correlation r over n pairs: 2·P(T ≥ |t|) with T ~ Student's t on
/// n − 2 degrees of freedom and t = r·√((n − 2)/(1 − r²)). A perfect correlation has p = 0.
/// The tail is read as cdf(−|t|), which keeps small p-values accurate.
pub fn correlation_p(r: f64, n: usize) -> Option<f64> {
    if n < 3 || !r.is_finite() {
        return None;
    }
    let df = (n - 2) as f64;
    let one_minus_r2 = 1.0 - r * r;
    if one_minus_r2 <= 0.0 {
        return Some(0.0);
    }
    let t = r * (df / one_minus_r2).sqrt();
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * dist.cdf(-t.abs())).clamp(0.0, 1.0))
}

/// Benjamini–Hochberg (1995) adjusted p-values (q-values), in the original order: sorted
/// ascending, q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎·m/j, capped at 1. Declaring every finding with
/// q ≤ α keeps the expected false-discovery rate at or below α. A non-finite p counts as 1.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let clean: Vec<f64> = p
        .iter()
        .map(|&v| {
            if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                1.0
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| clean[a].total_cmp(&clean[b]));
    let mut q = vec![1.0; m];
    let mut running = 1.0_f64;
    for (pos, &i) in order.iter().enumerate().rev() {
        let rank = (pos + 1) as f64;
        running = running.min(clean[i] * m as f64 / rank);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn mean_sd_median() {
        // mean [2, 4, 4, 4, 5, 5, 7, 9] = 40/8 = 5; Σ(x − 5)² = 9+1+1+1+0+0+4+16 = 32;
        // sample sd = √(32/7) = 2.13809.
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&xs), Some(5.0));
        assert!(close(
            sample_sd(&xs).unwrap_or(0.0),
            (32.0_f64 / 7.0).sqrt(),
            1e-12
        ));
        assert_eq!(sample_sd(&[1.0]), None);
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn quantile_type_7() {
        // [1, 2, 3, 4], p = 0.25: h = 3·0.25 = 0.75 → 1 + 0.75·(2 − 1) = 1.75 (NumPy agrees).
        // p = 0.9: h = 2.7 → 3 + 0.7·(4 − 3) = 3.7.
        let xs = [4.0, 1.0, 3.0, 2.0];
        assert!(close(quantile(&xs, 0.25).unwrap_or(0.0), 1.75, 1e-12));
        assert!(close(quantile(&xs, 0.9).unwrap_or(0.0), 3.7, 1e-12));
        assert_eq!(quantile(&xs, 0.0), Some(1.0));
        assert_eq!(quantile(&xs, 1.0), Some(4.0));
        assert_eq!(quantile(&xs, 1.5), None);
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn robust_z_examples() {
        // History [50, 53, 55, 57, 60]: median 55; |x − 55| = [5, 2, 0, 2, 5] → MAD 2.
        // x = 61: z = 0.6745·(61 − 55)/2 = 2.0235.
        let xs = [50.0, 53.0, 55.0, 57.0, 60.0];
        assert_eq!(mad(&xs), Some(2.0));
        assert!(close(
            robust_z(61.0, 55.0, 2.0, 1.0).unwrap_or(0.0),
            2.0235,
            1e-9
        ));
        // A constant history (MAD 0) with floor max(0.6745·0.02·55 = 0.74195, 1.0) = 1.0:
        // 58 gives z = 0.6745·3/1 = 2.0235 instead of infinity.
        assert_eq!(mad(&[55.0; 5]), Some(0.0));
        let floor = mad_floor(55.0, RELATIVE_SD_FLOOR, 1.0);
        assert!(close(floor, 1.0, 1e-12));
        assert!(close(
            robust_z(58.0, 55.0, 0.0, floor).unwrap_or(0.0),
            2.0235,
            1e-9
        ));
        // Relative floor only: 0.74195, so z = 0.6745·3/0.74195 = 3/(0.02·55) = 2.7273.
        let floor = mad_floor(55.0, RELATIVE_SD_FLOOR, 0.0);
        assert!(close(
            robust_z(58.0, 55.0, 0.0, floor).unwrap_or(0.0),
            3.0 / 1.1,
            1e-9
        ));
        // Nothing to scale by at all.
        assert_eq!(robust_z(1.0, 0.0, 0.0, 0.0), None);
    }

    #[test]
    fn slope() {
        // [1, 3, 5, 7]: rises by 2 per step exactly.
        assert!(close(
            linear_slope(&[1.0, 3.0, 5.0, 7.0]).unwrap_or(0.0),
            2.0,
            1e-12
        ));
        assert_eq!(linear_slope(&[1.0]), None);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[1.0, 2.0, 2.0, 3.0]), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(ranks(&[30.0, 10.0, 20.0]), vec![3.0, 1.0, 2.0]);
        assert_eq!(ranks(&[5.0, 5.0, 5.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn pearson_golden() {
        // x = [1..5], y = [2, 1, 4, 3, 5]: means 3 and 3; dx = [−2, −1, 0, 1, 2],
        // dy = [−1, −2, 1, 0, 2]; Σdxdy = 2 + 2 + 0 + 0 + 4 = 8, Σdx² = 10, Σdy² = 10;
        // r = 8/√(10·10) = 0.8.
        // t = 0.8·√(3/0.36) = 2.309401 on 3 df. For 3 df the cdf has a closed form,
        // F(t) = ½ + (θ + sinθ·cosθ)/π with θ = atan(t/√3) = atan(1.333333) = 0.927295;
        // sinθ·cosθ = 0.8·0.6 = 0.48; F = ½ + 1.407295/π = 0.947955; p = 2(1 − F) = 0.104088.
        let c = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        let c = c.unwrap_or(Correlation {
            r: 0.0,
            n: 0,
            p: 1.0,
        });
        assert!(close(c.r, 0.8, 1e-12));
        assert_eq!(c.n, 5);
        assert!(close(c.p, 0.104088, 1e-3), "p = {}", c.p);
    }

    #[test]
    fn spearman_with_ties_golden() {
        // x = [1, 2, 2, 3] ranks [1, 2.5, 2.5, 4]; y = [1, 3, 2, 4] ranks [1, 3, 2, 4].
        // Both rank means 2.5; dx = [−1.5, 0, 0, 1.5], dy = [−1.5, 0.5, −0.5, 1.5];
        // Σdxdy = 2.25 + 2.25 = 4.5, Σdx² = 4.5, Σdy² = 5; r = 4.5/√22.5 = √0.9 = 0.948683.
        // t = r·√(2/(1 − 0.9)) = √18 = 4.242641 on 2 df, where F(t) = ½ + t/(2√(2 + t²)), so
        // p = 1 − t/√(2 + t²) = 1 − √18/√20 = 1 − √0.9 = 0.051317.
        let c = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        let c = c.unwrap_or(Correlation {
            r: 0.0,
            n: 0,
            p: 1.0,
        });
        assert!(close(c.r, 0.9_f64.sqrt(), 1e-12));
        assert!(close(c.p, 1.0 - 0.9_f64.sqrt(), 1e-3), "p = {}", c.p);
    }

    #[test]
    fn correlation_edges() {
        // Perfect correlation: p = 0. Constant series: undefined. Too few or unequal pairs.
        let c = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]);
        assert_eq!(c.map(|c| c.p), Some(0.0));
        assert!(close(c.map(|c| c.r).unwrap_or(0.0), 1.0, 1e-12));
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[1.0, 2.0]), None);
        // Monotone but not linear: Spearman is exactly 1.
        let s = spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 4.0, 9.0, 100.0]);
        assert!(close(s.map(|c| c.r).unwrap_or(0.0), 1.0, 1e-12));
    }

    #[test]
    fn benjamini_hochberg_golden() {
        // p = [0.01, 0.04, 0.03, 0.2], m = 4. Sorted: 0.01, 0.03, 0.04, 0.2 (ranks 1–4).
        // p·m/rank: 0.04, 0.06, 0.053333, 0.2. Running minimum from the top:
        // rank 4 → 0.2; rank 3 → 0.053333; rank 2 → min(0.06, 0.053333) = 0.053333;
        // rank 1 → 0.04. Back in the original order: [0.04, 0.053333, 0.053333, 0.2].
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2]);
        let want = [0.04, 0.16 / 3.0, 0.16 / 3.0, 0.2];
        for (a, b) in q.iter().zip(want) {
            assert!(close(*a, b, 1e-12), "{q:?}");
        }
        // [0.9, 0.8]: rank 2 → 0.9·2/2 = 0.9; rank 1 → min(0.9, 0.8·2/1 = 1.6) = 0.9, so the
        // q-values never decrease with p. Empty in, empty out.
        assert_eq!(benjamini_hochberg(&[0.9, 0.8]), vec![0.9, 0.9]);
        assert!(benjamini_hochberg(&[]).is_empty());
    }
}
