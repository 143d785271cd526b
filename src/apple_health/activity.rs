//! Apple's workout activity names (`TraditionalStrengthTraining`, `Running`, …) as our
//! activity types and as titles, for the workouts in `mapping`.

/// `TraditionalStrengthTraining` → `strength`; common activities by our names, the rest in
/// snake case.
pub fn activity_type(apple: &str) -> String {
    match apple {
        "Running" => "running".into(),
        "Walking" | "Hiking" => "walking".into(),
        "Cycling" => "cycling".into(),
        "Swimming" => "swimming".into(),
        "TraditionalStrengthTraining" | "FunctionalStrengthTraining" => "strength".into(),
        "Yoga" | "Pilates" => "yoga".into(),
        "Rowing" => "rowing".into(),
        "HighIntensityIntervalTraining" => "hiit".into(),
        other => {
            let mut s = String::new();
            for (i, c) in other.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    s.push('_');
                }
                s.push(c.to_ascii_lowercase());
            }
            s
        }
    }
}

/// `TraditionalStrengthTraining` → "Traditional strength training".
pub fn title(apple: &str) -> String {
    let mut s = String::new();
    for (i, c) in apple.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push(' ');
            s.push(c.to_ascii_lowercase());
        } else {
            s.push(c);
        }
    }
    if s.is_empty() {
        "Workout".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_names() {
        assert_eq!(activity_type("TraditionalStrengthTraining"), "strength");
        assert_eq!(activity_type("CrossCountrySkiing"), "cross_country_skiing");
        assert_eq!(title("CrossCountrySkiing"), "Cross country skiing");
    }
}
