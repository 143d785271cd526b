//! IANA time zones: validation and the list offered in forms.

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// Accepts an IANA zone name such as `Europe/Paris`; returns it in canonical spelling.
#[cfg(feature = "ssr")]
pub fn validate(field: &str, raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok("UTC".to_string());
    }
    raw.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| {
            AppError::invalid(
                field,
                "Choose a time zone from the list, such as Europe/Paris.",
            )
        })
}

/// Every zone name, sorted, for the time-zone picker.
#[cfg(feature = "ssr")]
pub fn all() -> Vec<String> {
    let mut zones: Vec<String> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name().to_string())
        .collect();
    zones.sort();
    zones
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn zones_are_checked() {
        assert_eq!(validate("tz", "Europe/Paris").unwrap(), "Europe/Paris");
        assert_eq!(validate("tz", "").unwrap(), "UTC");
        assert!(validate("tz", "Mars/Olympus").is_err());
        assert!(all().len() > 300);
    }
}
