//! Where each page of the site lives: the one place that names a page's
//! path. The site writes its pages there, and validation reports the ids
//! whose page would replace a generated one (`reserved-id`), so both read
//! these functions and never spell a path themselves.
//!
//! Pure functions of kind folders and ids; no I/O.

use crate::config::Config;
use crate::model::Entity;

/// The site path of an entity's page (`pilots/ticket-triage.html`). A
/// document whose id an earlier one has (`duplicate-id`) gets a page at
/// its own path instead (`pilots/pilots/b/records.html` for
/// `pilots/b/records.md`): an id has no `/`, so that page is no other's.
pub fn page_path(config: &Config, entity: &Entity) -> String {
    let kind_dir = config.kinds[entity.kind].plural();
    match entity.document.as_ref().filter(|_| entity.duplicate) {
        Some(doc) => {
            let stem = doc.path.strip_suffix(".md").unwrap_or(&doc.path);
            format!("{kind_dir}/{}.html", unqualified(stem))
        }
        None => entity_page(kind_dir, &entity.id),
    }
}

/// A source's qualifier as a folder: `payments:docs/a` is `payments/docs/a`
/// (a `:` would make a relative link a URL scheme).
fn unqualified(text: &str) -> std::borrow::Cow<'_, str> {
    match crate::model::split_qualified(text) {
        (Some(source), rest) => format!("{source}/{rest}").into(),
        (None, _) => text.into(),
    }
}

/// The site path of the page of entity `id` in the kind whose pages live
/// in `kind_dir`: the one place that names an entity's page.
pub fn entity_page(kind_dir: &str, id: &str) -> String {
    format!("{kind_dir}/{}.html", unqualified(id))
}

/// The site path of a kind's index page.
pub fn kind_index_page(kind_dir: &str) -> String {
    format!("{kind_dir}/index.html")
}

/// The files every site has besides its entity pages and kind indexes.
pub const GENERATED_FILES: &[&str] = &[
    "index.html",
    "timeline.html",
    "graph.html",
    "rollup.html",
    "404.html",
    "sitemap.xml",
    "feed.xml",
    "pilots.json",
    "assets/search-index.js",
    "assets/style.css",
    "assets/site.js",
    "assets/favicon.svg",
];

/// The generated page an entity's page would replace, if any: an entity
/// `index` would overwrite its kind's index page. The one decision on
/// reserved ids: validation reports them (`reserved-id`) and rendering
/// leaves their pages out. It follows [`entity_page`], so a change of the
/// page layout changes what is reserved with it.
pub fn reserved_page(kind_dir: &str, id: &str) -> Option<String> {
    let page = entity_page(kind_dir, id);
    (page == kind_index_page(kind_dir) || GENERATED_FILES.contains(&page.as_str())).then_some(page)
}
