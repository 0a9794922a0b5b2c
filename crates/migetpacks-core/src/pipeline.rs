//! The whole pure pipeline: settings + source folder → detection → version → plan → Dockerfile.
//!
//! This is the one place that runs the stages in order; the CLI's commands and embedders call
//! these functions rather than the stages themselves.

use crate::detect::{detect, DetectError, Detection};
use crate::error::Error;
use crate::plan::BuildPlan;
use crate::providers::{common::assemble, provider, Context, PlanError};
use crate::settings::Settings;
use crate::source::SourceTree;
use crate::version::{resolve, AdditionalVersion, Version};
use serde::Serialize;

/// The effective source folder: the source folder joined with `PROJECT_PATH`.
pub fn effective_tree(settings: &Settings, source: &SourceTree) -> Result<SourceTree, Error> {
    Ok(crate::detect::effective_tree(settings, source)?)
}

/// Detection and version of the effective source folder.
pub fn analyse(settings: &Settings, tree: &SourceTree) -> Result<(Detection, Version), Error> {
    let detection = detect(settings, tree)?;
    let version = resolve(detection.language, settings, tree)?;
    Ok((detection, version))
}

/// Detection and versions together: what `migetpacks detect` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Analysis {
    /// `PROJECT_PATH`, when the app lives in a sub-folder.
    pub project_path: Option<String>,
    /// The language decision.
    pub detection: Detection,
    /// The primary language's version (`None` for Dockerfile and compose builds).
    pub version: Option<Version>,
    /// The version of each additional runtime, in [`Detection::additional`] order.
    pub additional_versions: Vec<AdditionalVersion>,
}

/// Apply `PROJECT_PATH` to `root`, detect, and resolve every version.
///
/// ```
/// use migetpacks_core::{pipeline::analyze, settings::{EnvMap, Settings}, source::SourceTree};
/// let mut env = EnvMap::new();
/// env.insert("PROJECT_PATH".into(), "apps/api".into());
/// let s = Settings::from_env(&env).unwrap();
/// let t = SourceTree::in_memory([("apps/api/go.mod", "module x\n\ngo 1.19\n")]);
/// let a = analyze(&s, &t).unwrap();
/// assert_eq!(a.version.unwrap().value, "1.19");
/// ```
pub fn analyze(settings: &Settings, root: &SourceTree) -> Result<Analysis, DetectError> {
    let tree = crate::detect::effective_tree(settings, root)?;
    let detection = detect(settings, &tree)?;
    let version = if detection.language.is_generated() {
        Some(resolve(detection.language, settings, &tree)?)
    } else {
        None
    };
    let additional_versions = additional_versions(&detection, settings, &tree)?;
    Ok(Analysis {
        project_path: settings.project_path.clone(),
        detection,
        version,
        additional_versions,
    })
}

/// Resolve the version of each additional runtime of `detection`, in order (docs/detection.md:
/// the same version sources as for a primary language).
pub fn additional_versions(
    detection: &Detection,
    settings: &Settings,
    tree: &SourceTree,
) -> Result<Vec<AdditionalVersion>, DetectError> {
    detection
        .additional
        .iter()
        .map(|&language| {
            resolve(language, settings, tree).map(|version| AdditionalVersion { language, version })
        })
        .collect()
}

/// Detect the language of the effective source folder (the first stage alone: the CLI's build
/// command reports it before deciding how to build).
pub fn detect_language(settings: &Settings, tree: &SourceTree) -> Result<Detection, Error> {
    Ok(detect(settings, tree)?)
}

/// Resolve the primary language's version of a detection.
pub fn version_of(
    detection: &Detection,
    settings: &Settings,
    tree: &SourceTree,
) -> Result<Version, Error> {
    Ok(resolve(detection.language, settings, tree)?)
}

/// A plan and its rendered Dockerfile.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Detection result.
    pub detection: Detection,
    /// The plan.
    pub plan: BuildPlan,
    /// The Dockerfile text.
    pub dockerfile: String,
}

/// Plan and render the Dockerfile for an effective source folder.
///
/// ```
/// use migetpacks_core::{pipeline::generate, settings::{EnvMap, Settings}, source::SourceTree};
/// let tree = SourceTree::in_memory([
///     ("requirements.txt", "six==1.16.0\n"),
///     ("app.py", "print('hi')\n"),
///     (".python-version", "3.11\n"),
/// ]);
/// let mut env = EnvMap::new();
/// env.insert("DOCKERFILE_SYNTAX".into(), "".into());
/// let out = generate(&Settings::from_env(&env).unwrap(), &tree).unwrap();
/// assert!(out.dockerfile.contains("FROM python:3.11 AS builder"));
/// assert!(out.dockerfile.contains("RUN pip install --no-cache-dir -r requirements.txt"));
/// ```
pub fn generate(settings: &Settings, tree: &SourceTree) -> Result<Generated, Error> {
    let (detection, version) = analyse(settings, tree)?;
    generate_with(settings, tree, detection, version)
}

/// Plan and render with a detection and version already made.
pub fn generate_with(
    settings: &Settings,
    tree: &SourceTree,
    detection: Detection,
    version: Version,
) -> Result<Generated, Error> {
    let p = provider(detection.language).ok_or(PlanError::NotGenerated(detection.language))?;
    let additional = additional_versions(&detection, settings, tree)?;
    let cx = Context {
        settings,
        tree,
        detection: &detection,
        version: &version,
        additional: &additional,
    };
    let lp = p.plan(&cx)?;
    let plan = assemble(&cx, p, lp)?;
    let dockerfile = crate::render::render(&plan)?;
    Ok(Generated {
        detection,
        plan,
        dockerfile,
    })
}
