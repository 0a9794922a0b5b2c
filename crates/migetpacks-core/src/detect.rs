//! Language detection: overrides, detector order, package managers, buildpacks.

use crate::language::Language;
use crate::settings::Settings;
use crate::source::{SourceError, SourceTree};
use serde::Serialize;

/// Package managers and build tools the generators distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    /// npm.
    Npm,
    /// Yarn (classic or berry).
    Yarn,
    /// pnpm.
    Pnpm,
    /// Bun's own installer.
    Bun,
}

/// Why detection failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// No marker matched.
    #[error("Unable to detect language. Please set LANGUAGE environment variable.")]
    NoLanguage,
    /// Reading a marker failed.
    #[error(transparent)]
    Source(#[from] SourceError),
}

/// The outcome of detection, with the evidence for each decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The primary language.
    pub language: Language,
    /// Display name as migetpacks prints it (`Node.js (yarn)`, `Java (Maven)`).
    pub display_name: String,
    /// Node/Bun package manager, when relevant.
    pub package_manager: Option<PackageManager>,
    /// Additional buildpacks (multi-buildpack), in order.
    pub additional: Vec<Language>,
    /// Next.js standalone output configured.
    pub next_standalone: bool,
    /// Which file or variable decided each thing.
    pub evidence: Vec<String>,
    /// Non-fatal findings (multiple lockfiles, …).
    pub warnings: Vec<String>,
}

/// Detect the language of `tree` under `settings`.
pub fn detect(_settings: &Settings, _tree: &SourceTree) -> Result<Detection, DetectError> {
    Err(DetectError::NoLanguage)
}
