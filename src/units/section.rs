//! The Units card of the Settings page.

use leptos::prelude::*;

use super::server_fns::{get_units, SaveUnits};
use super::{Quantity, System, Units};
use crate::ui::{action_error, field_error, ErrorPanel, FormError, Submit};

#[component]
pub fn UnitsSection() -> impl IntoView {
    let save = ServerAction::<SaveUnits>::new();
    let units = Resource::new(move || save.version().get(), |_| get_units());
    let error = action_error(save);
    let saved = crate::ui::action_done(save);
    view! {
        <section class="card" aria-labelledby="units-title">
            <h2 id="units-title" class="card-title">"Units"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match units.await {
                        Ok(u) => view! { <UnitsForm units=u action=save/> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <FormError error=error/>
            <Show when=move || saved.get()><p class="alert alert-success" role="status">"Units saved."</p></Show>
        </section>
    }
}

#[component]
fn UnitsForm(units: Units, action: ServerAction<SaveUnits>) -> impl IntoView {
    let error = action_error(action);
    let imperial = units.system == System::Imperial;
    view! {
        <ActionForm action=action attr:class="stack" attr:novalidate=true>
            <fieldset class="field unit-system">
                <legend>"Measurement system"</legend>
                    <label class="check">
                        <input type="radio" name="system" value="metric" checked=!imperial/>
                        " Metric (km, kg, °C, ml)"
                    </label>
                    <label class="check">
                        <input type="radio" name="system" value="imperial" checked=imperial/>
                        " Imperial (mi, lb, °F, fl oz)"
                    </label>
                <p class="field-error">{move || field_error(error, "system").get()}</p>
            </fieldset>
            {Quantity::ALL.into_iter().map(|q| {
                let id = format!("unit-{}", q.key());
                let chosen = units.override_for(q);
                let options = [System::Metric, System::Imperial].map(|s| q.unit_in(s));
                view! {
                    <div class="field">
                        <label for=id.clone()>{q.label()}</label>
                        <select id=id name=q.key()>
                            <option value="" selected=chosen.is_none()>"Follow the system"</option>
                            {options.into_iter().map(|u| view! {
                                <option value=u.as_str() selected=chosen == Some(u)>{u.name()}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error">{move || field_error(error, q.key()).get()}</p>
                    </div>
                }
            }).collect_view()}
            <p class="muted small">"Pages, charts and CSV downloads use these units. Data is stored, and the API answers, in metric units."</p>
            <Submit label="Save units" pending=action.pending()/>
        </ActionForm>
    }
}
