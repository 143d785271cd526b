//! Every provider mapper fed arbitrary JSON: the providers' documented answers
//! (`tests/fixtures/`) mutated (numbers and dates at chrono's extremes, wrong types, fields
//! missing, added or repeated), and random documents made of the field names the mapper
//! reads. Each document goes through every collection, path or list name the mapper knows, in
//! zones at the ends of the offsets; each maps or skips, and what it maps then meets the
//! ingest validation, which takes or refuses it as a value. The small readers beside them
//! (rate-limit headers, cursors, ISO durations, activity names) answer any input too.

use chrono::DateTime;
use http::{HeaderMap, HeaderName, HeaderValue};
use url::Url;
use vitasync::connections::provider::{capitalize, collection_cursor, join, retry_after, Window};
use vitasync::connections::providers::{
    fitbit_map, garmin, garmin_map, oura, polar_map, strava, whoop, withings_map,
};
use vitasync::health::ingest::Source;

use super::*;

fn batch() -> Batch {
    Batch::new("fuzz", Source::User)
}

/// A document for a mapper: one of its documented answers mutated (three in four), or a
/// random document made of the field names it reads.
fn documents(seeds: Vec<Value>, keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        3 => mutations_of(seeds, keys),
        1 => json_with(keys),
    ]
    .boxed()
}

/// An instant: a plausible one, chrono's first and last, or any second chrono can hold.
fn instant() -> BoxedStrategy<DateTime<Utc>> {
    prop_oneof![
        3 => (1_500_000_000i64..1_900_000_000)
            .prop_map(|t| DateTime::from_timestamp(t, 0).expect("in range")),
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
        1 => any::<i64>()
            .prop_map(|t| DateTime::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)),
    ]
    .boxed()
}

const WHOOP_KEYS: &str = "\
    score_state score start end created_at id nap strain average_heart_rate \
    max_heart_rate recovery_score resting_heart_rate hrv_rmssd_milli spo2_percentage \
    skin_temp_celsius stage_summary total_slow_wave_sleep_time_milli \
    total_light_sleep_time_milli total_rem_sleep_time_milli total_awake_time_milli \
    sleep_performance_percentage sleep_efficiency_percentage \
    sleep_consistency_percentage sleep_cycle_count disturbance_count respiratory_rate \
    sport_name zone_durations zone_zero_milli zone_one_milli zone_two_milli \
    zone_three_milli zone_four_milli zone_five_milli kilojoule percent_recorded \
    altitude_gain_meter altitude_change_meter distance_meter";
const WHOOP_COLLECTIONS: &[&str] = &[
    "v2/cycle",
    "v2/recovery",
    "v2/activity/sleep",
    "v2/activity/workout",
    "v2/body",
];

#[test]
fn whoop_records_map_or_are_skipped() {
    let mut seeds = Vec::new();
    for f in ["cycle_page1", "cycle_page2", "recovery", "sleep", "workout"] {
        seeds.extend(items(&format!("whoop/{f}.json"), "records"));
    }
    let strategy = (documents(seeds, names(WHOOP_KEYS)), zone(), text());
    check("map_whoop", CASES, strategy, |(doc, tz, sport)| {
        let mut b = batch();
        for c in WHOOP_COLLECTIONS {
            whoop::map_record(c, &doc, &mut b);
        }
        validated(&b, tz);
        let _ = whoop::activity_type(&sport);
        Ok(())
    });
}

const STRAVA_KEYS: &str = "\
    id start_date sport_type type moving_time elapsed_time has_heartrate laps lap_index \
    distance average_speed max_speed total_elevation_gain average_heartrate \
    max_heartrate elev_high elev_low average_cadence average_watts kilojoules \
    suffer_score device_name timezone manual name calories";

#[test]
fn strava_activities_map_or_are_skipped() {
    let mut seeds = items("strava/activities_page1.json", "");
    for f in ["activity_154504250376", "activity_154504250377"] {
        seeds.extend(items(&format!("strava/{f}.json"), ""));
    }
    let strategy = (
        documents(seeds.clone(), names(STRAVA_KEYS)),
        prop::option::of(documents(seeds, names(STRAVA_KEYS))),
        zone(),
        text(),
        number(),
    );
    check(
        "map_strava",
        CASES,
        strategy,
        |(summary, detail, tz, sport, elapsed)| {
            let mut b = batch();
            strava::map_activity(&summary, detail.as_ref(), &mut b);
            // The same activity lasting any number of seconds.
            let mut lasting = summary.clone();
            set_everywhere(&mut lasting, "elapsed_time", &elapsed);
            strava::map_activity(&lasting, detail.as_ref(), &mut b);
            validated(&b, tz);
            let _ = strava::activity_type(&sport);
            Ok(())
        },
    );
}

const OURA_KEYS: &str = "\
    day timestamp steps equivalent_walking_distance active_calories medium_activity_time \
    high_activity_time score spo2_percentage average bpm type id bedtime_start \
    bedtime_end deep_sleep_duration light_sleep_duration rem_sleep_duration awake_time \
    efficiency latency average_heart_rate lowest_heart_rate average_hrv average_breath \
    start_datetime end_datetime activity label intensity source distance calories";
const OURA_COLLECTIONS: &[&str] = &[
    "daily_activity",
    "daily_sleep",
    "daily_readiness",
    "sleep",
    "daily_spo2",
    "workout",
    "heartrate",
    "tag",
];

#[test]
fn oura_documents_map_or_are_skipped() {
    let mut seeds = Vec::new();
    for f in [
        "daily_activity",
        "daily_readiness",
        "daily_sleep",
        "daily_spo2",
        "heartrate",
        "sleep",
        "workout",
    ] {
        seeds.extend(items(&format!("oura/{f}.json"), "data"));
    }
    let strategy = (documents(seeds, names(OURA_KEYS)), zone(), text());
    check("map_oura", CASES, strategy, |(doc, tz, activity)| {
        let mut b = batch();
        for c in OURA_COLLECTIONS {
            oura::map_document(c, &doc, &mut b);
        }
        validated(&b, tz);
        let _ = oura::activity_type(&activity);
        Ok(())
    });
}

const WITHINGS_KEYS: &str = "\
    measuregrps grpid attrib category date measures type value unit activities brand \
    steps distance elevation calories active series id startdate enddate data \
    sleep_score deepsleepduration lightsleepduration remsleepduration wakeupduration \
    sleep_efficiency sleep_latency model hr_average hr_min hr_max rr_average";

#[test]
fn withings_bodies_map_or_are_skipped() {
    let seeds: Vec<Value> = [
        "getactivity",
        "getmeas-page1",
        "getmeas-page2",
        "getworkouts",
        "sleep-getsummary",
    ]
    .iter()
    .map(|f| fixture(&format!("withings/{f}.json"))["body"].clone())
    .collect();
    let strategy = (documents(seeds, names(WITHINGS_KEYS)), zone(), any::<i64>());
    check("map_withings", CASES, strategy, |(body, tz, category)| {
        let mut b = batch();
        withings_map::map_measures(&body, &mut b);
        withings_map::map_activity(&body, &mut b);
        withings_map::map_sleep(&body, &mut b);
        withings_map::map_workouts(&body, &mut b);
        validated(&b, tz);
        let _ = withings_map::activity_type(category);
        Ok(())
    });
}

const POLAR_KEYS: &str = "\
    id start_time start_time_utc_offset duration detailed_sport_info sport heart_rate \
    average maximum training_load device distance calories nights date sleep_start_time \
    sleep_end_time sleep_score deep_sleep light_sleep rem_sleep \
    total_interruption_duration continuity sleep_charge recharges heart_rate_avg \
    heart_rate_variability_avg breathing_rate_avg steps distance_from_steps \
    active_calories active_duration heart_rate_samples sample_time";
const POLAR_COLLECTIONS: &[&str] = &[
    "exercises",
    "sleep",
    "nightly-recharge",
    "activities",
    "continuous-heart-rate",
];

const DURATION_UNITS: &[&str] = &["H", "M", "S", "D", "", "."];

/// Durations as Polar writes them (`PT2H44M`), with numbers of any length and stray units.
fn iso_duration_text() -> BoxedStrategy<String> {
    let number = prop_oneof![
        "[0-9]{0,22}",
        "[0-9]{0,3}\\.[0-9]{0,3}",
        Just("1e3".to_string())
    ];
    let unit = prop::sample::select(DURATION_UNITS);
    prop_oneof![
        2 => prop::collection::vec((number, unit), 0..4).prop_map(|parts| {
            let body: String = parts.into_iter().map(|(n, u)| format!("{n}{u}")).collect();
            format!("PT{body}")
        }),
        1 => text(),
    ]
    .boxed()
}

#[test]
fn polar_answers_map_or_are_skipped() {
    let mut seeds = Vec::new();
    for f in [
        "exercises",
        "sleep",
        "nightly-recharge",
        "activities",
        "continuous-heart-rate",
    ] {
        let path = format!("polar/{f}.json");
        seeds.push(fixture(&path));
        seeds.extend(items(&path, ""));
    }
    let strategy = (
        documents(seeds, names(POLAR_KEYS)),
        zone(),
        iso_duration_text(),
        text(),
    );
    check(
        "map_polar",
        CASES,
        strategy,
        |(body, tz, duration, sport)| {
            let end = DateTime::from_timestamp(1_795_000_000, 0).expect("in range");
            let window = Window {
                start: end - chrono::Duration::days(28),
                end,
                zone: tz,
            };
            let mut b = batch();
            for c in POLAR_COLLECTIONS {
                polar_map::map_answer(c, &body, window, &mut b);
            }
            // The same answer with durations of any length.
            let mut timed = body.clone();
            let written = Value::String(duration.clone());
            set_everywhere(&mut timed, "duration", &written);
            set_everywhere(&mut timed, "active_duration", &written);
            for c in POLAR_COLLECTIONS {
                polar_map::map_answer(c, &timed, window, &mut b);
            }
            validated(&b, tz);
            let _ = polar_map::iso_duration(&duration);
            let _ = polar_map::activity_type(&sport);
            Ok(())
        },
    );
}

const GARMIN_KEYS: &str = "\
    userId summaryId startTimeInSeconds startTimeOffsetInSeconds \
    measurementTimeInSeconds durationInSeconds lastNightAvg timeOffsetSpo2Values \
    timeOffsetEpochToBreaths weightInGrams bodyFatInPercent bodyMassIndex steps \
    distanceInMeters activeKilocalories moderateIntensityDurationInSeconds \
    vigorousIntensityDurationInSeconds floorsClimbed restingHeartRateInBeatsPerMinute \
    timeOffsetHeartRateSamples timeOffsetStressLevelValues timeOffsetBodyBatteryValues \
    validation awakeDurationInSeconds unmeasurableSleepInSeconds \
    unmeasurableSleepDurationInSeconds sleepLevelsMap endTimeInSeconds overallSleepScore \
    value deepSleepDurationInSeconds lightSleepDurationInSeconds remSleepInSeconds \
    isParent activityType activityName deviceName manual totalElevationGainInMeters \
    averageHeartRateInBeatsPerMinute maxHeartRateInBeatsPerMinute changeTimeInSeconds \
    callbackURL dailies sleeps hrv pulseox allDayRespiration bodyComps stressDetails \
    activities manuallyUpdatedActivities deregistrations userPermissionsChange";
const GARMIN_PUSHES: &[&str] = &[
    "push_dailies",
    "push_sleeps",
    "push_health",
    "push_activities",
    "push_lifecycle",
];

#[test]
fn garmin_summaries_map_or_are_skipped() {
    let mut seeds = Vec::new();
    for f in GARMIN_PUSHES {
        let doc = fixture(&format!("garmin/{f}.json"));
        for list in doc.as_object().into_iter().flat_map(|lists| lists.values()) {
            seeds.extend(list.as_array().into_iter().flatten().cloned());
        }
    }
    let strategy = (documents(seeds, names(GARMIN_KEYS)), zone(), text());
    check("map_garmin", CASES, strategy, |(summary, tz, kind)| {
        let mut b = batch();
        for key in garmin_map::DATA_KEYS {
            garmin_map::map_summary(key, &summary, &mut b);
        }
        let _ = garmin_map::start(&summary);
        validated(&b, tz);
        let _ = garmin_map::activity_type(&kind);
        Ok(())
    });
}

#[test]
fn garmin_pushes_become_notices_or_an_error() {
    let seeds: Vec<Value> = GARMIN_PUSHES
        .iter()
        .map(|f| fixture(&format!("garmin/{f}.json")))
        .collect();
    let strategy = (documents(seeds, names(GARMIN_KEYS)), instant(), zone());
    check("map_garmin_notices", CASES, strategy, |(body, now, tz)| {
        if let Ok(notices) = garmin::notices(&body, now) {
            for n in notices {
                prop_assert!(!n.account_id.is_empty(), "a notice for nobody");
                if let Some(data) = &n.data {
                    validated(data, tz);
                }
            }
        }
        Ok(())
    });
}

const FITBIT_KEYS: &str = "\
    civilStartTime date year month day steps distance floors activeEnergyBurned \
    activeMinutes countSum millimetersSum kcalSum activeMinutesRollupByActivityLevel \
    activityLevel activeMinutesSum heartRate beatsPerMinuteAvg startTime endTime \
    dailyRestingHeartRate beatsPerMinute dailyHeartRateVariability \
    averageHeartRateVariabilityMilliseconds dailyOxygenSaturation averagePercentage \
    dailyRespiratoryRate breathsPerMinute dailySleepTemperatureDerivations \
    nightlyTemperatureCelsius baselineTemperatureCelsius weight weightGrams bodyFat \
    percentage sampleTime physicalTime sleep exercise name interval summary \
    stagesSummary type minutes minutesAwake metadata nap mainSleep minutesAsleep \
    minutesInSleepPeriod minutesToFallAsleep exerciseType metricsSummary activeDuration \
    displayName activeZoneMinutes elevationGainMillimeters distanceMillimeters \
    caloriesKcal averageHeartRateBeatsPerMinute";
/// Data types read as daily roll-ups, and as listed data points.
const FITBIT_DAILY: &[&str] = &[
    "steps",
    "distance",
    "floors",
    "active-energy-burned",
    "active-minutes",
];
const FITBIT_LISTED: &[&str] = &[
    "daily-resting-heart-rate",
    "daily-heart-rate-variability",
    "daily-oxygen-saturation",
    "daily-respiratory-rate",
    "daily-sleep-temperature-derivations",
    "weight",
    "body-fat",
    "sleep",
    "exercise",
    "heart-rate",
];

#[test]
fn fitbit_data_points_map_or_are_skipped() {
    let mut seeds = Vec::new();
    for f in FITBIT_DAILY.iter().chain(&["heart-rate"]) {
        seeds.extend(items(&format!("fitbit/{f}.json"), "rollupDataPoints"));
    }
    for f in FITBIT_LISTED
        .iter()
        .filter(|f| **f != "heart-rate")
        .chain(&["sleep_page2"])
    {
        seeds.extend(items(&format!("fitbit/{f}.json"), "dataPoints"));
    }
    let strategy = (documents(seeds, names(FITBIT_KEYS)), zone(), text());
    check("map_fitbit", CASES, strategy, |(doc, tz, word)| {
        let mut b = batch();
        for path in FITBIT_DAILY {
            fitbit_map::map_daily_total(path, &doc, tz, &mut b);
        }
        fitbit_map::map_heart_rate(&doc, &mut b);
        for path in FITBIT_LISTED {
            fitbit_map::map_point(path, &doc, tz, &mut b);
        }
        validated(&b, tz);
        let _ = fitbit_map::n(&doc);
        let _ = fitbit_map::value_key(&word);
        let _ = fitbit_map::activity_type(&word);
        Ok(())
    });
}

const RATE_HEADERS: &[&str] = &[
    "retry-after",
    "x-ratelimit-reset",
    "x-ratelimit-usage",
    "x-ratelimit-limit",
    "x-readratelimit-usage",
    "x-readratelimit-limit",
];
const RATE_VALUES: &[&str] = &[
    "0",
    "42",
    "100,1000",
    "101,230",
    "1000,1000",
    "0,0",
    "18446744073709551615",
    "18446744073709551616",
    "-1",
    "Tue, 01 Dec 2026 12:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 +0000",
    "Mon, 01 Jan 1900 00:00:00 GMT",
    ",",
    "1,",
    " 7 , 9 ",
];

fn rate_headers() -> BoxedStrategy<HeaderMap> {
    let value = prop_oneof![
        3 => prop::sample::select(RATE_VALUES).prop_map(str::to_string),
        1 => tricky(),
    ];
    prop::collection::vec((prop::sample::select(RATE_HEADERS), value), 0..5)
        .prop_map(|pairs| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    map.insert(HeaderName::from_static(name), v);
                }
            }
            map
        })
        .boxed()
}

#[test]
fn rate_limits_cursors_and_names_read_any_input() {
    let base = Url::parse("https://api.example.com/developer/").expect("url");
    let strategy = (rate_headers(), instant(), text(), prop::option::of(text()));
    check(
        "map_helpers",
        CASES,
        strategy,
        |(headers, now, word, cursor)| {
            // Strava waits for the next quarter hour, or the next day: never long, never zero.
            let wait = strava::rate_limit_wait(&headers, now).as_secs();
            prop_assert!((6..=86_405).contains(&wait), "{wait}");
            let _ = whoop::rate_limit_wait(&headers);
            let _ = retry_after(&headers);
            if let Ok((_, token)) = collection_cursor(cursor.as_deref()) {
                prop_assert!(token.is_none_or(|t| !t.is_empty()));
            }
            let _ = join(&base, &word);
            let _ = capitalize(&word);
            Ok(())
        },
    );
}
