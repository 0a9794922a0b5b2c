//! Cache settings (placeholder shape; the cache module owner replaces this file).

use crate::settings::EnvMap;

/// A bad cache variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// Placeholder.
    #[error("{var}: {reason}")]
    Invalid {
        /// Variable.
        var: String,
        /// Why.
        reason: String,
    },
}

/// Typed cache settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheSettings {}

impl CacheSettings {
    /// Parse from the environment.
    pub fn from_env(_env: &EnvMap) -> Result<CacheSettings, CacheError> {
        Ok(CacheSettings {})
    }
}
