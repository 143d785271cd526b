//! Charts drawn on the server with plotters into inline SVG.
//!
//! Text, axes and grid are drawn in sentinel colours that are swapped for `currentColor`, so a
//! chart follows the page's light or dark theme; series use the metric family's colour. Every
//! chart carries a `<title>` and `<desc>` for screen readers. Missing days are gaps, never zeros.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Colours of the metric families (the same as the page's CSS custom properties).
pub fn family_color(family: &str) -> RGBColor {
    match family {
        "activity" => RGBColor(0xea, 0x58, 0x0c),
        "heart" => RGBColor(0xdc, 0x26, 0x26),
        "sleep" => RGBColor(0x6d, 0x28, 0xd9),
        "body" => RGBColor(0x03, 0x69, 0xa1),
        "hydration" => RGBColor(0x08, 0x91, 0xb2),
        "mood" => RGBColor(0xca, 0x8a, 0x04),
        _ => RGBColor(0x0f, 0x76, 0x6e),
    }
}

pub const SLEEP_DEEP: RGBColor = RGBColor(0x4c, 0x1d, 0x95);
pub const SLEEP_LIGHT: RGBColor = RGBColor(0xa7, 0x8b, 0xfa);
pub const SLEEP_REM: RGBColor = RGBColor(0x25, 0x63, 0xeb);
pub const SLEEP_AWAKE: RGBColor = RGBColor(0xf5, 0x9e, 0x0b);

const INK: RGBColor = RGBColor(1, 2, 3);
const FONT: &str = "system-ui, sans-serif";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Line,
    Bars,
    /// Bars whose series stack on top of each other.
    Stacked,
}

pub struct Series {
    pub name: String,
    pub color: RGBColor,
    /// One value per x position; `None` is a gap.
    pub values: Vec<Option<f64>>,
}

/// A horizontal band (heart-rate zones) drawn behind the series.
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub color: RGBColor,
}

pub struct Chart {
    pub title: String,
    pub desc: String,
    pub kind: Kind,
    /// Label of each x position (shown thinned out).
    pub x_labels: Vec<String>,
    pub series: Vec<Series>,
    pub y_decimals: usize,
    /// Dashed target line.
    pub goal: Option<f64>,
    pub bands: Vec<Band>,
    /// A fixed y axis (a 1–5 mood scale) instead of one fitted to the data.
    pub y_fixed: Option<(f64, f64)>,
    /// Start the y axis at zero (totals) rather than near the data (weights, rates).
    pub from_zero: bool,
    pub width: u32,
    pub height: u32,
}

impl Chart {
    pub fn new(title: impl Into<String>, kind: Kind, x_labels: Vec<String>) -> Self {
        Chart {
            title: title.into(),
            desc: String::new(),
            kind,
            x_labels,
            series: Vec::new(),
            y_decimals: 0,
            goal: None,
            bands: Vec::new(),
            y_fixed: None,
            from_zero: kind != Kind::Line,
            width: 400,
            height: 220,
        }
    }

    /// Room for the longest y label ("100,000" needs more than "5.0"), at ~8 px a character.
    fn y_label_width(&self, lo: f64, hi: f64) -> u32 {
        let longest = [lo, hi]
            .iter()
            .map(|v| crate::health::catalogue::format_number(*v, self.y_decimals as u8).len())
            .max()
            .unwrap_or(4) as u32;
        (longest * 8 + 12).max(40)
    }

    fn y_range(&self) -> (f64, f64) {
        if let Some(fixed) = self.y_fixed {
            return fixed;
        }
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        if self.kind == Kind::Stacked {
            for i in 0..self.x_labels.len() {
                let total: f64 = self
                    .series
                    .iter()
                    .filter_map(|s| s.values.get(i).copied().flatten())
                    .sum();
                hi = hi.max(total);
            }
            lo = 0.0;
        } else {
            for v in self.series.iter().flat_map(|s| s.values.iter().flatten()) {
                lo = lo.min(*v);
                hi = hi.max(*v);
            }
        }
        if let Some(g) = self.goal {
            lo = lo.min(g);
            hi = hi.max(g);
        }
        for b in &self.bands {
            lo = lo.min(b.from);
        }
        if !lo.is_finite() || !hi.is_finite() {
            return (0.0, 1.0);
        }
        if self.from_zero {
            lo = lo.min(0.0);
        }
        let span = (hi - lo).max(hi.abs() * 0.05).max(1e-6);
        let lo = if self.from_zero && lo >= 0.0 {
            0.0
        } else {
            lo - span * 0.1
        };
        (lo, hi + span * 0.1)
    }

    pub fn render(&self) -> String {
        let mut svg = String::new();
        if let Err(e) = self.draw(&mut svg) {
            tracing::warn!(error = %e, "chart could not be drawn");
            return String::new();
        }
        // Several series: say which is which (the legend is drawn as text next to the chart).
        let desc = if self.series.len() > 1 {
            let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
            format!("{} Series: {}.", self.desc, names.join(", "))
                .trim()
                .to_string()
        } else {
            self.desc.clone()
        };
        finish_svg(svg, &self.title, &desc, self.width, self.height)
    }

    fn draw(&self, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
        let n = self.x_labels.len().max(1);
        let (y_lo, y_hi) = self.y_range();
        let root = SVGBackend::with_string(out, (self.width, self.height)).into_drawing_area();
        let text = TextStyle::from((FONT, 14).into_font()).color(&INK);
        // Tick positions: every labelled position when labels are sparse (intraday hours),
        // else about six evenly spaced days including the last.
        let sparse = self.x_labels.iter().any(String::is_empty);
        let ticks: Vec<f64> = if sparse {
            (0..n)
                .filter(|i| !self.x_labels[*i].is_empty())
                .map(|i| i as f64)
                .collect()
        } else {
            let step = n.div_ceil(6).max(1);
            let mut t: Vec<f64> = (0..n).rev().step_by(step).map(|i| i as f64).collect();
            t.reverse();
            t
        };
        let mut chart = ChartBuilder::on(&root)
            .margin_top(8)
            .margin_right(12)
            .x_label_area_size(24)
            .y_label_area_size(self.y_label_width(y_lo, y_hi))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y_lo..y_hi)?;
        let decimals = self.y_decimals;
        chart
            .configure_mesh()
            .disable_x_mesh()
            // x labels are drawn below at exact positions (plotters would pick "nice" numbers).
            .x_labels(0)
            .y_labels(5)
            .y_label_formatter(&move |y| {
                crate::health::catalogue::format_number(*y, decimals as u8)
            })
            .label_style(text.clone())
            .axis_style(INK.mix(0.35))
            .bold_line_style(INK.mix(0.12))
            .light_line_style(INK.mix(0.0))
            .draw()?;

        let label_style = text.pos(Pos::new(HPos::Center, VPos::Top));
        for t in &ticks {
            let label = &self.x_labels[*t as usize];
            let (px, py) = chart.backend_coord(&(*t, y_lo));
            root.draw(&Text::new(label.clone(), (px, py + 5), label_style.clone()))?;
        }
        for band in &self.bands {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(-0.5, band.from), (n as f64 - 0.5, band.to.min(y_hi))],
                band.color.mix(0.12).filled(),
            )))?;
        }
        match self.kind {
            Kind::Line => {
                // Dense series (a day of minutes) read better with a thinner line.
                let width = if n > 400 { 1 } else { 2 };
                for s in &self.series {
                    let style = s.color.stroke_width(width);
                    for run in runs(&s.values) {
                        if run.len() == 1 {
                            let (x, y) = run[0];
                            chart.draw_series(std::iter::once(Circle::new(
                                (x, y),
                                3,
                                s.color.filled(),
                            )))?;
                        } else {
                            chart.draw_series(LineSeries::new(run, style))?;
                        }
                    }
                }
            }
            Kind::Bars => {
                let count = self.series.len().max(1) as f64;
                let width = 0.8 / count;
                for (k, s) in self.series.iter().enumerate() {
                    let color = s.color;
                    chart.draw_series(s.values.iter().enumerate().filter_map(|(i, v)| {
                        v.map(|v| {
                            let x0 = i as f64 - 0.4 + k as f64 * width;
                            Rectangle::new(
                                [(x0, y_lo.max(0.0).min(v)), (x0 + width * 0.9, v)],
                                color.filled(),
                            )
                        })
                    }))?;
                }
            }
            Kind::Stacked => {
                let mut base = vec![0.0f64; n];
                for s in &self.series {
                    let color = s.color;
                    let bars: Vec<_> = s
                        .values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| {
                            v.filter(|v| *v > 0.0).map(|v| {
                                let r = Rectangle::new(
                                    [(i as f64 - 0.38, base[i]), (i as f64 + 0.38, base[i] + v)],
                                    color.filled(),
                                );
                                base[i] += v;
                                r
                            })
                        })
                        .collect();
                    chart.draw_series(bars)?;
                }
            }
        }
        if let Some(goal) = self.goal {
            chart.draw_series(DashedLineSeries::new(
                vec![(-0.5, goal), (n as f64 - 0.5, goal)],
                6,
                4,
                INK.mix(0.7).stroke_width(1),
            ))?;
        }
        root.present()?;
        Ok(())
    }
}

/// Contiguous stretches of present values as (x, y) points.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(y) => cur.push((i as f64, *y)),
            None if !cur.is_empty() => out.push(std::mem::take(&mut cur)),
            None => {}
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A 7-day trend line without axes, for the overview tiles.
pub fn sparkline(values: &[Option<f64>], family: &str, title: &str) -> String {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.is_empty() {
        return String::new();
    }
    let (w, h) = (120u32, 32u32);
    let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.02).max(1e-6);
    let color = family_color(family);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        let n = values.len().max(2) as f64;
        let Ok(mut chart) = ChartBuilder::on(&root)
            .margin(3)
            .build_cartesian_2d(0f64..(n - 1.0), (lo - pad)..(hi + pad))
        else {
            return String::new();
        };
        for run in runs(values) {
            let last = *run.last().expect("non-empty run");
            let _ = chart.draw_series(LineSeries::new(run, color.stroke_width(2)));
            let _ = chart.draw_series(std::iter::once(Circle::new(last, 2, color.filled())));
        }
        let _ = root.present();
    }
    finish_svg(svg, title, "", w, h)
}

/// Scalable, themed, labelled: swaps the sentinel ink for `currentColor`, lets the SVG scale to
/// its container, and adds the title and description.
fn finish_svg(svg: String, title: &str, desc: &str, w: u32, h: u32) -> String {
    let body = match svg.find('>') {
        Some(i) if svg.starts_with("<svg") => &svg[i + 1..],
        _ => return String::new(),
    };
    let body = body.replace("#010203", "currentColor");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" class=\"chart-svg\" preserveAspectRatio=\"xMidYMid meet\"><title>{}</title>{}{}",
        escape(title),
        if desc.is_empty() { String::new() } else { format!("<desc>{}</desc>", escape(desc)) },
        body
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_themed_labelled_and_gapped() {
        let mut c = Chart::new(
            "Steps",
            Kind::Line,
            vec!["Mon".into(), "Tue".into(), "Wed".into(), "Thu".into()],
        );
        c.desc = "Daily steps".into();
        c.series.push(Series {
            name: "Steps".into(),
            color: family_color("activity"),
            values: vec![Some(1.0), None, Some(3.0), Some(4.0)],
        });
        c.goal = Some(2.5);
        let svg = c.render();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("<title>Steps</title><desc>Daily steps</desc>"));
        assert!(svg.contains("currentColor"));
        assert!(!svg.contains("#010203"));
        assert!(svg.contains("Mon"));
        assert!(
            svg.contains("EA580C") || svg.contains("ea580c"),
            "family colour used"
        );
    }

    #[test]
    fn runs_split_on_gaps() {
        let r = runs(&[Some(1.0), None, Some(2.0), Some(3.0), None]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1], vec![(2.0, 2.0), (3.0, 3.0)]);
    }

    #[test]
    fn empty_sparkline_draws_nothing() {
        assert_eq!(sparkline(&[None, None], "heart", "x"), "");
        assert!(sparkline(&[Some(1.0), Some(2.0)], "heart", "x").contains("<svg"));
    }
}
