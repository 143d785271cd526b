//! Long ranges summarised: a year of days becomes weeks, with a moving average on top.

use chrono::{Datelike, NaiveDate};

use super::{Chart, Kind, Series, INK};

/// Whether `summarise` grouped the days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Summary {
    Daily,
    Weekly,
}

impl Chart {
    /// Long ranges read better summarised: over 62 days the chart shows one value per Monday-
    /// started week (the mean of the days with data, so a week's bar is on the same scale as a
    /// day's and as the goal), and over 120 days a 4-week moving average line on top.
    /// `days` are the dates of the x positions.
    pub fn summarise(&mut self, days: &[NaiveDate]) -> Summary {
        if days.len() <= 62 || days.len() != self.x_labels.len() {
            return Summary::Daily;
        }
        let week_of =
            |d: &NaiveDate| *d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64);
        let mut weeks: Vec<NaiveDate> = Vec::new();
        for d in days {
            let w = week_of(d);
            if weeks.last() != Some(&w) {
                weeks.push(w);
            }
        }
        for s in &mut self.series {
            let mut sums = vec![(0.0f64, 0usize); weeks.len()];
            let mut k = 0usize;
            for (d, v) in days.iter().zip(&s.values) {
                while weeks[k] != week_of(d) {
                    k += 1;
                }
                if let Some(v) = v {
                    sums[k].0 += v;
                    sums[k].1 += 1;
                }
            }
            s.values = sums
                .iter()
                .map(|(sum, n)| (*n > 0).then(|| sum / *n as f64))
                .collect();
        }
        self.x_labels = weeks
            .iter()
            .map(|w| {
                w.format(if days.len() > 200 { "%b %y" } else { "%-d %b" })
                    .to_string()
            })
            .collect();
        if self.kind == Kind::Line && self.series.len() == 1 {
            self.kind = Kind::Bars;
            self.from_zero = self.from_zero || self.y_fixed.is_some();
        }
        if weeks.len() > 17 && self.series.len() == 1 && self.kind != Kind::Stacked {
            let values = &self.series[0].values;
            let average = (0..values.len())
                .map(|i| {
                    let window: Vec<f64> = values[i.saturating_sub(3)..=i]
                        .iter()
                        .flatten()
                        .copied()
                        .collect();
                    (i >= 3 && window.len() >= 2)
                        .then(|| window.iter().sum::<f64>() / window.len() as f64)
                })
                .collect();
            self.overlay = Some(Series {
                name: "4-week moving average".into(),
                color: INK,
                values: average,
            });
        }
        Summary::Weekly
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::charts::family_color;

    #[test]
    fn long_ranges_become_weekly_means_with_a_moving_average() {
        // 2026-01-05 is a Monday: 140 days = 20 whole weeks; day k has value k, day 3 missing.
        let first = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let days: Vec<NaiveDate> = (0..140)
            .map(|k| first + chrono::Duration::days(k))
            .collect();
        let mut c = Chart::new(
            "Steps",
            Kind::Line,
            days.iter().map(|d| d.to_string()).collect(),
        );
        c.series.push(Series {
            name: "Steps".into(),
            color: family_color("activity"),
            values: (0..140).map(|k| (k != 3).then_some(k as f64)).collect(),
        });
        assert_eq!(c.summarise(&days), Summary::Weekly);
        assert_eq!(c.kind, Kind::Bars);
        let weekly = &c.series[0].values;
        assert_eq!(weekly.len(), 20);
        // Week 1: days 0,1,2,4,5,6 (3 missing) → 18 / 6 = 3; week 2: 7..=13 → 10.
        assert_eq!(weekly[0], Some(3.0));
        assert_eq!(weekly[1], Some(10.0));
        assert_eq!(c.x_labels[1], "12 Jan");
        let average = &c.overlay.as_ref().unwrap().values;
        assert_eq!(average[2], None, "needs four weeks");
        // Weeks 1–4: (3 + 10 + 17 + 24) / 4 = 13.5.
        assert_eq!(average[3], Some(13.5));
        let mut short = Chart::new("Steps", Kind::Line, vec!["a".into(); 30]);
        assert_eq!(short.summarise(&days[..30]), Summary::Daily);
    }
}
