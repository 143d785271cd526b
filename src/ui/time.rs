//! Formatting instants for people: in their own time zone, computed on the server.

use chrono::{DateTime, Utc};

/// "27 Nov 2026, 14:05" in the given IANA zone (UTC when the zone is unknown).
#[cfg(feature = "ssr")]
pub fn local_datetime(at: DateTime<Utc>, timezone: &str) -> String {
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format("%-d %b %Y, %H:%M").to_string(),
        Err(_) => at.format("%-d %b %Y, %H:%M UTC").to_string(),
    }
}

/// "Friday 27 November" for the user's current local date.
#[cfg(feature = "ssr")]
pub fn local_today_label(now: DateTime<Utc>, timezone: &str) -> String {
    let tz = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    now.with_timezone(&tz).format("%A %-d %B").to_string()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_are_shown_in_the_users_zone() {
        // 23:30 UTC on the 27th is already the 28th in Tokyo and still the 27th in New York.
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 23, 30, 0).unwrap();
        assert_eq!(local_today_label(at, "Asia/Tokyo"), "Saturday 28 November");
        assert_eq!(
            local_today_label(at, "America/New_York"),
            "Friday 27 November"
        );
        assert_eq!(local_datetime(at, "Europe/Paris"), "28 Nov 2026, 00:30");
    }
}
