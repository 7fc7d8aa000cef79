//! `reserved-id`: an id whose page would replace a page pilotbook
//! generates (`id: index` would overwrite its kind's index page). Which
//! ids those are is decided once, by [`crate::pages::reserved_page`].

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Portfolio;
use crate::pages::reserved_page;
use crate::rules::Rule;
use crate::source::Position;

/// One finding per document whose id is reserved (at its `id:`, or the
/// file's start when the id comes from the path), and per reference to a
/// reserved id that has no document (whose page would be generated).
pub fn reserved_ids(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    let finding = |path: &str, at: Position, kind: usize, id: &str, page: String| {
        Diagnostic::new(
            Rule::ReservedId,
            path,
            at,
            format!(
                "{} id `{id}` would name its page `{page}`, a page pilotbook generates; the document's page is left out",
                config.kinds[kind].name
            ),
        )
        .field("id")
        .help(format!(
            "choose another id (`id: {id}-1`, or rename the file): `{id}` is taken by the site itself"
        ))
    };
    for e in &portfolio.entities {
        let Some(doc) = &e.document else { continue };
        if let Some(page) = reserved_page(config.kinds[e.kind].plural(), &e.id) {
            let at = doc.id_position.unwrap_or(Position::START);
            out.push(finding(&doc.path, at, e.kind, &e.id, page));
        }
        for r in &e.references {
            let undefined = portfolio.get(&r.target).is_none_or(|t| !t.defined());
            let dir = config.kinds[r.target.kind].plural();
            if let Some(page) = reserved_page(dir, &r.target.id).filter(|_| undefined) {
                out.push(
                    finding(&doc.path, r.position, r.target.kind, &r.target.id, page)
                        .width(r.target.id.chars().count())
                        .field(r.relation.field_name()),
                );
            }
        }
    }
}
