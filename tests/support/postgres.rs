//! A real PostgreSQL server for one test: `initdb` into a temporary folder owned by
//! an unprivileged user, `pg_ctl start` on a free 127.0.0.1 port with its socket in
//! that folder, stopped by PID when the value is dropped (also when the test fails).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct PgServer {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub url: String,
    pub port: u16,
    pid: Option<u32>,
    data: PathBuf,
    _dir: tempfile::TempDir,
}

/// The folder of PostgreSQL's server programs (`PG_BIN`, else the newest
/// /usr/lib/postgresql/*/bin).
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server programs are missing: apt-get install -y postgresql")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no initdb under /usr/lib/postgresql/*/bin: apt-get install -y postgresql")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a server program, as the `postgres` user when this process is root.
fn run(program: &Path, args: &[&str]) {
    let output = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(program)
            .args(args)
            .output()
    } else {
        Command::new(program).args(args).output()
    }
    .expect("cannot run a PostgreSQL program");
    assert!(
        output.status.success(),
        "{} {args:?} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl PgServer {
    pub fn start() -> PgServer {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("connectorgen-pg-")
            .tempdir()
            .unwrap();
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "cannot give the folder to postgres");
        }
        let data = dir.path().join("data");
        let data_arg = data.to_string_lossy().into_owned();
        run(
            &bin.join("initdb"),
            &[
                "-D",
                &data_arg,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // A free port: bind to 0, read it, let it go (pg_ctl binds it a moment later).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
            dir.path().display()
        );
        let log = dir.path().join("log").to_string_lossy().into_owned();
        // Made before the server starts: if `pg_ctl start` fails after the server came
        // up, dropping this still stops it.
        let mut server = PgServer {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            port,
            pid: None,
            data: data.clone(),
            _dir: dir,
        };
        run(
            &bin.join("pg_ctl"),
            &[
                "-D", &data_arg, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        );
        server.pid = postmaster_pid(&data);
        assert!(server.pid.is_some(), "the server wrote no postmaster.pid");
        server
    }
}

/// The server's PID, from the first line of its `postmaster.pid`.
fn postmaster_pid(data: &Path) -> Option<u32> {
    std::fs::read_to_string(data.join("postmaster.pid"))
        .ok()
        .and_then(|text| text.lines().next()?.trim().parse().ok())
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let Some(pid) = self.pid.or_else(|| postmaster_pid(&self.data)) else {
            return;
        };
        // SIGQUIT: immediate shutdown; the data folder goes with the test.
        let _ = Command::new("kill")
            .args(["-QUIT", &pid.to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}
