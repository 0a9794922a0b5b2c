//! Rust (cargo). Dependencies are compiled in their own layer from the manifests alone:
//! placeholder sources stand in for every target, `cargo build` compiles the dependencies,
//! and the placeholders and the packages' own artefacts are removed, so the build after
//! `COPY . .` compiles only the app. This layer exists with or without cache mounts.
//!
//! The runtime stage gets only the binaries (in `/app`, started as `./<name>`) and the asset
//! folders apps read at run time, on a slim Debian with CA certificates.

pub mod cargo;
pub mod workspace;

use super::{binary, Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::{mount, CacheKind};
use crate::plan::{EnvVar, Phase, Step};
use shell_words::quote;
use workspace::Workspace;

/// The Rust provider.
pub struct Rust;

/// Where the build copies the binaries (outside `target/`, which may be a cache mount).
const OUT: &str = "/out";

/// Commands that remove the packages' own build artefacts, so cargo rebuilds them from the
/// real sources whatever their timestamps (dependencies stay compiled).
fn forget_own_artefacts(ws: &Workspace) -> Vec<String> {
    ws.packages
        .iter()
        .filter_map(|p| p.name.as_deref())
        .map(|name| {
            let krate = name.replace('-', "_");
            format!(
                "rm -rf target/release/.fingerprint/{name}-* target/release/deps/{krate}-* target/release/deps/lib{krate}-*"
            )
        })
        .collect()
}

/// The dependency pre-build: placeholder targets, `cargo build`, cleanup — one `RUN`, so no
/// placeholder ever reaches a layer.
fn prebuild(ws: &Workspace, build: &str) -> Vec<String> {
    let mut mains: Vec<String> = Vec::new();
    let mut libs: Vec<String> = Vec::new();
    for p in &ws.packages {
        libs.extend(p.lib.iter().map(|l| l.path.clone()));
        for path in p.bins.iter().map(|b| &b.path).chain(&p.required) {
            if !mains.contains(path) {
                mains.push(path.clone());
            }
        }
    }
    libs.retain(|l| !mains.contains(l));
    let all: Vec<String> = mains
        .iter()
        .chain(&libs)
        .map(|p| quote(p).into_owned())
        .collect();
    let mut dirs: Vec<&str> = Vec::new();
    for p in mains.iter().chain(&libs) {
        if let Some((d, _)) = p.rsplit_once('/') {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    // `mkdir -p a/b` makes `a` too.
    let parents: Vec<&str> = dirs.clone();
    dirs.retain(|d| {
        !parents
            .iter()
            .any(|o| o.len() > d.len() && o.starts_with(d) && o[d.len()..].starts_with('/'))
    });
    let dirs: Vec<String> = dirs.iter().map(|d| quote(d).into_owned()).collect();
    let mut cmds = Vec::new();
    if !dirs.is_empty() {
        cmds.push(format!("mkdir -p {}", dirs.join(" ")));
    }
    for m in &mains {
        cmds.push(format!("echo 'fn main() {{}}' > {}", quote(m)));
    }
    if !libs.is_empty() {
        let l: Vec<_> = libs.iter().map(|p| quote(p).into_owned()).collect();
        cmds.push(format!("touch {}", l.join(" ")));
    }
    cmds.push(build.to_string());
    if !all.is_empty() {
        cmds.push(format!("rm {}", all.join(" ")));
    }
    cmds.extend(forget_own_artefacts(ws));
    cmds
}

/// The manifests, each copied to its own path, then the files that change how anything is
/// compiled (toolchain pin, cargo configuration).
fn manifest_copies(cx: &Context, ws: &Workspace) -> Vec<Step> {
    let mut root = vec!["Cargo.toml".to_string()];
    root.extend(cx.existing(&["Cargo.lock", "rust-toolchain", "rust-toolchain.toml"]));
    let mut steps = vec![Step::copy(Phase::Manifests, root, "./")
        .why("Manifests first: the dependency layer below is reused while they are unchanged")];
    let cargo_config = cx.existing(&[".cargo/config.toml", ".cargo/config"]);
    if !cargo_config.is_empty() {
        steps.push(Step::copy(Phase::Manifests, cargo_config, ".cargo/"));
    }
    for p in ws.packages.iter().skip(1) {
        steps.push(Step::copy(
            Phase::Manifests,
            [p.manifest.clone()],
            &p.manifest,
        ));
    }
    steps
}

impl Provider for Rust {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["Cargo.toml", "Cargo.lock"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Verbatim;
        first!(
            v.env(Verbatim),
            rust_toolchain_legacy(v),
            v.toml_str("rust-toolchain.toml", &["toolchain", "channel"], Verbatim),
            v.tool_files(Verbatim),
            v.toml_str("Cargo.toml", &["package", "rust-version"], Verbatim),
            v.toml_str(
                "Cargo.toml",
                &["workspace", "package", "rust-version"],
                Verbatim
            ),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let mut warnings = Vec::new();
        let mut v = &cx.version.value;
        let default = crate::version::default_version(Language::Rust).to_string();
        // Hardened images are tagged by release only: the `stable` channel builds on the
        // default release there.
        if cx.hardened() && v == "stable" {
            warnings.push(format!(
                "{}: Docker Hardened Images have no `stable` tag; building with Rust {default}",
                cx.version.source
            ));
            v = &default;
        }
        let ws = workspace::workspace(cx)?;
        let bins = ws.binaries();
        if bins.is_empty() {
            return Err(PlanError::Manifest {
                path: "Cargo.toml".into(),
                reason: "no binary target: add src/main.rs or a [[bin]] section".into(),
            });
        }
        let locked = cx.has("Cargo.lock");
        let cargo_build = if locked {
            "cargo build --release --locked"
        } else {
            "cargo build --release"
        };
        let mounts = cx.mounts(&[CacheKind::Cargo, CacheKind::CargoGit, CacheKind::RustTarget]);
        let mut notes = vec![format!("Rust binaries: {}", bins.join(", "))];
        let mut b = Vec::new();
        if cx.settings.cache_mounts() {
            let registry = mount(CacheKind::Cargo, None).target;
            let home = registry.trim_end_matches("/registry").to_string();
            b.push(
                Step::env(Phase::Setup, vec![EnvVar::new("CARGO_HOME", home)])
                    .why("The cache mounts below hold CARGO_HOME's registry and git folders"),
            );
        }
        b.extend(manifest_copies(cx, &ws));
        match &ws.unresolved {
            None => b.push(
                Step::run(Phase::Install, prebuild(&ws, cargo_build))
                    .mounts(mounts.clone())
                    .why("Compile the dependencies alone, with placeholder sources"),
            ),
            Some(why) => notes.push(format!("No dependency pre-build layer: {why}")),
        }
        b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));

        let mut cmds = Vec::new();
        if !mounts.is_empty() {
            // target/ is a shared cache mount: forget the app's own artefacts of earlier builds.
            cmds.extend(forget_own_artefacts(&ws));
        }
        cmds.push(
            cx.settings
                .build_command
                .clone()
                .unwrap_or_else(|| cargo_build.to_string()),
        );
        cmds.push(format!("mkdir -p {OUT}"));
        let from: Vec<String> = bins.iter().map(|n| format!("target/release/{n}")).collect();
        cmds.push(format!("cp {} {OUT}/", from.join(" ")));
        b.push(
            Step::run(Phase::Build, cmds)
                .mounts(mounts)
                .why("Build, and copy the binaries out of target/ in the same step"),
        );

        let mut r = Vec::new();
        if !cx.hardened() {
            r.push(binary::ca_certificates());
        }
        r.push(
            Step::env(
                Phase::Runtime,
                vec![
                    EnvVar::new("RUST_BACKTRACE", "1"),
                    EnvVar::new("RUST_LOG", "info"),
                ],
            )
            .why("Backtraces on panic, and info-level logs for env_logger/tracing"),
        );
        r.push(
            Step::copy_from(Phase::Runtime, "builder", [format!("{OUT}/")], "/app/")
                .why("Only the binaries; root-owned, so the app cannot replace them"),
        );
        r.extend(binary::asset_dirs(cx));
        if cx.hardened() {
            notes.push("Hardened Rust runtime: started with ENTRYPOINT, no shell".into());
        }
        Ok(LanguagePlan {
            package_manager: Some("cargo".into()),
            // The -bookworm builder links against the same glibc as the runtime base.
            build_image: if cx.hardened() {
                format!("dhi.io/rust:{v}-dev")
            } else if v == "stable" {
                // The `stable` channel: the newest stable release, on the runtime's Debian.
                "rust:bookworm".to_string()
            } else if v.contains('-') {
                format!("rust:{v}")
            } else {
                format!("rust:{v}-bookworm")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/rust:{v}")
            } else {
                binary::DEBIAN_SLIM.into()
            },
            builder: b,
            runtime: r,
            default_command: format!("./{}", bins[0]),
            no_shell: cx.hardened(),
            entrypoint: cx.hardened(),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    /// `target/release/<x>` is `./<x>` in the image; a bare binary name gets `./`.
    fn translate_command(&self, cx: &Context, command: &str) -> String {
        let re = regex::Regex::new(r"(^|[\s=])(?:\./)?target/release/(\S+)").expect("static regex");
        let out = re.replace_all(command, "${1}./${2}").into_owned();
        let bins = workspace::workspace(cx)
            .map(|ws| ws.binaries())
            .unwrap_or_default();
        let single = !out.contains(char::is_whitespace);
        if single
            && !out.starts_with("./")
            && !out.starts_with('/')
            && (out.contains('/') || bins.contains(&out))
        {
            return format!("./{out}");
        }
        out
    }
}

/// `rust-toolchain` is either one line (`1.78.0`) or, in newer projects, TOML.
fn rust_toolchain_legacy(v: &super::VersionSources) -> super::Found {
    use super::Transform::Verbatim;
    let Some(text) = v.read("rust-toolchain")? else {
        return Ok(None);
    };
    if text.contains("[toolchain]") {
        return v.toml_str("rust-toolchain", &["toolchain", "channel"], Verbatim);
    }
    Ok(crate::version::sources::non_empty(
        "rust-toolchain",
        &crate::version::first_line(&text),
        Verbatim,
    ))
}
