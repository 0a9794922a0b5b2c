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

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        build_tool_plan(cx, jvm::java_release(cx)?, BuildTool::Gradle)
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        jvm::translate(cx, command)
    }
}
