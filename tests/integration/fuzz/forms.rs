//! Form, query and API-field parsers fed arbitrary text (any characters, control ones and
//! runs of up to 10,000 characters included), each answering with a value and keeping its
//! promise: a day or month reads back as itself and its arithmetic stays within 1900–2200;
//! the wellness form's dates are never in the future, its texts, tags and ratings within
//! their limits; emails, names, slugs and passwords are what their checks say; goal rules
//! have finite targets within the metric's range; API key scopes and prefixes are well
//! formed; a webhook URL passed by the strict guard passes the development one too and never
//! carries credentials; and a sign-in redirect never leaves the site.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, NaiveDate};
use vitasync::accounts::validate as accounts;
use vitasync::api_keys::{token, Scope};
use vitasync::auth::safe_next;
use vitasync::dates::{instant_in_bounds, Day, Month};
use vitasync::goals::form::{name_or_default, parse_rule, GoalDraft};
use vitasync::goals::progress::Direction;
use vitasync::goals::{Combine, GOAL_METRICS};
use vitasync::health::local_time;
use vitasync::platform::egress::Policy;
use vitasync::platform::password;
use vitasync::wellness::form;

use super::*;

const YEAR_TEXT: &[&str] = &[
    "1899",
    "1900",
    "2200",
    "2201",
    "0000",
    "9999",
    "+2025",
    "-2025",
    "２０２５",
    "262142",
    "19000",
    "202",
    " 2025",
];
const PART_TEXT: &[&str] = &[
    "0", "00", "13", "31", "32", "29", "30", "030", "+6", "-1", "", "1 ", "٣",
];

fn year_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[0-9]{4}",
        1 => prop::sample::select(YEAR_TEXT).prop_map(str::to_string),
    ]
    .boxed()
}

fn part_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[0-9]{1,2}",
        1 => prop::sample::select(PART_TEXT).prop_map(str::to_string),
    ]
    .boxed()
}

/// `YYYY-MM-DD` and `YYYY-MM` with parts of every width and sign, padded or not; other
/// dates; any text.
fn date_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (
            prop::sample::select(PADDING),
            year_text(),
            part_text(),
            part_text(),
            prop::sample::select(PADDING)
        )
            .prop_map(|(a, y, m, d, b)| format!("{a}{y}-{m}-{d}{b}")),
        2 => (year_text(), part_text()).prop_map(|(y, m)| format!("{y}-{m}")),
        1 => rfc3339(),
        1 => text(),
    ]
    .boxed()
}

#[test]
fn days_read_back_as_themselves_and_their_arithmetic_stays_in_bounds() {
    let shift = prop_oneof![2 => -800i64..800, 1 => any::<i64>()];
    check(
        "form_days",
        CASES,
        (date_text(), shift, any::<i64>()),
        |(raw, near, far)| {
            let parsed = Day::parse(&raw);
            let json = serde_json::to_string(&raw).expect("a string writes as JSON");
            prop_assert_eq!(serde_json::from_str::<Day>(&json).ok(), parsed.ok());
            let Ok(d) = parsed else { return Ok(()) };
            prop_assert_eq!(Day::parse(&d.to_string()), Ok(d));
            prop_assert_eq!(raw.parse::<Day>(), Ok(d));
            prop_assert!(d >= Day::FIRST && d <= Day::LAST);
            prop_assert_eq!(d.month().first_day().year(), d.year());
            prop_assert!(d.previous() < d.date() && d.date() < d.next());
            for n in [near, far] {
                if let Some(e) = d.add_days(n) {
                    prop_assert_eq!(e.days_since(d), n);
                }
                let s = d.saturating_add_days(n);
                prop_assert!(s >= Day::FIRST && s <= Day::LAST);
            }
            Ok(())
        },
    );
}

#[test]
fn months_read_back_as_themselves_and_step_within_bounds() {
    check(
        "form_months",
        CASES,
        (date_text(), any::<i64>()),
        |(raw, secs)| {
            let parsed = Month::parse(&raw);
            let json = serde_json::to_string(&raw).expect("a string writes as JSON");
            prop_assert_eq!(serde_json::from_str::<Month>(&json).ok(), parsed.ok());
            match Month::parse_or_day(&raw) {
                Ok(m) => {
                    if let Ok(d) = Day::parse(&raw) {
                        prop_assert_eq!(m, d.month());
                    }
                }
                Err(_) => prop_assert!(Day::parse(&raw).is_err() && parsed.is_err()),
            }
            if let Ok(m) = parsed {
                prop_assert_eq!(Month::parse(&m.to_string()), Ok(m));
                prop_assert!((1..=12).contains(&m.number()));
                prop_assert!(m.first_day() <= m.last_day());
                prop_assert_eq!(m.first_day().month(), m);
                prop_assert_eq!(m.last_day().month(), m);
                if let Some(n) = m.next() {
                    prop_assert!(n > m);
                    prop_assert_eq!(n.previous(), Some(m));
                }
                if let Some(p) = m.previous() {
                    prop_assert_eq!(p.next(), Some(m));
                }
            }
            if let Some(at) = DateTime::from_timestamp(secs % 20_000_000_000, 0) {
                prop_assert_eq!(instant_in_bounds(&at), Day::new(at.date_naive()).is_ok());
            }
            Ok(())
        },
    );
}

/// Tags typed the way people type them, and anything else.
fn tag_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => "[a-zA-Z0-9 _#,\\n-]{0,60}",
        1 => "([a-zé]{1,40}, ?){0,25}",
        2 => text(),
    ]
    .boxed()
}

#[test]
fn wellness_form_fields_read_any_text() {
    let strategy = (
        prop_oneof![date_text(), tag_text(), text()],
        tag_text(),
        zone(),
        prop::option::of(any::<i64>()),
        any::<bool>(),
        (any::<i64>(), any::<i64>()),
        prop_oneof![3 => 0usize..120, 1 => Just(usize::MAX)],
        any::<i32>(),
    );
    check(
        "form_wellness",
        CASES,
        strategy,
        |(raw, other, tz, value, required, (lo, hi), max, days)| {
            if let Ok(d) = form::local_date("date", &raw, tz) {
                prop_assert!(d >= Day::FIRST.date() && d <= local_time::today(tz), "{d}");
            }
            if let Some(date) = NaiveDate::from_num_days_from_ce_opt(days) {
                if let Ok(d) = form::past_day("date", Some(date), tz) {
                    prop_assert!(d == date && d >= Day::FIRST.date());
                }
            }
            let _ = form::query_date(Some(&raw));
            let _ = form::query_month(Some(&raw));

            match form::optional_text("note", &raw, max) {
                Ok(Some(t)) => prop_assert!(t == raw.trim() && t.chars().count() <= max),
                Ok(None) => prop_assert!(raw.trim().is_empty()),
                Err(_) => prop_assert!(raw.trim().chars().count() > max),
            }
            let _ = form::required_text("title", &raw, max, "a title");

            for read in [
                form::tags("tags", &raw),
                form::tag_list("tags", &[raw.clone(), other.clone()]),
            ] {
                let Ok(tags) = read else { continue };
                prop_assert!(tags.len() <= 20);
                for (i, t) in tags.iter().enumerate() {
                    prop_assert!(!t.is_empty() && t.chars().count() <= 32, "{t:?}");
                    prop_assert!(
                        t.chars()
                            .all(|c| c.is_alphanumeric() || c == '-' || c == '_'),
                        "{t:?}"
                    );
                    prop_assert!(!tags[..i].contains(t), "{t:?} twice");
                }
            }

            match form::score("mood", &raw, "a mood", required) {
                Ok(Some(s)) => prop_assert!((1..=5).contains(&s)),
                Ok(None) => prop_assert!(!required && raw.trim().is_empty()),
                Err(_) => {}
            }
            match form::level("energy", value, "a level", required) {
                Ok(Some(s)) => prop_assert_eq!(Some(i64::from(s)), value),
                Ok(None) => prop_assert!(value.is_none() && !required),
                Err(_) => prop_assert!(value.map_or(required, |v| !(1..=5).contains(&v))),
            }
            if let Ok(n) = form::whole_number("count", &raw, lo..=hi, "a count") {
                prop_assert!((lo..=hi).contains(&n));
            }
            Ok(())
        },
    );
}

const ATS: &[&str] = &["@", "@@", ""];
const DOMAINS: &[&str] = &[
    "example.com",
    "",
    ".com",
    "example.",
    "ex ample.com",
    "EXAMPLE.COM",
    "exämple.com",
    "a@b.c",
];

/// Emails, slugs and names the way people type them, and anything else.
fn account_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => (
            "[a-zA-Z0-9._%+ -]{0,20}",
            prop::sample::select(ATS),
            prop::sample::select(DOMAINS)
        )
            .prop_map(|(local, at, domain)| format!("{local}{at}{domain}")),
        1 => "[a-z0-9-]{0,70}",
        1 => "[A-Za-z0-9 .'’-]{0,120}",
        3 => text(),
    ]
    .boxed()
}

#[test]
fn account_fields_are_what_their_checks_say() {
    let strategy = (
        account_text(),
        account_text(),
        prop::option::of(account_text()),
    );
    check("form_accounts", CASES, strategy, |(raw, name, explicit)| {
        if let Ok(e) = accounts::email("email", &raw) {
            prop_assert!(
                e.len() <= accounts::MAX_EMAIL_LEN && e.contains('@'),
                "{e:?}"
            );
            prop_assert!(!e.chars().any(char::is_whitespace), "{e:?}");
        }
        match accounts::display_name("name", &raw) {
            Ok(Some(n)) => prop_assert!(n == raw.trim() && n.chars().count() <= 100),
            Ok(None) => prop_assert!(raw.trim().is_empty()),
            Err(_) => {}
        }
        if let Ok(n) = accounts::workspace_name("name", &raw) {
            prop_assert!(!n.is_empty() && n.chars().count() <= 100);
        }
        let derived = accounts::slugify(&raw);
        prop_assert!(
            derived.is_empty() || accounts::slug("slug", &derived).is_ok(),
            "slugify({raw:?}) = {derived:?}"
        );
        if let Ok(s) = accounts::slug("slug", &raw) {
            prop_assert!(s.len() <= 63 && s == raw.trim());
        }
        if let Ok(s) = accounts::slug_for(&name, explicit.as_deref()) {
            prop_assert!(accounts::slug("slug", &s).is_ok(), "{s:?}");
        }
        let length = raw.chars().count();
        prop_assert_eq!(
            password::validate("password", &raw).is_ok(),
            (password::MIN_LEN..=password::MAX_LEN).contains(&length)
        );
        Ok(())
    });
}

const CADENCES: &[&str] = &["daily", "weekly", "monthly", "Daily", "yearly", ""];
const DIRECTIONS: &[&str] = &["at_least", "at_most", "reach", "AT_LEAST", ""];

#[test]
fn goal_rules_have_finite_targets_within_the_metric() {
    let metrics: Vec<&'static str> = GOAL_METRICS.iter().map(|m| m.id).collect();
    let word = |known: &'static [&'static str]| {
        prop::option::of(prop_oneof![
            3 => prop::sample::select(known).prop_map(str::to_string),
            1 => text(),
        ])
    };
    let target = prop_oneof![
        2 => "[0-9]{1,9}([.,][0-9]{1,3})?",
        1 => any::<f64>().prop_map(|x| x.to_string()),
        1 => text(),
    ];
    let strategy = (
        prop_oneof![
            3 => prop::sample::select(metrics).prop_map(str::to_string),
            1 => text(),
        ],
        word(CADENCES),
        word(DIRECTIONS),
        target,
        prop::option::of(text()),
        prop::option::of(text()),
        any::<bool>(),
    );
    check(
        "form_goals",
        CASES,
        strategy,
        |(metric, cadence, direction, target, name, habit, imperial)| {
            let draft = GoalDraft {
                metric: &metric,
                cadence: cadence.as_deref(),
                direction: direction.as_deref(),
                target: &target,
                name: name.as_deref(),
                habit: habit.as_deref(),
                // Typed in pounds and fluid ounces half the time: stored within the same bounds.
                units: if imperial {
                    vitasync::units::Units::IMPERIAL
                } else {
                    vitasync::units::Units::default()
                },
            };
            let Ok(rule) = parse_rule(&draft) else {
                return Ok(());
            };
            prop_assert!(rule.target.is_finite(), "{}", rule.target);
            prop_assert!(rule.target > 0.0 && rule.target <= rule.metric.max);
            prop_assert!(
                rule.direction != Direction::Reach || rule.metric.combine == Combine::Last
            );
            if let Ok(n) = name_or_default(draft.name, &rule, &draft.units) {
                prop_assert!(!n.is_empty());
            }
            Ok(())
        },
    );
}

const MARKERS: &[&str] = &["vs_live_", "", " vs_live_", "VS_LIVE_"];
const KEY_ENDS: &[&str] = &["", "…", "...", " ", "é"];

/// Key text: scope lists, keys and prefixes as people paste them, and anything else.
fn key_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => "( ?(read|write|admin|Read|rw)? ?,){0,5}( ?(read|write|admin))?",
        2 => (
            prop::sample::select(MARKERS),
            "[A-Za-z0-9]{0,48}",
            prop::sample::select(KEY_ENDS)
        )
            .prop_map(|(marker, body, end)| format!("{marker}{body}{end}")),
        2 => text(),
    ]
    .boxed()
}

#[test]
fn api_key_scopes_and_prefixes_are_well_formed() {
    check("form_api_keys", CASES, key_text(), |raw| {
        if let Ok(scopes) = Scope::parse_list(&raw) {
            prop_assert!(!scopes.is_empty());
            prop_assert!(scopes.windows(2).all(|w| w[0] < w[1]), "{scopes:?}");
            let written: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            prop_assert_eq!(Scope::parse_list(&written.join(",")), Ok(scopes.clone()));
        }
        if token::well_formed(&raw) {
            prop_assert_eq!(token::prefix_of(&raw), Some(raw[8..16].to_string()));
        }
        if let Some(p) = token::prefix_of(&raw) {
            prop_assert!(p.len() == token::PREFIX_LEN, "{p:?}");
            prop_assert!(p.bytes().all(|b| b.is_ascii_alphanumeric()), "{p:?}");
        }
        let _ = token::hash(&raw);
        let _ = token::display(&raw);
        Ok(())
    });
}

const SCHEMES: &[&str] = &["https", "http", "HTTPS", "ftp", "javascript", "file", ""];
const CREDENTIALS: &[&str] = &["", "", "user@", "user:pw@", ":@", "%40@"];
/// Hosts in every spelling the URL standard reads as an address, and names.
const HOSTS: &[&str] = &[
    "example.com",
    "localhost",
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "10.1.2.3",
    "100.64.0.1",
    "169.254.169.254",
    "192.0.2.1",
    "0.0.0.0",
    "255.255.255.255",
    "8.8.8.8",
    "[::1]",
    "[::]",
    "[fe80::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:169.254.169.254]",
    "[64:ff9b::a9fe:a9fe]",
    "[fc00::1]",
    "[2001:db8::1]",
    "[2606:4700::1111]",
    "xn--nxasmq6b.com",
    "exämple.com",
    "EXAMPLE.COM.",
    "%31%32%37.0.0.1",
    "",
    ".",
];
const PORTS: &[&str] = &["", "", ":443", ":0", ":65535", ":65536", ":-1", ":x"];
const ADDRESSES: &[&str] = &[
    "127.0.0.1",
    "10.0.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "8.8.8.8",
    "::1",
    "::",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "fc00::1",
    "2001:db8::1",
    "ff02::1",
    "2606:4700::1111",
];

fn url_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => (
            prop::sample::select(SCHEMES),
            prop::sample::select(CREDENTIALS),
            prop::sample::select(HOSTS),
            prop::sample::select(PORTS),
            text()
        )
            .prop_map(|(s, c, h, p, path)| format!("{s}://{c}{h}{p}/{path}")),
        1 => text(),
    ]
    .boxed()
}

fn address() -> BoxedStrategy<IpAddr> {
    prop_oneof![
        1 => any::<u32>().prop_map(|n| IpAddr::V4(Ipv4Addr::from(n))),
        1 => any::<u128>().prop_map(|n| IpAddr::V6(Ipv6Addr::from(n))),
        2 => prop::sample::select(ADDRESSES)
            .prop_map(|a| a.parse::<IpAddr>().expect("an address")),
    ]
    .boxed()
}

#[test]
fn webhook_urls_pass_the_strict_guard_only_when_they_pass_the_lenient_one() {
    let (strict, lenient) = (
        Policy {
            allow_private: false,
        },
        Policy {
            allow_private: true,
        },
    );
    check(
        "form_webhook_urls",
        CASES,
        (url_text(), address()),
        |(raw, ip)| {
            let checked = strict.check_url(&raw);
            let dev = lenient.check_url(&raw);
            if let Ok(url) = &checked {
                prop_assert_eq!(url.scheme(), "https");
                prop_assert!(dev.is_ok(), "{raw:?}: {dev:?}");
            }
            if let Ok(url) = &dev {
                prop_assert!(matches!(url.scheme(), "https" | "http"), "{url}");
                prop_assert!(
                    url.username().is_empty() && url.password().is_none(),
                    "{url}"
                );
                prop_assert!(url.host().is_some(), "{url}");
            }
            if strict.check_ip(ip).is_ok() {
                prop_assert!(lenient.check_ip(ip).is_ok(), "{ip}");
            }
            Ok(())
        },
    );
}

const REDIRECTS: &[&str] = &[
    "/settings",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "https://evil.example",
    "/\u{a0}/x",
    "/%2F%2Fevil.example",
    "/ok?next=//x",
    "\\\\evil.example",
    "/.",
    "",
];

#[test]
fn sign_in_redirects_never_leave_the_site() {
    let next = prop::option::of(prop_oneof![
        3 => text().prop_map(|t| format!("/{t}")),
        2 => text(),
        2 => prop::sample::select(REDIRECTS).prop_map(str::to_string),
    ]);
    check("form_safe_next", CASES, next, |next| {
        let out = safe_next(next.as_deref());
        prop_assert!(out.starts_with('/') && !out.starts_with("//"), "{out:?}");
        prop_assert!(!out.contains('\\') && out.len() <= 2048, "{out:?}");
        prop_assert!(
            !out.chars().any(|c| c.is_whitespace() || c.is_control()),
            "{out:?}"
        );
        prop_assert!(out == "/" || Some(out.as_str()) == next.as_deref());
        Ok(())
    });
}
