//! Version detection and normalisation (docs/detection.md).
//!
//! [`resolve`] walks the version sources of a language in priority order (the `*_VERSION`
//! override from [`Settings::version_overrides`], then version files, then manifests) and takes
//! the first non-empty one. Empty version files count as absent (docs/differences.md). The value
//! is normalised as the language requires and must be a usable image tag; if it is not
//! (`<22`, `${java.version}`, `stable`), the language default is used and a warning names the
//! file or variable the bad value came from.

// `first!` and `re!` come from the crate root (lib.rs).

pub(crate) mod jvm;
pub mod normalize;
pub(crate) mod sources;
pub(crate) mod toolfiles;
pub(crate) mod xml;

pub use sources::{Found, VersionSources};

use crate::detect::DetectError;
use crate::language::Language;
use crate::settings::Settings;
use crate::source::SourceTree;
use serde::Serialize;

/// A resolved language version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The value used in image tags (`22.16.0`, `3.12`, `21`).
    pub value: String,
    /// Where it came from: a variable (`NODE_VERSION`), a file (`.nvmrc`,
    /// `package.json engines.node`), or `default`.
    pub source: String,
    /// The raw text before normalisation (`None` for the default).
    pub raw: Option<String>,
    /// Warnings (unusable value fell back to the default, …).
    pub warnings: Vec<String>,
}

/// The version of one additional runtime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdditionalVersion {
    /// The runtime.
    pub language: Language,
    /// Its version.
    pub version: Version,
}

/// How a raw value from a source becomes a tag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Used as written (a leading `v` before a digit is dropped).
    Verbatim,
    /// [`normalize::normalize`].
    Norm,
    /// [`normalize::normalize_node`].
    Node,
    /// Strip a leading `ruby-`, then [`normalize::normalize`].
    Ruby,
    /// [`java_major`].
    JavaMajor,
    /// [`dotnet_channel`].
    Dotnet,
}

impl Transform {
    fn apply(self, raw: &str) -> String {
        let raw = raw.trim();
        match self {
            Transform::Verbatim => match raw.strip_prefix('v') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest.to_string(),
                _ => raw.to_string(),
            },
            Transform::Norm => normalize::normalize(raw),
            Transform::Node => normalize::normalize_node(raw),
            Transform::Ruby => normalize::normalize(raw.strip_prefix("ruby-").unwrap_or(raw)),
            Transform::JavaMajor => java_major(raw).unwrap_or_default(),
            Transform::Dotnet => dotnet_channel(raw).unwrap_or_default(),
        }
    }
}

/// A raw value found in one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The variable or file (with the field, e.g. `package.json engines.node`).
    pub source: String,
    /// The text as read.
    pub raw: String,
    /// How it becomes a tag.
    pub transform: Transform,
}

/// Resolve the version of `lang` for `tree` (the effective source folder, see
/// [`crate::detect::effective_tree`]).
///
/// `Dockerfile` and `Compose` have no version: the result is an empty value with source
/// `none`.
///
/// ```
/// use migetpacks_core::{language::Language, settings::{EnvMap, Settings}, source::SourceTree};
/// use migetpacks_core::version::resolve;
/// let s = Settings::from_env(&EnvMap::new()).unwrap();
/// let t = SourceTree::in_memory([(".nvmrc", "lts/iron\n"), ("package.json", "{}")]);
/// let v = resolve(Language::Nodejs, &s, &t).unwrap();
/// assert_eq!((v.value.as_str(), v.source.as_str()), ("20", ".nvmrc"));
/// ```
pub fn resolve(
    lang: Language,
    settings: &Settings,
    tree: &SourceTree,
) -> Result<Version, DetectError> {
    if !lang.is_generated() {
        return Ok(Version {
            value: String::new(),
            source: "none".into(),
            raw: None,
            warnings: Vec::new(),
        });
    }
    let default = default_version(lang);
    let Some(c) = sources::find(lang, settings, tree)? else {
        return Ok(Version {
            value: default.to_string(),
            source: "default".into(),
            raw: None,
            warnings: Vec::new(),
        });
    };
    let value = c.transform.apply(&c.raw);
    // rustup's `stable` channel is also a tag of the Rust images (`rust:stable`): passed
    // through. `nightly`, `beta` and dated channels are not, and fall back below with a warning
    // (docs/detection.md).
    let rust_stable = lang == Language::Rust && value == "stable";
    if is_valid_version(&value) || rust_stable {
        return Ok(Version {
            value,
            source: c.source,
            raw: Some(c.raw),
            warnings: Vec::new(),
        });
    }
    let warning = format!(
        "{}: {:?} is not a usable {} version; using the default {default}",
        c.source,
        c.raw,
        lang.display_name()
    );
    Ok(Version {
        value: default.to_string(),
        source: "default".into(),
        raw: Some(c.raw),
        warnings: vec![warning],
    })
}

/// The default version of each language (empty for Dockerfile and compose), from its
/// [`crate::language::LanguageSpec`].
pub fn default_version(lang: Language) -> &'static str {
    lang.default_version()
}

/// True for a valid Docker tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`).
///
/// ```
/// use migetpacks_core::version::is_valid_tag;
/// assert!(is_valid_tag("22.16.0") && is_valid_tag("1.17.3-otp-27"));
/// assert!(!is_valid_tag("") && !is_valid_tag("lts/*") && !is_valid_tag(".5"));
/// ```
pub fn is_valid_tag(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    !b.is_empty()
        && b.len() <= 128
        && ok(b[0])
        && b[1..].iter().all(|&c| ok(c) || c == b'.' || c == b'-')
}

/// A usable version: a valid Docker tag that starts with a digit. Every official language
/// image is tagged by version number, so `stable`, `system` or `latest` cannot name one.
pub fn is_valid_version(s: &str) -> bool {
    is_valid_tag(s) && s.starts_with(|c: char| c.is_ascii_digit())
}

/// The Java major version used in image tags: a leading `1.` is dropped, then the leading
/// number is kept (`1.8` → `8`, `17.0.2` → `17`, `21` → `21`, `11.0.2+9` → `11`).
///
/// This is the one rule for every JVM language (docs/differences.md): Kotlin, Scala and Clojure
/// providers get their JDK with `resolve(Language::Java, …)`, which ends in this function.
///
/// ```
/// use migetpacks_core::version::java_major;
/// assert_eq!(java_major("1.8").as_deref(), Some("8"));
/// assert_eq!(java_major("17.0.2").as_deref(), Some("17"));
/// assert_eq!(java_major("${java.version}"), None);
/// ```
pub fn java_major(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = match s.strip_prefix("1.") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => s,
    };
    let major: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    if major.is_empty() || major.trim_start_matches('0').is_empty() {
        None
    } else {
        Some(major)
    }
}

/// The .NET channel (`major.minor`) of an SDK version, target framework or channel:
/// `8.0.100` → `8.0`, `net8.0-windows` → `8.0`, `9` → `9.0` (docs/differences.md: the runtime
/// images are tagged by channel, not by SDK version).
///
/// ```
/// use migetpacks_core::version::dotnet_channel;
/// assert_eq!(dotnet_channel("8.0.100").as_deref(), Some("8.0"));
/// assert_eq!(dotnet_channel("net9.0").as_deref(), Some("9.0"));
/// assert_eq!(dotnet_channel("netstandard2.0"), None);
/// assert_eq!(dotnet_channel("net48"), None);
/// ```
pub fn dotnet_channel(raw: &str) -> Option<String> {
    let s = raw.trim();
    // A target framework needs its dot: `net48` is .NET Framework 4.8, not .NET 48.
    let (s, is_tfm) = match s.strip_prefix("net") {
        Some(rest) => (rest, true),
        None => (s, false),
    };
    let mut parts = s.split('.');
    let major = parts.next().filter(|p| is_number(p))?;
    let minor = match parts.next() {
        None if is_tfm => return None,
        None => "0".to_string(),
        Some(p) => p.chars().take_while(|c| c.is_ascii_digit()).collect(),
    };
    if minor.is_empty() {
        return None;
    }
    Some(format!("{major}.{minor}"))
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The first meaningful line of a version file (docs/detection.md): lines starting with `#`
/// and blank lines are skipped, whitespace is removed. Empty when there is none.
pub fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
