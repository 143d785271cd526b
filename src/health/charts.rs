//! Charts drawn on the server with plotters into inline SVG.
//!
//! Text, axes and grid are drawn in sentinel colours that are swapped for `currentColor`, so a
//! chart follows the page's light or dark theme; series use the metric family's colour. Every
//! chart carries a `<title>` and `<desc>` for screen readers. Missing days are gaps, never zeros.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

mod axes;
mod summary;

use axes::{nice_ticks, text_width, x_ticks};
pub use summary::Summary;

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
/// Axis text size asked of plotters, which writes it ÷ 1.24 as the SVG's `font-size` (12 units).
/// Each chart is drawn twice, at a phone width and at a wide one, and the page shows the one
/// that fits its card (CSS), so a unit is about a pixel: text stays ≥ 11 px on a 390 px phone.
const FONT_SIZE: f64 = 12.0 * 1.24;

/// The two drawings of every chart: (width, height, x labels at most).
const NARROW: Layout = Layout {
    width: 330,
    height: 220,
    x_ticks: 4,
};
/// Shown from a card width of 560 px (style/main.css), so never drawn smaller than this.
const WIDE: Layout = Layout {
    width: 560,
    height: 240,
    x_ticks: 7,
};

#[derive(Clone, Copy)]
struct Layout {
    width: u32,
    height: u32,
    x_ticks: usize,
}

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
    /// The values' unit, written above the value axis ("steps", "bpm", "h").
    pub y_unit: String,
    /// Decimals of the values (ticks get as many as their step needs).
    pub y_decimals: usize,
    /// Dashed, labelled target line.
    pub goal: Option<f64>,
    pub bands: Vec<Band>,
    /// A fixed y axis (a 1–5 mood scale) instead of one fitted to the data.
    pub y_fixed: Option<(f64, f64)>,
    /// Start the y axis at zero (totals) rather than near the data (weights, rates).
    pub from_zero: bool,
    /// A line drawn over the series (a moving average over summarised bars).
    pub overlay: Option<Series>,
    /// A lower drawing (a chart under another one).
    pub compact: bool,
}

impl Chart {
    pub fn new(title: impl Into<String>, kind: Kind, x_labels: Vec<String>) -> Self {
        Chart {
            title: title.into(),
            desc: String::new(),
            kind,
            x_labels,
            series: Vec::new(),
            y_unit: String::new(),
            y_decimals: 0,
            goal: None,
            bands: Vec::new(),
            y_fixed: None,
            from_zero: kind != Kind::Line,
            overlay: None,
            compact: false,
        }
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

    /// Both drawings, each in its own box; the stylesheet shows the one that fits the screen.
    pub fn render(&self) -> String {
        let (narrow, wide) = (self.render_at(NARROW), self.render_at(WIDE));
        if narrow.is_empty() || wide.is_empty() {
            return String::new();
        }
        format!("<div class=\"chart-narrow\">{narrow}</div><div class=\"chart-wide\">{wide}</div>")
    }

    fn render_at(&self, layout: Layout) -> String {
        let layout = if self.compact {
            Layout {
                height: layout.height * 4 / 5,
                ..layout
            }
        } else {
            layout
        };
        let mut svg = String::new();
        if let Err(e) = self.draw(&mut svg, layout) {
            tracing::warn!(error = %e, "chart could not be drawn");
            return String::new();
        }
        // Several series: say which is which (the legend is drawn as text next to the chart).
        let mut desc = self.desc.clone();
        if self.series.len() > 1 {
            let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
            desc = format!("{desc} Series: {}.", names.join(", "));
        }
        if let Some(o) = &self.overlay {
            desc = format!("{desc} The line is the {}.", o.name);
        }
        if let Some(g) = self.goal {
            desc = format!(
                "{desc} Dashed line: goal of {}{}.",
                crate::health::catalogue::format_number(g, self.y_decimals as u8),
                unit_suffix(&self.y_unit)
            );
        }
        finish_svg(svg, &self.title, desc.trim(), layout.width, layout.height)
    }

    fn draw(&self, out: &mut String, layout: Layout) -> Result<(), Box<dyn std::error::Error>> {
        let n = self.x_labels.len().max(1);
        let (lo, hi) = self.y_range();
        let (ticks, y_lo, y_hi, tick_decimals) = nice_ticks(lo, hi, self.y_fixed.is_some());
        let (w, h) = (layout.width, layout.height);
        let root = SVGBackend::with_string(out, (w, h)).into_drawing_area();
        let text = TextStyle::from((FONT, FONT_SIZE).into_font()).color(&INK);
        let tick_label = |v: f64| crate::health::catalogue::format_number(v, tick_decimals as u8);
        let y_area = ticks
            .iter()
            .map(|t| text_width(&tick_label(*t)))
            .fold(0.0, f64::max)
            .ceil() as u32
            + 10;
        let mut chart = ChartBuilder::on(&root)
            .margin_top((FONT_SIZE * 1.6) as u32)
            .margin_right(10)
            .x_label_area_size((FONT_SIZE * 1.9) as u32)
            .y_label_area_size(y_area.max(28))
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y_lo..y_hi)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .disable_y_mesh()
            // Both axes' labels are drawn below at exact positions (plotters would pick its own).
            .x_labels(0)
            .y_labels(0)
            .axis_style(INK.mix(0.35))
            .draw()?;
        let (left, _) = chart.backend_coord(&(-0.5, y_lo));
        let (right, bottom) = chart.backend_coord(&(n as f64 - 0.5, y_lo));

        // The value axis: grid lines at round steps, their labels, the unit on top.
        for t in &ticks {
            let (_, py) = chart.backend_coord(&(-0.5, *t));
            chart.draw_series(LineSeries::new(
                vec![(-0.5, *t), (n as f64 - 0.5, *t)],
                INK.mix(0.12).stroke_width(1),
            ))?;
            root.draw(&Text::new(
                tick_label(*t),
                (left - 6, py),
                text.pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        if !self.y_unit.is_empty() {
            root.draw(&Text::new(
                self.y_unit.clone(),
                (2, 2),
                text.pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }

        // The x axis: a few labels, evenly spaced and including the last, kept inside the chart.
        for t in x_ticks(&self.x_labels, layout.x_ticks) {
            let label = &self.x_labels[t];
            let (px, _) = chart.backend_coord(&(t as f64, y_lo));
            let half = (text_width(label) / 2.0).ceil() as i32;
            let (x, hpos) = if px + half > w as i32 - 2 {
                (w as i32 - 2, HPos::Right)
            } else if px - half < 2 {
                (2, HPos::Left)
            } else {
                (px, HPos::Center)
            };
            root.draw(&Text::new(
                label.clone(),
                (x, bottom + 6),
                text.pos(Pos::new(hpos, VPos::Top)),
            ))?;
        }
        for band in &self.bands {
            chart.draw_series(std::iter::once(Rectangle::new(
                [
                    (-0.5, band.from.max(y_lo)),
                    (n as f64 - 0.5, band.to.min(y_hi)),
                ],
                band.color.mix(0.12).filled(),
            )))?;
        }
        match self.kind {
            Kind::Line => {
                // Dense series (a day of minutes) read better with a thinner line.
                let width = if n > 400 { 1 } else { 2 };
                for s in &self.series {
                    draw_line(&mut chart, s, width)?;
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
        if let Some(o) = &self.overlay {
            draw_line(&mut chart, o, 2)?;
        }
        if let Some(goal) = self.goal {
            chart.draw_series(DashedLineSeries::new(
                vec![(-0.5, goal), (n as f64 - 0.5, goal)],
                6,
                4,
                INK.mix(0.7).stroke_width(1),
            ))?;
            let (_, py) = chart.backend_coord(&(-0.5, goal));
            root.draw(&Text::new(
                format!(
                    "Goal {}",
                    crate::health::catalogue::format_number(goal, self.y_decimals as u8)
                ),
                (right - 2, py - 3),
                text.pos(Pos::new(HPos::Right, VPos::Bottom)),
            ))?;
        }
        root.present()?;
        Ok(())
    }
}

fn draw_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    s: &Series,
    width: u32,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let style = s.color.stroke_width(width);
    for run in runs(&s.values) {
        if run.len() == 1 {
            let (x, y) = run[0];
            chart.draw_series(std::iter::once(Circle::new((x, y), 3, s.color.filled())))?;
        } else {
            chart.draw_series(LineSeries::new(run, style))?;
        }
    }
    Ok(())
}

/// " steps", " h": a unit after a number, when there is one.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
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
        c.goal = Some(3.0);
        c.y_unit = "steps".into();
        let svg = c.render();
        assert!(svg.starts_with("<div class=\"chart-narrow\"><svg"), "{svg}");
        assert_eq!(svg.matches("<svg").count(), 2, "a phone and a wide drawing");
        assert!(svg.contains(
            "<title>Steps</title><desc>Daily steps Dashed line: goal of 3 steps.</desc>"
        ));
        // plotters puts each text on a line of its own.
        assert!(
            svg.contains(">\nsteps\n</text>"),
            "unit on the value axis: {svg}"
        );
        assert!(svg.contains(">\nGoal 3\n</text>"), "labelled goal line");
        let sizes: Vec<f64> = svg
            .split("font-size=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next()?.parse().ok())
            .collect();
        assert!(!sizes.is_empty());
        assert!(
            sizes.iter().all(|s| (11.9..=12.1).contains(s)),
            "legible text: {sizes:?}"
        );
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
