//! Running `pilotbook serve` in tests: a small portfolio, the server on a
//! free port, raw HTTP requests (so that a path reaches the server exactly
//! as written), polling with a deadline, and stopping by signal.

use super::Run;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const PILOT: &str = "---
title: Alpha pilot
status: pilot
owner: dana
started: 2026-06-01
metrics:
  - metric: accuracy
    target: \">= 90%\"
production_path:
  - milestone: Shadow mode
    due: 2026-07-01
---

# Alpha pilot

## Success metrics
Accuracy is measured weekly.

## Integrations
None yet.

## Ownership
Dana.

## Production path
Shadow first.

## Monitoring
Dashboards.

## Rollback
Switch it off.

FIRST-VERSION-TEXT
";

pub const PERSON: &str = "---\nname: Dana Kim\n---\n\nDana owns pilots.\n";

/// A portfolio in a temporary folder (not a git repository).
pub fn portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("pilotbook.toml"), "").expect("write config");
    std::fs::create_dir_all(root.join("pilots")).expect("mkdir");
    std::fs::create_dir_all(root.join("people")).expect("mkdir");
    std::fs::write(root.join("pilots/alpha.md"), PILOT).expect("write pilot");
    std::fs::write(root.join("people/dana.md"), PERSON).expect("write person");
    dir
}

/// A running `pilotbook serve` and what it printed.
pub struct Serve {
    pub child: Child,
    pub port: u16,
    stderr: mpsc::Receiver<String>,
    pub log: Vec<String>,
}

impl Serve {
    pub fn start(root: &Path, extra: &[&str]) -> Serve {
        let mut child = Run::at(root)
            .arg("serve")
            .args(extra)
            .ceiling(root.parent().unwrap_or(root))
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pilotbook serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serve = Serve {
            child,
            port: 0,
            stderr: rx,
            log: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while serve.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = serve
                .stderr
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("serve printed no URL: {:?}", serve.log));
            if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
                serve.port = rest
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .split('/')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("port in the URL");
            }
            serve.log.push(line);
        }
        serve
    }

    /// Send `request_target` as written and return the status and body.
    pub fn get(&self, request_target: &str) -> (u16, String) {
        self.get_for(&format!("localhost:{}", self.port), request_target)
    }

    /// [`Serve::get`] with this `Host` header.
    pub fn get_for(&self, host: &str, request_target: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET {request_target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {text:?}"));
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    pub fn status(&self) -> serde_json::Value {
        let (code, body) = self.get("/__pilotbook/status");
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).expect("status JSON")
    }

    /// Poll until `done` holds (up to 15 s), else fail with the log.
    pub fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Serve) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if done(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        while let Ok(line) = self.stderr.try_recv() {
            self.log.push(line);
        }
        panic!("timed out waiting for {what}; serve said: {:#?}", self.log);
    }

    /// The lines printed so far.
    pub fn drain_log(&mut self) -> &[String] {
        while let Ok(line) = self.stderr.try_recv() {
            self.log.push(line);
        }
        &self.log
    }

    /// Send a signal and wait for the exit code.
    pub fn stop(mut self, signal: &str) -> Option<i32> {
        self.signal_and_wait(signal)
    }

    /// [`Serve::stop`], keeping the log readable afterwards.
    pub fn signal_and_wait(&mut self, signal: &str) -> Option<i32> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // What it printed up to its exit.
                std::thread::sleep(Duration::from_millis(50));
                self.drain_log();
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("serve did not stop on {signal}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
