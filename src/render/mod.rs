//! The linked model → a static site. The only module that sees Tera.
//!
//! `build` makes one view per page (`views.rs`), renders the pages in
//! parallel with the templates (`templates.rs`), adds the SVG timeline and
//! dependency graph (`timeline.rs`, `graph.rs`, sharing `svg.rs`), the search index, the
//! export as `pilots.json` and a sitemap, and hands the files to
//! `output.rs`, which swaps them in only when all were written. Every link
//! is relative, so the site works from `file://` and under any sub-path;
//! `--base-url` only makes canonical and sitemap URLs. Nothing here reads
//! the clock: the build date is an input, so two builds of one commit for
//! one date are byte-identical.

pub mod graph;
pub mod markdown;
mod output;
mod svg;
pub mod templates;
pub mod timeline;
pub mod views;

pub use output::{MARKER, OutputError};
pub use templates::TemplateError;

use crate::config::{Builtin, Config};
use crate::diagnostics::Report;
use crate::history::History;
use crate::model::{Date, Portfolio};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use views::{Inputs, PageView, SiteView};

/// What `build` needs besides the model.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Where the site goes.
    pub out_dir: PathBuf,
    /// The public URL, for canonical and sitemap URLs only.
    pub base_url: Option<String>,
    /// The date milestones are judged against and the timeline's today line.
    pub today: Date,
}

/// What `build` made.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// HTML pages written.
    pub pages: usize,
    /// Files written in all.
    pub files: usize,
}

/// Why the site could not be built (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template failed to load.
    #[error("template error: {0}")]
    Template(#[from] TemplateError),
    /// A page failed to render.
    #[error("template error while rendering {page}: {message}")]
    Page {
        /// The page being rendered.
        page: String,
        /// Tera's message, with the template, line and column.
        message: String,
    },
    /// The site could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// One page to render.
struct Page {
    path: String,
    template: &'static str,
    context: tera::Context,
}

/// How many `../` lead from a site path to the root.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    /// Title.
    t: &'a str,
    /// URL, site-relative.
    u: String,
    /// Kind label.
    k: &'a str,
    /// Owner's name.
    o: String,
    /// Metric and system ids.
    m: String,
    /// Text excerpt.
    x: String,
}

/// The first words of a body, without Markdown punctuation.
fn excerpt(body: &str, limit: usize) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let line = line.trim();
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with("```")
            || line.starts_with('|')
        {
            continue;
        }
        for word in line.split_whitespace() {
            let word = word.trim_matches(|c: char| "*_`>[]()#-".contains(c));
            if word.is_empty() {
                continue;
            }
            if out.len() + word.len() + 1 > limit {
                return out;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Build the site into `options.out_dir`.
pub fn build(
    root: &Path,
    config: &Config,
    portfolio: &Portfolio,
    history: &History,
    report: &Report,
    options: &BuildOptions,
) -> Result<BuildSummary, RenderError> {
    // Refuse a dangerous output folder before doing any work.
    output::check_target(&options.out_dir, root)?;
    let tera = templates::load(root)?;
    let inputs = Inputs::new(config, portfolio, history, report, options.today);
    let nav = inputs.nav();
    let site = |path: &str| SiteView {
        title: config.site.title.clone(),
        root: root_of(path),
        repository: config.site.repository.clone(),
        kinds: nav.clone(),
        today: options.today.to_string(),
        version: env!("CARGO_PKG_VERSION"),
    };
    let page_view = |path: &str, title: &str, kind: &'static str| PageView {
        title: title.to_string(),
        path: path.to_string(),
        kind,
        canonical: options
            .base_url
            .as_ref()
            .map(|b| format!("{}/{path}", b.trim_end_matches('/'))),
    };
    let context = |path: &str, title: &str, kind: &'static str| {
        let mut c = tera::Context::new();
        c.insert("site", &site(path));
        c.insert("page", &page_view(path, title, kind));
        c
    };

    let mut pages: Vec<Page> = Vec::new();

    // The portfolio.
    let rows: Vec<_> = portfolio
        .pilots()
        .filter(|(e, _)| e.defined())
        .map(|(e, p)| inputs.portfolio_row(e, p))
        .collect();
    let mut c = context("index.html", &config.site.title, "portfolio");
    c.insert("rows", &rows);
    c.insert("statuses", &crate::config::PILOT_STATUSES);
    c.insert("summary", &report_summary(report));
    pages.push(Page {
        path: "index.html".into(),
        template: "portfolio.html",
        context: c,
    });

    // One page per entity, one index per kind.
    for (k, kind) in config.kinds.iter().enumerate() {
        let dir = inputs.kind_dir(k);
        let label = views::kind_label(&kind.name, kind.builtin);
        let entities = portfolio.of_kind(k);
        let start = portfolio.entities.partition_point(|e| e.kind < k);
        let mut rows = Vec::new();
        for (offset, e) in entities.iter().enumerate() {
            let index = start + offset;
            let path = inputs.href(e);
            if kind.builtin == Some(Builtin::Pilot) && e.defined() {
                if let Some(view) = inputs.pilot_view(index) {
                    let mut c = context(&path, &e.title, "pilot");
                    c.insert("pilot", &view);
                    pages.push(Page {
                        path: path.clone(),
                        template: "pilot.html",
                        context: c,
                    });
                }
            } else {
                let mut c = context(&path, &e.title, "entity");
                c.insert("entity", &inputs.entity_view(index));
                pages.push(Page {
                    path: path.clone(),
                    template: "entity.html",
                    context: c,
                });
            }
            rows.push(views::KindRow {
                link: inputs.link_to(e),
                references: e.referenced_by.len(),
            });
        }
        let path = format!("{dir}/index.html");
        let mut c = context(&path, &label, "index");
        c.insert(
            "kind",
            &serde_json::json!({ "name": kind.name, "label": label, "rows": rows }),
        );
        pages.push(Page {
            path,
            template: "kind.html",
            context: c,
        });
    }

    // The timeline, by status and by owner.
    let mut c = context("timeline.html", "Production-path timeline", "timeline");
    c.insert(
        "by_status",
        &timeline::render(&timeline_rows(&inputs, false), options.today),
    );
    c.insert(
        "by_owner",
        &timeline::render(&timeline_rows(&inputs, true), options.today),
    );
    pages.push(Page {
        path: "timeline.html".into(),
        template: "timeline.html",
        context: c,
    });

    // The dependency graph.
    let (nodes, edges) = graph_input(&inputs);
    let components: Vec<_> = graph::render(&nodes, &edges)
        .into_iter()
        .map(|c| serde_json::json!({ "svg": c.svg, "nodes": c.nodes, "edges": c.edges }))
        .collect();
    let mut c = context("graph.html", "Dependency graph", "graph");
    c.insert("components", &components);
    pages.push(Page {
        path: "graph.html".into(),
        template: "graph.html",
        context: c,
    });

    // The 404 page is served at any path: with a base URL its links are
    // absolute, so they work wherever it is shown.
    let mut not_found = context("404.html", "Page not found", "404");
    if let Some(base) = &options.base_url {
        let mut s = site("404.html");
        s.root = format!("{}/", base.trim_end_matches('/'));
        not_found.insert("site", &s);
    }
    pages.push(Page {
        path: "404.html".into(),
        template: "404.html",
        context: not_found,
    });

    // Render every page in parallel; the first error (in page order) wins.
    let rendered: Vec<Result<(String, Vec<u8>), RenderError>> = pages
        .par_iter()
        .map(|p| {
            tera.render(p.template, &p.context)
                .map(|html| (p.path.clone(), html.into_bytes()))
                .map_err(|e| RenderError::Page {
                    page: p.path.clone(),
                    message: e.to_string(),
                })
        })
        .collect();
    let mut files = Vec::with_capacity(rendered.len() + 8);
    for r in rendered {
        files.push(r?);
    }
    let page_count = files.len();

    // The sitemap lists every page but the 404.
    let urls: Vec<String> = pages
        .iter()
        .filter(|p| p.path != "404.html")
        .map(|p| match &options.base_url {
            Some(b) => format!("{}/{}", b.trim_end_matches('/'), p.path),
            None => p.path.clone(),
        })
        .collect();
    let mut c = tera::Context::new();
    c.insert("urls", &urls);
    let sitemap = tera
        .render("sitemap.xml", &c)
        .map_err(|e| RenderError::Page {
            page: "sitemap.xml".into(),
            message: e.to_string(),
        })?;
    files.push(("sitemap.xml".into(), sitemap.into_bytes()));

    for (name, text) in templates::assets(root) {
        files.push((format!("assets/{name}"), text.into_bytes()));
    }
    files.push((
        "assets/search-index.js".into(),
        search_index(&inputs).into_bytes(),
    ));
    let export = crate::export::export(config, portfolio, history);
    let mut json = serde_json::to_string_pretty(&export).unwrap_or_default();
    json.push('\n');
    files.push(("pilots.json".into(), json.into_bytes()));

    output::write_site(&options.out_dir, root, &files)?;
    Ok(BuildSummary {
        pages: page_count,
        files: files.len(),
    })
}

fn report_summary(report: &Report) -> serde_json::Value {
    serde_json::json!({
        "documents": report.documents,
        "errors": report.errors(),
        "warnings": report.warnings(),
    })
}

fn timeline_rows(inputs: &Inputs, by_owner: bool) -> Vec<timeline::TimelineRow> {
    let mut rows: Vec<timeline::TimelineRow> = inputs
        .portfolio
        .pilots()
        .filter(|(e, _)| e.defined())
        .map(|(e, p)| {
            let owner = p
                .owner
                .as_ref()
                .and_then(|o| {
                    inputs.portfolio.get(&crate::model::EntityRef {
                        kind: Builtin::Person as usize,
                        id: o.value.clone(),
                    })
                })
                .map_or_else(|| "No owner".to_string(), |o| o.title.clone());
            let status = p.status.clone().unwrap_or_else(|| "unknown".into());
            let history = e
                .document
                .as_ref()
                .and_then(|d| inputs.history.documents.get(&d.path));
            timeline::TimelineRow {
                id: e.id.clone(),
                title: e.title.clone(),
                href: inputs.href(e),
                group: if by_owner { owner } else { status.clone() },
                status,
                milestones: p
                    .production_path
                    .iter()
                    .filter_map(|m| {
                        Some(timeline::TimelineMilestone {
                            name: m.name.clone(),
                            due: m.due.as_ref()?.value,
                            done: m.done,
                            slips: history
                                .into_iter()
                                .flat_map(|h| &h.milestone_slips)
                                .filter(|s| s.milestone == m.name)
                                .map(|s| (s.from, s.to))
                                .collect(),
                        })
                    })
                    .collect(),
                status_changes: history
                    .into_iter()
                    .flat_map(|h| &h.status_changes)
                    .map(|s| timeline::TimelineStatusChange {
                        date: s.date.date(),
                        to: s.to.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let order = |s: &str| {
        crate::config::PILOT_STATUSES
            .iter()
            .position(|x| *x == s)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| {
        let group = if by_owner {
            a.group.cmp(&b.group)
        } else {
            order(&a.group).cmp(&order(&b.group))
        };
        group
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

fn graph_input(inputs: &Inputs) -> (Vec<graph::GraphNode>, Vec<graph::GraphEdge>) {
    let key = |e: &crate::model::Entity| format!("{}:{}", inputs.config.kinds[e.kind].name, e.id);
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for e in &inputs.portfolio.entities {
        let builtin = inputs.config.kinds[e.kind].builtin;
        let kind = match builtin {
            Some(Builtin::Pilot) => graph::NodeKind::Pilot,
            Some(Builtin::System) => graph::NodeKind::System,
            _ => continue,
        };
        nodes.push(graph::GraphNode {
            key: key(e),
            label: e.title.clone(),
            kind,
            href: inputs.href(e),
            status: e.pilot.as_ref().and_then(|p| p.status.clone()),
            defined: e.defined(),
        });
        if let Some(p) = &e.pilot {
            for d in &p.depends_on {
                if let Some(t) = inputs.portfolio.get(&d.target) {
                    edges.push(graph::GraphEdge {
                        from: key(e),
                        to: key(t),
                        kind: graph::EdgeKind::DependsOn,
                    });
                }
            }
            for i in &p.integrations {
                let target = crate::model::EntityRef {
                    kind: Builtin::System as usize,
                    id: i.system.clone(),
                };
                if let Some(t) = inputs.portfolio.get(&target) {
                    edges.push(graph::GraphEdge {
                        from: key(e),
                        to: key(t),
                        kind: graph::EdgeKind::Integrates,
                    });
                }
            }
        }
    }
    // A depends_on edge to a custom kind has no node: keep edges between nodes only.
    let keys: std::collections::BTreeSet<&str> = nodes.iter().map(|n| n.key.as_str()).collect();
    edges.retain(|e| keys.contains(e.from.as_str()) && keys.contains(e.to.as_str()));
    edges.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    edges.dedup_by(|a, b| a.from == b.from && a.to == b.to);
    (nodes, edges)
}

fn search_index(inputs: &Inputs) -> String {
    let entries: Vec<SearchEntry> = inputs
        .portfolio
        .entities
        .iter()
        .filter(|e| e.defined())
        .map(|e| {
            let kind = &inputs.config.kinds[e.kind];
            let owner = e
                .pilot
                .as_ref()
                .and_then(|p| p.owner.as_ref())
                .and_then(|o| {
                    inputs.portfolio.get(&crate::model::EntityRef {
                        kind: Builtin::Person as usize,
                        id: o.value.clone(),
                    })
                })
                .map(|o| format!("{} {}", o.title, o.id))
                .unwrap_or_default();
            let mut ids: Vec<&str> = Vec::new();
            if let Some(p) = &e.pilot {
                ids.extend(p.metrics.iter().map(|m| m.metric.as_str()));
                ids.extend(p.integrations.iter().map(|i| i.system.as_str()));
            }
            SearchEntry {
                t: &e.title,
                u: inputs.href(e),
                k: kind.plural(),
                o: owner,
                m: ids.join(" "),
                x: e.document
                    .as_ref()
                    .map(|d| excerpt(d.parsed.body(), 240))
                    .unwrap_or_default(),
            }
        })
        .collect();
    // `<` only occurs inside JSON strings: escaping it keeps any `</script>`
    // in a title inert even if the index were ever inlined into a page.
    let json = serde_json::to_string(&entries)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    format!("window.PILOTBOOK_INDEX = {json};\n")
}
