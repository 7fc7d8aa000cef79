//! The one way the tests run the `pilotbook` binary: a fixed today, no
//! colour, and nothing of the test's own environment that pilotbook reads
//! (`GIT_DIR`, `GIT_CEILING_DIRECTORIES`, `GITHUB_STEP_SUMMARY`, the fault
//! and timing switches), unless a test sets it. Every run is timed, killed
//! past its limit, and measured: the peak resident set of that child alone
//! (`wait4`), so tests that bound memory share the binary with the rest.

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// The day every run takes as today.
pub const TODAY: &str = "2026-11-25";

/// Variables pilotbook reads that a test's environment must not decide.
const INHERITED: &[&str] = &[
    "GIT_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_NO_REPLACE_OBJECTS",
    "GITHUB_STEP_SUMMARY",
    "PILOTBOOK_FAIL_AT",
    "PILOTBOOK_TIMINGS",
    "SOURCE_DATE_EPOCH",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
];

/// A pilotbook run being set up.
pub struct Run {
    cmd: Command,
    limit: Duration,
}

/// A finished run: its output, how long it took, whether it was killed at
/// its limit, and its peak resident set in bytes.
pub struct Ran {
    pub output: Output,
    pub took: Duration,
    pub killed: bool,
    pub peak: usize,
}

impl Run {
    /// pilotbook started in the test's current folder, without `-C`.
    pub fn new() -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pilotbook"));
        cmd.env("PILOTBOOK_TODAY", TODAY).env("NO_COLOR", "1");
        for name in INHERITED {
            cmd.env_remove(name);
        }
        cmd.stdin(Stdio::null());
        Run {
            cmd,
            limit: Duration::from_secs(120),
        }
    }

    /// pilotbook with `-C dir`.
    pub fn at(dir: &Path) -> Run {
        Run::new().arg("-C").arg(dir)
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Run {
        self.cmd.args(args);
        self
    }

    /// Start in `dir` (without `-C`, the root is found upward from there).
    pub fn cwd(mut self, dir: &Path) -> Run {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Run {
        self.cmd.env(key, value);
        self
    }

    pub fn envs<V: AsRef<OsStr>>(mut self, vars: &[(&str, V)]) -> Run {
        for (key, value) in vars {
            self.cmd.env(key, value);
        }
        self
    }

    pub fn env_remove(mut self, key: &str) -> Run {
        self.cmd.env_remove(key);
        self
    }

    /// No git repository above `dir` is seen (`GIT_CEILING_DIRECTORIES`).
    pub fn ceiling(self, dir: &Path) -> Run {
        self.env("GIT_CEILING_DIRECTORIES", dir)
    }

    /// Kill the run after `limit` (120 s unless set).
    pub fn limit(mut self, limit: Duration) -> Run {
        self.limit = limit;
        self
    }

    /// Cap the child's address space, so that a run reading without bound
    /// fails instead of taking the machine.
    pub fn address_space(mut self, bytes: u64) -> Run {
        // SAFETY: setrlimit is async-signal-safe and touches only the child.
        unsafe {
            self.cmd.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                libc::setrlimit(libc::RLIMIT_AS, &limit);
                Ok(())
            });
        }
        self
    }

    /// The command as set up, for a test that drives the process itself
    /// (a server it stops by signal).
    pub fn command(self) -> Command {
        self.cmd
    }

    /// Run to the end and return the output.
    pub fn output(self) -> Output {
        self.ran().output
    }

    /// Run to the end (or the limit) and return the output, time and peak.
    /// Every export a test makes is checked against the published schema.
    pub fn ran(mut self) -> Ran {
        let exports = self.cmd.get_args().any(|a| a == "export");
        let started = Instant::now();
        let mut child = self
            .cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run pilotbook");
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let (status, peak, killed) = wait(&mut child, started, self.limit);
        let ran = Ran {
            output: Output {
                status,
                stdout: stdout.join().expect("stdout"),
                stderr: stderr.join().expect("stderr"),
            },
            took: started.elapsed(),
            killed,
            peak,
        };
        // `export --help` and the like print text, not an export.
        if exports && ran.output.status.success() && ran.output.stdout.starts_with(b"{") {
            super::schema::assert_export(&ran.output.stdout);
        }
        ran
    }
}

/// Read a pipe to its end on a thread of its own, so that a child that
/// writes much never blocks on a full pipe.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Reap `child` with `wait4`, killing it once `limit` has passed:
/// (status, peak bytes, killed).
///
/// The peak is the child's high-water mark (`VmHWM`), read from `/proc`
/// while it runs (every millisecond at first, then every 5 ms). Not
/// `ru_maxrss`: a forked child's counts the resident set of the process it
/// was forked from, which in one test binary that runs every test can be
/// hundreds of MiB. A run too short to be seen reports 0: it had no time to
/// grow.
fn wait(child: &mut Child, started: Instant, limit: Duration) -> (ExitStatus, usize, bool) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut peak = 0;
    let mut killed = false;
    loop {
        peak = peak.max(high_water_bytes(pid));
        let mut status = 0;
        // SAFETY: wait4 only writes into the two values it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let flags = if killed { 0 } else { libc::WNOHANG };
        let reaped = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if reaped == pid {
            return (ExitStatus::from_raw(status), peak, killed);
        }
        assert!(reaped == 0, "wait4: {}", std::io::Error::last_os_error());
        if started.elapsed() > limit {
            // Not reaped yet, so the pid is still this child's.
            let _ = child.kill();
            killed = true;
        } else if started.elapsed() < Duration::from_millis(100) {
            std::thread::sleep(Duration::from_millis(1));
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// A `kB` line of `/proc/<pid>/status`, in bytes (0 when unreadable).
fn status_bytes(pid: &str, key: &str) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// A running child's peak resident set so far.
fn high_water_bytes(pid: libc::pid_t) -> usize {
    status_bytes(&pid.to_string(), "VmHWM:")
}
