//! The OpenAPI 3.1 document: paths come from the handlers' `#[utoipa::path]` annotations as
//! routes are registered, so the served document always matches the router.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Spec;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::platform::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "VitaSync API",
        version = "1",
        description = "Health data from wearables, normalised, for your app. Authenticate with a workspace API key: `Authorization: Bearer vs_live_…`. Lists are paged with `limit` (1–500, default 50) and `cursor` (the previous page's `pagination.nextCursor`). Errors share one envelope: `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    servers((url = "/v1", description = "This server")),
    modifiers(&BearerKey),
    security(("apiKey" = [])),
    tags(
        (name = "Users", description = "The people of the workspace"),
        (name = "Providers", description = "Device platforms this server can connect"),
        (name = "Connections", description = "Each person's connected devices and apps"),
        (name = "Sync jobs", description = "The queue that brings provider data in"),
        (name = "Health data", description = "Daily summaries, and readings your platform sends"),
        (name = "Wellness", description = "What people keep themselves: journal, water, mood, habits and goals"),
        (name = "API keys", description = "Keys for other apps (admin scope)"),
        (name = "Webhooks", description = "Signed event deliveries to your endpoints (admin scope)"),
    )
)]
struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("vs_live_…")
                    .description(Some(
                        "A workspace API key, created by an admin under Admin → API keys.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The `/v1` routes (relative to `/v1`) and their document.
pub fn collect() -> (axum::Router<AppState>, Spec) {
    let (router, spec) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(super::users::routes())
        .merge(super::providers::routes())
        .merge(super::keys::routes())
        .merge(super::webhooks::routes())
        .merge(super::connections::routes())
        .merge(super::health::routes())
        .merge(super::events::routes())
        .merge(super::wellness::routes())
        .merge(super::units::routes())
        .split_for_parts();
    let mut spec = spec;
    shared_responses(&mut spec);
    (router, spec)
}

/// The answers every operation can give, whatever it does: an unreadable request (400), no
/// valid key (401), a key without the scope (403), a body that is not JSON (415, operations
/// with a body) and the rate limit (429). Each handler documents its own; these are added
/// where it does not, so the document lists every status a client can meet.
fn shared_responses(spec: &mut Spec) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
    let error = |description: &str| -> RefOr<Response> {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
            .build()
            .into()
    };
    for item in spec.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let has_body = op.request_body.is_some();
            let r = &mut op.responses.responses;
            let mut add = |code: &str, description: &str| {
                r.entry(code.to_string())
                    .or_insert_with(|| error(description));
            };
            add(
                "400",
                "The request could not be read: malformed path, query parameters or JSON",
            );
            add(
                "401",
                "No valid API key: missing, malformed, unknown, expired or revoked",
            );
            add("403", "The API key lacks the scope this operation needs");
            if has_body {
                add(
                    "415",
                    "The body is not sent as Content-Type: application/json",
                );
            }
            add(
                "429",
                "Over the key's rate limit: retry after the Retry-After header's seconds",
            );
        }
    }
}

/// The document as pretty JSON (served, and compared with `docs/openapi.json` by a test).
pub fn document() -> String {
    let (_, spec) = collect();
    spec.to_pretty_json()
        .expect("the OpenAPI document serializes")
}
