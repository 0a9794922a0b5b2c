//! Scala: sbt builds packaged by sbt-native-packager (`stage`, also what Play uses) or
//! sbt-assembly (one fat jar). Everything the start command needs (the staged folder, the
//! start script's name, the main class for hardened images) is resolved from the build files
//! at generation time. Mill builds (`build.sc`) are refused with a clear error.

mod sbt;

use super::jvm::{self, Artifact};
use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use sbt::analyse;

/// The Scala provider.
pub struct Scala;

/// JDK builds of the `sbtscala/scala-sbt` images, by Java major.
const JDK_TAGS: [(u32, &str); 4] = [
    (8, "8u442-b06"),
    (11, "11.0.26_4"),
    (17, "17.0.15_6"),
    (21, "21.0.6_7"),
];
impl Provider for Scala {
    fn language(&self) -> Language {
        Language::Scala
    }

    /// `build.sbt`, `build.sc`, or a `project/` folder with sbt content (`build.properties`,
    /// `*.sbt`, `*.scala`), not any folder called `project`.
    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        if let Some(m) = super::any_present(tree, &["build.sbt", "build.sc"])? {
            return Ok(Some(m));
        }
        if !tree.is_dir("project") {
            return Ok(None);
        }
        let hit = tree
            .list("project")?
            .into_iter()
            .filter(|e| !e.is_dir)
            .find(|e| {
                e.name == "build.properties"
                    || e.name.ends_with(".sbt")
                    || e.name.ends_with(".scala")
            });
        Ok(hit.map(|e| vec![super::present(&format!("project/{}", e.name))]))
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        crate::version::jvm::scala(v)
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let sbt = analyse(cx)?;
        let mut warnings = sbt.warnings.clone();
        let mut java = jvm::java_release(cx)?.major;
        let jdk = match JDK_TAGS.iter().find(|(m, _)| *m == java) {
            Some((_, tag)) => *tag,
            None => {
                warnings.push(format!(
                    "no sbt image for Java {java}: building and running on Java 21"
                ));
                java = 21;
                JDK_TAGS[3].1
            }
        };
        let mut b = vec![Step::env(
            Phase::Setup,
            vec![
                jvm::builder_env(),
                EnvVar::new("SBT_OPTS", "-Xmx2G -XX:MaxMetaspaceSize=512m"),
            ],
        )
        .why("Sources compile as UTF-8; sbt gets the memory larger builds need")];
        let mut manifests = vec!["build.sbt".to_string()];
        for e in cx.tree.list("")? {
            if !e.is_dir && e.name.ends_with(".sbt") && e.name != "build.sbt" {
                manifests.push(e.name);
            }
        }
        b.push(Step::copy(Phase::Manifests, manifests, "./").why(
            "Build definition first: the dependency layer below is reused while it is unchanged",
        ));
        if cx.tree.is_dir("project") {
            b.push(Step::copy(Phase::Manifests, ["project/"], "project/"));
        }
        let mounts = cx.mounts(&[CacheKind::Sbt, CacheKind::Ivy, CacheKind::Coursier]);
        let update = match &cx.settings.lang.sbt_project {
            Some(p) => format!("{p}/update"),
            None => "update".into(),
        };
        b.push(
            Step::run(
                Phase::Install,
                [format!("sbt {update} || echo \"Dependency warm-up incomplete; the build step resolves the rest\"")],
            )
            .mounts(mounts.clone())
            .why("Warm up the dependency cache (optional: sub-project build files arrive with the source)"),
        );
        b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
        b.push(
            match &cx.settings.build_command {
                Some(cmd) => Step::run(Phase::Build, [cmd.clone()]).why("BUILD_COMMAND"),
                None => Step::run(Phase::Build, [format!("sbt {}", sbt.tasks.join(" "))])
                    .why("Compile and package"),
            }
            .mounts(mounts)
            // The build resolves whatever the warm-up missed: it needs the build secrets too.
            .secrets(&cx.settings.build_secrets),
        );
        let artifact = sbt.artifact(cx)?;
        let (runtime, default_command) = match &artifact {
            Some(a) => {
                if let Some(build) = b.pop() {
                    b.extend(jvm::with_jar(build, a, cx.settings.build_command.is_some()));
                }
                (jvm::runtime_steps(cx, a), jvm::jar_command(cx))
            }
            None => {
                let r = vec![
                    jvm::runtime_env(),
                    Step::copy_from(
                        Phase::Runtime,
                        "builder",
                        [format!("/build/{}", sbt.under("target/universal/stage"))],
                        "/app",
                    )
                    .chown(&cx.owner())
                    .why("The staged application (start script, jars, config) from the builder"),
                ];
                let script = format!("bin/{}{}", sbt.script, sbt.jvm_flags());
                let cmd = if cx.hardened() {
                    let words: Vec<&str> = script.split_whitespace().collect();
                    match sbt.java_form(&words[1..]) {
                        Some(c) => c,
                        None if jvm::user_command(cx)?.is_some_and(|c| !sbt.strip_stage(&c).starts_with("bin/")) => script,
                        None => return Err(PlanError::Manifest {
                            path: "build.sbt".into(),
                            reason: "USE_DHI runs the app with java directly (the hardened image has no shell for the start script), so build.sbt must name the main class: Compile / mainClass := Some(\"com.example.Main\")".into(),
                        }),
                    }
                } else {
                    script
                };
                (r, cmd)
            }
        };
        let mut notes = vec![format!("sbt {}, Java {java}", sbt.sbt_version)];
        if sbt.play {
            notes.push("Play Framework application".into());
        }
        Ok(LanguagePlan {
            package_manager: Some("sbt".into()),
            build_image: format!(
                "sbtscala/scala-sbt:eclipse-temurin-{jdk}_{}_{}",
                sbt.sbt_version, cx.version.value
            ),
            runtime_image: jvm::jre_image(cx, java),
            builder: b,
            runtime,
            default_command,
            no_shell: cx.hardened(),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        let Ok(sbt) = analyse(cx) else {
            return command.to_string();
        };
        match sbt.artifact(cx) {
            Ok(None) => {
                let cmd = sbt.strip_stage(command);
                let words: Vec<&str> = cmd.split_whitespace().collect();
                match words.first() {
                    Some(w) if cx.hardened() && w.starts_with("bin/") => {
                        sbt.java_form(&words[1..]).unwrap_or(cmd)
                    }
                    _ => cmd,
                }
            }
            Ok(Some(Artifact::Jar(_))) => jvm::translate(cx, command),
            _ => command.to_string(),
        }
    }
}
