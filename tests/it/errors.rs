//! Every way pilotbook can refuse to run (exit 2), once: the real binary on
//! a small repository broken one way at a time, its stderr pinned as one
//! snapshot with the temporary folder replaced by `[TMP]`. A message that
//! repeats its OS error, loses the file or line, or says "1 errors" shows
//! here first.

use crate::support::{Case, DANA, Run, ZENDESK, pilot};
use std::fmt::Write as _;
use std::path::Path;

/// A committed, clean portfolio.
fn portfolio() -> Case {
    Case::new()
        .config("")
        .file("people/dana-kim.md", "---\nname: Dana Kim\n---\n")
        .file(
            "metrics/accuracy.md",
            "---\ntitle: Accuracy\nunit: \"%\"\n---\n",
        )
        .file("systems/zendesk.md", ZENDESK)
        .file("pilots/triage.md", &pilot("pilot", ">= 90%", "2027-06-01"))
        .committed("Portfolio", DANA, "2026-02-01T09:00:00+00:00")
}

/// One case: how pilotbook is started, and what it says.
struct Start {
    name: &'static str,
    cwd: std::path::PathBuf,
    args: Vec<String>,
    env: Vec<(&'static str, &'static str)>,
}

fn case(
    name: &'static str,
    cwd: &Path,
    args: &[&str],
    env: &[(&'static str, &'static str)],
) -> Start {
    Start {
        name,
        cwd: cwd.to_path_buf(),
        args: args.iter().map(|a| a.to_string()).collect(),
        env: env.to_vec(),
    }
}

fn run(case: &Start, tmp: &Path) -> String {
    let out = Run::new()
        .args(&case.args)
        .cwd(&case.cwd)
        .ceiling(tmp)
        .envs(&case.env)
        .output();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}: stdout {}\nstderr {}",
        case.name,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let tmp = tmp.display().to_string();
    let canonical = std::fs::canonicalize(&tmp).map(|p| p.display().to_string());
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    if let Ok(canonical) = canonical {
        text = text.replace(&canonical, "[TMP]");
    }
    text.replace(&tmp, "[TMP]")
}

#[test]
fn every_error_that_stops_pilotbook() {
    let repo = portfolio();
    let tmp = repo.tmp.path();
    let root = &repo.root;
    let plain = tmp.join("plain");
    std::fs::create_dir_all(plain.join("pilots")).expect("plain");
    let configs = tmp.join("configs");
    let bad_config = |name: &str, text: &str| {
        let dir = configs.join(name);
        std::fs::create_dir_all(&dir).expect("config dir");
        std::fs::write(dir.join("pilotbook.toml"), text).expect("config");
        dir
    };
    let toml_syntax = bad_config("toml-syntax", "[site\ntitle = 1\n");
    let unknown_key = bad_config("unknown-key", "[site]\ntitel = \"x\"\n");
    let bad_glob = bad_config("bad-glob", "[kinds.pilot]\npath = \"pilots/[*.md\"\n");
    let escaping_glob = bad_config("escaping-glob", "[kinds.pilot]\npath = \"../*.md\"\n");
    let unknown_rule = bad_config("unknown-rule", "[rules]\nno-such-rule = \"off\"\n");
    let bad_severity = bad_config("bad-severity", "[rules]\nmissing-field = \"fatal\"\n");
    let output_outside = bad_config("output-outside", "[build]\noutput_dir = \"../site\"\n");
    let limit = bad_config("limit", "[limits]\nmax_file_bytes = 0\n");
    let extra = bad_config(
        "extra-fields",
        "[kinds.pilot]\nextra_fields = \"sometimes\"\n",
    );
    let baseline_outside = bad_config("baseline-outside", "[check]\nbaseline = \"/etc/passwd\"\n");
    let kind_name = bad_config("kind-name", "[kinds.Decision]\npath = \"d/*.md\"\n");
    let kind_taken = bad_config("kind-taken", "[kinds.history]\npath = \"h/*.md\"\n");
    let kind_path = bad_config(
        "kind-without-path",
        "[kinds.decision]\nrequired_fields = []\n",
    );
    let field_type = bad_config("field-type", "[kinds.pilot.fields]\ncost = \"money\"\n");
    let empty_enum = bad_config("empty-enum", "[kinds.pilot.fields]\ntier = { enum = [] }\n");
    let bad_ref = bad_config(
        "bad-ref",
        "[kinds.pilot.fields]\nsponsor = { ref = \"sponsor\" }\n",
    );
    let no_baseline = bad_config("no-baseline", "[check]\nbaseline = \"baseline.json\"\n");
    let bad_baseline = bad_config("bad-baseline", "[check]\nbaseline = \"baseline.json\"\n");
    std::fs::write(
        bad_baseline.join("baseline.json"),
        "{\"version\":1,\n\"findings\":[{\"rule\":1}]}\n",
    )
    .expect("baseline");
    let old_baseline = bad_config("old-baseline", "[check]\nbaseline = \"baseline.json\"\n");
    std::fs::write(
        old_baseline.join("baseline.json"),
        "{\"version\":9,\"findings\":[]}\n",
    )
    .expect("baseline");
    let templates = bad_config("broken-template", "");
    std::fs::create_dir_all(templates.join("templates")).expect("templates");
    std::fs::write(
        templates.join("templates/portfolio.html"),
        "{% for x in %}\n",
    )
    .expect("template");
    let foreign = tmp.join("foreign-site");
    std::fs::create_dir_all(&foreign).expect("foreign");
    std::fs::write(foreign.join("index.html"), "not pilotbook's\n").expect("foreign");
    let s = |p: &Path| p.display().to_string();
    let (plain_s, root_s) = (s(&plain), s(root));
    let missing = s(&tmp.join("missing"));
    let foreign_s = s(&foreign);
    let cases: Vec<Start> = vec![
        case(
            "no pilotbook.toml from here up",
            &plain.join("pilots"),
            &["check"],
            &[],
        ),
        case(
            "the root does not exist",
            tmp,
            &["-C", &missing, "check"],
            &[],
        ),
        case(
            "--config names no file",
            root,
            &["--config", "nope.toml", "check"],
            &[],
        ),
        case("TOML syntax", &toml_syntax, &["check"], &[]),
        case("unknown key", &unknown_key, &["check"], &[]),
        case("bad glob", &bad_glob, &["check"], &[]),
        case("glob out of the root", &escaping_glob, &["check"], &[]),
        case("unknown rule", &unknown_rule, &["check"], &[]),
        case("bad severity", &bad_severity, &["check"], &[]),
        case("output folder outside", &output_outside, &["check"], &[]),
        case("limit of zero", &limit, &["check"], &[]),
        case("extra_fields", &extra, &["check"], &[]),
        case("baseline outside", &baseline_outside, &["check"], &[]),
        case("kind name", &kind_name, &["check"], &[]),
        case("kind name taken", &kind_taken, &["check"], &[]),
        case("kind without path", &kind_path, &["check"], &[]),
        case("unknown field type", &field_type, &["check"], &[]),
        case("empty enum", &empty_enum, &["check"], &[]),
        case("ref to an unknown kind", &bad_ref, &["check"], &[]),
        case("baseline missing", &no_baseline, &["check"], &[]),
        case("baseline unreadable", &bad_baseline, &["check"], &[]),
        case(
            "baseline of another version",
            &old_baseline,
            &["check"],
            &[],
        ),
        case("no such path", root, &["check", "pilots/nope.md"], &[]),
        case(
            "--rev outside a repository",
            &plain,
            &["-C", &plain_s, "check", "--rev", "main"],
            &[],
        ),
        case(
            "--changed-since outside a repository",
            &plain,
            &["-C", &plain_s, "check", "--changed-since", "main"],
            &[],
        ),
        case(
            "unknown revision",
            root,
            &["check", "--rev", "no-such-branch"],
            &[],
        ),
        case(
            "diff of an unknown revision",
            root,
            &["diff", "no-such-branch"],
            &[],
        ),
        case(
            "unknown rule to explain",
            root,
            &["check", "--explain", "no-such-rule"],
            &[],
        ),
        case(
            "bad PILOTBOOK_TODAY",
            root,
            &["check"],
            &[("PILOTBOOK_TODAY", "tomorrow")],
        ),
        case(
            "bad SOURCE_DATE_EPOCH",
            root,
            &["check"],
            &[("PILOTBOOK_TODAY", ""), ("SOURCE_DATE_EPOCH", "soon")],
        ),
        case(
            "unwritable step summary",
            root,
            &["check", "--format", "github"],
            &[("GITHUB_STEP_SUMMARY", "/proc/nope/summary.md")],
        ),
        case(
            "unwritable baseline",
            root,
            &["check", "--write-baseline", "no/such/folder/b.json"],
            &[],
        ),
        case("bad argument", root, &["check", "--format", "yaml"], &[]),
        case("init over existing files", root, &["init", &root_s], &[]),
        case("new: invalid id", root, &["new", "Bad_Id"], &[]),
        case(
            "new: invalid owner",
            root,
            &["new", "x", "--owner", "a b"],
            &[],
        ),
        case(
            "new: unknown kind",
            root,
            &["new", "x", "--kind", "decision"],
            &[],
        ),
        case("new: id taken", root, &["new", "triage"], &[]),
        case("build: broken template", &templates, &["build"], &[]),
        case(
            "build: a folder pilotbook did not make",
            root,
            &["build", "--out", &foreign_s],
            &[],
        ),
    ];
    let mut snapshot = String::new();
    for case in &cases {
        let shown = case
            .args
            .join(" ")
            .replace(&tmp.display().to_string(), "[TMP]");
        let _ = writeln!(snapshot, "### {}\n$ pilotbook {shown}", case.name);
        snapshot.push_str(&run(case, tmp));
        snapshot.push('\n');
    }
    insta::assert_snapshot!("errors", snapshot);
    // No message repeats its cause ("No such file or directory (os error 2):
    // No such file or directory (os error 2)"), and none says "1 errors".
    for line in snapshot.lines() {
        let parts: Vec<&str> = line.split(": ").collect();
        for pair in parts.windows(2) {
            assert!(pair[0] != pair[1] || pair[0].len() < 8, "repeated: {line}");
        }
        for bad in ["1 errors", "1 warnings", "1 documents", "1 findings"] {
            assert!(!line.contains(&format!(" {bad}")), "{line}");
        }
    }
}
