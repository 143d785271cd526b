use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{list_journal, EntryCard, JournalView};
use crate::health::pages::query_param;
use crate::ui::{Access, EmptyState, ErrorPanel, Guarded};
use crate::wellness::views::MonthCalendar;

#[component]
pub fn JournalPage() -> impl IntoView {
    view! {
        <Title text="Journal"/>
        <Guarded access=Access::Member page=|_| view! { <Journal/> }/>
    }
}

fn query_string(q: &str, tag: &str, date: &str, extra: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, v) in [("q", q), ("tag", tag), ("date", date)] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    if !extra.is_empty() {
        parts.push(extra.to_string());
    }
    if parts.is_empty() {
        "/journal".into()
    } else {
        format!("/journal?{}", parts.join("&"))
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn Journal() -> impl IntoView {
    let (q, tag, date, month, page) = (
        query_param("q"),
        query_param("tag"),
        query_param("date"),
        query_param("month"),
        query_param("page"),
    );
    let data = Resource::new(
        move || (q.get(), tag.get(), date.get(), month.get(), page.get()),
        |(q, tag, date, month, page)| {
            list_journal(q, tag, date, month, page.and_then(|p| p.parse().ok()))
        },
    );
    view! {
        <header class="page-header with-action">
            <div>
                <h1>"Journal"</h1>
                <p class="muted">"A few lines a day. Only you can read them."</p>
            </div>
            <a class="btn btn-primary" href="/journal/new">"✎ Write"</a>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <JournalBody v=v/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Card(e: EntryCard) -> impl IntoView {
    view! {
        <li class="journal-card">
            <a href=format!("/journal/{}", e.id) class="journal-link">
                <p class="journal-meta muted small">{e.date.clone()}{e.mood.clone().map(|m| format!(" · {m}"))}</p>
                <h3 class="journal-title">{e.title.clone()}</h3>
                <p class="journal-excerpt">{e.excerpt.clone()}</p>
            </a>
            {(!e.tags.is_empty()).then(|| view! {
                <p class="tags">{e.tags.iter().map(|t| view! { <a class="chip small" href=format!("/journal?tag={t}")>{format!("#{t}")}</a> }).collect_view()}</p>
            })}
        </li>
    }
}

#[component]
fn JournalBody(v: JournalView) -> impl IntoView {
    let filtered = !v.q.is_empty() || !v.tag.is_empty() || !v.date.is_empty();
    let (q, tag, date) = (v.q.clone(), v.tag.clone(), v.date.clone());
    let pager = |p: u32| query_string(&v.q, &v.tag, &v.date, &format!("page={p}"));
    let (prev, next) = (pager(v.page.saturating_sub(1)), pager(v.page + 1));
    let (cal_q, cal_tag) = (v.q.clone(), v.tag.clone());
    let month_nav =
        move |first: &str| query_string(&cal_q, &cal_tag, "", &format!("month={first}"));
    view! {
        <div class="journal-layout">
            <div class="journal-main">
                <form method="get" action="/journal" class="search-form" role="search">
                    <label for="journal-q" class="sr-only">"Search the journal"</label>
                    <input id="journal-q" type="search" name="q" value=q placeholder="Search titles and text"/>
                    {(!tag.is_empty()).then(|| view! { <input type="hidden" name="tag" value=tag.clone()/> })}
                    {(!date.is_empty()).then(|| view! { <input type="hidden" name="date" value=date.clone()/> })}
                    <button type="submit" class="btn btn-secondary">"Search"</button>
                </form>
                {filtered.then(|| view! {
                    <p class="filter-summary small">
                        {format!("{} matching", v.matching)}
                        {(!v.tag.is_empty()).then(|| format!(" · tag #{}", v.tag))}
                        {(!v.date.is_empty()).then(|| format!(" · {}", v.date))}
                        " · "<a href="/journal">"Clear filters"</a>
                    </p>
                })}
                {if v.entries.is_empty() {
                    if v.total == 0 {
                        view! { <EmptyState title="Your journal is empty" message="Write your first entry: what happened today, what you are grateful for.">
                            <a class="btn btn-primary" href="/journal/new">"Write the first entry"</a>
                        </EmptyState> }.into_any()
                    } else {
                        view! { <EmptyState title="No entries match" message="Try other words, another tag or day, or clear the filters."/> }.into_any()
                    }
                } else {
                    view! {
                        <ul class="plain-list journal-list">
                            {v.entries.iter().cloned().map(|e| view! { <Card e=e/> }).collect_view()}
                        </ul>
                        <nav class="pager" aria-label="Pages">
                            {(v.page > 1).then(|| view! { <a class="btn btn-secondary" href=prev>"‹ Newer"</a> })}
                            {v.has_next.then(|| view! { <a class="btn btn-secondary" href=next>"Older ›"</a> })}
                        </nav>
                    }.into_any()
                }}
            </div>
            <aside class="journal-side">
                <section class="card" aria-labelledby="stats-title">
                    <h2 id="stats-title" class="card-title">"Writing"</h2>
                    <div class="stat-row">
                        <div class="card-figure"><span class="tile-label">"Streak"</span><span class="tile-value num">{v.streak}</span><span class="muted small">{format!("best {}", v.longest_streak)}</span></div>
                        <div class="card-figure"><span class="tile-label">"This month"</span><span class="tile-value num">{v.this_month}</span></div>
                        <div class="card-figure"><span class="tile-label">"All entries"</span><span class="tile-value num">{v.total}</span></div>
                    </div>
                    {(!v.moods.is_empty()).then(|| view! {
                        <p class="small muted">"Feelings: "{v.moods.iter().map(|(m, n)| format!("{m} {n}")).collect::<Vec<_>>().join(" · ")}</p>
                    })}
                </section>
                {(!v.on_this_day.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="otd-title">
                        <h2 id="otd-title" class="card-title">"On this day"</h2>
                        <ul class="plain-list">
                            {v.on_this_day.iter().map(|(ago, id, t)| view! {
                                <li><a href=format!("/journal/{id}")>{t.clone()}</a><span class="muted small">{format!(" · {ago}")}</span></li>
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                <section class="card" aria-labelledby="cal-title">
                    <h2 id="cal-title" class="card-title">"Calendar"</h2>
                    <MonthCalendar month=v.calendar.clone() nav=month_nav cell=move |c| {
                        let class = format!("month-cell level-{}{}{}", c.level, if c.today { " today" } else { "" }, if c.future { " future" } else { "" });
                        if c.level > 0 {
                            view! { <a class=class href=format!("/journal?date={}", c.date) title=c.label.clone() aria-label=c.label.clone()>{c.day}</a> }.into_any()
                        } else {
                            view! { <span class=class title=c.label.clone()>{c.day}</span> }.into_any()
                        }
                    }/>
                </section>
                {(!v.tags.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="tags-title">
                        <h2 id="tags-title" class="card-title">"Tags"</h2>
                        <p class="tags">
                            {v.tags.iter().map(|(t, n)| {
                                let here = *t == v.tag;
                                view! { <a class="chip small" aria-current=here.then_some("true") href=format!("/journal?tag={t}")>{format!("#{t} {n}")}</a> }
                            }).collect_view()}
                        </p>
                    </section>
                })}
            </aside>
        </div>
    }
}
