//! An export source: a `pilotbook export` file read back into documents
//! and histories (`pilotbook_core::import`).

use crate::Error;
use crate::source::Source;
use pilotbook_core::config::{Config, SourceConfig};

/// PLACEHOLDER until import lands.
pub(crate) fn load<S: Source>(
    _portfolio: &S,
    source: &SourceConfig,
    _file: &str,
    _config: &Config,
) -> Result<crate::sources::Loaded, Error> {
    Err(Error::Source {
        name: source.name.clone(),
        message: "export sources are not read yet".into(),
    })
}
