//! Server functions of the mood screen.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::wellness::calendar::YearRow;

#[cfg(feature = "ssr")]
use {
    super::{mood_emoji, mood_word, repo},
    crate::health::{charts, local_time, views},
    crate::platform::request::RequestCtx,
    crate::wellness::{calendar, form},
    chrono::{Datelike, Duration, Utc},
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodEntry {
    pub id: String,
    pub score: u8,
    pub emoji: String,
    pub word: String,
    /// "Energy 4 · Stress 2".
    pub levels: String,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub when: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodView {
    pub today: Vec<MoodEntry>,
    pub range: String,
    pub chart: String,
    pub average: Option<String>,
    /// (emoji, word, count) for the range.
    pub distribution: Vec<(String, String, usize)>,
    pub top_tags: Vec<(String, usize)>,
    pub year: i32,
    pub this_year: i32,
    pub pixels: Vec<YearRow>,
    pub entries: Vec<MoodEntry>,
    pub page: u32,
    pub has_next: bool,
}

/// Today's latest mood for the Today screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoodToday {
    pub latest: Option<MoodEntry>,
    pub count: usize,
}

#[cfg(feature = "ssr")]
fn entry(r: &repo::MoodRow, tz: chrono_tz::Tz, today: chrono::NaiveDate) -> MoodEntry {
    let score = r.score.round().clamp(1.0, 5.0) as u8;
    let mut levels = Vec::new();
    if let Some(e) = r.energy_level {
        levels.push(format!("Energy {e:.0}/5"));
    }
    if let Some(s) = r.stress_level {
        levels.push(format!("Stress {s:.0}/5"));
    }
    let local = r.recorded_at.with_timezone(&tz);
    MoodEntry {
        id: r.id.clone(),
        score,
        emoji: mood_emoji(score).into(),
        word: mood_word(score).into(),
        levels: levels.join(" · "),
        tags: r.tags.0.clone(),
        note: r.notes.clone(),
        when: format!(
            "{}, {}",
            views::when_label(local.date_naive(), today),
            local.format("%H:%M")
        ),
    }
}

#[cfg(feature = "ssr")]
pub async fn mood_today(
    db: &crate::platform::db::Db,
    user_id: &str,
    tz: chrono_tz::Tz,
) -> Result<MoodToday, AppError> {
    let today = local_time::today(tz);
    let rows = repo::rows(db, user_id, tz, today, today).await?;
    Ok(MoodToday {
        latest: rows.last().map(|r| entry(r, tz, today)),
        count: rows.len(),
    })
}

#[cfg(feature = "ssr")]
const PAGE_SIZE: i64 = 20;

#[server(endpoint = "mood/view")]
pub async fn get_mood(
    range: Option<String>,
    year: Option<i32>,
    page: Option<u32>,
) -> Result<MoodView, AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let db = ctx.db();
    let span = views::span(&auth.user.timezone, range.as_deref(), 30)?;
    if span.key == "7" || span.key == "365" {
        return Err(AppError::invalid("range", "Choose 30 or 90 days."));
    }
    let (tz, today) = (span.tz, span.today);
    let rows = repo::rows(db, &auth.user.id, tz, span.from, span.to).await?;
    let days = repo::by_day(&rows, tz);

    let dates: Vec<_> = span
        .from
        .iter_days()
        .take_while(|d| *d <= span.to)
        .collect();
    let n = dates.len() as i64;
    let mut chart = charts::Chart::new(
        format!("Mood, last {n} days"),
        charts::Kind::Line,
        dates.iter().map(|d| views::axis_label(*d, n)).collect(),
    );
    chart.from_zero = false;
    chart.y_fixed = Some((0.8, 5.2));
    chart.y_decimals = 0;
    chart.y_unit = "1–5".into();
    let series = |name: &str, color, f: &dyn Fn(&repo::DayMood) -> Option<f64>| charts::Series {
        name: name.into(),
        color,
        values: dates.iter().map(|d| days.get(d).and_then(f)).collect(),
    };
    chart
        .series
        .push(series("Mood", charts::family_color("mood"), &|m| {
            Some(m.mood)
        }));
    if days.values().any(|m| m.energy.is_some()) {
        chart
            .series
            .push(series("Energy", charts::family_color("activity"), &|m| {
                m.energy
            }));
    }
    if days.values().any(|m| m.stress.is_some()) {
        chart
            .series
            .push(series("Stress", charts::family_color("heart"), &|m| {
                m.stress
            }));
    }
    let average =
        (!rows.is_empty()).then(|| rows.iter().map(|r| r.score).sum::<f64>() / rows.len() as f64);
    chart.desc = match average {
        Some(a) => format!(
            "Daily average mood (1 awful to 5 great) over {n} days: {} entries on {} days, average {a:.1}.",
            rows.len(),
            days.len()
        ),
        None => String::new(),
    };
    let distribution = super::MOODS
        .iter()
        .rev()
        .map(|(s, w, e)| {
            let c = rows.iter().filter(|r| r.score.round() as u8 == *s).count();
            (e.to_string(), w.to_string(), c)
        })
        .collect();
    let mut tags: Vec<(String, usize)> = Vec::new();
    for t in rows.iter().flat_map(|r| r.tags.0.iter()) {
        match tags.iter_mut().find(|(x, _)| x == t) {
            Some((_, c)) => *c += 1,
            None => tags.push((t.clone(), 1)),
        }
    }
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    tags.truncate(8);

    let this_year = today.year();
    let year = year
        .filter(|y| (1900..=this_year).contains(y))
        .unwrap_or(this_year);
    let y_start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("1 Jan");
    let y_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("31 Dec")
        .min(today);
    let year_days = repo::daily(db, &auth.user.id, tz, y_start, y_end).await?;
    let pixels = calendar::year(year, today, |d| match year_days.get(&d) {
        Some(m) => (
            m.mood.round().clamp(1.0, 5.0) as u8,
            format!(
                "{}: {} ({:.1})",
                d.format("%-d %b"),
                mood_word(m.mood.round() as u8),
                m.mood
            ),
        ),
        None => (0, format!("{}: no entry", d.format("%-d %b"))),
    });

    let page = page.unwrap_or(1).clamp(1, 10_000);
    let recent = repo::recent(
        db,
        &auth.user.id,
        PAGE_SIZE + 1,
        (page as i64 - 1) * PAGE_SIZE,
    )
    .await?;
    let has_next = recent.len() as i64 > PAGE_SIZE;
    let today_rows = repo::rows(db, &auth.user.id, tz, today, today).await?;
    Ok(MoodView {
        today: today_rows
            .iter()
            .rev()
            .map(|r| entry(r, tz, today))
            .collect(),
        range: span.key,
        chart: if rows.is_empty() {
            String::new()
        } else {
            chart.render()
        },
        average: average.map(|a| format!("{a:.1}")),
        distribution,
        top_tags: tags,
        year,
        this_year,
        pixels,
        entries: recent
            .iter()
            .take(PAGE_SIZE as usize)
            .map(|r| entry(r, tz, today))
            .collect(),
        page,
        has_next,
    })
}

/// Logs a mood now (or at the local `date` and `time` given).
#[server(endpoint = "mood/add")]
pub async fn add_mood(
    score: String,
    energy: Option<String>,
    stress: Option<String>,
    tags: Option<String>,
    note: Option<String>,
    date: Option<String>,
    time: Option<String>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = local_time::zone(&auth.user.timezone);
    let score = form::score("score", &score, "how you feel", true)?.expect("required");
    let energy = form::score(
        "energy",
        energy.as_deref().unwrap_or(""),
        "your energy",
        false,
    )?;
    let stress = form::score(
        "stress",
        stress.as_deref().unwrap_or(""),
        "your stress",
        false,
    )?;
    let tags = form::tags("tags", tags.as_deref().unwrap_or(""))?;
    let note = form::optional_text("note", note.as_deref().unwrap_or(""), super::NOTE_MAX)?;
    let at = moment(
        date.as_deref().unwrap_or(""),
        time.as_deref().unwrap_or(""),
        tz,
    )?;
    let fields = repo::MoodFields {
        score,
        energy,
        stress,
        tags,
        note,
        at,
    };
    repo::insert(ctx.db(), &auth.user.id, &fields).await?;
    Ok(())
}

/// The instant of a local date and time from a form (now when both are empty).
#[cfg(feature = "ssr")]
pub fn moment(
    date: &str,
    time: &str,
    tz: chrono_tz::Tz,
) -> Result<chrono::DateTime<Utc>, AppError> {
    use chrono::TimeZone;
    if date.trim().is_empty() && time.trim().is_empty() {
        return Ok(Utc::now());
    }
    let d = form::local_date("date", date, tz)?;
    if time.trim().is_empty() && d == local_time::today(tz) {
        return Ok(Utc::now());
    }
    let t = if time.trim().is_empty() {
        chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("noon")
    } else {
        chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M")
            .map_err(|_| AppError::invalid("time", "Use a time like 07:30."))?
    };
    let at = tz
        .from_local_datetime(&d.and_time(t))
        .earliest()
        .ok_or_else(|| {
            AppError::invalid(
                "time",
                "That time does not exist on that day (the clocks changed).",
            )
        })?
        .with_timezone(&Utc);
    if at > Utc::now() + Duration::minutes(5) {
        return Err(AppError::invalid("time", "That moment is still to come."));
    }
    Ok(at)
}

#[server(endpoint = "mood/delete")]
pub async fn delete_mood(id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    repo::delete(ctx.db(), &auth.user.id, &id).await
}
