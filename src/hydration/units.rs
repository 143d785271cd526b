//! Millilitres and US fluid ounces (the unit words of [`crate::units`]: `ml`, `fl_oz`).

use crate::units::{Unit, Units};

pub use crate::units::convert::ML_PER_FL_OZ;

/// "250 ml" or "8.5 fl oz".
pub fn format_volume(ml: i64, unit: &str) -> String {
    Units {
        volume: Unit::parse(unit),
        ..Units::default()
    }
    .volume_text(ml)
}

/// Millilitres from an amount typed in `unit`.
pub fn to_ml(amount: f64, unit: &str) -> f64 {
    if unit == "fl_oz" {
        amount * ML_PER_FL_OZ
    } else {
        amount
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_read_naturally() {
        assert_eq!(format_volume(250, "ml"), "250 ml");
        assert_eq!(format_volume(237, "fl_oz"), "8 fl oz");
        assert_eq!(format_volume(500, "fl_oz"), "16.9 fl oz");
        assert_eq!(to_ml(8.0, "fl_oz").round(), 237.0);
    }
}
