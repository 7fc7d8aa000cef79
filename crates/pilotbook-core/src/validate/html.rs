//! `raw-html-removed`: raw HTML in a body that the site's allow-list would
//! change, one warning per HTML block or inline tag, at its line. Silent
//! when `[site] allow_raw_html` publishes raw HTML as written.

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Portfolio;
use crate::parse::html::removed_raw_html;
use crate::rules::Rule;
use crate::source::LineIndex;
use rayon::prelude::*;

/// Warn about every piece of raw HTML the sanitiser would change.
pub fn raw_html(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    if config.site.allow_raw_html {
        return;
    }
    let found: Vec<Diagnostic> = portfolio
        .entities
        .par_iter()
        .filter_map(|e| e.document.as_ref())
        .filter(|d| d.parsed.readable)
        .flat_map_iter(|doc| {
            let text = &doc.parsed.text;
            let body_offset = doc.parsed.body_offset;
            let removed = removed_raw_html(doc.parsed.body());
            // Only documents with raw HTML pay for the line index.
            let lines = (!removed.is_empty()).then(|| LineIndex::new(text));
            // Inline tags on one line (`<svg onload=…><circle/></svg>`) are
            // one finding: the first of them is named.
            let mut last_line = 0;
            removed.into_iter().filter_map(move |range| {
                let lines = lines.as_ref()?;
                let at = body_offset + range.start;
                let position = lines.position(text, at);
                if position.line == last_line {
                    return None;
                }
                last_line = position.line;
                let snippet: String = text
                    .get(at..body_offset + range.end)
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(60)
                    .collect();
                Some(
                    Diagnostic::new(
                        Rule::RawHtmlRemoved,
                        doc.path.as_str(),
                        position,
                        format!(
                            "raw HTML `{snippet}` is changed on the site: the sanitiser removes scripts, event handlers, styles and unsafe URLs"
                        ),
                    )
                    .width(snippet.chars().count().max(1))
                    .item(snippet.as_str())
                    .help("write it in Markdown, or keep to plain HTML tags without scripts, `on…=` handlers, `style` or `javascript:` URLs (`[site] allow_raw_html = true` publishes raw HTML unfiltered: trusted authors only)"),
                )
            })
        })
        .collect();
    out.extend(found);
}
