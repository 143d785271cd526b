//! Millilitres and US fluid ounces.

pub const ML_PER_FL_OZ: f64 = 29.573_529_562_5;

/// "250 ml" or "8.5 fl oz".
pub fn format_volume(ml: i64, unit: &str) -> String {
    if unit == "fl_oz" {
        let oz = ml as f64 / ML_PER_FL_OZ;
        let s = format!("{oz:.1}");
        format!("{} fl oz", s.trim_end_matches(".0"))
    } else if ml >= 10_000 {
        format!("{:.1} l", ml as f64 / 1000.0)
    } else {
        format!("{ml} ml")
    }
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
