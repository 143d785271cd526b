use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::FormField;
use leptos_router::hooks::use_params_map;

use super::page::HabitFields;
use super::server_fns::{
    get_habit, ArchiveHabit, CheckHabit, DeleteHabit, HabitDetail, UpdateHabit,
};
use crate::health::pages::query_param;
use crate::ui::{action_error, field_error, Access, ErrorPanel, FormError, Guarded, Submit};
use crate::wellness::views::{MonthCalendar, YearPixels};

#[component]
pub fn HabitPage() -> impl IntoView {
    view! {
        <Title text="Habit"/>
        <Guarded access=Access::Member page=|_| view! { <Habit/> }/>
    }
}

#[component]
fn Habit() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let (month, year) = (query_param("month"), query_param("year"));
    let check = ServerAction::<CheckHabit>::new();
    let update = ServerAction::<UpdateHabit>::new();
    let archive = ServerAction::<ArchiveHabit>::new();
    let delete = ServerAction::<DeleteHabit>::new();
    let data = Resource::new(
        move || {
            (
                check.version().get(),
                update.version().get(),
                archive.version().get(),
                id.get(),
                month.get(),
                year.get(),
            )
        },
        |(.., id, m, y)| get_habit(id, m, y.and_then(|y| y.parse().ok())),
    );
    view! {
        <p class="breadcrumb"><a href="/habits">"‹ Habits"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <HabitBody d=d check=check update=update archive=archive delete=delete/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HabitBody(
    d: HabitDetail,
    check: ServerAction<CheckHabit>,
    update: ServerAction<UpdateHabit>,
    archive: ServerAction<ArchiveHabit>,
    delete: ServerAction<DeleteHabit>,
) -> impl IntoView {
    let c = d.card.clone();
    let id = c.id.clone();
    let check_error = action_error(check);
    let update_error = action_error(update);
    let delete_error = action_error(delete);
    let active = !c.archived;
    let (cal_id, note_id, edit_id, arch_id, del_id) =
        (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
    let year = d.year;
    let month_nav = move |first: &str| format!("/habits/{}?month={first}", cal_id);
    let year_id = id.clone();
    let weekly = c.weekly_target.is_some();
    let header = match c.week_progress() {
        Some(p) => format!("{} · {p}", c.schedule),
        None => c.schedule.clone(),
    };
    let (current_unit, longest_unit) = (c.units(c.current_streak), c.units(c.longest_streak));
    // A weekly target asks for check-ins in a week, so no single day is marked missed.
    let legend = if weekly {
        vec![(4, "Done".to_string()), (0, "No check-in".to_string())]
    } else {
        vec![
            (4, "Done".to_string()),
            (1, "Missed".to_string()),
            (0, "Not scheduled".to_string()),
        ]
    };
    // The edit form: a weekly target shows as "Times a week", with no day ticked.
    let form_days = if weekly {
        vec![]
    } else {
        d.target_days.clone()
    };
    let form_times = d.times_per_week.unwrap_or(3);
    view! {
        <Title text=c.name.clone()/>
        <header class=format!("page-header habit-{}", c.color)>
            <h1><span aria-hidden="true">{c.icon.clone()}" "</span>{c.name.clone()}</h1>
            <p class="muted">{header}{c.archived.then_some(" · archived")}</p>
        </header>
        <div class="stat-row habit-stats">
            <div class="card-figure"><span class="tile-label">"Current streak"</span><span class="tile-value num">{c.current_streak}</span><span class="muted small">{current_unit}</span></div>
            <div class="card-figure"><span class="tile-label">"Longest"</span><span class="tile-value num">{c.longest_streak}</span><span class="muted small">{longest_unit}</span></div>
            <div class="card-figure"><span class="tile-label">"Strength"</span><span class="tile-value num">{format!("{}%", c.strength)}</span></div>
            <div class="card-figure"><span class="tile-label">"Check-ins"</span><span class="tile-value num">{d.total_done}</span></div>
        </div>
        {move || check_error.get().and_then(|e| e.form_message().or_else(|| e.for_field("date")).or_else(|| e.for_field("note")))
            .map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <div class="card-grid two">
            <section class=format!("card habit-{}", c.color) aria-labelledby="cal-title">
                <h2 id="cal-title" class="card-title">"Calendar"</h2>
                <p class="muted small">"Tap a day to check or uncheck it."</p>
                <MonthCalendar month=d.month.clone() nav=month_nav cell=move |cell| {
                    let cell_id = id.clone();
                    let class = format!("month-cell level-{}{}{}", cell.level, if cell.today { " today" } else { "" }, if cell.future { " future" } else { "" });
                    if cell.future || !active {
                        view! { <span class=class title=cell.label.clone()>{cell.day}</span> }.into_any()
                    } else {
                        let done = cell.level == 4;
                        view! {
                            <ActionForm action=check attr:class="inline-form">
                                <input type="hidden" name="id" value=cell_id.clone()/>
                                <input type="hidden" name="date" value=cell.date.clone()/>
                                <input type="hidden" name="done" value=if done { "false" } else { "true" }/>
                                <button type="submit" class=class aria-pressed=if done { "true" } else { "false" } aria-label=cell.label.clone()>{cell.day}</button>
                            </ActionForm>
                        }.into_any()
                    }
                }/>
            </section>
            <section class="card" aria-labelledby="note-title">
                <h2 id="note-title" class="card-title">"Check in with a note"</h2>
                <ActionForm action=check attr:class="stack" attr:novalidate=true>
                    <input type="hidden" name="id" value=note_id/>
                    <input type="hidden" name="done" value="true"/>
                    <div class="field">
                        <label for="check-date">"Day"</label>
                        <input id="check-date" type="date" name="date"/>
                        <p class="hint">"Leave empty for today."</p>
                        <p class="field-error">{move || field_error(check_error, "date").get()}</p>
                    </div>
                    <FormField label="Note" name="note" maxlength=500 error=field_error(check_error, "note")/>
                    <Submit label="Mark done" pending=check.pending() secondary=true/>
                </ActionForm>
                {(!d.notes.is_empty()).then(|| view! {
                    <h3 class="small">"Recent notes"</h3>
                    <ul class="plain-list small">
                        {d.notes.iter().map(|(day, n)| view! { <li><span class="muted">{day.clone()}": "</span>{n.clone()}</li> }).collect_view()}
                    </ul>
                })}
            </section>
        </div>
        <section class=format!("card habit-{}", c.color) aria-labelledby="year-title">
            <div class="card-head">
                <h2 id="year-title" class="card-title">{format!("{year}: {} check-ins", d.year_done)}</h2>
                <nav class="tabs" aria-label="Year">
                    <a class="tab" href=format!("/habits/{year_id}?year={}", year - 1)>{format!("‹ {}", year - 1)}</a>
                </nav>
            </div>
            <YearPixels rows=d.year_rows.clone() caption=format!("{} in {year}: {} days done", c.name, d.year_done)
                legend=legend class="habit-pixels"/>
        </section>
        <details class="card">
            <summary class="card-title">"Edit habit"</summary>
            <ActionForm action=update attr:class="stack" attr:novalidate=true>
                <FormError error=update_error/>
                <input type="hidden" name="id" value=edit_id/>
                <HabitFields error=update_error name=c.name.clone() icon=c.icon.clone() color=c.color.clone() frequency=d.frequency.clone() days=form_days times=form_times/>
                <Submit label="Save changes" pending=update.pending()/>
                <Show when=move || crate::ui::action_done(update).get()>
                    <p class="alert alert-success" role="status">"Saved."</p>
                </Show>
            </ActionForm>
        </details>
        <section class="card danger-zone" aria-labelledby="manage-title">
            <h2 id="manage-title" class="card-title">"Archive or delete"</h2>
            <ActionForm action=archive attr:class="inline-form">
                <input type="hidden" name="id" value=arch_id/>
                <input type="hidden" name="archived" value=if active { "true" } else { "false" }/>
                <button type="submit" class="btn btn-secondary">{if active { "Archive (keeps history)" } else { "Restore" }}</button>
            </ActionForm>
            <ActionForm action=delete attr:class="stack delete-form">
                <input type="hidden" name="id" value=del_id/>
                <label class="check"><input type="checkbox" name="confirm" value="delete"/>" I understand every check-in of this habit is deleted."</label>
                <p class="field-error">{move || field_error(delete_error, "confirm").get()}</p>
                <button type="submit" class="btn btn-danger">"Delete habit"</button>
            </ActionForm>
        </section>
    }
}
