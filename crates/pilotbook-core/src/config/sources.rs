//! `[[sources]]`: the repositories a portfolio reads beside its own
//! documents, each a checkout (read with its own `pilotbook.toml` and git
//! history) or an export file another repository's CI produced.

use super::{ConfigError, inside_repository, web_url_problem};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

/// One `[[sources]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    /// The name shown on the site and used to qualify ids
    /// (`payments:invoice-matching`).
    pub name: String,
    /// Where the documents come from.
    pub origin: SourceOrigin,
    /// The forge the source's files and commits link to.
    pub repository: Option<String>,
}

/// Where a source's documents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceOrigin {
    /// A checkout: `path` (relative to the portfolio's root, or absolute)
    /// is a folder in a git repository; `root` is the pilotbook root
    /// inside it, whose own `pilotbook.toml` applies.
    Checkout {
        /// The checkout, as written.
        path: String,
        /// The pilotbook root inside it (`""` for the checkout itself).
        root: String,
    },
    /// A `pilotbook export` file inside the portfolio repository.
    Export {
        /// The file, relative to the portfolio's root.
        file: String,
    },
}

/// The most sources one portfolio reads.
pub const MAX_SOURCES: usize = 256;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    name: Spanned<String>,
    path: Option<Spanned<String>>,
    root: Option<Spanned<String>>,
    export: Option<Spanned<String>>,
    repository: Option<Spanned<String>>,
}

/// Whether `name` may name a source: lowercase letters, digits, `-` and
/// `_`, starting with a letter or digit (it prefixes paths and ids).
pub fn is_valid_source_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64
}

/// Check and resolve `[[sources]]`.
pub(super) fn resolve_sources(
    raw: Vec<Spanned<RawSource>>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Vec<SourceConfig>, ConfigError> {
    if let Some(extra) = raw.get(MAX_SOURCES) {
        return Err(err(
            Some(extra.span()),
            format!("at most {MAX_SOURCES} `[[sources]]` are read"),
        ));
    }
    let mut out: Vec<SourceConfig> = Vec::with_capacity(raw.len());
    for entry in raw {
        let span = entry.span();
        let source = resolve_source(entry.into_inner(), span.clone(), err)?;
        if out.iter().any(|s| s.name == source.name) {
            return Err(err(
                Some(span),
                format!(
                    "two `[[sources]]` are named `{}`; names must differ",
                    source.name
                ),
            ));
        }
        out.push(source);
    }
    Ok(out)
}

fn resolve_source(
    raw: RawSource,
    span: Range<usize>,
    err: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<SourceConfig, ConfigError> {
    let name = raw.name.get_ref().clone();
    if !is_valid_source_name(&name) {
        return Err(err(
            Some(raw.name.span()),
            format!(
                "`name = \"{name}\"`: a source's name is lowercase letters, digits, `-` and `_` (it qualifies ids: `{{name}}:{{id}}`)"
            ),
        ));
    }
    let relative = |value: Spanned<String>, key: &str| {
        let text = value.get_ref().trim_end_matches('/').to_string();
        if inside_repository(&text) {
            Ok(text)
        } else {
            Err(err(
                Some(value.span()),
                format!(
                    "`{key} = \"{}\"` must be a relative path without `..`",
                    value.get_ref()
                ),
            ))
        }
    };
    let origin = match (raw.path, raw.export) {
        (Some(path), None) => SourceOrigin::Checkout {
            root: match raw.root {
                None => String::new(),
                Some(root) if matches!(root.get_ref().as_str(), "" | "." | "./") => String::new(),
                Some(root) => relative(root, "root")?,
            },
            path: path.into_inner(),
        },
        (None, Some(file)) if raw.root.is_none() => SourceOrigin::Export {
            file: relative(file, "export")?,
        },
        (None, Some(_)) => {
            return Err(err(
                raw.root.map(|r| r.span()),
                format!(
                    "source `{name}`: `root` applies to a checkout (`path`), not to an `export` file"
                ),
            ));
        }
        _ => {
            return Err(err(
                Some(span),
                format!(
                    "source `{name}` needs exactly one of `path` (a checkout) and `export` (a `pilotbook export` file)"
                ),
            ));
        }
    };
    let repository = match raw.repository {
        None => None,
        Some(url) => match web_url_problem(url.get_ref(), false) {
            None => Some(url.into_inner()),
            Some(why) => {
                return Err(err(
                    Some(url.span()),
                    format!("source `{name}`: `repository` {why}"),
                ));
            }
        },
    };
    Ok(SourceConfig {
        name,
        origin,
        repository,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use std::path::Path;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("pilotbook.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn checkouts_and_exports() {
        let c = parse(
            "[[sources]]\nname = \"payments\"\npath = \"../payments\"\nroot = \"docs/pilots/\"\nrepository = \"https://github.com/acme/payments\"\n\n[[sources]]\nname = \"support\"\nexport = \"exports/support.json\"\n",
        )
        .expect("valid");
        assert_eq!(c.sources.len(), 2);
        assert_eq!(
            c.sources[0].origin,
            super::SourceOrigin::Checkout {
                path: "../payments".into(),
                root: "docs/pilots".into()
            }
        );
        assert_eq!(
            c.sources[1].origin,
            super::SourceOrigin::Export {
                file: "exports/support.json".into()
            }
        );
    }

    #[test]
    fn mistakes_are_located() {
        let cases = [
            (
                "[[sources]]\nname = \"Pay\"\npath = \"x\"\n",
                "2:8",
                "lowercase",
            ),
            ("[[sources]]\nname = \"a\"\n", "1:1", "exactly one of"),
            (
                "[[sources]]\nname = \"a\"\npath = \"x\"\nexport = \"y\"\n",
                "1:1",
                "exactly one of",
            ),
            (
                "[[sources]]\nname = \"a\"\nexport = \"../y.json\"\n",
                "3:10",
                "without `..`",
            ),
            (
                "[[sources]]\nname = \"a\"\nexport = \"y\"\nroot = \"z\"\n",
                "4:8",
                "applies to a checkout",
            ),
            (
                "[[sources]]\nname = \"a\"\npath = \"x\"\n[[sources]]\nname = \"a\"\npath = \"y\"\n",
                "4:1",
                "named `a`",
            ),
            (
                "[[sources]]\nname = \"a\"\npath = \"x\"\nrepository = \"javascript:alert(1)\"\n",
                "4:14",
                "repository",
            ),
            (
                "[[sources]]\nname = \"a\"\npath = \"x\"\nbranch = \"main\"\n",
                "4:1",
                "branch",
            ),
        ];
        for (text, at, says) in cases {
            let e = parse(text).expect_err(text);
            assert!(e.contains(&format!("pilotbook.toml:{at}")), "{text}: {e}");
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
