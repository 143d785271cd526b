//! 404, 403 and error pages that look like the rest of the product and set the right status.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
fn set_status(code: u16) {
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(
            http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
}

#[cfg(not(feature = "ssr"))]
fn set_status(_code: u16) {}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <main id="main" class="status-page">
            <p class="status-code">"404"</p>
            <h1>"Page not found"</h1>
            <p class="muted">"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <a class="btn btn-primary" href="/">"Go to Today"</a>
        </main>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(403);
    view! {
        <section class="status-page" aria-labelledby="forbidden-title">
            <p class="status-code">"403"</p>
            <h1 id="forbidden-title">"You don't have access to this page"</h1>
            <p class="muted">"This page is for workspace admins. Ask an admin if you need something changed."</p>
            <a class="btn btn-primary" href="/">"Back to Today"</a>
        </section>
    }
}

/// An error shown in place of a page's content.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let code = match &error {
        AppError::NotFound(_) => 404,
        AppError::Forbidden => 403,
        AppError::Unauthenticated => 401,
        AppError::Conflict(_) => 409,
        AppError::TooManyRequests(_) => 429,
        AppError::Invalid { .. } => 400,
        AppError::Internal | AppError::Transport(_) => 500,
    };
    set_status(code);
    let title = match code {
        404 => "Not found",
        409 => "This can't be done",
        500 => "Something went wrong",
        _ => "Sorry",
    };
    view! {
        <section class="status-page" role="alert">
            <h1>{title}</h1>
            <p class="muted">{error.to_string()}</p>
            <a class="btn btn-secondary" href="/">"Back to Today"</a>
        </section>
    }
}
