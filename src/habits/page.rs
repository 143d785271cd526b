use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{list_habits, ArchiveHabit, CheckHabit, CreateHabit, HabitCard};
use super::{COLORS, PRESETS};
use crate::error::AppError;
use crate::ui::{
    action_done, action_error, field_error, reset_on_success, Access, EmptyState, ErrorPanel,
    FormError, Guarded, Submit,
};

#[component]
pub fn HabitsPage() -> impl IntoView {
    view! {
        <Title text="Habits"/>
        <Guarded access=Access::Member page=|_| view! { <Habits/> }/>
    }
}

/// One habit with its one-tap check button (here and on the Today screen).
#[component]
pub fn HabitCheck(
    h: HabitCard,
    check: ServerAction<CheckHabit>,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let next = if h.done_today { "false" } else { "true" };
    let label = if h.done_today {
        format!("{}: done today. Tap to undo.", h.name)
    } else {
        format!("Mark {} done today", h.name)
    };
    let (id, href) = (h.id.clone(), format!("/habits/{}", h.id));
    let streak = match h.current_streak {
        0 => String::new(),
        n => format!("🔥 {n}"),
    };
    let streak_label = (h.current_streak > 0).then(|| h.streak_label());
    let streak_title = streak_label.clone();
    let weekly = h.weekly_target.is_some();
    view! {
        <li class=format!("habit-row habit-{}", h.color) class:habit-done=h.done_today>
            <ActionForm action=check attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="done" value=next/>
                <button type="submit" class="habit-check" aria-pressed=if h.done_today { "true" } else { "false" } aria-label=label>
                    <span aria-hidden="true">{if h.done_today { "✓" } else { "" }}</span>
                </button>
            </ActionForm>
            <a class="habit-name" href=href>
                <span class="habit-icon" aria-hidden="true">{h.icon.clone()}</span>
                <span>{h.name.clone()}</span>
            </a>
            {h.week_progress().map(|p| {
                // "3× a week · 2 of 3 this week" (the Today screen's compact rows: the count).
                let text = if compact { p } else { format!("{} · {p}", h.schedule) };
                view! { <span class="habit-target muted small">{text}</span> }
            })}
            <span class="habit-streak num" title=streak_title>
                <span aria-hidden="true">{streak}</span>
                <span class="sr-only">{streak_label}</span>
            </span>
            {(!compact).then(|| view! {
                <span class="habit-week" aria-label="Last seven days">
                    {h.week.iter().map(|(dow, date, due, done)| {
                        let class = if *done { "week-dot done" } else if *due { "week-dot due" } else { "week-dot" };
                        let title = format!("{dow} {date}: {}", if *done { "done" } else if *due { "not done" } else if weekly { "no check-in" } else { "not scheduled" });
                        let sr = title.clone();
                        view! { <span class=class title=title><span class="sr-only">{sr}</span></span> }
                    }).collect_view()}
                </span>
            })}
        </li>
    }
}

#[component]
fn Habits() -> impl IntoView {
    let check = ServerAction::<CheckHabit>::new();
    let create = ServerAction::<CreateHabit>::new();
    let archive = ServerAction::<ArchiveHabit>::new();
    let data = Resource::new(
        move || {
            (
                check.version().get(),
                create.version().get(),
                archive.version().get(),
            )
        },
        |_| list_habits(),
    );
    let create_error = action_error(create);
    let check_error = Signal::derive(move || action_error(check).get().map(|e| e.to_string()));
    view! {
        <header class="page-header">
            <h1>"Habits"</h1>
            <p class="muted">"Check off what you did. Days a habit is not scheduled never break its streak; a weekly target counts whole weeks."</p>
        </header>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let none = v.due.is_empty() && v.other.is_empty();
                        let archived = v.archived.clone();
                        view! {
                            {move || check_error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                            <section class="card" aria-labelledby="due-title">
                                <h2 id="due-title" class="card-title">{format!("Today · {}", v.today)}</h2>
                                {if none {
                                    view! { <EmptyState title="No habits yet" message="Start with one small habit below: a preset is one tap."/> }.into_any()
                                } else if v.due.is_empty() {
                                    view! { <p class="muted">"Nothing is scheduled today. Enjoy the rest."</p> }.into_any()
                                } else {
                                    let done = v.due.iter().filter(|h| h.done_today).count();
                                    view! {
                                        <p class="muted small">{format!("{done} of {} done", v.due.len())}</p>
                                        <ul class="plain-list habit-list">
                                            {v.due.iter().cloned().map(|h| view! { <HabitCheck h=h check=check/> }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </section>
                            {(!v.other.is_empty()).then(|| view! {
                                <section class="card" aria-labelledby="other-title">
                                    <h2 id="other-title" class="card-title">"Not due today"</h2>
                                    <ul class="plain-list habit-list">
                                        {v.other.iter().cloned().map(|h| view! { <HabitCheck h=h check=check/> }).collect_view()}
                                    </ul>
                                </section>
                            })}
                            <NewHabit create=create error=create_error open=none/>
                            {(!archived.is_empty()).then(move || view! {
                                <details class="card archived">
                                    <summary class="card-title">{format!("Archived ({})", archived.len())}</summary>
                                    <ul class="plain-list">
                                        {archived.clone().into_iter().map(|h| view! {
                                            <li class="list-row">
                                                <a href=format!("/habits/{}", h.id)>{format!("{} {}", h.icon, h.name)}</a>
                                                <ActionForm action=archive attr:class="inline-form">
                                                    <input type="hidden" name="id" value=h.id.clone()/>
                                                    <input type="hidden" name="archived" value="false"/>
                                                    <button type="submit" class="btn btn-ghost">"Restore"</button>
                                                </ActionForm>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </details>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewHabit(
    create: ServerAction<CreateHabit>,
    error: Signal<Option<AppError>>,
    open: bool,
) -> impl IntoView {
    // After a plain form post the page comes back rendered empty; in the browser (should this
    // become an island) the form is cleared once the habit exists, so a second click cannot
    // create a duplicate from stale input; autocomplete off keeps the browser from bringing
    // typed values back when going Back to the page.
    let form = NodeRef::new();
    reset_on_success(create, form);
    let created = action_done(create);
    view! {
        <section class="card" aria-labelledby="new-title">
            <h2 id="new-title" class="card-title">"New habit"</h2>
            <div class="presets" role="group" aria-label="Presets">
                {PRESETS.iter().map(|(name, icon, freq)| view! {
                    <ActionForm action=create attr:class="inline-form">
                        <input type="hidden" name="name" value=*name/>
                        <input type="hidden" name="icon" value=*icon/>
                        <input type="hidden" name="frequency" value=*freq/>
                        <button type="submit" class="chip">{format!("{icon} {name}")}</button>
                    </ActionForm>
                }).collect_view()}
            </div>
            <Show when=move || created.get() && error.get().is_none()>
                <p class="alert alert-success" role="status">"Habit created."</p>
            </Show>
            <details open=move || open || error.get().is_some()>
                <summary class="btn btn-ghost">"Your own habit"</summary>
                <ActionForm action=create node_ref=form attr:class="stack" attr:novalidate=true attr:autocomplete="off">
                    <FormError error=error/>
                    <HabitFields error=error name="" icon="" color="blue" frequency="daily" days=vec![]/>
                    <Submit label="Create habit" pending=create.pending()/>
                </ActionForm>
            </details>
        </section>
    }
}

/// The fields shared by the new-habit and edit forms. `frequency` is `daily`, `weekdays`,
/// `custom` or `weekly` (a weekly target of `times` check-ins).
#[component]
pub fn HabitFields(
    error: Signal<Option<AppError>>,
    #[prop(into)] name: String,
    #[prop(into)] icon: String,
    #[prop(into)] color: String,
    #[prop(into)] frequency: String,
    days: Vec<u8>,
    #[prop(default = 3)] times: u32,
) -> impl IntoView {
    const DAYS: [(u8, &str); 7] = [
        (1, "Mon"),
        (2, "Tue"),
        (3, "Wed"),
        (4, "Thu"),
        (5, "Fri"),
        (6, "Sat"),
        (0, "Sun"),
    ];
    let freq = frequency.clone();
    view! {
        <div class="field-row">
            <div class="field grow">
                <label for="habit-name">"Name"</label>
                <input id="habit-name" name="name" value=name maxlength="100" aria-invalid=move || field_error(error, "name").get().map(|_| "true")/>
                <p class="field-error">{move || field_error(error, "name").get()}</p>
            </div>
            <div class="field narrow">
                <label for="habit-icon">"Icon"</label>
                <input id="habit-icon" name="icon" value=icon placeholder="✅" maxlength="8"/>
                <p class="field-error">{move || field_error(error, "icon").get()}</p>
            </div>
        </div>
        <fieldset class="field">
            <legend>"Colour"</legend>
            <div class="color-choices">
                {COLORS.iter().map(|c| view! {
                    <label class=format!("color-choice habit-{c}")>
                        <input type="radio" name="color" value=*c checked=color == *c/>
                        <span class="sr-only">{*c}</span>
                    </label>
                }).collect_view()}
            </div>
            <p class="field-error">{move || field_error(error, "color").get()}</p>
        </fieldset>
        <fieldset class="field">
            <legend>"How often"</legend>
            <div class="segmented">
                {[("daily", "Every day"), ("weekdays", "Weekdays"), ("custom", "Chosen days"), ("weekly", "Times a week")].into_iter().map(|(v, l)| view! {
                    <label><input type="radio" name="frequency" value=v checked=freq == v/>" "{l}</label>
                }).collect_view()}
            </div>
            <div class="day-choices" role="group" aria-label="Chosen days (for “Chosen days”)">
                {DAYS.iter().map(|(d, l)| view! {
                    <label class="day-choice"><input type="checkbox" name=format!("d{d}") value="on" checked=days.contains(d)/>" "{*l}</label>
                }).collect_view()}
            </div>
            <p class="field-error">{move || field_error(error, "frequency").get()}</p>
            <div class="field narrow">
                <label for="habit-times">"How many times (for “Times a week”)"</label>
                <input id="habit-times" type="number" name="times_per_week" value=times.to_string() min="1" max="6" step="1" inputmode="numeric"
                    aria-describedby="habit-times-hint"
                    aria-invalid=move || field_error(error, "times_per_week").get().map(|_| "true")/>
                <p class="hint" id="habit-times-hint">"1 to 6 check-ins, any days from Monday to Sunday."</p>
                <p class="field-error">{move || field_error(error, "times_per_week").get()}</p>
            </div>
        </fieldset>
    }
}
