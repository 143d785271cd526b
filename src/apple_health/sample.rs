//! A synthetic `export.xml` shaped like the Health app's (`vitasync import sample-export`):
//! day after day of a watch's heart rate every five minutes, phone and watch step counts and
//! active energy, staged nights, resting heart rate, HRV, SpO₂, weighings, blood-pressure
//! correlations and workouts with statistics, until the file reaches the size asked for. For
//! trying the import and measuring it; the values follow a fixed seed.

use std::io::{self, Write};

use chrono::{Duration, NaiveDate, NaiveDateTime};

struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A small deterministic generator (64-bit LCG): the same file every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn around(&mut self, mid: f64, spread: f64) -> f64 {
        mid + (self.next() - 0.5) * 2.0 * spread
    }
}

const WATCH: &str = "Sam\u{2019}s Apple Watch";
const PHONE: &str = "Sam\u{2019}s iPhone";
const DEVICE: &str = "&lt;&lt;HKDevice: 0x283c1e0a0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.1&gt;";

fn t(at: NaiveDateTime) -> String {
    format!("{} +0100", at.format("%Y-%m-%d %H:%M:%S"))
}

fn record(
    w: &mut impl Write,
    kind: &str,
    source: &str,
    unit: &str,
    value: String,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> io::Result<()> {
    writeln!(
        w,
        r#" <Record type="HKQuantityTypeIdentifier{kind}" sourceName="{source}" sourceVersion="10.1" device="{DEVICE}" unit="{unit}" creationDate="{}" startDate="{}" endDate="{}" value="{value}"/>"#,
        t(end),
        t(start),
        t(end)
    )
}

fn day(w: &mut impl Write, rng: &mut Rng, date: NaiveDate, index: u64) -> io::Result<()> {
    let at = |h: u32, m: u32| date.and_hms_opt(h, m, 0).expect("valid time");
    // Heart rate every five minutes.
    for i in 0..288u32 {
        let start = at(i / 12, (i % 12) * 5);
        let awake = (7..23).contains(&(i / 12));
        let bpm = rng.around(if awake { 78.0 } else { 56.0 }, 9.0).round();
        writeln!(
            w,
            r#" <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="{WATCH}" sourceVersion="10.1" device="{DEVICE}" unit="count/min" creationDate="{}" startDate="{}" endDate="{}" value="{bpm}">"#,
            t(start),
            t(start),
            t(start)
        )?;
        writeln!(
            w,
            r#"  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="{}"/>"#,
            u8::from(awake)
        )?;
        writeln!(w, " </Record>")?;
    }
    // Steps and active energy by the hour from both devices (the phone counts a little less).
    for h in 7..23 {
        let steps = rng.around(600.0, 450.0).max(0.0).round();
        record(
            w,
            "StepCount",
            WATCH,
            "count",
            steps.to_string(),
            at(h, 0),
            at(h, 59),
        )?;
        let phone = (steps * rng.around(0.8, 0.15)).round();
        record(
            w,
            "StepCount",
            PHONE,
            "count",
            phone.to_string(),
            at(h, 0),
            at(h, 59),
        )?;
        let km = steps * 0.00075;
        record(
            w,
            "DistanceWalkingRunning",
            WATCH,
            "km",
            format!("{km:.3}"),
            at(h, 0),
            at(h, 59),
        )?;
        let kcal = rng.around(28.0, 20.0).max(1.0);
        record(
            w,
            "ActiveEnergyBurned",
            WATCH,
            "kcal",
            format!("{kcal:.2}"),
            at(h, 0),
            at(h, 59),
        )?;
    }
    record(
        w,
        "FlightsClimbed",
        PHONE,
        "count",
        format!("{}", (rng.next() * 14.0).round()),
        at(12, 0),
        at(12, 30),
    )?;
    record(
        w,
        "AppleExerciseTime",
        WATCH,
        "min",
        format!("{}", (rng.around(35.0, 25.0)).max(0.0).round()),
        at(18, 0),
        at(18, 59),
    )?;
    record(
        w,
        "RestingHeartRate",
        WATCH,
        "count/min",
        format!("{}", rng.around(56.0, 4.0).round()),
        at(7, 0),
        at(7, 0),
    )?;
    record(
        w,
        "HeartRateVariabilitySDNN",
        WATCH,
        "ms",
        format!("{:.1}", rng.around(48.0, 12.0)),
        at(4, 0),
        at(4, 1),
    )?;
    for h in [1u32, 3, 5] {
        record(
            w,
            "OxygenSaturation",
            WATCH,
            "%",
            format!("{:.2}", rng.around(0.965, 0.02).min(1.0)),
            at(h, 10),
            at(h, 10),
        )?;
    }
    record(
        w,
        "RespiratoryRate",
        WATCH,
        "count/min",
        format!("{:.1}", rng.around(14.5, 1.5)),
        at(3, 0),
        at(3, 0),
    )?;
    if index.is_multiple_of(3) {
        record(
            w,
            "BodyMass",
            "Withings",
            "kg",
            format!("{:.1}", rng.around(72.0, 1.5)),
            at(7, 5),
            at(7, 5),
        )?;
        record(
            w,
            "BodyFatPercentage",
            "Withings",
            "%",
            format!("{:.3}", rng.around(0.21, 0.01)),
            at(7, 5),
            at(7, 5),
        )?;
    }
    if index.is_multiple_of(7) {
        let (sys, dia) = (
            rng.around(121.0, 8.0).round(),
            rng.around(79.0, 6.0).round(),
        );
        let s = t(at(8, 0));
        writeln!(
            w,
            r#" <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Health" sourceVersion="17.1" creationDate="{s}" startDate="{s}" endDate="{s}">"#
        )?;
        writeln!(
            w,
            r#"  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Health" unit="mmHg" creationDate="{s}" startDate="{s}" endDate="{s}" value="{dia}"/>"#
        )?;
        writeln!(
            w,
            r#"  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Health" unit="mmHg" creationDate="{s}" startDate="{s}" endDate="{s}" value="{sys}"/>"#
        )?;
        writeln!(w, " </Correlation>")?;
    }
    // The night before this day: the phone's bedtime and the watch's stages.
    let bed = at(0, 0) - Duration::minutes(rng.around(60.0, 30.0) as i64);
    writeln!(
        w,
        r#" <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{PHONE}" sourceVersion="17.1" creationDate="{}" startDate="{}" endDate="{}" value="HKCategoryValueSleepAnalysisInBed"/>"#,
        t(at(7, 30)),
        t(bed),
        t(at(7, 15))
    )?;
    let mut cursor = bed + Duration::minutes(10);
    let stages = [
        "AsleepCore",
        "AsleepDeep",
        "AsleepCore",
        "AsleepREM",
        "Awake",
        "AsleepCore",
        "AsleepDeep",
        "AsleepREM",
        "AsleepCore",
        "AsleepREM",
    ];
    for stage in stages {
        let minutes = match stage {
            "Awake" => rng.around(6.0, 4.0),
            "AsleepDeep" => rng.around(40.0, 15.0),
            _ => rng.around(55.0, 20.0),
        } as i64;
        let end = cursor + Duration::minutes(minutes.max(1));
        writeln!(
            w,
            r#" <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{WATCH}" sourceVersion="10.1" device="{DEVICE}" creationDate="{}" startDate="{}" endDate="{}" value="HKCategoryValueSleepAnalysis{stage}"/>"#,
            t(at(7, 30)),
            t(cursor),
            t(end)
        )?;
        cursor = end;
    }
    if index.is_multiple_of(2) {
        let (start, minutes) = (at(18, 10), rng.around(42.0, 15.0).round());
        let end = start + Duration::minutes(minutes as i64);
        let km = minutes / 6.0;
        writeln!(
            w,
            r#" <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="{minutes}" durationUnit="min" sourceName="{WATCH}" sourceVersion="10.1" device="{DEVICE}" creationDate="{}" startDate="{}" endDate="{}">"#,
            t(end),
            t(start),
            t(end)
        )?;
        writeln!(w, r#"  <MetadataEntry key="HKIndoorWorkout" value="0"/>"#)?;
        writeln!(
            w,
            r#"  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="{}" endDate="{}" sum="{:.1}" unit="kcal"/>"#,
            t(start),
            t(end),
            minutes * 10.5
        )?;
        writeln!(
            w,
            r#"  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{}" endDate="{}" sum="{km:.2}" unit="km"/>"#,
            t(start),
            t(end)
        )?;
        writeln!(
            w,
            r#"  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="{}" endDate="{}" average="{:.0}" minimum="95" maximum="{:.0}" unit="count/min"/>"#,
            t(start),
            t(end),
            rng.around(148.0, 8.0),
            rng.around(172.0, 6.0)
        )?;
        writeln!(
            w,
            r#"  <WorkoutRoute sourceName="{WATCH}" sourceVersion="10.1" creationDate="{}" startDate="{}" endDate="{}"><FileReference path="/workout-routes/route_{}.gpx"/></WorkoutRoute>"#,
            t(end),
            t(start),
            t(end),
            date
        )?;
        writeln!(w, " </Workout>")?;
    }
    Ok(())
}

/// Writes an export of about `target` bytes; returns the bytes written.
pub fn write(out: impl Write, target: u64) -> io::Result<u64> {
    let mut w = Counting {
        inner: out,
        written: 0,
    };
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, "<!DOCTYPE HealthData [")?;
    writeln!(w, "<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>")?;
    writeln!(w, "<!ATTLIST HealthData locale CDATA #REQUIRED>")?;
    writeln!(w, "]>")?;
    writeln!(w, r#"<HealthData locale="en_GB">"#)?;
    writeln!(w, r#" <ExportDate value="2026-11-30 09:00:00 +0100"/>"#)?;
    writeln!(
        w,
        r#" <Me HKCharacteristicTypeIdentifierDateOfBirth="1988-03-14" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexMale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet"/>"#
    )?;
    let mut rng = Rng(0x5eed_2026);
    let last = NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    let mut index = 0u64;
    while w.written < target && index < 20_000 {
        day(&mut w, &mut rng, last - Duration::days(index as i64), index)?;
        index += 1;
    }
    writeln!(w, "</HealthData>")?;
    w.flush()?;
    Ok(w.written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_an_export_the_reader_accepts() {
        let mut buf = Vec::new();
        let written = write(&mut buf, 300_000).unwrap();
        assert_eq!(written as usize, buf.len());
        assert!(buf.len() >= 300_000);
        let mut kinds = std::collections::BTreeMap::new();
        let scanned = super::super::parse::read(buf.as_slice(), |item, _| {
            let k = match item {
                super::super::parse::Item::Quantity(q) => q.kind,
                super::super::parse::Item::Sleep(_) => "sleep".into(),
                super::super::parse::Item::BloodPressure { .. } => "bp".into(),
                super::super::parse::Item::Workout(_) => "workout".into(),
            };
            *kinds.entry(k).or_insert(0u32) += 1;
            Ok::<(), ()>(())
        })
        .unwrap();
        assert!(scanned.elements > 500, "{scanned:?}");
        for k in [
            "HeartRate",
            "StepCount",
            "sleep",
            "bp",
            "workout",
            "BodyMass",
        ] {
            assert!(kinds.contains_key(k), "{k}: {kinds:?}");
        }
    }
}
