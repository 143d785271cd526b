//! Starting a connection, once for both doors: the browser's `POST /connections/{provider}/connect`
//! (the signed-in person, bound to their session and a cookie) and the REST API's
//! `POST /v1/users/{userId}/connections` (a platform, sending its user back to its own page).
//! Both check the provider (and the API its return URL). The app builds the authorization
//! request and saves its OAuth state at once; the API hands back a VitaSync page that names the
//! workspace and person first (see [`handoff`]), and builds it when the person continues.

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Duration, Utc};
use url::Url;

use super::handoff;
use super::oauth;
use super::oauth_state::{self, NewState, Origin};
use crate::platform::ids::random_token;
use crate::platform::state::AppState;

/// The address the browser used to reach us: the public URL when configured, else its Host.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(origin) = state.config.public_origin() {
        return origin;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:3000");
    format!("http://{host}")
}

pub fn callback_url(base: &str, provider_id: &str) -> String {
    format!("{base}/connections/{provider_id}/callback")
}

/// Who starts a connection.
#[derive(Clone, Copy, Debug)]
pub enum Starter<'a> {
    /// The person, signed in, in this browser: the state belongs to this session and to the
    /// cookie value handed back in [`Started::browser_value`].
    Session { auth_session_id: &'a str },
    /// A platform through the REST API: `return_url`, as it was sent (checked here), is where
    /// its user goes back to afterwards.
    Api { return_url: &'a str },
}

/// Why nothing was started (and nothing stored). The API reports every problem found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No provider of that id here.
    UnknownProvider,
    /// A provider this server knows, without client credentials.
    NotConfigured,
    /// The return URL is not an absolute http(s) URL of at most 2000 characters (API only).
    ReturnUrl,
}

#[derive(Debug)]
pub enum FlowError {
    /// Refused before anything was stored, in the order found: the provider, then the return URL.
    Refused(Vec<Problem>),
    /// The OAuth state could not be saved.
    Store(sqlx::Error),
}

/// A started connection.
#[derive(Debug)]
pub struct Started {
    /// Where to send a browser that is on this server (relative when the next page is here).
    location: String,
    /// The same place as an absolute URL, to hand on.
    url: String,
    /// The link stops working after this moment.
    pub expires_at: DateTime<Utc>,
    /// A browser start: the value of the state cookie to set.
    pub browser_value: Option<String>,
}

impl Started {
    /// Where to send a browser that is on this server: the provider's consent page, or a page
    /// of this server (the demo provider's consent page), wherever the browser reached it.
    pub fn location(&self) -> String {
        self.location.clone()
    }

    /// The next page as an absolute URL, to hand on: for an API start, this server's handoff
    /// page at the address the platform used (as the callback is).
    pub fn url(&self) -> String {
        self.url.clone()
    }
}

/// A return URL a platform may send its user back to.
fn return_url(raw: &str) -> Option<Url> {
    Url::parse(raw).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host().is_some()
            && u.username().is_empty()
            && u.password().is_none()
            && u.as_str().len() <= 2000
    })
}

/// Starts connecting `provider_id` for the person `user_id`: checks the provider (and an API
/// start's return URL). A start in the app builds the authorization request with `base` (this
/// server's address as the starter reached it, see [`base_url`]) in its callback and saves its
/// OAuth state; a start through the API stores a [`handoff`] whose page names the workspace and
/// person before the authorization is built.
pub async fn start(
    state: &AppState,
    user_id: &str,
    provider_id: &str,
    base: &str,
    starter: Starter<'_>,
) -> Result<Started, FlowError> {
    let registry = &state.engine().registry;
    let mut problems = Vec::new();
    let provider = registry.get(provider_id);
    let configured = provider.as_ref().is_some_and(|p| p.endpoints().is_some());
    if !configured {
        let known = registry.all().iter().any(|p| p.info().id == provider_id);
        problems.push(if known {
            Problem::NotConfigured
        } else {
            Problem::UnknownProvider
        });
    }
    let api_return = match starter {
        Starter::Session { .. } => None,
        Starter::Api { return_url: raw } => {
            let url = return_url(raw);
            if url.is_none() {
                problems.push(Problem::ReturnUrl);
            }
            url
        }
    };
    if !problems.is_empty() {
        return Err(FlowError::Refused(problems));
    }
    let now = Utc::now();
    match (starter, api_return) {
        (Starter::Session { auth_session_id }, _) => {
            let browser_value = random_token();
            let origin = Origin::Session {
                auth_session_id,
                browser_value: &browser_value,
            };
            let auth = authorize(state, user_id, provider_id, base, origin, now)
                .await?
                .ok_or(FlowError::Refused(vec![Problem::NotConfigured]))?;
            Ok(Started {
                location: auth.location,
                url: auth.url,
                expires_at: auth.expires_at,
                browser_value: Some(browser_value),
            })
        }
        (Starter::Api { .. }, Some(url)) => {
            let (token, expires_at) =
                handoff::create(&state.db, user_id, provider_id, url.as_str(), base, now)
                    .await
                    .map_err(FlowError::Store)?;
            let path = handoff::path(&token);
            Ok(Started {
                url: format!("{base}{path}"),
                location: path,
                expires_at,
                browser_value: None,
            })
        }
        (Starter::Api { .. }, None) => Err(FlowError::Refused(vec![Problem::ReturnUrl])),
    }
}

/// An authorization request built and its state saved.
struct Authorization {
    location: String,
    url: String,
    expires_at: DateTime<Utc>,
}

/// Builds the authorization request for `provider_id` (`None` when it is no longer
/// configured) and saves its OAuth state.
async fn authorize(
    state: &AppState,
    user_id: &str,
    provider_id: &str,
    base: &str,
    origin: Origin<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Authorization>, FlowError> {
    let Some(provider) = state.engine().registry.get(provider_id) else {
        return Ok(None);
    };
    let Some(ep) = provider.endpoints() else {
        return Ok(None);
    };
    let redirect_uri = callback_url(base, provider_id);
    let req = oauth::authorization_request(provider.info(), ep, &redirect_uri);
    oauth_state::save(
        &state.db,
        &state.config.keys,
        NewState {
            state: &req.state,
            origin,
            user_id,
            provider_id,
            pkce_verifier: req.pkce_verifier.as_deref(),
            redirect_uri: &redirect_uri,
        },
        now,
    )
    .await
    .map_err(FlowError::Store)?;
    // The demo provider's consent page is on this server, wherever the browser reached it.
    let here = provider_id == super::providers::demo::ID;
    let relative = req.url[url::Position::BeforePath..].to_string();
    Ok(Some(Authorization {
        location: if here {
            relative.clone()
        } else {
            req.url.to_string()
        },
        url: if here {
            format!("{base}{relative}")
        } else {
            req.url.to_string()
        },
        expires_at: now + Duration::minutes(oauth_state::LIFETIME_MINUTES),
    }))
}

/// What became of a handoff the person answered.
#[derive(Debug)]
pub enum Answered {
    /// Unknown, already used or expired.
    Gone,
    /// Continue: send the browser here (the provider's consent page).
    Consent { location: String },
    /// Back to the platform with this outcome code (`denied` when the person cancelled,
    /// `unavailable` when the provider was switched off meanwhile).
    Back {
        return_url: String,
        provider_id: String,
        code: &'static str,
    },
}

/// The person's answer on a handoff page: `proceed` builds the authorization (its OAuth state
/// bound to the platform's return URL), otherwise the platform hears `denied`. Either way the
/// handoff is used up.
pub async fn answer_handoff(
    state: &AppState,
    token: &str,
    proceed: bool,
) -> Result<Answered, FlowError> {
    let now = Utc::now();
    let Some(h) = handoff::take(&state.db, token, now)
        .await
        .map_err(FlowError::Store)?
    else {
        return Ok(Answered::Gone);
    };
    let back = |code| Answered::Back {
        return_url: h.return_url.clone(),
        provider_id: h.provider_id.clone(),
        code,
    };
    if !proceed {
        return Ok(back("denied"));
    }
    let origin = Origin::Api {
        return_url: &h.return_url,
    };
    match authorize(state, &h.user_id, &h.provider_id, &h.base_url, origin, now).await? {
        Some(auth) => Ok(Answered::Consent {
            location: auth.location,
        }),
        None => Ok(back("unavailable")),
    }
}
