use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::server_fns::{get_journal_entry, DeleteJournalEntry};
use crate::ui::{action_error, field_error, Access, ErrorPanel, Guarded};

#[component]
pub fn EntryPage() -> impl IntoView {
    view! {
        <Title text="Journal entry"/>
        <Guarded access=Access::Member page=|_| view! { <Entry/> }/>
    }
}

#[component]
fn Entry() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let entry = Resource::new(move || id.get(), get_journal_entry);
    let delete = ServerAction::<DeleteJournalEntry>::new();
    let delete_error = action_error(delete);
    view! {
        <p class="breadcrumb"><a href="/journal">"‹ Journal"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(e) => {
                        let title = if e.title.is_empty() { e.date_label.clone() } else { e.title.clone() };
                        let id = e.id.clone();
                        view! {
                            <Title text=title.clone()/>
                            <article class="card journal-entry">
                                <header>
                                    <p class="muted small">{e.date_label.clone()}{e.edited.then_some(" · edited")}</p>
                                    <h1>{title}</h1>
                                    {(e.mood_score.is_some() || e.mood_label.is_some()).then(|| view! {
                                        <p class="journal-mood">
                                            {e.mood_score.map(|s| view! { <span class=format!("chip mood-{s}")>{format!("{} {s}/5", crate::mood::mood_emoji(s))}</span> })}
                                            {e.mood_label.clone().map(|l| view! { <span class="chip">{l}</span> })}
                                        </p>
                                    })}
                                </header>
                                <div class="prose" inner_html=e.body_html.clone()></div>
                                {(!e.gratitude.is_empty()).then(|| view! {
                                    <section class="gratitude">
                                        <h2 class="small">"Grateful for"</h2>
                                        <ul>{e.gratitude.iter().map(|g| view! { <li>{g.clone()}</li> }).collect_view()}</ul>
                                    </section>
                                })}
                                {(!e.tags.is_empty()).then(|| view! {
                                    <p class="tags">{e.tags.iter().map(|t| view! { <a class="chip small" href=format!("/journal?tag={t}")>{format!("#{t}")}</a> }).collect_view()}</p>
                                })}
                                <div class="row-actions">
                                    <a class="btn btn-secondary" href=format!("/journal/{}/edit", e.id)>"Edit"</a>
                                </div>
                            </article>
                            <details class="card danger-zone" open=move || delete_error.get().is_some()>
                                <summary class="card-title">"Delete this entry"</summary>
                                <ActionForm action=delete attr:class="stack">
                                    <input type="hidden" name="id" value=id/>
                                    <label class="check"><input type="checkbox" name="confirm" value="delete"/>" Yes, delete it for good."</label>
                                    <p class="field-error">{move || field_error(delete_error, "confirm").get()}</p>
                                    <button type="submit" class="btn btn-danger">"Delete entry"</button>
                                </ActionForm>
                            </details>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
