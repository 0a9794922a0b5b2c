//! Version detection and normalisation.

use crate::language::Language;
use crate::settings::Settings;
use crate::source::{SourceError, SourceTree};
use serde::Serialize;

/// A resolved language version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The value used in image tags (`22.16.0`, `3.12`, `21`).
    pub value: String,
    /// Where it came from: a variable (`NODE_VERSION`), a file (`.nvmrc`), or `default`.
    pub source: String,
    /// The raw text before normalisation.
    pub raw: Option<String>,
    /// Warnings (unusable value fell back to the default, …).
    pub warnings: Vec<String>,
}

/// Resolve the version of `lang` for `tree`.
pub fn resolve(
    lang: Language,
    _settings: &Settings,
    _tree: &SourceTree,
) -> Result<Version, SourceError> {
    Ok(Version {
        value: default_version(lang).to_string(),
        source: "default".into(),
        raw: None,
        warnings: Vec::new(),
    })
}

/// The default version of each language.
pub fn default_version(lang: Language) -> &'static str {
    match lang {
        Language::Nodejs => "22.16.0",
        Language::Bun => "1.3.4",
        Language::Deno => "2.6.1",
        Language::Ruby => "3.4.4",
        Language::Python => "3.12.8",
        Language::Go => "1.25.0",
        Language::Rust => "1.92.0",
        Language::Php => "8.3",
        Language::Java => "21",
        Language::Dotnet => "8.0",
        Language::Elixir => "1.18.4",
        Language::Scala => "3.5.2",
        Language::Clojure => "1.11.1",
        Language::Kotlin => "2.1.0",
        Language::Dockerfile | Language::Compose => "",
    }
}
