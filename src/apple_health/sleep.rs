//! Sleep-analysis samples folded into nights: the sleep part of `mapping`.
//!
//! Samples are grouped into nights (a gap of over two hours starts a new one); a night keeps
//! the device that measured the most sleep and becomes a sleep session with its stages. A
//! night with only "in bed" samples (a phone's bedtime schedule) is not sleep.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::health::ingest::EventInput;

/// A sleep sample, compactly (years of nights are kept until the end of the read).
pub(super) struct Slept {
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) stage: Stage,
    pub(super) source: u16,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Stage {
    InBed,
    Asleep,
    Core,
    Deep,
    Rem,
    Awake,
}

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
const LONGEST_NIGHT_HOURS: i64 = 20;
/// A gap longer than this between samples starts a new night.
const NIGHT_GAP_SECONDS: i64 = 2 * 3600;

pub(super) fn nights(mut samples: Vec<Slept>) -> Vec<Night> {
    samples.sort_by_key(|s| (s.start, s.end));
    let mut out = Vec::new();
    let mut i = 0;
    while i < samples.len() {
        let mut end = samples[i].end;
        let mut j = i + 1;
        while j < samples.len() && samples[j].start <= end + NIGHT_GAP_SECONDS {
            end = end.max(samples[j].end);
            j += 1;
        }
        if let Some(n) = night(&samples[i..j]) {
            out.push(n);
        }
        i = j;
    }
    out
}

fn night(session: &[Slept]) -> Option<Night> {
    let asleep = |s: &Slept| {
        matches!(
            s.stage,
            Stage::Asleep | Stage::Core | Stage::Deep | Stage::Rem
        )
    };
    // The device that measured the most sleep.
    let mut per_source: HashMap<u16, i64> = HashMap::new();
    for s in session.iter().filter(|s| asleep(s)) {
        *per_source.entry(s.source).or_default() += s.end - s.start;
    }
    let (&source, _) = per_source
        .iter()
        .max_by_key(|(src, secs)| (**secs, std::cmp::Reverse(**src)))?;
    let mine: Vec<&Slept> = session
        .iter()
        .filter(|s| s.source == source && s.stage != Stage::InBed)
        .collect();
    let start = mine.iter().map(|s| s.start).min()?;
    let end = mine.iter().map(|s| s.end).max()?;
    if end - start > LONGEST_NIGHT_HOURS * 3600 {
        return None;
    }
    let minutes = |stage: Stage| -> f64 {
        let secs: i64 = mine
            .iter()
            .filter(|s| s.stage == stage)
            .map(|s| s.end - s.start)
            .sum();
        (secs as f64 / 60.0).round()
    };
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
