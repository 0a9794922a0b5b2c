//! What the JVM languages (Java, Kotlin, Scala, Clojure) share: the Java major version, the
//! JRE images and runtime environment, the user's start command, and (in [`jar`]) how the
//! runnable jar gets into the image.

pub mod gradle;
pub mod jar;
pub mod maven;

pub use jar::{
    artifact, classify, jar_command, runtime_steps, translate, with_jar, Artifact, Jar, APP_JAR,
};

use super::{Context, PlanError};
use crate::language::Language;
use crate::plan::{EnvVar, Phase, Step};

/// Java major used when nothing names one.
pub const DEFAULT_JAVA: u32 = 21;

/// Oldest Java major with Temurin images.
const OLDEST_JAVA: u32 = 8;

/// The Java major of a version string: `1.8` → 8, `1.8.0_292` → 8, `17.0.2` → 17, `21` → 21.
/// `None` when the text is not a version.
///
/// ```
/// use migetpacks_core::providers::jvm::java_major;
/// assert_eq!(java_major("1.8"), Some(8));
/// assert_eq!(java_major("17.0.2+8"), Some(17));
/// assert_eq!(java_major("lts"), None);
/// ```
pub fn java_major(raw: &str) -> Option<u32> {
    let v = raw.trim();
    // Java 1.x naming: the major is the part after "1." (1.8 is Java 8).
    let v = match v.strip_prefix("1.") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => v,
    };
    let end = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (digits, rest) = v.split_at(end);
    if digits.is_empty() || !(rest.is_empty() || rest.starts_with(['.', '_', '+', '-'])) {
        return None;
    }
    digits.parse().ok()
}

/// The Java major a build uses, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaRelease {
    /// Major version (`8`, `17`, `21`).
    pub major: u32,
    /// Variable or file it came from, or `default`.
    pub source: String,
}

/// `java.runtime.version` of `system.properties` (Heroku's convention for JVM apps).
fn system_properties(cx: &Context) -> Result<Option<String>, PlanError> {
    let Some(text) = cx.read("system.properties")? else {
        return Ok(None);
    };
    Ok(text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "java.runtime.version").then(|| v.trim().to_string())
    }))
}

/// The Java major of the build. Java's own version (from detection) when the language is
/// Java; for Kotlin, Scala and Clojure (whose detected version is their own) `JAVA_VERSION`
/// → `.java-version` → `system.properties` → 21. One parser for all four languages.
pub fn java_release(cx: &Context) -> Result<JavaRelease, PlanError> {
    let (raw, source) = if cx.detection.language == Language::Java {
        (cx.version.value.clone(), cx.version.source.clone())
    } else if let Some(v) = cx.settings.version_overrides.get(&Language::Java) {
        (v.clone(), "JAVA_VERSION".to_string())
    } else if let Some(v) = cx
        .read(".java-version")?
        .and_then(|t| t.lines().next().map(str::trim).map(str::to_string))
        .filter(|t| !t.is_empty())
    {
        (v, ".java-version".to_string())
    } else if let Some(v) = system_properties(cx)? {
        (v, "system.properties".to_string())
    } else {
        return Ok(JavaRelease {
            major: DEFAULT_JAVA,
            source: "default".into(),
        });
    };
    let bad = |reason: String| {
        if source.ends_with("_VERSION") {
            PlanError::Setting {
                var: source.clone(),
                reason,
            }
        } else {
            PlanError::Manifest {
                path: source.clone(),
                reason,
            }
        }
    };
    let major = java_major(&raw).ok_or_else(|| {
        bad(format!(
            "{raw:?} is not a Java version (expected e.g. 17, 21 or 1.8)"
        ))
    })?;
    if major < OLDEST_JAVA {
        return Err(bad(format!(
            "Java {major} is older than the oldest Temurin image (Java {OLDEST_JAVA})"
        )));
    }
    Ok(JavaRelease { major, source })
}

/// Runtime image: Temurin JRE, or the hardened Temurin image (no shell).
pub fn jre_image(cx: &Context, major: u32) -> String {
    if cx.hardened() {
        format!("dhi.io/eclipse-temurin:{major}")
    } else {
        format!("eclipse-temurin:{major}-jre")
    }
}

/// Hardened JDK image with a shell and apt, for builds under `USE_DHI`.
pub fn hardened_jdk_image(major: u32) -> String {
    format!("dhi.io/eclipse-temurin:{major}-jdk-dev")
}

/// `JAVA_TOOL_OPTIONS` for the builder: sources compile as UTF-8 whatever the image locale.
pub fn builder_env() -> EnvVar {
    EnvVar::new("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8")
}

/// The JVM's runtime settings. `JAVA_TOOL_OPTIONS` is read by every JVM (also under
/// `java -jar` and in exec form), unlike `JAVA_OPTS`, which only scripts pass on.
pub fn runtime_env() -> Step {
    Step::env(
        Phase::Runtime,
        vec![EnvVar::new(
            "JAVA_TOOL_OPTIONS",
            "-Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=80.0",
        )],
    )
    .why("JVM settings: UTF-8, heap sized from the container's memory limit")
}

/// The user's start command: `RUN_COMMAND`, else the Procfile's `web`, else its first process
/// (the same order the common assembly uses), or `None` for the language default.
pub fn user_command(cx: &Context) -> Result<Option<String>, PlanError> {
    if let Some(c) = &cx.settings.run_command {
        return Ok(Some(c.clone()));
    }
    let Some(text) = cx.read("Procfile")? else {
        return Ok(None);
    };
    let procs = crate::procfile::parse(&text)?;
    Ok(procs
        .web
        .or_else(|| procs.workers.first().map(|w| w.command.clone())))
}

/// The steps Maven and Gradle share after their build files are copied: an optional
/// dependency warm-up (its failure is tolerated: the build resolves what it misses), the
/// source, then the build (`build_step_name` names it in the warm-up's message; or
/// `BUILD_COMMAND`), which also gets the build secrets because it
/// resolves dependencies too. `prepare` (e.g. `chmod +x mvnw`) runs before both tool calls.
pub fn warm_up_and_build(
    cx: &Context,
    mounts: Vec<crate::mounts::CacheMount>,
    prepare: Option<String>,
    warm_up: (String, &str),
    build: (String, &str),
    build_step_name: &str,
) -> Vec<Step> {
    let (warm_cmd, warm_why) = warm_up;
    let (build_cmd, build_why) = build;
    let mut steps = vec![
        Step::run(
            Phase::Install,
            prepare.clone().into_iter().chain([format!(
                "{warm_cmd} || echo \"Dependency warm-up incomplete; the {build_step_name} step resolves the rest\""
            )]),
        )
        .mounts(mounts.clone())
        .why(warm_why),
        Step::copy(Phase::Source, ["."], ".").why("Application source"),
    ];
    let build = match &cx.settings.build_command {
        Some(cmd) => Step::run(Phase::Build, [cmd.clone()]).why("BUILD_COMMAND"),
        None => Step::run(Phase::Build, prepare.into_iter().chain([build_cmd])).why(build_why),
    };
    steps.push(build.mounts(mounts).secrets(&cx.settings.build_secrets));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_majors() {
        for (raw, want) in [
            ("1.8", Some(8)),
            ("1.8.0_292", Some(8)),
            ("8", Some(8)),
            ("11", Some(11)),
            ("1.11", Some(11)),
            ("17.0.2", Some(17)),
            (" 21 \n", Some(21)),
            ("21-ea", Some(21)),
            ("17.0.2+8", Some(17)),
            ("lts", None),
            ("", None),
            ("17x", None),
            ("${java.version}", None),
        ] {
            assert_eq!(java_major(raw), want, "{raw:?}");
        }
    }
}
