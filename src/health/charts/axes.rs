//! Where a chart's axes put their labels: round value ticks and a few dates that fit.

use super::FONT_SIZE;

/// Roughly how wide a label is drawn (system fonts average ~0.58 em per character).
pub(super) fn text_width(label: &str) -> f64 {
    label.chars().count() as f64 * FONT_SIZE * 0.58
}

/// Which x positions get a label: every labelled one when labels are sparse (intraday hours,
/// thinned to fit), else about `max` evenly spaced positions ending with the last.
pub(super) fn x_ticks(labels: &[String], max: usize) -> Vec<usize> {
    let n = labels.len();
    let labelled: Vec<usize> = (0..n).filter(|i| !labels[*i].is_empty()).collect();
    let candidates = if labelled.len() < n {
        labelled
    } else {
        (0..n).collect()
    };
    if candidates.is_empty() {
        return Vec::new();
    }
    let step = candidates.len().div_ceil(max.max(1)).max(1);
    let mut picked: Vec<usize> = candidates.iter().rev().step_by(step).copied().collect();
    picked.reverse();
    picked
}

/// Round tick values covering `lo..hi`: steps of 1, 2, 2.5 or 5 × 10ⁿ, about five of them, the
/// axis widened to whole steps, and as many decimals as the step needs (so no two labels read
/// the same). A fixed axis keeps its bounds.
pub(super) fn nice_ticks(lo: f64, hi: f64, fixed: bool) -> (Vec<f64>, f64, f64, usize) {
    let span = (hi - lo).abs().max(1e-9);
    let raw = span / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * magnitude);
    let (y_lo, y_hi) = if fixed {
        (lo, hi)
    } else {
        ((lo / step).floor() * step, (hi / step).ceil() * step)
    };
    let decimals = if step >= 1.0 && (step - step.round()).abs() < 1e-9 {
        0
    } else {
        let mut d = (-step.log10()).ceil().max(0.0) as usize;
        // 2.5, 0.25: one more digit than the magnitude says.
        if ((step * 10f64.powi(d as i32)) - (step * 10f64.powi(d as i32)).round()).abs() > 1e-6 {
            d += 1;
        }
        d
    };
    let first = (y_lo / step).ceil() as i64;
    let last = (y_hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|k| k as f64 * step).collect();
    (ticks, y_lo, y_hi, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_distinct_and_cover_the_data() {
        // Resting heart rate between 57.6 and 59.4 used to read "59, 58, 58".
        let (ticks, lo, hi, decimals) = nice_ticks(57.6, 59.4, false);
        assert_eq!(ticks, vec![57.5, 58.0, 58.5, 59.0, 59.5]);
        assert_eq!((lo, hi, decimals), (57.5, 59.5, 1));
        let labels: Vec<String> = ticks
            .iter()
            .map(|t| crate::health::catalogue::format_number(*t, decimals as u8))
            .collect();
        assert_eq!(labels, vec!["57.5", "58.0", "58.5", "59.0", "59.5"]);
        let (ticks, lo, hi, decimals) = nice_ticks(0.0, 11_400.0, false);
        assert_eq!(ticks, vec![0.0, 5000.0, 10000.0, 15000.0]);
        assert_eq!((lo, hi, decimals), (0.0, 15000.0, 0));
        let (ticks, ..) = nice_ticks(1.0, 5.0, true);
        assert_eq!(ticks, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    }
}
