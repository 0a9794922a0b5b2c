//! Maven builds: the project's wrapper (`mvnw`) when it has one, else the image's `mvn`.

use super::super::files::{copy_keeping_paths, sort_by_depth};
use super::super::{Context, PlanError};
use super::{builder_env, hardened_jdk_image, Jar};
use crate::mounts::CacheKind;
use crate::plan::{Phase, Step};

/// A Maven project.
#[derive(Debug, Clone, Copy)]
pub struct Maven {
    /// `mvnw` is present.
    pub wrapper: bool,
}

impl Maven {
    /// Inspect the source folder.
    pub fn detect(cx: &Context) -> Maven {
        Maven {
            wrapper: cx.has("mvnw"),
        }
    }

    fn exe(self) -> &'static str {
        if self.wrapper {
            "./mvnw"
        } else {
            "mvn"
        }
    }

    /// Builder image: the official Maven image, or the hardened JDK (Maven added by apt).
    pub fn build_image(self, cx: &Context, major: u32) -> String {
        if cx.hardened() {
            hardened_jdk_image(major)
        } else {
            format!("maven:3-eclipse-temurin-{major}")
        }
    }

    /// The jar Maven packages, unless the start command names another.
    pub fn default_jar() -> Jar {
        Jar::any_in("target")
    }

    /// Builder steps: tool, manifests, dependency warm-up, source, package.
    pub fn steps(self, cx: &Context) -> Result<Vec<Step>, PlanError> {
        let mut b = vec![Step::env(Phase::Setup, vec![builder_env()])
            .why("Sources compile as UTF-8 whatever the image locale")];
        if cx.hardened() && !self.wrapper {
            b.push(
                Step::run(
                    Phase::Setup,
                    [
                        "apt-get update",
                        "apt-get install -y --no-install-recommends maven",
                        "rm -rf /var/lib/apt/lists/*",
                    ],
                )
                .why("The hardened JDK image has no Maven and the project has no mvnw"),
            );
        }
        // The root pom and module poms (two levels down), at their paths: a reactor build
        // needs every module's pom to resolve.
        let mut poms = cx.tree.find_files("", 2, 200, &|n| n == "pom.xml")?;
        sort_by_depth(&mut poms);
        let mut manifests = poms;
        if self.wrapper {
            manifests.push("mvnw".into());
        }
        b.extend(copy_keeping_paths(
            &manifests,
            "Build files first: the dependency layer below is reused while they are unchanged",
        ));
        if cx.tree.is_dir(".mvn") {
            // Wrapper properties, maven.config and extensions change how Maven resolves.
            b.push(Step::copy(Phase::Manifests, [".mvn/"], ".mvn/"));
        }
        b.extend(super::warm_up_and_build(
            cx,
            cx.mounts(&[CacheKind::Maven]),
            self.wrapper.then(|| "chmod +x mvnw".to_string()),
            (
                format!("{} -B dependency:go-offline", self.exe()),
                "Warm up the dependency cache (optional: go-offline cannot resolve every plugin or reactor module)",
            ),
            (
                format!("{} -B -DskipTests package", self.exe()),
                "Package the application (tests belong in CI)",
            ),
            "package",
        ));
        Ok(b)
    }
}
