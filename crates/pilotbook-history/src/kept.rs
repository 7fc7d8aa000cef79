//! Each document's finished history, kept in the cache with the commit it
//! was read at: a run at the same HEAD (a warm `check`, a build with
//! nothing committed since) takes each document's history as it was,
//! instead of following the document through the walk and building its
//! history from the facts of every version again.
//!
//! A history depends only on the walk up to HEAD, the document's path and
//! the facts of its versions, which the cache's key and HEAD fix; whether
//! the document is modified in the working tree is worked out anew on
//! every run. Commits are kept as their places in the walk and dates as
//! days, and both are checked as an entry is restored: an entry that
//! names a commit the walk does not have or an impossible date (a
//! damaged or forged file) is not used, and that document is read again.

use crate::walk::Walk;
use pilotbook_core::history::{
    CommitInfo, DocumentHistory, DocumentState, FieldChange, MilestoneChange, StatusChange,
    TargetChange,
};
use pilotbook_core::model::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// The histories of the documents at one commit.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Kept {
    /// The commit they were read at (hex); empty when none were kept.
    pub head: String,
    /// Each committed document's history, by its root-relative path.
    pub documents: HashMap<String, KeptHistory>,
}

/// A change and the two commits it names: the one that made it and the
/// first main-line commit that holds it (places in the walk).
type Blame = (u32, u32);

/// One document's history as kept: [`DocumentHistory`] without its state,
/// its authors (worked out from its commits), its milestone slips (from
/// its milestone changes) or any shared commit.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptHistory {
    commits: Vec<u32>,
    renamed_from: Vec<String>,
    status_changes: Vec<(Option<String>, String, Blame)>,
    target_changes: Vec<(String, Option<String>, Option<String>, Blame)>,
    actual_changes: Vec<(String, Option<String>, Option<String>, Blame)>,
    milestone_changes: Vec<(String, Option<i64>, Option<i64>, Blame)>,
    owner_changes: Vec<(Option<String>, Option<String>, Blame)>,
    started_changes: Vec<(Option<String>, Option<String>, Blame)>,
}

/// Dates as days since 1970 are kept within ±10,000 years of it.
const MAX_DAYS: i64 = 3_660_000;

impl Kept {
    /// The histories of `documents`, read at `head` over `walk`. A history
    /// naming a commit that is not the walk's is left out (never the case
    /// for one just built: every commit it names is the walk's own).
    pub fn keep<'d>(
        head: &str,
        walk: &Walk,
        documents: impl Iterator<Item = (&'d String, &'d DocumentHistory)>,
    ) -> Kept {
        let places: HashMap<*const CommitInfo, u32> = (walk.commits.iter().enumerate())
            .filter_map(|(i, c)| Some((Arc::as_ptr(&c.info), u32::try_from(i).ok()?)))
            .collect();
        let documents = documents
            .filter(|(_, h)| h.state != DocumentState::Uncommitted)
            .filter_map(|(path, h)| Some((path.clone(), KeptHistory::keep(h, &places)?)))
            .collect();
        Kept {
            head: head.to_string(),
            documents,
        }
    }
}

impl KeptHistory {
    fn keep(h: &DocumentHistory, places: &HashMap<*const CommitInfo, u32>) -> Option<KeptHistory> {
        let at = |c: &Arc<CommitInfo>| places.get(&Arc::as_ptr(c)).copied();
        let blame = |c: &Arc<CommitInfo>, m: &Arc<CommitInfo>| Some((at(c)?, at(m)?));
        let target = |t: &TargetChange| {
            let blamed = blame(&t.commit, &t.reached_main)?;
            Some((t.metric.clone(), t.from.clone(), t.to.clone(), blamed))
        };
        let field = |f: &FieldChange| {
            Some((
                f.from.clone(),
                f.to.clone(),
                blame(&f.commit, &f.reached_main)?,
            ))
        };
        let days = |d: Date| d.days_since_epoch();
        Some(KeptHistory {
            commits: all(&h.commits, at)?,
            renamed_from: h.renamed_from.clone(),
            status_changes: all(&h.status_changes, |s| {
                Some((
                    s.from.clone(),
                    s.to.clone(),
                    blame(&s.commit, &s.reached_main)?,
                ))
            })?,
            target_changes: all(&h.target_changes, target)?,
            actual_changes: all(&h.actual_changes, target)?,
            milestone_changes: all(&h.milestone_changes, |m| {
                let blamed = blame(&m.commit, &m.reached_main)?;
                Some((
                    m.milestone.clone(),
                    m.from.map(days),
                    m.to.map(days),
                    blamed,
                ))
            })?,
            owner_changes: all(&h.owner_changes, field)?,
            started_changes: all(&h.started_changes, field)?,
        })
    }

    /// The history again, over `walk`, in `state`; `None` when it names a
    /// commit the walk does not have or a date out of range.
    pub fn restore(&self, walk: &Walk, state: DocumentState) -> Option<DocumentHistory> {
        let info = |i: u32| walk.commits.get(i as usize).map(|c| Arc::clone(&c.info));
        let blamed = |(c, m): Blame| Some((info(c)?, info(m)?));
        // No date, or one that must be in range.
        let maybe = |d: Option<i64>| match d {
            Some(d) if d.abs() <= MAX_DAYS => Some(Some(Date::from_days_since_epoch(d))),
            Some(_) => None,
            None => Some(None),
        };
        let target = |(metric, from, to, b): &(String, Option<String>, Option<String>, Blame)| {
            let (commit, reached_main) = blamed(*b)?;
            let (metric, from, to) = (metric.clone(), from.clone(), to.clone());
            Some(TargetChange {
                metric,
                from,
                to,
                commit,
                reached_main,
            })
        };
        let field = |(from, to, b): &(Option<String>, Option<String>, Blame)| {
            let (commit, reached_main) = blamed(*b)?;
            let (from, to) = (from.clone(), to.clone());
            Some(FieldChange {
                from,
                to,
                commit,
                reached_main,
            })
        };
        let commits = all(&self.commits, |c| info(*c))?;
        let milestone_changes = all(&self.milestone_changes, |(milestone, from, to, b)| {
            let (commit, reached_main) = blamed(*b)?;
            let (from, to) = (maybe(*from)?, maybe(*to)?);
            let milestone = milestone.clone();
            Some(MilestoneChange {
                milestone,
                from,
                to,
                commit,
                reached_main,
            })
        })?;
        Some(DocumentHistory {
            state,
            authors: crate::lineage::authors(&commits),
            commits,
            renamed_from: self.renamed_from.clone(),
            status_changes: all(&self.status_changes, |(from, to, b)| {
                let (commit, reached_main) = blamed(*b)?;
                let (from, to) = (from.clone(), to.clone());
                Some(StatusChange {
                    from,
                    to,
                    commit,
                    reached_main,
                })
            })?,
            target_changes: all(&self.target_changes, target)?,
            actual_changes: all(&self.actual_changes, target)?,
            milestone_slips: crate::lineage::slips(&milestone_changes),
            milestone_changes,
            owner_changes: all(&self.owner_changes, field)?,
            started_changes: all(&self.started_changes, field)?,
        })
    }
}

/// Each of `items` through `f`, or `None` if any gives `None`.
fn all<T, U>(items: &[T], f: impl Fn(&T) -> Option<U>) -> Option<Vec<U>> {
    items.iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::WalkedCommit;
    use pilotbook_core::history::{AuthorStats, MilestoneSlip, Timestamp};

    fn walk(n: usize) -> Walk {
        let commits = (0..n)
            .map(|i| WalkedCommit {
                info: Arc::new(CommitInfo {
                    id: format!("{i:040x}"),
                    date: Timestamp {
                        seconds: 1_700_000_000 + i as i64 * 86_400,
                        offset_minutes: 60,
                    },
                    author: if i % 2 == 0 { "Ada" } else { "Lee" }.into(),
                    email: if i % 2 == 0 { "ada@x" } else { "lee@x" }.into(),
                    summary: format!("commit {i}"),
                }),
                time: i as i64,
                generation: i as u32 + 1,
                parents: i.checked_sub(1).map(|p| p as u32).into_iter().collect(),
            })
            .collect();
        Walk {
            commits,
            ..Walk::default()
        }
    }

    fn history(walk: &Walk) -> DocumentHistory {
        let c = |i: usize| Arc::clone(&walk.commits[i].info);
        let day = |d: &str| Date::parse(d).unwrap();
        DocumentHistory {
            state: DocumentState::Committed,
            commits: vec![c(3), c(2), c(0)],
            authors: vec![
                AuthorStats {
                    name: "Ada".into(),
                    email: "ada@x".into(),
                    commits: 2,
                },
                AuthorStats {
                    name: "Lee".into(),
                    email: "lee@x".into(),
                    commits: 1,
                },
            ],
            renamed_from: vec!["pilots/old.md".into()],
            status_changes: vec![StatusChange {
                from: Some("proposed".into()),
                to: "running".into(),
                commit: c(2),
                reached_main: c(3),
            }],
            target_changes: vec![TargetChange {
                metric: "accuracy".into(),
                from: None,
                to: Some(">= 90%".into()),
                commit: c(0),
                reached_main: c(0),
            }],
            actual_changes: Vec::new(),
            milestone_changes: vec![MilestoneChange {
                milestone: "pilot".into(),
                from: Some(day("2026-03-01")),
                to: Some(day("2026-05-01")),
                commit: c(2),
                reached_main: c(2),
            }],
            milestone_slips: vec![MilestoneSlip {
                milestone: "pilot".into(),
                from: day("2026-03-01"),
                to: day("2026-05-01"),
                commit: c(2),
                reached_main: c(2),
            }],
            owner_changes: vec![FieldChange {
                from: None,
                to: Some("ada".into()),
                commit: c(0),
                reached_main: c(0),
            }],
            started_changes: Vec::new(),
        }
    }

    /// Kept and restored through postcard, a history is the same, shares
    /// the walk's commits, and takes the state it is given.
    #[test]
    fn a_kept_history_is_restored_as_it_was() {
        let walk = walk(4);
        let original = history(&walk);
        let path = "pilots/a.md".to_string();
        let kept = Kept::keep("head", &walk, [(&path, &original)].into_iter());
        let bytes = postcard::to_stdvec(&kept).unwrap();
        let kept: Kept = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(kept.head, "head");
        let restored = kept.documents[&path].restore(&walk, DocumentState::Committed);
        assert_eq!(restored.as_ref(), Some(&original));
        let restored = restored.unwrap();
        assert!(Arc::ptr_eq(&restored.commits[0], &walk.commits[3].info));
        let modified = kept.documents[&path].restore(&walk, DocumentState::Modified);
        assert_eq!(modified.map(|h| h.state), Some(DocumentState::Modified));
    }

    /// An entry naming a commit past the walk, or a date no calendar has,
    /// is not restored: the document is read again.
    #[test]
    fn a_forged_entry_is_not_restored() {
        let walk = walk(4);
        let path = "pilots/a.md".to_string();
        let kept = Kept::keep("head", &walk, [(&path, &history(&walk))].into_iter());
        let entry = &kept.documents[&path];
        let shorter = self::walk(3);
        assert_eq!(entry.restore(&shorter, DocumentState::Committed), None);
        let mut bad =
            postcard::from_bytes::<KeptHistory>(&postcard::to_stdvec(entry).unwrap()).unwrap();
        bad.milestone_changes[0].1 = Some(i64::MAX);
        assert_eq!(bad.restore(&walk, DocumentState::Committed), None);
        bad.milestone_changes.clear();
        bad.status_changes[0].2 = (1, u32::MAX);
        assert_eq!(bad.restore(&walk, DocumentState::Committed), None);
    }

    /// Uncommitted documents are not kept; a history naming a commit that
    /// is not the walk's (never the case for one just built) is left out.
    #[test]
    fn only_histories_over_the_walk_are_kept() {
        let walk = walk(4);
        let (a, b) = ("a.md".to_string(), "b.md".to_string());
        let mut foreign = history(&walk);
        foreign.commits[0] = Arc::new((*foreign.commits[0]).clone());
        let uncommitted = DocumentHistory::uncommitted();
        let kept = Kept::keep("h", &walk, [(&a, &foreign), (&b, &uncommitted)].into_iter());
        assert!(kept.documents.is_empty());
    }
}
