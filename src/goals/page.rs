use leptos::prelude::*;

use super::model::GoalCard;
use leptos_meta::Title;

use crate::ui::FormField;
use leptos_router::hooks::use_params_map;

use super::server_fns::{get_goal, list_goals, ArchiveGoal, CreateGoal, DeleteGoal, GoalsView};
use crate::error::AppError;
use crate::health::pages::ChartBox;
use crate::ui::{
    action_error, field_error, Access, EmptyState, ErrorPanel, FormError, Guarded, Submit,
};
use crate::wellness::views::ProgressBar;

#[component]
pub fn GoalsPage() -> impl IntoView {
    view! {
        <Title text="Goals"/>
        <Guarded access=Access::Member page=|_| view! { <Goals/> }/>
    }
}

#[component]
pub fn GoalPage() -> impl IntoView {
    view! {
        <Title text="Goal"/>
        <Guarded access=Access::Member page=|_| view! { <Goal/> }/>
    }
}

/// Goals with their progress bars (here and on the Today screen).
#[component]
pub fn GoalProgressList(goals: Vec<GoalCard>) -> impl IntoView {
    view! {
        <ul class="plain-list goal-list">
            {goals.into_iter().map(|g| {
                let label = format!("{}: {:.0}%", g.name, g.percent);
                view! {
                    <li class="goal-item" class:goal-met=g.met>
                        <a class="goal-link" href=format!("/goals/{}", g.id)>
                            <span class="goal-name">{g.name.clone()}</span>
                            <span class="goal-value num">{format!("{} · {}", g.period, g.value)}</span>
                        </a>
                        <ProgressBar percent=g.percent label=label/>
                        <p class="muted small goal-status">
                            {g.status.clone()}
                            {(g.current_streak > 0).then(|| format!(" · 🔥 {} {} in a row", g.current_streak, if g.current_streak == 1 { g.cadence_noun.clone() } else { format!("{}s", g.cadence_noun) }))}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Goals() -> impl IntoView {
    let create = ServerAction::<CreateGoal>::new();
    let archive = ServerAction::<ArchiveGoal>::new();
    let data = Resource::new(
        move || (create.version().get(), archive.version().get()),
        |_| list_goals(),
    );
    let error = action_error(create);
    view! {
        <header class="page-header">
            <h1>"Goals"</h1>
            <p class="muted">"Targets measured from your own data: devices, water, mood and habits."</p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <GoalsBody v=v create=create archive=archive error=error/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GoalsBody(
    v: GoalsView,
    create: ServerAction<CreateGoal>,
    archive: ServerAction<ArchiveGoal>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let none = v.active.is_empty();
    let done: Vec<GoalCard> = v
        .completed
        .iter()
        .chain(v.archived.iter())
        .cloned()
        .collect();
    view! {
        <section class="card" aria-labelledby="active-title">
            <h2 id="active-title" class="card-title">"Active"</h2>
            {if none {
                view! { <EmptyState title="No goals yet" message="Set one below, e.g. at least 8,000 steps a day; progress fills in from your data."/> }.into_any()
            } else {
                view! { <GoalProgressList goals=v.active.clone()/> }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="new-goal-title">
            <h2 id="new-goal-title" class="card-title">"New goal"</h2>
            <ActionForm action=create attr:class="stack" attr:novalidate=true>
                <FormError error=error/>
                <div class="field-row">
                    <div class="field">
                        <label for="goal-metric">"What"</label>
                        <select id="goal-metric" name="metric">
                            {v.metrics.iter().map(|(id, label, unit)| {
                                let text = if unit.is_empty() { label.clone() } else { format!("{label} ({unit})") };
                                view! { <option value=id.clone()>{text}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-error">{move || field_error(error, "metric").get()}</p>
                    </div>
                    <div class="field">
                        <label for="goal-direction">"Aim"</label>
                        <select id="goal-direction" name="direction">
                            <option value="at_least">"At least"</option>
                            <option value="at_most">"At most"</option>
                            <option value="reach">"Reach a target (weight)"</option>
                        </select>
                        <p class="field-error">{move || field_error(error, "direction").get()}</p>
                    </div>
                </div>
                <div class="field-row">
                    <FormField label="Target" name="target" inputmode="decimal" placeholder="8000" error=field_error(error, "target")/>
                    <div class="field">
                        <label for="goal-cadence">"Every"</label>
                        <select id="goal-cadence" name="cadence">
                            <option value="daily">"Day"</option>
                            <option value="weekly">"Week (Mon–Sun)"</option>
                            <option value="monthly">"Month"</option>
                        </select>
                        <p class="field-error">{move || field_error(error, "cadence").get()}</p>
                    </div>
                </div>
                {(!v.habits.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="goal-habit">"Habit (for habit check-ins)"</label>
                        <select id="goal-habit" name="habit">
                            <option value="">"All habits"</option>
                            {v.habits.iter().map(|(id, n)| view! { <option value=id.clone()>{n.clone()}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{move || field_error(error, "habit").get()}</p>
                    </div>
                })}
                <FormField label="Name (optional)" name="name" maxlength=100 error=field_error(error, "name")/>
                <Submit label="Create goal" pending=create.pending()/>
            </ActionForm>
        </section>
        {(!done.is_empty()).then(move || view! {
            <details class="card">
                <summary class="card-title">{format!("Completed and archived ({})", done.len())}</summary>
                <ul class="plain-list">
                    {done.clone().into_iter().map(|g| view! {
                        <li class="list-row">
                            <div>
                                <a href=format!("/goals/{}", g.id)>{g.name.clone()}</a>
                                <p class="muted small">{if g.archived { "Archived" } else { "Completed 🎉" }}{format!(" · {}", g.rule)}</p>
                            </div>
                            {g.archived.then(|| view! {
                                <ActionForm action=archive attr:class="inline-form">
                                    <input type="hidden" name="id" value=g.id.clone()/>
                                    <input type="hidden" name="archived" value="false"/>
                                    <button type="submit" class="btn btn-ghost">"Restore"</button>
                                </ActionForm>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        })}
    }
}

#[component]
fn Goal() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let archive = ServerAction::<ArchiveGoal>::new();
    let delete = ServerAction::<DeleteGoal>::new();
    let data = Resource::new(
        move || (archive.version().get(), id.get()),
        |(_, id)| get_goal(id),
    );
    let delete_error = action_error(delete);
    view! {
        <p class="breadcrumb"><a href="/goals">"‹ Goals"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let c = d.card.clone();
                        let (arch_id, del_id) = (c.id.clone(), c.id.clone());
                        view! {
                            <Title text=c.name.clone()/>
                            <header class="page-header">
                                <h1>{c.name.clone()}</h1>
                                <p class="muted">{c.rule.clone()}{c.completed.then_some(" · completed 🎉")}{c.archived.then_some(" · archived")}</p>
                            </header>
                            <section class="card">
                                <GoalProgressList goals=vec![c.clone()]/>
                                {(c.longest_streak > 0).then(|| view! { <p class="small muted">{format!("Longest streak: {} {}{}", c.longest_streak, c.cadence_noun, if c.longest_streak == 1 { "" } else { "s" })}</p> })}
                            </section>
                            <section class="card" aria-labelledby="hist-title">
                                <h2 id="hist-title" class="card-title">"History"</h2>
                                {if d.chart.is_empty() {
                                    view! { <EmptyState title="No data yet" message="Progress appears as soon as there is data for this goal."/> }.into_any()
                                } else {
                                    view! { <ChartBox svg=d.chart.clone()/> }.into_any()
                                }}
                                <details class="chart-table">
                                    <summary>"Show as a table"</summary>
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                                        <table class="table">
                                            <thead><tr><th scope="col">"Period"</th><th scope="col" class="num">"Value"</th><th scope="col">"Met"</th></tr></thead>
                                            <tbody>
                                                {d.history.iter().map(|(p, v, m)| view! {
                                                    <tr><td>{p.clone()}</td><td class="num">{v.clone()}</td><td>{if *m { "✓" } else { "" }}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                </details>
                            </section>
                            <section class="card danger-zone" aria-labelledby="manage-title">
                                <h2 id="manage-title" class="card-title">"Archive or delete"</h2>
                                <ActionForm action=archive attr:class="inline-form">
                                    <input type="hidden" name="id" value=arch_id/>
                                    <input type="hidden" name="archived" value=if c.archived { "false" } else { "true" }/>
                                    <button type="submit" class="btn btn-secondary">{if c.archived { "Restore" } else { "Archive (keeps it)" }}</button>
                                </ActionForm>
                                <ActionForm action=delete attr:class="stack delete-form">
                                    <input type="hidden" name="id" value=del_id/>
                                    <label class="check"><input type="checkbox" name="confirm" value="delete"/>" Delete this goal for good."</label>
                                    <p class="field-error">{move || field_error(delete_error, "confirm").get()}</p>
                                    <button type="submit" class="btn btn-danger">"Delete goal"</button>
                                </ActionForm>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
