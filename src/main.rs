//! `vitasync`: the server binary. See `cli.rs` for the commands.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    vitasync::cli::run().await
}
