//! A streaming reader of the Health app's `export.xml` (facts in
//! `docs/providers/apple-health.md`): one element at a time through quick-xml, so a file of
//! several gigabytes needs no more memory than its longest element. It hands over the items
//! the importer maps: quantity samples, sleep-analysis samples, blood-pressure correlations
//! and workouts (with their statistics). Everything else (metadata, routes, clinical records,
//! activity rings) is skipped. A file that is not XML, is not a Health export, or ends before
//! `</HealthData>` (a cut-off download) is an error naming where it went wrong.

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::rc::Rc;

use chrono::{DateTime, FixedOffset};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// One quantity sample (`<Record type="HKQuantityTypeIdentifier…">`).
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The identifier without its `HKQuantityTypeIdentifier` prefix (`StepCount`).
    pub kind: String,
    pub source: String,
    pub unit: String,
    pub value: f64,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

/// One sleep-analysis sample; `value` without its `HKCategoryValueSleepAnalysis` prefix
/// (`InBed`, `AsleepCore`, …).
#[derive(Clone, Debug, PartialEq)]
pub struct SleepSample {
    pub value: String,
    pub source: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workout {
    /// Without its `HKWorkoutActivityType` prefix (`Running`).
    pub activity: String,
    pub source: String,
    pub start: Option<DateTime<FixedOffset>>,
    pub end: Option<DateTime<FixedOffset>>,
    pub duration_minutes: Option<f64>,
    pub distance_m: Option<f64>,
    pub energy_kcal: Option<f64>,
    pub avg_hr: Option<f64>,
    pub max_hr: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Quantity(Quantity),
    Sleep(SleepSample),
    BloodPressure {
        source: String,
        at: DateTime<FixedOffset>,
        systolic: f64,
        diastolic: f64,
    },
    Workout(Workout),
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError<E> {
    #[error("This is not a Health app export: it has no <HealthData> element.")]
    NotAnExport,
    #[error(
        "The export is incomplete: it ends before </HealthData>, after {0} byte(s). \
         Export the data again from the Health app and upload the whole file."
    )]
    Truncated(u64),
    #[error("The export is not readable XML at byte {position}: {detail}")]
    Malformed { position: u64, detail: String },
    #[error("{0}")]
    Io(String),
    #[error(
        "This export holds more than {0} records, the most this server imports from one file \
         (VITASYNC_IMPORT_MAX_RECORDS). Nothing was imported."
    )]
    TooManyRecords(u64),
    /// The consumer stopped the read.
    #[error("import stopped")]
    Stopped(E),
}

/// `2024-01-01 09:00:00 +0100`: the Health app's date format (local time with its offset).
/// An export's time stamp, within the years every date of the app keeps to (1900–2200): a
/// record dated outside them is skipped like any unreadable one (local days near chrono's
/// limits cannot be computed).
pub fn date(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S %z")
        .ok()
        .filter(|d| crate::dates::instant_in_bounds(&d.with_timezone(&chrono::Utc)))
}

/// Unit conversions: distances to metres, energy to kcal, mass to kg, temperatures to °C,
/// fractions to percent, glucose to mmol/L. `None` for a unit we do not know (skipped).
pub fn convert(kind: &str, unit: &str, value: f64) -> Option<f64> {
    let v = match (kind, unit) {
        (_, "count" | "count/min" | "ms" | "min" | "mmHg" | "kcal" | "Cal" | "degC" | "kg") => {
            value
        }
        ("OxygenSaturation" | "BodyFatPercentage", "%") => value * 100.0,
        (_, "%") => value,
        (_, "km") => value * 1000.0,
        (_, "m") => value,
        (_, "mi") => value * 1609.344,
        (_, "kJ") => value / 4.184,
        (_, "lb") => value * 0.453_592_37,
        (_, "g") => value / 1000.0,
        (_, "degF") => (value - 32.0) * 5.0 / 9.0,
        (_, "mg/dL") => value / 18.0,
        (_, u) if u.starts_with("mmol") && u.ends_with("/L") => value,
        _ => return None,
    };
    Some(v)
}

#[derive(Default)]
struct Attrs {
    kind: String,
    source: String,
    unit: String,
    value: String,
    start: String,
    end: String,
    // Workout and WorkoutStatistics.
    duration: String,
    duration_unit: String,
    distance: String,
    distance_unit: String,
    energy: String,
    energy_unit: String,
    sum: String,
    average: String,
    maximum: String,
}

fn attrs(e: &BytesStart<'_>) -> Result<Attrs, String> {
    let mut a = Attrs::default();
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|e| e.to_string())?;
        let slot = match attr.key.local_name().as_ref() {
            "type" | "workoutActivityType" => &mut a.kind,
            "sourceName" => &mut a.source,
            "unit" => &mut a.unit,
            "value" => &mut a.value,
            "startDate" => &mut a.start,
            "endDate" => &mut a.end,
            "duration" => &mut a.duration,
            "durationUnit" => &mut a.duration_unit,
            "totalDistance" => &mut a.distance,
            "totalDistanceUnit" => &mut a.distance_unit,
            "totalEnergyBurned" => &mut a.energy,
            "totalEnergyBurnedUnit" => &mut a.energy_unit,
            "sum" => &mut a.sum,
            "average" => &mut a.average,
            "maximum" => &mut a.maximum,
            _ => continue,
        };
        *slot = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
    }
    Ok(a)
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

const QUANTITY: &str = "HKQuantityTypeIdentifier";
const SLEEP: &str = "HKCategoryTypeIdentifierSleepAnalysis";
const SLEEP_VALUE: &str = "HKCategoryValueSleepAnalysis";
const BLOOD_PRESSURE: &str = "HKCorrelationTypeIdentifierBloodPressure";
const WORKOUT_TYPE: &str = "HKWorkoutActivityType";

/// A `<Record>` outside a correlation, as an item when it is one we read.
fn record(a: Attrs) -> Option<Item> {
    let (start, end) = (date(&a.start)?, date(&a.end)?);
    if a.kind == SLEEP {
        let value = a.value.strip_prefix(SLEEP_VALUE).unwrap_or(&a.value);
        return Some(Item::Sleep(SleepSample {
            value: value.to_string(),
            source: a.source,
            start,
            end,
        }));
    }
    let kind = a.kind.strip_prefix(QUANTITY)?;
    Some(Item::Quantity(Quantity {
        kind: kind.to_string(),
        value: number(&a.value)?,
        source: a.source,
        unit: a.unit,
        start,
        end,
    }))
}

/// What is open while the reader is inside a correlation or a workout.
enum Open {
    Pressure {
        source: String,
        at: Option<DateTime<FixedOffset>>,
        systolic: Option<f64>,
        diastolic: Option<f64>,
    },
    Workout(Workout),
}

fn workout_start(a: Attrs) -> Workout {
    let minutes = match (number(&a.duration), a.duration_unit.as_str()) {
        (Some(d), "min" | "") => Some(d),
        (Some(d), "s") => Some(d / 60.0),
        (Some(d), "hr") => Some(d * 60.0),
        _ => None,
    };
    Workout {
        activity: a
            .kind
            .strip_prefix(WORKOUT_TYPE)
            .unwrap_or(&a.kind)
            .to_string(),
        start: date(&a.start),
        end: date(&a.end),
        duration_minutes: minutes,
        distance_m: number(&a.distance).and_then(|d| convert("Distance", &a.distance_unit, d)),
        energy_kcal: number(&a.energy).and_then(|e| convert("Energy", &a.energy_unit, e)),
        source: a.source,
        avg_hr: None,
        max_hr: None,
    }
}

/// Newer exports put a workout's totals in `<WorkoutStatistics>` children.
fn workout_statistics(w: &mut Workout, a: &Attrs) {
    let kind = a.kind.strip_prefix(QUANTITY).unwrap_or(&a.kind);
    match kind {
        "HeartRate" => {
            w.avg_hr = w.avg_hr.or(number(&a.average));
            w.max_hr = w.max_hr.or(number(&a.maximum));
        }
        "ActiveEnergyBurned" if w.energy_kcal.is_none() => {
            w.energy_kcal = number(&a.sum).and_then(|s| convert(kind, &a.unit, s));
        }
        k if k.starts_with("Distance") && w.distance_m.is_none() => {
            w.distance_m = number(&a.sum).and_then(|s| convert(kind, &a.unit, s));
        }
        _ => {}
    }
}

/// The longest single element or text run accepted (real exports' longest are kilobytes).
pub const MAX_ELEMENT_BYTES: u64 = 16 * 1024 * 1024;

/// Hands the reader its input, refusing to buffer more than [`MAX_ELEMENT_BYTES`] for one
/// event, so a file of nothing but one enormous tag or text (a zip that inflates to gigabytes
/// of whitespace) cannot exhaust memory.
struct Bounded<R> {
    inner: R,
    since_event: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.since_event.set(self.since_event.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Bounded<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.since_event.get() > MAX_ELEMENT_BYTES {
            return Err(std::io::Error::other(
                "it holds an element longer than 16 MB, which no Health export has",
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.since_event.set(self.since_event.get() + amount as u64);
        self.inner.consume(amount);
    }
}

/// What a complete read saw.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scanned {
    /// Every `<Record>`, `<Correlation>` and `<Workout>`, read or skipped.
    pub elements: u64,
    pub bytes: u64,
}

/// Reads an export from `input`, handing each item to `sink`. Progress: `sink` also learns the
/// element count. Errors leave what was already handed over to the caller's judgement.
pub fn read<R: BufRead, E>(
    input: R,
    sink: impl FnMut(Item, &Scanned) -> Result<(), E>,
) -> Result<Scanned, ParseError<E>> {
    read_limited(input, u64::MAX, sink)
}

/// [`read`], refusing a file of more than `max_elements` records, correlations and workouts.
pub fn read_limited<R: BufRead, E>(
    input: R,
    max_elements: u64,
    mut sink: impl FnMut(Item, &Scanned) -> Result<(), E>,
) -> Result<Scanned, ParseError<E>> {
    let since_event = Rc::new(Cell::new(0u64));
    let mut reader = Reader::from_reader(Bounded {
        inner: input,
        since_event: since_event.clone(),
    });
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(4096);
    let mut open: Option<Open> = None;
    let mut depth = 0usize;
    let (mut seen_root, mut closed_root) = (false, false);
    let mut scanned = Scanned::default();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|e| match e {
            quick_xml::Error::Io(io) => ParseError::Io(io.to_string()),
            // Every syntax error is the input ending inside some markup: a cut-off file.
            quick_xml::Error::Syntax(_) => ParseError::Truncated(reader.buffer_position()),
            other => ParseError::Malformed {
                position: reader.error_position().max(position),
                detail: other.to_string(),
            },
        })?;
        since_event.set(0);
        let malformed = |detail: String| ParseError::Malformed { position, detail };
        let (e, is_start) = match &event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                match end.local_name().as_ref() {
                    "HealthData" => closed_root = true,
                    "Correlation" | "Workout" if depth == 1 => {
                        if let Some(item) = close(open.take()) {
                            scanned.bytes = reader.buffer_position();
                            sink(item, &scanned).map_err(ParseError::Stopped)?;
                        }
                    }
                    _ => {}
                }
                buf.clear();
                continue;
            }
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        let name = e.local_name();
        let name = name.as_ref();
        if name == "HealthData" {
            seen_root = true;
        } else if !seen_root && depth == 0 {
            return Err(ParseError::NotAnExport);
        }
        // Top-level elements sit at depth 1 (inside <HealthData>).
        let top = depth == 1;
        let mut item = None;
        match name {
            "Record" | "Correlation" | "Workout" if top => {
                scanned.elements += 1;
                if scanned.elements > max_elements {
                    return Err(ParseError::TooManyRecords(max_elements));
                }
                let a = attrs(e).map_err(malformed)?;
                match name {
                    "Record" => item = record(a),
                    "Correlation" if a.kind == BLOOD_PRESSURE => {
                        open = Some(Open::Pressure {
                            at: date(&a.start),
                            source: a.source,
                            systolic: None,
                            diastolic: None,
                        });
                    }
                    "Workout" => open = Some(Open::Workout(workout_start(a))),
                    _ => {}
                }
                if !is_start {
                    // A childless correlation or workout closes at once.
                    item = item.or_else(|| close(open.take()));
                }
            }
            "Record" if depth == 2 => {
                if let Some(Open::Pressure {
                    systolic,
                    diastolic,
                    ..
                }) = &mut open
                {
                    let a = attrs(e).map_err(malformed)?;
                    let v = number(&a.value);
                    match a.kind.strip_prefix(QUANTITY) {
                        Some("BloodPressureSystolic") => *systolic = v,
                        Some("BloodPressureDiastolic") => *diastolic = v,
                        _ => {}
                    }
                }
            }
            "WorkoutStatistics" if depth == 2 => {
                if let Some(Open::Workout(w)) = &mut open {
                    let a = attrs(e).map_err(malformed)?;
                    workout_statistics(w, &a);
                }
            }
            _ => {}
        }
        if is_start {
            depth += 1;
        }
        buf.clear();
        if let Some(item) = item {
            scanned.bytes = reader.buffer_position();
            sink(item, &scanned).map_err(ParseError::Stopped)?;
        }
    }
    scanned.bytes = reader.buffer_position();
    if !seen_root {
        return Err(ParseError::NotAnExport);
    }
    if !closed_root || depth != 0 {
        return Err(ParseError::Truncated(scanned.bytes));
    }
    Ok(scanned)
}

fn close(open: Option<Open>) -> Option<Item> {
    match open? {
        Open::Pressure {
            source,
            at,
            systolic,
            diastolic,
        } => Some(Item::BloodPressure {
            source,
            at: at?,
            systolic: systolic?,
            diastolic: diastolic?,
        }),
        Open::Workout(w) => (w.start.is_some() && w.end.is_some()).then_some(Item::Workout(w)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-11-30 08:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1985-04-12" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Ana&#8217;s iPhone" sourceVersion="17.1" device="&lt;&lt;HKDevice: 0x28>, name:iPhone&gt;" unit="count" creationDate="2026-11-20 09:10:00 +0100" startDate="2026-11-20 09:00:00 +0100" endDate="2026-11-20 09:05:00 +0100" value="412"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Ana’s Apple Watch" unit="count/min" creationDate="2026-11-20 09:02:00 +0100" startDate="2026-11-20 09:01:00 +0100" endDate="2026-11-20 09:01:00 +0100" value="72">
  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>
 </Record>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2026-11-19 23:10:00 +0100" endDate="2026-11-20 01:00:00 +0100" value="HKCategoryValueSleepAnalysisAsleepCore"/>
 <Record type="HKDataTypeSleepDurationGoal" sourceName="Health" unit="hr" startDate="2026-11-20 00:00:00 +0100" endDate="2026-11-20 00:00:00 +0100" value="8"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" creationDate="2026-11-20 07:00:00 +0100" startDate="2026-11-20 07:00:00 +0100" endDate="2026-11-20 07:00:00 +0100">
  <MetadataEntry key="HKWasUserEntered" value="1"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Omron" unit="mmHg" startDate="2026-11-20 07:00:00 +0100" endDate="2026-11-20 07:00:00 +0100" value="79"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Omron" unit="mmHg" startDate="2026-11-20 07:00:00 +0100" endDate="2026-11-20 07:00:00 +0100" value="122"/>
 </Correlation>
 <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30.5" durationUnit="min" sourceName="Watch" creationDate="2026-11-20 18:31:00 +0100" startDate="2026-11-20 18:00:00 +0100" endDate="2026-11-20 18:30:30 +0100">
  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="2026-11-20 18:10:00 +0100" duration="10" durationUnit="min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="2026-11-20 18:00:00 +0100" endDate="2026-11-20 18:30:30 +0100" sum="1380" unit="kJ"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="2026-11-20 18:00:00 +0100" endDate="2026-11-20 18:30:30 +0100" sum="5.21" unit="km"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="2026-11-20 18:00:00 +0100" endDate="2026-11-20 18:30:30 +0100" average="151.4" minimum="98" maximum="176" unit="count/min"/>
  <WorkoutRoute sourceName="Watch"><FileReference path="/workout-routes/route_2026-11-20_6.30pm.gpx"/></WorkoutRoute>
 </Workout>
 <ActivitySummary dateComponents="2026-11-20" activeEnergyBurned="512"/>
</HealthData>
"#;

    fn items(xml: &str) -> Result<(Vec<Item>, Scanned), ParseError<()>> {
        let mut out = Vec::new();
        let s = read(xml.as_bytes(), |i, _| {
            out.push(i);
            Ok::<(), ()>(())
        })?;
        Ok((out, s))
    }

    #[test]
    fn reads_records_correlations_and_workouts() {
        let (items, scanned) = items(SAMPLE).unwrap();
        assert_eq!(scanned.elements, 6);
        assert_eq!(items.len(), 5, "{items:#?}");
        let Item::Quantity(steps) = &items[0] else {
            panic!()
        };
        assert_eq!(steps.kind, "StepCount");
        assert_eq!(steps.source, "Ana\u{2019}s iPhone");
        assert_eq!(steps.value, 412.0);
        assert_eq!(steps.start.to_rfc3339(), "2026-11-20T09:00:00+01:00");
        assert!(matches!(&items[1], Item::Quantity(q) if q.kind == "HeartRate" && q.value == 72.0));
        assert!(matches!(&items[2], Item::Sleep(s) if s.value == "AsleepCore"));
        assert!(matches!(
            &items[3],
            Item::BloodPressure { systolic, diastolic, .. } if *systolic == 122.0 && *diastolic == 79.0
        ));
        let Item::Workout(w) = &items[4] else {
            panic!()
        };
        assert_eq!(w.activity, "Running");
        assert_eq!(w.duration_minutes, Some(30.5));
        assert_eq!(w.distance_m, Some(5210.0));
        assert!((w.energy_kcal.unwrap() - 329.83).abs() < 0.01, "kJ → kcal");
        assert_eq!((w.avg_hr, w.max_hr), (Some(151.4), Some(176.0)));
    }

    #[test]
    fn a_cut_off_file_is_truncated_wherever_it_stops() {
        for cut in [SAMPLE.len() / 3, SAMPLE.len() / 2, SAMPLE.len() - 20] {
            let err = items(&SAMPLE[..cut]).unwrap_err();
            assert!(
                matches!(err, ParseError::Truncated(_) | ParseError::Malformed { .. }),
                "cut at {cut}: {err:?}"
            );
        }
        assert!(matches!(
            items(&SAMPLE[..SAMPLE.len() - 16]).unwrap_err(),
            ParseError::Truncated(_)
        ));
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(matches!(
            items("<html><body>hello</body></html>").unwrap_err(),
            ParseError::NotAnExport
        ));
        assert!(matches!(items("").unwrap_err(), ParseError::NotAnExport));
        let bad = SAMPLE.replace("</Correlation>", "</Correlatoin>");
        assert!(matches!(
            items(&bad).unwrap_err(),
            ParseError::Malformed { .. }
        ));
    }

    #[test]
    fn an_endless_element_is_refused_without_buffering_it() {
        let mut xml = String::from("<HealthData><Record type=\"");
        xml.push_str(&"x".repeat(MAX_ELEMENT_BYTES as usize + 1024));
        let err = items(&xml).unwrap_err();
        assert!(
            matches!(err, ParseError::Io(ref m) if m.contains("16 MB")),
            "{err:?}"
        );
    }

    #[test]
    fn more_records_than_allowed_stop_the_read() {
        let ok = read_limited(SAMPLE.as_bytes(), 6, |_, _| Ok::<(), ()>(()));
        assert_eq!(ok.unwrap().elements, 6);
        let err = read_limited(SAMPLE.as_bytes(), 5, |_, _| Ok::<(), ()>(())).unwrap_err();
        assert!(matches!(err, ParseError::TooManyRecords(5)), "{err:?}");
        assert!(err.to_string().contains("more than 5 records"));
    }

    #[test]
    fn units_convert_to_the_catalogue_units() {
        assert_eq!(convert("OxygenSaturation", "%", 0.97), Some(97.0));
        assert_eq!(convert("BodyFatPercentage", "%", 0.215), Some(21.5));
        assert!((convert("BodyMass", "lb", 160.0).unwrap() - 72.57).abs() < 0.01);
        assert!((convert("BodyTemperature", "degF", 98.6).unwrap() - 37.0).abs() < 0.01);
        assert_eq!(convert("BloodGlucose", "mg/dL", 90.0), Some(5.0));
        assert_eq!(
            convert("BloodGlucose", "mmol<180.1558800000541>/L", 5.4),
            Some(5.4)
        );
        assert_eq!(convert("DistanceWalkingRunning", "mi", 1.0), Some(1609.344));
        assert_eq!(convert("StepCount", "furlong", 1.0), None);
    }
}
