//! One module per command: each turns its arguments into a library call and
//! prints the result. No command holds logic the library could.

pub mod check;
pub mod export;

use pilotbook::Project;

/// Load the project at the context's root; every error names its file.
pub fn load(ctx: &crate::cli::Context) -> anyhow::Result<Project> {
    Ok(Project::load(&ctx.root, ctx.config.as_deref())?)
}

/// Today's date: `PILOTBOOK_TODAY` (YYYY-MM-DD) when set, for reproducible
/// runs and tests, else the system clock in UTC.
pub fn today() -> anyhow::Result<pilotbook::model::Date> {
    match std::env::var("PILOTBOOK_TODAY") {
        Ok(value) if !value.is_empty() => pilotbook::model::Date::parse(&value)
            .map_err(|e| anyhow::anyhow!("PILOTBOOK_TODAY: {e}")),
        _ => Ok(pilotbook::model::Date::today_utc()),
    }
}
