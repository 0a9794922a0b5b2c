//! Language detection: overrides, detector order, package managers, buildpacks.
//!
//! Precedence of the primary language (docs/detection.md; differences from the original in docs/differences.md):
//! 1. `BUILDPACKS` (first entry primary, the rest additional runtimes);
//! 2. else `LANGUAGE` (primary) and, if `app.json` lists buildpacks, its entries before the
//!    last as additional runtimes;
//! 3. else `app.json` `buildpacks`: the **last** entry is primary, as Heroku runs them (and as
//!    the original's code did);
//! 4. else the detector ([`markers`]: each provider in `PROVIDERS` order).
//!
//! Every decision is recorded as a human-readable line in [`Detection::evidence`].

pub mod buildpacks;
mod markers;
pub(crate) mod node;

use crate::language::Language;
use crate::settings::Settings;
use crate::source::{SourceError, SourceTree};
use serde::Serialize;

pub use node::JsProject;

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
    /// Maven (`pom.xml`).
    Maven,
    /// Gradle (`build.gradle`, `build.gradle.kts`).
    Gradle,
}

impl PackageManager {
    /// The lowercase name (`yarn`, `maven`).
    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Yarn => "yarn",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Bun => "bun",
            PackageManager::Maven => "maven",
            PackageManager::Gradle => "gradle",
        }
    }
}

/// Why detection failed. Every message names the file or variable involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    /// No marker matched.
    #[error("Unable to detect language. Please set LANGUAGE environment variable.")]
    NoLanguage,
    /// Reading a marker failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A manifest or version file is malformed (or a required one is missing).
    #[error("{path}: {reason}")]
    Manifest {
        /// The file, relative to the source folder.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A buildpack entry that maps to no language.
    #[error("{origin}: unknown buildpack {entry:?}; use a language id ({}) or heroku/<language>", crate::language::Language::ids().join(", "))]
    UnknownBuildpack {
        /// Where it was given: `BUILDPACKS[1]` or `app.json buildpacks[0]`.
        origin: String,
        /// The entry as written.
        entry: String,
    },
    /// `DOCKERFILE_PATH` or `COMPOSE_FILE` names a file that is not in the source folder.
    #[error("{var} not found: {value} (paths are relative to the source folder)")]
    NotFound {
        /// The variable.
        var: String,
        /// Its value.
        value: String,
    },
    /// `LANGUAGE=dockerfile` without `DOCKERFILE_PATH` and without a `Dockerfile`.
    #[error(
        "LANGUAGE=dockerfile: no Dockerfile in the source folder; add one or set DOCKERFILE_PATH"
    )]
    NoDockerfile,
    /// `LANGUAGE=compose` without `COMPOSE_FILE` and without a default-named compose file.
    #[error("LANGUAGE=compose: no compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml in the source folder; set COMPOSE_FILE")]
    NoComposeFile,
    /// `PROJECT_PATH` is not a folder inside the source folder.
    #[error("PROJECT_PATH does not exist: {value} ({reason})")]
    ProjectPath {
        /// The value of `PROJECT_PATH`.
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
}

/// The outcome of detection, with the evidence for each decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The primary language.
    pub language: Language,
    /// Display name as migetpacks prints it (`Node.js (yarn)`, `Java (Maven)`, `.NET`).
    pub display_name: String,
    /// The primary language's package manager or build tool: npm/yarn/pnpm/bun for Node.js
    /// and Bun, Maven/Gradle for Java and Kotlin; `None` for the others.
    pub package_manager: Option<PackageManager>,
    /// The JavaScript project (package manager, lockfile, `packageManager` field) when Node.js
    /// or Bun is the primary language, or Node.js is an additional runtime with a
    /// `package.json`. Generators use this one decision for the install step
    /// (docs/detection.md).
    pub js_project: Option<JsProject>,
    /// Additional buildpacks (multi-buildpack), in order; never contains the primary.
    pub additional: Vec<Language>,
    /// Next.js standalone output configured (for the Node.js app, primary or additional).
    pub next_standalone: bool,
    /// The user's Dockerfile (relative to the source folder) when `language` is `dockerfile`.
    pub dockerfile: Option<String>,
    /// The compose file (relative to the source folder) when `language` is `compose`.
    pub compose_file: Option<String>,
    /// Which file or variable decided each thing (`"yarn.lock: selects yarn"`).
    pub evidence: Vec<String>,
    /// Non-fatal findings (multiple lockfiles, ignored settings, …).
    pub warnings: Vec<String>,
}

/// The primary language and where it came from, before package managers are looked at.
struct Primary {
    language: Language,
    /// Additional runtimes named explicitly (BUILDPACKS, app.json).
    additional: Vec<Language>,
    /// True when a buildpack list was given: no automatic additional runtimes then.
    explicit_buildpacks: bool,
}

impl Detection {
    /// A bare detection of `language` with its display name and nothing else decided; for
    /// callers (and tests) that already know the language.
    ///
    /// ```
    /// use migetpacks_core::{detect::Detection, language::Language};
    /// assert_eq!(Detection::new(Language::Go).display_name, "Go");
    /// ```
    pub fn new(language: Language) -> Detection {
        Detection {
            language,
            display_name: language.display_name().to_string(),
            package_manager: None,
            js_project: None,
            additional: Vec::new(),
            next_standalone: false,
            dockerfile: None,
            compose_file: None,
            evidence: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// The effective source folder: `root`, or its `PROJECT_PATH` sub-folder.
///
/// [`detect`] and [`version::resolve`] take this tree, not the repository root.
pub fn effective_tree(settings: &Settings, root: &SourceTree) -> Result<SourceTree, DetectError> {
    match &settings.project_path {
        None => Ok(root.clone()),
        Some(p) => root.subdir(p).map_err(|e| DetectError::ProjectPath {
            value: p.clone(),
            reason: e.to_string(),
        }),
    }
}

/// Detect the language of `tree` (the effective source folder, see [`effective_tree`])
/// under `settings`.
///
/// ```
/// use migetpacks_core::{detect::detect, language::Language, settings::{EnvMap, Settings}};
/// use migetpacks_core::source::SourceTree;
/// let s = Settings::from_env(&EnvMap::new()).unwrap();
/// let t = SourceTree::in_memory([("package.json", "{}"), ("yarn.lock", "")]);
/// let d = detect(&s, &t).unwrap();
/// assert_eq!((d.language, d.display_name.as_str()), (Language::Nodejs, "Node.js (yarn)"));
/// assert!(d.evidence.contains(&"yarn.lock: selects yarn".to_string()));
/// ```
pub fn detect(settings: &Settings, tree: &SourceTree) -> Result<Detection, DetectError> {
    let mut evidence = Vec::new();
    let mut warnings = Vec::new();
    let mut dockerfile = None;
    let mut compose_file = None;

    let primary = match choose_override(settings, tree, &mut evidence, &mut warnings)? {
        Some(p) => p,
        None => {
            let m = markers::detect(settings, tree)?;
            evidence.extend(m.evidence);
            dockerfile = m.dockerfile;
            compose_file = m.compose_file;
            Primary {
                language: m.language,
                additional: Vec::new(),
                explicit_buildpacks: false,
            }
        }
    };
    let lang = primary.language;
    match lang {
        Language::Dockerfile if dockerfile.is_none() => {
            dockerfile = Some(markers::forced_dockerfile(settings, tree, &mut evidence)?);
        }
        Language::Compose if compose_file.is_none() => {
            compose_file = Some(markers::forced_compose(settings, tree, &mut evidence)?);
        }
        _ => {}
    }
    if lang != Language::Dockerfile {
        if let Some(p) = &settings.dockerfile_path {
            warnings.push(format!(
                "DOCKERFILE_PATH={p} is ignored: the language is {}",
                lang.id()
            ));
        }
    }
    if lang != Language::Compose {
        if let Some(p) = &settings.compose_file {
            warnings.push(format!(
                "COMPOSE_FILE={p} is ignored: the language is {}",
                lang.id()
            ));
        }
    }

    let mut additional = Vec::new();
    for a in primary.additional {
        if a != lang && !additional.contains(&a) {
            additional.push(a);
        }
    }
    let js_family = matches!(
        lang,
        Language::Nodejs
            | Language::Bun
            | Language::Deno
            | Language::Dockerfile
            | Language::Compose
    );
    if !js_family && tree.is_file("package.json") && !additional.contains(&Language::Nodejs) {
        if primary.explicit_buildpacks {
            evidence.push(
                "package.json: present, but the buildpack list is explicit; Node.js is not added"
                    .into(),
            );
        } else {
            evidence.push(format!(
                "package.json: present beside {}; adds nodejs as additional runtime",
                lang.id()
            ));
            additional.push(Language::Nodejs);
        }
    }

    let mut js_project = None;
    let mut next_standalone = false;
    match lang {
        Language::Nodejs => {
            if !tree.is_file("package.json") {
                return Err(DetectError::Manifest {
                    path: "package.json".into(),
                    reason: "not found; a Node.js app needs one".into(),
                });
            }
            js_project = Some(node::analyze(tree, false, &mut evidence, &mut warnings)?);
        }
        Language::Bun => {
            js_project = Some(node::analyze(tree, true, &mut evidence, &mut warnings)?);
        }
        _ if additional.contains(&Language::Nodejs) => {
            if tree.is_file("package.json") {
                js_project = Some(node::analyze(tree, false, &mut evidence, &mut warnings)?);
            } else {
                evidence.push("package.json: absent; nodejs is added as a runtime only".into());
            }
        }
        _ => {}
    }
    if js_project.is_some() && lang != Language::Bun {
        next_standalone = node::next_standalone(tree, &mut evidence)?;
    }

    let package_manager = match lang {
        Language::Nodejs | Language::Bun => js_project.as_ref().map(|j| j.package_manager),
        Language::Java | Language::Kotlin => jvm_build_tool(lang, tree, &mut evidence),
        _ => None,
    };
    let display_name = display_name(lang, package_manager);

    Ok(Detection {
        language: lang,
        display_name,
        package_manager,
        js_project,
        additional,
        next_standalone,
        dockerfile,
        compose_file,
        evidence,
        warnings,
    })
}

/// Apply `BUILDPACKS`, `LANGUAGE` and app.json; `None` when the detector must run.
fn choose_override(
    settings: &Settings,
    tree: &SourceTree,
    evidence: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<Primary>, DetectError> {
    let app_json = buildpacks::read_app_json(tree)?;
    if !settings.buildpacks.is_empty() {
        let list = buildpacks::map_list(
            "BUILDPACKS",
            &settings.buildpacks,
            buildpacks::PrimaryEntry::First,
            evidence,
        )?;
        if let Some((&first, rest)) = list.split_first() {
            if let (Some(l), Some(raw)) = (settings.language, &settings.language_raw) {
                if l != first {
                    warnings.push(format!(
                        "LANGUAGE={raw} is overridden by BUILDPACKS (primary {})",
                        first.id()
                    ));
                }
            }
            if !app_json.is_empty() {
                warnings.push("app.json buildpacks are ignored: BUILDPACKS is set".into());
            }
            return Ok(Some(Primary {
                language: first,
                additional: rest.to_vec(),
                explicit_buildpacks: true,
            }));
        }
    }
    let forced = match (settings.language, &settings.language_raw) {
        (Some(l), Some(raw)) => Some((l, raw.as_str())),
        (Some(l), None) => Some((l, l.id())),
        _ => None,
    };
    if let Some((_, raw)) = forced {
        evidence.push(format!("LANGUAGE={raw}"));
    }
    if !app_json.is_empty() {
        let list = buildpacks::map_list(
            "app.json buildpacks",
            &app_json,
            buildpacks::PrimaryEntry::Last,
            evidence,
        )?;
        if let Some((&first, rest)) = list.split_first() {
            let language = match forced {
                Some((l, raw)) => {
                    if l != first {
                        warnings.push(format!(
                            "app.json's primary buildpack ({}) is not the primary: LANGUAGE={raw} wins",
                            first.id()
                        ));
                    }
                    l
                }
                None => first,
            };
            return Ok(Some(Primary {
                language,
                additional: rest.to_vec(),
                explicit_buildpacks: true,
            }));
        }
    }
    Ok(forced.map(|(l, _)| Primary {
        language: l,
        additional: Vec::new(),
        explicit_buildpacks: false,
    }))
}

/// Maven or Gradle for Java/Kotlin. Java prefers Maven (`pom.xml` is detector row 10, before
/// Gradle); Kotlin prefers Gradle (its detector rule is Gradle-based).
fn jvm_build_tool(
    lang: Language,
    tree: &SourceTree,
    evidence: &mut Vec<String>,
) -> Option<PackageManager> {
    let maven = tree.is_file("pom.xml").then_some("pom.xml");
    let gradle = ["build.gradle", "build.gradle.kts", "settings.gradle.kts"]
        .into_iter()
        .find(|f| tree.is_file(f));
    let pick = match lang {
        Language::Java => maven
            .map(|f| (f, PackageManager::Maven))
            .or(gradle.map(|f| (f, PackageManager::Gradle))),
        _ => gradle
            .map(|f| (f, PackageManager::Gradle))
            .or(maven.map(|f| (f, PackageManager::Maven))),
    };
    pick.map(|(file, pm)| {
        evidence.push(format!("{file}: selects {}", pm.name()));
        pm
    })
}

/// `Node.js (yarn)`, `Java (Maven)`, `.NET`, …
fn display_name(lang: Language, pm: Option<PackageManager>) -> String {
    match (lang, pm) {
        (Language::Nodejs, Some(pm)) if pm != PackageManager::Npm => {
            format!("Node.js ({})", pm.name())
        }
        (Language::Java, Some(PackageManager::Maven)) => "Java (Maven)".into(),
        (Language::Java, Some(PackageManager::Gradle)) => "Java (Gradle)".into(),
        _ => lang.display_name().into(),
    }
}

#[cfg(test)]
mod tests;
