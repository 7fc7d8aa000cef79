//! An exported `history` object back into a [`DocumentHistory`]: the
//! shape `crate::export`'s `history_out` writes, read strictly.
//!
//! A change names its commit by id, date and author, and the main-line
//! commit it reached by id and date; each resolves to the full commit of
//! the document's `commits` list where it is there (one shared
//! [`CommitInfo`] per id, as the history crate shares them), else to a
//! commit made of what the change says. Dates and timestamps are checked
//! as they are read, so a bad one is refused at its place in the file.
//! `created`, `updated` and a slip's `days` are derived, so they are
//! checked, not kept. Version 1 has no `actual_changes`: read from it,
//! they are empty.

use crate::history::{
    AuthorStats, CommitInfo, DocumentHistory, DocumentState, FieldChange, MilestoneChange,
    MilestoneSlip, StatusChange, TargetChange, Timestamp,
};
use crate::model::Date;
use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use std::collections::HashMap;
use std::sync::Arc;

/// A document's `history`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryIn {
    #[serde(deserialize_with = "state")]
    state: DocumentState,
    #[serde(deserialize_with = "optional_timestamp")]
    #[allow(dead_code)] // Derived from the commits.
    created: Option<Timestamp>,
    #[serde(deserialize_with = "optional_timestamp")]
    #[allow(dead_code)] // Derived from the commits.
    updated: Option<Timestamp>,
    authors: Vec<AuthorIn>,
    commits: Vec<CommitIn>,
    renamed_from: Vec<String>,
    status_changes: Vec<StatusChangeIn>,
    target_changes: Vec<TargetChangeIn>,
    // Since version 2.
    #[serde(default)]
    actual_changes: Vec<TargetChangeIn>,
    milestone_changes: Vec<MilestoneChangeIn>,
    milestone_slips: Vec<SlipIn>,
    owner_changes: Vec<FieldChangeIn>,
    started_changes: Vec<FieldChangeIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorIn {
    name: String,
    email: String,
    commits: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitIn {
    id: String,
    #[serde(deserialize_with = "timestamp")]
    date: Timestamp,
    author: String,
    email: String,
    summary: String,
}

/// Who made a change and where it reached the main line, flattened into
/// each change by hand (serde's `flatten` would read the change through a
/// buffer and lose the place of an error).
/// A change read from the export: who made it, when, and where it
/// reached the main line.
trait Change {
    fn origin(&self) -> Origin<'_>;
}

macro_rules! change_in {
    ($name:ident { $($field:ident: $ty:ty $(= $with:literal)?,)* }) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)] // A slip's `days` is derived: checked, not kept.
        struct $name {
            $($(#[serde(deserialize_with = $with)])? $field: $ty,)*
            #[serde(deserialize_with = "timestamp")]
            date: Timestamp,
            commit: String,
            author: String,
            reached_main: MainLineIn,
        }

        impl Change for $name {
            fn origin(&self) -> Origin<'_> {
                Origin {
                    id: &self.commit,
                    date: self.date,
                    author: &self.author,
                    main: &self.reached_main,
                }
            }
        }
    };
}

change_in!(StatusChangeIn { from: Option<String>, to: String, });
change_in!(TargetChangeIn { metric: String, from: Option<String>, to: Option<String>, });
change_in!(MilestoneChangeIn {
    milestone: String,
    from: Option<Date> = "optional_date",
    to: Option<Date> = "optional_date",
});
change_in!(SlipIn {
    milestone: String,
    from: Date = "date",
    to: Date = "date",
    days: i64,
});
change_in!(FieldChangeIn { from: Option<String>, to: Option<String>, });

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MainLineIn {
    commit: String,
    #[serde(deserialize_with = "timestamp")]
    date: Timestamp,
}

/// A change's two commits, as the export names them.
struct Origin<'a> {
    id: &'a str,
    date: Timestamp,
    author: &'a str,
    main: &'a MainLineIn,
}

/// Every commit a history names, one shared value per id.
#[derive(Default)]
struct Commits(HashMap<String, Arc<CommitInfo>>);

impl Commits {
    /// The commit `id`, made of what is known of it if it is new.
    fn get_or_make(&mut self, id: &str, date: Timestamp, author: &str) -> Arc<CommitInfo> {
        self.0
            .entry(id.to_string())
            .or_insert_with(|| {
                Arc::new(CommitInfo {
                    id: id.to_string(),
                    date,
                    author: author.into(),
                    email: "".into(),
                    summary: String::new(),
                })
            })
            .clone()
    }

    /// A change's commit and the main-line commit it reached.
    fn pair(&mut self, o: &Origin) -> (Arc<CommitInfo>, Arc<CommitInfo>) {
        (
            self.get_or_make(o.id, o.date, o.author),
            self.get_or_make(&o.main.commit, o.main.date, ""),
        )
    }
}

impl HistoryIn {
    /// The history, its commits shared between the list and the changes.
    pub(super) fn into_history(self) -> Result<DocumentHistory, String> {
        let mut commits = Commits::default();
        let listed: Vec<Arc<CommitInfo>> = self
            .commits
            .into_iter()
            .map(|c| {
                let info = Arc::new(CommitInfo {
                    id: c.id,
                    date: c.date,
                    author: c.author.into(),
                    email: c.email.into(),
                    summary: c.summary,
                });
                commits
                    .0
                    .entry(info.id.clone())
                    .or_insert_with(|| info.clone())
                    .clone()
            })
            .collect();
        // A change's own commit, not in the list (a merge, say), is made
        // once, from its id, date and author, before any main-line commit
        // of the same id could be made without an author.
        let origins = self
            .status_changes
            .iter()
            .map(StatusChangeIn::origin)
            .chain(self.target_changes.iter().map(TargetChangeIn::origin))
            .chain(self.actual_changes.iter().map(TargetChangeIn::origin))
            .chain(self.milestone_changes.iter().map(MilestoneChangeIn::origin))
            .chain(self.milestone_slips.iter().map(SlipIn::origin))
            .chain(self.owner_changes.iter().map(FieldChangeIn::origin))
            .chain(self.started_changes.iter().map(FieldChangeIn::origin));
        for o in origins {
            commits.get_or_make(o.id, o.date, o.author);
        }
        Ok(DocumentHistory {
            state: self.state,
            authors: self
                .authors
                .into_iter()
                .map(|a| AuthorStats {
                    name: a.name.into(),
                    email: a.email.into(),
                    commits: a.commits,
                })
                .collect(),
            commits: listed,
            renamed_from: self.renamed_from,
            status_changes: statuses(&self.status_changes, &mut commits),
            target_changes: targets(&self.target_changes, &mut commits),
            actual_changes: targets(&self.actual_changes, &mut commits),
            milestone_changes: milestones(&self.milestone_changes, &mut commits),
            milestone_slips: slips(&self.milestone_slips, &mut commits),
            owner_changes: fields(&self.owner_changes, &mut commits),
            started_changes: fields(&self.started_changes, &mut commits),
        })
    }
}

/// Each change with its commit and the main-line commit it reached, made
/// into the history's own change by `make`.
fn resolved<I: Change, O>(
    changes: &[I],
    commits: &mut Commits,
    make: impl Fn(&I, Arc<CommitInfo>, Arc<CommitInfo>) -> O,
) -> Vec<O> {
    changes
        .iter()
        .map(|c| {
            let (commit, reached_main) = commits.pair(&c.origin());
            make(c, commit, reached_main)
        })
        .collect()
}

fn statuses(changes: &[StatusChangeIn], commits: &mut Commits) -> Vec<StatusChange> {
    resolved(changes, commits, |c, commit, reached_main| StatusChange {
        from: c.from.clone(),
        to: c.to.clone(),
        commit,
        reached_main,
    })
}

fn targets(changes: &[TargetChangeIn], commits: &mut Commits) -> Vec<TargetChange> {
    resolved(changes, commits, |c, commit, reached_main| TargetChange {
        metric: c.metric.clone(),
        from: c.from.clone(),
        to: c.to.clone(),
        commit,
        reached_main,
    })
}

fn milestones(changes: &[MilestoneChangeIn], commits: &mut Commits) -> Vec<MilestoneChange> {
    resolved(changes, commits, |c, commit, reached_main| {
        MilestoneChange {
            milestone: c.milestone.clone(),
            from: c.from,
            to: c.to,
            commit,
            reached_main,
        }
    })
}

fn slips(changes: &[SlipIn], commits: &mut Commits) -> Vec<MilestoneSlip> {
    resolved(changes, commits, |c, commit, reached_main| MilestoneSlip {
        milestone: c.milestone.clone(),
        from: c.from,
        to: c.to,
        commit,
        reached_main,
    })
}

fn fields(changes: &[FieldChangeIn], commits: &mut Commits) -> Vec<FieldChange> {
    resolved(changes, commits, |c, commit, reached_main| FieldChange {
        from: c.from.clone(),
        to: c.to.clone(),
        commit,
        reached_main,
    })
}

fn state<'de, D: Deserializer<'de>>(d: D) -> Result<DocumentState, D::Error> {
    let text = String::deserialize(d)?;
    [
        DocumentState::Committed,
        DocumentState::Modified,
        DocumentState::Uncommitted,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
    .ok_or_else(|| {
        D::Error::custom(format!(
            "`{text}` is not a document state (committed, modified or uncommitted)"
        ))
    })
}

fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = String::deserialize(d)?;
    parse_rfc3339(&text).ok_or_else(|| {
        D::Error::custom(format!(
            "`{text}` is not a timestamp like 2026-06-01T09:30:00+02:00"
        ))
    })
}

fn optional_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_rfc3339(&text).map(Some).ok_or_else(|| {
            D::Error::custom(format!(
                "`{text}` is not a timestamp like 2026-06-01T09:30:00+02:00"
            ))
        }),
    }
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let text = String::deserialize(d)?;
    strict_date(&text).map_err(D::Error::custom)
}

fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|text| strict_date(&text))
        .transpose()
        .map_err(D::Error::custom)
}

/// `YYYY-MM-DD` and nothing after it.
fn strict_date(text: &str) -> Result<Date, String> {
    if text.len() != 10 {
        return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
    }
    Date::parse(text)
}

/// The RFC 3339 the export writes (`Timestamp::rfc3339`):
/// `YYYY-MM-DDTHH:MM:SS` and `Z` or `±HH:MM`, the offset kept.
pub(super) fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let date = strict_date(text.get(..10)?).ok()?;
    let rest = text.get(10..)?;
    let (clock, zone) = (rest.get(..9)?, rest.get(9..)?);
    let number = |s: &str| -> Option<i64> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    if !clock.starts_with('T') || clock.get(3..4)? != ":" || clock.get(6..7)? != ":" {
        return None;
    }
    let (h, m, s) = (
        number(clock.get(1..3)?)?,
        number(clock.get(4..6)?)?,
        number(clock.get(7..9)?)?,
    );
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let offset_minutes = match zone {
        "Z" => 0,
        _ => {
            let sign = match zone.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if zone.len() != 6 || zone.get(3..4)? != ":" {
                return None;
            }
            let (oh, om) = (number(zone.get(1..3)?)?, number(zone.get(4..6)?)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 60 + om)
        }
    };
    let local = date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + s;
    Some(Timestamp {
        seconds: local - offset_minutes * 60,
        offset_minutes: i32::try_from(offset_minutes).ok()?,
    })
}
