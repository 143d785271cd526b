use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::FormField;

use super::server_fns::{
    get_hydration, AddWater, DeleteWater, HydrationView, SaveWaterSettings, UndoWater, WaterToday,
};
use super::{BEVERAGES, NOTE_MAX};
use crate::health::pages::{query_param, ChartBox, RangeTabs};
use crate::ui::{
    action_error, field_error, reset_on_success, Access, ErrorPanel, FormError, Guarded, Submit,
};
use crate::wellness::views::ProgressRing;

#[component]
pub fn HydrationPage() -> impl IntoView {
    view! {
        <Title text="Water"/>
        <Guarded access=Access::Member page=|_| view! { <Hydration/> }/>
    }
}

/// The ring and one-tap buttons (used here and on the Today screen).
#[component]
pub fn WaterQuickAdd(today: WaterToday, add: ServerAction<AddWater>) -> impl IntoView {
    let label = format!("{} of {} today", today.total, today.goal);
    view! {
        <div class="water-now">
            <ProgressRing percent=today.percent value=today.total.clone() caption=format!("of {}", today.goal) label=label/>
            <div class="water-actions">
                <p class="muted small" aria-live="polite">{today.remaining.clone()}</p>
                <div class="quick-add">
                    {today.sizes.clone().into_iter().map(|c| {
                        let ml = c.ml.to_string();
                        let text = format!("+ {}", c.label);
                        view! {
                            <ActionForm action=add attr:class="inline-form">
                                <input type="hidden" name="amount" value=ml/>
                                <input type="hidden" name="unit" value="ml"/>
                                <input type="hidden" name="beverage" value="water"/>
                                <button type="submit" class="btn btn-secondary quick-btn" aria-label=format!("Add {} of water", c.label)>{text}</button>
                            </ActionForm>
                        }
                    }).collect_view()}
                </div>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Hydration() -> impl IntoView {
    let add = ServerAction::<AddWater>::new();
    let undo = ServerAction::<UndoWater>::new();
    let delete = ServerAction::<DeleteWater>::new();
    let settings = ServerAction::<SaveWaterSettings>::new();
    let range = query_param("range");
    let data = Resource::new(
        move || {
            (
                add.version().get(),
                undo.version().get(),
                delete.version().get(),
                settings.version().get(),
                range.get(),
            )
        },
        |(.., r)| get_hydration(r),
    );
    let custom_form = NodeRef::new();
    reset_on_success(add, custom_form);
    let add_error = action_error(add);
    let settings_error = action_error(settings);
    let list_error = Signal::derive(move || {
        action_error(undo)
            .get()
            .or_else(|| action_error(delete).get())
            .map(|e| e.to_string())
    });
    view! {
        <header class="page-header">
            <h1>"Water"</h1>
            <p class="muted">"Tap a cup each time you drink. Your day resets at midnight where you are."</p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <HydrationBody v=v add=add undo=undo delete=delete settings=settings add_error=add_error settings_error=settings_error list_error=list_error custom_form=custom_form/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HydrationBody(
    v: HydrationView,
    add: ServerAction<AddWater>,
    undo: ServerAction<UndoWater>,
    delete: ServerAction<DeleteWater>,
    settings: ServerAction<SaveWaterSettings>,
    add_error: Signal<Option<crate::error::AppError>>,
    settings_error: Signal<Option<crate::error::AppError>>,
    list_error: Signal<Option<String>>,
    custom_form: NodeRef<leptos::html::Form>,
) -> impl IntoView {
    let unit_label = if v.today.unit == "fl_oz" {
        "fl oz"
    } else {
        "ml"
    };
    let unit = v.today.unit.clone();
    let unit2 = v.today.unit.clone();
    let streak_text = match v.streak.current {
        0 => "No streak yet — reach your goal today to start one.".to_string(),
        1 => "1 day in a row at your goal".to_string(),
        n => format!("{n} days in a row at your goal"),
    };
    let has_entries = !v.entries.is_empty();
    let range = v.range.clone();
    view! {
        <div class="card-grid two">
            <section class="card" aria-labelledby="today-title">
                <h2 id="today-title" class="card-title">"Today"</h2>
                <WaterQuickAdd today=v.today.clone() add=add/>
                <p class="streak"><span aria-hidden="true">"🔥 "</span>{streak_text}
                    {(v.streak.longest > 0).then(|| view! { <span class="muted small">{format!(" · best {}", v.streak.longest)}</span> })}
                </p>
                <details class="custom-drink" open=move || add_error.get().is_some()>
                    <summary class="btn btn-ghost">"Another amount or drink"</summary>
                    <ActionForm action=add node_ref=custom_form attr:class="stack" attr:novalidate=true>
                        <FormError error=add_error/>
                        <input type="hidden" name="unit" value=unit/>
                        <div class="field-row">
                            <FormField label=format!("Amount ({unit_label})") name="amount" inputmode="decimal" error=field_error(add_error, "amount")/>
                            <div class="field">
                                <label for="water-beverage">"Drink"</label>
                                <select id="water-beverage" name="beverage">
                                    {BEVERAGES.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
                                </select>
                            </div>
                        </div>
                        <FormField label="Note (optional)" name="note" maxlength={NOTE_MAX as u32} error=field_error(add_error, "note")/>
                        <Submit label="Add drink" pending=add.pending()/>
                    </ActionForm>
                </details>
            </section>
            <section class="card" aria-labelledby="drinks-title">
                <div class="card-head">
                    <h2 id="drinks-title" class="card-title">"Today’s drinks"</h2>
                    {has_entries.then(|| view! {
                        <ActionForm action=undo attr:class="inline-form">
                            <button type="submit" class="btn btn-ghost">"↶ Undo last"</button>
                        </ActionForm>
                    })}
                </div>
                {move || list_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                {if has_entries {
                    view! {
                        <p class="muted small">{v.by_beverage.iter().map(|(b, a)| format!("{b} {a}")).collect::<Vec<_>>().join(" · ")}</p>
                        <ul class="plain-list drink-list">
                            {v.entries.clone().into_iter().map(|e| {
                                let id = e.id.clone();
                                view! {
                                    <li class="list-row">
                                        <div>
                                            <p class="cell-main"><span class="num">{e.amount.clone()}</span>" "{e.beverage.clone()}</p>
                                            <p class="muted small">{e.time.clone()}{e.note.clone().map(|n| format!(" · {n}"))}</p>
                                        </div>
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="id" value=id/>
                                            <button type="submit" class="btn btn-ghost" aria-label=format!("Remove {} {} at {}", e.amount, e.beverage, e.time)>"Remove"</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                } else {
                    view! { <crate::ui::EmptyState title="Nothing logged today" message="Tap a cup above after your next drink; it appears here."/> }.into_any()
                }}
            </section>
        </div>
        <section class="card" aria-labelledby="history-title">
            <div class="card-head">
                <h2 id="history-title" class="card-title">"History"</h2>
                <RangeTabs base="/water" current=range options=&["7", "30"]/>
            </div>
            <p class="muted small">{match v.days_logged {
                0 => format!("Nothing logged in the last {} days", v.table.len()),
                1 => format!("{} on the one day logged · goal met on {} of {} days", v.average, v.days_met, v.table.len()),
                n => format!("Average {} on the {n} days logged · goal met on {} of {} days", v.average, v.days_met, v.table.len()),
            }}</p>
            {if v.chart.is_empty() {
                view! { <crate::ui::EmptyState title="No drinks in this period" message="Days you log water show up here as bars against your goal."/> }.into_any()
            } else {
                view! { <ChartBox svg=v.chart.clone()/> }.into_any()
            }}
            <details class="chart-table">
                <summary>"Show as a table"</summary>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                    <table class="table">
                        <thead><tr><th scope="col">"Day"</th><th scope="col" class="num">"Total"</th><th scope="col" class="num">"Goal"</th></tr></thead>
                        <tbody>
                            {v.table.iter().map(|(d, t, g, met)| view! {
                                <tr><td>{d.clone()}{met.then_some(" ✓")}</td><td class="num">{t.clone()}</td><td class="num">{g.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </section>
        <section class="card" aria-labelledby="water-settings-title">
            <h2 id="water-settings-title" class="card-title">"Goal and cups"</h2>
            <ActionForm action=settings attr:class="stack" attr:novalidate=true>
                <FormError error=settings_error/>
                <div class="field-row">
                    <FormField label=format!("Daily goal ({unit_label})") name="goal" inputmode="decimal" value=v.goal_input.clone() error=field_error(settings_error, "goal")/>
                    <div class="field">
                        <label for="water-unit">"Show amounts in"</label>
                        <select id="water-unit" name="unit">
                            <option value="ml" selected=unit2 == "ml">"Millilitres (ml)"</option>
                            <option value="fl_oz" selected=unit2 == "fl_oz">"US fluid ounces (fl oz)"</option>
                        </select>
                        <p class="field-error">{move || field_error(settings_error, "unit").get()}</p>
                    </div>
                </div>
                <FormField label=format!("Cup sizes ({unit_label}, separated by commas)") name="sizes" value=v.sizes_input.clone()
                    hint="Each size becomes a one-tap button." error=field_error(settings_error, "sizes")/>
                <Submit label="Save" pending=settings.pending() secondary=true/>
                <Show when=move || crate::ui::action_done(settings).get()>
                    <p class="alert alert-success" role="status">"Saved. New drinks use this goal; earlier days keep theirs."</p>
                </Show>
            </ActionForm>
        </section>
    }
}
