use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{get_mood, AddMood, DeleteMood, MoodEntry, MoodView};
use super::MOODS;
use crate::error::AppError;
use crate::health::pages::{query_param, ChartBox, RangeTabs};
use crate::ui::{
    action_error, field_error, reset_on_success, Access, EmptyState, ErrorPanel, FormError,
    Guarded, Submit,
};
use crate::wellness::views::YearPixels;

#[component]
pub fn MoodPage() -> impl IntoView {
    view! {
        <Title text="Mood"/>
        <Guarded access=Access::Member page=|_| view! { <Mood/> }/>
    }
}

/// Five one-tap buttons that log a mood right away.
#[component]
pub fn MoodPicker(add: ServerAction<AddMood>) -> impl IntoView {
    view! {
        <div class="mood-picker" role="group" aria-label="How do you feel?">
            {MOODS.iter().map(|(score, word, emoji)| view! {
                <ActionForm action=add attr:class="inline-form">
                    <input type="hidden" name="score" value=score.to_string()/>
                    <button type="submit" class=format!("mood-btn mood-{score}") aria-label=format!("Log mood: {word}")>
                        <span class="mood-emoji" aria-hidden="true">{*emoji}</span>
                        <span class="mood-word">{*word}</span>
                    </button>
                </ActionForm>
            }).collect_view()}
        </div>
    }
}

#[component]
fn Mood() -> impl IntoView {
    let add = ServerAction::<AddMood>::new();
    let delete = ServerAction::<DeleteMood>::new();
    let (range, year, page) = (
        query_param("range"),
        query_param("year"),
        query_param("page"),
    );
    let data = Resource::new(
        move || {
            (
                add.version().get(),
                delete.version().get(),
                range.get(),
                year.get(),
                page.get(),
            )
        },
        |(_, _, r, y, p)| {
            get_mood(
                r,
                y.and_then(|y| y.parse().ok()),
                p.and_then(|p| p.parse().ok()),
            )
        },
    );
    let form = NodeRef::new();
    reset_on_success(add, form);
    let error = action_error(add);
    view! {
        <header class="page-header">
            <h1>"Mood"</h1>
            <p class="muted">"How are you, right now? Log as often as you like."</p>
        </header>
        <section class="card" aria-labelledby="log-title">
            <h2 id="log-title" class="card-title">"Log your mood"</h2>
            <MoodForm add=add error=error form=form/>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <MoodBody v=v delete=delete/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MoodForm(
    add: ServerAction<AddMood>,
    error: Signal<Option<AppError>>,
    form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let scale = move |name: &'static str,
                      legend: &'static str,
                      low: &'static str,
                      high: &'static str| {
        view! {
            <fieldset class="field scale">
                <legend>{legend}<span class="muted small">" (optional)"</span></legend>
                <div class="scale-choices">
                    {(1..=5).map(|n| view! {
                        <label class="scale-choice"><input type="radio" name=name value=n.to_string()/><span>{n}</span></label>
                    }).collect_view()}
                </div>
                <p class="hint">{format!("1 = {low}, 5 = {high}")}</p>
                <p class="field-error">{move || field_error(error, name).get()}</p>
            </fieldset>
        }
    };
    view! {
        <ActionForm action=add node_ref=form attr:class="stack" attr:novalidate=true>
            <FormError error=error/>
            <fieldset class="field">
                <legend>"How do you feel?"</legend>
                <div class="mood-choices">
                    {MOODS.iter().map(|(score, word, emoji)| view! {
                        <label class=format!("mood-choice mood-{score}")>
                            <input type="radio" name="score" value=score.to_string()/>
                            <span class="mood-emoji" aria-hidden="true">{*emoji}</span>
                            <span class="mood-word">{*word}</span>
                        </label>
                    }).collect_view()}
                </div>
                <p class="field-error">{move || field_error(error, "score").get()}</p>
            </fieldset>
            <div class="field-row">
                {scale("energy", "Energy", "drained", "full of energy")}
                {scale("stress", "Stress", "calm", "very stressed")}
            </div>
            <div class="field">
                <label for="mood-tags">"What have you been doing?"</label>
                <input id="mood-tags" name="tags" placeholder="work, friends, run" list="mood-tag-ideas"/>
                <datalist id="mood-tag-ideas">
                    {["work", "family", "friends", "exercise", "outdoors", "reading", "gaming", "shopping", "travel", "rest"]
                        .iter().map(|t| view! { <option value=*t></option> }).collect_view()}
                </datalist>
                <p class="hint">"Tags, separated by commas."</p>
                <p class="field-error">{move || field_error(error, "tags").get()}</p>
            </div>
            <div class="field">
                <label for="mood-note">"Note"</label>
                <textarea id="mood-note" name="note" rows="2" maxlength="1000"></textarea>
                <p class="field-error">{move || field_error(error, "note").get()}</p>
            </div>
            <details>
                <summary class="btn btn-ghost">"Earlier today or another day?"</summary>
                <div class="field-row">
                    <div class="field"><label for="mood-date">"Date"</label><input id="mood-date" type="date" name="date"/>
                        <p class="field-error">{move || field_error(error, "date").get()}</p></div>
                    <div class="field"><label for="mood-time">"Time"</label><input id="mood-time" type="time" name="time"/>
                        <p class="field-error">{move || field_error(error, "time").get()}</p></div>
                </div>
            </details>
            <Submit label="Save mood" pending=add.pending()/>
            <Show when=move || crate::ui::action_done(add).get()>
                <p class="alert alert-success" role="status">"Mood saved."</p>
            </Show>
        </ActionForm>
    }
}

#[component]
fn EntryItem(e: MoodEntry, delete: ServerAction<DeleteMood>) -> impl IntoView {
    view! {
        <li class="list-row mood-entry">
            <span class=format!("mood-dot mood-{}", e.score) aria-hidden="true">{e.emoji.clone()}</span>
            <div class="grow">
                <p class="cell-main">{e.word.clone()}<span class="muted small">{format!(" · {}", e.when)}</span></p>
                {(!e.levels.is_empty()).then(|| view! { <p class="small muted">{e.levels.clone()}</p> })}
                {(!e.tags.is_empty()).then(|| view! { <p class="tags">{e.tags.iter().map(|t| view! { <span class="chip small">{format!("#{t}")}</span> }).collect_view()}</p> })}
                {e.note.clone().map(|n| view! { <p class="small">{n}</p> })}
            </div>
            <ActionForm action=delete attr:class="inline-form">
                <input type="hidden" name="id" value=e.id.clone()/>
                <button type="submit" class="btn btn-ghost" aria-label=format!("Delete the {} entry of {}", e.word, e.when)>"Delete"</button>
            </ActionForm>
        </li>
    }
}

#[component]
fn MoodBody(v: MoodView, delete: ServerAction<DeleteMood>) -> impl IntoView {
    let delete_error = Signal::derive(move || action_error(delete).get().map(|e| e.to_string()));
    let year = v.year;
    let range = v.range.clone();
    view! {
        {move || delete_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <section class="card" aria-labelledby="trend-title">
            <div class="card-head">
                <h2 id="trend-title" class="card-title">"Trend"</h2>
                <RangeTabs base="/mood" current=range options=&["30", "90"]/>
            </div>
            {match v.average.clone() {
                Some(avg) => view! {
                    <p class="muted small">{format!("Average {avg} of 5")}</p>
                    <ChartBox svg=v.chart.clone()/>
                    <div class="mood-distribution">
                        {v.distribution.iter().map(|(e, w, c)| view! {
                            <span class="chip"><span aria-hidden="true">{e.clone()}</span>{format!(" {w}: {c}")}</span>
                        }).collect_view()}
                    </div>
                    {(!v.top_tags.is_empty()).then(|| view! {
                        <p class="small muted">"Most tagged: "{v.top_tags.iter().map(|(t, c)| format!("#{t} ({c})")).collect::<Vec<_>>().join(", ")}</p>
                    })}
                }.into_any(),
                None => view! { <EmptyState title="No moods in this period" message="Log how you feel above; the trend fills in from your first entry."/> }.into_any(),
            }}
        </section>
        <section class="card" aria-labelledby="pixels-title">
            <div class="card-head">
                <h2 id="pixels-title" class="card-title">{format!("Year in pixels · {year}")}</h2>
                <nav class="tabs" aria-label="Year">
                    <a class="tab" href=format!("/mood?year={}", year - 1)>{format!("‹ {}", year - 1)}</a>
                    {(year < v.this_year).then(|| view! { <a class="tab" href=format!("/mood?year={}", year + 1)>{format!("{} ›", year + 1)}</a> })}
                </nav>
            </div>
            <YearPixels rows=v.pixels.clone() caption=format!("Each day of {year} coloured by its average mood")
                legend=MOODS.iter().map(|(s, w, _)| (*s, w.to_string())).chain(std::iter::once((0, "no entry".to_string()))).collect()/>
        </section>
        <section class="card" aria-labelledby="entries-title">
            <h2 id="entries-title" class="card-title">"Entries"</h2>
            {if v.entries.is_empty() {
                view! { <EmptyState title="No entries yet" message="Your moods appear here, newest first."/> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {v.entries.iter().cloned().map(|e| view! { <EntryItem e=e delete=delete/> }).collect_view()}
                    </ul>
                    <nav class="pager" aria-label="Pages">
                        {(v.page > 1).then(|| view! { <a class="btn btn-secondary" href=format!("/mood?page={}", v.page - 1)>"‹ Newer"</a> })}
                        {v.has_next.then(|| view! { <a class="btn btn-secondary" href=format!("/mood?page={}", v.page + 1)>"Older ›"</a> })}
                    </nav>
                }.into_any()
            }}
        </section>
    }
}
