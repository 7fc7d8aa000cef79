//! `pilotbook serve` end to end: the real binary on a free port, driven over
//! raw TCP (so that a request path reaches the server exactly as written).
//! A page is served with the live-reload client, an edit shows up, a broken
//! front matter keeps the last good page and reports the error to the
//! overlay, path traversal is refused, and SIGTERM/SIGINT stop it with exit
//! 0. The built site never carries the client.

#![cfg(unix)]

use crate::support;

use crate::support::serve::{PILOT, Serve, portfolio};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn serves_edits_and_keeps_the_last_good_site_on_errors() {
    let dir = portfolio();
    let root = dir.path();
    let mut serve = Serve::start(root, &["--port", "0"]);

    let (code, page) = serve.get("/pilots/alpha.html");
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("FIRST-VERSION-TEXT"), "{page}");
    assert!(
        page.contains("__pilotbook/events"),
        "served pages carry the client"
    );
    let status = serve.status();
    assert_eq!(status["ok"], true, "{status}");
    let first_generation = status["generation"].as_u64().expect("generation");
    // Nothing changed, nothing is rebuilt (reading files is not a change).
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        serve.status()["generation"].as_u64(),
        Some(first_generation),
        "rebuilt without a change: {:?}",
        serve.log
    );

    // The portfolio and the person's page are served too, with their types.
    let (code, index) = serve.get("/");
    assert_eq!(code, 200);
    assert!(index.contains("Alpha pilot"));
    let (code, person) = serve.get("/people/dana");
    assert_eq!(code, 200);
    assert!(person.contains("Alpha pilot"), "the person lists the pilot");

    // An edit shows up within seconds.
    let edited = PILOT.replace("FIRST-VERSION-TEXT", "SECOND-VERSION-TEXT");
    std::fs::write(root.join("pilots/alpha.md"), &edited).expect("edit");
    serve.wait_for("the edited page", |s| {
        s.get("/pilots/alpha.html")
            .1
            .contains("SECOND-VERSION-TEXT")
    });
    let status = serve.status();
    assert!(status["generation"].as_u64() > Some(first_generation));

    // A front matter that cannot be read: the last good page stays, and
    // the error (file, line, message) is there for the overlay.
    let broken = edited
        .replace("status: pilot", "status: [pilot")
        .replace("SECOND-VERSION-TEXT", "BROKEN-VERSION-TEXT");
    std::fs::write(root.join("pilots/alpha.md"), &broken).expect("break");
    serve.wait_for("the failed build's status", |s| s.status()["ok"] == false);
    let status = serve.status();
    let error = &status["errors"][0];
    assert_eq!(error["path"], "pilots/alpha.md", "{status}");
    assert!(error["line"].as_u64() >= Some(2), "{status}");
    assert_eq!(error["rule"], "front-matter", "{status}");
    assert!(!error["message"].as_str().unwrap_or("").is_empty());
    let (code, page) = serve.get("/pilots/alpha.html");
    assert_eq!(code, 200);
    assert!(
        page.contains("SECOND-VERSION-TEXT"),
        "last good page: {page}"
    );
    assert!(!page.contains("BROKEN-VERSION-TEXT"));

    // Fixing it brings the overlay down and the new page up.
    std::fs::write(
        root.join("pilots/alpha.md"),
        edited.replace("SECOND-VERSION-TEXT", "THIRD-VERSION-TEXT"),
    )
    .expect("fix");
    serve.wait_for("the fixed page", |s| {
        s.get("/pilots/alpha.html").1.contains("THIRD-VERSION-TEXT")
    });
    assert_eq!(serve.status()["ok"], true);

    // Path traversal is refused, as written and percent-encoded.
    for target in [
        "/../Cargo.toml",
        "/pilots/../../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/pilots/%2E%2E%2F%2E%2E%2FCargo.toml",
        "/..%5cCargo.toml",
    ] {
        let (code, body) = serve.get(target);
        assert!(code == 400 || code == 404, "{target}: {code} {body}");
        assert!(!body.contains("[package]"), "{target} leaked a file");
    }
    // An unknown page is the site's 404, still with the client.
    let (code, body) = serve.get("/no/such/page.html");
    assert_eq!(code, 404);
    assert!(body.contains("__pilotbook/events"));

    assert_eq!(serve.stop("-TERM"), Some(0), "SIGTERM exits 0");
}

#[test]
fn live_reload_events_announce_each_build() {
    let dir = portfolio();
    let root = dir.path();
    let serve = Serve::start(root, &["--port", "0"]);
    let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    write!(
        stream,
        "GET /__pilotbook/events HTTP/1.1\r\nHost: localhost:{}\r\nAccept: text/event-stream\r\n\r\n",
        serve.port
    )
    .expect("send");
    let mut reader = BufReader::new(stream);
    let mut next_data = || -> serde_json::Value {
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).expect("read event");
            assert!(n > 0, "event stream closed");
            if let Some(data) = line.trim_end().strip_prefix("data: ") {
                return serde_json::from_str(data).expect("event JSON");
            }
        }
    };
    let first = next_data();
    assert_eq!(first["ok"], true, "{first}");
    std::fs::write(
        root.join("pilots/alpha.md"),
        PILOT.replace("FIRST-VERSION-TEXT", "EDITED"),
    )
    .expect("edit");
    let second = next_data();
    assert_eq!(second["ok"], true, "{second}");
    assert!(second["generation"].as_u64() > first["generation"].as_u64());
    // An open event stream does not hold up a clean stop.
    assert_eq!(serve.stop("-INT"), Some(0), "Ctrl-C exits 0");
}

#[test]
fn a_taken_port_moves_to_the_next_and_polling_works() {
    let dir = portfolio();
    let root = dir.path();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let mut serve = Serve::start(root, &["--port", &port.to_string(), "--poll"]);
    assert_ne!(serve.port, port, "{:?}", serve.log);
    assert!(serve.port > port);
    // Edit only once the first build is served: the poller has taken its
    // first look by then, most likely within the same second (its clock
    // for modification times), which is what the edit must survive.
    serve.wait_for("the first build", |s| {
        s.get("/pilots/alpha.html").1.contains("FIRST-VERSION-TEXT")
    });
    std::fs::write(
        root.join("pilots/alpha.md"),
        PILOT.replace("FIRST-VERSION-TEXT", "POLLED-EDIT"),
    )
    .expect("edit");
    serve.wait_for("the polled edit", |s| {
        s.get("/pilots/alpha.html").1.contains("POLLED-EDIT")
    });
    drop(taken);
}

#[test]
fn a_first_build_that_fails_still_serves_the_overlay() {
    let dir = portfolio();
    let root = dir.path();
    std::fs::write(root.join("pilotbook.toml"), "[site]\nnonsense = 1\n").expect("config");
    let mut serve = Serve::start(root, &["--port", "0"]);
    let status = serve.status();
    assert_eq!(status["ok"], false, "{status}");
    assert_eq!(status["errors"][0]["path"], "pilotbook.toml", "{status}");
    assert_eq!(status["errors"][0]["line"], 2, "{status}");
    let (code, body) = serve.get("/");
    assert_eq!(code, 503);
    assert!(body.contains("__pilotbook/events"));
    std::fs::write(root.join("pilotbook.toml"), "").expect("fix config");
    serve.wait_for("the first good build", |s| s.get("/").0 == 200);
}

#[test]
fn the_built_site_has_no_live_reload_client() {
    let dir = portfolio();
    let root = dir.path();
    let out = root.join("site");
    let o = support::pilotbook(root, &["build", "--out", out.to_str().expect("utf8")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read(entry.path()).expect("read");
        let text = String::from_utf8_lossy(&text);
        assert!(
            !text.contains("__pilotbook") && !text.contains("EventSource"),
            "{} carries live-reload code",
            entry.path().display()
        );
        checked += 1;
    }
    assert!(checked > 5, "the site was built");
}

#[test]
fn only_requests_for_the_servers_own_host_are_answered() {
    let dir = portfolio();
    let serve = Serve::start(dir.path(), &["--port", "0"]);
    let port = serve.port;
    // A DNS-rebinding page sends its own domain: refused, nothing of the
    // site in the answer.
    for host in [
        format!("evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "localhost:1".to_string(),
        String::new(),
    ] {
        let (code, body) = serve.get_for(&host, "/pilots/alpha.html");
        assert_eq!(code, 403, "Host {host:?}: {body}");
        assert!(
            !body.contains("FIRST-VERSION-TEXT"),
            "Host {host:?} read the page"
        );
        let (code, body) = serve.get_for(&host, "/__pilotbook/status");
        assert_eq!(code, 403, "Host {host:?}: {body}");
    }
    // The names the server was started for are served.
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let (code, body) = serve.get_for(&host, "/pilots/alpha.html");
        assert_eq!(code, 200, "Host {host}: {body}");
        assert!(body.contains("FIRST-VERSION-TEXT"));
    }
    drop(serve);
    // `--allow-host` adds a name.
    let serve = Serve::start(
        dir.path(),
        &["--port", "0", "--allow-host", "devbox.example"],
    );
    let (code, body) = serve.get_for(&format!("devbox.example:{}", serve.port), "/");
    assert_eq!(code, 200, "{body}");
}

#[test]
fn a_half_sent_request_is_disconnected() {
    let dir = portfolio();
    let serve = Serve::start(dir.path(), &["--port", "0"]);
    serve.get("/");
    let mut stream = TcpStream::connect(("127.0.0.1", serve.port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .expect("timeout");
    write!(stream, "GET / HTTP/1.1\r\nHost: loc").expect("send");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let read = std::io::Read::read_to_end(&mut stream, &mut rest);
    let waited = started.elapsed();
    // Closed by the server (an end of stream or a reset), not left open
    // until the client gives up.
    match read {
        Ok(_) => {}
        Err(e) => assert_eq!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset,
            "still open after {waited:?}: {e}"
        ),
    }
    assert!(
        waited < Duration::from_secs(30),
        "closed only after {waited:?}"
    );
    assert!(
        !String::from_utf8_lossy(&rest).contains("200 OK"),
        "a half-sent request was answered"
    );
    // The server still serves everyone else.
    assert_eq!(serve.get("/").0, 200);
}

#[test]
fn sigterm_during_the_first_build_exits_0() {
    let dir = portfolio();
    let root = dir.path();
    // Enough documents that the first build takes a while.
    for i in 0..1500 {
        std::fs::write(
            root.join(format!("pilots/p{i:04}.md")),
            PILOT.replace("Alpha pilot", &format!("Pilot {i}")),
        )
        .expect("write pilot");
    }
    let mut serve = Serve::start(root, &["--port", "0"]);
    // The URL is printed before the first build starts.
    assert_eq!(serve.signal_and_wait("-TERM"), Some(0), "{:?}", serve.log);
    assert!(
        !serve.log.iter().any(|l| l.starts_with("rebuilt")),
        "the first build had finished before the signal: {:?}",
        serve.log
    );
}

#[test]
fn an_edited_sidecar_metadata_file_renders_its_documents_page_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "pilotbook.toml",
        "[kinds.kep]\npath = \"keps/**/README.md\"\nmetadata_file = \"kep.yaml\"\nextra_fields = \"allow\"\n",
    );
    write("keps/1-swap/README.md", "# KEP-1: Swap\n\nSwap on nodes.\n");
    write("keps/1-swap/kep.yaml", "title: FIRST-SIDECAR-TITLE\n");
    let mut serve = Serve::start(root, &["--port", "0"]);
    let (code, page) = serve.get("/kep/1-swap.html");
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("FIRST-SIDECAR-TITLE"), "{page}");
    write("keps/1-swap/kep.yaml", "title: SECOND-SIDECAR-TITLE\n");
    serve.wait_for("the page with the sidecar's new title", |s| {
        s.get("/kep/1-swap.html").1.contains("SECOND-SIDECAR-TITLE")
    });
}

#[test]
fn serve_carries_the_pictures_pages_link_to_across_rebuilds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let write = |rel: &str, bytes: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    write(
        "pilotbook.toml",
        b"[kinds.note]\npath = \"notes/*.md\"\nrequired_sections = []\n",
    );
    write("notes/a.md", b"# A\n\n![flow](img/flow.png)\n");
    write("notes/b.md", b"# B\n\nFIRST\n");
    write("notes/img/flow.png", b"\x89PNG-served-picture");
    let mut serve = Serve::start(root, &["--port", "0"]);
    let (code, page) = serve.get("/note/a.html");
    assert_eq!(code, 200, "{page}");
    assert!(
        page.contains("src=\"../files/notes/img/flow.png\""),
        "{page}"
    );
    let (code, body) = serve.get("/files/notes/img/flow.png");
    assert_eq!(
        (code, body.contains("PNG-served-picture")),
        (200, true),
        "{body}"
    );
    // Another document's edit keeps page A, and its picture with it.
    write("notes/b.md", b"# B\n\nSECOND\n");
    serve.wait_for("the edit", |s| s.get("/note/b.html").1.contains("SECOND"));
    let (code, _) = serve.get("/files/notes/img/flow.png");
    assert_eq!(code, 200);
    // New bytes for the picture: served, though page A is kept.
    write("notes/img/flow.png", b"\x89PNG-new-picture");
    serve.wait_for("the new picture", |s| {
        s.get("/files/notes/img/flow.png")
            .1
            .contains("PNG-new-picture")
    });
}

#[test]
fn an_edit_in_a_sources_checkout_rebuilds_the_portfolio() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "portfolio/pilotbook.toml",
        "[[sources]]\nname = \"team\"\npath = \"../team\"\nroot = \"docs\"\n",
    );
    let pilot = |title: &str| {
        crate::support::pilot("pilot", ">= 90%", "2027-01-01")
            .replace("title: Triage", &format!("title: {title}"))
    };
    write("team/docs/pilots/triage.md", &pilot("FIRST-SOURCE-TITLE"));
    let mut serve = Serve::start(&dir.path().join("portfolio"), &["--port", "0"]);
    let (code, page) = serve.get("/pilots/triage.html");
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("FIRST-SOURCE-TITLE"), "{page}");
    write("team/docs/pilots/triage.md", &pilot("SECOND-SOURCE-TITLE"));
    serve.wait_for("the source's edit on the page", |s| {
        s.get("/pilots/triage.html")
            .1
            .contains("SECOND-SOURCE-TITLE")
    });
}
