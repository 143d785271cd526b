//! Server functions of the journal.
// Server functions take a form's fields as arguments; the entry form posts each field separately.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::wellness::calendar::Month;

#[cfg(feature = "ssr")]
use {
    super::{markdown, repo, service::EntryForm},
    crate::health::{local_time, views},
    crate::platform::request::RequestCtx,
    crate::wellness::{calendar, form, schedule::Schedule, streak},
    chrono::{Datelike, NaiveDate},
    std::collections::BTreeSet,
};

/// An entry in the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryCard {
    pub id: String,
    pub title: String,
    pub excerpt: String,
    pub date: String,
    pub mood: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalView {
    pub entries: Vec<EntryCard>,
    pub page: u32,
    pub has_next: bool,
    /// How many entries match the filters.
    pub matching: i64,
    pub total: i64,
    pub q: String,
    pub tag: String,
    pub date: String,
    pub calendar: Month,
    /// (years ago, id, title) of entries written on this day in earlier years.
    pub on_this_day: Vec<(String, String, String)>,
    pub streak: u32,
    pub longest_streak: u32,
    pub this_month: usize,
    /// (label, count), most frequent first.
    pub moods: Vec<(String, usize)>,
    /// (tag, count), most used first.
    pub tags: Vec<(String, usize)>,
}

/// One entry in full: rendered body plus the raw fields the editor needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub id: String,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub mood_score: Option<u8>,
    pub mood_label: Option<String>,
    pub gratitude: Vec<String>,
    pub tags: Vec<String>,
    pub entry_date: String,
    pub date_label: String,
    pub edited: bool,
}

/// The editor's starting point for a new entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewEntryDefaults {
    pub today: String,
}

#[cfg(feature = "ssr")]
const PAGE_SIZE: i64 = 10;

#[server(endpoint = "journal/list")]
pub async fn list_journal(
    q: Option<String>,
    tag: Option<String>,
    date: Option<String>,
    month: Option<String>,
    page: Option<u32>,
) -> Result<JournalView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let db = ctx.db();
    let tz = local_time::zone(&auth.user.timezone);
    let today = local_time::today(tz);
    let q = q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    let tag = tag.unwrap_or_default().trim().to_lowercase();
    let date = form::query_date(date.as_deref());
    let page = page.unwrap_or(1).clamp(1, 10_000);

    // One more than a page, to tell whether another follows; and how many match in all.
    let (rows, matching) = repo::list(
        db,
        &auth.user.id,
        &q,
        &tag,
        date.map(crate::dates::Day::date),
        PAGE_SIZE + 1,
        (page as i64 - 1) * PAGE_SIZE,
    )
    .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let entries = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|(id, title, body, mood, tags, d)| EntryCard {
            id,
            title: title.unwrap_or_else(|| views::day_label(d, today)),
            excerpt: markdown::plain_text(&body, 180),
            date: views::when_label(d, today),
            mood,
            tags: tags.0,
        })
        .collect();

    // Everything the side panels need, from one small query over all the user's entries.
    let all = repo::summary(db, &auth.user.id).await?;
    let days: BTreeSet<NaiveDate> = all.iter().map(|r| r.2).collect();
    let streaks = streak::recompute(&days, Schedule::DAILY, today);
    let mut on_this_day: Vec<(i32, String, String)> = all
        .iter()
        .filter(|r| {
            r.2.month() == today.month() && r.2.day() == today.day() && r.2.year() < today.year()
        })
        .map(|r| {
            (
                today.year() - r.2.year(),
                r.0.clone(),
                r.1.clone().unwrap_or_else(|| views::day_label(r.2, today)),
            )
        })
        .collect();
    on_this_day.sort();
    let mut moods: Vec<(String, usize)> = Vec::new();
    let mut tags: Vec<(String, usize)> = Vec::new();
    for r in &all {
        if let Some(m) = &r.3 {
            bump(&mut moods, m);
        }
        for t in &r.4 .0 {
            bump(&mut tags, t);
        }
    }
    moods.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    tags.truncate(20);
    let count_on = |d: NaiveDate| all.iter().filter(|r| r.2 == d).count();
    // The calendar's month: asked for, or the filtered day's; never later than today's.
    let this_month = crate::dates::Day::clamped(today).month();
    let shown = form::query_month(month.as_deref())
        .or_else(|| date.map(|d| d.month()))
        .unwrap_or(this_month)
        .min(this_month);
    Ok(JournalView {
        entries,
        page,
        has_next,
        matching,
        total: all.len() as i64,
        q,
        tag,
        date: date.map(|d| d.to_string()).unwrap_or_default(),
        calendar: calendar::month(shown, today, |d| match count_on(d) {
            0 => (0, format!("{}: no entry", d.format("%-d %B"))),
            1 => (1, format!("{}: 1 entry", d.format("%-d %B"))),
            n => (2, format!("{}: {n} entries", d.format("%-d %B"))),
        }),
        on_this_day: on_this_day
            .into_iter()
            .map(|(y, id, t)| {
                (
                    if y == 1 {
                        "1 year ago".into()
                    } else {
                        format!("{y} years ago")
                    },
                    id,
                    t,
                )
            })
            .collect(),
        streak: streaks.current,
        longest_streak: streaks.longest,
        this_month: days
            .iter()
            .filter(|d| d.year() == today.year() && d.month() == today.month())
            .map(|d| count_on(*d))
            .sum(),
        moods,
        tags,
    })
}

#[cfg(feature = "ssr")]
fn bump(list: &mut Vec<(String, usize)>, key: &str) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key.to_string(), 1)),
    }
}

#[server(endpoint = "journal/get")]
pub async fn get_journal_entry(id: String) -> Result<JournalEntry, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let today = local_time::today(local_time::zone(&auth.user.timezone));
    let e = repo::own_entry(ctx.db(), &auth.user.id, &id).await?;
    Ok(JournalEntry {
        body_html: markdown::to_safe_html(&e.body),
        id: e.id,
        title: e.title.unwrap_or_default(),
        body: e.body,
        mood_score: e.mood_score.map(|s| s.round() as u8),
        mood_label: e.mood_label,
        gratitude: e.gratitude.0,
        tags: e.tags.0,
        entry_date: e.entry_date.to_string(),
        date_label: views::day_label(e.entry_date, today),
        edited: (e.updated_at - e.created_at).num_seconds() > 60,
    })
}

#[server(endpoint = "journal/new")]
pub async fn new_journal_defaults() -> Result<NewEntryDefaults, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    Ok(NewEntryDefaults {
        today: local_time::today(local_time::zone(&auth.user.timezone)).to_string(),
    })
}

/// Creates (no `id`) or updates an entry, then opens it.
#[server(endpoint = "journal/save")]
pub async fn save_journal_entry(
    id: Option<String>,
    title: Option<String>,
    body: String,
    mood_score: Option<String>,
    mood_label: Option<String>,
    gratitude: Option<String>,
    tags: Option<String>,
    entry_date: Option<String>,
) -> Result<String, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let gratitude: Vec<String> = gratitude
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let fields = EntryForm {
        title: title.as_deref().unwrap_or(""),
        body: &body,
        mood_score: mood_score.as_deref().unwrap_or(""),
        mood_label: mood_label.as_deref(),
        gratitude: &gratitude,
        tags: tags.as_deref().unwrap_or(""),
        entry_date: entry_date.as_deref().unwrap_or(""),
    }
    .check(tz)?;
    let id = match id.filter(|i| !i.is_empty()) {
        Some(id) => {
            repo::update(ctx.db(), &auth.user.id, &id, &fields).await?;
            id
        }
        None => repo::insert(ctx.db(), &auth.user.id, &fields).await?,
    };
    ctx.redirect(&format!("/journal/{id}"));
    Ok(id)
}

/// Deletes an entry; `confirm` must be "delete".
#[server(endpoint = "journal/delete")]
pub async fn delete_journal_entry(id: String, confirm: Option<String>) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    repo::own_entry(ctx.db(), &auth.user.id, &id).await?;
    if confirm.as_deref() != Some("delete") {
        return Err(AppError::invalid(
            "confirm",
            "Tick the box to confirm deleting this entry.",
        ));
    }
    repo::delete(ctx.db(), &auth.user.id, &id).await?;
    ctx.redirect("/journal");
    Ok(())
}
