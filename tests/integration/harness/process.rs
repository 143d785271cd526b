//! [`ServerProcess`]: the real `vitasync` binary as a child process, for the stories that kill
//! it. It runs `serve` on a free loopback port against a fresh database (a SQLite file in a temp
//! directory, or a new PostgreSQL database), with a fixed key ring so a restarted process opens
//! what the last one sealed, and its output in a log file whose tail is printed when a story
//! fails. The test opens the same database with the library to seed rows and read results.
//!
//! - [`ServerProcess::cli`] runs another command of the binary (`admin bootstrap`, `api-key
//!   create`) with the same settings;
//! - [`ServerProcess::kill9`] is `kill -9`: the process ends at once, whatever it was doing;
//! - [`ServerProcess::restart`] starts it again on the same database;
//! - [`Deadline`] and [`ServerProcess::tick`]: polling with a time limit (no fixed sleeps).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vitasync::platform::crypto::KeyRing;
use vitasync::platform::db::Db;

use super::backends::{drop_pg_database, fresh_pg_database, Backend};

/// `VITASYNC_ENCRYPTION_KEYS` of every process of a story (32 bytes of 0x02): fixed, so a
/// restarted server opens the tokens and secrets the last one sealed, and the test seals what
/// it seeds with the same ring ([`ServerProcess::keys`]).
pub const KEYS: &str = "crash:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";

/// How long a started server may take to answer `/readyz`.
const READY_SECS: u64 = 60;
/// Lines of the server's log shown when a story fails.
const LOG_TAIL_LINES: usize = 60;

/// The `vitasync` binary serving on a loopback port, and its database.
pub struct ServerProcess {
    database_url: String,
    /// The PostgreSQL database to drop at the end (`None` on SQLite).
    pg_name: Option<String>,
    dir: tempfile::TempDir,
    /// Per-story settings (`VITASYNC_DEMO_BASE_URL`, …), on top of the common ones.
    env: Vec<(String, String)>,
    port: u16,
    child: Option<Child>,
    /// The test's own connection to the server's database (opened once the server is ready).
    db: Option<Db>,
    http: reqwest::Client,
    starts: usize,
}

/// Until when something should have happened, and what (for the panic message).
pub struct Deadline {
    what: String,
    secs: u64,
    until: Instant,
}

impl Deadline {
    pub fn new(what: &str, secs: u64) -> Deadline {
        Deadline {
            what: what.to_string(),
            secs,
            until: Instant::now() + Duration::from_secs(secs),
        }
    }
}

impl ServerProcess {
    /// A fresh database for `backend` and the settings the binary will run with (plus `env`);
    /// nothing runs yet (see [`ServerProcess::start`]).
    pub async fn new(backend: Backend, env: &[(&str, &str)]) -> ServerProcess {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
        let (database_url, pg_name) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}/vitasync.db", dir.path().display()),
                None,
            ),
            Backend::Postgres => {
                let (url, name) = fresh_pg_database().await;
                (url, Some(name))
            }
        };
        ServerProcess {
            database_url,
            pg_name,
            dir,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            port: free_port(),
            child: None,
            db: None,
            http: reqwest::Client::builder()
                // The stories look at redirects themselves (the upload answers 303).
                .redirect(reqwest::redirect::Policy::none())
                // No pooled connections: one kept from a killed process would fail a request.
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(60))
                .build()
                .expect("http client"),
            starts: 0,
        }
    }

    /// The key ring the processes seal with, for what the test seeds directly.
    pub fn keys() -> KeyRing {
        KeyRing::parse(KEYS).expect("the stories' key ring")
    }

    /// The binary with this story's settings and nothing of the test's own environment.
    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vitasync"));
        let inherited: Vec<OsString> = std::env::vars_os()
            .map(|(k, _)| k)
            .filter(|k| {
                k.to_str().is_some_and(|k| {
                    k == "DATABASE_URL"
                        || k == "RUST_LOG"
                        || k.starts_with("VITASYNC_")
                        || k.starts_with("LEPTOS_")
                })
            })
            .collect();
        for k in inherited {
            cmd.env_remove(k);
        }
        cmd.current_dir(self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("VITASYNC_DATA_DIR", self.data_dir())
            .env("VITASYNC_ENCRYPTION_KEYS", KEYS)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// The server's data directory (`VITASYNC_DATA_DIR`: uploads wait in `imports/`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Runs `vitasync ARGS` (not the server) with the same settings; its standard output.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run vitasync");
        assert!(
            out.status.success(),
            "vitasync {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `vitasync serve` and waits until `/readyz` answers; then opens the test's own
    /// connection to the database, the first time.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "the server is already running");
        self.starts += 1;
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("log file");
        {
            use std::io::Write as _;
            let _ = writeln!(log, "=== start {} on port {} ===", self.starts, self.port);
        }
        let err = log.try_clone().expect("log file");
        let child = self
            .command()
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start vitasync");
        self.child = Some(child);
        self.wait_ready().await;
        if self.db.is_none() {
            let db = Db::connect(&self.database_url)
                .await
                .unwrap_or_else(|e| panic!("the test cannot open the server's database: {e}"));
            self.db = Some(db);
        }
    }

    async fn wait_ready(&mut self) {
        let deadline = Deadline::new("the server answering /readyz", READY_SECS);
        let url = self.url("/readyz");
        loop {
            let ready = self
                .http
                .get(&url)
                .timeout(Duration::from_secs(3))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            self.tick(&deadline).await;
        }
    }

    /// `kill -9`: the process ends at once, mid-request and mid-transaction (`Child::kill` is
    /// SIGKILL on Unix), and is reaped.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("the server is running");
        child.kill().expect("SIGKILL the server");
        let status = child.wait().expect("reap the server");
        assert!(
            status.code().is_none(),
            "the server had exited by itself ({status}) before it was killed\n{}",
            self.log_tail()
        );
    }

    /// Starts the binary again with the same settings and database: on the same port when it
    /// is free, else on another.
    pub async fn restart(&mut self) {
        if std::net::TcpListener::bind(("127.0.0.1", self.port)).is_err() {
            self.port = free_port();
        }
        self.start().await;
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// The server's origin, as a browser on it would send in `Origin`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The test's connection to the server's database.
    pub fn db(&self) -> &Db {
        self.db
            .as_ref()
            .expect("the database is opened when the server first starts")
    }

    /// Calls the REST API with `key` and an optional JSON body: the status and the JSON
    /// answer (`Null` when empty).
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(key);
        if let Some(json) = body {
            req = req.json(&json);
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", self.log_tail()));
        let status = res.status();
        let bytes = res.bytes().await.expect("the answer's body");
        let json = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{path}: not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        (status, json)
    }

    /// A short pause between two looks at something that should happen. Panics, with the
    /// server's log, once `deadline` has passed or when the server died.
    pub async fn tick(&mut self, deadline: &Deadline) {
        let exited = self
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        if let Some(status) = exited {
            self.child = None;
            panic!(
                "the server exited ({status}) while waiting for {}\n{}",
                deadline.what,
                self.log_tail()
            );
        }
        if Instant::now() > deadline.until {
            panic!(
                "{} did not happen within {} s\n{}",
                deadline.what,
                deadline.secs,
                self.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// The last lines the server (every start of it) wrote.
    fn log_tail(&self) -> String {
        let bytes = std::fs::read(self.log_path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(LOG_TAIL_LINES);
        format!(
            "--- last lines of the server's log ({}) ---\n{}\n--- end of the log ---",
            self.log_path().display(),
            lines[from..].join("\n")
        )
    }

    /// Stops the server, closes the test's connection and removes the PostgreSQL database (the
    /// temp directory goes with `self`).
    pub async fn finish(mut self) {
        if self.child.is_some() {
            self.kill9();
        }
        if let Some(db) = self.db.take() {
            db.close().await;
        }
        if let Some(name) = self.pg_name.take() {
            drop_pg_database(&name).await;
        }
    }
}

impl Drop for ServerProcess {
    /// A story that failed midway still stops its server and removes its database, and shows
    /// what the server logged.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!("{}", self.log_tail());
        }
        if let Some(name) = self.pg_name.take() {
            // Not inside the story's runtime (which may be unwinding): a thread of its own.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_pg_database(&name));
                }
            })
            .join();
        }
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
