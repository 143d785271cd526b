//! The shape of the house, checked on every run (see docs/architecture.md):
//! - the edges run no SQL: REST handlers (`src/api/`) and Leptos server functions
//!   (`server_fns.rs`) call the feature's service or repo;
//! - `platform/` (server machinery) and `ui/` (shared components) import no feature;
//! - a feature never imports another feature's `repo` (it goes through its service);
//! - the backends are told apart only where the dialects differ;
//! - no source file grows past 600 lines;
//! - test files share helpers only through the harness.

use std::path::{Path, PathBuf};

/// Modules under `src/` that are not features: the layers below and the edges above them.
const NOT_FEATURES: &[&str] = &["platform", "ui", "server", "api"];
/// What `platform/` and `ui/` may use of the crate: themselves and the shared kernel.
const KERNEL: &[&str] = &["platform", "ui", "error", "identity", "dates", "with_db"];

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The source text without comments (`//` to the end of the line), so prose may name modules.
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("readable source file")
        .lines()
        .map(|line| match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `src/<top>/…` → `top` (a file directly under `src/` → its stem).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// Every `crate::a::b::…` path in `code`, as its segments; a grouped `use crate::{a::b, c}`
/// gives one path per item.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let close = matching_brace(group);
            expand_group("", &group[..close], &mut out);
            rest = &group[close..];
            continue;
        }
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(after.len());
        let segments: Vec<String> = after[..end]
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(group) = after[end..].strip_prefix('{') {
            // `crate::a::{b, c}`: one path per item, behind `a::`.
            let close = matching_brace(group);
            expand_group(&after[..end], &group[..close], &mut out);
            rest = &group[close..];
            continue;
        }
        if !segments.is_empty() {
            out.push(segments);
        }
        rest = &after[end..];
    }
    out
}

/// Where the `{` just before `text` closes, counting nested groups.
fn matching_brace(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    text.len()
}

/// The paths of a `use` group's items (`a::{b, c::{d}}` → `a::b`, `a::c::d`), each behind `prefix`.
fn expand_group(prefix: &str, group: &str, out: &mut Vec<Vec<String>>) {
    let flat: String = group.chars().filter(|c| !c.is_whitespace()).collect();
    let (mut depth, mut start) = (0usize, 0usize);
    let mut items = Vec::new();
    for (i, c) in flat.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(&flat[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&flat[start..]);
    for item in items.into_iter().filter(|i| !i.is_empty()) {
        match item.find('{') {
            Some(open) => {
                let inner = &item[open + 1..];
                let inner = &inner[..matching_brace(inner)];
                expand_group(&format!("{prefix}{}", &item[..open]), inner, out);
            }
            None => out.push(
                format!("{prefix}{item}")
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        }
    }
}

fn runs_sql(code: &str) -> bool {
    ["with_db!", "sqlx::query", "query_as(", "query_scalar("]
        .iter()
        .any(|needle| code.contains(needle))
}

#[test]
fn rest_handlers_and_server_functions_run_no_sql() {
    let offenders: Vec<String> = sources(&src())
        .into_iter()
        .filter(|p| top_module(p) == "api" || p.file_name().is_some_and(|n| n == "server_fns.rs"))
        .filter(|p| runs_sql(&code_of(p)))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these edges run SQL; move it into the feature's repo: {offenders:#?}"
    );
}

#[test]
fn the_platform_and_the_shared_ui_import_no_feature() {
    let mut offenders = Vec::new();
    for path in sources(&src().join("platform"))
        .into_iter()
        .chain(sources(&src().join("ui")))
    {
        for segments in crate_paths(&code_of(&path)) {
            if !KERNEL.contains(&segments[0].as_str()) {
                offenders.push(format!(
                    "{} uses crate::{}",
                    path.display(),
                    segments.join("::")
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "platform/ and ui/ sit below the features; pass what they need in (context, app state \
         parts) instead: {offenders:#?}"
    );
}

#[test]
fn features_reach_other_features_through_their_services() {
    let mut found = std::collections::BTreeSet::new();
    for path in sources(&src()) {
        let here = top_module(&path);
        let is_feature =
            path.parent() != Some(src().as_path()) && !NOT_FEATURES.contains(&here.as_str());
        if !is_feature {
            continue;
        }
        let rel = path
            .strip_prefix(src())
            .expect("under src")
            .to_string_lossy()
            .to_string();
        for segments in crate_paths(&code_of(&path)) {
            if segments[0] != here && segments.iter().skip(1).any(|s| s == "repo") {
                found.insert((rel.clone(), segments[0].clone()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a feature's repo is its own; call the other feature's service: {found:#?}"
    );
}

#[test]
fn backends_are_told_apart_only_where_the_dialects_differ() {
    // The platform's database layer, the one bulk load of readings, and the benchmark that
    // measures each database's own ceiling.
    let allowed = [
        "platform/db/",
        "platform/session_store.rs",
        "health/ingest/bulk.rs",
        "bench.rs",
    ];
    let offenders: Vec<String> = sources(&src())
        .into_iter()
        .filter(|p| {
            let rel = p
                .strip_prefix(src())
                .expect("under src")
                .to_string_lossy()
                .to_string();
            !allowed.iter().any(|a| rel.starts_with(a))
        })
        .filter(|p| {
            let code = code_of(p);
            [
                "Db::Sqlite",
                "Db::Postgres",
                "Pick::Sqlite",
                "Pick::Postgres",
                "Backend::Sqlite",
                "Backend::Postgres",
            ]
            .iter()
            .any(|n| code.contains(n))
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "write the query once through with_db!, or add the difference to platform/db/dialect.rs: \
         {offenders:#?}"
    );
}

#[test]
fn no_source_file_is_over_600_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let long: Vec<String> = sources(&src())
        .into_iter()
        .chain(sources(&root.join("tests")))
        .filter_map(|p| {
            let lines = std::fs::read_to_string(&p).ok()?.lines().count();
            (lines > 600).then(|| format!("{} ({lines} lines)", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by idea: {long:#?}");
}

#[test]
fn test_files_share_helpers_only_through_the_harness() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration");
    let stories: Vec<String> = sources(&here)
        .iter()
        .filter(|p| !p.starts_with(here.join("harness")))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string()))
        .filter(|stem| stem != "main" && stem != "mod")
        .collect();
    let mut offenders = Vec::new();
    // This file's own samples of paths are string literals, not imports.
    for path in sources(&here)
        .into_iter()
        .filter(|p| !p.ends_with("architecture.rs"))
    {
        for segments in crate_paths(&code_of(&path)) {
            if stories.contains(&segments[0]) {
                offenders.push(format!(
                    "{} uses crate::{}",
                    path.display(),
                    segments.join("::")
                ));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "move shared helpers into tests/integration/harness/: {offenders:#?}"
    );
}

#[test]
fn the_guards_see_what_they_guard() {
    // Guards that silently read nothing would pass forever.
    assert!(runs_sql("with_db!(db, pool => sqlx::query(\"SELECT 1\"))"));
    assert!(!runs_sql("repo::page(&state.db, &user_id, &seek).await?"));
    assert_eq!(
        crate_paths("use crate::habits::repo::{self, HabitRow};"),
        vec![
            vec!["habits".to_string(), "repo".to_string(), "self".to_string()],
            vec![
                "habits".to_string(),
                "repo".to_string(),
                "HabitRow".to_string()
            ],
        ]
    );
    assert_eq!(
        crate_paths("use crate::{\n    accounts::repo,\n    error::AppError,\n};").len(),
        2
    );
    assert!(crate_paths(
        "use crate::{\n    accounts::{provisioning, repo, Role},\n    platform::x,\n};"
    )
    .contains(&vec!["accounts".to_string(), "repo".to_string()]));
    assert!(sources(&src().join("api")).len() > 5);
    assert!(sources(&src())
        .iter()
        .any(|p| p.ends_with("mood/server_fns.rs")));
}
