//! The detector: marker files in detection.md §2 order, first match wins.
//!
//! Deliberate differences from the original (known-defects 29):
//! - `DOCKERFILE_PATH`/`COMPOSE_FILE` resolve inside the source folder only, and a set value
//!   that names no file is an error, not a fallback to default-named files;
//! - a `project/` folder means Scala only with sbt content in it (`build.properties`, `*.sbt`,
//!   `*.scala`), not any folder called `project`;
//! - Node.js needs `package.json`; a lockfile alone is reported as a missing package.json
//!   (the generated `COPY package.json` would fail);
//! - a default-named compose file is used as the very last resort (after a `Dockerfile`), where
//!   the original failed with "Unable to detect language";
//! - the `*.kt` search under `src/` and the .NET project search are depth-bounded.

use super::node::declares_bun;
use super::DetectError;
use crate::language::Language;
use crate::settings::Settings;
use crate::source::SourceTree;
use crate::version::sources::{is_dotnet_project, DOTNET_PROJECT_DEPTH};
use regex::Regex;
use std::sync::LazyLock;

/// Default compose file names, in the order they are tried.
pub const COMPOSE_NAMES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// How deep below `src/` a `*.kt` file is looked for (`src/main/kotlin/com/example/app/X.kt`
/// is at depth 5).
const KOTLIN_SRC_DEPTH: usize = 6;

/// The original's Kotlin-plugin regex, plus the plugin id, which a `plugins { }` block puts on
/// a line of its own (`id 'org.jetbrains.kotlin.jvm'`).
static GRADLE_KOTLIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"plugin.*kotlin|kotlin.*plugin|org\.jetbrains\.kotlin").expect("constant regex")
});

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
    if let Some(lock) = any_file(tree, &["pnpm-lock.yaml", "yarn.lock", "package-lock.json"]) {
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

/// Rows 1–15 of detection.md §2.
fn language_markers(tree: &SourceTree) -> Result<Option<Match>, DetectError> {
    let simple: [(Language, &[&str]); 6] = [
        (Language::Deno, &["deno.json", "deno.jsonc", "deno.lock"]),
        (Language::Ruby, &["Gemfile", "Rakefile", "config.ru"]),
        (
            Language::Python,
            &["requirements.txt", "setup.py", "Pipfile", "pyproject.toml"],
        ),
        (
            Language::Go,
            &["go.mod", "Godeps/Godeps.json", "glide.yaml"],
        ),
        (Language::Rust, &["Cargo.toml", "Cargo.lock"]),
        (Language::Elixir, &["mix.exs", "mix.lock"]),
    ];
    for (lang, files) in simple {
        if let Some(f) = any_file(tree, files) {
            return Ok(Some(Match::lang(lang, present(f))));
        }
    }
    if let Some(ev) = scala(tree)? {
        return Ok(Some(Match::lang(Language::Scala, ev)));
    }
    if let Some(f) = any_file(tree, &["project.clj", "deps.edn"]) {
        return Ok(Some(Match::lang(Language::Clojure, present(f))));
    }
    if let Some(ev) = kotlin(tree)? {
        return Ok(Some(Match::lang(Language::Kotlin, ev)));
    }
    if tree.is_file("pom.xml") {
        return Ok(Some(Match::lang(Language::Java, present("pom.xml"))));
    }
    if let Some(f) = any_file(tree, &["build.gradle", "build.gradle.kts"]) {
        return Ok(Some(Match::lang(Language::Java, present(f))));
    }
    if let Some(f) = any_file(tree, &["composer.json", "index.php"]) {
        return Ok(Some(Match::lang(Language::Php, present(f))));
    }
    if let Some(ev) = dotnet(tree)? {
        return Ok(Some(Match::lang(Language::Dotnet, ev)));
    }
    if let Some(f) = any_file(
        tree,
        &["bun.lock", "bun.lockb", "bunfig.toml", ".bun-version"],
    ) {
        return Ok(Some(Match::lang(Language::Bun, present(f))));
    }
    if let Some(ev) = declares_bun(tree)? {
        return Ok(Some(Match::lang(Language::Bun, ev)));
    }
    if tree.is_file("package.json") {
        // The package manager evidence is added by node::analyze.
        return Ok(Some(Match {
            language: Language::Nodejs,
            evidence: Vec::new(),
            dockerfile: None,
            compose_file: None,
        }));
    }
    Ok(None)
}

/// Row 7: `build.sbt`, `build.sc`, or a `project/` folder with sbt content.
fn scala(tree: &SourceTree) -> Result<Option<String>, DetectError> {
    if let Some(f) = any_file(tree, &["build.sbt", "build.sc"]) {
        return Ok(Some(present(f)));
    }
    if !tree.is_dir("project") {
        return Ok(None);
    }
    let hit = tree
        .list("project")?
        .into_iter()
        .filter(|e| !e.is_dir)
        .find(|e| {
            e.name == "build.properties" || e.name.ends_with(".sbt") || e.name.ends_with(".scala")
        });
    Ok(hit.map(|e| present(&format!("project/{}", e.name))))
}

/// Row 9: Kotlin markers.
fn kotlin(tree: &SourceTree) -> Result<Option<String>, DetectError> {
    if tree.is_file("settings.gradle.kts") {
        return Ok(Some(present("settings.gradle.kts")));
    }
    if tree.is_dir("src") {
        let kt = tree.find_files("src", KOTLIN_SRC_DEPTH, 1, &|n: &str| n.ends_with(".kt"))?;
        if let Some(f) = kt.first() {
            return Ok(Some(present(f)));
        }
    }
    if let Some(text) = tree.read("build.gradle.kts")? {
        if text.contains("kotlin") {
            return Ok(Some("build.gradle.kts: mentions kotlin".into()));
        }
    }
    if let Some(text) = tree.read("build.gradle")? {
        if text.lines().any(|l| GRADLE_KOTLIN.is_match(l)) {
            return Ok(Some("build.gradle: applies the Kotlin plugin".into()));
        }
    }
    Ok(None)
}

/// Row 13: `global.json`, a solution at the root, or a project file at depth ≤ 3.
fn dotnet(tree: &SourceTree) -> Result<Option<String>, DetectError> {
    if tree.is_file("global.json") {
        return Ok(Some(present("global.json")));
    }
    // A search, not a listing: a root folder over the listing cap stops it instead of
    // refusing an app whose other markers are visible.
    let sln = tree.find_files("", 0, 1, &|n: &str| {
        n.ends_with(".sln") || n.ends_with(".slnx")
    })?;
    if let Some(name) = sln.first() {
        return Ok(Some(present(name)));
    }
    let projects = tree.find_files("", DOTNET_PROJECT_DEPTH, 1, &is_dotnet_project)?;
    Ok(projects.first().map(|p| present(p)))
}
