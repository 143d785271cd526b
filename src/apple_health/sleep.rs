//! Sleep-analysis samples and the nights they make: the sleep part of `mapping`.
//!
//! Samples are grouped into nights (a gap of over two hours starts a new one; `nights` does
//! the grouping while the file is read, keeping per night one [`DeviceNight`] summary per
//! device instead of the samples); a night keeps the device that measured the most sleep and
//! becomes a sleep session with its stages. A night with only "in bed" samples (a phone's
//! bedtime schedule) is not sleep.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::health::ingest::EventInput;

/// A sleep sample, compactly: seconds since the epoch, its stage and its device's number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Slept {
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) stage: Stage,
    pub(super) source: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    InBed,
    Asleep,
    Core,
    Deep,
    Rem,
    Awake,
}

/// The number of [`Stage`]s (a [`DeviceNight`] keeps seconds for each, by `stage as usize`).
pub(super) const STAGES: usize = 6;

pub(super) fn stage(value: &str) -> Option<Stage> {
    Some(match value {
        "InBed" => Stage::InBed,
        "Asleep" | "AsleepUnspecified" => Stage::Asleep,
        "AsleepCore" => Stage::Core,
        "AsleepDeep" => Stage::Deep,
        "AsleepREM" => Stage::Rem,
        "Awake" => Stage::Awake,
        _ => return None,
    })
}

/// A night as a sleep session, and the reading that goes with it.
pub(super) struct Night {
    pub(super) start: DateTime<Utc>,
    pub(super) event: EventInput,
    pub(super) data: serde_json::Value,
}

/// Nights longer than this are not one sleep (bad data); the ingest path allows 24 h.
pub(super) const LONGEST_NIGHT_HOURS: i64 = 20;
/// A gap longer than this between samples starts a new night.
pub(super) const NIGHT_GAP_SECONDS: i64 = 2 * 3600;

/// One device's part of a night: everything the night needs from its samples, in a fixed size
/// however many samples there were.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DeviceNight {
    pub(super) source: u16,
    /// Seconds measured per stage (indexed by `Stage as usize`; duplicates count twice).
    pub(super) seconds: [i64; STAGES],
    /// The span of its samples other than "in bed" (`i64::MAX` and `i64::MIN` while none).
    pub(super) first: i64,
    pub(super) last: i64,
}

impl DeviceNight {
    pub(super) fn new(source: u16) -> Self {
        DeviceNight {
            source,
            seconds: [0; STAGES],
            first: i64::MAX,
            last: i64::MIN,
        }
    }

    pub(super) fn add(&mut self, s: &Slept) {
        let slot = &mut self.seconds[s.stage as usize];
        *slot = slot.saturating_add(s.end - s.start);
        if s.stage != Stage::InBed {
            self.first = self.first.min(s.start);
            self.last = self.last.max(s.end);
        }
    }

    pub(super) fn merge(&mut self, other: &DeviceNight) {
        for (mine, theirs) in self.seconds.iter_mut().zip(other.seconds) {
            *mine = mine.saturating_add(theirs);
        }
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
    }

    fn asleep_seconds(&self) -> i64 {
        [Stage::Asleep, Stage::Core, Stage::Deep, Stage::Rem]
            .iter()
            .fold(0i64, |sum, s| sum.saturating_add(self.seconds[*s as usize]))
    }
}

/// The night its devices measured: the device with the most sleep (on a tie the one seen
/// first in the file); `None` when no device measured sleep.
pub(super) fn night(devices: &[DeviceNight]) -> Option<Night> {
    let best = devices
        .iter()
        .filter(|d| d.asleep_seconds() > 0)
        .max_by_key(|d| (d.asleep_seconds(), std::cmp::Reverse(d.source)))?;
    session(best.first, best.last, &best.seconds)
}

/// The session of one device's night from `start` to `end` with its seconds per stage;
/// `None` for a span too long to be one sleep.
pub(super) fn session(start: i64, end: i64, seconds: &[i64; STAGES]) -> Option<Night> {
    if end - start > LONGEST_NIGHT_HOURS * 3600 {
        return None;
    }
    let minutes = |stage: Stage| -> f64 { (seconds[stage as usize] as f64 / 60.0).round() };
    let (core, deep, rem, plain, awake) = (
        minutes(Stage::Core),
        minutes(Stage::Deep),
        minutes(Stage::Rem),
        minutes(Stage::Asleep),
        minutes(Stage::Awake),
    );
    let staged = core + deep + rem > 0.0;
    let start_t = DateTime::from_timestamp(start, 0)?;
    let end_t = DateTime::from_timestamp(end, 0)?;
    let total = ((end - start) as f64 / 60.0).round();
    // Without stages the night is its span less the time awake; "asleep" samples that were
    // not staged count as light sleep next to staged ones.
    let stages = if staged {
        json!({ "deep": deep, "light": core + plain, "rem": rem, "awake": awake })
    } else {
        json!({ "deep": null, "light": null, "rem": null, "awake": awake.min(total) })
    };
    let data = json!({
        "stages": stages,
        "startTime": start_t.to_rfc3339(),
        "endTime": end_t.to_rfc3339(),
        "nap": false,
    });
    let event = EventInput {
        provider_event_id: format!("sleep-{start}"),
        event_type: "sleep".into(),
        activity_type: Some("sleep".into()),
        title: Some("Sleep".into()),
        started_at: start_t,
        ended_at: Some(end_t),
        duration_seconds: Some(end - start),
        distance_meters: None,
        calories_kcal: None,
        avg_heart_rate: None,
        max_heart_rate: None,
        data: Some(data.clone()),
    };
    Some(Night {
        start: start_t,
        event,
        data,
    })
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::json;

    use crate::apple_health::mapping::map_all;
    use crate::apple_health::parse::{Item, SleepSample};

    fn sleep(value: &str, source: &str, start: &str, end: &str) -> Item {
        Item::Sleep(SleepSample {
            value: value.into(),
            source: source.into(),
            start: DateTime::parse_from_rfc3339(start).unwrap(),
            end: DateTime::parse_from_rfc3339(end).unwrap(),
        })
    }

    #[test]
    fn a_night_keeps_the_device_with_stages() {
        let b = map_all(vec![
            // The phone's bedtime schedule and its coarse "asleep".
            sleep(
                "InBed",
                "iPhone",
                "2026-11-19T22:30:00+01:00",
                "2026-11-20T07:00:00+01:00",
            ),
            sleep(
                "AsleepUnspecified",
                "iPhone",
                "2026-11-19T23:30:00+01:00",
                "2026-11-20T05:00:00+01:00",
            ),
            // The watch's stages.
            sleep(
                "AsleepCore",
                "Watch",
                "2026-11-19T23:00:00+01:00",
                "2026-11-20T02:00:00+01:00",
            ),
            sleep(
                "AsleepDeep",
                "Watch",
                "2026-11-20T02:00:00+01:00",
                "2026-11-20T03:00:00+01:00",
            ),
            sleep(
                "Awake",
                "Watch",
                "2026-11-20T03:00:00+01:00",
                "2026-11-20T03:10:00+01:00",
            ),
            sleep(
                "AsleepREM",
                "Watch",
                "2026-11-20T03:10:00+01:00",
                "2026-11-20T04:40:00+01:00",
            ),
            sleep(
                "AsleepCore",
                "Watch",
                "2026-11-20T04:40:00+01:00",
                "2026-11-20T06:40:00+01:00",
            ),
            // A phone-only "in bed" evening two days later is not sleep.
            sleep(
                "InBed",
                "iPhone",
                "2026-11-21T22:30:00+01:00",
                "2026-11-22T07:00:00+01:00",
            ),
        ]);
        assert_eq!(b.events.len(), 1);
        let d = b.events[0].data.as_ref().unwrap();
        assert_eq!(d["stages"]["light"], json!(300.0));
        assert_eq!(d["stages"]["deep"], json!(60.0));
        assert_eq!(d["stages"]["rem"], json!(90.0));
        assert_eq!(d["stages"]["awake"], json!(10.0));
        assert_eq!(d["startTime"], json!("2026-11-19T22:00:00+00:00"));
        assert_eq!(d["endTime"], json!("2026-11-20T05:40:00+00:00"));
        assert_eq!(
            b.points.iter().filter(|p| p.metric_type == "sleep").count(),
            1
        );
    }
}
