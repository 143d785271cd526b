use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{
    list_measurements, AddBloodPressure, AddMeasurement, DeleteMeasurement, Entry,
    UpdateMeasurement,
};
use crate::health::pages::query_param;
use crate::ui::{
    action_error, field_error, reset_on_success, Access, EmptyState, ErrorPanel, FormError,
    FormField, Guarded, Submit,
};

#[component]
pub fn MeasurementsPage() -> impl IntoView {
    view! {
        <Title text="Log a measurement"/>
        <Guarded access=Access::Member page=|_| view! { <Measurements/> }/>
    }
}

#[component]
fn Measurements() -> impl IntoView {
    let add = ServerAction::<AddMeasurement>::new();
    let add_bp = ServerAction::<AddBloodPressure>::new();
    let update = ServerAction::<UpdateMeasurement>::new();
    let delete = ServerAction::<DeleteMeasurement>::new();
    let page = query_param("page");
    let list = Resource::new(
        move || {
            (
                add.version().get(),
                add_bp.version().get(),
                update.version().get(),
                delete.version().get(),
                page.get(),
            )
        },
        |(.., p)| list_measurements(p.and_then(|p| p.parse().ok())),
    );
    let add_error = action_error(add);
    let (add_form, bp_form) = (NodeRef::new(), NodeRef::new());
    reset_on_success(add, add_form);
    reset_on_success(add_bp, bp_form);
    let bp_error = action_error(add_bp);
    let (added, added_bp) = (crate::ui::action_done(add), crate::ui::action_done(add_bp));
    let saved = move || added.get() || added_bp.get();
    let list_error = Signal::derive(move || {
        action_error(update)
            .get()
            .or_else(|| action_error(delete).get())
            .map(|e| e.to_string())
    });
    view! {
        <header class="page-header">
            <h1>"Log a measurement"</h1>
            <p class="muted">"Readings you enter count like any device's. They are marked “Manual entry”."</p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => {
                        let metrics = l.metrics.clone();
                        let (today, now, bp_today, bp_now) = (l.today.clone(), l.now.clone(), l.today.clone(), l.now.clone());
                        view! {
                            <div class="card-grid two">
                                <section class="card" aria-labelledby="add-title">
                                    <h2 id="add-title" class="card-title">"Measurement"</h2>
                                    <ActionForm action=add node_ref=add_form attr:class="stack" attr:novalidate=true>
                                        <FormError error=add_error/>
                                        <div class="field">
                                            <label for="field-metric">"What"</label>
                                            <select id="field-metric" name="metric">
                                                {metrics.into_iter().map(|(id, label, unit)| {
                                                    let text = if unit.is_empty() { label } else { format!("{label} ({unit})") };
                                                    view! { <option value=id>{text}</option> }
                                                }).collect_view()}
                                            </select>
                                            <p class="field-error">{move || field_error(add_error, "metric").get()}</p>
                                        </div>
                                        <FormField label="Value" name="value" kind="text" error=field_error(add_error, "value") hint="In the unit shown next to the name, e.g. 72.4"/>
                                        <div class="field-row">
                                            <FormField label="Date" name="date" kind="date" value=today error=field_error(add_error, "date")/>
                                            <FormField label="Time" name="time" kind="time" value=now error=field_error(add_error, "time")/>
                                        </div>
                                        <Submit label="Save measurement" pending=add.pending()/>
                                    </ActionForm>
                                </section>
                                <section class="card" aria-labelledby="bp-title">
                                    <h2 id="bp-title" class="card-title">"Blood pressure"</h2>
                                    <ActionForm action=add_bp node_ref=bp_form attr:class="stack" attr:novalidate=true>
                                        <FormError error=bp_error/>
                                        <div class="field-row">
                                            <FormField label="Systolic (mmHg)" name="systolic" kind="text" error=field_error(bp_error, "systolic")/>
                                            <FormField label="Diastolic (mmHg)" name="diastolic" kind="text" error=field_error(bp_error, "diastolic")/>
                                        </div>
                                        <FormField label="Pulse (bpm, optional)" name="pulse" kind="text" error=field_error(bp_error, "pulse")/>
                                        <div class="field-row">
                                            <FormField label="Date" name="bp_date" kind="date" value=bp_today error=field_error(bp_error, "bp_date")/>
                                            <FormField label="Time" name="bp_time" kind="time" value=bp_now error=field_error(bp_error, "bp_time")/>
                                        </div>
                                        <Submit label="Save blood pressure" pending=add_bp.pending()/>
                                    </ActionForm>
                                </section>
                            </div>
                            <Show when=saved><p class="alert alert-success" role="status">"Saved."</p></Show>
                            <section class="card" aria-labelledby="entries-title">
                                <h2 id="entries-title" class="card-title">"Your entries"</h2>
                                {move || list_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                                {if l.entries.is_empty() {
                                    view! { <EmptyState title="Nothing logged yet" message="Your measurements appear here, newest first. Use the forms above to add one."/> }.into_any()
                                } else {
                                    view! {
                                        <ul class="plain-list entry-list">
                                            {l.entries.clone().into_iter().map(|e| view! { <EntryRow e=e update=update delete=delete/> }).collect_view()}
                                        </ul>
                                        <nav class="pager" aria-label="Pages">
                                            {(l.page > 1).then(|| view! { <a class="btn btn-secondary" href=format!("/measurements?page={}", l.page - 1)>"‹ Newer"</a> })}
                                            {l.has_next.then(|| view! { <a class="btn btn-secondary" href=format!("/measurements?page={}", l.page + 1)>"Older ›"</a> })}
                                        </nav>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EntryRow(
    e: Entry,
    update: ServerAction<UpdateMeasurement>,
    delete: ServerAction<DeleteMeasurement>,
) -> impl IntoView {
    let bp = e.metric == "blood_pressure";
    let [f_value, f_dia, f_pulse, f_date, f_time] =
        ["value", "diastolic", "pulse", "date", "time"].map(|f| format!("edit-{}-{f}", e.id));
    let (edit_id, delete_id) = (e.id.clone(), e.id.clone());
    view! {
        <li class="entry">
            <div class="list-row">
                <div>
                    <p class="cell-main">{e.label.clone()}" · "<span class="num">{e.value_text.clone()}</span></p>
                    <p class="muted small">{e.when.clone()}</p>
                </div>
            </div>
            <details class="entry-actions">
                <summary class="btn btn-ghost">"Edit or delete"</summary>
                <ActionForm action=update attr:class="stack edit-form">
                    <input type="hidden" name="id" value=edit_id/>
                    <div class="field-row">
                        <div class="field">
                            <label for=f_value.clone()>{if bp { "Systolic" } else { "Value" }}</label>
                            <input id=f_value name="value" value=e.value.clone() inputmode="decimal"/>
                        </div>
                        {bp.then(|| view! {
                            <div class="field">
                                <label for=f_dia.clone()>"Diastolic"</label>
                                <input id=f_dia name="diastolic" value=e.diastolic.clone() inputmode="decimal"/>
                            </div>
                            <div class="field">
                                <label for=f_pulse.clone()>"Pulse"</label>
                                <input id=f_pulse name="pulse" value=e.pulse.clone() inputmode="decimal"/>
                            </div>
                        })}
                    </div>
                    <div class="field-row">
                        <div class="field"><label for=f_date.clone()>"Date"</label><input id=f_date type="date" name="date" value=e.date.clone()/></div>
                        <div class="field"><label for=f_time.clone()>"Time"</label><input id=f_time type="time" name="time" value=e.time.clone()/></div>
                    </div>
                    <button type="submit" class="btn btn-secondary">"Save changes"</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form">
                    <input type="hidden" name="id" value=delete_id/>
                    <button type="submit" class="btn btn-danger">"Delete this reading"</button>
                </ActionForm>
            </details>
        </li>
    }
}
