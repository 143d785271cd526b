//! The `vitasync` binary: headless bootstrap is idempotent, workspaces can be created, and bad
//! configuration stops start-up with one clear line.

use std::process::{Command, Output};

/// `vitasync ARGS` in `dir` with its own data directory and only the given settings.
fn command(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vitasync"));
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("VITASYNC_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "error")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn vitasync(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    command(dir, env, args).output().expect("run vitasync")
}

fn stderr_line(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert_eq!(
        text.lines().count(),
        1,
        "exactly one line of explanation, got: {text:?}"
    );
    text
}

#[test]
fn bootstrap_is_idempotent_and_derives_the_slug() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "admin",
        "bootstrap",
        "--workspace",
        "Acme Health",
        "--email",
        "Root@Example.com",
        "--password",
        "root-password",
    ];
    let first = vitasync(dir.path(), &[], &args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let second = vitasync(dir.path(), &[], &args);
    assert!(second.status.success(), "a re-run is fine");
    assert!(String::from_utf8_lossy(&second.stdout).contains("already set up"));

    let other = vitasync(
        dir.path(),
        &[],
        &[
            "admin",
            "bootstrap",
            "--workspace",
            "X",
            "--email",
            "else@example.com",
            "--password",
            "else-password",
        ],
    );
    assert!(!other.status.success(), "a different owner is refused");
    assert!(stderr_line(&other).contains("already set up"));

    let ws = vitasync(
        dir.path(),
        &[],
        &[
            "workspace",
            "create",
            "--name",
            "Beta Family",
            "--admin-email",
            "bea@example.com",
            "--admin-password",
            "beta-password",
            "--slug",
            "beta",
        ],
    );
    assert!(
        ws.status.success(),
        "{}",
        String::from_utf8_lossy(&ws.stderr)
    );
    let dup = vitasync(
        dir.path(),
        &[],
        &[
            "workspace",
            "create",
            "--name",
            "Beta again",
            "--admin-email",
            "b2@example.com",
            "--admin-password",
            "beta-password",
            "--slug",
            "beta",
        ],
    );
    assert!(!dup.status.success());
    assert!(stderr_line(&dup).contains("taken"));

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}/data/vitasync.db", dir.path().display());
        let db = vitasync::platform::db::Db::connect(&url).await.unwrap();
        let slugs: Vec<String> = vitasync::with_db!(&db, pool => sqlx::query_scalar("SELECT slug FROM workspaces ORDER BY slug").fetch_all(pool).await).unwrap();
        assert_eq!(slugs, vec!["acme-health", "beta"]);
        let owners: i64 = vitasync::with_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE is_instance_owner = true AND email = 'root@example.com'").fetch_one(pool).await).unwrap();
        assert_eq!(owners, 1);
        db.close().await;
    });
}

#[test]
fn malformed_database_url_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = vitasync(
        dir.path(),
        &[("DATABASE_URL", "mysql://root@localhost/vitasync")],
        &["serve"],
    );
    assert!(!out.status.success());
    let line = stderr_line(&out);
    assert!(line.contains("DATABASE_URL"), "{line}");
}

#[test]
fn unreachable_postgres_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // Port 9 (discard) has nothing listening here.
    let out = vitasync(
        dir.path(),
        &[(
            "DATABASE_URL",
            "postgres://postgres:secret@127.0.0.1:9/vitasync",
        )],
        &["serve"],
    );
    assert!(!out.status.success());
    let line = stderr_line(&out);
    assert!(line.contains("cannot connect to the database"), "{line}");
    assert!(
        !line.contains("secret"),
        "credentials are never printed: {line}"
    );
}

#[test]
fn bad_settings_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = vitasync(
        dir.path(),
        &[("VITASYNC_PUBLIC_URL", "ftp://example.com")],
        &["serve"],
    );
    assert!(!out.status.success());
    assert!(stderr_line(&out).contains("VITASYNC_PUBLIC_URL"));
    let out = vitasync(
        dir.path(),
        &[("VITASYNC_ENCRYPTION_KEYS", "k1:short")],
        &["serve"],
    );
    assert!(!out.status.success());
    assert!(stderr_line(&out).contains("VITASYNC_ENCRYPTION_KEYS"));
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
        ("RUST_LOG", "info"),
        ("NO_COLOR", "1"),
    ];
    let mut child = command(dir.path(), &env, &["serve"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start vitasync");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("listening"));
    assert!(ready, "the server announced it was listening");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("shut down cleanly")),
        "{rest:?}"
    );
}

/// `vitasync keys rotate` on the zero-setup key file: a new primary key is added, the old one
/// kept, and every stored token re-sealed under the new key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_adds_a_key_and_reseals_every_token() {
    use vitasync::connections::repo::{self, Connected};
    use vitasync::connections::tokens::TokenSet;
    use vitasync::platform::crypto::KeyRing;
    use vitasync::platform::db::Db;

    let dir = tempfile::tempdir().unwrap();
    let boot = vitasync(
        dir.path(),
        &[],
        &[
            "admin",
            "bootstrap",
            "--workspace",
            "Acme",
            "--email",
            "root@example.com",
            "--password",
            "root-password",
        ],
    );
    assert!(
        boot.status.success(),
        "{}",
        String::from_utf8_lossy(&boot.stderr)
    );
    let key_file = dir.path().join("data/encryption.key");
    let before = KeyRing::load_or_create(&key_file).unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}/data/vitasync.db",
        dir.path().display()
    ))
    .await
    .unwrap();
    let (user, workspace): (String, String) = vitasync::with_db!(&db, pool => sqlx::query_as("SELECT id, workspace_id FROM users").fetch_one(pool).await).unwrap();
    let tokens = TokenSet {
        access_token: "access".into(),
        refresh_token: Some("refresh".into()),
        expires_at: None,
    };
    let id = repo::save_connected(
        &db,
        &before,
        Connected {
            workspace_id: &workspace,
            user_id: &user,
            provider_id: "demo",
            tokens: &tokens,
            account_id: None,
            scopes: &[],
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    // A webhook's signing secret is sealed under the same ring.
    let events = [vitasync::webhooks::EventType::UserCreated];
    let hook = vitasync::webhooks::repo::create(
        &db,
        &before,
        &workspace,
        vitasync::webhooks::repo::NewWebhook {
            url: "https://93.184.216.34/hooks",
            events: &events,
            description: None,
        },
        "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl",
    )
    .await
    .unwrap();
    db.close().await;

    let out = vitasync(dir.path(), &[], &["keys", "rotate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("re-encrypted 1 stored token set(s) under key k2"),
        "{said}"
    );
    let spec = std::fs::read_to_string(&key_file).unwrap();
    assert!(
        spec.starts_with("k2:") && spec.contains(",k1:"),
        "new key first, old kept"
    );

    let after = KeyRing::load_or_create(&key_file).unwrap();
    let db = Db::connect(&format!(
        "sqlite://{}/data/vitasync.db",
        dir.path().display()
    ))
    .await
    .unwrap();
    let conn = repo::get(&db, &id).await.unwrap().unwrap();
    assert!(conn
        .encrypted_tokens
        .as_deref()
        .unwrap()
        .starts_with("v1:k2:"));
    assert_eq!(conn.tokens(&after).unwrap().unwrap(), tokens);
    assert!(
        said.contains("re-encrypted 1 webhook signing secret(s)"),
        "{said}"
    );
    let hook = vitasync::webhooks::repo::get(&db, &workspace, &hook.id)
        .await
        .unwrap()
        .unwrap();
    assert!(hook.encrypted_secret.starts_with("v1:k2:"));
    assert_eq!(
        hook.secret(&after).as_deref(),
        Some("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl")
    );
    db.close().await;

    // A ring that opens none of the stored values says so and fails.
    let stranger = "other:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    let out = vitasync(
        dir.path(),
        &[("VITASYNC_ENCRYPTION_KEYS", stranger)],
        &["keys", "rotate"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("hold secrets no configured key opens"));
}
