//! Days in the user's own time zone: which local day an instant belongs to, and which instants a
//! local day spans (23 or 25 hours on a daylight-saving change).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The user's zone; an unknown name (never stored by our validation) falls back to UTC.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

pub fn today(tz: Tz) -> NaiveDate {
    local_date(Utc::now(), tz)
}

/// The first instant of `date` in `tz`. Where midnight does not exist (a zone that springs
/// forward at 00:00) the day starts at the first minute that does.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight");
    let mut probe = midnight;
    for _ in 0..=180 {
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&midnight)
}

/// `[start, end)` of the local days `from..=to`, as UTC instants.
pub fn day_range(from: NaiveDate, to: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start_of_day(from, tz),
        start_of_day(to + Duration::days(1), tz),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_belongs_to_the_local_day() {
        // 23:30 on 5 June in Sydney (UTC+10) is 13:30 UTC the same day.
        let tz = zone("Australia/Sydney");
        let at = Utc.with_ymd_and_hms(2025, 6, 5, 13, 30, 0).unwrap();
        assert_eq!(
            local_date(at, tz),
            NaiveDate::from_ymd_opt(2025, 6, 5).unwrap()
        );
        // 00:30 the next local day.
        let at = Utc.with_ymd_and_hms(2025, 6, 5, 14, 30, 0).unwrap();
        assert_eq!(
            local_date(at, tz),
            NaiveDate::from_ymd_opt(2025, 6, 6).unwrap()
        );
    }

    #[test]
    fn daylight_saving_days_have_23_and_25_hours() {
        let tz = zone("Europe/Berlin");
        let spring = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
        let (a, b) = day_range(spring, spring, tz);
        assert_eq!((b - a).num_hours(), 23);
        let autumn = NaiveDate::from_ymd_opt(2025, 10, 26).unwrap();
        let (a, b) = day_range(autumn, autumn, tz);
        assert_eq!((b - a).num_hours(), 25);
    }

    #[test]
    fn a_missing_midnight_starts_the_day_at_the_first_real_minute() {
        // Santiago springs forward at 00:00 → 01:00 (7 Sep 2025).
        let tz = zone("America/Santiago");
        let day = NaiveDate::from_ymd_opt(2025, 9, 7).unwrap();
        let start = start_of_day(day, tz);
        assert_eq!(local_date(start, tz), day);
        assert_eq!(
            local_date(start - Duration::minutes(1), tz),
            day.pred_opt().unwrap()
        );
    }
}
