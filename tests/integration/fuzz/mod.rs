//! Parser fuzzing: every reader of outside input meets arbitrary input and answers with a
//! value, never a panic. Provider push intake (`push_intake`) and the push signature helpers
//! (`push_helpers`), every provider's payload mappers (`mappers`), the Apple Health export
//! reader (`apple_export`) and its mapper (`apple_items`), the form, query and API-field
//! parsers (`forms`), and the REST ingest body with the ingest validation (`ingest_batches`).
//! Where a parser promises more (a day written out reads back as itself, a redirect never
//! leaves the site, a forged signature admits nothing), that is checked too.
//!
//! Runs repeat exactly: each property draws from a seed fixed by its name and writes no
//! failure files; each takes at most a few hundred cases, so the campaign takes seconds. A
//! failure names the property and the smallest input found. This file holds what they share:
//! the runner, text and JSON strategies (chrono's extreme dates, numbers at the edges of i64
//! and f64, the field names each reader looks for) and mutations of documented payloads.

mod apple_export;
mod apple_items;
mod forms;
mod ingest_batches;
mod mappers;
mod push_helpers;
mod push_intake;

use chrono::Utc;
use chrono_tz::Tz;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{RngAlgorithm, TestCaseResult, TestRng, TestRunner};
use serde_json::{json, Value};
use vitasync::health::ingest::{validate, Batch};

/// Cases per property (the heavier ones take fewer).
const CASES: u32 = 256;

/// Runs `test` on `cases` inputs drawn from `strategy` with a seed fixed by `name`; a failed
/// assertion or a panic fails the test with the smallest failing input found.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> TestCaseResult,
) {
    let config = proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        // A failure is shrunk for a while, not for ever.
        max_shrink_iters: 1_000,
        max_shrink_time: 10_000,
        ..proptest::test_runner::Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed(name));
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{name}: {failure}");
    }
}

/// 32 bytes from `name` (FNV-1a), so each property has its own fixed seed.
fn seed(name: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, slot) in out.iter_mut().enumerate() {
        for b in name.bytes().chain(std::iter::once(i as u8)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        *slot = (h >> 32) as u8;
    }
    out
}

/// Runs the ingest validation over what a mapper made, as a sync does before writing: each
/// item is accepted or refused, as a value.
fn validated(batch: &Batch, zone: Tz) {
    let now = Utc::now();
    for (i, p) in batch.points.iter().enumerate() {
        let _ = validate::point(i, p, zone, now);
    }
    for (i, e) in batch.events.iter().enumerate() {
        let _ = validate::event(i, e, now);
    }
}

/// Text a date, number or word reader may trip on.
const TRICKY: &[&str] = &[
    // Instants and days at and past chrono's range, and at the app's own bounds.
    "+262142-12-31T23:59:59Z",
    "-262143-01-01T00:00:00Z",
    "+262143-01-01T00:00:00Z",
    "-262144-12-31T00:00:00Z",
    "99999-12-31T00:00:00Z",
    "-262143-01-01",
    "+262142-12-31",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.999999999Z",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "2026-11-20T06:30:00Z",
    "2026-11-20T06:30:00+14:00",
    "2026-11-20",
    "2026-02-30",
    "2026-11-20T06:30:00",
    "1900-01-01",
    "2200-12-31",
    "2201-01-01",
    "2026-11-20/2026-11-21",
    "12:00:00",
    "24:00:00",
    "23:59:60",
    // ISO durations and numbers written as text.
    "PT",
    "PT1.5S",
    "PT2H44M",
    "PT9000000000000S",
    "PT99999999999999999999H",
    "P1D",
    "PT.S",
    "3471s",
    "-5s",
    "1e30s",
    "0",
    "-0",
    "1e308",
    "-1e308",
    "1e400",
    "NaN",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "0x10",
    "1,5",
    " 42 ",
    // Words the mappers and handshakes look for.
    "SCORED",
    "PENDING_SCORE",
    "long_sleep",
    "rest",
    "deleted",
    "CLASSIC",
    "verification",
    "PING",
    "SLEEP",
    "OTHER",
    "OFF_WRIST",
    "MODERATE",
    "VIGOROUS",
    "DEEP",
    "LIGHT",
    "REM",
    "AWAKE",
    "RESTLESS",
    "Run",
    "AlpineSki",
    "RUNNING",
    "strength_training",
    "Bearer ",
    "subscribe",
    // Text that is not what it seems.
    "",
    " ",
    "\u{0}",
    "\t\n",
    "é",
    "İ",
    "ǅ",
    "\u{202e}",
    "\u{feff}",
    "💥",
    "a/b~c",
    "null",
    "{}",
];

/// Years around chrono's ends, the app's bounds and the Unix epoch.
const YEARS: &[i64] = &[
    -262_144, -262_143, -1, 0, 1, 1899, 1900, 1969, 1970, 2025, 2026, 2200, 2201, 9999, 10_000,
    262_142, 262_143,
];
const OFFSETS: &[&str] = &[
    "Z", "+00:00", "-00:00", "+01:00", "+14:00", "-12:00", "+23:59", "-23:59", "+05:45", "-03:30",
];

/// A date, a local time or an instant in one of the shapes readers take (RFC 3339, a day, a
/// local time without offset, the Health app's `YYYY-MM-DD HH:MM:SS +hhmm`), in one of the
/// years above, its fields sometimes out of range.
fn rfc3339() -> BoxedStrategy<String> {
    (
        prop::sample::select(YEARS),
        0u32..=13,
        0u32..=32,
        0u32..=25,
        0u32..=60,
        prop::sample::select(OFFSETS),
        0u8..5,
    )
        .prop_map(|(y, mo, d, h, mi, off, shape)| {
            let year = if (0..=9999).contains(&y) {
                format!("{y:04}")
            } else {
                format!("{y:+}")
            };
            match shape {
                0 | 1 => format!("{year}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{off}"),
                2 => format!("{year}-{mo:02}-{d:02}"),
                3 => format!("{year}-{mo:02}-{d:02}T{h:02}:{mi:02}:00.5"),
                _ => {
                    let apple = if off == "Z" {
                        "+0000".to_string()
                    } else {
                        off.replace(':', "")
                    };
                    format!("{year}-{mo:02}-{d:02} {h:02}:{mi:02}:00 {apple}")
                }
            }
        })
        .boxed()
}

/// A tricky word, a date, a number as text, or a short run of ordinary characters.
fn tricky() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(TRICKY).prop_map(str::to_string),
        3 => rfc3339(),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|x| x.to_string()),
        1 => "[a-zA-Z0-9_ .:/+-]{0,16}",
    ]
    .boxed()
}

const PADDING: &[&str] = &[
    "", " ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "\u{0}", "\u{200b}",
];

/// Text of any characters (control ones too), printable text, tricky words with white space
/// around them, and long runs of up to 10,000 characters.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::collection::vec(any::<char>(), 0..40)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        2 => "\\PC{0,40}",
        3 => tricky(),
        2 => (
            prop::sample::select(PADDING),
            tricky(),
            prop::sample::select(PADDING)
        )
            .prop_map(|(a, t, b)| format!("{a}{t}{b}")),
        1 => (tricky(), 1usize..3_000)
            .prop_map(|(t, n)| t.repeat(n).chars().take(10_000).collect::<String>()),
    ]
    .boxed()
}

/// Integers at the edges: of i64, of i32 (and where `× 60` leaves it), of chrono's timestamps
/// (MIN_UTC and MAX_UTC), of `TimeDelta::seconds` (i64::MAX / 1000) and of milliseconds.
const EXTREME_INTS: &[i64] = &[
    i64::MIN,
    -8_334_601_315_201,
    -8_334_601_315_200,
    -1,
    0,
    1,
    60,
    255,
    35_791_395,
    2_147_483_647,
    2_147_483_648,
    100_000_000_001,
    253_402_300_799,
    1_795_000_000,
    8_210_266_876_799,
    8_210_266_876_800,
    9_223_372_036_854_775,
    9_223_372_036_854_776,
    i64::MAX,
];
const EXTREME_FLOATS: &[f64] = &[
    -0.0,
    0.5,
    -1.5,
    1e-300,
    86_400.5,
    9e12,
    9.3e15,
    1e16,
    1e18,
    -1e18,
    1.8e19,
    1e308,
    -1e308,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
];

/// A JSON number: extreme, any i64/u64/f64 (JSON has no NaN or infinity, so those become
/// null), small, or a plausible epoch second.
fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        2 => prop::sample::select(EXTREME_INTS).prop_map(Value::from),
        2 => prop::sample::select(EXTREME_FLOATS).prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        2 => any::<f64>().prop_map(Value::from),
        3 => (-1_000i64..100_000).prop_map(Value::from),
        2 => (1_500_000_000i64..1_900_000_000).prop_map(Value::from),
    ]
    .boxed()
}

/// A JSON scalar.
fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        4 => number(),
        4 => tricky().prop_map(Value::String),
    ]
    .boxed()
}

/// Object keys that are numbers (Garmin's time-offset series are keyed so).
const NUMERIC_KEYS: &[&str] = &[
    "0",
    "15",
    "60",
    "-60",
    "86400",
    "9223372036854775807",
    "-9223372036854775808",
    " 7 ",
    "1e3",
];

/// A key: mostly one the reader looks for.
fn key(keys: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        8 => prop::sample::select(keys).prop_map(str::to_string),
        1 => prop::sample::select(NUMERIC_KEYS).prop_map(str::to_string),
        1 => "[a-zA-Z_/~]{0,10}",
    ]
    .boxed()
}

/// The field names in `list` (written as one string of words), as a list.
fn names(list: &'static str) -> &'static [&'static str] {
    Box::leak(
        list.split_whitespace()
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// Any JSON document up to four levels deep whose objects use mostly `keys`.
fn json_with(keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                1 => prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                2 => prop::collection::vec((key(keys), inner), 0..7)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
        .boxed()
}

/// One change to one node of a document.
#[derive(Clone, Debug)]
enum Mutation {
    /// The node becomes this value.
    Replace(Value),
    /// An object loses a key, an array an item.
    Remove(Index),
    /// An object gains (or changes) a key, an array an item.
    Insert(String, Value),
    /// An array's item appears once more.
    Duplicate(Index),
    /// A field the reader looks for takes this value wherever it sits (see [`set_everywhere`]).
    Set(String, Value),
}

fn mutation(keys: &'static [&'static str]) -> BoxedStrategy<Mutation> {
    prop_oneof![
        5 => leaf().prop_map(Mutation::Replace),
        1 => json_with(keys).prop_map(Mutation::Replace),
        2 => any::<Index>().prop_map(Mutation::Remove),
        2 => (key(keys), leaf()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
        3 => (key(keys), leaf()).prop_map(|(k, v)| Mutation::Set(k, v)),
    ]
    .boxed()
}

/// One of `seeds` (documented payloads) with up to five mutations at random nodes; now and
/// then one left as documented.
fn mutations_of(seeds: Vec<Value>, keys: &'static [&'static str]) -> BoxedStrategy<Value> {
    assert!(!seeds.is_empty(), "mutations need a document to start from");
    (
        any::<Index>(),
        prop::collection::vec((any::<Index>(), mutation(keys)), 0..6),
    )
        .prop_map(move |(pick, edits)| {
            let mut doc = pick.get(&seeds).clone();
            for (at, edit) in edits {
                mutate(&mut doc, at, edit);
            }
            doc
        })
        .boxed()
}

fn mutate(doc: &mut Value, at: Index, edit: Mutation) {
    if let Mutation::Set(k, v) = &edit {
        set_everywhere(doc, k, v);
        return;
    }
    let mut nodes = Vec::new();
    pointers(doc, String::new(), &mut nodes);
    let Some(node) = doc.pointer_mut(at.get::<String>(&nodes).as_str()) else {
        return;
    };
    match (edit, node) {
        (Mutation::Replace(v), node) => *node = v,
        (Mutation::Remove(i), Value::Object(fields)) if !fields.is_empty() => {
            let names: Vec<String> = fields.keys().cloned().collect();
            let _ = fields.remove(i.get(&names));
        }
        (Mutation::Remove(i), Value::Array(items)) if !items.is_empty() => {
            let _ = items.remove(i.index(items.len()));
        }
        (Mutation::Insert(k, v), Value::Object(fields)) => {
            fields.insert(k, v);
        }
        (Mutation::Insert(_, v), Value::Array(items)) => items.push(v),
        (Mutation::Duplicate(i), Value::Array(items)) if !items.is_empty() => {
            let again = items[i.index(items.len())].clone();
            items.push(again);
        }
        _ => {}
    }
}

/// Sets `key` to `value` in every object of `doc` that has it (the top-level object gains it
/// when none has); returns how many objects changed.
fn set_everywhere(doc: &mut Value, key: &str, value: &Value) -> usize {
    fn walk(v: &mut Value, key: &str, value: &Value) -> usize {
        match v {
            Value::Object(fields) => {
                let mut n = 0;
                if let Some(slot) = fields.get_mut(key) {
                    *slot = value.clone();
                    n += 1;
                }
                for (k, child) in fields.iter_mut() {
                    if k != key {
                        n += walk(child, key, value);
                    }
                }
                n
            }
            Value::Array(items) => items.iter_mut().map(|x| walk(x, key, value)).sum(),
            _ => 0,
        }
    }
    let n = walk(doc, key, value);
    match doc {
        Value::Object(fields) if n == 0 => {
            fields.insert(key.to_string(), value.clone());
            1
        }
        _ => n,
    }
}

/// The JSON pointer of every node of `v` (`at` is its own).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (k, x) in fields {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(x, format!("{at}/{k}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// A documented payload from `tests/fixtures/`.
fn fixture(path: &str) -> Value {
    let file = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The documents of a fixture one by one: the items of the list under `key` (of the whole
/// document when `key` is empty), or that one document when it is no list.
fn items(path: &str, key: &str) -> Vec<Value> {
    let doc = fixture(path);
    let list = if key.is_empty() {
        doc
    } else {
        doc[key].clone()
    };
    match list {
        Value::Array(items) => items,
        other => vec![other],
    }
}

/// Zones at the ends of the offsets (UTC+14, UTC−12, UTC−11), with odd offsets (+05:45,
/// −03:30, Lord Howe's half-hour summer time), and with daylight saving at midnight.
const ZONES: &[&str] = &[
    "UTC",
    "Pacific/Kiritimati",
    "America/St_Johns",
    "Pacific/Pago_Pago",
    "Etc/GMT+12",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Europe/Paris",
    "America/Santiago",
    "Africa/Casablanca",
    "America/New_York",
];

fn zone() -> BoxedStrategy<Tz> {
    prop::sample::select(ZONES)
        .prop_map(|name| {
            name.parse::<Tz>()
                .unwrap_or_else(|_| panic!("{name} is a zone"))
        })
        .boxed()
}

#[test]
fn mutations_reach_the_nodes_of_a_document() {
    let doc = json!({"a": [1, {"b/c": 2, "d~e": null}], "f": "g"});
    let mut nodes = Vec::new();
    pointers(&doc, String::new(), &mut nodes);
    assert_eq!(nodes.len(), 7, "{nodes:?}");
    for p in &nodes {
        assert!(doc.pointer(p).is_some(), "{p} points into the document");
    }
    check("fuzz_mutations", 64, any::<Index>(), |at| {
        let mut changed = doc.clone();
        mutate(&mut changed, at, Mutation::Replace(json!("marker")));
        prop_assert!(changed.to_string().contains("\"marker\""), "{changed}");
        Ok(())
    });
}
