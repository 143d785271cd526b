//! The Apple Health mapper (`mapping::Mapper`) past the reader, fed any items at all:
//! quantities of every kind read one by one or summed per day, in any unit and of any value;
//! sleep samples of every stage from several devices, making nights of any length; blood
//! pressure; workouts with or without their figures; at instants within a couple of days and
//! at chrono's ends, in zones at the ends of the offsets. It takes every item and makes
//! batches, which meet the ingest validation as values. The reader's small helpers (dates,
//! units, activity names, sizes) answer any input too.

use chrono::{DateTime, FixedOffset, TimeDelta};
use vitasync::apple_health::activity::{activity_type, title};
use vitasync::apple_health::import::human_bytes;
use vitasync::apple_health::mapping::Mapper;
use vitasync::apple_health::parse::{self, Item, Quantity, SleepSample, Workout};

use super::*;

const QUANTITY_KINDS: &str = "\
    StepCount DistanceWalkingRunning ActiveEnergyBurned FlightsClimbed AppleExerciseTime \
    HeartRate RestingHeartRate OxygenSaturation BodyMass BodyFatPercentage BodyTemperature \
    BloodGlucose Unknown";
const STAGES: &str = "InBed Asleep AsleepUnspecified AsleepCore AsleepDeep AsleepREM Awake Bogus";
const UNITS: &str = "count count/min km mi m kJ kcal Cal lb g kg % degF degC mg/dL \
    mmol<180.1558800000541>/L min s hr ms mmHg furlong";
const SOURCES: &[&str] = &["Watch", "iPhone", "Ana’s Apple Watch", ""];
/// Instants the reader takes one step from chrono's ends, on either side of UTC, and others.
const EDGES: &[&str] = &[
    "+262142-12-31 23:30:00 +0000",
    "+262142-12-31 12:00:00 +1400",
    "+262142-12-31 23:59:59 +0000",
    "-262143-01-01 00:30:00 +0000",
    "-262143-01-01 12:00:00 -1200",
    "-262143-01-01 00:00:00 +0000",
    "9999-12-31 23:59:59 -2359",
    "0000-01-01 00:00:00 +2359",
    "1970-01-01 00:00:00 +0000",
    "1969-12-31 23:59:59 +0000",
];
const OFFSETS: &[&str] = &["+0000", "+0100", "-0500", "+1400", "-1200", "+0545"];

/// An instant as the reader hands it over (a date it parsed): mostly within two days, so
/// samples make nights, else at chrono's ends (where a local day is one step from overflow)
/// or at the Unix epoch.
fn instant() -> BoxedStrategy<DateTime<FixedOffset>> {
    let written = prop_oneof![
        1 => prop::sample::select(EDGES).prop_map(str::to_string),
        4 => (1_795_100_000i64..1_795_300_000, prop::sample::select(OFFSETS)).prop_map(
            |(t, off)| {
                let at = DateTime::from_timestamp(t, 0).expect("in range");
                format!("{} {off}", at.format("%Y-%m-%d %H:%M:%S"))
            }
        ),
    ];
    // Read without the reader's year bounds, so the edges reach the mapper itself.
    written
        .prop_map(|s| {
            DateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S %z")
                .expect("every written instant is well formed")
        })
        .boxed()
}

fn source() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(SOURCES).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

fn float() -> BoxedStrategy<f64> {
    prop_oneof![
        1 => prop::sample::select(EXTREME_FLOATS),
        1 => any::<f64>(),
        2 => 0.0f64..500.0,
    ]
    .boxed()
}

fn item() -> BoxedStrategy<Item> {
    prop_oneof![
        4 => (
            prop::sample::select(names(QUANTITY_KINDS)),
            source(),
            prop::sample::select(names(UNITS)),
            float(),
            instant(),
            instant()
        )
            .prop_map(|(kind, source, unit, value, start, end)| {
                Item::Quantity(Quantity {
                    kind: kind.into(),
                    source,
                    unit: unit.into(),
                    value,
                    start,
                    end,
                })
            }),
        4 => (prop::sample::select(names(STAGES)), source(), instant(), 0i64..600).prop_map(
            |(value, source, start, minutes)| {
                let end = start
                    .checked_add_signed(TimeDelta::minutes(minutes))
                    .unwrap_or(start);
                Item::Sleep(SleepSample {
                    value: value.into(),
                    source,
                    start,
                    end,
                })
            }
        ),
        1 => (source(), instant(), float(), float()).prop_map(
            |(source, at, systolic, diastolic)| Item::BloodPressure {
                source,
                at,
                systolic,
                diastolic,
            }
        ),
        2 => (
            text(),
            source(),
            prop::option::of(instant()),
            prop::option::of(instant()),
            prop::collection::vec(prop::option::of(float()), 5)
        )
            .prop_map(|(activity, source, start, end, f)| {
                Item::Workout(Workout {
                    activity,
                    source,
                    start,
                    end,
                    duration_minutes: f[0],
                    distance_m: f[1],
                    energy_kcal: f[2],
                    avg_hr: f[3],
                    max_hr: f[4],
                })
            }),
    ]
    .boxed()
}

#[test]
fn the_mapper_takes_any_items_in_any_zone() {
    // The export's reader keeps to the app's years (1900–2200); the mapper is fed every edge
    // below directly anyway.
    for edge in EDGES {
        assert_eq!(
            parse::date(edge).is_some(),
            edge.starts_with("19"),
            "{edge}"
        );
    }
    let strategy = (prop::collection::vec(item(), 0..64), zone());
    check("apple_items", CASES, strategy, |(items, tz)| {
        let mut mapper = Mapper::new(tz);
        let mut batches = Vec::new();
        for i in items {
            mapper.add(i);
            batches.extend(mapper.take_full());
        }
        batches.extend(mapper.finish());
        for b in &batches {
            validated(b, tz);
        }
        Ok(())
    });
}

#[test]
fn dates_units_names_and_sizes_read_any_input() {
    let strategy = (
        text(),
        prop::sample::select(names(UNITS)),
        float(),
        any::<u64>(),
    );
    check(
        "apple_helpers",
        CASES,
        strategy,
        |(word, unit, value, size)| {
            let _ = parse::date(&word);
            for kind in names(QUANTITY_KINDS) {
                let _ = parse::convert(kind, unit, value);
                let _ = parse::convert(kind, &word, value);
            }
            let _ = activity_type(&word);
            prop_assert!(!title(&word).is_empty());
            let shown = human_bytes(size);
            prop_assert!(
                ["bytes", "KB", "MB", "GB"]
                    .iter()
                    .any(|u| shown.ends_with(u)),
                "{shown}"
            );
            Ok(())
        },
    );
}
