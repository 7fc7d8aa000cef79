//! The templates: built into the binary, each overridable by a file of the
//! same name in the repository's `templates/` folder.

use pilotbook_core::confined::Root;
use std::path::Path;
use tera::Tera;

/// Tera templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    (
        "portfolio.html",
        include_str!("../../../templates/portfolio.html"),
    ),
    ("pilot.html", include_str!("../../../templates/pilot.html")),
    (
        "entity.html",
        include_str!("../../../templates/entity.html"),
    ),
    ("kind.html", include_str!("../../../templates/kind.html")),
    (
        "timeline.html",
        include_str!("../../../templates/timeline.html"),
    ),
    ("graph.html", include_str!("../../../templates/graph.html")),
    (
        "rollup.html",
        include_str!("../../../templates/rollup.html"),
    ),
    ("404.html", include_str!("../../../templates/404.html")),
    (
        "sitemap.xml",
        include_str!("../../../templates/sitemap.xml"),
    ),
];

/// Static assets, copied into `assets/` as they are.
pub const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../../templates/style.css")),
    ("site.js", include_str!("../../../templates/site.js")),
    (
        "favicon.svg",
        include_str!("../../../templates/favicon.svg"),
    ),
];

/// A template that could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Tera's message: the template, line and column, and what is wrong.
    pub message: String,
}

/// Tera's report of `e` (what is wrong, the template, line and column, a
/// code frame) without its leading `error: `: pilotbook says that itself.
pub(crate) fn tera_message(e: &tera::Error) -> String {
    let text = e.to_string();
    match text.strip_prefix("error: ") {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// The largest template or asset override read, in bytes.
pub const MAX_OVERRIDE_BYTES: u64 = 4 * 1024 * 1024;

/// The override of `name` in `<root>/templates/`, read through the
/// confined reader: `None` when there is none; an error naming the file
/// when it is a link out of the repository or into `.git`, a device, a
/// FIFO, too large or not UTF-8 (a user who wrote an override expects it
/// used, not silently replaced by the built-in).
fn read_override(root: &Root, name: &str) -> Result<Option<String>, TemplateError> {
    let rel = format!("templates/{name}");
    let refused = |why: String| TemplateError {
        message: format!("{rel}: refusing to read the template override: it {why}"),
    };
    match root.read_optional(&rel, MAX_OVERRIDE_BYTES) {
        Ok(None) => Ok(None),
        Ok(Some(bytes)) => String::from_utf8(bytes).map(Some).map_err(|e| {
            refused(format!(
                "is not UTF-8 text (byte offset {})",
                e.utf8_error().valid_up_to()
            ))
        }),
        Err(why) => Err(refused(why.to_string())),
    }
}

/// The loaded templates and assets, ready to render pages. Opaque outside
/// `render/`, so that nothing else sees Tera.
pub struct Templates {
    pub(super) tera: Tera,
    /// The static assets, overrides applied, in [`ASSETS`] order.
    pub(super) assets: Vec<(&'static str, String)>,
}

impl Templates {
    /// Load every template and asset, preferring `<root>/templates/<name>`.
    pub fn load(root: &Path) -> Result<Templates, TemplateError> {
        Templates::with_overrides(&override_texts(root)?)
    }

    /// The templates and assets with these overrides, in the order of
    /// [`override_texts`] (`None`, or a list too short, keeps the
    /// built-in): what `load` makes of what it read, and what the fuzz
    /// target makes of its input.
    pub fn with_overrides(texts: &[Option<String>]) -> Result<Templates, TemplateError> {
        let text = |i: usize| texts.get(i).and_then(Option::as_deref);
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        // Ours, with a budget per page: see `budget.rs`.
        tera.register_function("range", super::budget::range);
        let sources = TEMPLATES
            .iter()
            .enumerate()
            .map(|(i, (name, builtin))| (*name, text(i).unwrap_or(builtin)));
        tera.add_raw_templates(sources).map_err(|e| TemplateError {
            message: tera_message(&e),
        })?;
        let assets = ASSETS
            .iter()
            .enumerate()
            .map(|(i, (name, builtin))| {
                let own = text(TEMPLATES.len() + i).unwrap_or(builtin);
                (*name, own.to_string())
            })
            .collect();
        Ok(Templates { tera, assets })
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates(..)")
    }
}

/// The text of every override in `<root>/templates/` (`None` where the
/// built-in stands), templates then assets, in a fixed order: what
/// [`Templates::load`] reads, and what `serve` compares to notice a change.
pub fn override_texts(root: &Path) -> Result<Vec<Option<String>>, TemplateError> {
    let root = Root::open(root).map_err(|e| TemplateError {
        message: format!("{}: {e}", root.display()),
    })?;
    TEMPLATES
        .iter()
        .chain(ASSETS)
        .map(|(name, _)| read_override(&root, name))
        .collect()
}

/// Write the built-in templates and assets into `dir` for customising;
/// existing files are left alone. Returns the files written.
pub fn write_builtins(dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in TEMPLATES.iter().chain(ASSETS) {
        // A link counts as there, dangling or not: never written through.
        if std::fs::symlink_metadata(dir.join(name)).is_ok() {
            continue;
        }
        pilotbook_core::confined::create_file(dir, name, text.as_bytes(), false)?;
        written.push((*name).to_string());
    }
    Ok(written)
}
