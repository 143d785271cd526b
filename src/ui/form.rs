//! Form pieces: a labelled field with its inline error, a form-level message and a submit
//! button that shows progress. Errors come from the server function's `AppError`, which also
//! reaches the page after a plain (JavaScript-free) form post.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// The last error of a server action, as a signal.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// Whether an action just succeeded: in the browser its value, after a plain form post the
/// `?__done=` mark the server puts on the way back to the page.
pub fn action_done<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let posted = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("__done"))
        .is_some_and(|p| p == S::PATH);
    Signal::derive(move || posted || matches!(action.value().get(), Some(Ok(_))))
}

/// Clears a form once its action succeeds (so a second click doesn't repeat the action with stale
/// input). Runs in the browser only; after a plain form post the page reloads empty anyway.
pub fn reset_on_success<S>(action: ServerAction<S>, form: NodeRef<leptos::html::Form>)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            if let Some(form) = form.get() {
                form.reset();
            }
        }
    });
}

/// The message for one field out of an action's error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
}

#[component]
pub fn FormField(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] readonly: bool,
    #[prop(optional)] list: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional, into)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = match hint {
        Some(_) => format!("{id}-error {id}-hint"),
        None => format!("{id}-error"),
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type=kind
                name=name
                value=value
                autocomplete=autocomplete
                list=list
                maxlength=maxlength
                inputmode=inputmode
                placeholder=placeholder
                required=required
                readonly=readonly
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-error") aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}

/// A message about the whole form (wrong password, conflict, server trouble).
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Show when=move || error.get().and_then(|e| e.form_message()).is_some()>
            <div class="alert alert-error" role="alert">
                {move || error.get().and_then(|e| e.form_message())}
            </div>
        </Show>
    }
}

#[component]
pub fn Submit(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(optional)] secondary: bool,
) -> impl IntoView {
    let class = if secondary {
        "btn btn-secondary"
    } else {
        "btn btn-primary"
    };
    view! {
        <button type="submit" class=class aria-busy=move || pending.get().then_some("true") disabled=move || pending.get()>
            {label}
        </button>
    }
}
