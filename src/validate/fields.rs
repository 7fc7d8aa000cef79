//! `missing-field`: the kind's required front-matter fields are present.

use crate::config::{Builtin, Config};
use crate::diagnostics::Diagnostic;
use crate::model::Portfolio;
use crate::parse::Value;
use crate::rules::Rule;
use crate::source::Position;

fn help_for(field: &str) -> String {
    match field {
        "owner" => "add `owner: <person-id>`: the one person accountable for the pilot".into(),
        "metrics" => "add `metrics:` with at least one `- metric: <id>` and a numeric `target: \">= 92%\"`, agreed before the pilot starts".into(),
        "production_path" => "add `production_path:` with at least one `- milestone: <name>` and `due: YYYY-MM-DD`".into(),
        "status" => "add `status:` (proposed | pilot | go | no-go | production | retired)".into(),
        "started" => "add `started: YYYY-MM-DD`: the day the pilot started; metric targets are agreed before it".into(),
        "title" => "add `title: <a short name for the document>`".into(),
        other => format!("add `{other}:` to the front matter"),
    }
}

/// Report required fields that are absent, null, empty text or an empty list.
pub fn required_fields(config: &Config, portfolio: &Portfolio, out: &mut Vec<Diagnostic>) {
    for entity in &portfolio.entities {
        let Some(doc) = &entity.document else {
            continue;
        };
        if !doc.parsed.readable || doc.parsed.front_matter_failed {
            continue;
        }
        let kind = &config.kinds[entity.kind];
        let mut required: Vec<&str> = kind.required_fields.iter().map(String::as_str).collect();
        if kind.builtin == Some(Builtin::Pilot) {
            let past_proposed = doc
                .field("status")
                .and_then(|s| s.as_text())
                .is_some_and(|s| s != "proposed");
            if past_proposed && !required.contains(&"started") {
                required.push("started");
            }
        }
        let noun = &kind.name;
        for field in required {
            let (position, what) = match doc
                .parsed
                .front_matter
                .as_ref()
                .and_then(|fm| fm.entry(field))
            {
                None => (Position::START, "no"),
                Some((key, value)) => match &value.value {
                    Value::Null => (key.position, "an empty"),
                    Value::Scalar(s) if s.text.trim().is_empty() => (key.position, "an empty"),
                    Value::List(items) if items.is_empty() => (key.position, "an empty"),
                    _ => continue,
                },
            };
            out.push(
                Diagnostic::new(
                    Rule::MissingField,
                    &doc.path,
                    position,
                    format!("{noun} `{}` has {what} `{field}`", entity.id),
                )
                .field(field)
                .help(help_for(field)),
            );
        }
    }
}
