//! The reading rules every provider's version sources share (see
//! [`crate::providers::Provider::version_source`]): a `*_VERSION` override, a single-value
//! version file, a line of a file, a TOML key, a `package.json` field.
//!
//! Empty files and values fall through to the next source; manifests are parsed (JSON/TOML)
//! instead of grepped, so repeated keys are not concatenated (see docs/detection.md).

use super::{first_line, Candidate, Transform};
use crate::detect::{node::read_package_json, DetectError};
use crate::language::Language;
use crate::settings::Settings;
use crate::source::SourceTree;
use regex::Regex;

/// The outcome of one version source: the candidate it found, if any.
pub type Found = Result<Option<Candidate>, DetectError>;

/// What a language's version sources read: its override variable and the source folder.
pub struct VersionSources<'a> {
    /// The language whose version is resolved.
    pub lang: Language,
    /// Settings (the `*_VERSION` overrides).
    pub settings: &'a Settings,
    /// The effective source folder.
    pub tree: &'a SourceTree,
}

pub(crate) fn cand(
    source: impl Into<String>,
    raw: impl Into<String>,
    transform: Transform,
) -> Candidate {
    Candidate {
        source: source.into(),
        raw: raw.into(),
        transform,
    }
}

pub(crate) fn non_empty(source: &str, raw: &str, t: Transform) -> Option<Candidate> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| cand(source, raw, t))
}

pub(crate) fn manifest(path: &str, reason: impl std::fmt::Display) -> DetectError {
    DetectError::Manifest {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

impl VersionSources<'_> {
    /// The `*_VERSION` override of this language.
    pub fn env(&self, t: Transform) -> Found {
        let var = self.lang.version_var();
        Ok(
            match (var, self.settings.version_overrides.get(&self.lang)) {
                (Some(var), Some(v)) => non_empty(var, v, t),
                _ => None,
            },
        )
    }

    /// Read a text file (`None` when absent).
    pub fn read(&self, path: &str) -> Result<Option<String>, DetectError> {
        Ok(self.tree.read(path)?)
    }

    /// A single-value version file, first meaningful line (see [`first_line`]).
    pub fn version_file(&self, path: &str, t: Transform) -> Found {
        Ok(self
            .read(path)?
            .and_then(|text| non_empty(path, &first_line(&text), t)))
    }

    /// The first capture of the first line of `path` matching `re`.
    pub fn line(&self, path: &str, re: &Regex, label: &str, t: Transform) -> Found {
        let Some(text) = self.read(path)? else {
            return Ok(None);
        };
        Ok(text
            .lines()
            .find_map(|l| re.captures(l).and_then(|c| c.get(1)))
            .and_then(|m| non_empty(label, m.as_str(), t)))
    }

    /// Parse a TOML file (`None` when absent).
    pub fn toml(&self, path: &str) -> Result<Option<toml::Value>, DetectError> {
        match self.read(path)? {
            None => Ok(None),
            Some(text) => text.parse::<toml::Value>().map(Some).map_err(|e| {
                manifest(
                    path,
                    format!("not valid TOML: {}", e.message().trim().replace('\n', ": ")),
                )
            }),
        }
    }

    /// A string at `keys` in a TOML file.
    pub fn toml_str(&self, path: &str, keys: &[&str], t: Transform) -> Found {
        let Some(doc) = self.toml(path)? else {
            return Ok(None);
        };
        let mut v = &doc;
        for k in keys {
            match v.get(k) {
                Some(next) => v = next,
                None => return Ok(None),
            }
        }
        Ok(v.as_str()
            .and_then(|s| non_empty(&format!("{path} {}", keys.join(".")), s, t)))
    }

    /// A string at `keys` in `package.json`.
    pub fn package_json_str(&self, keys: &[&str], t: Transform) -> Found {
        let Some(pkg) = read_package_json(self.tree)? else {
            return Ok(None);
        };
        let mut v = &pkg;
        for k in keys {
            match v.get(k) {
                Some(next) => v = next,
                None => return Ok(None),
            }
        }
        Ok(v.as_str()
            .and_then(|s| non_empty(&format!("package.json {}", keys.join(".")), s, t)))
    }
}

/// The first version source of `lang` with a value, or `None` (use the default): the
/// language's provider decides; Dockerfile and compose builds have no version.
pub(crate) fn find(
    lang: Language,
    settings: &Settings,
    tree: &SourceTree,
) -> Result<Option<Candidate>, DetectError> {
    let Some(provider) = crate::providers::provider(lang) else {
        return Ok(None);
    };
    provider.version_source(&VersionSources {
        lang,
        settings,
        tree,
    })
}
