//! The Apple Health export reader (`parse::read_limited`) and its mapper (`mapping::Mapper`)
//! fed arbitrary bytes; XML-ish documents built from the export's own elements and attributes
//! (records, blood-pressure correlations, workouts with statistics; dates at chrono's ends,
//! unknown units, unbalanced and misnamed tags, entities, stray text); byte- and
//! attribute-level edits of valid exports (`tests/fixtures/apple_health/export.xml` and a day
//! of the generated sample). Reading answers with what it read or an error; what it read is
//! mapped in any zone, as an import maps it, and the batches meet the ingest validation.

use chrono::DateTime;
use vitasync::apple_health::mapping::Mapper;
use vitasync::apple_health::parse::{self, ParseError, Scanned};
use vitasync::apple_health::sample;

use super::*;

/// Reads `xml` as an import's second pass does, mapping each item in `zone` and validating
/// each batch; returns the read's own answer.
fn read_and_map(xml: &[u8], zone: Tz, limit: u64) -> Result<Scanned, ParseError<()>> {
    let mut mapper = Mapper::new(zone);
    let mut batches = Vec::new();
    let read = parse::read_limited(xml, limit, |item, _| {
        mapper.add(item);
        batches.extend(mapper.take_full());
        Ok(())
    });
    batches.extend(mapper.finish());
    for b in &batches {
        validated(b, zone);
    }
    read
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

const KINDS: &str = "\
    HKQuantityTypeIdentifierStepCount HKQuantityTypeIdentifierDistanceWalkingRunning \
    HKQuantityTypeIdentifierActiveEnergyBurned HKQuantityTypeIdentifierFlightsClimbed \
    HKQuantityTypeIdentifierAppleExerciseTime HKQuantityTypeIdentifierHeartRate \
    HKQuantityTypeIdentifierBodyMass HKQuantityTypeIdentifierOxygenSaturation \
    HKQuantityTypeIdentifierBloodGlucose HKQuantityTypeIdentifierBodyTemperature \
    HKQuantityTypeIdentifierBloodPressureSystolic HKCategoryTypeIdentifierSleepAnalysis \
    HKCorrelationTypeIdentifierBloodPressure HKWorkoutActivityTypeRunning \
    HKQuantityTypeIdentifier";
const SLEEP_VALUES: &str = "\
    HKCategoryValueSleepAnalysisInBed HKCategoryValueSleepAnalysisAsleepUnspecified \
    HKCategoryValueSleepAnalysisAsleepCore HKCategoryValueSleepAnalysisAsleepDeep \
    HKCategoryValueSleepAnalysisAsleepREM HKCategoryValueSleepAnalysisAwake AsleepCore \
    Bogus";
const UNITS: &[&str] = &[
    "count",
    "count/min",
    "km",
    "mi",
    "m",
    "kJ",
    "kcal",
    "lb",
    "g",
    "kg",
    "%",
    "degF",
    "mg/dL",
    "mmol<180.1558800000541>/L",
    "min",
    "s",
    "hr",
    "furlong",
    "",
];
const NUMBERS: &[&str] = &[
    "0", "-0", "412", "72", "0.97", "98.6", "1e308", "-1e308", "1e309", "NaN", "inf", "1e-320",
    " 5 ", "", "0x10", "1,5",
];
/// Dates in the Health app's format at chrono's ends (in and past them), impossible ones,
/// and ones in other formats.
const APPLE_DATES: &[&str] = &[
    "+262142-12-31 23:30:00 +0000",
    "+262142-12-31 12:00:00 +1400",
    "+262142-12-31 23:59:59 -0100",
    "-262143-01-01 00:30:00 +0000",
    "-262143-01-01 12:00:00 -1200",
    "-262143-01-01 00:00:00 +0100",
    "9999-12-31 23:59:59 -2359",
    "0000-01-01 00:00:00 +2359",
    "1970-01-01 00:00:00 +0000",
    "2026-02-30 09:00:00 +0100",
    "2026-11-20 09:00:00",
    "2026-11-20T09:00:00+01:00",
];
const APPLE_OFFSETS: &[&str] = &["+0000", "+0100", "-0500", "+1400", "-1200", "+0545"];

/// A date as the Health app writes it: mostly within two days (so samples make nights),
/// else one of the dates above or any date-like text.
fn apple_date() -> BoxedStrategy<String> {
    prop_oneof![
        2 => prop::sample::select(APPLE_DATES).prop_map(str::to_string),
        4 => (1_795_100_000i64..1_795_300_000, prop::sample::select(APPLE_OFFSETS)).prop_map(
            |(t, off)| {
                let at = DateTime::from_timestamp(t, 0).expect("in range");
                format!("{} {off}", at.format("%Y-%m-%d %H:%M:%S"))
            }
        ),
        1 => rfc3339(),
    ]
    .boxed()
}

fn number_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => prop::sample::select(NUMBERS).prop_map(str::to_string),
        2 => any::<f64>().prop_map(|x| x.to_string()),
        2 => (0u32..200_000).prop_map(|n| n.to_string()),
        1 => tricky(),
    ]
    .boxed()
}

const SOURCES: &[&str] = &["Watch", "iPhone", "Ana’s Apple Watch", ""];
const ACTIVITIES: &[&str] = &["Running", "TraditionalStrengthTraining", "Other"];

fn source() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(SOURCES).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

fn record() -> BoxedStrategy<String> {
    let value = prop_oneof![
        3 => number_text(),
        2 => prop::sample::select(names(SLEEP_VALUES)).prop_map(str::to_string),
    ];
    (
        prop::sample::select(names(KINDS)),
        source(),
        prop::sample::select(UNITS),
        value,
        apple_date(),
        apple_date(),
    )
        .prop_map(|(kind, source, unit, value, start, end)| {
            format!(
                r#"<Record type="{kind}" sourceName="{}" unit="{}" startDate="{}" endDate="{}" value="{}"/>"#,
                escape(&source),
                escape(unit),
                escape(&start),
                escape(&end),
                escape(&value)
            )
        })
        .boxed()
}

fn correlation() -> BoxedStrategy<String> {
    (apple_date(), number_text(), number_text(), any::<bool>())
        .prop_map(|(at, systolic, diastolic, closed)| {
            let at = escape(&at);
            let reading = |kind: &str, v: &str| {
                format!(
                    r#"<Record type="HKQuantityTypeIdentifierBloodPressure{kind}" unit="mmHg" startDate="{at}" endDate="{at}" value="{}"/>"#,
                    escape(v)
                )
            };
            format!(
                r#"<Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Omron" startDate="{at}" endDate="{at}">{}{}{}"#,
                reading("Systolic", &systolic),
                reading("Diastolic", &diastolic),
                if closed { "</Correlation>" } else { "" }
            )
        })
        .boxed()
}

const STATISTICS: &str = "\
    HKQuantityTypeIdentifierHeartRate HKQuantityTypeIdentifierActiveEnergyBurned \
    HKQuantityTypeIdentifierDistanceWalkingRunning DistanceSwimming HeartRate";

fn workout() -> BoxedStrategy<String> {
    let statistic = (
        prop::sample::select(names(STATISTICS)),
        prop::collection::vec(number_text(), 3),
        prop::sample::select(UNITS),
    )
        .prop_map(|(kind, n, unit)| {
            format!(
                r#"<WorkoutStatistics type="{kind}" sum="{}" average="{}" maximum="{}" unit="{}"/>"#,
                escape(&n[0]),
                escape(&n[1]),
                escape(&n[2]),
                escape(unit)
            )
        });
    (
        prop_oneof![
            3 => prop::sample::select(ACTIVITIES)
                .prop_map(|a| format!("HKWorkoutActivityType{a}")),
            1 => text(),
        ],
        apple_date(),
        apple_date(),
        prop::collection::vec((number_text(), prop::sample::select(UNITS)), 3),
        prop::collection::vec(statistic, 0..4),
    )
        .prop_map(|(kind, start, end, f, stats)| {
            format!(
                r#"<Workout workoutActivityType="{}" duration="{}" durationUnit="{}" totalDistance="{}" totalDistanceUnit="{}" totalEnergyBurned="{}" totalEnergyBurnedUnit="{}" sourceName="Watch" startDate="{}" endDate="{}">{}</Workout>"#,
                escape(&kind),
                escape(&f[0].0),
                escape(f[0].1),
                escape(&f[1].0),
                escape(f[1].1),
                escape(&f[2].0),
                escape(f[2].1),
                escape(&start),
                escape(&end),
                stats.concat()
            )
        })
        .boxed()
}

const ELEMENTS: &str = "\
    HealthData Record Correlation Workout WorkoutStatistics MetadataEntry ExportDate \
    hk:Record";
const ATTRIBUTES: &str = "\
    type workoutActivityType sourceName unit value startDate endDate duration \
    durationUnit sum average maximum";
const RAW_XML: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<!DOCTYPE HealthData [<!ELEMENT HealthData ANY>]>",
    "<!-- a comment -->",
    "<![CDATA[<Record>]]>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&unknown;",
    "<",
    "</",
    "\u{feff}",
    "<?pi?>",
];

/// Any tag of the export's vocabulary (opening, empty or closing, with attributes quoted,
/// single-quoted or not at all), markup fragments, or text.
fn element() -> BoxedStrategy<String> {
    let attribute = (
        prop::sample::select(names(ATTRIBUTES)),
        prop_oneof![
            2 => prop::sample::select(names(KINDS)).prop_map(str::to_string),
            2 => apple_date(),
            2 => number_text(),
            1 => text(),
        ],
        0u8..6,
    )
        .prop_map(|(name, value, style)| match style {
            0 => format!(" {name}='{value}'"),
            1 => format!(" {name}={value}"),
            _ => format!(" {name}=\"{}\"", escape(&value)),
        });
    prop_oneof![
        4 => (
            prop::sample::select(names(ELEMENTS)),
            prop::collection::vec(attribute, 0..6),
            any::<bool>()
        )
            .prop_map(|(name, attrs, empty)| {
                format!("<{name}{}{}>", attrs.concat(), if empty { "/" } else { "" })
            }),
        2 => prop::sample::select(names(ELEMENTS)).prop_map(|name| format!("</{name}>")),
        1 => prop::sample::select(RAW_XML).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

/// A document of export pieces, usually inside `<HealthData>`.
fn export_document() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        5 => record(),
        2 => correlation(),
        2 => workout(),
        3 => element(),
    ];
    (
        prop::collection::vec(piece, 0..24),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(pieces, open, close)| {
            let mut doc = String::new();
            if open {
                doc.push_str("<?xml version=\"1.0\"?>\n<HealthData locale=\"en_US\">\n");
            }
            for p in pieces {
                doc.push_str(&p);
                doc.push('\n');
            }
            if close {
                doc.push_str("</HealthData>\n");
            }
            doc
        })
        .boxed()
}

#[test]
fn any_bytes_read_as_an_export_or_an_error() {
    let bytes = prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..1024),
        1 => prop::collection::vec(any::<u8>(), 0..512).prop_map(|b| {
            [b"<HealthData>".as_slice(), b.as_slice(), b"</HealthData>".as_slice()].concat()
        }),
    ];
    check("apple_any_bytes", CASES, (bytes, zone()), |(bytes, tz)| {
        let _ = read_and_map(&bytes, tz, u64::MAX);
        Ok(())
    });
}

#[test]
fn export_shaped_documents_read_as_items_or_an_error() {
    let limit = prop_oneof![3 => Just(u64::MAX), 1 => 0u64..8];
    check(
        "apple_documents",
        CASES,
        (export_document(), zone(), limit),
        |(doc, tz, limit)| {
            if let Ok(scanned) = read_and_map(doc.as_bytes(), tz, limit) {
                prop_assert!(scanned.elements <= limit && scanned.bytes <= doc.len() as u64);
            }
            Ok(())
        },
    );
}

/// One edit of an export's bytes.
#[derive(Clone, Debug)]
enum Edit {
    /// An attribute's value (the bytes between `="` and the next `"`) becomes this.
    Attribute(Index, String),
    Flip(Index, u8),
    Cut(Index),
    Delete(Index, u8),
    Insert(Index, String),
    /// A whole line once more, just after itself (a record listed twice).
    Repeat(Index),
}

fn edit() -> BoxedStrategy<Edit> {
    let value = prop_oneof![
        3 => apple_date(),
        2 => number_text(),
        1 => prop::sample::select(names(KINDS)).prop_map(str::to_string),
        1 => prop::sample::select(names(SLEEP_VALUES)).prop_map(str::to_string),
        1 => prop::sample::select(UNITS).prop_map(str::to_string),
        1 => text(),
    ];
    prop_oneof![
        5 => (any::<Index>(), value, any::<bool>())
            .prop_map(|(at, v, raw)| Edit::Attribute(at, if raw { v } else { escape(&v) })),
        2 => (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Edit::Flip(at, mask)),
        1 => any::<Index>().prop_map(Edit::Cut),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (any::<Index>(), prop_oneof![element(), record()])
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        2 => any::<Index>().prop_map(Edit::Repeat),
    ]
    .boxed()
}

/// `doc` with `range` replaced by `with`.
fn splice(doc: &mut Vec<u8>, range: std::ops::Range<usize>, with: &[u8]) {
    let mut out = Vec::with_capacity(doc.len() + with.len());
    out.extend_from_slice(&doc[..range.start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&doc[range.end..]);
    *doc = out;
}

fn apply(doc: &mut Vec<u8>, edit: Edit) {
    let len = doc.len();
    match edit {
        Edit::Attribute(at, value) => {
            let starts: Vec<usize> = doc
                .windows(2)
                .enumerate()
                .filter(|(_, w)| w[0] == b'=' && w[1] == b'"')
                .map(|(i, _)| i + 2)
                .collect();
            if starts.is_empty() {
                return;
            }
            let start = *at.get(&starts);
            let end = doc[start..]
                .iter()
                .position(|&b| b == b'"')
                .map_or(len, |n| start + n);
            splice(doc, start..end, value.as_bytes());
        }
        Edit::Flip(at, mask) if len > 0 => doc[at.index(len)] ^= mask,
        Edit::Cut(at) => doc.truncate(at.index(len + 1)),
        Edit::Delete(at, n) if len > 0 => {
            let i = at.index(len);
            splice(doc, i..(i + usize::from(n)).min(len), b"");
        }
        Edit::Insert(at, s) => {
            let i = at.index(len + 1);
            splice(doc, i..i, s.as_bytes());
        }
        Edit::Repeat(at) if len > 0 => {
            let i = at.index(len);
            let start = doc[..i]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let end = doc[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(len, |p| i + p + 1);
            let line = doc[start..end].to_vec();
            splice(doc, end..end, &line);
        }
        _ => {}
    }
}

/// The fixture export, and the first day of the generated sample export.
fn exports() -> Vec<Vec<u8>> {
    let path = format!(
        "{}/tests/fixtures/apple_health/export.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut generated = Vec::new();
    // The header alone is under 2 KB, so this is the header and one whole day.
    sample::write(&mut generated, 2_000).expect("a generated export");
    vec![fixture, generated]
}

#[test]
fn edited_exports_read_as_items_or_an_error() {
    let seeds = exports();
    let paris: Tz = "Europe/Paris"
        .parse()
        .unwrap_or_else(|_| panic!("Europe/Paris is a zone"));
    for s in &seeds {
        let read = read_and_map(s, paris, u64::MAX);
        assert!(read.is_ok(), "the unedited export reads: {read:?}");
    }
    let strategy = (any::<Index>(), prop::collection::vec(edit(), 1..5), zone());
    check(
        "apple_edited_exports",
        128,
        strategy,
        |(pick, edits, tz)| {
            let mut doc = pick.get(&seeds).clone();
            for e in edits {
                apply(&mut doc, e);
            }
            let _ = read_and_map(&doc, tz, u64::MAX);
            Ok(())
        },
    );
}
