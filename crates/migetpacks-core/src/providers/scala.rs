//! Scala: sbt builds packaged by sbt-native-packager (`stage`, also what Play uses) or
//! sbt-assembly (one fat jar). Everything the start command needs (the staged folder, the
//! start script's name, the main class for hardened images) is resolved from the build files
//! at generation time. Mill builds (`build.sc`) are refused with a clear error.

use super::jvm::{self, Artifact, Jar};
use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use regex::Regex;

/// The Scala provider.
pub struct Scala;

/// JDK builds of the `sbtscala/scala-sbt` images, by Java major.
const JDK_TAGS: [(u32, &str); 4] = [
    (8, "8u442-b06"),
    (11, "11.0.26_4"),
    (17, "17.0.15_6"),
    (21, "21.0.6_7"),
];
/// sbt used when `project/build.properties` does not pin one.
const DEFAULT_SBT: &str = "1.12.0";
/// Play's server entry point (what Play's start script runs).
const PLAY_MAIN: &str = "play.core.server.ProdServerStart";

/// How the build packages the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Packaging {
    /// sbt-native-packager `stage` (Play includes it): `target/universal/stage`.
    Stage,
    /// sbt-assembly: one jar under `target/scala-*/`.
    Assembly,
    /// Neither plugin; `SBT_TASKS` says what to run and the whole build folder is shipped.
    Custom,
}

/// What the generator knows about an sbt build.
struct Sbt {
    sbt_version: String,
    play: bool,
    packaging: Packaging,
    /// Folder of the built project (`SBT_PROJECT`), empty for the root project.
    dir: String,
    /// Start script name in `stage/bin`.
    script: String,
    main_class: Option<String>,
    tasks: Vec<String>,
    warnings: Vec<String>,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// sbt's `normalizedName`: lower case, runs of non-word characters become `-`.
fn normalize(name: &str) -> String {
    re(r"\W+")
        .replace_all(&name.to_lowercase(), "-")
        .into_owned()
}

/// The text of `lazy val <id> = …` up to the next `lazy val`.
fn project_block<'a>(text: &'a str, id: &str) -> Option<&'a str> {
    let start = re(&format!(r"lazy\s+val\s+{}\s*=", regex::escape(id)))
        .find(text)?
        .start();
    let rest = &text[start..];
    let end = rest[1..].find("lazy val").map_or(rest.len(), |i| i + 1);
    Some(&rest[..end])
}

fn setting(block: &str, key: &str) -> Option<String> {
    re(&format!(r#"\b{key}\s*:=\s*"([^"]+)""#))
        .captures(block)
        .map(|c| c[1].to_string())
}

/// The sbt version pinned in `project/build.properties`, checked against what the images run.
fn sbt_version(cx: &Context, warnings: &mut Vec<String>) -> Result<String, PlanError> {
    let pinned = cx.read("project/build.properties")?.and_then(|t| {
        t.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "sbt.version").then(|| v.split_whitespace().collect::<String>())
        })
    });
    let Some(v) = pinned.filter(|v| !v.is_empty()) else {
        return Ok(DEFAULT_SBT.into());
    };
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(0), Some(minor)) if minor < 13 => Err(PlanError::Manifest {
            path: "project/build.properties".into(),
            reason: format!("sbt {v} is not supported; the minimum is 0.13.18"),
        }),
        (Some(0), Some(_)) => {
            warnings.push(format!(
                "sbt {v} (0.13.x) is deprecated; upgrade to sbt 1.x"
            ));
            Ok(v)
        }
        (Some(2), _) => {
            warnings.push(format!("sbt {v}: sbt 2.x support is experimental"));
            Ok(v)
        }
        (Some(_), Some(_)) => Ok(v),
        _ => Err(PlanError::Manifest {
            path: "project/build.properties".into(),
            reason: format!("sbt.version {v:?} is not a version"),
        }),
    }
}

fn analyse(cx: &Context) -> Result<Sbt, PlanError> {
    let Some(build) = cx.read("build.sbt")? else {
        if cx.has("build.sc") || cx.has("build.mill") {
            return Err(PlanError::Manifest {
                path: if cx.has("build.sc") { "build.sc" } else { "build.mill" }.into(),
                reason: "Mill builds are not supported; add an sbt build (build.sbt) or build with your own Dockerfile".into(),
            });
        }
        return Err(PlanError::Manifest {
            path: "build.sbt".into(),
            reason: "missing: Scala apps are built with sbt".into(),
        });
    };
    let mut warnings = Vec::new();
    let sbt_version = sbt_version(cx, &mut warnings)?;
    let mut plugins = String::new();
    for e in cx.tree.list("project")? {
        if !e.is_dir && e.name.ends_with(".sbt") {
            plugins.push_str(&cx.read(&format!("project/{}", e.name))?.unwrap_or_default());
        }
    }
    let play = ["PlayScala", "PlayJava", "PlayMinimalJava", "play.sbt.Play"]
        .iter()
        .any(|p| build.contains(p));
    let packaging = if play || plugins.contains("sbt-native-packager") {
        Packaging::Stage
    } else if plugins.contains("sbt-assembly") {
        Packaging::Assembly
    } else {
        Packaging::Custom
    };
    let s = &cx.settings.lang;
    let project = s.sbt_project.as_deref();
    // The project's folder: `project in file("dir")`, else sbt's default (the id), "" for root.
    let dir = match project {
        None => String::new(),
        Some(p) => project_block(&build, p)
            .and_then(|b| {
                re(r#"file\(\s*"([^"]*)"\s*\)"#)
                    .captures(b)
                    .map(|c| c[1].to_string())
            })
            .unwrap_or_else(|| p.to_string())
            .trim_matches(['.', '/'])
            .to_string(),
    };
    // The root project's settings are in `lazy val x = (project in file("."))` or at top level.
    let root_id = re(
        r#"lazy\s+val\s+(\w+)\s*=\s*\(?\s*project\s*(?:\.in\s*\(|in\s+)\s*file\(\s*"\.?/?"\s*\)"#,
    )
    .captures(&build)
    .map(|c| c[1].to_string());
    let (block, default_name) = match (project, &root_id) {
        (Some(p), _) => (project_block(&build, p).unwrap_or(""), p.to_string()),
        (None, Some(id)) => (project_block(&build, id).unwrap_or(""), id.clone()),
        // Top-level settings only; sbt names such a project after its folder (/build).
        (None, None) => (build.as_str(), "build".to_string()),
    };
    let script = setting(block, "executableScriptName")
        .unwrap_or_else(|| normalize(&setting(block, "name").unwrap_or(default_name)));
    let main_class = re(r#"mainClass[^\n]*?:=\s*Some\(\s*"([^"]+)"\s*\)"#)
        .captures(block)
        .or_else(|| re(r#"mainClass[^\n]*?:=\s*Some\(\s*"([^"]+)"\s*\)"#).captures(&build))
        .map(|c| c[1].to_string());
    let mut tasks: Vec<String> = match (&s.sbt_tasks, packaging) {
        (Some(t), _) => t.split_whitespace().map(str::to_string).collect(),
        (None, Packaging::Stage) => vec!["compile".into(), "stage".into()],
        (None, Packaging::Assembly) => vec!["compile".into(), "assembly".into()],
        (None, Packaging::Custom) => {
            return Err(PlanError::Manifest {
                path: "project/plugins.sbt".into(),
                reason: "neither sbt-native-packager nor sbt-assembly is configured, so the build has nothing to run; add one of them, or set SBT_TASKS and RUN_COMMAND".into(),
            })
        }
    };
    if s.sbt_clean {
        tasks.insert(0, "clean".into());
    }
    if let Some(p) = project {
        tasks = tasks.into_iter().map(|t| format!("{p}/{t}")).collect();
    }
    Ok(Sbt {
        sbt_version,
        play,
        packaging,
        dir,
        script,
        main_class,
        tasks,
        warnings,
    })
}

impl Sbt {
    fn under(&self, path: &str) -> String {
        if self.dir.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.dir)
        }
    }

    /// Drop the `target/universal/stage/` prefix from a start command's words: the staged
    /// folder is `/app` in the image.
    fn strip_stage(&self, command: &str) -> String {
        let prefix = re(&format!(
            r"(^|\s)(\./)?({}/)?target/universal/stage/",
            regex::escape(&self.dir)
        ));
        prefix.replace_all(command, "$1").into_owned()
    }

    fn jvm_flags(&self) -> &'static str {
        if self.play {
            // Play reads its port from http.port; no RUNNING_PID file in a container.
            " -Dhttp.port=$PORT -Dpidfile.path=/dev/null"
        } else {
            ""
        }
    }

    /// The stage script's command as a plain `java` command (hardened images have no shell to
    /// run the script): `-D…` and `-J…` words go to the JVM, the rest to the app.
    fn java_form(&self, script_args: &[&str]) -> Option<String> {
        let main = if self.play {
            PLAY_MAIN.to_string()
        } else {
            self.main_class.clone()?
        };
        let cp = if self.play { "conf/:lib/*" } else { "lib/*" };
        let mut jvm = Vec::new();
        let mut app = Vec::new();
        for a in script_args {
            if a.starts_with("-D") {
                jvm.push(a.to_string());
            } else if let Some(j) = a.strip_prefix("-J") {
                jvm.push(j.to_string());
            } else {
                app.push(a.to_string());
            }
        }
        let mut words = vec!["java".to_string()];
        words.extend(jvm);
        words.extend(["-cp".to_string(), cp.to_string(), main]);
        words.extend(app);
        Some(words.join(" "))
    }

    /// The artifact for the user's start command (a staged app whose command reaches into
    /// other build outputs gets the whole build folder).
    fn artifact(&self, cx: &Context) -> Result<Option<Artifact>, PlanError> {
        Ok(match self.packaging {
            Packaging::Custom => Some(Artifact::Tree),
            Packaging::Assembly => Some(jvm::artifact(
                cx,
                Jar::Select {
                    dir: self.under("target"),
                    depth: 2,
                    name: "*.jar".into(),
                },
            )?),
            Packaging::Stage => match jvm::user_command(cx)? {
                Some(cmd) if self.strip_stage(&cmd).contains("target/") => Some(Artifact::Tree),
                _ => None,
            },
        })
    }
}

impl Provider for Scala {
    fn language(&self) -> Language {
        Language::Scala
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
        .why("sbt build settings")];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_blocks() {
        assert_eq!(normalize("Scala Example"), "scala-example");
        assert_eq!(normalize("my_app"), "my_app");
        let build = "lazy val root = (project in file(\".\")).settings(name := \"Root App\")\nlazy val web = project.in(file(\"modules/web\")).settings(name := \"web-app\", Compile / mainClass := Some(\"web.Main\"))\n";
        let web = project_block(build, "web").unwrap();
        assert!(web.starts_with("lazy val web") && web.contains("web.Main"));
        assert_eq!(setting(web, "name").as_deref(), Some("web-app"));
        assert_eq!(
            setting(project_block(build, "root").unwrap(), "name").as_deref(),
            Some("Root App")
        );
    }
}
