//! What a story starts from: the first-run owner, invited members, workspaces with an owner,
//! API keys, REST API users and provider connections.

use chrono::{Duration, Utc};
use serde_json::json;
use vitasync::connections::repo::{self, Connected};
use vitasync::connections::tokens::TokenSet;

use super::{Client, TestApp};

impl TestApp {
    /// Connects the first person of the database to `provider` with `tokens`, as a finished
    /// OAuth callback would; returns the connection id.
    pub async fn connect_first_user(
        &self,
        provider: &str,
        tokens: &TokenSet,
        account: Option<&str>,
        scopes: &[&str],
    ) -> String {
        let (user, workspace): (String, String) = vitasync::with_db!(self.db(), pool => sqlx::query_as(
            "SELECT id, workspace_id FROM users ORDER BY created_at, id LIMIT 1").fetch_one(pool).await)
        .unwrap();
        repo::save_connected(
            self.db(),
            &self.state.config.keys,
            Connected {
                workspace_id: &workspace,
                user_id: &user,
                provider_id: provider,
                tokens,
                account_id: account,
                scopes,
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap()
    }

    /// Runs first-run setup in a new client; returns that (signed-in) admin client.
    pub async fn setup_owner(&self, email: &str, password: &str) -> Client {
        let c = self.client();
        c.call::<()>(
            "auth/setup",
            &[
                ("workspace_name", "Acme Health"),
                ("display_name", "Olive Owner"),
                ("email", email),
                ("password", password),
                ("timezone", "Europe/Paris"),
            ],
        )
        .await
        .expect("setup succeeds");
        c
    }

    /// The admin invites `email`; returns the invitation token from the redirect.
    pub async fn invite(&self, admin: &Client, email: &str, role: &str) -> String {
        let res = admin
            .post_form(
                "/api/admin/invite",
                &[("email", email), ("role", role), ("expires_in_days", "7")],
            )
            .await;
        assert!(
            res.status.is_success(),
            "invite failed: {} {}",
            res.status,
            res.body
        );
        let location = res
            .header("location")
            .expect("invite redirects to the page showing the link");
        shown_invitation(admin, &location).await
    }

    /// Invites and signs up a member; returns the member's signed-in client.
    pub async fn add_member(&self, admin: &Client, email: &str, password: &str) -> Client {
        let token = self.invite(admin, email, "member").await;
        let member = self.client_from("10.0.0.2");
        member
            .call::<()>(
                "auth/accept-invitation",
                &[
                    ("token", &token),
                    ("display_name", "Mia Member"),
                    ("password", password),
                    ("timezone", "America/New_York"),
                ],
            )
            .await
            .expect("member accepts invitation");
        member
    }

    /// Stores a key for `workspace_id` with `scopes` ("read,write") and returns it.
    pub async fn api_key(&self, workspace_id: &str, scopes: &str) -> String {
        let scopes = vitasync::api_keys::Scope::parse_list(scopes).expect("scopes");
        let (_, raw) =
            vitasync::api_keys::repo::create(self.db(), workspace_id, "test key", &scopes, None)
                .await
                .expect("key stored");
        raw
    }

    /// A workspace with an owner (`owner@<slug>.test`); returns its id and the owner's client.
    pub async fn workspace(&self, name: &str) -> (String, Client) {
        let slug = name.to_lowercase().replace(' ', "-");
        let email = format!("owner@{slug}.test");
        let (ws, _) = vitasync::accounts::provisioning::create_workspace_with_admin(
            self.db(),
            name,
            None,
            vitasync::accounts::provisioning::NewAccount {
                email: email.clone(),
                password: "owner-password-1".into(),
                display_name: None,
                timezone: "UTC".into(),
            },
            false,
        )
        .await
        .expect("workspace created");
        let c = self.client_from("10.0.0.7");
        c.login(&email, "owner-password-1").await.expect("login");
        (ws, c)
    }
}

/// A workspace with an admin API key, a REST API user (`p1`, in Tonga) and (for `connect`) a
/// demo connection of theirs; returns the key, the user's id and the connection id.
pub async fn workspace_api_user(
    app: &TestApp,
    name: &str,
    connect: bool,
) -> (String, String, Option<String>) {
    let (ws, _) = app.workspace(name).await;
    let key = app.api_key(&ws, "admin").await;
    let user = app
        .api(
            "POST",
            "/v1/users",
            Some(&key),
            Some(json!({"externalId": "p1", "timezone": "Pacific/Tongatapu"})),
        )
        .await;
    let user_id = user.json["id"].as_str().unwrap().to_string();
    let conn = if connect {
        let tokens = TokenSet {
            access_token: "access".into(),
            refresh_token: Some("refresh".into()),
            expires_at: Some(Utc::now() + Duration::hours(1)),
        };
        Some(
            repo::save_connected(
                app.db(),
                &app.state.config.keys,
                Connected {
                    workspace_id: &ws,
                    user_id: &user_id,
                    provider_id: "demo",
                    tokens: &tokens,
                    account_id: Some("demo-account-1"),
                    scopes: &["activity"],
                },
                Utc::now(),
            )
            .await
            .unwrap(),
        )
    } else {
        None
    };
    (key, user_id, conn)
}

/// The invitation token on the page an invitation redirected to (`?invited=…`), which shows
/// the link; the redirect itself never carries the token.
pub async fn shown_invitation(admin: &Client, location: &str) -> String {
    assert!(location.contains("?invited="), "{location}");
    let page = admin.get(location).await;
    let token: String = page
        .body
        .split("/join/")
        .nth(1)
        .expect("the page shows the link")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(
        !location.contains(&token),
        "the token stays out of the address"
    );
    token
}
