//! `scripts/install-pilotbook.sh`, the install logic of `action.yml` and of
//! the `pilotbook-check-release` pre-commit hook, run against a fake
//! release: archives made by the packaging step of
//! `.github/workflows/release.yml` itself, served on 127.0.0.1 (or read
//! from a `file://` URL). The "binary" is a small shell script that answers
//! `--version` like pilotbook and echoes its arguments. `action.yml`'s own
//! steps run here too, in order, as far as a test without a GitHub runner
//! can run them (`run_action`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LINUX: &str = "x86_64-unknown-linux-musl";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn load_yaml(path: &Path) -> saphyr::Yaml<'static> {
    use saphyr::LoadableYamlNode;
    // Leaked: a test process loads a few small files.
    let text: &'static str = std::fs::read_to_string(path).expect("read YAML").leak();
    let mut docs = saphyr::Yaml::load_from_str(text).expect("valid YAML");
    docs.remove(0)
}

/// The `run:` script of the step named `name` in a job of release.yml.
fn release_step(job: &str, name: &str) -> String {
    let release = load_yaml(&root().join(".github/workflows/release.yml"));
    release["jobs"][job]["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .find(|s| s.as_mapping_get("name").and_then(|n| n.as_str()) == Some(name))
        .and_then(|s| s.as_mapping_get("run")?.as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("release.yml: no step `{name}` in job `{job}`"))
}

/// The targets release.yml builds.
fn release_targets() -> Vec<String> {
    let release = load_yaml(&root().join(".github/workflows/release.yml"));
    release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("matrix")
        .iter()
        .filter_map(|e| e.as_mapping_get("target")?.as_str().map(str::to_string))
        .collect()
}

/// A stand-in for the pilotbook binary.
fn fake_binary(version: &str) -> String {
    format!(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"pilotbook {version}\"; exit 0; fi\n\
         echo \"fake pilotbook ran: $*\"\n"
    )
}

fn bash(script: &str, cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .args(["-eo", "pipefail", "-c", script])
        .current_dir(cwd)
        .envs(env.iter().copied())
        .output()
        .expect("run bash")
}

/// A release folder laid out as GitHub serves it
/// (`releases/download/vX.Y.Z/…`), its archives made by release.yml's
/// "Package" step and its `sha256.sum` by the publish job's step.
fn fake_release(version: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let checkout = dir.path().join("checkout");
    let binary = checkout.join(format!("target/{LINUX}/release/pilotbook"));
    std::fs::create_dir_all(binary.parent().expect("parent")).expect("mkdir");
    std::fs::write(&binary, fake_binary(version)).expect("binary");
    std::fs::write(checkout.join("README.md"), "# pilotbook\n").expect("readme");
    let package = bash(
        &release_step("build", "Package"),
        &checkout,
        &[("TARGET", LINUX)],
    );
    assert!(package.status.success(), "Package: {}", err(&package));
    let dist = checkout.join("dist");
    let collect = bash(
        &release_step("publish", "Verify and collect the checksums"),
        &dist,
        &[],
    );
    assert!(collect.status.success(), "checksums: {}", err(&collect));

    let published = dir.path().join(format!("releases/download/v{version}"));
    std::fs::create_dir_all(&published).expect("mkdir");
    for name in [
        format!("pilotbook-{LINUX}.tar.gz"),
        format!("pilotbook-{LINUX}.tar.gz.sha256"),
        "sha256.sum".to_string(),
    ] {
        std::fs::rename(dist.join(&name), published.join(&name))
            .unwrap_or_else(|e| panic!("{name} was not made by release.yml: {e}"));
    }
    // GitHub's `latest` redirects to the newest release's tag page.
    std::fs::write(
        dir.path().join("releases/latest.redirect"),
        format!("/releases/tag/v{version}"),
    )
    .expect("redirect");
    dir
}

/// A file server on 127.0.0.1 for one test: files under `root`, 404 for
/// anything missing, a 302 where `PATH.redirect` exists. It stops when
/// dropped, and by itself after two minutes.
struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, log, flag) = (root.to_path_buf(), requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &root, &log),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/releases", self.addr)
    }

    fn requested(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    if let Ok(mut log) = log.lock() {
        log.push(path.clone());
    }
    let file = root.join(path.trim_start_matches('/'));
    let redirect = PathBuf::from(format!("{}.redirect", file.display()));
    let (status, extra, body) = if path.contains("..") {
        ("400 Bad Request", String::new(), Vec::new())
    } else if let Ok(to) = std::fs::read_to_string(&redirect) {
        ("302 Found", format!("Location: {to}\r\n"), Vec::new())
    } else if let Ok(bytes) = std::fs::read(&file) {
        ("200 OK", String::new(), bytes)
    } else {
        ("404 Not Found", String::new(), b"Not Found".to_vec())
    };
    let mut out = &stream;
    let _ = write!(
        out,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(&body);
}

/// Run the install script with `args`, nothing inherited that steers it.
fn script(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/install-pilotbook.sh"))
        .args(args)
        .env_remove("PILOTBOOK_RELEASES")
        .envs(env.iter().copied())
        .output()
        .expect("run install-pilotbook.sh")
}

fn install(releases: &str, version: &str, target: &str, dir: &Path) -> Output {
    let dir = dir.to_str().expect("UTF-8 path");
    script(
        &[
            "install",
            "--version",
            version,
            "--target",
            target,
            "--dir",
            dir,
            "--releases",
            releases,
        ],
        &[],
    )
}

#[test]
fn checksum_ok_installs_the_binary_once() {
    let release = fake_release("0.1.0");
    let server = Server::start(release.path());
    let into = tempfile::tempdir().expect("temp dir");
    let bin = into.path().join("bin");

    let out = install(&server.url(), "v0.1.0", LINUX, &bin);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let installed = bin.join("pilotbook");
    assert_eq!(text(&out).trim_end(), installed.display().to_string());
    assert!(
        err(&out).contains("installed pilotbook 0.1.0 (x86_64-unknown-linux-musl, sha256 "),
        "{}",
        err(&out)
    );
    let ran = Command::new(&installed)
        .arg("check")
        .output()
        .expect("run it");
    assert_eq!(text(&ran), "fake pilotbook ran: check\n");
    assert_eq!(
        server.requested(),
        [
            format!("/releases/download/v0.1.0/pilotbook-{LINUX}.tar.gz"),
            format!("/releases/download/v0.1.0/pilotbook-{LINUX}.tar.gz.sha256"),
        ]
    );
    // Nothing else is left beside the binary.
    let left: Vec<_> = std::fs::read_dir(&bin)
        .expect("bin")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(left, ["pilotbook"]);

    // Installed already (as when actions/cache restored it): no download.
    let again = install(&server.url(), "0.1.0", LINUX, &bin);
    assert_eq!(again.status.code(), Some(0), "{}", err(&again));
    assert!(err(&again).contains("pilotbook 0.1.0 is already installed"));
    assert_eq!(server.requested().len(), 2);

    // Another version in the folder is replaced.
    let newer = fake_release("0.2.0");
    let server2 = Server::start(newer.path());
    let upgrade = install(&server2.url(), "0.2.0", LINUX, &bin);
    assert_eq!(upgrade.status.code(), Some(0), "{}", err(&upgrade));
    let version = Command::new(&installed)
        .arg("--version")
        .output()
        .expect("run");
    assert_eq!(text(&version), "pilotbook 0.2.0\n");
}

#[test]
fn checksum_bad_installs_nothing() {
    let release = fake_release("0.1.0");
    let published = release.path().join("releases/download/v0.1.0");
    let sums = published.join(format!("pilotbook-{LINUX}.tar.gz.sha256"));
    let good = std::fs::read_to_string(&sums).expect("sha256");
    // One digit off: a corrupted or tampered archive.
    let first = if good.starts_with('0') { "1" } else { "0" };
    std::fs::write(&sums, format!("{first}{}", &good[1..])).expect("write");
    let server = Server::start(release.path());
    let into = tempfile::tempdir().expect("temp dir");
    let bin = into.path().join("bin");

    let out = install(&server.url(), "0.1.0", LINUX, &bin);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(
        err(&out).contains(&format!(
            "checksum mismatch for pilotbook-{LINUX}.tar.gz: expected {first}"
        )),
        "{}",
        err(&out)
    );
    assert!(err(&out).contains("nothing installed"), "{}", err(&out));
    assert!(text(&out).is_empty());
    assert!(!bin.exists(), "nothing written");

    // A checksum file that holds no SHA-256 is refused the same way.
    std::fs::write(&sums, "<html>not a checksum</html>\n").expect("write");
    let out = install(&server.url(), "0.1.0", LINUX, &bin);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(err(&out).contains("holds no SHA-256"), "{}", err(&out));
    assert!(!bin.exists());
}

#[test]
fn missing_asset_installs_nothing() {
    let release = fake_release("0.1.0");
    let server = Server::start(release.path());
    let into = tempfile::tempdir().expect("temp dir");
    let bin = into.path().join("bin");

    // No build for this target in the release.
    let out = install(&server.url(), "0.1.0", "aarch64-apple-darwin", &bin);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(
        err(&out).contains("pilotbook 0.1.0 has no build for aarch64-apple-darwin"),
        "{}",
        err(&out)
    );
    // No such release.
    let out = install(&server.url(), "9.9.9", LINUX, &bin);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(err(&out).contains("has no build"), "{}", err(&out));
    assert!(!bin.exists());

    // The archive without its checksum is not installed unverified.
    std::fs::remove_file(release.path().join(format!(
        "releases/download/v0.1.0/pilotbook-{LINUX}.tar.gz.sha256"
    )))
    .expect("rm");
    let out = install(&server.url(), "0.1.0", LINUX, &bin);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(
        err(&out).contains("not installing an unverified binary"),
        "{}",
        err(&out)
    );
    assert!(!bin.exists());
}

#[test]
fn installs_from_a_file_url() {
    let release = fake_release("0.1.0");
    let into = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}/releases", release.path().display());
    let out = install(&url, "0.1.0", LINUX, &into.path().join("bin"));
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    assert!(into.path().join("bin/pilotbook").is_file());
}

#[test]
fn bad_arguments_exit_2() {
    let into = tempfile::tempdir().expect("temp dir");
    let dir = into.path().to_str().expect("UTF-8");
    for (args, message) in [
        (vec!["install", "--dir", dir], "--version X.Y.Z is required"),
        (
            vec!["install", "--version", "main", "--dir", dir],
            "--version X.Y.Z is required (got `main`)",
        ),
        (vec!["install", "--version", "0.1.0"], "--dir is required"),
        (vec!["install", "--version"], "`--version` needs a value"),
        (vec!["resolve", "--version", "1.2"], "`1.2` is not X.Y.Z"),
        (
            vec!["resolve", "--bogus", "x"],
            "unknown argument `--bogus`",
        ),
        (vec!["upgrade"], "usage: install-pilotbook.sh"),
    ] {
        let out = script(&args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", err(&out));
        assert!(err(&out).contains(message), "{args:?}: {}", err(&out));
    }
}

fn resolved(args: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let mut all = vec!["resolve"];
    all.extend(args);
    let out = script(&all, env);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", err(&out));
    text(&out).lines().map(str::to_string).collect()
}

#[test]
fn resolve_picks_the_release_or_the_source() {
    let targets = release_targets();
    let release = |v: &str| -> Vec<String> {
        let here = resolved(&["--version", v], &[]);
        assert_eq!(here.len(), 3, "{here:?}");
        let target = here[2].strip_prefix("target=").expect("target");
        assert!(
            targets.iter().any(|t| t == target),
            "{target} in {targets:?}"
        );
        here[..2].to_vec()
    };
    assert_eq!(release("0.1.0"), ["mode=release", "version=0.1.0"]);
    assert_eq!(release("v0.1.0"), ["mode=release", "version=0.1.0"]);
    assert_eq!(
        release("1.0.0-rc.1"),
        ["mode=release", "version=1.0.0-rc.1"]
    );
    // The action's own ref: a release tag, a branch, a commit, nothing.
    let by_ref = |r: &str| resolved(&["--version", "", "--ref", r], &[]);
    assert_eq!(by_ref("v0.3.0")[..2], ["mode=release", "version=0.3.0"]);
    assert_eq!(by_ref("main"), ["mode=source"]);
    assert_eq!(
        by_ref("8f2a6c1e9d0b4a7f3c5e2d1b0a9f8e7d6c5b4a39"),
        ["mode=source"]
    );
    assert_eq!(by_ref(""), ["mode=source"]);
    // An explicit version wins over the ref.
    assert_eq!(
        resolved(&["--version", "0.2.0", "--ref", "main"], &[])[..2],
        ["mode=release", "version=0.2.0"]
    );

    // `latest` follows the releases page's redirect to the newest tag.
    let fake = fake_release("0.4.2");
    let server = Server::start(fake.path());
    let latest = resolved(
        &["--version", "latest"],
        &[("PILOTBOOK_RELEASES", &server.url())],
    );
    assert_eq!(latest[..2], ["mode=release", "version=0.4.2"]);
    assert_eq!(server.requested()[0], "/releases/latest");
}

#[test]
fn release_targets_are_the_ones_the_script_names() {
    let mut targets = release_targets();
    targets.sort();
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl",
        ]
    );
    // The asset names the script asks for are the ones release.yml uploads.
    let release = tempfile::tempdir().expect("temp dir");
    let server = Server::start(release.path());
    let into = tempfile::tempdir().expect("temp dir");
    for target in &targets {
        let out = install(&server.url(), "0.1.0", target, into.path());
        assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    }
    let archives: Vec<String> = server
        .requested()
        .iter()
        .filter_map(|p| p.rsplit('/').next().map(str::to_string))
        .collect();
    let uploads =
        std::fs::read_to_string(root().join(".github/workflows/release.yml")).expect("release.yml");
    for (target, archive) in targets.iter().zip(&archives) {
        let ext = if target.contains("windows") {
            "zip"
        } else {
            "tar.gz"
        };
        assert_eq!(*archive, format!("pilotbook-{target}.{ext}"));
        assert!(
            uploads.contains(&format!("dist/pilotbook-${{{{ matrix.target }}}}.{ext}*")),
            "release.yml uploads {ext}"
        );
    }
}

/// A checkout with a Cargo workspace whose `pilotbook` package is a member
/// that inherits the workspace version, beside another member.
fn workspace(version: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "Cargo.toml",
        &format!(
            "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n\n\
             [workspace.package]\nversion = \"{version}\"\nedition = \"2024\"\n"
        ),
    );
    write(
        "crates/alpha/Cargo.toml",
        "[package]\nname = \"pilotbook-core\"\nversion = \"9.9.9\"\nedition = \"2024\"\n",
    );
    write("crates/alpha/src/lib.rs", "");
    write(
        "crates/pilotbook/Cargo.toml",
        "[package]\nname = \"pilotbook\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    write(
        "crates/pilotbook/src/main.rs",
        "fn main() { println!(\"pilotbook {} from source\", env!(\"CARGO_PKG_VERSION\")); }\n",
    );
    write(
        "Cargo.lock",
        &format!(
            "version = 4\n\n[[package]]\nname = \"pilotbook\"\nversion = \"{version}\"\n\n\
             [[package]]\nname = \"pilotbook-core\"\nversion = \"9.9.9\"\n"
        ),
    );
    dir
}

#[test]
fn version_reads_the_package_or_its_workspace() {
    let here = script(&["version", "--path", root().to_str().expect("UTF-8")], &[]);
    assert_eq!(here.status.code(), Some(0), "{}", err(&here));
    assert_eq!(text(&here).trim_end(), env!("CARGO_PKG_VERSION"));

    let ws = workspace("0.3.1");
    let out = script(
        &["version", "--path", ws.path().to_str().expect("UTF-8")],
        &[],
    );
    assert_eq!(text(&out).trim_end(), "0.3.1", "{}", err(&out));

    let empty = tempfile::tempdir().expect("temp dir");
    let out = script(
        &["version", "--path", empty.path().to_str().expect("UTF-8")],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(err(&out).contains("no Cargo.toml of a package named pilotbook"));
}

#[test]
fn source_builds_the_pilotbook_package_with_cargo() {
    let ws = workspace("0.3.1");
    let into = tempfile::tempdir().expect("temp dir");
    let out = Command::new("bash")
        .arg(root().join("scripts/install-pilotbook.sh"))
        .args(["source", "--path"])
        .arg(ws.path())
        .arg("--dir")
        .arg(into.path())
        .env_remove("CARGO_TARGET_DIR")
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let binary = into.path().join("bin/pilotbook");
    assert_eq!(text(&out).trim_end(), binary.display().to_string());
    assert!(err(&out).contains("no release for this ref: building pilotbook from"));
    let ran = Command::new(&binary).output().expect("run");
    assert_eq!(text(&ran), "pilotbook 0.3.1 from source\n");
}

#[test]
fn the_pre_commit_hook_runs_the_release_binary() {
    // The hook as pre-commit declares it.
    let hooks = load_yaml(&root().join(".pre-commit-hooks.yaml"));
    let hook = hooks
        .as_vec()
        .expect("hooks")
        .iter()
        .find(|h| h["id"].as_str() == Some("pilotbook-check-release"))
        .expect("the pilotbook-check-release hook");
    assert_eq!(hook["language"].as_str(), Some("script"));
    assert_eq!(hook["pass_filenames"].as_bool(), Some(false));
    let entry = hook["entry"].as_str().expect("entry");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root().join(entry))
            .expect("entry")
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "{entry} is executable");
    }

    // pre-commit runs the entry from its clone of the repository at `rev`.
    let clone = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(clone.path().join("scripts")).expect("mkdir");
    for name in ["install-pilotbook.sh", "pre-commit-pilotbook.sh"] {
        std::fs::copy(
            root().join("scripts").join(name),
            clone.path().join("scripts").join(name),
        )
        .expect("copy");
    }
    std::fs::write(
        clone.path().join("Cargo.toml"),
        "[package]\nname = \"pilotbook\"\nversion = \"0.1.0\"\n",
    )
    .expect("Cargo.toml");
    let release = fake_release("0.1.0");
    let server = Server::start(release.path());
    let cache = tempfile::tempdir().expect("temp dir");
    let user_repo = tempfile::tempdir().expect("temp dir");
    let run = |releases: &str| -> Output {
        Command::new("bash")
            .arg(clone.path().join(entry))
            .args(["--deny-warnings"])
            .current_dir(user_repo.path())
            .env("PILOTBOOK_RELEASES", releases)
            .env("PILOTBOOK_CACHE", cache.path())
            .output()
            .expect("run the hook")
    };
    let first = run(&server.url());
    assert_eq!(first.status.code(), Some(0), "{}", err(&first));
    assert_eq!(text(&first), "fake pilotbook ran: check --deny-warnings\n");
    assert!(cache.path().join("0.1.0/pilotbook").is_file());
    // Later commits use the cached binary: no network.
    let offline = run("http://127.0.0.1:9/releases");
    assert_eq!(offline.status.code(), Some(0), "{}", err(&offline));
    assert_eq!(
        text(&offline),
        "fake pilotbook ran: check --deny-warnings\n"
    );
}

#[test]
fn sha256_sum_lists_every_archive() {
    let release = fake_release("0.1.0");
    let published = release.path().join("releases/download/v0.1.0");
    let sum = std::fs::read_to_string(published.join("sha256.sum")).expect("sha256.sum");
    let one = std::fs::read_to_string(published.join(format!("pilotbook-{LINUX}.tar.gz.sha256")))
        .expect("sha256");
    assert_eq!(sum, one);
    let (digest, name) = one.trim_end().split_once("  ").expect("sha256sum format");
    assert_eq!(name, format!("pilotbook-{LINUX}.tar.gz"));
    assert!(
        digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{digest}"
    );
}

/// What one run of `action.yml` left: the action's outputs, what it added
/// to PATH, and each `run:` step's output.
struct ActionRun {
    outputs: BTreeMap<String, String>,
    path: Vec<String>,
    logs: Vec<Output>,
    /// `RUNNER_TEMP`, kept while the run is looked at.
    _runner_temp: tempfile::TempDir,
}

/// The expression context of one run: what `${{ }}` in `action.yml` reads.
struct Context<'a> {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    action_ref: &'a str,
    tool_cache: &'a Path,
}

impl Context<'_> {
    /// One expression: a context value, optionally `|| 'fallback'`. An
    /// expression this does not know fails the test.
    fn value(&self, expr: &str) -> String {
        let (expr, fallback) = match expr.split_once("||") {
            Some((e, f)) => (e.trim(), Some(f.trim().trim_matches('\''))),
            None => (expr.trim(), None),
        };
        let got = match expr.split('.').collect::<Vec<_>>().as_slice() {
            ["inputs", name] => self.inputs.get(*name).cloned().expect("known input"),
            ["steps", id, "outputs", key] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*key))
                .cloned()
                .unwrap_or_default(),
            ["runner", "tool_cache"] => self.tool_cache.display().to_string(),
            ["github", "action_ref"] => self.action_ref.to_string(),
            _ => panic!("run_action does not know the expression `{expr}`"),
        };
        match fallback {
            Some(f) if got.is_empty() => f.to_string(),
            _ => got,
        }
    }

    fn expand(&self, text: &str) -> String {
        let expression = regex::Regex::new(r"\$\{\{\s*(.*?)\s*\}\}").expect("regex");
        expression
            .replace_all(text, |c: &regex::Captures| self.value(&c[1]))
            .into_owned()
    }

    /// An `if:` of the form `X == 'v'` or `X != 'v'`.
    fn holds(&self, condition: &str) -> bool {
        let (lhs, op, rhs) = ["==", "!="]
            .iter()
            .find_map(|op| {
                let (l, r) = condition.split_once(op)?;
                Some((l.trim(), *op, r.trim().trim_matches('\'')))
            })
            .unwrap_or_else(|| panic!("run_action does not know the condition `{condition}`"));
        (self.value(lhs) == rhs) == (op == "==")
    }
}

fn get<'y>(node: &'y saphyr::Yaml<'y>, key: &str) -> Option<&'y str> {
    node.as_mapping_get(key).and_then(|v| v.as_str())
}

/// Run `action.yml`'s steps in order the way the runner does, for what a
/// runner-less test can do (see [`Context`]): `run:` steps in
/// `bash -eo pipefail` with `GITHUB_OUTPUT`, `GITHUB_PATH`,
/// `GITHUB_ACTION_PATH` and `RUNNER_TEMP`. `uses:` steps (actions/cache)
/// are skipped: a second run over the same tool cache is what a cache hit
/// looks like.
fn run_action(
    action_path: &Path,
    with: &[(&str, &str)],
    action_ref: &str,
    tool_cache: &Path,
    env: &[(&str, &str)],
) -> ActionRun {
    let action = load_yaml(&root().join("action.yml"));
    let mut cx = Context {
        inputs: BTreeMap::new(),
        steps: BTreeMap::new(),
        action_ref,
        tool_cache,
    };
    for (name, input) in action["inputs"].as_mapping().expect("inputs") {
        let default = get(input, "default").unwrap_or_default();
        cx.inputs
            .insert(name.as_str().expect("name").into(), default.into());
    }
    for (name, value) in with {
        assert!(
            cx.inputs.contains_key(*name),
            "action.yml has no input `{name}`"
        );
        cx.inputs.insert((*name).into(), (*value).into());
    }
    let runner_temp = tempfile::tempdir().expect("temp dir");
    let github_path = runner_temp.path().join("github_path");
    std::fs::write(&github_path, "").expect("GITHUB_PATH");
    let mut logs = Vec::new();
    for step in action["runs"]["steps"].as_vec().expect("steps") {
        if get(step, "if").is_some_and(|c| !cx.holds(c)) {
            continue;
        }
        let Some(script) = get(step, "run") else {
            continue; // a `uses:` step: actions/cache
        };
        let output_file = runner_temp.path().join("github_output");
        std::fs::write(&output_file, "").expect("GITHUB_OUTPUT");
        let cwd = get(step, "working-directory")
            .map(|d| PathBuf::from(cx.expand(d)))
            .unwrap_or_else(|| runner_temp.path().to_path_buf());
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(cwd)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_ACTION_PATH", action_path)
            .env("RUNNER_TEMP", runner_temp.path())
            .env_remove("CARGO_TARGET_DIR")
            .envs(env.iter().copied());
        for (k, v) in step
            .as_mapping_get("env")
            .and_then(|e| e.as_mapping())
            .into_iter()
            .flatten()
        {
            command.env(
                k.as_str().expect("env name"),
                cx.expand(v.as_str().unwrap_or_default()),
            );
        }
        let out = command.output().expect("run step");
        let id = get(step, "id").unwrap_or("-").to_string();
        assert!(
            out.status.success() || id == "-",
            "step {id}: {}",
            err(&out)
        );
        let written = std::fs::read_to_string(&output_file).expect("GITHUB_OUTPUT");
        let outputs = cx.steps.entry(id).or_default();
        for (k, v) in written.lines().filter_map(|l| l.split_once('=')) {
            outputs.insert(k.into(), v.into());
        }
        logs.push(out);
    }
    let outputs = action["outputs"]
        .as_mapping()
        .expect("outputs")
        .iter()
        .map(|(name, o)| {
            let value = cx.expand(get(o, "value").expect("value"));
            (name.as_str().expect("name").to_string(), value)
        })
        .collect();
    let path = std::fs::read_to_string(&github_path).expect("GITHUB_PATH");
    ActionRun {
        outputs,
        path: path.lines().map(str::to_string).collect(),
        logs,
        _runner_temp: runner_temp,
    }
}

#[test]
fn the_action_installs_the_release_of_its_tag_and_runs_check() {
    let release = fake_release("0.1.0");
    let server = Server::start(release.path());
    let tool_cache = tempfile::tempdir().expect("temp dir");
    let repo = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(repo.path().join("docs")).expect("mkdir");
    let env = [("PILOTBOOK_RELEASES", server.url())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let docs = repo.path().join("docs");
    let with = [
        ("args", "--deny-warnings  --changed-since origin/main"),
        ("working-directory", docs.to_str().expect("UTF-8")),
    ];

    let run = run_action(&root(), &with, "v0.1.0", tool_cache.path(), &env);
    let bin = tool_cache.path().join(format!("pilotbook/0.1.0/{LINUX}"));
    assert_eq!(run.outputs["version"], "0.1.0");
    assert_eq!(
        run.outputs["path"],
        bin.join("pilotbook").display().to_string()
    );
    assert_eq!(run.path, [bin.display().to_string()]);
    let check = run.logs.last().expect("the check step");
    assert_eq!(
        text(check),
        "fake pilotbook ran: check --format github --deny-warnings --changed-since origin/main\n"
    );
    assert_eq!(server.requested().len(), 2, "archive and checksum");

    // The cache restored the tool cache: nothing is downloaded. The report
    // goes to a file in the working directory.
    let with = [
        ("format", "sarif"),
        ("output", "pilotbook.sarif"),
        ("working-directory", docs.to_str().expect("UTF-8")),
    ];
    let again = run_action(&root(), &with, "v0.1.0", tool_cache.path(), &env);
    assert_eq!(server.requested().len(), 2, "{:?}", server.requested());
    assert_eq!(text(again.logs.last().expect("check")), "");
    assert_eq!(
        std::fs::read_to_string(docs.join("pilotbook.sarif")).expect("report"),
        "fake pilotbook ran: check --format sarif\n"
    );

    // install-only: on PATH for later steps, no check.
    let only = run_action(
        &root(),
        &[("install-only", "true")],
        "v0.1.0",
        tool_cache.path(),
        &env,
    );
    assert_eq!(only.logs.len(), 2, "resolve and install only");
    assert_eq!(only.path, [bin.display().to_string()]);
}

#[test]
fn the_action_builds_an_unreleased_ref_from_its_source() {
    // The action's checkout at a branch: its scripts and a workspace.
    let checkout = workspace("0.5.0-dev");
    std::fs::create_dir(checkout.path().join("scripts")).expect("mkdir");
    std::fs::copy(
        root().join("scripts/install-pilotbook.sh"),
        checkout.path().join("scripts/install-pilotbook.sh"),
    )
    .expect("copy");
    let tool_cache = tempfile::tempdir().expect("temp dir");
    let run = run_action(
        checkout.path(),
        &[("install-only", "true")],
        "main",
        tool_cache.path(),
        &[("CARGO_NET_OFFLINE", "true")],
    );
    assert_eq!(run.outputs["version"], "source");
    let binary = PathBuf::from(&run.outputs["path"]);
    assert!(
        binary.ends_with("pilotbook-source/bin/pilotbook"),
        "{binary:?}"
    );
    let ran = Command::new(&binary).output().expect("run");
    assert_eq!(text(&ran), "pilotbook 0.5.0-dev from source\n");

    // A pinned version overrides the ref: the release, not the source.
    let release = fake_release("0.1.0");
    let server = Server::start(release.path());
    let url = server.url();
    let pinned = run_action(
        checkout.path(),
        &[("install-only", "true"), ("version", "0.1.0")],
        "main",
        tool_cache.path(),
        &[("PILOTBOOK_RELEASES", &url)],
    );
    assert_eq!(pinned.outputs["version"], "0.1.0");
}
