//! Node.js: npm, Yarn (classic and Berry) and pnpm, with Next.js standalone output.
//!
//! The lockfile of the detected package manager picks the install command at generation time.
//! Without a build script, only production dependencies are installed and the source goes
//! straight from the build context into the runtime stage as its last layer.

use super::{Context, LanguagePlan, PlanError, Provider};
use crate::detect::PackageManager;
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use serde_json::Value;

/// The Node.js provider.
pub struct Nodejs;

/// The parts of package.json the generator uses.
pub struct PackageJson {
    /// `scripts`.
    pub scripts: serde_json::Map<String, Value>,
    /// `packageManager` (Corepack), e.g. `yarn@4.1.0`.
    pub package_manager: Option<String>,
    /// `main`.
    pub main: Option<String>,
}

impl PackageJson {
    /// Read and parse `package.json`; a malformed file is an error naming it.
    pub fn read(cx: &Context) -> Result<Option<PackageJson>, PlanError> {
        let Some(text) = cx.read("package.json")? else {
            return Ok(None);
        };
        let v: Value = serde_json::from_str(&text).map_err(|e| PlanError::Manifest {
            path: "package.json".into(),
            reason: e.to_string(),
        })?;
        let obj = v.as_object().ok_or_else(|| PlanError::Manifest {
            path: "package.json".into(),
            reason: "expected a JSON object".into(),
        })?;
        Ok(Some(PackageJson {
            scripts: obj
                .get("scripts")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            package_manager: obj
                .get("packageManager")
                .and_then(Value::as_str)
                .map(str::to_string),
            main: obj.get("main").and_then(Value::as_str).map(str::to_string),
        }))
    }

    /// A non-empty script.
    pub fn script(&self, name: &str) -> Option<&str> {
        self.scripts
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }
}

/// How one package manager installs, builds and prunes (shared with [`super::multi`], which
/// installs Node.js dependencies beside another primary language).
pub(super) struct Manager {
    pub(super) name: &'static str,
    /// The lockfile first, then other files the install reads.
    pub(super) lockfiles: &'static [&'static str],
    pub(super) cache: CacheKind,
    /// Enable the manager through Corepack first.
    pub(super) corepack: bool,
    pub(super) install_all: &'static str,
    pub(super) install_all_unlocked: &'static str,
    install_prod: &'static str,
    prune: Option<&'static str>,
    pub(super) run: &'static str,
}

impl Manager {
    /// True when the lockfile of this manager exists (a locked install is possible).
    pub(super) fn locked(&self, cx: &Context) -> bool {
        self.lockfiles.iter().take(1).any(|l| cx.has(l))
            || (self.name == "npm" && cx.has("npm-shrinkwrap.json"))
    }
}

/// The manager for `pm`, telling Yarn Berry from classic by `.yarnrc.yml` or the
/// `packageManager` field.
pub(super) fn manager_for(cx: &Context, pkg: &PackageJson, pm: PackageManager) -> Manager {
    let berry = pm == PackageManager::Yarn
        && (cx.has(".yarnrc.yml")
            || pkg
                .package_manager
                .as_deref()
                .is_some_and(|p| p.starts_with("yarn@") && !p.starts_with("yarn@1.")));
    manager(pm, berry)
}

fn manager(pm: PackageManager, berry: bool) -> Manager {
    match pm {
        PackageManager::Yarn if berry => Manager {
            name: "yarn",
            lockfiles: &["yarn.lock", ".yarnrc.yml"],
            cache: CacheKind::YarnBerry,
            corepack: true,
            install_all: "yarn install --immutable",
            install_all_unlocked: "yarn install",
            install_prod: "yarn install --immutable",
            prune: None,
            run: "yarn run",
        },
        PackageManager::Yarn => Manager {
            name: "yarn",
            lockfiles: &["yarn.lock", ".yarnrc"],
            cache: CacheKind::Yarn,
            corepack: false,
            install_all: "yarn install --frozen-lockfile",
            install_all_unlocked: "yarn install",
            install_prod: "yarn install --frozen-lockfile --production",
            prune: Some(
                "yarn install --frozen-lockfile --production --ignore-scripts --prefer-offline",
            ),
            run: "yarn run",
        },
        PackageManager::Pnpm => Manager {
            name: "pnpm",
            lockfiles: &["pnpm-lock.yaml", "pnpm-workspace.yaml"],
            cache: CacheKind::Pnpm,
            corepack: true,
            install_all: "pnpm install --frozen-lockfile",
            install_all_unlocked: "pnpm install",
            install_prod: "pnpm install --frozen-lockfile --prod",
            prune: Some("pnpm prune --prod"),
            run: "pnpm run",
        },
        _ => Manager {
            name: "npm",
            lockfiles: &["package-lock.json", "npm-shrinkwrap.json"],
            cache: CacheKind::Npm,
            corepack: false,
            install_all: "npm ci",
            install_all_unlocked: "npm install",
            install_prod: "npm ci --omit=dev",
            prune: Some("npm prune --omit=dev"),
            run: "npm run",
        },
    }
}

/// The start command for images without a shell: `npm start` becomes the start script, with
/// a bare tool name looked up in `node_modules/.bin`.
fn shell_free_start(pkg: &PackageJson, command: &str) -> String {
    if command.trim() != "npm start" {
        return command.to_string();
    }
    let Some(script) = pkg.script("start") else {
        return "node index.js".into();
    };
    let first = script.split_whitespace().next().unwrap_or_default();
    if first == "node" || first.starts_with('.') || first.starts_with('/') || first.contains('=') {
        script.to_string()
    } else {
        format!("node_modules/.bin/{script}")
    }
}

impl Provider for Nodejs {
    fn language(&self) -> Language {
        Language::Nodejs
    }

    /// `package.json` (the package-manager evidence is added when the project is analysed).
    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        Ok(tree.is_file("package.json").then(Vec::new))
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Node;
        first!(
            v.env(Node),
            v.version_file(".node-version", Node),
            v.version_file(".nvmrc", Node),
            v.tool_files(Node), // .tool-versions, mise.toml
            v.package_json_str(&["engines", "node"], Node),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let v = &cx.version.value;
        let pkg = PackageJson::read(cx)?.ok_or_else(|| PlanError::Manifest {
            path: "package.json".into(),
            reason: "missing: a Node.js app needs a package.json (a lockfile alone is not enough)"
                .into(),
        })?;
        let pm = cx.detection.package_manager.unwrap_or(PackageManager::Npm);
        let m = manager_for(cx, &pkg, pm);
        let locked = m.locked(cx);
        let build_script = ["heroku-postbuild", "build"]
            .into_iter()
            .find(|s| pkg.script(s).is_some());
        let build = match (&cx.settings.build_command, build_script) {
            (Some(cmd), _) => Some(cmd.clone()),
            (None, Some(script)) => Some(format!("{} {script}", m.run)),
            (None, None) => None,
        };
        let standalone = cx.detection.next_standalone;
        let mut b = Vec::new();
        b.push(
            Step::env(
                Phase::Setup,
                vec![
                    EnvVar::new("NODE_OPTIONS", &cx.settings.lang.node_options),
                    EnvVar::new("NPM_CONFIG_UPDATE_NOTIFIER", "false"),
                    EnvVar::new("NPM_CONFIG_FUND", "false"),
                ],
            )
            .why("Node.js build settings"),
        );
        if m.corepack {
            b.push(
                Step::run(Phase::Setup, [format!("corepack enable {}", m.name)])
                    .why("The package manager comes from Corepack (packageManager field)"),
            );
        }
        let mut manifests = vec!["package.json".to_string()];
        manifests.extend(cx.existing(m.lockfiles));
        manifests.extend(cx.existing(&[".npmrc"]));
        b.push(
            Step::copy(Phase::Manifests, manifests, "./")
                .why("package.json and the lockfile first: the install below is reused while they are unchanged"),
        );
        let install = match (locked, build.is_some() || m.prune.is_none()) {
            (false, _) => m.install_all_unlocked,
            (true, true) => m.install_all,
            (true, false) => m.install_prod,
        };
        b.push(
            Step::run(Phase::Install, [install])
                .mounts(cx.mounts(&[m.cache]))
                .why(if build.is_some() {
                    "Install dependencies, including the dev dependencies the build needs"
                } else {
                    "Install dependencies"
                }),
        );
        let mut runtime = Vec::new();
        let owner = cx.owner();
        if let Some(cmd) = &build {
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            b.push(
                Step::env(Phase::Build, vec![EnvVar::new("NODE_ENV", "production")])
                    .why("Production build from here on"),
            );
            b.push(Step::run(Phase::Build, [cmd.clone()]).why("Build"));
            if standalone {
                runtime.push(
                    Step::copy_from(
                        Phase::Runtime,
                        "builder",
                        ["/build/.next/standalone"],
                        "/app",
                    )
                    .chown(&owner)
                    .why("Next.js standalone server"),
                );
                runtime.push(
                    Step::copy_from(
                        Phase::Runtime,
                        "builder",
                        ["/build/.next/static"],
                        "/app/.next/static",
                    )
                    .chown(&owner),
                );
                if cx.tree.is_dir("public") {
                    runtime.push(
                        Step::copy_from(
                            Phase::Runtime,
                            "builder",
                            ["/build/public"],
                            "/app/public",
                        )
                        .chown(&owner),
                    );
                }
                runtime.push(Step::env(
                    Phase::Runtime,
                    vec![EnvVar::new("HOSTNAME", "::")],
                ));
            } else {
                if let (Some(prune), true) = (m.prune, locked) {
                    b.push(
                        Step::run(Phase::Prune, [prune])
                            .mounts(cx.mounts(&[m.cache]))
                            .why("Drop dev dependencies"),
                    );
                }
                runtime.push(cx.copy_build_to_app());
            }
        } else {
            runtime.push(
                Step::copy_from(
                    Phase::Runtime,
                    "builder",
                    ["/build/node_modules"],
                    "/app/node_modules",
                )
                .chown(&owner)
                .why("Dependencies from the builder"),
            );
            runtime.push(cx.copy_source_to_app());
        }
        runtime.insert(
            0,
            Step::env(
                Phase::Runtime,
                vec![
                    EnvVar::new("NODE_ENV", "production"),
                    EnvVar::new("NPM_CONFIG_UPDATE_NOTIFIER", "false"),
                ],
            )
            .why("Node.js production environment"),
        );
        let default_command = if standalone {
            "node server.js".to_string()
        } else if pkg.script("start").is_some() {
            "npm start".to_string()
        } else if let Some(main) = pkg.main.as_deref().filter(|m| cx.has(m)) {
            format!("node {main}")
        } else {
            let entry = ["index.js", "server.js", "app.js", "main.js"]
                .into_iter()
                .find(|f| cx.has(f))
                .unwrap_or("index.js");
            format!("node {entry}")
        };
        let mut notes = Vec::new();
        if standalone {
            notes.push("Next.js standalone output detected".into());
        }
        Ok(LanguagePlan {
            package_manager: Some(m.name.into()),
            build_image: if cx.hardened() {
                format!("dhi.io/node:{v}-dev")
            } else {
                format!("node:{v}")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/node:{v}")
            } else {
                format!("node:{v}-slim")
            },
            builder: b,
            runtime,
            default_command,
            no_shell: cx.hardened(),
            notes,
            ..LanguagePlan::default()
        })
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        if !cx.hardened() {
            return command.to_string();
        }
        match PackageJson::read(cx) {
            Ok(Some(pkg)) => shell_free_start(&pkg, command),
            _ => command.to_string(),
        }
    }
}
