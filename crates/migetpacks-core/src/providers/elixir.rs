//! Elixir: Mix projects, shipped as a Mix release when the project is set up for one
//! (`releases:` in mix.exs, `config/runtime.exs` or `rel/`), else run with Mix
//! (`mix phx.server` for Phoenix, `mix run --no-halt` otherwise). Elixir has no hardened
//! images: `USE_DHI` is ignored with a warning.

use super::files::copy_keeping_paths;
use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use regex::Regex;

/// The Elixir provider.
pub struct Elixir;

/// Mix archives (Hex, rebar): outside the Hex cache mount so they stay in the image layer,
/// and copied to the runtime when the app runs under Mix.
const MIX_HOME: &str = "/opt/mix";
/// Hex's home, where the Hex cache mount is.
const HEX_HOME: &str = "/root/.hex";

/// What the generator knows about a Mix project.
struct Mix {
    /// `MIX_ENV` for paths (`prod`; Mix's default `dev` when MIX_ENV is empty).
    env: String,
    phoenix: bool,
    /// Release name when shipping a release.
    release: Option<String>,
    /// The command running the `assets.deploy` alias (in the umbrella child defining it).
    assets: Option<String>,
    /// Child apps of an umbrella (`apps/<name>`).
    children: Vec<String>,
    git_deps: bool,
}

fn capture(text: &str, pattern: &str) -> Option<String> {
    Regex::new(pattern)
        .expect("static regex")
        .captures(text)
        .map(|c| c[1].to_string())
}

fn analyse(cx: &Context) -> Result<Mix, PlanError> {
    let root = cx.read("mix.exs")?.ok_or_else(|| PlanError::Manifest {
        path: "mix.exs".into(),
        reason: "missing: an Elixir app needs a Mix project".into(),
    })?;
    let mut children = Vec::new();
    let mut child_texts = Vec::new();
    if cx.tree.is_dir("apps") {
        for e in cx.tree.list("apps")? {
            let path = format!("apps/{}/mix.exs", e.name);
            if e.is_dir && cx.has(&path) {
                child_texts.push((
                    format!("apps/{}", e.name),
                    cx.read(&path)?.unwrap_or_default(),
                ));
                children.push(format!("apps/{}", e.name));
            }
        }
    }
    let umbrella = !children.is_empty() || root.contains("apps_path");
    let phoenix_re = Regex::new(r"\{\s*:phoenix\s*,").expect("static regex");
    let phoenix =
        phoenix_re.is_match(&root) || child_texts.iter().any(|(_, t)| phoenix_re.is_match(t));
    let explicit = capture(&root, r"releases:\s*\[\s*(\w+):");
    // An umbrella can only be released with explicit `releases:`.
    let wants_release = root.contains("releases:")
        || (!umbrella && (cx.has("config/runtime.exs") || cx.tree.is_dir("rel")));
    let release = match (wants_release, explicit) {
        (false, _) => None,
        (true, Some(name)) => Some(name),
        (true, None) => {
            Some(
                capture(&root, r"app:\s*:(\w+)").ok_or_else(|| PlanError::Manifest {
                    path: "mix.exs".into(),
                    reason: "set up for a release but no `app: :name` in project/0 to name it"
                        .into(),
                })?,
            )
        }
    };
    let alias = |t: &str| t.contains("\"assets.deploy\"");
    let assets = if alias(&root) {
        Some("mix assets.deploy".to_string())
    } else {
        child_texts.iter().find(|(_, t)| alias(t)).map(|(dir, t)| {
            let app = capture(t, r"app:\s*:(\w+)")
                .unwrap_or_else(|| dir.trim_start_matches("apps/").to_string());
            format!("mix cmd --app {app} mix assets.deploy")
        })
    };
    let env = match cx.settings.lang.mix_env.as_str() {
        "" => "dev".to_string(),
        e => e.to_string(),
    };
    let git_deps = cx.read("mix.lock")?.is_some_and(|l| l.contains(":git,"));
    Ok(Mix {
        env,
        phoenix,
        release,
        assets,
        children,
        git_deps,
    })
}

impl Provider for Elixir {
    fn language(&self) -> Language {
        Language::Elixir
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["mix.exs", "mix.lock"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Verbatim;
        first!(
            v.env(Verbatim),
            v.version_file(".elixir-version", Verbatim),
            v.tool_files(Verbatim),
            v.line(
                "mix.exs",
                &MIX_ELIXIR,
                "mix.exs elixir",
                super::Transform::Norm
            ),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let v = &cx.version.value;
        let mix = analyse(cx)?;
        let mix_env = &cx.settings.lang.mix_env;
        let mut warnings = Vec::new();
        if cx.settings.use_dhi {
            warnings.push(
                "USE_DHI: there are no hardened Elixir images; using the official elixir images"
                    .into(),
            );
        }
        let mut env = vec![
            EnvVar::new("HEX_HOME", HEX_HOME),
            EnvVar::new("MIX_HOME", MIX_HOME),
        ];
        if !mix_env.is_empty() {
            env.insert(0, EnvVar::new("MIX_ENV", mix_env));
        }
        let mut b = vec![
            Step::env(Phase::Setup, env)
                .why("Mix environment; Hex's home is where its cache mount is"),
            Step::run(
                Phase::Setup,
                ["mix local.hex --force", "mix local.rebar --force"],
            )
            .why("Hex and rebar, in a layer of their own that no project change invalidates"),
        ];
        let mut manifests = cx.existing(&["mix.exs", "mix.lock"]);
        manifests.extend(mix.children.iter().map(|c| format!("{c}/mix.exs")));
        b.extend(copy_keeping_paths(
            &manifests,
            if mix.children.is_empty() {
                "Mix files first: the dependency layer below is reused while they are unchanged"
            } else {
                "Mix files first, umbrella apps' at their paths: the dependency layer below is reused while they are unchanged"
            },
        ));
        // Config is read while dependencies compile; config/*.exs may import each other.
        let mut configs: Vec<String> = Vec::new();
        for dir in std::iter::once("config".to_string())
            .chain(mix.children.iter().map(|c| format!("{c}/config")))
        {
            if cx.tree.is_dir(&dir) {
                configs.push(dir);
            }
        }
        for dir in configs {
            b.push(Step::copy(
                Phase::Manifests,
                [format!("{dir}/")],
                &format!("{dir}/"),
            ));
        }
        let deps_get = if mix_env.is_empty() {
            "mix deps.get".to_string()
        } else {
            format!("mix deps.get --only {mix_env}")
        };
        b.push(
            Step::run(Phase::Install, [deps_get, "mix deps.compile".to_string()])
                .mounts(cx.mounts(&[CacheKind::Hex]))
                .why("Fetch and compile dependencies"),
        );
        b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
        let mut build: Vec<String> = Vec::new();
        let mut what: Vec<&str> = Vec::new();
        match &cx.settings.build_command {
            // A BUILD_COMMAND replaces compile and assets, in a RUN of its own.
            Some(cmd) => b.push(Step::run(Phase::Build, [cmd.clone()]).why("BUILD_COMMAND")),
            None => {
                build.push("mix compile".into());
                what.push("compile the application");
                match &mix.assets {
                    Some(cmd) => {
                        build.push(cmd.clone());
                        what.push("build and digest the Phoenix assets");
                    }
                    None if mix.phoenix && cx.tree.is_dir("assets") => warnings.push(
                        "Phoenix assets/ without an \"assets.deploy\" alias in mix.exs: assets are not built".into(),
                    ),
                    None => {}
                }
            }
        }
        if mix.release.is_some() {
            build.push("mix release".into());
            what.push(
                "assemble the release (it carries the Erlang runtime: Mix is not needed to run it)",
            );
        }
        if !build.is_empty() {
            let mut why = what.join(", then ");
            why[..1].make_ascii_uppercase();
            b.push(Step::run(Phase::Build, build).why(why));
        }
        let owner = cx.owner();
        let mut r = Vec::new();
        let default_command = if let Some(name) = &mix.release {
            if mix.phoenix {
                r.push(
                    Step::env(Phase::Runtime, vec![EnvVar::new("PHX_SERVER", "true")])
                        .why("Start Phoenix's endpoint in the release"),
                );
            }
            r.push(
                Step::copy_from(
                    Phase::Runtime,
                    "builder",
                    [format!("/build/_build/{}/rel/{name}", mix.env)],
                    "/app",
                )
                .chown(&owner)
                .why("The release from the builder"),
            );
            format!("bin/{name} start")
        } else {
            if mix.git_deps {
                r.push(
                    Step::run(
                        Phase::Runtime,
                        [
                            "apt-get update",
                            "apt-get install -y --no-install-recommends git",
                            "rm -rf /var/lib/apt/lists/*",
                        ],
                    )
                    .why("Mix checks git dependencies with git when the app starts"),
                );
            }
            let mut env = vec![EnvVar::new("MIX_HOME", MIX_HOME)];
            if !mix_env.is_empty() {
                env.insert(0, EnvVar::new("MIX_ENV", mix_env));
            }
            r.push(Step::env(Phase::Runtime, env).why("The app runs under Mix"));
            r.push(
                Step::copy_from(Phase::Runtime, "builder", [MIX_HOME], MIX_HOME)
                    .chown(&owner)
                    .why("Hex and rebar for Mix at run time"),
            );
            r.push(cx.copy_build_to_app());
            if mix.phoenix {
                "mix phx.server"
            } else {
                "mix run --no-halt"
            }
            .to_string()
        };
        let mut notes = Vec::new();
        if let Some(name) = &mix.release {
            notes.push(format!("Mix release {name}"));
        }
        if mix.phoenix {
            notes.push("Phoenix application".into());
        }
        if !mix.children.is_empty() {
            notes.push(format!("umbrella with {} apps", mix.children.len()));
        }
        Ok(LanguagePlan {
            package_manager: Some("mix".into()),
            build_image: format!("elixir:{v}"),
            runtime_image: format!("elixir:{v}-slim"),
            builder: b,
            runtime: r,
            default_command,
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    /// A release command written for the builder's layout (`_build/prod/rel/app/bin/app
    /// start`) points into `/app`, where the release is.
    fn translate_command(&self, cx: &Context, command: &str) -> String {
        match analyse(cx) {
            Ok(Mix {
                release: Some(name),
                env,
                ..
            }) => {
                let prefix = format!(
                    r"(^|\s)(\./)?_build/{}/rel/{}/",
                    regex::escape(&env),
                    regex::escape(&name)
                );
                Regex::new(&prefix)
                    .expect("escaped regex")
                    .replace_all(command, "$1")
                    .into_owned()
            }
            _ => command.to_string(),
        }
    }
}

// `project/0` in mix.exs: `elixir: "~> 1.16",` (the requirement the app compiles with).
re!(MIX_ELIXIR, r#"^\s*elixir:\s*"([^"]*)""#);
