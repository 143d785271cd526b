use leptos::prelude::*;

use crate::health::server_fns::{get_source_priorities, MoveSource};
use crate::ui::{action_error, EmptyState, ErrorPanel, FormError};

/// Settings: which source wins when several report the same metric.
#[component]
pub fn SourcesSection() -> impl IntoView {
    let mv = ServerAction::<MoveSource>::new();
    let list = Resource::new(move || mv.version().get(), |_| get_source_priorities());
    let error = action_error(mv);
    view! {
        <section class="card" aria-labelledby="sources-title">
            <h2 id="sources-title" class="card-title">"Preferred sources"</h2>
            <p class="muted small">"When two devices report the same metric for a day, the one higher in the list is shown."</p>
            <FormError error=error/>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! {
                            <EmptyState title="Only one source so far" message="Once two of your devices report the same metric, you can choose here which one wins."/>
                        }.into_any(),
                        Ok(items) => view! {
                            <ul class="plain-list">
                                {items.into_iter().map(|p| {
                                    let n = p.providers.len();
                                    view! {
                                        <li class="source-metric">
                                            <p class="cell-main">{p.label.clone()}</p>
                                            <ol class="source-order">
                                                {p.providers.into_iter().enumerate().map(|(i, (id, name))| {
                                                    let (m_up, id_up, name_up) = (p.metric.clone(), id.clone(), name.clone());
                                                    let (m_down, id_down, name_down) = (p.metric.clone(), id.clone(), name.clone());
                                                    view! {
                                                        <li class="list-row">
                                                            <span>{name.clone()}</span>
                                                            <span class="row-actions">
                                                                {(i > 0).then(move || view! {
                                                                    <ActionForm action=mv attr:class="inline-form">
                                                                        <input type="hidden" name="metric" value=m_up/>
                                                                        <input type="hidden" name="provider" value=id_up/>
                                                                        <input type="hidden" name="direction" value="up"/>
                                                                        <button type="submit" class="icon-btn" aria-label=format!("Prefer {name_up}")>"↑"</button>
                                                                    </ActionForm>
                                                                })}
                                                                {(i + 1 < n).then(move || view! {
                                                                    <ActionForm action=mv attr:class="inline-form">
                                                                        <input type="hidden" name="metric" value=m_down/>
                                                                        <input type="hidden" name="provider" value=id_down/>
                                                                        <input type="hidden" name="direction" value="down"/>
                                                                        <button type="submit" class="icon-btn" aria-label=format!("Move {name_down} down")>"↓"</button>
                                                                    </ActionForm>
                                                                })}
                                                            </span>
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ol>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
