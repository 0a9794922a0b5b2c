//! Java: Maven or Gradle, decided once from the build files (the same decision picks the
//! builder image and the steps), packaged into one runnable jar on a Temurin JRE.

use super::jvm::{self, gradle::Gradle, maven::Maven, JavaRelease};
use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;

/// The Java provider.
pub struct Java;

/// The JVM build tools with Maven/Gradle conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildTool {
    /// `pom.xml`.
    Maven,
    /// `build.gradle(.kts)` / `settings.gradle(.kts)`.
    Gradle,
}

impl BuildTool {
    /// The tool of this project, `prefer`red when both are present (Java prefers Maven, as
    /// detection does; Kotlin prefers Gradle).
    pub fn detect(cx: &Context, prefer: BuildTool) -> Result<BuildTool, PlanError> {
        let maven = cx.has("pom.xml");
        let gradle = !cx
            .existing(&[
                "build.gradle",
                "build.gradle.kts",
                "settings.gradle",
                "settings.gradle.kts",
            ])
            .is_empty();
        match (maven, gradle) {
            (true, true) => Ok(prefer),
            (true, false) => Ok(BuildTool::Maven),
            (false, true) => Ok(BuildTool::Gradle),
            (false, false) => Err(PlanError::Manifest {
                path: "pom.xml".into(),
                reason: "no pom.xml, build.gradle(.kts) or settings.gradle(.kts): a JVM app needs Maven or Gradle".into(),
            }),
        }
    }
}

/// The plan of a Maven or Gradle app (shared by Java and Kotlin).
pub fn build_tool_plan(
    cx: &Context,
    java: JavaRelease,
    prefer: BuildTool,
) -> Result<LanguagePlan, PlanError> {
    let tool = BuildTool::detect(cx, prefer)?;
    let (name, build_image, mut builder, default_jar, wrapper) = match tool {
        BuildTool::Maven => {
            let m = Maven::detect(cx);
            (
                "maven",
                m.build_image(cx, java.major),
                m.steps(cx)?,
                Maven::default_jar(),
                m.wrapper,
            )
        }
        BuildTool::Gradle => {
            let g = Gradle::detect(cx);
            (
                "gradle",
                g.build_image(cx, java.major),
                g.steps(cx)?,
                Gradle::default_jar(),
                g.wrapper,
            )
        }
    };
    let artifact = jvm::artifact(cx, default_jar)?;
    if let Some(build) = builder.pop() {
        builder.extend(jvm::with_jar(
            build,
            &artifact,
            cx.settings.build_command.is_some(),
        ));
    }
    let mut notes = vec![format!("Java {} (from {})", java.major, java.source)];
    if wrapper {
        notes.push(format!("using the project's {} wrapper", name));
    }
    if cx.hardened() && tool == BuildTool::Gradle && !wrapper {
        notes.push("no gradlew: building on the official Gradle image, hardened runtime".into());
    }
    if artifact == jvm::Artifact::Tree {
        notes.push("the start command names build outputs other than one jar: the whole build folder is copied".into());
    }
    Ok(LanguagePlan {
        package_manager: Some(name.into()),
        build_image,
        runtime_image: jvm::jre_image(cx, java.major),
        builder,
        runtime: jvm::runtime_steps(cx, &artifact),
        default_command: jvm::jar_command(cx),
        no_shell: cx.hardened(),
        notes,
        ..LanguagePlan::default()
    })
}

impl Provider for Java {
    fn language(&self) -> Language {
        Language::Java
    }

    /// `pom.xml` (Maven), else a Gradle build (asked after Kotlin, which claims Kotlin
    /// Gradle builds).
    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["pom.xml", "build.gradle", "build.gradle.kts"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        crate::version::jvm::java(v)
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        build_tool_plan(cx, jvm::java_release(cx)?, BuildTool::Maven)
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        jvm::translate(cx, command)
    }
}
