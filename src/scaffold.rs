//! The files a portfolio or a document starts from: `pilotbook init` and
//! `pilotbook new`.
//!
//! `init` writes a commented `pilotbook.toml` with every default spelled
//! out, one complete sample pilot with the person, metric and system it
//! refers to, and CI files for GitHub Actions and GitLab. The content lives
//! in `templates/init/`, embedded in the binary; the sample's dates are set
//! relative to today so that it passes `check` on the day it is written.
//! `init` checks every target first and writes nothing when one exists,
//! unless forced.
//!
//! `init --portfolio` writes the start of a portfolio repository that reads
//! other repositories (`[[sources]]`): a commented `pilotbook.toml` with a
//! checkout, a monorepo checkout and an export source, a central `people/`
//! folder, the GitHub workflow that fetches every source, checks and
//! publishes, and the workflow each source repository copies to publish its
//! export and ask for a rebuild. Its content lives in
//! `templates/init-portfolio/`; the two workflows name the same sources as
//! the config, which the tests hold them to.
//!
//! `new` writes one document of a kind at a path derived from the kind's
//! first glob, with placeholder front matter (`todo`, `>= 0`, `YYYY-MM-DD`:
//! values the `placeholder-value` rule rejects) and every required and
//! recommended section, each holding only an HTML comment hint. A comment is
//! not content, so the new document fails `check` until its fields and
//! sections are written. Neither function ever overwrites a document.

use pilotbook_core::config::{Builtin, Config, FieldType, KindConfig};
use pilotbook_core::model::{Date, Portfolio, is_valid_id};
use std::path::{Path, PathBuf};

/// Why `init` or `new` could not write (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// Files `init` would write exist already.
    #[error(
        "{} already {} in {}; nothing was written (use --force to overwrite)",
        files.join(", "),
        if files.len() == 1 { "exists" } else { "exist" },
        dir.display()
    )]
    Exists {
        /// The folder.
        dir: PathBuf,
        /// The existing files, relative to it.
        files: Vec<String>,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The id is not a valid document id.
    #[error(
        "`{id}` is not a valid id: use lowercase letters, digits and `-`, starting with a letter or digit (e.g. `ticket-triage`)"
    )]
    InvalidId {
        /// The id given.
        id: String,
    },
    /// The owner is not a valid person id.
    #[error(
        "owner `{owner}` is not a valid person id: use lowercase letters, digits and `-` (e.g. `dana-kim`)"
    )]
    InvalidOwner {
        /// The owner given.
        owner: String,
    },
    /// No kind has that name.
    #[error("unknown kind `{kind}`; the kinds are: {}", known.join(", "))]
    UnknownKind {
        /// The kind given.
        kind: String,
        /// The configured kinds.
        known: Vec<String>,
    },
    /// No file path for the document follows from the kind's globs.
    #[error(
        "cannot derive a folder for kind `{kind}` from its path globs ({}); give it a glob such as `{kind}s/*.md`",
        globs.join(", ")
    )]
    NoFolder {
        /// The kind.
        kind: String,
        /// Its globs.
        globs: Vec<String>,
    },
    /// A document of that kind already has this id.
    #[error("{kind} `{id}` already exists: {path}")]
    IdTaken {
        /// The kind.
        kind: String,
        /// The id.
        id: String,
        /// The document that has it.
        path: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ScaffoldError + '_ {
    move |source| ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One file `init` writes: its path relative to the folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitFile {
    /// Relative path with `/`.
    pub path: &'static str,
    /// The content.
    pub text: String,
}

/// The commented default `pilotbook.toml`.
pub const DEFAULT_CONFIG: &str = include_str!("../templates/init/pilotbook.toml");

fn days_after(today: Date, days: i64) -> String {
    Date::from_days_since_epoch(today.days_since_epoch() + days).to_string()
}

/// A CI template with the action and the image pinned to the release of
/// the pilotbook that writes it, so the checks in CI are the local ones.
fn pinned(template: &str) -> String {
    template.replace("@VERSION@", env!("CARGO_PKG_VERSION"))
}

/// Every file `init` writes, with the sample's dates set from `today` (the
/// pilot starts in two weeks, as targets are agreed before it starts, and
/// its milestones follow in order) and the CI files pinned to this release.
pub fn init_files(today: Date) -> Vec<InitFile> {
    let pilot = include_str!("../templates/init/pilots/ticket-triage.md")
        .replace("@STARTED@", &days_after(today, 14))
        .replace("@SHADOW_DUE@", &days_after(today, 45))
        .replace("@DECISION@", &days_after(today, 75))
        .replace("@GA_DUE@", &days_after(today, 120));
    let file = |path, text: &str| InitFile {
        path,
        text: text.to_string(),
    };
    vec![
        file("pilotbook.toml", DEFAULT_CONFIG),
        file("pilots/ticket-triage.md", &pilot),
        file(
            "people/dana-kim.md",
            include_str!("../templates/init/people/dana-kim.md"),
        ),
        file(
            "metrics/triage-accuracy.md",
            include_str!("../templates/init/metrics/triage-accuracy.md"),
        ),
        file(
            "systems/zendesk.md",
            include_str!("../templates/init/systems/zendesk.md"),
        ),
        file(
            ".github/workflows/pilotbook.yml",
            &pinned(include_str!("../templates/init/github-workflow.yml")),
        ),
        file(
            ".gitlab-ci.yml",
            &pinned(include_str!("../templates/init/gitlab-ci.yml")),
        ),
    ]
}

/// The commented `pilotbook.toml` of a portfolio repository with sources.
pub const PORTFOLIO_CONFIG: &str = include_str!("../templates/init-portfolio/pilotbook.toml");

/// Where `init --portfolio` writes the workflow each source repository
/// copies into its `.github/workflows/`.
pub const SOURCE_WORKFLOW_PATH: &str = "ci/pilotbook-source.yml";

/// Every file `init --portfolio` writes, the CI files pinned to this
/// release.
pub fn portfolio_files() -> Vec<InitFile> {
    let file = |path, text: &str| InitFile {
        path,
        text: text.to_string(),
    };
    vec![
        file("pilotbook.toml", PORTFOLIO_CONFIG),
        file(
            "people/dana-kim.md",
            include_str!("../templates/init-portfolio/people/dana-kim.md"),
        ),
        file(
            ".github/workflows/pilotbook-portfolio.yml",
            &pinned(include_str!(
                "../templates/init-portfolio/github-workflow.yml"
            )),
        ),
        file(
            SOURCE_WORKFLOW_PATH,
            &pinned(include_str!(
                "../templates/init-portfolio/source-workflow.yml"
            )),
        ),
    ]
}

/// Scaffold a portfolio in `dir` (created if missing). Without `force`, any
/// file that exists already stops it before anything is written. Returns
/// the paths written, relative to `dir`.
pub fn init(dir: &Path, force: bool, today: Date) -> Result<Vec<&'static str>, ScaffoldError> {
    write_all(dir, force, &init_files(today))
}

/// Scaffold a portfolio repository that reads other repositories
/// (`init --portfolio`) in `dir`, as [`init`] does.
pub fn init_portfolio(dir: &Path, force: bool) -> Result<Vec<&'static str>, ScaffoldError> {
    write_all(dir, force, &portfolio_files())
}

/// Write `files` into `dir`: all of them, or (without `force`, when any
/// exists) none.
fn write_all(
    dir: &Path,
    force: bool,
    files: &[InitFile],
) -> Result<Vec<&'static str>, ScaffoldError> {
    if !force {
        let existing: Vec<String> = files
            .iter()
            .filter(|f| dir.join(f.path).symlink_metadata().is_ok())
            .map(|f| f.path.to_string())
            .collect();
        if !existing.is_empty() {
            return Err(ScaffoldError::Exists {
                dir: dir.to_path_buf(),
                files: existing,
            });
        }
    }
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        // `--force` replaces a file, or a link, never what a link points to.
        pilotbook_core::confined::create_file(dir, file.path, file.text.as_bytes(), force)
            .map_err(io(&dir.join(file.path)))?;
        written.push(file.path);
    }
    Ok(written)
}

/// What `new` is asked to create.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// The id, which becomes the file name.
    pub id: String,
    /// The kind's name.
    pub kind: String,
    /// The title [default: from the id].
    pub title: Option<String>,
    /// The owner's person id (kinds with an `owner` field).
    pub owner: Option<String>,
}

/// What `new` wrote.
#[derive(Debug, Clone)]
pub struct Created {
    /// Path relative to the root, with `/`.
    pub path: String,
    /// The sections left to write: required first, then recommended.
    pub required_sections: Vec<String>,
    /// The recommended sections.
    pub recommended_sections: Vec<String>,
}

/// The file a new document of `kind` with `id` goes to: the literal folder
/// of the kind's first glob that yields a matching path, then `<id>.md`
/// (or `<id>/README.md` for globs of folders).
pub fn document_path(kind: &KindConfig, id: &str) -> Result<String, ScaffoldError> {
    for glob in &kind.paths {
        let folder: Vec<&str> = glob
            .split('/')
            .take_while(|part| !part.contains(['*', '?', '[', '{']))
            .collect();
        // The last literal part of a glob without wildcards is a file name.
        let folder = if folder.len() == glob.split('/').count() {
            &folder[..folder.len().saturating_sub(1)]
        } else {
            &folder[..]
        };
        let prefix = folder.iter().map(|p| format!("{p}/")).collect::<String>();
        for candidate in [
            format!("{prefix}{id}.md"),
            format!("{prefix}{id}/README.md"),
            format!("{prefix}{id}/index.md"),
        ] {
            if kind.matches(&candidate) {
                return Ok(candidate);
            }
        }
    }
    Err(ScaffoldError::NoFolder {
        kind: kind.name.clone(),
        globs: kind.paths.clone(),
    })
}

/// `ticket-triage` → `Ticket triage`.
fn title_from_id(id: &str) -> String {
    let words = id.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value `placeholder-value` rejects, with a hint of what belongs there.
fn placeholder(ty: Option<&FieldType>) -> String {
    match ty {
        Some(FieldType::Number) => "TODO   # a number".to_string(),
        Some(FieldType::Date) => "YYYY-MM-DD".to_string(),
        Some(FieldType::Bool) => "TODO   # true or false".to_string(),
        Some(FieldType::List) => "[]".to_string(),
        Some(FieldType::Enum(values)) => format!("TODO   # {}", values.join(" | ")),
        Some(FieldType::Ref(kind)) => format!("todo   # the id of a {kind}"),
        Some(FieldType::String) | None => quoted("TODO"),
    }
}

/// The text of a new document: placeholder front matter, the title, and
/// every required and recommended section with a comment hint.
pub fn document_text(kind: &KindConfig, new: &NewDocument, today: Date) -> String {
    // One line: the title is also the H1.
    let title = match &new.title {
        Some(t) if !t.trim().is_empty() => t.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => title_from_id(&new.id),
    };
    let mut front = String::from("---\n");
    if kind.builtin == Some(Builtin::Pilot) {
        let owner = new.owner.as_deref().unwrap_or("todo");
        front.push_str(&format!(
            "title: {title}
status: proposed           # proposed | pilot | go | no-go | production | retired
owner: {owner}{owner_hint}
# team: your-team
# started: {start}      # required once the status is past proposed; agree the targets before it
# decision: {decision}     # the planned go/no-go date
metrics:                   # numeric success targets, agreed before the pilot starts
  - metric: todo           # a metric id: metrics/<id>.md defines how it is measured
    target: \">= 0\"         # a comparator, a number and a unit, e.g. \">= 92%\" or \"<= 800 ms\"
integrations:              # the real systems the pilot reads or writes
  - system: todo           # a system id: systems/<id>.md says its environment
    access: api            # api | database | file | event | other
# depends_on:
#   - system: customer-data-platform
production_path:           # the milestones from pilot to production, in date order
  - milestone: Go/no-go review
    due: {decision}
",
            title = quoted(&title),
            owner_hint = if new.owner.is_some() {
                "            # the one accountable person"
            } else {
                "               # the one accountable person's id (people/<id>.md)"
            },
            start = days_after(today, 14),
            decision = days_after(today, 90),
        ));
    } else {
        let title_field = match kind.builtin {
            Some(Builtin::Person) => "name",
            _ => "title",
        };
        let declares_title = kind.fields.contains_key(title_field)
            || kind.required_fields.iter().any(|f| f == title_field);
        if declares_title {
            front.push_str(&format!("{title_field}: {}\n", quoted(&title)));
        }
        for field in &kind.required_fields {
            if field == title_field && declares_title {
                continue;
            }
            if field == "owner"
                && let Some(owner) = &new.owner
            {
                front.push_str(&format!("owner: {owner}\n"));
                continue;
            }
            front.push_str(&format!(
                "{field}: {}\n",
                placeholder(kind.fields.get(field))
            ));
        }
        if let Some(owner) = &new.owner
            && !kind.required_fields.iter().any(|f| f == "owner")
            && kind.fields.contains_key("owner")
        {
            front.push_str(&format!("owner: {owner}\n"));
        }
    }
    front.push_str("---\n\n");
    let mut body = format!("# {title}\n");
    for name in kind
        .required_sections
        .iter()
        .chain(&kind.recommended_sections)
    {
        body.push_str(&pilotbook_core::validate::section_stub(name));
    }
    front + &body
}

/// Write a new document of `new.kind` under `root`. Refuses an invalid id,
/// an unknown kind, an id that a document of the kind already has, and an
/// existing file.
pub fn create_document(
    root: &Path,
    config: &Config,
    portfolio: &Portfolio,
    new: &NewDocument,
    today: Date,
) -> Result<Created, ScaffoldError> {
    if !is_valid_id(&new.id) {
        return Err(ScaffoldError::InvalidId { id: new.id.clone() });
    }
    if let Some(owner) = new.owner.as_ref().filter(|o| !is_valid_id(o)) {
        return Err(ScaffoldError::InvalidOwner {
            owner: owner.clone(),
        });
    }
    let Some(index) = config.kinds.iter().position(|k| k.name == new.kind) else {
        return Err(ScaffoldError::UnknownKind {
            kind: new.kind.clone(),
            known: config.kinds.iter().map(|k| k.name.clone()).collect(),
        });
    };
    let kind = &config.kinds[index];
    if let Some(doc) = portfolio
        .of_kind(index)
        .iter()
        .filter(|e| e.id == new.id)
        .find_map(|e| e.document.as_ref())
    {
        return Err(ScaffoldError::IdTaken {
            kind: kind.name.clone(),
            id: new.id.clone(),
            path: doc.path.clone(),
        });
    }
    let path = document_path(kind, &new.id)?;
    let full = root.join(&path);
    // Created new: never replace a file, even one that is not a document
    // of this kind (or appeared since the portfolio was read), and never
    // through a link out of the repository.
    pilotbook_core::confined::create_file(
        root,
        &path,
        document_text(kind, new, today).as_bytes(),
        false,
    )
    .map_err(io(&full))?;
    Ok(Created {
        path,
        required_sections: kind.required_sections.clone(),
        recommended_sections: kind.recommended_sections.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pilotbook_core::rules::Rule;

    fn config(text: &str) -> Config {
        Config::parse(text, Path::new("pilotbook.toml")).expect("valid config")
    }

    #[test]
    fn default_config_is_the_defaults() {
        let written = config(DEFAULT_CONFIG);
        let none = config("");
        assert_eq!(written.site.title, none.site.title);
        assert_eq!(written.site.repository, none.site.repository);
        assert_eq!(written.site.base_url, none.site.base_url);
        assert_eq!(written.site.allow_raw_html, none.site.allow_raw_html);
        assert_eq!(written.output_dir, none.output_dir);
        assert_eq!(written.limits, none.limits);
        assert_eq!(written.kinds.len(), none.kinds.len());
        for (a, b) in written.kinds.iter().zip(&none.kinds) {
            assert_eq!(
                (&a.name, &a.paths, &a.exclude, &a.required_fields),
                (&b.name, &b.paths, &b.exclude, &b.required_fields)
            );
            assert_eq!(
                (&a.required_sections, &a.recommended_sections),
                (&b.required_sections, &b.recommended_sections)
            );
            assert_eq!(
                (&a.section_aliases, &a.fields),
                (&b.section_aliases, &b.fields)
            );
        }
        assert_eq!(written.check, none.check);
        assert_eq!(written.lifecycle, none.lifecycle);
        for (a, b) in written.kinds.iter().zip(&none.kinds) {
            assert_eq!(a.extra_fields, b.extra_fields, "{}", a.name);
        }
        // Every rule is written out, at its default severity, but the two
        // whose weight depends on the document (a kind's `extra_fields`, a
        // pilot's status), which one severity would flatten.
        for rule in Rule::ALL {
            let default = match rule {
                Rule::UnknownField | Rule::SandboxIntegration => None,
                _ => Some(rule.info().default_severity),
            };
            assert_eq!(
                written.severity_overrides.get(rule).copied(),
                default.map(Some),
                "{}",
                rule.name()
            );
            assert_eq!(none.severity_overrides.get(rule), None);
        }
    }

    #[test]
    fn paths_follow_the_kinds_globs() {
        let c = config(
            "[kinds.decision]\npath = [\"docs/adr/**/*.md\"]\n[kinds.runbook]\npath = \"runbooks/*/README.md\"\n[kinds.odd]\npath = \"x/*.txt\"\n",
        );
        let path = |kind: &str| document_path(c.kind(kind).expect("kind"), "my-doc");
        assert_eq!(path("pilot").expect("pilot"), "pilots/my-doc.md");
        assert_eq!(path("person").expect("person"), "people/my-doc.md");
        assert_eq!(path("decision").expect("decision"), "docs/adr/my-doc.md");
        assert_eq!(
            path("runbook").expect("runbook"),
            "runbooks/my-doc/README.md"
        );
        assert!(matches!(path("odd"), Err(ScaffoldError::NoFolder { .. })));
    }

    #[test]
    fn new_pilot_has_every_section_as_a_hint() {
        let c = config("");
        let new = NewDocument {
            id: "ticket-triage".into(),
            kind: "pilot".into(),
            title: None,
            owner: Some("dana-kim".into()),
        };
        let text = document_text(
            c.kind("pilot").expect("pilot"),
            &new,
            Date::new(2026, 11, 25).expect("date"),
        );
        assert!(
            text.starts_with("---\ntitle: \"Ticket triage\"\n"),
            "{text}"
        );
        assert!(text.contains("owner: dana-kim "));
        assert!(text.contains("    due: 2027-02-23\n"), "{text}");
        let odd = NewDocument {
            title: Some("Two\nlines: \"quoted\"".into()),
            ..new.clone()
        };
        let odd_text = document_text(
            c.kind("pilot").expect("pilot"),
            &odd,
            Date::new(2026, 11, 25).expect("date"),
        );
        assert!(
            odd_text.starts_with("---\ntitle: \"Two lines: \\\"quoted\\\"\"\n"),
            "{odd_text}"
        );
        assert!(
            odd_text.contains("\n# Two lines: \"quoted\"\n"),
            "{odd_text}"
        );
        for section in ["Success metrics", "Rollback", "Expansion criteria"] {
            assert!(
                text.contains(&format!("\n## {section}\n\n<!-- ")),
                "{section}"
            );
        }
    }
}
