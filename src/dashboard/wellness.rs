//! The Today screen's wellness section: water with quick-add, habits due today, today's mood
//! (or a one-tap prompt) and goals' progress; each links to its own screen.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::goals::model::GoalCard;
use crate::goals::GoalProgressList;
use crate::habits::server_fns::{CheckHabit, HabitCard};
use crate::habits::HabitCheck;
use crate::hydration::server_fns::{AddWater, WaterToday};
use crate::hydration::WaterQuickAdd;
use crate::mood::server_fns::{AddMood, MoodToday};
use crate::mood::MoodPicker;
use crate::ui::ErrorPanel;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WellnessToday {
    pub water: WaterToday,
    pub habits: Vec<HabitCard>,
    /// Whether the user has any active habit (due today or not).
    pub has_habits: bool,
    pub mood: MoodToday,
    pub goals: Vec<GoalCard>,
}

#[server(endpoint = "dashboard/wellness")]
pub async fn get_wellness_today() -> Result<WellnessToday, AppError> {
    let ctx = crate::platform::request::RequestCtx::capture()?;
    let auth = ctx.require_user()?;
    let tz = crate::health::local_time::zone(&auth.user.timezone);
    let (db, user) = (ctx.db(), auth.user.id.as_str());
    let (habits, has_habits) = crate::habits::server_fns::due_today(db, user, tz).await?;
    Ok(WellnessToday {
        water: crate::hydration::server_fns::water_today(db, user, tz).await?,
        habits,
        has_habits,
        mood: crate::mood::server_fns::mood_today(db, user, tz).await?,
        goals: crate::goals::service::active_goal_cards(db, user, tz, &auth.user.units).await?,
    })
}

#[component]
pub fn WellnessSection() -> impl IntoView {
    let add_water = ServerAction::<AddWater>::new();
    let check = ServerAction::<CheckHabit>::new();
    let add_mood = ServerAction::<AddMood>::new();
    let data = Resource::new(
        move || {
            (
                add_water.version().get(),
                check.version().get(),
                add_mood.version().get(),
            )
        },
        |_| get_wellness_today(),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(w) => {
                        let done = w.habits.iter().filter(|h| h.done_today).count();
                        let total = w.habits.len();
                        view! {
                            <div class="card-grid two wellness-today">
                                <section class="card" aria-labelledby="w-water">
                                    <div class="card-head">
                                        <h2 id="w-water" class="card-title"><a href="/water">"Water"</a></h2>
                                    </div>
                                    <WaterQuickAdd today=w.water.clone() add=add_water/>
                                </section>
                                <section class="card" aria-labelledby="w-mood">
                                    <div class="card-head">
                                        <h2 id="w-mood" class="card-title"><a href="/mood">"Mood"</a></h2>
                                    </div>
                                    {match w.mood.latest.clone() {
                                        Some(m) => view! {
                                            <p class="mood-today"><span class="mood-emoji" aria-hidden="true">{m.emoji.clone()}</span>
                                                {format!(" Feeling {} · {}", m.word, m.when)}</p>
                                            <p class="muted small">"Changed since? Tap again:"</p>
                                            <MoodPicker add=add_mood/>
                                        }.into_any(),
                                        None => view! {
                                            <p>"How do you feel today?"</p>
                                            <MoodPicker add=add_mood/>
                                        }.into_any(),
                                    }}
                                </section>
                                <section class="card" aria-labelledby="w-habits">
                                    <div class="card-head">
                                        <h2 id="w-habits" class="card-title"><a href="/habits">"Habits"</a></h2>
                                        {(total > 0).then(|| view! { <span class="muted small">{format!("{done} of {total} done")}</span> })}
                                    </div>
                                    {if total == 0 {
                                        if w.has_habits {
                                            view! { <p class="muted">"Nothing scheduled today. "<a href="/habits">"All habits"</a></p> }.into_any()
                                        } else {
                                            view! { <p class="muted">"No habits yet. "<a href="/habits">"Add a habit"</a></p> }.into_any()
                                        }
                                    } else {
                                        view! { <ul class="plain-list habit-list">
                                            {w.habits.clone().into_iter().map(|h| view! { <HabitCheck h=h check=check compact=true/> }).collect_view()}
                                        </ul> }.into_any()
                                    }}
                                </section>
                                <section class="card" aria-labelledby="w-goals">
                                    <div class="card-head">
                                        <h2 id="w-goals" class="card-title"><a href="/goals">"Goals"</a></h2>
                                    </div>
                                    {if w.goals.is_empty() {
                                        view! { <p class="muted">"No goals yet. "<a href="/goals">"Set a goal"</a></p> }.into_any()
                                    } else {
                                        view! { <GoalProgressList goals=w.goals.clone()/> }.into_any()
                                    }}
                                </section>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
