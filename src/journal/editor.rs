use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::FormField;
use leptos_router::hooks::use_params_map;

use super::server_fns::{get_journal_entry, new_journal_defaults, JournalEntry, SaveJournalEntry};
use super::MOOD_LABELS;
use crate::ui::{action_error, field_error, Access, ErrorPanel, FormError, Guarded, Submit};

#[component]
pub fn NewEntryPage() -> impl IntoView {
    view! {
        <Title text="New journal entry"/>
        <Guarded access=Access::Member page=|_| view! { <NewEntry/> }/>
    }
}

#[component]
pub fn EditEntryPage() -> impl IntoView {
    view! {
        <Title text="Edit journal entry"/>
        <Guarded access=Access::Member page=|_| view! { <EditEntry/> }/>
    }
}

#[component]
fn NewEntry() -> impl IntoView {
    let defaults = Resource::new(|| (), |_| new_journal_defaults());
    view! {
        <p class="breadcrumb"><a href="/journal">"‹ Journal"</a></p>
        <h1>"New entry"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match defaults.await {
                    Ok(d) => view! { <Editor entry=JournalEntry {
                        id: String::new(), title: String::new(), body: String::new(), body_html: String::new(),
                        mood_score: None, mood_label: None, gratitude: vec![], tags: vec![],
                        entry_date: d.today, date_label: String::new(), edited: false,
                    }/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditEntry() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let entry = Resource::new(move || id.get(), get_journal_entry);
    view! {
        <p class="breadcrumb"><a href=move || format!("/journal/{}", id.get())>"‹ Entry"</a></p>
        <h1>"Edit entry"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(e) => view! { <Editor entry=e/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(entry: JournalEntry) -> impl IntoView {
    let save = ServerAction::<SaveJournalEntry>::new();
    let error = action_error(save);
    let score = entry.mood_score;
    let label = entry.mood_label.clone().unwrap_or_default();
    view! {
        <ActionForm action=save attr:class="card stack journal-editor" attr:novalidate=true>
            <FormError error=error/>
            <input type="hidden" name="id" value=entry.id.clone()/>
            <div class="field-row">
                <FormField label="Title (optional)" name="title" value=entry.title.clone() maxlength=200 error=field_error(error, "title")/>
                <div class="field narrow">
                    <label for="je-date">"Day"</label>
                    <input id="je-date" type="date" name="entry_date" value=entry.entry_date.clone()/>
                    <p class="field-error">{move || field_error(error, "entry_date").get()}</p>
                </div>
            </div>
            <div class="field">
                <label for="je-body">"Entry"</label>
                <textarea id="je-body" name="body" rows="10" aria-invalid=move || field_error(error, "body").get().map(|_| "true")>{entry.body.clone()}</textarea>
                <p class="hint">"Markdown works: **bold**, _italic_, lists with -, # headings, [links](https://…)."</p>
                <p class="field-error">{move || field_error(error, "body").get()}</p>
            </div>
            <fieldset class="field">
                <legend>"Mood"<span class="muted small">" (optional)"</span></legend>
                <div class="mood-choices">
                    {crate::mood::MOODS.iter().map(|(s, w, e)| view! {
                        <label class=format!("mood-choice mood-{s}")>
                            <input type="radio" name="mood_score" value=s.to_string() checked=score == Some(*s)/>
                            <span class="mood-emoji" aria-hidden="true">{*e}</span>
                            <span class="mood-word">{*w}</span>
                        </label>
                    }).collect_view()}
                </div>
                <p class="field-error">{move || field_error(error, "mood_score").get()}</p>
            </fieldset>
            <div class="field">
                <label for="je-label">"Feeling"</label>
                <select id="je-label" name="mood_label">
                    <option value="" selected=label.is_empty()>"—"</option>
                    {MOOD_LABELS.iter().map(|l| view! { <option value=*l selected=label == *l>{*l}</option> }).collect_view()}
                </select>
                <p class="field-error">{move || field_error(error, "mood_label").get()}</p>
            </div>
            <div class="field">
                <label for="je-gratitude">"Grateful for (one per line)"</label>
                <textarea id="je-gratitude" name="gratitude" rows="3">{entry.gratitude.join("\n")}</textarea>
                <p class="field-error">{move || field_error(error, "gratitude").get()}</p>
            </div>
            <FormField label="Tags" name="tags" value=entry.tags.join(", ") placeholder="work, family" hint="Separated by commas."
                error=field_error(error, "tags")/>
            <Submit label="Save entry" pending=save.pending()/>
        </ActionForm>
    }
}
