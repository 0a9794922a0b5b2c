//! One provider per language. A provider reads the source folder and says what its build
//! needs; [`common::assemble`] wraps that in the parts every Dockerfile shares (header, build
//! args, user, port, start command), so no provider repeats them.

pub mod binary;
pub mod bun;
pub mod clojure;
pub mod common;
pub mod deno;
pub mod dhi;
pub mod dotnet;
pub mod elixir;
pub mod files;
pub mod go;
pub mod java;
pub mod jvm;
pub mod kotlin;
pub mod multi;
pub mod nodejs;
pub mod php;
pub mod python;
pub mod ruby;
pub mod rust;
pub mod scala;

use crate::detect::{DetectError, Detection};
use crate::language::Language;
use crate::mounts::{mount, CacheKind, CacheMount};
use crate::plan::Step;
use crate::settings::Settings;
use crate::source::{SourceError, SourceTree};
use crate::version::{AdditionalVersion, Found, Transform, Version, VersionSources};

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Reading the source failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A manifest is malformed.
    #[error("{path}: {reason}")]
    Manifest {
        /// File.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The Procfile is malformed.
    #[error(transparent)]
    Procfile(#[from] crate::procfile::ProcfileError),
    /// A setting cannot be honoured for this language.
    #[error("{var}: {reason}")]
    Setting {
        /// Variable.
        var: String,
        /// Why.
        reason: String,
    },
    /// The language has no provider (Dockerfile/compose are built as they are).
    #[error("{0} does not generate a Dockerfile")]
    NotGenerated(Language),
    /// An additional runtime (multi-buildpack) that cannot be copied into the build.
    #[error("BUILDPACKS (or app.json buildpacks): {language} is not supported as an additional runtime beside {primary}; supported additional runtimes: {}", multi::SUPPORTED.map(|l| l.id()).join(", "))]
    UnsupportedAdditional {
        /// The additional runtime.
        language: Language,
        /// The primary language.
        primary: Language,
    },
    /// An additional runtime's version cannot be used to lay out its files.
    #[error(
        "{source_name}: additional {language} runtime needs a major.minor version, got {value:?}"
    )]
    AdditionalVersion {
        /// The additional runtime.
        language: Language,
        /// Where the version came from (variable or file).
        source_name: String,
        /// The version.
        value: String,
    },
    /// The rendered Dockerfile would be unsafe.
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
}

/// Everything a provider may look at.
pub struct Context<'a> {
    /// Settings.
    pub settings: &'a Settings,
    /// The effective source folder.
    pub tree: &'a SourceTree,
    /// Detection result.
    pub detection: &'a Detection,
    /// Resolved version of the primary language.
    pub version: &'a Version,
    /// Additional runtimes (multi-buildpack) with their resolved versions, in
    /// [`Detection::additional`] order; [`multi`] weaves them into the plan.
    pub additional: &'a [AdditionalVersion],
}

impl Context<'_> {
    /// True when `path` is a file in the source folder.
    pub fn has(&self, path: &str) -> bool {
        self.tree.is_file(path)
    }

    /// The files of `candidates` that exist, in the given order.
    pub fn existing(&self, candidates: &[&str]) -> Vec<String> {
        candidates
            .iter()
            .filter(|c| self.has(c))
            .map(|c| c.to_string())
            .collect()
    }

    /// Read a text file (`None` when absent).
    pub fn read(&self, path: &str) -> Result<Option<String>, PlanError> {
        Ok(self.tree.read(path)?)
    }

    /// Cache mounts for these kinds, or none when `BUILD_CACHE_DIR` is unset.
    pub fn mounts(&self, kinds: &[CacheKind]) -> Vec<CacheMount> {
        if !self.settings.cache_mounts() {
            return Vec::new();
        }
        kinds
            .iter()
            .map(|k| mount(*k, self.settings.cache_key.as_deref()))
            .collect()
    }

    /// True when hardened (DHI) images are used for this language: `USE_DHI` is set and the
    /// language has hardened images ([`Language::has_hardened_images`]).
    pub fn hardened(&self) -> bool {
        self.settings.use_dhi && self.detection.language.has_hardened_images()
    }
}

/// What a language contributes to the Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct LanguagePlan {
    /// Package manager or build tool (`npm`, `pip` …).
    pub package_manager: Option<String>,
    /// The version in the image tags when the provider had to change the detected one (a
    /// hardened-image floor); `None` keeps the detected version.
    pub version: Option<String>,
    /// Builder image before mirror rewriting.
    pub build_image: String,
    /// Runtime image before mirror rewriting.
    pub runtime_image: String,
    /// Builder steps after `WORKDIR /build` and the build args/env.
    pub builder: Vec<Step>,
    /// Runtime steps after the user and `WORKDIR /app`.
    pub runtime: Vec<Step>,
    /// Runtime user for hardened images (`nonroot`, `node`); official images use uid 1000.
    pub hardened_user: Option<String>,
    /// The language's default start command.
    pub default_command: String,
    /// The runtime image has no shell: start with exec form, no `sh -c`.
    pub no_shell: bool,
    /// Start with `ENTRYPOINT` instead of `CMD` (images whose entrypoint is not a shell).
    pub entrypoint: bool,
    /// Things the user should know.
    pub warnings: Vec<String>,
    /// Informational lines.
    pub notes: Vec<String>,
}

/// A detector match: the evidence lines (`"go.mod: present"`), or `None` when the folder does
/// not look like this language.
pub type Detected = Result<Option<Vec<String>>, DetectError>;

/// The first of `files` that is a file in `tree`, as a detector match.
fn any_present(tree: &SourceTree, files: &[&str]) -> Detected {
    Ok(files
        .iter()
        .find(|f| tree.is_file(f))
        .map(|f| vec![present(f)]))
}

/// The evidence line of a marker file.
fn present(file: &str) -> String {
    format!("{file}: present")
}

/// A language: how to recognise it, where its version comes from, and its Dockerfile.
///
/// Its static facts (id, names, version variable, default version, hardened images) are its
/// row in [`crate::language::SPECS`].
pub trait Provider: Sync {
    /// The language this provider builds.
    fn language(&self) -> Language;

    /// Does `tree` look like this language? The detector asks every provider in
    /// [`PROVIDERS`] order and takes the first match.
    fn detect(&self, tree: &SourceTree) -> Detected;

    /// The first of this language's version sources that holds a value, in priority order
    /// (the `*_VERSION` override first); `None` means the default version.
    fn version_source(&self, sources: &VersionSources) -> Found;

    /// The language-specific part of the plan.
    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError>;

    /// Rewrite a start command for this language's image layout (e.g. Rust's
    /// `target/release/x` is `./app` in the image). Default: unchanged.
    fn translate_command(&self, _cx: &Context, command: &str) -> String {
        command.to_string()
    }
}

/// Every provider, in detection order: the first whose [`Provider::detect`] matches decides.
pub static PROVIDERS: &[&dyn Provider] = &[
    &deno::Deno,
    &ruby::Ruby,
    &python::Python,
    &go::Go,
    &rust::Rust,
    &elixir::Elixir,
    &scala::Scala,
    &clojure::Clojure,
    &kotlin::Kotlin,
    &java::Java,
    &php::Php,
    &dotnet::Dotnet,
    &bun::Bun,
    &nodejs::Nodejs,
];

/// The provider for a language.
pub fn provider(lang: Language) -> Option<&'static dyn Provider> {
    PROVIDERS.iter().copied().find(|p| p.language() == lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{EnvMap, Settings};

    /// Every language that generates a Dockerfile has a provider, a version variable that the
    /// provider's version source reads first, and a default version; the provider list holds
    /// each language once, in [`Language::ALL`] (detection) order.
    #[test]
    fn every_language_has_provider_version_source_and_variable() {
        let generated: Vec<_> = Language::ALL
            .into_iter()
            .filter(|l| l.is_generated())
            .collect();
        let listed: Vec<_> = PROVIDERS.iter().map(|p| p.language()).collect();
        assert_eq!(listed, generated);
        for lang in generated {
            let p = provider(lang).expect("provider");
            let var = lang.version_var().expect("version variable");
            assert!(!lang.default_version().is_empty(), "{lang}");
            let mut env = EnvMap::new();
            env.insert(var.to_string(), "9.9".to_string());
            let settings = Settings::from_env(&env).unwrap();
            let tree = SourceTree::in_memory([("README.md", "")]);
            let found = p
                .version_source(&VersionSources {
                    lang,
                    settings: &settings,
                    tree: &tree,
                })
                .unwrap()
                .unwrap_or_else(|| panic!("{lang}: {var} is not a version source"));
            assert_eq!(found.source, var, "{lang}");
            assert_eq!(
                p.detect(&tree).unwrap(),
                None,
                "{lang} matches an empty folder"
            );
        }
    }
}
