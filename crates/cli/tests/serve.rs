//! `specforge serve` and `specforge migrate` as an operator runs them: configuration from flags,
//! environment and `.env`, exit codes, the data folder, graceful shutdown, and data that
//! survives a restart.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_specforge");

/// A fresh, empty working directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "specforge-cli-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `specforge` with an empty environment (nothing from the developer's shell leaks in), run in
/// `dir`.
fn specforge(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs a command that is expected to exit by itself, within `limit`.
fn run_to_end(mut command: Command, limit: Duration) -> Output {
    let mut child = command.spawn().expect("spawn specforge");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "specforge did not exit within {limit:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running `specforge serve`.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `specforge serve` in `dir` on a free port with JSON logs, and waits until it is
    /// ready.
    fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        let mut all = vec![("BIND_ADDR", "127.0.0.1:0"), ("LOG_FORMAT", "json")];
        all.extend_from_slice(env);
        let mut child = specforge(dir, &["serve"], &all)
            .spawn()
            .expect("spawn specforge serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn({
            let log = Arc::clone(&log);
            move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                        && v["message"]
                            .as_str()
                            .is_some_and(|m| m.starts_with("specforge is listening"))
                    {
                        let _ = tx.send(v["addr"].as_str().unwrap_or("").to_string());
                    }
                    log.lock().expect("log").push(line);
                }
            }
        });
        let errors = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn({
            let errors = Arc::clone(&errors);
            move || {
                let mut text = String::new();
                let _ = BufReader::new(stderr).read_to_string(&mut text);
                errors.lock().expect("stderr").push_str(&text);
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr.parse().expect("a socket address in the log"),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "specforge serve did not start: {}\n{}",
                    errors.lock().expect("stderr"),
                    log.lock().expect("log").join("\n")
                );
            }
        };
        let server = Server {
            child,
            addr,
            log,
            stderr: errors,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Ok(r) = request(self.addr, "GET", "/health/ready", &[], None)
                && r.status == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("/health/ready never answered 200");
    }

    fn log_text(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit by itself.
    fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("specforge serve did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then asserts a clean exit.
    fn stop(mut self) {
        self.terminate();
        let status = self.wait_exit(Duration::from_secs(20));
        assert_eq!(
            status.code(),
            Some(0),
            "exit after SIGTERM; stderr: {}",
            self.stderr.lock().expect("stderr")
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A response read off the wire.
#[derive(Debug)]
struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Reads one HTTP/1.1 response from a connection the server closes afterwards.
fn read_response(mut stream: TcpStream) -> std::io::Result<Response> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no response head in {text:?}")))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    Ok(Response {
        status,
        head: head.to_string(),
        body,
    })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    Ok(stream)
}

/// One request on its own connection.
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&serde_json::Value>,
) -> std::io::Result<Response> {
    let mut stream = connect(addr)?;
    let body = json.map(|v| v.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if json.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    read_response(stream)
}

/// Signs in with development login and returns the access token.
fn dev_login(addr: SocketAddr, email: &str) -> String {
    let r = request(
        addr,
        "POST",
        "/api/v1/auth/dev-login",
        &[],
        Some(&serde_json::json!({"email": email})),
    )
    .expect("dev-login");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

#[test]
fn with_no_configuration_it_keeps_sqlite_and_a_private_key_in_the_data_folder() {
    let dir = TempDir::new("defaults");
    let server = Server::start(&dir.0, &[]);
    let data = dir.0.join("data");
    assert!(data.join("specforge.db").is_file(), "./data/specforge.db");
    let key = data.join("jwt-secret.key");
    assert!(key.is_file(), "./data/jwt-secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is private");
    }
    assert!(server.addr.ip().is_loopback());
    let log = server.log_text();
    assert!(log.contains("\"backend\":\"sqlite\""), "{log}");
    server.stop();
}

#[test]
fn development_login_is_announced_loudly() {
    let dir = TempDir::new("warning");
    let server = Server::start(&dir.0, &[]);
    let log = server.log_text();
    let warning = log
        .lines()
        .find(|l| l.contains("DEVELOPMENT LOGIN IS ENABLED"))
        .unwrap_or_else(|| panic!("no warning in {log}"));
    assert!(warning.contains("\"level\":\"WARN\""), "{warning}");
    server.stop();
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_and_exits_0() {
    let dir = TempDir::new("sigterm");
    let mut server = Server::start(&dir.0, &[]);
    // A request whose body arrives slowly is in flight when the signal comes.
    let body = serde_json::json!({"email": "slow@example.com"}).to_string();
    let (first, second) = body.split_at(10);
    let mut stream = connect(server.addr).expect("connect");
    let head = format!(
        "POST /api/v1/auth/dev-login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(first.as_bytes()).expect("write");
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        matches!(server.child.try_wait(), Ok(None)),
        "the server waits for the request in flight"
    );
    // New connections are no longer served.
    let refused = request(server.addr, "GET", "/health/live", &[], None);
    assert!(
        refused.is_err(),
        "a new connection after SIGTERM: {refused:?}"
    );
    stream.write_all(second.as_bytes()).expect("write the rest");
    let response = read_response(stream).expect("the response");
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.head.to_ascii_lowercase().contains("x-request-id:"));
    assert!(response.json()["access_token"].is_string());
    let status = server.wait_exit(Duration::from_secs(20));
    assert_eq!(status.code(), Some(0));
    assert!(server.log_text().contains("specforge stopped"));
}

#[test]
fn data_and_tokens_survive_a_restart() {
    let dir = TempDir::new("restart");
    let server = Server::start(&dir.0, &[]);
    let token = dev_login(server.addr, "keeper@example.com");
    let auth = format!("Bearer {token}");
    let r = request(
        server.addr,
        "POST",
        "/api/v1/projects",
        &[("Authorization", &auth)],
        Some(&serde_json::json!({"name": "kept", "description": "across restarts"})),
    )
    .expect("create a project");
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_str().expect("id").to_string();
    server.stop();

    let server = Server::start(&dir.0, &[]);
    // The signing key was kept, so the old token still works, and the project is there.
    let r = request(
        server.addr,
        "GET",
        &format!("/api/v1/projects/{id}"),
        &[("Authorization", &auth)],
        None,
    )
    .expect("read the project");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["name"], "kept");
    server.stop();
}

#[test]
fn a_bad_variable_exits_2_naming_it() {
    let dir = TempDir::new("bad");
    let out = run_to_end(
        specforge(&dir.0, &["serve"], &[("JWT_ACCESS_TOKEN_EXPIRES", "soon")]),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "specforge: invalid configuration: JWT_ACCESS_TOKEN_EXPIRES: expected a number of seconds"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.0.join("data").exists(), "nothing is created");
}

#[test]
fn production_without_a_signing_secret_is_refused() {
    let dir = TempDir::new("prod-secret");
    let out = run_to_end(
        specforge(&dir.0, &["serve"], &[("APP_ENV", "production")]),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid configuration: JWT_SECRET_KEY"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn production_with_development_login_is_refused() {
    let dir = TempDir::new("prod-dev");
    let out = run_to_end(
        specforge(
            &dir.0,
            &["serve"],
            &[
                ("APP_ENV", "production"),
                ("JWT_SECRET_KEY", "0123456789abcdef0123456789abcdef0123"),
                ("DEV_LOGIN", "true"),
            ],
        ),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid configuration: DEV_LOGIN"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dotenv_is_read_the_environment_overrides_it_and_flags_override_both() {
    let dir = TempDir::new("dotenv");
    std::fs::write(
        dir.0.join(".env"),
        "# settings\nJWT_ACCESS_TOKEN_EXPIRES=soon\n",
    )
    .expect("write .env");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = run_to_end(specforge(&dir.0, args, env), Duration::from_secs(20));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        stderr(&out)
    };
    let from_file = run(&["serve"], &[]);
    assert!(
        from_file.contains("JWT_ACCESS_TOKEN_EXPIRES"),
        "{from_file}"
    );
    assert!(from_file.contains("`soon`"), "{from_file}");
    let from_env = run(&["serve"], &[("JWT_ACCESS_TOKEN_EXPIRES", "later")]);
    assert!(from_env.contains("`later`"), "{from_env}");
    let from_flag = run(
        &["serve", "--jwt-access-token-expires", "never"],
        &[("JWT_ACCESS_TOKEN_EXPIRES", "later")],
    );
    assert!(from_flag.contains("`never`"), "{from_flag}");
}

#[test]
fn a_malformed_dotenv_stops_the_service_naming_the_file_but_not_check() {
    let dir = TempDir::new("bad-dotenv");
    std::fs::write(dir.0.join(".env"), "GOOD=1\nthis line is not a setting\n").expect("write");
    let out = run_to_end(specforge(&dir.0, &["serve"], &[]), Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "specforge: cannot read .env: `this line is not a setting` is not a NAME=value line"
        ),
        "{}",
        stderr(&out)
    );
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/erp.yaml");
    let out = run_to_end(
        specforge(
            &dir.0,
            &["check", example.to_str().expect("utf-8 path")],
            &[],
        ),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_port_in_use_stops_start_up_with_exit_1_and_the_cause() {
    let dir = TempDir::new("port");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = run_to_end(
        specforge(&dir.0, &["serve", "--bind", &addr], &[]),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains(&format!("cannot listen on {addr} (BIND_ADDR)")),
        "{message}"
    );
    assert!(message.to_ascii_lowercase().contains("in use"), "{message}");
}

#[test]
fn an_unreachable_database_stops_start_up_with_exit_1_and_the_cause() {
    let dir = TempDir::new("nodb");
    // Nothing listens on port 1; the password must not appear in the message.
    let out = run_to_end(
        specforge(
            &dir.0,
            &["serve", "--bind", "127.0.0.1:0"],
            &[(
                "DATABASE_URL",
                "postgres://app:hunter2@127.0.0.1:1/specforge",
            )],
        ),
        Duration::from_secs(90),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("cannot open the database postgres://app:***@127.0.0.1:1/specforge"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn migrate_creates_the_database_and_exits_0() {
    let dir = TempDir::new("migrate");
    let out = run_to_end(
        specforge(&dir.0, &["migrate"], &[("LOG_FORMAT", "json")]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.0.join("data/specforge.db").is_file());
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
    // Twice is fine.
    let again = run_to_end(
        specforge(&dir.0, &["migrate"], &[]),
        Duration::from_secs(60),
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn serve_help_names_every_variable() {
    let dir = TempDir::new("help");
    let out = run_to_end(
        specforge(&dir.0, &["serve", "--help"], &[]),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for variable in [
        "BIND_ADDR",
        "DATABASE_URL",
        "APP_ENV",
        "DATA_DIR",
        "JWT_SECRET_KEY",
        "JWT_ACCESS_TOKEN_EXPIRES",
        "DEV_LOGIN",
        "LOG_FORMAT",
        "MAX_BODY_BYTES",
        "REQUEST_TIMEOUT",
        "TOKIO_WORKER_THREADS",
    ] {
        assert!(help.contains(variable), "{variable} in {help}");
    }
    assert!(help.contains(".env"), "{help}");
}

/// What went wrong with a `psql` run, in one line.
fn why_not(outcome: &std::io::Result<Output>) -> String {
    match outcome {
        Ok(o) => {
            let text = stderr(o);
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            format!("{} {}", o.status, first.trim())
        }
        Err(e) => format!("psql did not run ({e})"),
    }
}

/// Says why the running test returns without doing anything: on standard error, which the test
/// harness shows only for failures, and as a line `<test>\t<reason>` appended to the file named
/// by `SPECFORGE_SKIPPED_TESTS`, which `scripts/test` counts and reports after the run.
#[allow(clippy::print_stderr)] // the reason a test is skipped belongs in its output
fn skipped(reason: &str) {
    eprintln!("skipping: {reason}");
    let Some(path) = std::env::var_os("SPECFORGE_SKIPPED_TESTS") else {
        return;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let line = format!("{test}\t{}\n", reason.replace(['\t', '\n'], " "));
    // One short append per test: lines of tests running at once do not interleave.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!(
            "cannot note the skipped test in {}: {e}",
            path.to_string_lossy()
        );
    }
}

/// A fresh PostgreSQL database made with `psql` on the server of `TEST_DATABASE_URL`; `None`
/// (after saying why) when there is none, unless `SPECFORGE_REQUIRE_SERVICES=1`.
fn postgres_database(tag: &str) -> Option<(String, String, String)> {
    let admin = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let required =
        std::env::var("SPECFORGE_REQUIRE_SERVICES").is_ok_and(|v| v == "1" || v == "true");
    let name = format!("specforge_cli_{tag}_{}", std::process::id());
    let created = Command::new("psql")
        .args([
            "-q",
            &admin,
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output();
    match created {
        Ok(o) if o.status.success() => {}
        other if required => {
            panic!("PostgreSQL is required (SPECFORGE_REQUIRE_SERVICES=1): {other:?}")
        }
        other => {
            skipped(&format!(
                "PostgreSQL at {admin} could not make a test database with psql: {}",
                why_not(&other)
            ));
            return None;
        }
    }
    let (base, _) = admin
        .rsplit_once('/')
        .expect("a database name in TEST_DATABASE_URL");
    Some((format!("{base}/{name}"), admin, name))
}

#[test]
fn two_servers_on_one_postgres_database_work_side_by_side() {
    let Some((url, admin, name)) = postgres_database("pair") else {
        return;
    };
    let (dir_a, dir_b) = (TempDir::new("pair-a"), TempDir::new("pair-b"));
    let env = [
        ("DATABASE_URL", url.as_str()),
        (
            "JWT_SECRET_KEY",
            "a-secret-shared-by-both-servers-0123456789",
        ),
        ("DEV_LOGIN", "true"),
    ];
    // Both start (and migrate) at once.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&dir_a.0, &env));
        let b = s.spawn(|| Server::start(&dir_b.0, &env));
        (a.join().expect("server a"), b.join().expect("server b"))
    });
    let token = dev_login(a.addr, "pair@example.com");
    let auth = format!("Bearer {token}");
    let created = request(
        a.addr,
        "POST",
        "/api/v1/projects",
        &[("Authorization", &auth)],
        Some(&serde_json::json!({"name": "shared"})),
    )
    .expect("create on a");
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().expect("id").to_string();
    // The other process sees it, with the same token, and enforces the same uniqueness.
    let read = request(
        b.addr,
        "GET",
        &format!("/api/v1/projects/{id}"),
        &[("Authorization", &auth)],
        None,
    )
    .expect("read on b");
    assert_eq!(read.status, 200, "{}", read.body);
    let again = request(
        b.addr,
        "POST",
        "/api/v1/projects",
        &[("Authorization", &auth)],
        Some(&serde_json::json!({"name": "shared"})),
    )
    .expect("create again on b");
    assert_eq!(again.status, 409, "{}", again.body);
    a.stop();
    b.stop();
    let _ = Command::new("psql")
        .args([
            "-q",
            &admin,
            "-c",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        ])
        .output();
}
