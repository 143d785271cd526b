//! The OAuth 2.0 client side, on the oauth2 crate: authorization URLs with state and PKCE, the
//! code exchange, refresh and revocation, with failures sorted into what the engine needs.

use chrono::{DateTime, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    Scope, TokenResponse, TokenUrl,
};
use url::Url;

use super::provider::{ClientAuth, Endpoints, FetchError, ProviderInfo};
use super::tokens::TokenSet;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn client(info: &ProviderInfo, ep: &Endpoints, redirect_uri: Option<&str>) -> Client {
    let mut c = BasicClient::new(ClientId::new(ep.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(ep.auth_url.clone()))
        .set_token_uri(TokenUrl::from_url(ep.token_url.clone()))
        .set_auth_type(match info.client_auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::RequestBody => AuthType::RequestBody,
        });
    if let Some(secret) = &ep.client_secret {
        c = c.set_client_secret(ClientSecret::new(secret.clone()));
    }
    if let Some(uri) = redirect_uri.and_then(|u| Url::parse(u).ok()) {
        c = c.set_redirect_uri(RedirectUrl::from_url(uri));
    }
    c
}

/// A fresh authorization request: the URL to send the browser to, its state value and the
/// PKCE verifier to keep (None when the provider does not do PKCE).
pub struct AuthRequest {
    pub url: Url,
    pub state: String,
    pub pkce_verifier: Option<String>,
}

pub fn authorization_request(
    info: &ProviderInfo,
    ep: &Endpoints,
    redirect_uri: &str,
) -> AuthRequest {
    let c = client(info, ep, Some(redirect_uri));
    // 256 random bits, URL-safe.
    let mut req = c.authorize_url(|| CsrfToken::new_random_len(32));
    let scopes = info.scopes;
    if !scopes.is_empty() {
        req = req.add_scope(Scope::new(scopes.join(" ")));
    }
    for (k, v) in info.auth_params {
        req = req.add_extra_param(*k, *v);
    }
    let mut pkce_verifier = None;
    if info.pkce {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        req = req.set_pkce_challenge(challenge);
        pkce_verifier = Some(verifier.secret().clone());
    }
    let (url, state) = req.url();
    AuthRequest {
        url,
        state: state.secret().clone(),
        pkce_verifier,
    }
}

fn token_set(
    res: &BasicTokenResponse,
    previous_refresh: Option<&str>,
    now: DateTime<Utc>,
) -> TokenSet {
    TokenSet {
        access_token: res.access_token().secret().clone(),
        // Providers that do not rotate refresh tokens leave the old one valid.
        refresh_token: res
            .refresh_token()
            .map(|t| t.secret().clone())
            .or_else(|| previous_refresh.map(str::to_string)),
        expires_at: res
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d),
    }
}

type TokenError = RequestTokenError<
    oauth2::HttpClientError<reqwest::Error>,
    oauth2::StandardErrorResponse<BasicErrorResponseType>,
>;

fn classify(e: TokenError) -> FetchError {
    match e {
        RequestTokenError::ServerResponse(r) => match r.error() {
            BasicErrorResponseType::InvalidGrant
            | BasicErrorResponseType::InvalidClient
            | BasicErrorResponseType::UnauthorizedClient => FetchError::Revoked,
            other => FetchError::Permanent(format!("the provider refused: {}", other.as_ref())),
        },
        RequestTokenError::Request(e) => {
            FetchError::Transient(format!("could not reach the provider ({e})"))
        }
        // A 5xx page or an empty body from the token endpoint: worth another try later.
        RequestTokenError::Parse(_, _) | RequestTokenError::Other(_) => {
            FetchError::Transient("the provider's token endpoint failed".into())
        }
    }
}

pub async fn exchange_code(
    info: &ProviderInfo,
    ep: &Endpoints,
    http: &reqwest::Client,
    redirect_uri: &str,
    code: &str,
    pkce_verifier: Option<String>,
) -> Result<TokenSet, FetchError> {
    let c = client(info, ep, Some(redirect_uri));
    let mut req = c.exchange_code(AuthorizationCode::new(code.to_string()));
    if let Some(v) = pkce_verifier {
        req = req.set_pkce_verifier(PkceCodeVerifier::new(v));
    }
    let res = req.request_async(http).await.map_err(classify)?;
    Ok(token_set(&res, None, Utc::now()))
}

pub async fn refresh(
    info: &ProviderInfo,
    ep: &Endpoints,
    http: &reqwest::Client,
    tokens: &TokenSet,
) -> Result<TokenSet, FetchError> {
    let Some(refresh) = tokens.refresh_token.as_deref() else {
        return Err(FetchError::Revoked);
    };
    let c = client(info, ep, None);
    let refresh_token = RefreshToken::new(refresh.to_string());
    let mut req = c.exchange_refresh_token(&refresh_token);
    for scope in info.refresh_scopes {
        req = req.add_scope(Scope::new(scope.to_string()));
    }
    let res = req.request_async(http).await.map_err(classify)?;
    Ok(token_set(&res, Some(refresh), Utc::now()))
}

/// Revokes the grant at the provider (RFC 7009) when it has a revocation endpoint. Best effort:
/// the caller deletes the tokens whatever happens here. (A plain form post: the oauth2 crate
/// refuses non-HTTPS revocation URLs, and the demo provider is reached over loopback HTTP.)
pub async fn revoke(
    info: &ProviderInfo,
    ep: &Endpoints,
    http: &reqwest::Client,
    tokens: &TokenSet,
) -> Result<(), String> {
    let Some(url) = ep.revoke_url.clone() else {
        return Ok(());
    };
    let (token, hint) = match &tokens.refresh_token {
        Some(r) => (r.as_str(), "refresh_token"),
        None => (tokens.access_token.as_str(), "access_token"),
    };
    let mut form = vec![("token", token), ("token_type_hint", hint)];
    let mut req = http.post(url);
    match (info.client_auth, &ep.client_secret) {
        (ClientAuth::Basic, Some(secret)) => {
            req = req.basic_auth(&ep.client_id, Some(secret));
        }
        (_, secret) => {
            form.push(("client_id", ep.client_id.as_str()));
            if let Some(s) = secret {
                form.push(("client_secret", s.as_str()));
            }
        }
    }
    super::provider::expect_success(req.form(&form), "the provider").await
}

/// The HTTP client every provider call uses: no redirects followed (a token endpoint that
/// redirects is a misconfiguration or an attack), bounded waits.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(60))
        .user_agent(concat!("VitaSync/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("HTTP client builds")
}
