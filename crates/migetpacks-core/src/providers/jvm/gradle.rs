//! Gradle builds (Java and Kotlin): the project's wrapper (`gradlew`) when it has one, else
//! the image's `gradle`.

use super::super::files::{copy_keeping_paths, sort_by_depth};
use super::super::{Context, PlanError};
use super::{builder_env, hardened_jdk_image, Jar};
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};

/// Gradle's home in the builder: set explicitly so the cache mounts line up with it whatever
/// the image's default.
const GRADLE_HOME: &str = "/root/.gradle";

/// Build scripts Gradle reads before it resolves anything.
const BUILD_FILES: [&str; 5] = [
    "settings.gradle",
    "settings.gradle.kts",
    "build.gradle",
    "build.gradle.kts",
    "gradle.properties",
];

/// A Gradle project.
#[derive(Debug, Clone, Copy)]
pub struct Gradle {
    /// `gradlew` is present.
    pub wrapper: bool,
}

impl Gradle {
    /// Inspect the source folder.
    pub fn detect(cx: &Context) -> Gradle {
        Gradle {
            wrapper: cx.has("gradlew"),
        }
    }

    fn exe(self) -> &'static str {
        if self.wrapper {
            "./gradlew"
        } else {
            "gradle"
        }
    }

    /// Builder image. Hardened builds use the hardened JDK when the wrapper brings Gradle;
    /// without a wrapper they build on the official Gradle image (Debian's `gradle` package
    /// is far too old for current plugins), and only the runtime is hardened.
    pub fn build_image(self, cx: &Context, major: u32) -> String {
        if cx.hardened() && self.wrapper {
            hardened_jdk_image(major)
        } else {
            format!("gradle:jdk{major}")
        }
    }

    /// The jar Gradle assembles, unless the start command names another.
    pub fn default_jar() -> Jar {
        Jar::any_in("build/libs")
    }

    /// Builder steps: manifests, dependency warm-up, source, build.
    pub fn steps(self, cx: &Context) -> Result<Vec<Step>, PlanError> {
        let mut b = vec![Step::env(
            Phase::Setup,
            vec![builder_env(), EnvVar::new("GRADLE_USER_HOME", GRADLE_HOME)],
        )
        .why("Sources compile as UTF-8; Gradle's home is where the cache mounts are")];
        let mut manifests: Vec<String> = Vec::new();
        if self.wrapper {
            manifests.push("gradlew".into());
        }
        manifests.extend(cx.existing(&BUILD_FILES));
        // Sub-project build scripts (two levels down), at their paths.
        let mut sub = cx.tree.find_files("", 2, 200, &|n| {
            n == "build.gradle" || n == "build.gradle.kts"
        })?;
        sub.retain(|p| p.contains('/') && !p.starts_with("buildSrc/"));
        sort_by_depth(&mut sub);
        manifests.extend(sub);
        if manifests
            .iter()
            .all(|m| m == "gradlew" || m == "gradle.properties")
        {
            return Err(PlanError::Manifest {
                path: "build.gradle".into(),
                reason: "missing: a Gradle build needs build.gradle(.kts) or settings.gradle(.kts)"
                    .into(),
            });
        }
        b.extend(copy_keeping_paths(
            &manifests,
            "Build files first: the dependency layer below is reused while they are unchanged",
        ));
        // Wrapper files and the version catalog (gradle/libs.versions.toml), and build logic.
        for dir in ["gradle", "buildSrc"] {
            if cx.tree.is_dir(dir) {
                b.push(Step::copy(
                    Phase::Manifests,
                    [format!("{dir}/")],
                    &format!("{dir}/"),
                ));
            }
        }
        let mut kinds = vec![CacheKind::Gradle];
        if self.wrapper {
            kinds.push(CacheKind::GradleWrapper);
        }
        b.extend(super::warm_up_and_build(
            cx,
            cx.mounts(&kinds),
            self.wrapper.then(|| "chmod +x gradlew".to_string()),
            (
                format!("{} dependencies --no-daemon", self.exe()),
                "Warm up the dependency cache (optional: sub-projects resolve during the build)",
            ),
            (
                format!("{} build -x check --no-daemon", self.exe()),
                "Build the application (checks and tests belong in CI)",
            ),
            "build",
        ));
        Ok(b)
    }
}
