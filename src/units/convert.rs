//! Conversions between the stored SI figure and the figure a person reads.

use super::{System, Unit, Units};
use crate::health::catalogue::{format_number, MetricInfo};

pub const M_PER_MI: f64 = 1_609.344;
pub const KG_PER_LB: f64 = 0.453_592_37;
pub const M_PER_FT: f64 = 0.3048;
pub const ML_PER_FL_OZ: f64 = 29.573_529_562_5;

/// A measured quantity that people write in different units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    Distance,
    Weight,
    Temperature,
    Volume,
}

impl Quantity {
    pub const ALL: [Quantity; 4] = [
        Quantity::Distance,
        Quantity::Weight,
        Quantity::Temperature,
        Quantity::Volume,
    ];

    pub fn unit_in(self, system: System) -> Unit {
        match (self, system) {
            (Quantity::Distance, System::Metric) => Unit::Km,
            (Quantity::Distance, System::Imperial) => Unit::Mi,
            (Quantity::Weight, System::Metric) => Unit::Kg,
            (Quantity::Weight, System::Imperial) => Unit::Lb,
            (Quantity::Temperature, System::Metric) => Unit::C,
            (Quantity::Temperature, System::Imperial) => Unit::F,
            (Quantity::Volume, System::Metric) => Unit::Ml,
            (Quantity::Volume, System::Imperial) => Unit::FlOz,
        }
    }

    /// The form field and API word for the override.
    pub fn key(self) -> &'static str {
        match self {
            Quantity::Distance => "distance",
            Quantity::Weight => "weight",
            Quantity::Temperature => "temperature",
            Quantity::Volume => "volume",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Quantity::Distance => "Distance",
            Quantity::Weight => "Weight",
            Quantity::Temperature => "Temperature",
            Quantity::Volume => "Water and other volumes",
        }
    }

    /// The quantity a catalogue metric measures, if people write it in different units.
    pub fn of_metric(metric_id: &str) -> Option<Quantity> {
        match metric_id {
            "distance" => Some(Quantity::Distance),
            "weight" => Some(Quantity::Weight),
            "temperature" => Some(Quantity::Temperature),
            "water_ml" => Some(Quantity::Volume),
            _ => None,
        }
    }
}

/// `shown = stored × scale + offset`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conversion {
    pub scale: f64,
    pub offset: f64,
}

impl Conversion {
    pub const SAME: Conversion = Conversion {
        scale: 1.0,
        offset: 0.0,
    };

    /// From the stored SI figure (metres, kg, °C, ml) to `unit`.
    pub fn to(unit: Unit) -> Conversion {
        let scale = |scale| Conversion { scale, offset: 0.0 };
        match unit {
            Unit::Km => scale(0.001),
            Unit::Mi => scale(1.0 / M_PER_MI),
            Unit::Kg | Unit::C | Unit::Ml => Conversion::SAME,
            Unit::Lb => scale(1.0 / KG_PER_LB),
            Unit::F => Conversion {
                scale: 1.8,
                offset: 32.0,
            },
            Unit::FlOz => scale(1.0 / ML_PER_FL_OZ),
        }
    }

    pub fn shown(self, stored: f64) -> f64 {
        stored * self.scale + self.offset
    }

    /// A figure typed in the shown unit, back to the stored unit.
    pub fn stored(self, shown: f64) -> f64 {
        (shown - self.offset) / self.scale
    }

    /// A difference (not a level) in the shown unit: offsets do not apply.
    pub fn shown_delta(self, stored_delta: f64) -> f64 {
        stored_delta * self.scale
    }
}

impl Units {
    /// The metric as this person reads it (symbol, unit name, decimals and plausible range in
    /// the shown unit) and the conversion of its figures. Metrics without a choice of unit come
    /// back unchanged.
    pub fn shown(&self, metric: &MetricInfo) -> (MetricInfo, Conversion) {
        let Some(q) = Quantity::of_metric(metric.id) else {
            return (*metric, Conversion::SAME);
        };
        let unit = self.unit(q);
        let conv = Conversion::to(unit);
        let mut shown = *metric;
        shown.symbol = unit.symbol();
        shown.unit = unit.symbol();
        shown.decimals = match unit {
            Unit::Km | Unit::Mi => 2,
            Unit::Ml => 0,
            _ => 1,
        };
        let (a, b) = (conv.shown(metric.min), conv.shown(metric.max));
        shown.min = a.min(b);
        shown.max = a.max(b);
        (shown, conv)
    }

    /// A stored figure of `metric` as text in this person's unit ("3.11 mi", "154.3 lb").
    pub fn format(&self, metric: &MetricInfo, stored: f64) -> String {
        let (m, conv) = self.shown(metric);
        m.format(conv.shown(stored))
    }

    /// A distance in metres as text: "5.12 km" or "3.18 mi" (whole numbers above 100).
    pub fn distance_text(&self, meters: f64) -> String {
        let unit = self.distance();
        let v = Conversion::to(unit).shown(meters);
        let decimals = if (v * 100.0).round() >= 10_000.0 {
            0
        } else {
            2
        };
        format!("{} {}", format_number(v, decimals), unit.symbol())
    }

    /// A climb or descent in metres as text: "120 m" or "394 ft".
    pub fn elevation_text(&self, meters: f64) -> String {
        if self.distance() == Unit::Mi {
            format!("{} ft", format_number(meters / M_PER_FT, 0))
        } else {
            format!("{} m", format_number(meters, 0))
        }
    }

    /// Pace ("5:24 /km", "8:41 /mi"), or speed for cycling ("28.4 km/h", "17.6 mph").
    pub fn pace_text(&self, activity: &str, seconds: f64, meters: f64) -> Option<String> {
        if meters < 1.0 || seconds < 1.0 {
            return None;
        }
        let per_unit = if self.distance() == Unit::Mi {
            M_PER_MI
        } else {
            1000.0
        };
        let (speed_unit, pace_unit) = if self.distance() == Unit::Mi {
            ("mph", "/mi")
        } else {
            ("km/h", "/km")
        };
        if activity == "cycling" {
            let speed = meters / seconds * 3600.0 / per_unit;
            return Some(format!("{speed:.1} {speed_unit}"));
        }
        let per = (seconds / (meters / per_unit)).round() as i64;
        Some(format!("{}:{:02} {pace_unit}", per / 60, per % 60))
    }

    /// Millilitres as text in the volume unit: "250 ml", "8.5 fl oz", "10.5 l".
    pub fn volume_text(&self, ml: i64) -> String {
        if self.volume() == Unit::FlOz {
            let s = format!("{:.1}", ml as f64 / ML_PER_FL_OZ);
            format!("{} fl oz", s.trim_end_matches(".0"))
        } else if ml >= 10_000 {
            format!("{:.1} l", ml as f64 / 1000.0)
        } else {
            format!("{ml} ml")
        }
    }
}

#[cfg(feature = "ssr")]
impl Conversion {
    /// A day's figure (value, low and high) in the shown unit.
    pub fn day(self, d: &crate::health::series::DayFigure) -> crate::health::series::DayFigure {
        let mut out = d.clone();
        out.value = self.shown(d.value);
        out.min = d.min.map(|v| self.shown(v));
        out.max = d.max.map(|v| self.shown(v));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::catalogue::metric;

    #[test]
    fn imperial_reads_miles_pounds_and_fahrenheit() {
        let imp = Units::IMPERIAL;
        assert_eq!(imp.format(metric("distance").unwrap(), 5_000.0), "3.11 mi");
        assert_eq!(imp.format(metric("weight").unwrap(), 70.0), "154.3 lb");
        assert_eq!(imp.format(metric("temperature").unwrap(), 37.0), "98.6 °F");
        assert_eq!(imp.format(metric("steps").unwrap(), 8_412.0), "8,412 steps");
        assert_eq!(imp.volume_text(250), "8.5 fl oz");
        assert_eq!(imp.elevation_text(120.0), "394 ft");
        assert_eq!(imp.distance_text(160_934.4), "100 mi");
        // 10 km in 50 min: 5:00 /km, 8:03 /mi; 30 km/h is 18.6 mph.
        assert_eq!(
            imp.pace_text("running", 3000.0, 10_000.0).unwrap(),
            "8:03 /mi"
        );
        assert_eq!(
            imp.pace_text("cycling", 3600.0, 30_000.0).unwrap(),
            "18.6 mph"
        );
    }

    #[test]
    fn metric_reads_kilometres_not_metres() {
        let met = Units::default();
        assert_eq!(met.format(metric("distance").unwrap(), 5_123.0), "5.12 km");
        assert_eq!(met.format(metric("weight").unwrap(), 72.44), "72.4 kg");
        assert_eq!(
            met.pace_text("running", 3000.0, 10_000.0).unwrap(),
            "5:00 /km"
        );
        assert_eq!(met.elevation_text(120.4), "120 m");
        assert_eq!(met.volume_text(250), "250 ml");
    }

    #[test]
    fn typed_figures_go_back_to_si() {
        let f = Conversion::to(Unit::F);
        assert!((f.stored(98.6) - 37.0).abs() < 1e-9);
        assert!((f.shown(f.stored(101.3)) - 101.3).abs() < 1e-9);
        let lb = Conversion::to(Unit::Lb);
        assert!((lb.stored(154.0) - 69.853).abs() < 0.001);
        assert!((lb.shown_delta(1.0) - 2.2046).abs() < 0.001);
        let (shown, _) = Units::IMPERIAL.shown(metric("temperature").unwrap());
        assert_eq!((shown.min, shown.max), (77.0, 113.0));
    }
}
