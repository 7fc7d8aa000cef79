//! `pilotbook.toml`: read, typed, checked, and merged with the defaults.
//!
//! The file is deserialised into raw structs that reject unknown keys, then
//! resolved into a [`Config`] in which every kind has its paths compiled to
//! glob matchers, its required and recommended sections, aliases and typed
//! fields, and `[rules]` is turned into severity overrides. Every mistake is a
//! [`ConfigError`] that names the file, the line and the column; pilotbook
//! exits 2 on it. This module reads one file and does nothing else.

use crate::diagnostics::SeverityOverrides;
use crate::rules::{Rule, Severity};
use crate::source::{LineIndex, Position};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

mod sources;
pub use sources::{MAX_SOURCES, SourceConfig, SourceOrigin, is_valid_source_name};

/// The name of the config file at a pilotbook root.
pub const CONFIG_FILE: &str = "pilotbook.toml";

/// The largest config file read, in bytes: a config is a page of TOML, and
/// one that is not must not cost memory before it is refused.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A problem that stops pilotbook from running.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No `pilotbook.toml` in the folder pilotbook started in, nor in any
    /// folder above it up to the repository's root.
    #[error(
        "no pilotbook.toml found in {} or any folder above it up to {}; run `pilotbook init` to create one, or name the portfolio's folder with -C DIR",
        start.display(),
        top.display()
    )]
    NotFound {
        /// Where the search started (the current folder).
        start: PathBuf,
        /// The last folder searched: the repository's root, or the file
        /// system's.
        top: PathBuf,
    },
    /// The file is one pilotbook does not read: a link out of the
    /// repository or into `.git`, a device, a FIFO, or too large.
    #[error("{}: refusing to read the config file: it {source}", path.display())]
    Refused {
        /// The config file.
        path: PathBuf,
        /// Why.
        source: crate::confined::Refusal,
    },
    /// The file says something pilotbook does not accept.
    #[error("{}:{}:{}: {message}", path.display(), position.line, position.column)]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// Where in it.
        position: Position,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// The text of the config file: `pilotbook.toml` in `root` (`None` when
/// there is none), or `config_path` when given. A file inside the
/// repository is read through the confined reader (no link out of it or
/// into `.git`); a `--config` outside it is the user's own choice and is
/// read as named. Either way only a regular file of at most
/// [`MAX_CONFIG_BYTES`], as UTF-8.
pub fn read_text(root: &Path, config_path: Option<&Path>) -> Result<Option<String>, ConfigError> {
    use crate::confined::{self, Refusal, Root};
    let path = match config_path {
        Some(p) => p.to_path_buf(),
        None => root.join(CONFIG_FILE),
    };
    let read = |source: std::io::Error| ConfigError::Read {
        path: path.clone(),
        source,
    };
    let confined_root = Root::open(root).map_err(read)?;
    let bytes = match config_path {
        None => confined_root.read_optional(CONFIG_FILE, MAX_CONFIG_BYTES),
        Some(p) => match confined_root.relative(p) {
            Some(rel) => confined_root.read(&rel, MAX_CONFIG_BYTES).map(Some),
            None => confined::read_named(p, MAX_CONFIG_BYTES).map(Some),
        },
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(Refusal::Missing) => {
            // `io::Error::from(NotFound)` would say "entity not found".
            return Err(read(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file",
            )));
        }
        Err(Refusal::Io(source)) => return Err(read(source)),
        Err(source) => return Err(ConfigError::Refused { path, source }),
    };
    bytes
        .map(|b| {
            String::from_utf8(b).map_err(|_| {
                read(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "stream did not contain valid UTF-8",
                ))
            })
        })
        .transpose()
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `[site]`.
    pub site: SiteConfig,
    /// The output folder, relative to the root (`[build] output_dir`, default `site`).
    pub output_dir: String,
    /// Every kind of document, built-in kinds first, then custom kinds by name.
    pub kinds: Vec<KindConfig>,
    /// `[rules]`: severities that differ from the defaults.
    pub severity_overrides: SeverityOverrides,
    /// `[limits]`: the largest inputs read.
    pub limits: Limits,
    /// `[check]`.
    pub check: CheckConfig,
    /// `[lifecycle]`: how long a pilot may stay where it is.
    pub lifecycle: Lifecycle,
    /// `[[sources]]`: the other repositories this portfolio reads.
    pub sources: Vec<SourceConfig>,
}

/// `[lifecycle]`: the limits of `status-stale` and `pilot-untouched`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// The most days a pilot may spend in each open status
    /// (`[lifecycle.max_days]`), by status.
    pub max_days: BTreeMap<String, i64>,
    /// The most days an open pilot's document may go without a commit.
    pub untouched_days: i64,
}

/// The statuses a pilot is still open in: where it can get stuck.
pub const OPEN_STATUSES: &[&str] = &["proposed", "pilot", "go"];

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            max_days: [("proposed", 90), ("pilot", 120), ("go", 90)]
                .into_iter()
                .map(|(s, d)| (s.to_string(), d))
                .collect(),
            untouched_days: 90,
        }
    }
}

/// `[check]`: how `check` gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig {
    /// The baseline file, relative to the root: findings it lists are
    /// accepted, so an existing portfolio adopts the gate for new findings
    /// only (`pilotbook check --write-baseline FILE` writes it).
    pub baseline: Option<String>,
}

/// `extra_fields` of a kind: what a front-matter key the kind does not
/// declare is (`unknown-field`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExtraFields {
    /// Free-form metadata: not reported.
    Allow,
    /// A warning (the default).
    #[default]
    Warn,
    /// An error.
    Error,
}

/// `[limits]`: how much of one document pilotbook reads. A document is
/// text someone wrote, not a data set; the caps keep one hostile file from
/// costing a CI run its time or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest document file, in bytes (`max_file_bytes`, default 8 MiB).
    pub max_file_bytes: u64,
    /// The largest front matter, in bytes (`max_front_matter_bytes`, default 256 KiB).
    pub max_front_matter_bytes: usize,
    /// The most lines and Markdown marks one document may have
    /// (`max_markdown_marks`, default 1,000,000): the parser's tree costs
    /// tens of bytes for each, so this, not the file's size, bounds the
    /// memory one document costs.
    pub max_markdown_marks: usize,
    /// The most HTML one document's body may render to, in bytes
    /// (`max_html_bytes`, default 32 MiB): Markdown can multiply (a
    /// reference link of three bytes stands for a whole URL), so the
    /// output is capped as it is written.
    pub max_html_bytes: usize,
    /// The longest one page may take to render, in seconds
    /// (`max_render_seconds`, default 60): a template override can loop
    /// without end.
    pub max_render_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 * 1024 * 1024,
            max_front_matter_bytes: 256 * 1024,
            max_markdown_marks: 1_000_000,
            max_html_bytes: 32 * 1024 * 1024,
            max_render_seconds: 60,
        }
    }
}

/// `[site]`.
#[derive(Debug, Clone, Default)]
pub struct SiteConfig {
    /// The site's title.
    pub title: String,
    /// The forge URL, for source and commit links.
    pub repository: Option<String>,
    /// The public URL, for canonical and sitemap URLs only.
    pub base_url: Option<String>,
    /// Publish raw HTML in documents as written, without the allow-list.
    /// Only for repositories whose every author is trusted.
    pub allow_raw_html: bool,
}

/// The four kinds pilotbook knows without configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Builtin {
    /// `pilots/**/*.md`.
    Pilot,
    /// `people/*.md`.
    Person,
    /// `metrics/*.md`.
    Metric,
    /// `systems/*.md`.
    System,
}

impl Builtin {
    /// All built-in kinds, in the order they are listed everywhere.
    pub const ALL: [Builtin; 4] = [
        Builtin::Pilot,
        Builtin::Person,
        Builtin::Metric,
        Builtin::System,
    ];

    /// The kind's name in configuration.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Pilot => "pilot",
            Builtin::Person => "person",
            Builtin::Metric => "metric",
            Builtin::System => "system",
        }
    }

    /// The kind's list name in `export` (`pilots`, `people`, ...).
    pub fn plural(self) -> &'static str {
        match self {
            Builtin::Pilot => "pilots",
            Builtin::Person => "people",
            Builtin::Metric => "metrics",
            Builtin::System => "systems",
        }
    }

    fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// The statuses a pilot moves through.
pub const PILOT_STATUSES: [&str; 6] = ["proposed", "pilot", "go", "no-go", "production", "retired"];

/// The environments a system document declares, and an integration may name.
pub const ENVIRONMENTS: [&str; 4] = ["production", "staging", "sandbox", "mock"];

/// Front-matter keys every kind knows: the explicit id, the title every
/// page shows, and pilotbook's own block (`pilotbook: { accept: [...] }`).
pub const COMMON_FIELDS: [&str; 3] = ["id", "title", "pilotbook"];

/// The pilot fields pilotbook types itself, beyond `[kinds.pilot.fields]`.
pub const PILOT_STRUCTURED_FIELDS: [&str; 5] = [
    "owner",
    "metrics",
    "integrations",
    "depends_on",
    "production_path",
];

/// The type of a front-matter field, as `[kinds.K.fields]` declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// Any text.
    String,
    /// A number.
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Bool,
    /// A list of values.
    List,
    /// One of the listed values.
    Enum(Vec<String>),
    /// The id of a document of the named kind; linked both ways.
    Ref(String),
}

/// One kind of document and what its documents must carry.
#[derive(Debug, Clone)]
pub struct KindConfig {
    /// The kind's name (`pilot`, `decision`, ...).
    pub name: String,
    /// Which built-in kind this is, if any.
    pub builtin: Option<Builtin>,
    /// Path globs relative to the root.
    pub paths: Vec<String>,
    /// Globs of paths to leave out.
    pub exclude: Vec<String>,
    /// Front-matter fields that must be present, named as written.
    pub required_fields: Vec<String>,
    /// H2 sections that must be present and filled.
    pub required_sections: Vec<String>,
    /// H2 sections whose absence is a warning.
    pub recommended_sections: Vec<String>,
    /// Other headings accepted for a section.
    pub section_aliases: BTreeMap<String, Vec<String>>,
    /// Typed fields.
    pub fields: BTreeMap<String, FieldType>,
    /// What an undeclared front-matter key is (`unknown-field`).
    pub extra_fields: ExtraFields,
    /// `metadata_file`: a YAML file beside each document (KEPs' `kep.yaml`)
    /// whose mapping is read as front matter the document does not set.
    pub metadata_file: Option<String>,
    /// `metadata = "body-list"`: leading `- Key: value` lines of the body
    /// are read as front matter the document does not set.
    pub body_metadata: bool,
    /// `date_formats`: the formats `date` fields may be written in besides
    /// `YYYY-MM-DD` (`%m/%d/%Y`).
    pub date_formats: Vec<String>,
    /// `empty_sections`: the texts that leave a section unanswered; `None`
    /// is the default (TODO, TBD, TBA, N/A).
    pub empty_sections: Option<Vec<String>>,
    matcher: GlobSet,
    exclude_matcher: GlobSet,
}

impl KindConfig {
    /// Whether a root-relative path (with `/`) belongs to this kind.
    pub fn matches(&self, rel_path: &str) -> bool {
        self.matcher.is_match(rel_path) && !self.exclude_matcher.is_match(rel_path)
    }

    /// The name of this kind's list in `export`.
    pub fn plural(&self) -> &str {
        match self.builtin {
            Some(b) => b.plural(),
            None => &self.name,
        }
    }

    /// Every front-matter key the kind declares, sorted: its typed and
    /// required fields, the ones every kind has ([`COMMON_FIELDS`]) and,
    /// for pilots, the fields pilotbook types itself.
    pub fn declared_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .fields
            .keys()
            .map(String::as_str)
            .chain(self.required_fields.iter().map(String::as_str))
            .chain(COMMON_FIELDS)
            .collect();
        if self.builtin == Some(Builtin::Pilot) {
            out.extend(PILOT_STRUCTURED_FIELDS);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Config {
    /// Read `pilotbook.toml` from `root`, or `config_path` when given; an
    /// absent default file means the defaults.
    pub fn load(root: &Path, config_path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match config_path {
            Some(p) => p.to_path_buf(),
            // Messages name `pilotbook.toml`, not `./pilotbook.toml`.
            None if root == Path::new(".") => PathBuf::from(CONFIG_FILE),
            None => root.join(CONFIG_FILE),
        };
        let text = read_text(root, config_path)?.unwrap_or_default();
        Config::parse(&text, &path)
    }

    /// The folder whose `pilotbook.toml` applies to `start`: `start` itself
    /// or the nearest folder above it that has one, searching no higher
    /// than the git repository's root (a folder with `.git`), a folder in
    /// `GIT_CEILING_DIRECTORIES`, or the file system's root, as cargo and
    /// ruff search for theirs.
    pub fn find(start: &Path) -> Result<PathBuf, ConfigError> {
        let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
            .map(|v| std::env::split_paths(&v).collect())
            .unwrap_or_default();
        let mut top = start.to_path_buf();
        for dir in start.ancestors() {
            if ceilings.iter().any(|c| c == dir) {
                break;
            }
            top = dir.to_path_buf();
            if dir.join(CONFIG_FILE).is_file() {
                return Ok(dir.to_path_buf());
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        Err(ConfigError::NotFound {
            start: start.to_path_buf(),
            top,
        })
    }

    /// Parse config text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        // Text handed in directly, not read through the capped reader.
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                position: Position::START,
                message: format!(
                    "the config is {} bytes; at most {MAX_CONFIG_BYTES} (1 MiB) are read",
                    text.len()
                ),
            });
        }
        let lines = LineIndex::new(text);
        let err = |span: Option<Range<usize>>, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            position: span.map_or(Position::START, |s| lines.position(text, s.start)),
            message,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().to_string()))?;
        check_sizes(&raw, &err)?;
        let kinds = resolve_kinds(&raw.kinds, &err)?;
        let severity_overrides = resolve_rules(&raw.rules, &err)?;
        let output_dir = resolve_output_dir(raw.build.output_dir, &err)?;
        let limits = resolve_limits(&raw.limits, &err)?;
        let check = resolve_check(raw.check, &err)?;
        let lifecycle = resolve_lifecycle(raw.lifecycle, &err)?;
        let sources = sources::resolve_sources(raw.sources, &err)?;
        // Every page links to these: a `javascript:` URL would run in
        // every reader's browser.
        let url = |value: Option<Spanned<String>>, key: &str, path_ok: bool| match value {
            None => Ok(None),
            Some(v) => match web_url_problem(v.get_ref(), path_ok) {
                None => Ok(Some(v.into_inner())),
                Some(why) => Err(err(Some(v.span()), format!("`[site] {key}` {why}"))),
            },
        };
        let repository = url(raw.site.repository, "repository", false)?;
        let base_url = url(raw.site.base_url, "base_url", true)?;

        Ok(Config {
            site: SiteConfig {
                title: raw
                    .site
                    .title
                    .unwrap_or_else(|| "Pilot portfolio".to_string()),
                repository,
                base_url,
                allow_raw_html: raw.site.allow_raw_html,
            },
            output_dir,
            kinds,
            severity_overrides,
            limits,
            check,
            lifecycle,
            sources,
        })
    }

    /// The source a document path is qualified with, and the path inside
    /// that source's repository: `payments:docs/pilots/a.md` is
    /// `(payments, docs/pilots/a.md)`. `None` for this repository's own
    /// documents (whose paths are root-relative).
    pub fn source_of<'p>(&self, path: &'p str) -> Option<(&SourceConfig, &'p str)> {
        let (Some(name), rest) = crate::model::split_qualified(path) else {
            return None;
        };
        let source = self.sources.iter().find(|s| s.name == name)?;
        Some((source, rest))
    }

    /// The kind with this name.
    pub fn kind(&self, name: &str) -> Option<&KindConfig> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// The built-in kind's config (always present).
    pub fn builtin(&self, builtin: Builtin) -> &KindConfig {
        // `parse` always inserts the four built-ins first, in `Builtin::ALL` order.
        &self.kinds[builtin as usize]
    }
}

/// Why `url` cannot be a link on the site, or `None` when it can: it must
/// be an `http:` or `https:` URL with a host, or, where `path_ok` (a base
/// URL), a path (`/docs/`). Anything else (`javascript:`, `data:`, and
/// the spaces and control characters a browser strips before reading the
/// scheme) is refused. The one place a URL from the user is judged: for
/// `[site]` here and for `build --base-url`.
pub fn web_url_problem(url: &str, path_ok: bool) -> Option<String> {
    let expected = if path_ok {
        "must be an http(s) URL such as `https://acme.github.io/pilots/`, or a path such as `/pilots/`"
    } else {
        "must be an http(s) URL such as `https://github.com/acme/pilots`"
    };
    if url.is_empty() || url.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Some(format!(
            "{expected}: `{}` is empty or has spaces or control characters",
            url.escape_default()
        ));
    }
    // A scheme is letters, digits, `+`, `-`, `.` before the first `:`
    // that comes before any `/`, `?` or `#`.
    let scheme = url
        .find([':', '/', '?', '#'])
        .filter(|&at| url[at..].starts_with(':'))
        .map(|at| &url[..at]);
    match scheme {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            let rest = &url[s.len() + 1..];
            let host = rest
                .strip_prefix("//")
                .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
            match host {
                Some(h) if !h.is_empty() => None,
                _ => Some(format!("{expected}: `{url}` has no host")),
            }
        }
        Some(s) => Some(format!("{expected}, not a `{s}:` URL")),
        None if path_ok && url.starts_with('/') && !url.starts_with("//") => None,
        None => Some(format!("{expected}: `{url}` is neither")),
    }
}

/// The most kinds (built-in ones included). Every page's navigation lists
/// every kind, so the site grows with pages × kinds.
pub const MAX_KINDS: usize = 100;
/// The most globs in one kind's `path`, and in its `exclude`.
pub const MAX_GLOBS: usize = 100;
/// The most entries in any other list or table of one kind: `fields`,
/// `required_fields`, `required_sections`, `recommended_sections`,
/// `section_aliases` (and the aliases of one section), an enum's values.
pub const MAX_ENTRIES: usize = 200;

/// Refuse a config that declares more than the limits allow, naming the
/// limit and pointing at the first entry past it, before anything is
/// resolved or compiled (50,000 kinds once took minutes).
fn check_sizes(
    raw: &RawConfig,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<(), ConfigError> {
    let custom = raw
        .kinds
        .keys()
        .filter(|k| Builtin::from_name(k).is_none())
        .count();
    let kinds = Builtin::ALL.len() + custom;
    if kinds > MAX_KINDS {
        // Point at the first kind past the limit, in the file's order.
        let mut spans: Vec<Range<usize>> = raw.kinds.values().map(Spanned::span).collect();
        spans.sort_by_key(|s| s.start);
        let at = spans.get(MAX_KINDS - Builtin::ALL.len()).cloned();
        return Err(err(
            at,
            format!(
                "{kinds} kinds are declared (the 4 built-in ones included); at most {MAX_KINDS} are accepted"
            ),
        ));
    }
    for (name, kind) in &raw.kinds {
        let span = Some(kind.span());
        let kind = kind.get_ref();
        let too_many = |key: &str, n: usize, limit: usize, at: Option<Range<usize>>| {
            err(
                at,
                format!("`kinds.{name}.{key}` has {n} entries; at most {limit} are accepted"),
            )
        };
        for (key, globs) in [("path", &kind.path), ("exclude", &kind.exclude)] {
            if let Some(g) = globs
                && g.get_ref().len() > MAX_GLOBS
            {
                return Err(too_many(key, g.get_ref().len(), MAX_GLOBS, Some(g.span())));
            }
        }
        let lists = [
            ("fields", kind.fields.len()),
            (
                "required_fields",
                kind.required_fields.as_ref().map_or(0, Vec::len),
            ),
            (
                "required_sections",
                kind.required_sections.as_ref().map_or(0, Vec::len),
            ),
            (
                "recommended_sections",
                kind.recommended_sections.as_ref().map_or(0, Vec::len),
            ),
            ("section_aliases", kind.section_aliases.len()),
        ];
        for (key, n) in lists {
            if n > MAX_ENTRIES {
                return Err(too_many(key, n, MAX_ENTRIES, span.clone()));
            }
        }
        for (section, aliases) in &kind.section_aliases {
            if aliases.len() > MAX_ENTRIES {
                let key = format!("section_aliases.{section}");
                return Err(too_many(&key, aliases.len(), MAX_ENTRIES, span.clone()));
            }
        }
        for (field, ty) in &kind.fields {
            if let RawFieldType::Enum { values } = ty.get_ref()
                && values.len() > MAX_ENTRIES
            {
                let key = format!("fields.{field}.enum");
                return Err(too_many(&key, values.len(), MAX_ENTRIES, Some(ty.span())));
            }
        }
    }
    Ok(())
}

/// The most Markdown marks accepted as a limit: about 4 GiB of parse tree.
const MAX_MARKS: usize = 100_000_000;

/// The longest render time accepted, in seconds (an hour).
const MAX_RENDER_SECONDS: u64 = 3600;

/// The largest cap accepted: past it a "limit" no longer protects anything.
const MAX_LIMIT_BYTES: i64 = 1 << 30;

fn resolve_limits(
    raw: &RawLimits,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Limits, ConfigError> {
    let check = |value: &Option<Spanned<i64>>, key: &str, default: u64| match value {
        None => Ok(default),
        Some(v) => {
            let n = *v.get_ref();
            if (1..=MAX_LIMIT_BYTES).contains(&n) {
                Ok(n.unsigned_abs())
            } else {
                Err(err(
                    Some(v.span()),
                    format!(
                        "`{key} = {n}` must be a number of bytes from 1 to {MAX_LIMIT_BYTES} (1 GiB)"
                    ),
                ))
            }
        }
    };
    let d = Limits::default();
    let max_file_bytes = check(&raw.max_file_bytes, "max_file_bytes", d.max_file_bytes)?;
    let max_front_matter_bytes = check(
        &raw.max_front_matter_bytes,
        "max_front_matter_bytes",
        d.max_front_matter_bytes as u64,
    )?;
    let max_html_bytes = check(
        &raw.max_html_bytes,
        "max_html_bytes",
        d.max_html_bytes as u64,
    )?;
    let max_markdown_marks = match &raw.max_markdown_marks {
        None => d.max_markdown_marks,
        Some(v) => match usize::try_from(*v.get_ref()) {
            Ok(n) if (1..=MAX_MARKS).contains(&n) => n,
            _ => {
                return Err(err(
                    Some(v.span()),
                    format!(
                        "`max_markdown_marks = {}` must be a number from 1 to {MAX_MARKS}",
                        v.get_ref()
                    ),
                ));
            }
        },
    };
    let max_render_seconds = match &raw.max_render_seconds {
        None => d.max_render_seconds,
        Some(v) => match u64::try_from(*v.get_ref()) {
            Ok(n) if (1..=MAX_RENDER_SECONDS).contains(&n) => n,
            _ => {
                return Err(err(
                    Some(v.span()),
                    format!(
                        "`max_render_seconds = {}` must be a number of seconds from 1 to {MAX_RENDER_SECONDS}",
                        v.get_ref()
                    ),
                ));
            }
        },
    };
    // At most 1 GiB, so each fits a usize on every target pilotbook builds for.
    let bytes = |n: u64, default: usize| usize::try_from(n).unwrap_or(default);
    Ok(Limits {
        max_file_bytes,
        max_front_matter_bytes: bytes(max_front_matter_bytes, d.max_front_matter_bytes),
        max_markdown_marks,
        max_html_bytes: bytes(max_html_bytes, d.max_html_bytes),
        max_render_seconds,
    })
}

fn resolve_check(
    raw: RawCheck,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<CheckConfig, ConfigError> {
    let Some(baseline) = raw.baseline else {
        return Ok(CheckConfig::default());
    };
    let span = baseline.span();
    let file = baseline.into_inner();
    if !inside_repository(&file) {
        return Err(err(
            Some(span),
            format!(
                "`baseline = \"{file}\"` must be a file inside the repository (a relative path without `..`)"
            ),
        ));
    }
    Ok(CheckConfig {
        baseline: Some(file),
    })
}

/// `[lifecycle]`: day counts of at least 1, for open statuses only.
fn resolve_lifecycle(
    raw: RawLifecycle,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Lifecycle, ConfigError> {
    let mut lifecycle = Lifecycle::default();
    let days = |value: &Spanned<i64>, key: &str| {
        let n = *value.get_ref();
        if n < 1 {
            return Err(err(
                Some(value.span()),
                format!(
                    "`{key} = {n}` must be a number of days, at least 1 (turn the rule off in [rules] instead)"
                ),
            ));
        }
        Ok(n)
    };
    if let Some(value) = &raw.untouched_days {
        lifecycle.untouched_days = days(value, "untouched_days")?;
    }
    for (status, value) in &raw.max_days {
        if !OPEN_STATUSES.contains(&status.as_str()) {
            return Err(err(
                Some(value.span()),
                format!(
                    "`[lifecycle.max_days] {status}`: a pilot cannot be stuck in `{status}`; the open statuses are {}",
                    OPEN_STATUSES.join(", ")
                ),
            ));
        }
        let n = days(value, status)?;
        lifecycle.max_days.insert(status.clone(), n);
    }
    Ok(lifecycle)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

struct KindDefaults {
    paths: Vec<String>,
    required_fields: Vec<String>,
    required_sections: Vec<String>,
    recommended_sections: Vec<String>,
    fields: BTreeMap<String, FieldType>,
}

fn defaults(builtin: Option<Builtin>) -> KindDefaults {
    use FieldType as T;
    let mut fields = BTreeMap::new();
    let mut field = |name: &str, ty: FieldType| {
        fields.insert(name.to_string(), ty);
    };
    let (paths, required_fields, required_sections, recommended_sections): (
        &[&str],
        &[&str],
        &[&str],
        &[&str],
    ) = match builtin {
        Some(Builtin::Pilot) => {
            field("title", T::String);
            field("status", T::Enum(strings(&PILOT_STATUSES)));
            field("team", T::String);
            field("started", T::Date);
            field("decision", T::Date);
            (
                &["pilots/**/*.md"],
                &[
                    "title",
                    "status",
                    "owner",
                    "metrics",
                    "integrations",
                    "production_path",
                ],
                &[
                    "Success metrics",
                    "Integrations",
                    "Ownership",
                    "Production path",
                    "Monitoring",
                    "Rollback",
                ],
                &["Human review", "Escalation", "Expansion criteria"],
            )
        }
        Some(Builtin::Person) => {
            for f in ["name", "email", "team", "role"] {
                field(f, T::String);
            }
            (&["people/*.md"], &["name"], &[], &[])
        }
        Some(Builtin::Metric) => {
            field("title", T::String);
            field("unit", T::String);
            field("direction", T::Enum(strings(&["higher", "lower"])));
            (&["metrics/*.md"], &["title"], &[], &[])
        }
        Some(Builtin::System) => {
            field("title", T::String);
            field("kind", T::String);
            field("owner", T::Ref("person".to_string()));
            field("environment", T::Enum(strings(&ENVIRONMENTS)));
            (&["systems/*.md"], &["title", "environment"], &[], &[])
        }
        None => (&[], &[], &[], &[]),
    };
    KindDefaults {
        paths: strings(paths),
        required_fields: strings(required_fields),
        required_sections: strings(required_sections),
        recommended_sections: strings(recommended_sections),
        fields,
    }
}

/// Every kind, the built-in ones first, then the configured ones in name
/// order; each may refer to any of them.
fn resolve_kinds(
    raw: &BTreeMap<String, Spanned<RawKind>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Vec<KindConfig>, ConfigError> {
    let mut names: Vec<String> = Builtin::ALL.iter().map(|b| b.name().to_string()).collect();
    names.extend(
        raw.keys()
            .filter(|name| Builtin::from_name(name).is_none())
            .cloned(),
    );
    names
        .iter()
        .map(|name| resolve_kind(name, raw.get(name), &names, err))
        .collect()
}

/// `[rules]`: a severity, or `off`, per rule name.
fn resolve_rules(
    raw: &BTreeMap<String, Spanned<String>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<SeverityOverrides, ConfigError> {
    let mut overrides = SeverityOverrides::new();
    for (name, value) in raw {
        let rule = Rule::from_name(name).ok_or_else(|| {
            err(
                Some(value.span()),
                format!(
                    "unknown rule `{name}` in [rules]; `pilotbook check --explain` lists the rules"
                ),
            )
        })?;
        let severity = match value.get_ref().as_str() {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            "off" => None,
            other => {
                return Err(err(
                    Some(value.span()),
                    format!(
                        "invalid severity `{other}` for rule `{name}`: expected `error`, `warning`, `info` or `off`"
                    ),
                ));
            }
        };
        overrides.insert(rule, severity);
    }
    Ok(overrides)
}

/// `[build] output_dir`: a relative folder inside the repository, `site`
/// by default.
fn resolve_output_dir(
    raw: Option<Spanned<String>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<String, ConfigError> {
    let Some(dir) = raw else {
        return Ok("site".to_string());
    };
    let span = dir.span();
    let dir = dir.into_inner();
    if !inside_repository(&dir) {
        return Err(err(
            Some(span),
            format!(
                "`output_dir = \"{dir}\"` must be a folder inside the repository (a relative path without `..`)"
            ),
        ));
    }
    Ok(dir.trim_end_matches('/').to_string())
}

/// One kind: its defaults (for a built-in kind) under what the file says.
fn resolve_kind(
    name: &str,
    raw: Option<&Spanned<RawKind>>,
    kind_names: &[String],
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<KindConfig, ConfigError> {
    let builtin = Builtin::from_name(name);
    let d = defaults(builtin);
    let empty = RawKind::default();
    let (r, kind_span) = match raw {
        Some(s) => (s.get_ref(), Some(s.span())),
        None => (&empty, None),
    };
    check_kind_name(name, builtin, kind_span.clone(), err)?;
    let (paths, path_span) = match &r.path {
        Some(p) => (p.get_ref().clone().into_vec(), Some(p.span())),
        None => (d.paths, kind_span.clone()),
    };
    if paths.is_empty() {
        return Err(err(
            path_span.or(kind_span),
            format!(
                "kind `{name}` needs `path`: one glob or a list of globs, e.g. `path = \"{name}s/*.md\"`"
            ),
        ));
    }
    let (exclude, exclude_span) = match &r.exclude {
        Some(e) => (e.get_ref().clone().into_vec(), Some(e.span())),
        None => (Vec::new(), None),
    };
    let matcher = build_globs(name, "path", &paths, path_span, err)?;
    let exclude_matcher = build_globs(name, "exclude", &exclude, exclude_span, err)?;

    let mut fields = d.fields;
    for (field, ty) in &r.fields {
        let resolved = resolve_field_type(name, field, ty, kind_names, err)?;
        fields.insert(field.clone(), resolved);
    }

    Ok(KindConfig {
        name: name.to_string(),
        builtin,
        paths,
        exclude,
        required_fields: r.required_fields.clone().unwrap_or(d.required_fields),
        required_sections: r.required_sections.clone().unwrap_or(d.required_sections),
        recommended_sections: r
            .recommended_sections
            .clone()
            .unwrap_or(d.recommended_sections),
        section_aliases: r.section_aliases.clone(),
        fields,
        extra_fields: resolve_extra_fields(name, r.extra_fields.as_ref(), err)?,
        metadata_file: resolve_metadata_file(name, r.metadata_file.as_ref(), err)?,
        body_metadata: resolve_metadata(name, r.metadata.as_ref(), err)?,
        date_formats: resolve_date_formats(name, r.date_formats.as_ref(), err)?,
        empty_sections: r.empty_sections.clone(),
        matcher,
        exclude_matcher,
    })
}

/// A kind's name is lowercase letters, digits, `-` and `_`, and not a
/// name the export or the site already uses.
fn check_kind_name(
    name: &str,
    builtin: Option<Builtin>,
    kind_span: Option<Range<usize>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<(), ConfigError> {
    let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid_name {
        return Err(err(
            kind_span,
            format!("kind name `{name}` must be lowercase letters, digits, `-` or `_`"),
        ));
    }
    // A custom kind's name is its site folder and its key in the export.
    let reserved = ["version", "history", "root", "sources", "assets"].contains(&name)
        || (builtin.is_none() && Builtin::ALL.iter().any(|b| b.plural() == name));
    if reserved {
        return Err(err(
            kind_span,
            format!(
                "kind name `{name}` is taken: it is a key of the export or a folder of the site; choose another"
            ),
        ));
    }
    Ok(())
}

/// The type of field `field` of kind `kind`; a `ref` must name one of
/// `kind_names`.
fn resolve_field_type(
    kind: &str,
    field: &str,
    ty: &Spanned<RawFieldType>,
    kind_names: &[String],
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<FieldType, ConfigError> {
    let fail = |message: String| Err(err(Some(ty.span()), message));
    match ty.get_ref() {
        RawFieldType::Name(n) => match n.as_str() {
            "string" => Ok(FieldType::String),
            "number" => Ok(FieldType::Number),
            "date" => Ok(FieldType::Date),
            "bool" => Ok(FieldType::Bool),
            "list" => Ok(FieldType::List),
            other => fail(format!(
                "field `{field}` of kind `{kind}` has unknown type `{other}`: expected string, number, date, bool, list, {{ enum = [...] }} or {{ ref = \"kind\" }}"
            )),
        },
        RawFieldType::Enum { values } if values.is_empty() => fail(format!(
            "field `{field}` of kind `{kind}`: `enum` needs at least one value"
        )),
        RawFieldType::Enum { values } => Ok(FieldType::Enum(values.clone())),
        RawFieldType::Ref { kind: target } if !kind_names.iter().any(|k| k == target) => {
            fail(format!(
                "field `{field}` of kind `{kind}` refers to unknown kind `{target}`; known kinds: {}",
                kind_names.join(", ")
            ))
        }
        RawFieldType::Ref { kind: target } => Ok(FieldType::Ref(target.clone())),
    }
}

/// `metadata_file`: a file name beside the document, YAML.
fn resolve_metadata_file(
    kind: &str,
    raw: Option<&Spanned<String>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Option<String>, ConfigError> {
    let Some(value) = raw else {
        return Ok(None);
    };
    let name = value.get_ref();
    let plain = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
    if !plain || !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return Err(err(
            Some(value.span()),
            format!(
                "`metadata_file` of kind `{kind}` must be the name of a YAML file beside each document, e.g. `\"kep.yaml\"`, not `{name}`"
            ),
        ));
    }
    Ok(Some(name.clone()))
}

/// `metadata`: where a kind's documents keep their metadata.
fn resolve_metadata(
    kind: &str,
    raw: Option<&Spanned<String>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<bool, ConfigError> {
    match raw.map(|v| (v.get_ref().as_str(), v.span())) {
        None | Some(("front-matter", _)) => Ok(false),
        Some(("body-list", _)) => Ok(true),
        Some((other, span)) => Err(err(
            Some(span),
            format!(
                "`metadata = \"{other}\"` of kind `{kind}`: expected \"front-matter\" or \"body-list\" (leading `- Key: value` lines)"
            ),
        )),
    }
}

/// `date_formats`: each one a format [`crate::model::date::check_format`] reads.
fn resolve_date_formats(
    kind: &str,
    raw: Option<&Spanned<Vec<String>>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Vec<String>, ConfigError> {
    let Some(formats) = raw else {
        return Ok(Vec::new());
    };
    for format in formats.get_ref() {
        if let Err(why) = crate::model::date::check_format(format) {
            return Err(err(
                Some(formats.span()),
                format!("date format `{format}` of kind `{kind}`: {why}"),
            ));
        }
    }
    Ok(formats.get_ref().clone())
}

fn resolve_extra_fields(
    kind: &str,
    raw: Option<&Spanned<String>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<ExtraFields, ConfigError> {
    let Some(value) = raw else {
        return Ok(ExtraFields::default());
    };
    match value.get_ref().as_str() {
        "allow" => Ok(ExtraFields::Allow),
        "warn" => Ok(ExtraFields::Warn),
        "error" => Ok(ExtraFields::Error),
        other => Err(err(
            Some(value.span()),
            format!(
                "invalid `extra_fields = \"{other}\"` for kind `{kind}`: expected `allow`, `warn` or `error`"
            ),
        )),
    }
}

fn build_globs(
    kind: &str,
    key: &str,
    globs: &[String],
    span: Option<Range<usize>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<GlobSet, ConfigError> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let bad = |why: String| {
            err(
                span.clone(),
                format!("invalid glob `{glob}` in `kinds.{kind}.{key}`: {why}"),
            )
        };
        if glob.starts_with('/') || glob.split('/').any(|c| c == "..") {
            return Err(bad("globs are relative to the repository root".to_string()));
        }
        let compiled: Glob = GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|e| bad(e.kind().to_string()))?;
        set.add(compiled);
    }
    set.build().map_err(|e| {
        err(
            span.clone(),
            format!("invalid glob in `kinds.{kind}.{key}`: {e}"),
        )
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    site: RawSite,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    limits: RawLimits,
    #[serde(default)]
    kinds: BTreeMap<String, Spanned<RawKind>>,
    #[serde(default)]
    check: RawCheck,
    #[serde(default)]
    lifecycle: RawLifecycle,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    sources: Vec<Spanned<sources::RawSource>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLifecycle {
    untouched_days: Option<Spanned<i64>>,
    #[serde(default)]
    max_days: BTreeMap<String, Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    baseline: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: Option<String>,
    repository: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    #[serde(default)]
    allow_raw_html: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    output_dir: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_bytes: Option<Spanned<i64>>,
    max_front_matter_bytes: Option<Spanned<i64>>,
    max_markdown_marks: Option<Spanned<i64>>,
    max_html_bytes: Option<Spanned<i64>>,
    max_render_seconds: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    path: Option<Spanned<OneOrMany>>,
    exclude: Option<Spanned<OneOrMany>>,
    required_fields: Option<Vec<String>>,
    required_sections: Option<Vec<String>>,
    recommended_sections: Option<Vec<String>>,
    #[serde(default)]
    section_aliases: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    fields: BTreeMap<String, Spanned<RawFieldType>>,
    extra_fields: Option<Spanned<String>>,
    metadata_file: Option<Spanned<String>>,
    metadata: Option<Spanned<String>>,
    date_formats: Option<Spanned<Vec<String>>>,
    empty_sections: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn len(&self) -> usize {
        match self {
            OneOrMany::One(_) => 1,
            OneOrMany::Many(v) => v.len(),
        }
    }

    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawFieldType {
    Name(String),
    Enum {
        #[serde(rename = "enum")]
        values: Vec<String>,
    },
    Ref {
        #[serde(rename = "ref")]
        kind: String,
    },
}

/// Whether a path from the config stays inside the repository: relative,
/// not empty, and made of plain names only (no `..`, no root, no `.`).
fn inside_repository(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("pilotbook.toml"))
    }

    #[test]
    fn empty_file_means_defaults() {
        let c = parse("").expect("defaults");
        assert_eq!(c.kinds.len(), 4);
        assert!(c.builtin(Builtin::Pilot).matches("pilots/a/b.md"));
        assert!(!c.builtin(Builtin::Person).matches("people/x/y.md"));
        assert_eq!(c.output_dir, "site");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e = parse("[site]\ntitle = \"x\"\n\n[kinds.pilot]\npaht = \"x\"\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("pilotbook.toml:5:1"), "{text}");
        assert!(text.contains("paht"), "{text}");
    }

    #[test]
    fn custom_kind_with_fields() {
        let c = parse(
            "[kinds.decision]\npath = [\"decisions/*.md\"]\n[kinds.decision.fields]\nstatus = { enum = [\"a\"] }\nsupersedes = { ref = \"decision\" }\n",
        )
        .expect("valid");
        let k = c.kind("decision").expect("kind");
        assert_eq!(k.fields["supersedes"], FieldType::Ref("decision".into()));
        assert!(k.matches("decisions/0001-x.md"));
    }

    #[test]
    fn kind_names_that_collide_are_refused() {
        for name in [
            "history", "version", "root", "sources", "assets", "people", "pilots",
        ] {
            let e = parse(&format!("[kinds.{name}]\npath = [\"x/*.md\"]\n"))
                .expect_err(name)
                .to_string();
            assert!(e.contains("is taken") && e.contains(":1:"), "{name}: {e}");
        }
        assert!(parse("[kinds.person]\n").is_ok());
    }

    #[test]
    fn site_urls_must_be_http_or_a_path() {
        let ok = parse(
            "[site]\nrepository = \"https://github.com/acme/pilots\"\nbase_url = \"/pilots/\"\n",
        )
        .expect("valid");
        assert_eq!(ok.site.base_url.as_deref(), Some("/pilots/"));
        for (key, value, line) in [
            ("repository", "javascript:alert(document.domain)", 3),
            ("repository", "JavaScript:alert(1)", 3),
            ("repository", "java\\tscript:alert(1)", 3),
            ("repository", " javascript:alert(1)", 3),
            ("repository", "data:text/html,<script>alert(1)</script>", 3),
            ("repository", "/relative/is/not/enough", 3),
            ("repository", "https:evil", 3),
            ("base_url", "javascript:alert(1)//", 3),
            ("base_url", "vbscript:msgbox(1)", 3),
            ("base_url", "//evil.example/", 3),
            ("base_url", "", 3),
        ] {
            let text = format!("[site]\ntitle = \"x\"\n{key} = \"{value}\"\n");
            let e = parse(&text).expect_err(value).to_string();
            assert!(
                e.contains(&format!("pilotbook.toml:{line}:"))
                    && e.contains(&format!("`[site] {key}`")),
                "{value}: {e}"
            );
        }
        assert_eq!(web_url_problem("http://localhost:8000/docs", true), None);
        assert_eq!(web_url_problem("HTTPS://acme.example", false), None);
        assert!(web_url_problem("docs/", true).is_some());
    }

    #[test]
    fn declaring_past_a_limit_names_it_quickly() {
        let started = std::time::Instant::now();
        let mut text = String::from("[site]\ntitle = \"x\"\n");
        for i in 0..50_000 {
            text.push_str(&format!("[kinds.k{i}]\n"));
        }
        let e = parse(&text).expect_err("50,000 kinds").to_string();
        assert!(
            e.contains("50004 kinds") && e.contains("at most 100"),
            "{e}"
        );
        // The 97th custom kind is the 101st in all, on line 3 + 96.
        assert!(e.contains(&format!("pilotbook.toml:{}:", 3 + 96)), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));

        let globs: Vec<String> = (0..101).map(|i| format!("\"d{i}/*.md\"")).collect();
        let e = parse(&format!("[kinds.pilot]\npath = [{}]\n", globs.join(", ")))
            .expect_err("101 globs")
            .to_string();
        assert!(
            e.contains("`kinds.pilot.path` has 101") && e.contains(":2:"),
            "{e}"
        );

        let mut fields = String::from("[kinds.pilot.fields]\n");
        for i in 0..201 {
            fields.push_str(&format!("f{i} = \"string\"\n"));
        }
        let e = parse(&fields).expect_err("201 fields").to_string();
        assert!(e.contains("`kinds.pilot.fields` has 201"), "{e}");

        let values: Vec<String> = (0..201).map(|i| format!("\"v{i}\"")).collect();
        let e = parse(&format!(
            "[kinds.pilot.fields]\nstage = {{ enum = [{}] }}\n",
            values.join(",")
        ))
        .expect_err("201 values")
        .to_string();
        assert!(e.contains("fields.stage.enum") && e.contains(":2:"), "{e}");

        let big = format!("# {}\n", "x".repeat(1 << 20));
        let e = parse(&big).expect_err("too big").to_string();
        assert!(e.contains("at most 1048576"), "{e}");
        // At the limits, accepted.
        let mut text = String::new();
        for i in 0..96 {
            text.push_str(&format!("[kinds.k{i}]\npath = \"k{i}/*.md\"\n"));
        }
        assert_eq!(parse(&text).expect("100 kinds").kinds.len(), 100);
    }

    #[test]
    fn lifecycle_defaults_overrides_and_refusals() {
        let d = parse("").expect("defaults");
        assert_eq!(d.lifecycle, Lifecycle::default());
        let c = parse("[lifecycle]\nuntouched_days = 30\n[lifecycle.max_days]\npilot = 200\n")
            .expect("config");
        assert_eq!(c.lifecycle.untouched_days, 30);
        assert_eq!(c.lifecycle.max_days["pilot"], 200);
        assert_eq!(
            c.lifecycle.max_days["proposed"], 90,
            "the others keep their defaults"
        );
        for (text, says, line) in [
            (
                "[lifecycle.max_days]\nproduction = 10\n",
                "cannot be stuck in `production`",
                2,
            ),
            ("[lifecycle]\nuntouched_days = 0\n", "at least 1", 2),
            ("[lifecycle]\nstale = 3\n", "unknown field `stale`", 2),
        ] {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.contains(says), "{e}");
            assert!(e.contains(&format!(":{line}:")), "{e}");
        }
    }

    #[test]
    fn check_table_and_extra_fields() {
        let c = parse("[check]\nbaseline = \"pilotbook-baseline.json\"\n[kinds.decision]\npath = \"d/*.md\"\nextra_fields = \"allow\"\n")
            .expect("valid");
        assert_eq!(c.check.baseline.as_deref(), Some("pilotbook-baseline.json"));
        assert_eq!(
            c.kind("decision").expect("kind").extra_fields,
            ExtraFields::Allow
        );
        assert_eq!(c.builtin(Builtin::Pilot).extra_fields, ExtraFields::Warn);
        let e = parse("[kinds.pilot]\nextra_fields = \"maybe\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:") && e.contains("allow"), "{e}");
        let e = parse("[check]\nbaseline = \"../b.json\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:"), "{e}");
    }

    #[test]
    fn find_searches_upward_to_the_repository_root() {
        let tmp = tempfile::tempdir().expect("tmp");
        let repo = tmp.path().join("repo");
        let deep = repo.join("docs/pilots/pilots/2026");
        std::fs::create_dir_all(&deep).expect("mkdir");
        std::fs::create_dir_all(repo.join(".git")).expect("git");
        let e = Config::find(&deep).unwrap_err().to_string();
        assert!(
            e.contains("no pilotbook.toml found") && e.contains("pilotbook init"),
            "{e}"
        );
        assert!(
            e.ends_with("-C DIR") && e.contains(&repo.display().to_string()),
            "{e}"
        );
        std::fs::write(repo.join("docs/pilots/pilotbook.toml"), "").expect("config");
        assert_eq!(
            Config::find(&deep).expect("found"),
            repo.join("docs/pilots")
        );
        // Never above the repository's root.
        std::fs::remove_file(repo.join("docs/pilots/pilotbook.toml")).expect("rm");
        std::fs::write(tmp.path().join("pilotbook.toml"), "").expect("outside");
        assert!(Config::find(&deep).is_err());
    }

    #[test]
    fn bad_severity_and_rule() {
        assert!(
            parse("[rules]\nmissing-field = \"fatal\"\n")
                .unwrap_err()
                .to_string()
                .contains(":2:")
        );
        assert!(
            parse("[rules]\nno-such-rule = \"off\"\n")
                .unwrap_err()
                .to_string()
                .contains("no-such-rule")
        );
    }
}
