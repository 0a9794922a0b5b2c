//! Kotlin: built like a Java app (Gradle preferred, Maven when only a `pom.xml` exists), with
//! the Java major from `JAVA_VERSION`, `.java-version` or `system.properties` (Kotlin's own
//! version only names the compiler the build files already pin).

use super::java::{build_tool_plan, BuildTool};
use super::{jvm, Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;

/// The Kotlin provider.
pub struct Kotlin;

impl Provider for Kotlin {
    fn language(&self) -> Language {
        Language::Kotlin
    }

    /// `settings.gradle.kts`, a `*.kt` file under `src/` (depth-bounded), or a Gradle build
    /// that applies the Kotlin plugin.
    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        if tree.is_file("settings.gradle.kts") {
            return Ok(Some(vec![super::present("settings.gradle.kts")]));
        }
        if tree.is_dir("src") {
            let kt = tree.find_files("src", KOTLIN_SRC_DEPTH, 1, &|n: &str| n.ends_with(".kt"))?;
            if let Some(f) = kt.first() {
                return Ok(Some(vec![super::present(f)]));
            }
        }
        if let Some(text) = tree.read("build.gradle.kts")? {
            if text.contains("kotlin") {
                return Ok(Some(vec!["build.gradle.kts: mentions kotlin".into()]));
            }
        }
        if let Some(text) = tree.read("build.gradle")? {
            if text.lines().any(|l| GRADLE_KOTLIN.is_match(l)) {
                return Ok(Some(vec!["build.gradle: applies the Kotlin plugin".into()]));
            }
        }
        Ok(None)
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        crate::version::jvm::kotlin(v)
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        build_tool_plan(cx, jvm::java_release(cx)?, BuildTool::Gradle)
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        jvm::translate(cx, command)
    }
}

/// How deep below `src/` a `*.kt` file is looked for (`src/main/kotlin/com/example/app/X.kt`
/// is at depth 5).
const KOTLIN_SRC_DEPTH: usize = 6;

// The Kotlin-plugin pattern, plus the plugin id, which a `plugins { }` block puts on a line of
// its own (`id 'org.jetbrains.kotlin.jvm'`).
re!(
    GRADLE_KOTLIN,
    r"plugin.*kotlin|kotlin.*plugin|org\.jetbrains\.kotlin"
);
