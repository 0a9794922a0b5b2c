//! The whole pure pipeline: settings + source folder → detection → version → plan → Dockerfile.

use crate::detect::{additional_versions, detect, Detection};
use crate::error::Error;
use crate::plan::BuildPlan;
use crate::providers::{common::assemble, provider, Context, PlanError};
use crate::settings::Settings;
use crate::source::SourceTree;
use crate::version::{resolve, Version};

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
    let mut plan = assemble(&cx, p, lp)?;
    // Searches the plan made that stopped at a listing cap (detection reported its own).
    for note in tree.capped_searches() {
        if !cx.detection.evidence.contains(&note) && !plan.notes.contains(&note) {
            plan.notes.push(note);
        }
    }
    let dockerfile = crate::render::render(&plan)?;
    Ok(Generated {
        detection,
        plan,
        dockerfile,
    })
}
