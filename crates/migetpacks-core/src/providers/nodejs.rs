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

mod lock;
pub mod pin;
pub mod start;
mod workspaces;

/// The Node.js provider.
pub struct Nodejs;

/// The parts of package.json the generator uses.
#[derive(Debug, Clone, Default)]
pub struct PackageJson {
    /// `scripts`.
    pub scripts: serde_json::Map<String, Value>,
    /// `packageManager` (Corepack), e.g. `yarn@4.1.0`.
    pub package_manager: Option<String>,
    /// `main`.
    pub main: Option<String>,
    /// Names in `dependencies` (what the app needs at run time).
    pub dependencies: Vec<String>,
    /// Names in `devDependencies` and `optionalDependencies`.
    pub dev_dependencies: Vec<String>,
    /// `workspaces` patterns (an array, or the `packages` of an object).
    pub workspaces: Vec<String>,
    /// `engines.pnpm`.
    pub engines_pnpm: Option<String>,
    /// `engines.yarn`.
    pub engines_yarn: Option<String>,
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
            dependencies: keys(obj, &["dependencies"]),
            dev_dependencies: keys(obj, &["devDependencies", "optionalDependencies"]),
            workspaces: strings(
                obj.get("workspaces")
                    .map(|w| w.get("packages").unwrap_or(w)),
            ),
            engines_pnpm: engine(obj, "pnpm"),
            engines_yarn: engine(obj, "yarn"),
        }))
    }

    /// True when `name` is a dependency or dev dependency.
    pub fn depends_on(&self, name: &str) -> bool {
        self.dependencies
            .iter()
            .chain(&self.dev_dependencies)
            .any(|d| d == name)
    }

    /// A non-empty script.
    pub fn script(&self, name: &str) -> Option<&str> {
        self.scripts
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }
}

/// The keys of the object fields `sections`.
fn keys(obj: &serde_json::Map<String, Value>, sections: &[&str]) -> Vec<String> {
    sections
        .iter()
        .filter_map(|s| obj.get(*s).and_then(Value::as_object))
        .flat_map(|o| o.keys().cloned())
        .collect()
}

/// The strings of an array value.
fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn engine(obj: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    obj.get("engines")?.get(name)?.as_str().map(str::to_string)
}

/// How one package manager installs, builds and prunes (shared with [`super::multi`], which
/// installs Node.js dependencies beside another primary language).
pub(super) struct Manager {
    pub(super) name: &'static str,
    /// The lockfile first, then other files the install reads.
    pub(super) lockfiles: &'static [&'static str],
    pub(super) cache: CacheKind,
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
    if !matches!(command.trim(), "npm start" | "yarn start") {
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

/// Where Corepack keeps the releases it prepared, shared by the builder and the runtime.
const COREPACK_HOME: &str = "/opt/corepack";

fn corepack_env() -> [EnvVar; 3] {
    [
        EnvVar::new("COREPACK_HOME", COREPACK_HOME),
        EnvVar::new("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"),
        EnvVar::new("COREPACK_ENABLE_AUTO_PIN", "0"),
    ]
}

/// The static server's command (Caddy with the Caddyfile [`static_server`] writes).
const STATIC_START: &str = "caddy run --config /etc/caddy/Caddyfile --adapter caddyfile";

/// Caddy in the runtime stage: the binary from the official image, a Caddyfile that serves
/// `/app` on `$PORT` with the single-page-app fallback to `/index.html`, and its state in
/// `/tmp` (the app user cannot write Caddy's default folders).
fn static_server(cx: &Context) -> Vec<Step> {
    let s = cx.settings;
    let image = crate::images::rewrite(
        "caddy:2",
        s.registry_mirror.as_deref(),
        s.dhi_mirror.as_deref(),
    );
    let caddyfile = [
        "{",
        "admin off",
        "auto_https off",
        "}",
        // Caddy substitutes {$PORT} when it reads the file; `\$` keeps the shell off it.
        "\":{\\$PORT} {\"",
        "root * /app",
        "encode gzip",
        "try_files {path} /index.html",
        "file_server",
        "}",
    ]
    .iter()
    .map(|l| {
        if l.starts_with('"') {
            l.to_string()
        } else {
            format!("'{l}'")
        }
    })
    .collect::<Vec<_>>()
    .join(" ");
    vec![
        Step::copy_from(
            Phase::Runtime,
            &image,
            ["/usr/bin/caddy"],
            "/usr/local/bin/caddy",
        )
        .why("Caddy serves the static site"),
        Step::run(
            Phase::Runtime,
            [
                "mkdir -p /etc/caddy".to_string(),
                format!("printf '%s\\n' {caddyfile} > /etc/caddy/Caddyfile"),
            ],
        )
        .why("Serve /app on $PORT; unknown paths get index.html (single-page apps)"),
        Step::env(
            Phase::Runtime,
            vec![
                EnvVar::new("XDG_CONFIG_HOME", "/tmp/caddy/config"),
                EnvVar::new("XDG_DATA_HOME", "/tmp/caddy/data"),
            ],
        ),
    ]
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
        let mut warnings = Vec::new();
        let mut notes = Vec::new();

        // The package manager release (pin.rs) and how Yarn is invoked.
        let berry = m.cache == CacheKind::YarnBerry;
        let yarnrc = if berry {
            pin::yarnrc(cx, &mut warnings)?
        } else {
            pin::YarnRc::default()
        };
        let pnp = berry && yarnrc.pnp;
        let release = yarnrc.yarn_path.as_ref().map(|p| format!("node {p}"));
        let corepack_pin = match m.name {
            "pnpm" => Some(pin::pnpm(cx, &pkg, &mut warnings)?),
            "yarn" if berry && release.is_none() => Some(pin::yarn_berry(cx, &pkg, &mut warnings)?),
            "yarn" if !berry => pin::yarn_classic(&pkg, &mut warnings),
            _ => None,
        };
        // A committed Yarn release runs as it is: no Corepack download, also at run time.
        let tool = |cmd: &str| match &release {
            Some(r) => cmd
                .strip_prefix("yarn ")
                .map_or_else(|| cmd.to_string(), |rest| format!("{r} {rest}")),
            None => cmd.to_string(),
        };
        let yarn_cmd = (m.name == "yarn").then(|| release.clone().unwrap_or_else(|| "yarn".into()));

        // Workspace members (workspaces.rs) and the lockfile check (lock.rs).
        let (members, members_why) = workspaces::members(cx, &pkg, &mut warnings)?;
        if !members_why.is_empty() {
            notes.push(format!("workspace members: {members_why}"));
        }
        let mut locked = m.locked(cx);
        if m.name == "npm" && locked {
            if let Some(diff) = lock::out_of_sync(cx, &members)? {
                warnings.push(format!(
                    "package-lock.json is out of sync with package.json ({diff}): installing with `npm install` instead of `npm ci`; run `npm install` and commit the lockfile"
                ));
                locked = false;
            }
        }

        let build_script = ["heroku-postbuild", "build"]
            .into_iter()
            .find(|s| pkg.script(s).is_some());
        let build = match (&cx.settings.build_command, build_script) {
            (Some(cmd), _) => Some(cmd.clone()),
            (None, Some(script)) => Some(tool(&format!("{} {script}", m.run))),
            (None, None) => None,
        };
        let standalone = cx.detection.next_standalone;

        // What the runtime serves (start.rs); a RUN_COMMAND or Procfile replaces the default.
        let runner = start::Runner {
            yarn: yarn_cmd.as_deref(),
            pnp,
        };
        // (A Procfile that is not a file is reported when it is read.)
        let overridden =
            cx.settings.run_command.is_some() || (cx.has("Procfile") || cx.tree.is_dir("Procfile"));
        let serve = match start::decide(cx, &pkg, &runner, standalone, build.is_some()) {
            Ok(s) => Some(s),
            Err(_) if overridden => None,
            Err(e) => return Err(e),
        };
        let static_dir = match &serve {
            Some(start::Serve::Static { dir, .. }) => Some(dir.clone()),
            _ => None,
        };
        if let Some(start::Serve::Server { why, .. } | start::Serve::Static { why, .. }) = &serve {
            notes.push(why.clone());
        }

        // Yarn Berry without a committed release runs through Corepack at start too, from the
        // release the builder prepared (no download at run time).
        let runtime_corepack = berry
            && release.is_none()
            && matches!(&serve, Some(start::Serve::Server { command, .. }) if command.split_whitespace().any(|w| w == "yarn"));
        // Prisma's client is generated at install by its CLI, a dev dependency: install
        // everything, then prune.
        let prisma = cx.tree.is_dir("prisma")
            && (pkg.depends_on("prisma") || pkg.depends_on("@prisma/client"));
        let source_in_builder = build.is_some() || !members.is_empty() || pnp || prisma;
        let any_deps = !pkg.dependencies.is_empty() || !pkg.dev_dependencies.is_empty();
        let hooks = ["preinstall", "install", "postinstall", "prepare"]
            .iter()
            .any(|s| pkg.script(s).is_some());
        let install_needed = hooks
            || !members.is_empty()
            || if source_in_builder {
                any_deps
            } else {
                !pkg.dependencies.is_empty()
            };
        if !install_needed {
            notes.push("package.json declares no dependencies: nothing to install".into());
        }

        // Nothing runs the package manager when there is nothing to install or build.
        let corepack_pin =
            corepack_pin.filter(|_| install_needed || build.is_some() || runtime_corepack);
        let mut b = Vec::new();
        let mut build_env = vec![
            EnvVar::new("NODE_OPTIONS", &cx.settings.lang.node_options),
            EnvVar::new("NPM_CONFIG_UPDATE_NOTIFIER", "false"),
            EnvVar::new("NPM_CONFIG_FUND", "false"),
        ];
        if corepack_pin.is_some() {
            build_env.extend(corepack_env());
        }
        b.push(Step::env(Phase::Setup, build_env).why("Node.js build settings"));
        if let Some(p) = &corepack_pin {
            notes.push(format!("{}: {}", p.spec, p.why));
            b.push(
                Step::run(
                    Phase::Setup,
                    [
                        format!("corepack enable {}", m.name),
                        format!("corepack prepare {} --activate", p.spec),
                    ],
                )
                .why(format!("{} from Corepack, pinned by {}", p.spec, p.why)),
            );
        }
        if install_needed {
            let mut manifests = vec!["package.json".to_string()];
            manifests.extend(cx.existing(m.lockfiles));
            manifests.extend(cx.existing(&[".npmrc", ".pnpmfile.cjs"]));
            b.push(
                Step::copy(Phase::Manifests, manifests, "./")
                    .why("package.json and the lockfile first: the install below is reused while they are unchanged"),
            );
            if berry {
                for dir in [".yarn/releases", ".yarn/plugins", ".yarn/patches"] {
                    if cx.tree.is_dir(dir) {
                        b.push(
                            Step::copy(Phase::Manifests, [dir], &format!("{dir}/"))
                                .why("Yarn's release, plugins and patches: the install needs them"),
                        );
                    }
                }
            }
            for (i, member) in members.iter().enumerate() {
                let step = Step::copy(
                    Phase::Manifests,
                    [format!("{member}/package.json")],
                    &format!("{member}/"),
                );
                b.push(if i == 0 {
                    step.why("Workspace members' package.json, at their paths: the install links every member")
                } else {
                    step
                });
            }
            if prisma {
                b.push(Step::copy(Phase::Manifests, ["prisma"], "prisma/").why(
                    "The Prisma schema: the client is generated when @prisma/client installs",
                ));
            }
            let install = match (locked, source_in_builder || m.prune.is_none()) {
                (false, _) => m.install_all_unlocked,
                (true, true) => m.install_all,
                (true, false) => m.install_prod,
            };
            // Plug'n'Play reads packages from the project's own cache at run time, so it must
            // be in the image: Yarn copies them there from its global mirror (the cache mount).
            let install = if pnp {
                format!("YARN_ENABLE_GLOBAL_CACHE=false {}", tool(install))
            } else {
                tool(install)
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
        }

        let mut runtime = Vec::new();
        let owner = if static_dir.is_some() {
            format!("{}:{}", super::common::UID, super::common::UID)
        } else {
            cx.owner()
        };
        if source_in_builder {
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            if let Some(cmd) = &build {
                b.push(
                    Step::env(Phase::Build, vec![EnvVar::new("NODE_ENV", "production")])
                        .why("Production build from here on"),
                );
                b.push(Step::run(Phase::Build, [cmd.clone()]).why("Build"));
            }
        }
        if let Some(dir) = &static_dir {
            runtime.extend(static_server(cx));
            let step = if source_in_builder || dir != "." {
                let from = if dir == "." {
                    "/build".to_string()
                } else {
                    format!("/build/{dir}")
                };
                if !source_in_builder {
                    b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
                }
                Step::copy_from(Phase::Runtime, "builder", [from], "/app").why("The site's files")
            } else {
                Step::copy(Phase::Source, ["."], "/app").why("The site's files")
            };
            runtime.push(step.chown(&owner));
        } else if source_in_builder && standalone && build.is_some() {
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
                    Step::copy_from(Phase::Runtime, "builder", ["/build/public"], "/app/public")
                        .chown(&owner),
                );
            }
            runtime.push(Step::env(
                Phase::Runtime,
                vec![EnvVar::new("HOSTNAME", "::")],
            ));
        } else if source_in_builder {
            if let (Some(prune), true, true) = (m.prune, locked, install_needed) {
                b.push(
                    Step::run(Phase::Prune, [prune])
                        .mounts(cx.mounts(&[m.cache]))
                        .why("Drop dev dependencies"),
                );
            }
            runtime.push(cx.copy_build_to_app());
        } else {
            if install_needed && !pkg.dependencies.is_empty() {
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
            }
            runtime.push(cx.copy_source_to_app());
        }
        if static_dir.is_none() {
            let mut env = vec![
                EnvVar::new("NODE_ENV", "production"),
                EnvVar::new("NPM_CONFIG_UPDATE_NOTIFIER", "false"),
            ];
            if runtime_corepack {
                env.extend(corepack_env());
            }
            runtime.insert(
                0,
                Step::env(Phase::Runtime, env).why("Node.js production environment"),
            );
            if runtime_corepack {
                if cx.hardened() {
                    warnings.push("Yarn Berry without a committed release (yarnPath): the hardened runtime cannot enable Corepack; commit it with `yarn set version`".into());
                } else {
                    runtime.insert(
                        1,
                        Step::copy_from(Phase::Runtime, "builder", [COREPACK_HOME], COREPACK_HOME)
                            .why("Yarn from the builder's Corepack, to start the app with yarn"),
                    );
                    runtime.insert(2, Step::run(Phase::Runtime, ["corepack enable yarn"]));
                }
            }
        }
        let default_command = match &serve {
            Some(start::Serve::Server { command, .. }) => command.clone(),
            Some(start::Serve::Static { .. }) => STATIC_START.to_string(),
            None => String::new(),
        };
        let (build_image, runtime_image) = if cx.hardened() {
            (format!("dhi.io/node:{v}-dev"), format!("dhi.io/node:{v}"))
        } else {
            (format!("node:{v}"), format!("node:{v}-slim"))
        };
        let static_site = static_dir.is_some();
        if static_site && cx.hardened() {
            warnings.push(
                "static site: served by Caddy on debian:bookworm-slim; there is no hardened image for it"
                    .into(),
            );
        }
        if standalone {
            notes.push("Next.js standalone output detected".into());
        }
        Ok(LanguagePlan {
            package_manager: Some(m.name.into()),
            build_image,
            runtime_image: if static_site {
                super::binary::DEBIAN_SLIM.into()
            } else {
                runtime_image
            },
            builder: b,
            runtime,
            hardened_user: static_site.then(|| super::common::UID.to_string()),
            default_command,
            no_shell: cx.hardened() && !static_site,
            warnings,
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
