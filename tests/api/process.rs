//! A real, separate keygate process (the `keygate-process` launcher) on a test database: for
//! proving that several processes on one database stay in step, and for the CLI.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Path of the launcher binary Cargo built for these tests.
pub fn keygate_bin() -> &'static str {
    env!("CARGO_BIN_EXE_keygate-process")
}

/// A keygate server running as a child process; killed on drop.
pub struct KeygateProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Every line it has written to stderr (its log) so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl KeygateProcess {
    /// Starts `keygate serve` with `env` and waits (at most 30 s) for its "listening" line.
    pub fn start(env: &HashMap<String, String>) -> Self {
        let mut child = Command::new(keygate_bin())
            .arg("serve")
            .env_clear()
            .envs(env)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start keygate process");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().expect("log lock").push(line.clone());
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(
                        rest.split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("keygate process did not start listening in 30 s");
        Self {
            child,
            address,
            log,
        }
    }

    /// The lines it has logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("log lock").clone()
    }

    /// [`KeygateProcess::start`] off the async runtime, so the in-process server keeps running.
    pub async fn spawn(env: &HashMap<String, String>) -> Self {
        let env = env.clone();
        tokio::task::spawn_blocking(move || Self::start(&env))
            .await
            .expect("start task")
    }
}

impl Drop for KeygateProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a keygate CLI command with `env`, feeding `stdin`; returns its output.
pub fn run_cli(env: &HashMap<String, String>, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(keygate_bin())
        .args(args)
        .env_clear()
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start keygate cli");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("cli output")
}

/// Polls `check` every 20 ms until it returns true or `limit` passes; returns the time it took.
pub async fn within<F, Fut>(limit: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// [`run_cli`] off the async runtime, so the in-process server keeps running.
pub async fn cli(env: &HashMap<String, String>, args: &[&str], stdin: &str) -> Output {
    let env = env.clone();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_cli(&env, &args, &stdin)
    })
    .await
    .expect("cli task")
}
