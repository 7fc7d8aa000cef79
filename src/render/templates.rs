//! The templates: built into the binary, each overridable by a file of the
//! same name in the repository's `templates/` folder.

use std::path::Path;
use tera::Tera;

/// Tera templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "portfolio.html",
        include_str!("../../templates/portfolio.html"),
    ),
    ("pilot.html", include_str!("../../templates/pilot.html")),
    ("entity.html", include_str!("../../templates/entity.html")),
    ("kind.html", include_str!("../../templates/kind.html")),
    (
        "timeline.html",
        include_str!("../../templates/timeline.html"),
    ),
    ("graph.html", include_str!("../../templates/graph.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
];

/// Static assets, copied into `assets/` as they are.
pub const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../templates/style.css")),
    ("site.js", include_str!("../../templates/site.js")),
];

/// A template that could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Tera's message: the template, line and column, and what is wrong.
    pub message: String,
}

fn read_override(root: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(root.join("templates").join(name)).ok()
}

/// The loaded templates, ready to render pages. Opaque outside `render/`,
/// so that nothing else sees Tera.
pub struct Templates(pub(super) Tera);

impl Templates {
    /// Load every template, preferring `<root>/templates/<name>`.
    pub fn load(root: &Path) -> Result<Templates, TemplateError> {
        load(root).map(Templates)
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates(..)")
    }
}

/// Load every template, preferring `<root>/templates/<name>`.
pub fn load(root: &Path) -> Result<Tera, TemplateError> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    // Ours, with a budget per page: see `budget.rs`.
    tera.register_function("range", super::budget::range);
    let sources: Vec<(&str, String)> = TEMPLATES
        .iter()
        .map(|(name, builtin)| {
            (
                *name,
                read_override(root, name).unwrap_or_else(|| builtin.to_string()),
            )
        })
        .collect();
    tera.add_raw_templates(sources.iter().map(|(n, s)| (*n, s.as_str())))
        .map_err(|e| TemplateError {
            message: e.to_string(),
        })?;
    Ok(tera)
}

/// The static assets, overrides applied.
pub fn assets(root: &Path) -> Vec<(&'static str, String)> {
    ASSETS
        .iter()
        .map(|(name, builtin)| {
            (
                *name,
                read_override(root, name).unwrap_or_else(|| builtin.to_string()),
            )
        })
        .collect()
}

/// The text of every override in `<root>/templates/` (`None` where the
/// built-in stands), in a fixed order: what `serve` compares to notice a
/// template change.
pub fn override_texts(root: &Path) -> Vec<Option<String>> {
    TEMPLATES
        .iter()
        .chain(ASSETS)
        .map(|(name, _)| read_override(root, name))
        .collect()
}

/// Write the built-in templates and assets into `dir` for customising;
/// existing files are left alone. Returns the files written.
pub fn write_builtins(dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in TEMPLATES.iter().chain(ASSETS) {
        let path = dir.join(name);
        if path.exists() {
            continue;
        }
        std::fs::write(&path, text)?;
        written.push((*name).to_string());
    }
    Ok(written)
}
