//! The client of the built-in demo provider. It talks to the authorization server and data
//! API this same VitaSync serves (`crate::demo_provider`) over HTTP, through exactly the code
//! path a real provider takes.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use url::Url;

use crate::connections::provider::{
    get_json, join, AuthKind, ClientAuth, Endpoints, FetchError, FetchedPage, Provider,
    ProviderInfo, Window,
};
use crate::health::ingest::{Batch, EventInput, PointInput, Source};

pub const ID: &str = "demo";
/// The demo authorization server knows exactly one client: this one (public, PKCE).
pub const CLIENT_ID: &str = "vitasync-demo";
pub const SCOPES: &[&str] = &["activity", "heart", "sleep", "body"];

pub static INFO: ProviderInfo = ProviderInfo {
    id: ID,
    name: "VitaSync Demo",
    blurb: "A pretend wearable served by this server: try connecting and syncing without an account anywhere.",
    auth: AuthKind::OAuth2,
    client_auth: ClientAuth::RequestBody,
    pkce: true,
    scopes: SCOPES,
    min_interval: Duration::from_secs(15 * 60),
    backfill_days: 30,
    metrics: &[
        "steps", "distance", "floors", "calories", "active_minutes", "heart_rate",
        "resting_heart_rate", "heart_rate_variability", "respiratory_rate", "sleep", "sleep_score",
        "readiness_score", "stress", "weight", "body_fat", "bmi", "blood_pressure",
    ],
    events: &["workout"],
    pushes: false,
    refresh_scopes: &[],
    auth_params: &[],
};

pub struct Demo {
    endpoints: Endpoints,
}

impl Demo {
    /// `base` is where this server reaches itself.
    pub fn new(base: &Url) -> Self {
        Demo {
            endpoints: Endpoints {
                client_id: CLIENT_ID.to_string(),
                client_secret: None,
                auth_url: join(base, "demo-provider/authorize"),
                token_url: join(base, "demo-provider/token"),
                revoke_url: Some(join(base, "demo-provider/revoke")),
                api_url: join(base, "demo-provider/api"),
                push_token: None,
                webhook_secret: None,
            },
        }
    }
}

/// One page of the demo data API (our own normalized shapes: it is our own provider).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataPage {
    pub points: Vec<PointInput>,
    pub events: Vec<EventInput>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Me {
    id: String,
}

#[async_trait]
impl Provider for Demo {
    fn info(&self) -> &ProviderInfo {
        &INFO
    }

    fn endpoints(&self) -> Option<&Endpoints> {
        Some(&self.endpoints)
    }

    async fn fetch_page(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        window: Window,
        cursor: Option<&str>,
    ) -> Result<FetchedPage, FetchError> {
        let mut url = join(&self.endpoints.api_url, "v1/data");
        url.query_pairs_mut()
            .append_pair("start", &window.start.to_rfc3339())
            .append_pair("end", &window.end.to_rfc3339());
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let page: DataPage = get_json(http, url, access_token).await?;
        let mut batch = Batch::new(ID, Source::User);
        batch.points = page.points;
        batch.events = page.events;
        Ok(FetchedPage {
            batch,
            next: page.next_cursor,
        })
    }

    async fn account_id(
        &self,
        http: &reqwest::Client,
        access_token: &str,
    ) -> Result<Option<String>, FetchError> {
        let me: Me = get_json(http, join(&self.endpoints.api_url, "v1/me"), access_token).await?;
        Ok(Some(me.id))
    }
}
