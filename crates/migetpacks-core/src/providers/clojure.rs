//! Clojure: Leiningen (`project.clj`, `lein uberjar`) or the Clojure CLI with a tools.build
//! `:build` alias (`deps.edn`, `clojure -T:build uber`), packaged into one runnable jar. The
//! builder is the official Clojure image (it carries the build tool) even under `USE_DHI`;
//! only the runtime is hardened.

use super::jvm::{self, Jar};
use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use regex::Regex;

/// The Clojure provider.
pub struct Clojure;

fn capture(text: &str, pattern: &str) -> Option<String> {
    Regex::new(pattern)
        .expect("static regex")
        .captures(text)
        .map(|c| c[1].to_string())
}

/// The uberjar `lein uberjar` writes, resolved from project.clj: `:uberjar-name`, else
/// Leiningen's `<name>-<version>-standalone.jar`, under `:target-path` (default `target/%s`,
/// `%s` being the `uberjar` profile).
fn lein_uberjar(project: &str) -> Jar {
    let dir = capture(project, r#":target-path\s+"([^"]+)""#)
        .map(|p| p.replace("%s", "uberjar").trim_end_matches('/').to_string())
        .unwrap_or_else(|| "target/uberjar".into());
    if let Some(name) = capture(project, r#":uberjar-name\s+"([^"]+)""#) {
        return Jar::Exact(format!("{dir}/{name}"));
    }
    let defproject = Regex::new(r#"\(defproject\s+([^\s()"]+)\s+"([^"]+)""#)
        .expect("static regex")
        .captures(project);
    match defproject {
        Some(c) => {
            // `group/artifact` names the jar after the artifact.
            let name = c[1].rsplit('/').next().unwrap_or(&c[1]).to_string();
            Jar::Exact(format!("{dir}/{name}-{}-standalone.jar", &c[2]))
        }
        // A computed version: the build names the jar.
        None => Jar::Select {
            dir,
            depth: 1,
            name: "*-standalone.jar".into(),
        },
    }
}

impl Provider for Clojure {
    fn language(&self) -> Language {
        Language::Clojure
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["project.clj", "deps.edn"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        crate::version::jvm::clojure(v)
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let java = jvm::java_release(cx)?.major;
        let m2 = cx.mounts(&[CacheKind::M2]);
        let mut warnings = Vec::new();
        let mut b = Vec::new();
        let (tool, image, default_jar) = if let Some(project) = cx.read("project.clj")? {
            b.push(
                Step::env(
                    Phase::Setup,
                    vec![jvm::builder_env(), EnvVar::new("LEIN_ROOT", "1")],
                )
                .why("Sources compile as UTF-8; LEIN_ROOT: lein runs as root in the builder on purpose"),
            );
            b.push(
                Step::copy(
                    Phase::Manifests,
                    cx.existing(&["project.clj", "profiles.clj"]),
                    "./",
                )
                .why(
                    "project.clj first: the dependency layer below is reused while it is unchanged",
                ),
            );
            b.push(
                Step::run(Phase::Install, ["lein deps"])
                    .mounts(m2.clone())
                    .why("Fetch dependencies"),
            );
            let task = cx
                .settings
                .lang
                .lein_build_task
                .clone()
                .unwrap_or_else(|| "uberjar".into());
            if !Regex::new(r":main\s+\S")
                .expect("static regex")
                .is_match(&project)
            {
                warnings.push("project.clj has no :main, so the uberjar has no Main-Class and `java -jar` cannot start it".into());
            }
            let jar = if task.trim() == "uberjar" {
                lein_uberjar(&project)
            } else {
                // Another task (profiles, aliases) may write elsewhere under target/.
                Jar::Select {
                    dir: "target".into(),
                    depth: 2,
                    name: capture(&project, r#":uberjar-name\s+"([^"]+)""#)
                        .unwrap_or_else(|| "*-standalone.jar".into()),
                }
            };
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            b.push(Step::run(Phase::Build, [format!("lein {task}")]).why("Build the uberjar"));
            ("lein", format!("clojure:temurin-{java}-lein"), jar)
        } else if let Some(deps) = cx.read("deps.edn")? {
            if !Regex::new(r":build\s*\{")
                .expect("static regex")
                .is_match(&deps)
            {
                return Err(PlanError::Manifest {
                    path: "deps.edn".into(),
                    reason: "no :build alias: add a tools.build alias whose build.clj has an `uber` function (clojure -T:build uber), or a project.clj".into(),
                });
            }
            b.push(
                Step::env(Phase::Setup, vec![jvm::builder_env()])
                    .why("Sources compile as UTF-8 whatever the image locale"),
            );
            b.push(
                Step::copy(Phase::Manifests, ["deps.edn"], "./").why(
                    "deps.edn first: the dependency layer below is reused while it is unchanged",
                ),
            );
            b.push(
                Step::run(Phase::Install, ["clojure -P", "clojure -P -T:build"])
                    .mounts(m2.clone())
                    .why("Fetch the app's and the build tool's dependencies"),
            );
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            b.push(Step::run(Phase::Build, ["clojure -T:build uber"]).why("Build the uberjar"));
            (
                "clojure",
                format!("clojure:temurin-{java}-tools-deps"),
                Jar::any_in("target"),
            )
        } else {
            return Err(PlanError::Manifest {
                path: "project.clj".into(),
                reason:
                    "missing: a Clojure app needs project.clj (Leiningen) or deps.edn (Clojure CLI)"
                        .into(),
            });
        };
        if let Some(cmd) = &cx.settings.build_command {
            // BUILD_COMMAND replaces the uberjar step.
            if let Some(last) = b.last_mut() {
                *last = Step::run(Phase::Build, [cmd.clone()]).why("BUILD_COMMAND");
            }
        }
        let artifact = jvm::artifact(cx, default_jar)?;
        if let Some(build) = b.pop() {
            b.extend(jvm::with_jar(
                build.mounts(m2),
                &artifact,
                cx.settings.build_command.is_some(),
            ));
        }
        let mut notes = vec![format!("Java {java}")];
        if cx.hardened() {
            notes.push(format!(
                "building on the official {tool} image, hardened runtime"
            ));
        }
        Ok(LanguagePlan {
            package_manager: Some(tool.into()),
            build_image: image,
            runtime_image: jvm::jre_image(cx, java),
            builder: b,
            runtime: jvm::runtime_steps(cx, &artifact),
            default_command: jvm::jar_command(cx),
            no_shell: cx.hardened(),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        jvm::translate(cx, command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uberjar_names() {
        assert_eq!(
            lein_uberjar("(defproject acme/shop \"1.2.0\"\n :main shop.core)"),
            Jar::Exact("target/uberjar/shop-1.2.0-standalone.jar".into())
        );
        assert_eq!(
            lein_uberjar("(defproject shop \"0.1.0-SNAPSHOT\" :uberjar-name \"shop.jar\" :target-path \"out/%s/\")"),
            Jar::Exact("out/uberjar/shop.jar".into())
        );
        assert_eq!(
            lein_uberjar("(defproject shop :project/git-ref)"),
            Jar::Select {
                dir: "target/uberjar".into(),
                depth: 1,
                name: "*-standalone.jar".into()
            }
        );
    }
}
