//! Units: how a person reads measurements. A system (metric or imperial) with per-quantity
//! overrides for distance, weight, temperature and volume. Everything is stored in SI units and
//! the REST API speaks SI; pages, charts and CSV downloads convert on the way out and forms
//! convert typed amounts back on the way in.

pub mod convert;
#[cfg(feature = "ssr")]
pub mod repo;
mod section;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod service;

pub use convert::{Conversion, Quantity};
pub use section::UnitsSection;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    #[default]
    Metric,
    Imperial,
}

/// One way of writing a quantity: `km`/`mi`, `kg`/`lb`, `c`/`f`, `ml`/`fl_oz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Km,
    Mi,
    Kg,
    Lb,
    C,
    F,
    Ml,
    FlOz,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Km => "km",
            Unit::Mi => "mi",
            Unit::Kg => "kg",
            Unit::Lb => "lb",
            Unit::C => "c",
            Unit::F => "f",
            Unit::Ml => "ml",
            Unit::FlOz => "fl_oz",
        }
    }

    pub fn parse(word: &str) -> Option<Unit> {
        Some(match word {
            "km" => Unit::Km,
            "mi" => Unit::Mi,
            "kg" => Unit::Kg,
            "lb" => Unit::Lb,
            "c" => Unit::C,
            "f" => Unit::F,
            "ml" => Unit::Ml,
            "fl_oz" => Unit::FlOz,
            _ => return None,
        })
    }

    /// How the unit is written after a number.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Km => "km",
            Unit::Mi => "mi",
            Unit::Kg => "kg",
            Unit::Lb => "lb",
            Unit::C => "°C",
            Unit::F => "°F",
            Unit::Ml => "ml",
            Unit::FlOz => "fl oz",
        }
    }

    /// The name in a chooser: "Miles (mi)".
    pub fn name(self) -> &'static str {
        match self {
            Unit::Km => "Kilometres (km)",
            Unit::Mi => "Miles (mi)",
            Unit::Kg => "Kilograms (kg)",
            Unit::Lb => "Pounds (lb)",
            Unit::C => "Celsius (°C)",
            Unit::F => "Fahrenheit (°F)",
            Unit::Ml => "Millilitres (ml)",
            Unit::FlOz => "US fluid ounces (fl oz)",
        }
    }

    pub fn quantity(self) -> Quantity {
        match self {
            Unit::Km | Unit::Mi => Quantity::Distance,
            Unit::Kg | Unit::Lb => Quantity::Weight,
            Unit::C | Unit::F => Quantity::Temperature,
            Unit::Ml | Unit::FlOz => Quantity::Volume,
        }
    }
}

/// A person's choice as stored: the system and the overrides (`None` follows the system).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Units {
    pub system: System,
    pub distance: Option<Unit>,
    pub weight: Option<Unit>,
    pub temperature: Option<Unit>,
    pub volume: Option<Unit>,
}

impl Units {
    pub const IMPERIAL: Units = Units {
        system: System::Imperial,
        distance: None,
        weight: None,
        temperature: None,
        volume: None,
    };

    /// Builds the choice from stored words; an unknown word follows the system.
    pub fn from_words(
        system: Option<&str>,
        distance: Option<&str>,
        weight: Option<&str>,
        temperature: Option<&str>,
        volume: Option<&str>,
    ) -> Units {
        let pick =
            |w: Option<&str>, q: Quantity| w.and_then(Unit::parse).filter(|u| u.quantity() == q);
        Units {
            system: if system == Some("imperial") {
                System::Imperial
            } else {
                System::Metric
            },
            distance: pick(distance, Quantity::Distance),
            weight: pick(weight, Quantity::Weight),
            temperature: pick(temperature, Quantity::Temperature),
            volume: pick(volume, Quantity::Volume),
        }
    }

    /// The override for `q`, if any.
    pub fn override_for(&self, q: Quantity) -> Option<Unit> {
        match q {
            Quantity::Distance => self.distance,
            Quantity::Weight => self.weight,
            Quantity::Temperature => self.temperature,
            Quantity::Volume => self.volume,
        }
    }

    /// The unit `q` is shown in: the override, else the system's.
    pub fn unit(&self, q: Quantity) -> Unit {
        self.override_for(q)
            .unwrap_or_else(|| q.unit_in(self.system))
    }

    pub fn distance(&self) -> Unit {
        self.unit(Quantity::Distance)
    }

    pub fn weight(&self) -> Unit {
        self.unit(Quantity::Weight)
    }

    pub fn temperature(&self) -> Unit {
        self.unit(Quantity::Temperature)
    }

    pub fn volume(&self) -> Unit {
        self.unit(Quantity::Volume)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_over_the_system() {
        let metric = Units::default();
        assert_eq!(metric.distance(), Unit::Km);
        assert_eq!(metric.volume(), Unit::Ml);
        assert_eq!(Units::IMPERIAL.distance(), Unit::Mi);
        assert_eq!(Units::IMPERIAL.weight(), Unit::Lb);
        assert_eq!(Units::IMPERIAL.temperature(), Unit::F);
        assert_eq!(Units::IMPERIAL.volume(), Unit::FlOz);
        let mixed = Units::from_words(Some("imperial"), Some("km"), None, Some("c"), None);
        assert_eq!(mixed.distance(), Unit::Km);
        assert_eq!(mixed.weight(), Unit::Lb);
        assert_eq!(mixed.temperature(), Unit::C);
        // A word for another quantity is no override.
        let odd = Units::from_words(Some("metric"), Some("lb"), None, None, None);
        assert_eq!(odd.distance, None);
    }
}
