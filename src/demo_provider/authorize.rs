//! The demo provider's authorization endpoint: a consent page for the signed-in user, and the
//! decision that sends the browser back to VitaSync's callback with a code (or `access_denied`).
//! Requests naming another client or another redirect URI get an error page and are never
//! redirected anywhere.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use chrono::Utc;

use super::grants;
use crate::connections::providers::demo::{CLIENT_ID, INFO, SCOPES};
use crate::connections::routes::{base_url, callback_url};
use crate::platform::request::Authenticated;
use crate::platform::state::AppState;
use crate::ui::theme::HEAD_SCRIPT;

/// The parameters of an authorization request, checked.
struct Request {
    redirect_uri: String,
    state: String,
    code_challenge: String,
    scope: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{} · VitaSync Demo</title>\
         <script>{HEAD_SCRIPT}</script><link rel=\"stylesheet\" href=\"{css}\">\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\"></head><body>\
         <main class=\"auth-page\"><div class=\"auth-card\">\
         <div class=\"auth-brand\"><span aria-hidden=\"true\">⌚</span> VitaSync Demo · authorization</div>\
         {body}</div></main></body></html>",
        esc(title),
        css = crate::ui::assets::Assets::stylesheet(),
    );
    let mut res = (status, Html(html)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn refuse(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Invalid request",
        &format!(
            "<h1>This authorization request is not valid</h1><p class=\"muted\">{}</p>\
             <p><a class=\"btn btn-secondary\" href=\"/connections\">Back to Connections</a></p>",
            esc(reason)
        ),
    )
}

/// Checks a request; `Err` says what is wrong with it.
fn check(
    state: &AppState,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
) -> Result<Request, &'static str> {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != CLIENT_ID {
        return Err("The application asking for access is not known to the demo provider.");
    }
    let expected = callback_url(&base_url(state, headers), "demo");
    if get("redirect_uri") != expected {
        return Err("The address to return to is not this server's demo callback.");
    }
    if get("response_type") != "code" {
        return Err("Only the authorization code flow is supported.");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").len() != 43 {
        return Err("A PKCE code challenge (S256) is required.");
    }
    if get("state").is_empty() {
        return Err("The request has no state value.");
    }
    Ok(Request {
        redirect_uri: expected,
        state: get("state").to_string(),
        code_challenge: get("code_challenge").to_string(),
        scope: get("scope").to_string(),
    })
}

fn redirect(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

fn scope_label(scope: &str) -> &'static str {
    match scope {
        "activity" => "Steps, active minutes, calories and workouts",
        "heart" => "Heart rate, resting heart rate, HRV, blood pressure and stress",
        "sleep" => "Sleep duration, stages, scores and breathing rate",
        "body" => "Weight, body fat and BMI",
        _ => "Other data",
    }
}

pub async fn consent_page(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    uri: axum::http::Uri,
) -> Response {
    let Some(Extension(auth)) = auth else {
        let next: String = url::form_urlencoded::byte_serialize(
            uri.path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
                .as_bytes(),
        )
        .collect();
        return redirect(&format!("/login?next={next}"));
    };
    let req = match check(&state, &headers, &q) {
        Ok(r) => r,
        Err(reason) => return refuse(reason),
    };
    let requested: Vec<&str> = req
        .scope
        .split_whitespace()
        .filter(|s| SCOPES.contains(s))
        .collect();
    let items: String = requested
        .iter()
        .map(|s| format!("<li>{}</li>", esc(scope_label(s))))
        .collect();
    let hidden: String = [
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .map(|k| {
        format!(
            "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
            esc(q.get(*k).map(String::as_str).unwrap_or(""))
        )
    })
    .collect();
    let body = format!(
        "<h1>Allow VitaSync to read your {name} data?</h1>\
         <p class=\"muted\">Signed in as {who}. {name} is a pretend device served by this server; \
         its readings are generated, not measured.</p>\
         <p>VitaSync will be able to read:</p><ul class=\"consent-scopes\">{items}</ul>\
         <form method=\"post\" action=\"/demo-provider/authorize\" class=\"stack\">{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"allow\" class=\"btn btn-primary\">Allow access</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"btn btn-secondary\">Deny</button>\
         </form><p class=\"small muted\">You can disconnect at any time on the Connections page.</p>",
        name = esc(INFO.name),
        who = esc(&auth.user.email),
    );
    page(StatusCode::OK, "Allow access", &body)
}

pub async fn decide(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(Extension(auth)) = auth else {
        return redirect("/login?next=/connections");
    };
    let req = match check(&state, &headers, &form) {
        Ok(r) => r,
        Err(reason) => return refuse(reason),
    };
    let state_q: String = url::form_urlencoded::byte_serialize(req.state.as_bytes()).collect();
    if form.get("decision").map(String::as_str) != Some("allow") {
        return redirect(&format!(
            "{}?error=access_denied&state={state_q}",
            req.redirect_uri
        ));
    }
    let scope: Vec<&str> = req
        .scope
        .split_whitespace()
        .filter(|s| SCOPES.contains(s))
        .collect();
    match grants::create(
        &state.db,
        &auth.user.id,
        CLIENT_ID,
        &req.redirect_uri,
        &scope.join(" "),
        &req.code_challenge,
        Utc::now(),
    )
    .await
    {
        Ok(code) => redirect(&format!("{}?code={code}&state={state_q}", req.redirect_uri)),
        Err(e) => {
            tracing::error!(error = %e, "demo provider could not store a grant");
            refuse("Something went wrong on our side. Please try again.")
        }
    }
}
