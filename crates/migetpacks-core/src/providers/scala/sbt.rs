//! What the generator reads from an sbt build: sbt version, packaging plugin, the built
//! project's folder, the start script's name, the main class and the tasks to run.

use super::super::jvm::{self, Artifact, Jar};
use super::super::{Context, PlanError};
use regex::Regex;

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
pub(super) struct Sbt {
    pub(super) sbt_version: String,
    pub(super) play: bool,
    packaging: Packaging,
    /// Folder of the built project (`SBT_PROJECT`), empty for the root project.
    pub(super) dir: String,
    /// Start script name in `stage/bin`.
    pub(super) script: String,
    pub(super) main_class: Option<String>,
    pub(super) tasks: Vec<String>,
    pub(super) warnings: Vec<String>,
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

pub(super) fn analyse(cx: &Context) -> Result<Sbt, PlanError> {
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
    pub(super) fn under(&self, path: &str) -> String {
        if self.dir.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.dir)
        }
    }

    /// Drop the `target/universal/stage/` prefix from a start command's words: the staged
    /// folder is `/app` in the image.
    pub(super) fn strip_stage(&self, command: &str) -> String {
        let prefix = re(&format!(
            r"(^|\s)(\./)?({}/)?target/universal/stage/",
            regex::escape(&self.dir)
        ));
        prefix.replace_all(command, "$1").into_owned()
    }

    pub(super) fn jvm_flags(&self) -> &'static str {
        if self.play {
            // Play reads its port from http.port; no RUNNING_PID file in a container.
            " -Dhttp.port=$PORT -Dpidfile.path=/dev/null"
        } else {
            ""
        }
    }

    /// The stage script's command as a plain `java` command (hardened images have no shell to
    /// run the script): `-D…` and `-J…` words go to the JVM, the rest to the app.
    pub(super) fn java_form(&self, script_args: &[&str]) -> Option<String> {
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
    pub(super) fn artifact(&self, cx: &Context) -> Result<Option<Artifact>, PlanError> {
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
