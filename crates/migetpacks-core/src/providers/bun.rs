//! Bun: `bun install` from package.json and the lockfile (`bun.lock` or the older binary
//! `bun.lockb`). Without a build script only production dependencies are installed and the
//! source goes straight from the build context into the runtime stage as its last layer.

use super::nodejs::PackageJson;
use super::{dhi, Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};

/// The Bun provider.
pub struct Bun;

/// Oldest Bun published as a Docker Hardened Image.
const DHI_FLOOR: (u64, u64, u64) = (1, 3, 6);

/// Entry files tried when package.json names none, in order.
const ENTRIES: [&str; 8] = [
    "index.ts",
    "server.ts",
    "app.ts",
    "main.ts",
    "src/index.ts",
    "src/server.ts",
    "index.js",
    "server.js",
];

fn default_command(cx: &Context, pkg: Option<&PackageJson>) -> String {
    if pkg.is_some_and(|p| p.script("start").is_some()) {
        return "bun run start".into();
    }
    let main = pkg.and_then(|p| p.main.as_deref()).filter(|m| cx.has(m));
    match main.or_else(|| ENTRIES.into_iter().find(|e| cx.has(e))) {
        Some(entry) => format!("bun run {entry}"),
        None => String::new(),
    }
}

/// Without a shell, `bun run <script>` cannot spawn the script: run its body directly
/// (`bun …` as written, anything else through `bun run`, which finds package binaries).
fn shell_free_start(pkg: &PackageJson, command: &str) -> String {
    let Some(rest) = command.strip_prefix("bun run ") else {
        return command.to_string();
    };
    let (name, args) = rest.split_once(' ').unwrap_or((rest, ""));
    let Some(body) = pkg.script(name) else {
        return command.to_string();
    };
    let body = if body.starts_with("bun ") {
        body.to_string()
    } else {
        format!("bun run {body}")
    };
    if args.is_empty() {
        body
    } else {
        format!("{body} {args}")
    }
}

impl Provider for Bun {
    fn language(&self) -> Language {
        Language::Bun
    }

    /// A Bun lockfile or config, else a package.json that declares Bun.
    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        let files = ["bun.lock", "bun.lockb", "bunfig.toml", ".bun-version"];
        if let Some(m) = super::any_present(tree, &files)? {
            return Ok(Some(m));
        }
        Ok(crate::detect::node::declares_bun(tree)?.map(|ev| vec![ev]))
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Verbatim;
        first!(
            v.env(Verbatim),
            v.version_file(".bun-version", Verbatim),
            v.tool_files(Verbatim),
            v.line(
                "bunfig.toml",
                &BUNFIG_VERSION,
                "bunfig.toml version",
                Verbatim
            ),
            bun_package_manager(v),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let (version, raise) = if cx.hardened() {
            dhi::raise("Bun", &cx.version.value, DHI_FLOOR)
        } else {
            (cx.version.value.clone(), None)
        };
        let pkg = PackageJson::read(cx)?;
        let lock = cx.existing(&["bun.lock", "bun.lockb"]).into_iter().next();
        let build = match (
            &cx.settings.build_command,
            pkg.as_ref().and_then(|p| p.script("build")),
        ) {
            (Some(cmd), _) => Some(cmd.clone()),
            (None, Some(_)) => Some("bun run build".to_string()),
            (None, None) => None,
        };
        let frozen = if lock.is_some() {
            " --frozen-lockfile"
        } else {
            ""
        };
        let mounts = cx.mounts(&[CacheKind::Bun]);
        let owner = cx.owner();
        let mut b = Vec::new();
        let mut r = vec![
            Step::env(Phase::Runtime, vec![EnvVar::new("NODE_ENV", "production")])
                .why("Production mode for the app and its libraries"),
        ];

        if pkg.is_some() {
            let mut manifests = vec!["package.json".to_string()];
            manifests.extend(lock.clone());
            manifests.extend(cx.existing(&["bunfig.toml", ".npmrc"]));
            b.push(
                Step::copy(Phase::Manifests, manifests, "./")
                    .why("package.json and the lockfile first: the install below is reused while they are unchanged"),
            );
            let (install, why) = if build.is_some() {
                (
                    format!("bun install{frozen}"),
                    "Install dependencies, including the dev dependencies the build needs",
                )
            } else {
                (
                    format!("bun install{frozen} --production"),
                    "Install production dependencies",
                )
            };
            b.push(
                Step::run(Phase::Install, [install])
                    .mounts(mounts.clone())
                    .why(why),
            );
        }
        match &build {
            Some(cmd) => {
                b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
                let mut cmds = vec![cmd.clone()];
                // Re-install production dependencies only from a lockfile: an unlocked second
                // install could resolve different versions than the build used.
                if pkg.is_some() && lock.is_some() {
                    cmds.extend([
                        "rm -rf node_modules".to_string(),
                        format!("bun install{frozen} --production"),
                    ]);
                }
                b.push(
                    Step::env(Phase::Build, vec![EnvVar::new("NODE_ENV", "production")])
                        .why("Production build from here on"),
                );
                b.push(
                    Step::run(Phase::Build, cmds)
                        .mounts(mounts)
                        .why("Build, then keep only production dependencies"),
                );
                r.push(cx.copy_build_to_app());
            }
            None => {
                if pkg.is_some() {
                    r.push(
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
                r.push(cx.copy_source_to_app());
            }
        }
        Ok(LanguagePlan {
            package_manager: Some("bun".into()),
            build_image: if cx.hardened() {
                format!("dhi.io/bun:{version}-dev")
            } else {
                format!("oven/bun:{version}")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/bun:{version}")
            } else {
                format!("oven/bun:{version}-slim")
            },
            version: (version != cx.version.value).then_some(version),
            builder: b,
            runtime: r,
            default_command: default_command(cx, pkg.as_ref()),
            no_shell: cx.hardened(),
            warnings: raise.into_iter().collect(),
            ..LanguagePlan::default()
        })
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        match (cx.hardened(), PackageJson::read(cx)) {
            (true, Ok(Some(pkg))) => shell_free_start(&pkg, command),
            _ => command.to_string(),
        }
    }
}

re!(BUNFIG_VERSION, r#"^version\s*=\s*"([^"]*)""#);

/// `"packageManager": "bun@1.1.38+sha512.…"` → `1.1.38`.
fn bun_package_manager(v: &super::VersionSources) -> super::Found {
    let Some(c) = v.package_json_str(&["packageManager"], super::Transform::Verbatim)? else {
        return Ok(None);
    };
    Ok(c.raw.strip_prefix("bun@").and_then(|v| {
        let v = v.split('+').next().unwrap_or(v);
        crate::version::sources::non_empty(
            "package.json packageManager",
            v,
            super::Transform::Verbatim,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pkg(scripts: serde_json::Value) -> PackageJson {
        PackageJson {
            scripts: scripts.as_object().cloned().unwrap_or_default(),
            package_manager: None,
            main: None,
            ..PackageJson::default()
        }
    }

    #[test]
    fn scripts_run_without_a_shell() {
        let p = pkg(json!({"start": "bun src/index.ts", "preview": "vite preview"}));
        assert_eq!(shell_free_start(&p, "bun run start"), "bun src/index.ts");
        assert_eq!(
            shell_free_start(&p, "bun run preview --port 5000"),
            "bun run vite preview --port 5000"
        );
        assert_eq!(shell_free_start(&p, "bun run index.ts"), "bun run index.ts");
        assert_eq!(shell_free_start(&p, "node x.js"), "node x.js");
    }
}
