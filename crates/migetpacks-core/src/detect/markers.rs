//! The detector: an explicit `DOCKERFILE_PATH`/`COMPOSE_FILE`, then each provider's markers in
//! [`PROVIDERS`] order (first match wins), then a `Dockerfile`, then a compose file.
//!
//! Deliberate differences from the original tool (see docs/detection.md):
//! - `DOCKERFILE_PATH`/`COMPOSE_FILE` resolve inside the source folder only, and a set value
//!   that names no file is an error, not a fallback to default-named files;
//! - a `project/` folder means Scala only with sbt content in it (`build.properties`, `*.sbt`,
//!   `*.scala`), not any folder called `project`;
//! - Node.js needs `package.json`; a lockfile alone is reported as a missing package.json
//!   (the generated `COPY package.json` would fail);
//! - a default-named compose file is used as the very last resort (after a `Dockerfile`), where
//!   the original failed with "Unable to detect language";
//! - the `*.kt` search under `src/` and the .NET project search are depth-bounded.

use super::{DetectError, PackageManager};
use crate::language::Language;
use crate::providers::PROVIDERS;
use crate::settings::Settings;
use crate::source::SourceTree;

/// Default compose file names, in the order they are tried.
pub const COMPOSE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// A detector match.
pub(super) struct Match {
    pub language: Language,
    pub evidence: Vec<String>,
    pub dockerfile: Option<String>,
    pub compose_file: Option<String>,
}

impl Match {
    fn lang(language: Language, evidence: String) -> Match {
        Match {
            language,
            evidence: vec![evidence],
            dockerfile: None,
            compose_file: None,
        }
    }
}

fn present(file: &str) -> String {
    format!("{file}: present")
}

/// The first of `files` that is a file in `tree`.
fn any_file<'a>(tree: &SourceTree, files: &[&'a str]) -> Option<&'a str> {
    files.iter().copied().find(|f| tree.is_file(f))
}

/// Run the detector.
pub(super) fn detect(settings: &Settings, tree: &SourceTree) -> Result<Match, DetectError> {
    // 0a / 0b: an explicit DOCKERFILE_PATH or COMPOSE_FILE decides.
    if let Some(path) = &settings.dockerfile_path {
        let file = explicit_file(tree, "DOCKERFILE_PATH", path)?;
        let mut m = Match::lang(Language::Dockerfile, format!("DOCKERFILE_PATH={path}"));
        m.dockerfile = Some(file);
        return Ok(m);
    }
    if let Some(path) = &settings.compose_file {
        let file = explicit_file(tree, "COMPOSE_FILE", path)?;
        let mut m = Match::lang(Language::Compose, format!("COMPOSE_FILE={path}"));
        m.compose_file = Some(file);
        return Ok(m);
    }
    if let Some(m) = language_markers(tree)? {
        return Ok(m);
    }
    // 16: a Dockerfile when no language matched; then a compose file.
    if tree.is_file("Dockerfile") {
        let mut m = Match::lang(Language::Dockerfile, present("Dockerfile"));
        m.dockerfile = Some("Dockerfile".into());
        return Ok(m);
    }
    if let Some(f) = any_file(tree, &COMPOSE_NAMES) {
        let mut m = Match::lang(Language::Compose, present(f));
        m.compose_file = Some(f.to_string());
        return Ok(m);
    }
    // A Node.js lockfile (Bun's mean Bun, matched above) without package.json.
    let node_lock = super::node::LOCKFILES
        .iter()
        .filter(|(_, pm)| *pm != PackageManager::Bun)
        .map(|(file, _)| *file)
        .find(|f| tree.is_file(f));
    if let Some(lock) = node_lock {
        return Err(DetectError::Manifest {
            path: "package.json".into(),
            reason: format!(
                "not found, but {lock} is present; a Node.js app needs package.json (or set LANGUAGE)"
            ),
        });
    }
    Err(DetectError::NoLanguage)
}

/// A set `DOCKERFILE_PATH`/`COMPOSE_FILE` must name a file in the source folder.
fn explicit_file(tree: &SourceTree, var: &str, path: &str) -> Result<String, DetectError> {
    if tree.is_file(path) {
        Ok(path.to_string())
    } else {
        Err(DetectError::NotFound {
            var: var.into(),
            value: path.into(),
        })
    }
}

/// `LANGUAGE=dockerfile`: `DOCKERFILE_PATH`, else `Dockerfile`.
pub(super) fn forced_dockerfile(
    settings: &Settings,
    tree: &SourceTree,
    evidence: &mut Vec<String>,
) -> Result<String, DetectError> {
    if let Some(path) = &settings.dockerfile_path {
        let f = explicit_file(tree, "DOCKERFILE_PATH", path)?;
        evidence.push(format!("DOCKERFILE_PATH={path}"));
        return Ok(f);
    }
    if tree.is_file("Dockerfile") {
        evidence.push(present("Dockerfile"));
        return Ok("Dockerfile".into());
    }
    Err(DetectError::NoDockerfile)
}

/// `LANGUAGE=compose`: `COMPOSE_FILE`, else the first default-named compose file.
pub(super) fn forced_compose(
    settings: &Settings,
    tree: &SourceTree,
    evidence: &mut Vec<String>,
) -> Result<String, DetectError> {
    if let Some(path) = &settings.compose_file {
        let f = explicit_file(tree, "COMPOSE_FILE", path)?;
        evidence.push(format!("COMPOSE_FILE={path}"));
        return Ok(f);
    }
    match any_file(tree, &COMPOSE_NAMES) {
        Some(f) => {
            evidence.push(present(f));
            Ok(f.to_string())
        }
        None => Err(DetectError::NoComposeFile),
    }
}

/// Ask every provider, in [`PROVIDERS`] order; the first match decides.
fn language_markers(tree: &SourceTree) -> Result<Option<Match>, DetectError> {
    for provider in PROVIDERS {
        if let Some(evidence) = provider.detect(tree)? {
            return Ok(Some(Match {
                language: provider.language(),
                evidence,
                dockerfile: None,
                compose_file: None,
            }));
        }
    }
    Ok(None)
}
