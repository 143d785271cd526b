//! Connecting the built-in demo provider through its real OAuth flow (over HTTP), the checks
//! on the OAuth state, sealed tokens, key rotation and disconnecting.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use vitasync::connections::server_fns::ConnectionsView;
use vitasync::connections::{repo, rotate};
use vitasync::platform::crypto::KeyRing;
use vitasync::with_db;

use crate::both_backends;
use crate::harness::{Client, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn count(app: &TestApp, sql: &str) -> i64 {
    with_db!(app.db(), pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await).unwrap()
}

fn query_of(location: &str) -> HashMap<String, String> {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

/// "Connect": returns the authorization request's parameters.
async fn start(c: &Client) -> HashMap<String, String> {
    let res = c.post_form_html("/connections/demo/connect", &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").expect("redirect");
    assert!(
        location.starts_with("/demo-provider/authorize?"),
        "{location}"
    );
    let set = res.header("set-cookie").expect("state cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Max-Age=600"),
        "{set}"
    );
    query_of(&location)
}

/// The consent page's decision; returns the callback path and query.
async fn decide(c: &Client, params: &HashMap<String, String>, decision: &str) -> String {
    let mut fields: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("decision", decision));
    let res = c.post_form_html("/demo-provider/authorize", &fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").expect("redirect");
    let path = location
        .strip_prefix("http://localhost")
        .expect("back to this server");
    assert!(path.starts_with("/connections/demo/callback?"), "{path}");
    path.to_string()
}

/// Follows the callback; returns where it sends the browser.
async fn callback(c: &Client, path: &str) -> String {
    let res = c.get(path).await;
    assert_eq!(res.status, 303, "{}", res.body);
    res.header("location").expect("redirect")
}

async fn connect_demo(c: &Client) -> String {
    let params = start(c).await;
    let back = decide(c, &params, "allow").await;
    callback(c, &back).await
}

both_backends!(
    connect_sync_and_disconnect_the_demo_provider,
    listening,
    |app: TestApp| async move {
        let c = app.setup_owner("olive@example.com", PASSWORD).await;
        let params = start(&c).await;
        assert_eq!(params["code_challenge_method"], "S256");
        assert_eq!(params["code_challenge"].len(), 43);
        assert!(
            params["state"].len() >= 43,
            "state carries at least 256 bits"
        );
        // The consent page names the signed-in person and what will be read.
        let page = c
            .get(&format!(
                "/demo-provider/authorize?{}",
                serde_urlencoded::to_string(&params).unwrap()
            ))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("olive@example.com") && page.body.contains("Allow access"));

        let back = decide(&c, &params, "allow").await;
        assert_eq!(callback(&c, &back).await, "/connections?connected=demo");
        // Tokens are sealed: nothing readable in the row.
        let sealed: String = with_db!(app.db(), pool => sqlx::query_scalar("SELECT encrypted_tokens FROM provider_connections").fetch_one(pool).await).unwrap();
        assert!(sealed.starts_with("v1:test:"));
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM sync_jobs WHERE kind = 'backfill' AND status = 'pending'"
            )
            .await,
            1
        );

        // The first sync backfills 30 days through the demo data API.
        let ran = app.state.engine().run_until_idle().await.unwrap();
        assert_eq!(ran, 1);
        let points = count(&app, "SELECT COUNT(*) FROM health_metrics WHERE provider_id = 'demo' AND connection_id IS NOT NULL").await;
        assert!(points > 30 * 20, "a month of readings, got {points}");
        assert!(
            count(
                &app,
                "SELECT COUNT(*) FROM daily_rollups WHERE provider_id = 'demo'"
            )
            .await
                > 30
        );
        let synced = count(
            &app,
            "SELECT CAST(metrics_synced AS BIGINT) FROM sync_jobs WHERE status = 'completed'",
        )
        .await;
        assert!(
            synced >= points,
            "{synced} items counted for {points} points"
        );

        let view: ConnectionsView = c.call("connections/list", &[]).await.unwrap();
        let demo = view.providers.iter().find(|p| p.id == "demo").unwrap();
        assert_eq!(demo.status, "active");
        assert!(
            demo.last_synced.is_some() && demo.account.as_deref().unwrap().starts_with("demo-")
        );
        assert_eq!(demo.job.as_ref().unwrap().status, "completed");
        assert!(!view.busy);
        // Providers without credentials are listed, as not configured, with a hint for admins.
        for id in ["whoop", "strava"] {
            let p = view.providers.iter().find(|p| p.id == id).unwrap();
            assert!(!p.configured && p.status == "not_connected");
            assert!(p
                .setup_hint
                .as_deref()
                .unwrap()
                .contains(&format!("VITASYNC_{}_CLIENT_ID", id.to_uppercase())));
        }
        let res = c.post_form_html("/connections/whoop/connect", &[]).await;
        assert_eq!(
            res.header("location").as_deref(),
            Some("/connections?failed=unavailable&provider=whoop")
        );
        assert!(!serde_json::to_string(&view)
            .unwrap()
            .contains(&sealed[8..20]));

        // Sync now queues an incremental job; a second tap adds nothing.
        c.call::<()>("connections/sync", &[("provider", "demo")])
            .await
            .unwrap();
        c.call::<()>("connections/sync", &[("provider", "demo")])
            .await
            .unwrap();
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM sync_jobs WHERE kind = 'incremental'"
            )
            .await,
            1
        );
        app.state.engine().run_until_idle().await.unwrap();
        assert_eq!(count(&app, "SELECT COUNT(*) FROM sync_jobs WHERE kind = 'incremental' AND status = 'completed'").await, 1);
        let again = count(
            &app,
            "SELECT COUNT(*) FROM health_metrics WHERE provider_id = 'demo'",
        )
        .await;
        assert!(again >= points, "an overlapping sync adds no duplicates");

        // Disconnect, keeping the data: tokens gone, grant revoked at the provider.
        c.call::<()>("connections/disconnect", &[("provider", "demo")])
            .await
            .unwrap();
        assert_eq!(count(&app, "SELECT COUNT(*) FROM provider_connections WHERE status = 'disconnected' AND encrypted_tokens IS NULL").await, 1);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM demo_grants WHERE revoked_at IS NULL"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM health_metrics WHERE provider_id = 'demo'"
            )
            .await,
            again
        );
        assert!(c
            .call::<()>("connections/sync", &[("provider", "demo")])
            .await
            .is_err());

        // Reconnect, then disconnect deleting the data.
        assert_eq!(connect_demo(&c).await, "/connections?connected=demo");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM provider_connections").await,
            1,
            "the same row again"
        );
        app.state.engine().run_until_idle().await.unwrap();
        c.call::<()>(
            "connections/disconnect",
            &[("provider", "demo"), ("delete_data", "on")],
        )
        .await
        .unwrap();
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM health_metrics WHERE provider_id = 'demo'"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM events WHERE provider_id = 'demo'"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM daily_rollups WHERE provider_id = 'demo'"
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM personal_records WHERE provider_id = 'demo'"
            )
            .await,
            0
        );
    }
);

both_backends!(
    oauth_state_is_single_use_expiring_and_bound_to_the_session,
    listening,
    |app: TestApp| async move {
        let c = app.setup_owner("olive@example.com", PASSWORD).await;

        // Denied consent: a clear failure, nothing stored.
        let params = start(&c).await;
        let back = decide(&c, &params, "deny").await;
        assert_eq!(
            callback(&c, &back).await,
            "/connections?failed=denied&provider=demo"
        );

        // Expired state.
        let params = start(&c).await;
        let back = decide(&c, &params, "allow").await;
        with_db!(app.db(), pool => sqlx::query("UPDATE oauth_states SET expires_at = $1").bind(Utc::now() - Duration::seconds(1)).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        assert_eq!(
            callback(&c, &back).await,
            "/connections?failed=expired&provider=demo"
        );

        // Another session of the same person (say, a stolen callback URL opened elsewhere).
        let params = start(&c).await;
        let back = decide(&c, &params, "allow").await;
        let other = app.client();
        other.login("olive@example.com", PASSWORD).await.unwrap();
        assert_eq!(
            callback(&other, &back).await,
            "/connections?failed=session&provider=demo"
        );
        // … and the state was used up by that attempt.
        assert_eq!(
            callback(&c, &back).await,
            "/connections?failed=state&provider=demo"
        );

        // Same session, but the browser lost the state cookie.
        let params = start(&c).await;
        let back = decide(&c, &params, "allow").await;
        c.drop_cookie("vitasync_oauth_demo");
        assert_eq!(
            callback(&c, &back).await,
            "/connections?failed=session&provider=demo"
        );

        // A state never issued.
        assert_eq!(
            callback(&c, "/connections/demo/callback?code=x&state=forged").await,
            "/connections?failed=state&provider=demo"
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM provider_connections").await,
            0,
            "no failure stored anything"
        );

        // The real thing works, and replaying its callback is refused.
        let params = start(&c).await;
        let back = decide(&c, &params, "allow").await;
        assert_eq!(callback(&c, &back).await, "/connections?connected=demo");
        assert_eq!(
            callback(&c, &back).await,
            "/connections?failed=state&provider=demo"
        );

        // A code exchanged without the right PKCE verifier is refused by the provider.
        let code = query_of(&back)["code"].clone();
        let http = reqwest::Client::new();
        let base = app.state.config.providers.demo_base_url.clone().unwrap();
        let res = http
            .post(base.join("demo-provider/token").unwrap())
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("client_id", "vitasync-demo"),
                ("redirect_uri", "http://localhost/connections/demo/callback"),
                ("code_verifier", &"x".repeat(43)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);

        // Signed out, the connect button leads to sign-in.
        let stranger = app.client();
        let res = stranger
            .post_form_html("/connections/demo/connect", &[])
            .await;
        assert_eq!(
            res.header("location").as_deref(),
            Some("/login?next=/connections")
        );
    }
);

both_backends!(
    sealed_tokens_stay_with_their_row_and_survive_key_rotation,
    listening,
    |app: TestApp| async move {
        let owner = app.setup_owner("olive@example.com", PASSWORD).await;
        let member = app.add_member(&owner, "max@example.com", PASSWORD).await;
        assert_eq!(connect_demo(&owner).await, "/connections?connected=demo");
        assert_eq!(connect_demo(&member).await, "/connections?connected=demo");
        app.state.engine().run_until_idle().await.unwrap();

        // Rotation: a new primary key; every connection keeps working under it alone.
        let old_and_new = KeyRing::parse("new:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,test:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap();
        let r = rotate::reseal_all(app.db(), &old_and_new).await.unwrap();
        assert_eq!(r.resealed, 2);
        assert!(r.unreadable.is_empty());
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM provider_connections WHERE encrypted_tokens LIKE 'v1:new:%'"
            )
            .await,
            2
        );
        let only_new = KeyRing::parse("new:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=").unwrap();
        let mut engine = (**app.state.engine()).clone();
        engine.keys = only_new.clone();
        let now = Utc::now();
        for conn in repo::active(app.db()).await.unwrap() {
            assert!(conn.tokens(&only_new).unwrap().is_ok());
            engine
                .request_sync(&conn, now)
                .await
                .unwrap()
                .expect("queued");
        }
        assert_eq!(engine.run_until_idle().await.unwrap(), 2);
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) FROM sync_jobs WHERE status = 'completed'"
            )
            .await,
            4
        );

        // A sealed value copied into another person's row does not open there: that sync fails
        // and asks for a reconnect instead of using someone else's access.
        let olive_tokens: String = with_db!(app.db(), pool => sqlx::query_scalar(
        "SELECT c.encrypted_tokens FROM provider_connections c JOIN users u ON u.id = c.user_id WHERE u.email = 'olive@example.com'")
        .fetch_one(pool).await).unwrap();
        with_db!(app.db(), pool => sqlx::query(
        "UPDATE provider_connections SET encrypted_tokens = $1 WHERE user_id = (SELECT id FROM users WHERE email = 'max@example.com')")
        .bind(&olive_tokens).execute(pool).await.map(|r| r.rows_affected())).unwrap();
        let conns = repo::active(app.db()).await.unwrap();
        let moved: Vec<_> = conns
            .iter()
            .filter(|c| c.tokens(&only_new).is_some_and(|t| t.is_err()))
            .collect();
        assert_eq!(moved.len(), 1, "exactly the moved value fails to open");
        engine.request_sync(moved[0], Utc::now()).await.unwrap();
        engine.run_until_idle().await.unwrap();
        let (status, error): (String, Option<String>) = with_db!(app.db(), pool => sqlx::query_as(
        "SELECT status, last_error FROM provider_connections WHERE id = $1").bind(&moved[0].id).fetch_one(pool).await).unwrap();
        assert_eq!(status, "error");
        assert!(error.unwrap().contains("Reconnect"));
    }
);
