//! What each supported additional runtime adds: its toolchain copied from its image, its
//! dependency install, its build step and its runtime-stage copy (docs/configuration.md, additional runtimes).
//!
//! Layouts are chosen from the logical image (official or hardened), never from the string
//! after mirror rewriting (docs/differences.md), and the Python library folder comes from the
//! resolved version, not from the first `\d+\.\d+` in the image reference (docs/differences.md).

use super::super::nodejs::{manager_for, PackageJson};
use super::super::{Context, PlanError};
use crate::detect::PackageManager;
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use crate::version::Version;

/// The steps one additional runtime contributes, by where they go.
#[derive(Debug, Default)]
pub(super) struct Parts {
    /// Builder: toolchain copy, before the primary language's steps.
    pub setup: Vec<Step>,
    /// Builder: manifests and dependency install, before the primary's source copy.
    pub deps: Vec<Step>,
    /// Builder: build step, right after the primary's source copy.
    pub build: Vec<Step>,
    /// Runtime stage: the runtime copied from the builder (official images only).
    pub runtime: Vec<Step>,
    /// True when the install writes into the source folder (`node_modules`).
    pub writes_node_modules: bool,
}

/// The image an additional runtime is copied from, before mirror rewriting: the official
/// image, or the hardened `-dev` image when the primary language uses hardened images.
pub(super) fn logical_image(lang: Language, version: &str, hardened: bool) -> String {
    let name = match lang {
        Language::Nodejs => "node",
        Language::Go => "golang",
        other => other.id(),
    };
    if hardened {
        format!("dhi.io/{name}:{version}-dev")
    } else {
        format!("{name}:{version}")
    }
}

/// `3.12.8` → `3.12`: the folder name of Python's standard library.
fn major_minor(lang: Language, v: &Version) -> Result<String, PlanError> {
    let mut parts = v.value.split('.');
    match (parts.next(), parts.next()) {
        (Some(a), Some(b))
            if !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit()) =>
        {
            Ok(format!("{a}.{b}"))
        }
        _ => Err(PlanError::AdditionalVersion {
            language: lang,
            source_name: v.source.clone(),
            value: v.value.clone(),
        }),
    }
}

/// The parts of one additional runtime. `image` is the reference after mirror rewriting;
/// `hardened` selects the hardened layout and suppresses runtime-stage copies;
/// `node_at_runtime` says whether a process of the image runs Node.js.
pub(super) fn parts(
    cx: &Context,
    lang: Language,
    v: &Version,
    image: &str,
    node_at_runtime: bool,
) -> Result<Parts, PlanError> {
    let hardened = cx.hardened();
    let mut p = match lang {
        Language::Nodejs => node(cx, v, image, hardened, node_at_runtime)?,
        Language::Python => python(cx, lang, v, image)?,
        Language::Ruby => ruby(cx, v, image),
        Language::Go => go(cx, v, image),
        primary => {
            return Err(PlanError::UnsupportedAdditional {
                language: primary,
                primary: cx.detection.language,
            })
        }
    };
    if hardened {
        p.runtime.clear();
    }
    Ok(p)
}

/// `ln` commands exposing npm and npx (and Corepack's shims for yarn/pnpm) on the PATH.
fn node_links(bin: &str, lib: &str, corepack: Option<&str>) -> Vec<String> {
    let mut cmds = vec![
        format!("ln -sf {lib}/npm/bin/npm-cli.js {bin}/npm"),
        format!("ln -sf {lib}/npm/bin/npx-cli.js {bin}/npx"),
    ];
    if let Some(name) = corepack {
        cmds.push(format!(
            "ln -sf {lib}/corepack/dist/corepack.js {bin}/corepack"
        ));
        cmds.push(format!("corepack enable --install-directory {bin} {name}"));
    }
    cmds
}

fn node(
    cx: &Context,
    v: &Version,
    image: &str,
    hardened: bool,
    node_at_runtime: bool,
) -> Result<Parts, PlanError> {
    let pkg = PackageJson::read(cx)?;
    let manager = match (&pkg, &cx.detection.js_project) {
        (Some(pkg), Some(js)) => Some(manager_for(cx, pkg, js.package_manager)),
        (Some(pkg), None) => Some(manager_for(cx, pkg, PackageManager::Npm)),
        (None, _) => None,
    };
    // yarn and pnpm come from Corepack, which ships with Node.js (the official image's yarn
    // lives outside the copied folders).
    let corepack = manager.as_ref().filter(|m| m.name != "npm").map(|m| m.name);
    let mut p = Parts::default();
    let why = format!("Node.js {} from {image} (multi-buildpack)", v.value);
    if hardened {
        p.setup
            .push(Step::copy_from(Phase::Setup, image, ["/opt/nodejs"], "/opt/nodejs").why(why));
        let mut cmds = vec!["ln -sf /opt/nodejs/*/bin/node /usr/local/bin/node".to_string()];
        cmds.extend(node_links(
            "/usr/local/bin",
            "/opt/nodejs/*/lib/node_modules",
            corepack,
        ));
        p.setup.push(Step::run(Phase::Setup, cmds));
    } else {
        p.setup.push(
            Step::copy_from(
                Phase::Setup,
                image,
                ["/usr/local/bin/node"],
                "/usr/local/bin/",
            )
            .why(why),
        );
        p.setup.push(Step::copy_from(
            Phase::Setup,
            image,
            ["/usr/local/lib/node_modules"],
            "/usr/local/lib/node_modules",
        ));
        p.setup.push(Step::run(
            Phase::Setup,
            node_links("/usr/local/bin", "/usr/local/lib/node_modules", corepack),
        ));
    }
    let mut env = vec![
        EnvVar::new("NODE_OPTIONS", &cx.settings.lang.node_options),
        EnvVar::new("NPM_CONFIG_UPDATE_NOTIFIER", "false"),
        EnvVar::new("NPM_CONFIG_FUND", "false"),
    ];
    if hardened {
        env.push(EnvVar::expanding("PATH", "/usr/local/bin:$PATH"));
    }
    p.setup.push(Step::env(Phase::Setup, env));

    if let (Some(pkg), Some(m)) = (&pkg, &manager) {
        let mut manifests = vec!["package.json".to_string()];
        manifests.extend(cx.existing(m.lockfiles));
        manifests.extend(cx.existing(&[".npmrc"]));
        p.deps.push(Step::copy(Phase::Manifests, manifests, "./").why(
            "Node.js: package.json and the lockfile first, so the install is reused while they are unchanged",
        ));
        let install = if m.locked(cx) {
            m.install_all
        } else {
            m.install_all_unlocked
        };
        p.deps.push(
            Step::run(Phase::Install, [install])
                .mounts(cx.mounts(&[m.cache]))
                .why("Node.js dependencies, including the dev dependencies the build needs"),
        );
        p.writes_node_modules = true;
        let script = [
            "heroku-postbuild",
            "build:prod",
            "build:production",
            "build",
        ]
        .into_iter()
        .find(|s| pkg.script(s).is_some());
        if let Some(script) = script {
            p.build.push(
                Step::run(
                    Phase::Build,
                    [format!("NODE_ENV=production {} {script}", m.run)],
                )
                .why(format!(
                    "Node.js build (package.json script {script:?}), before the {} build steps that use its output",
                    cx.detection.language.display_name()
                )),
            );
        }
    }

    if node_at_runtime {
        p.runtime.push(
            Step::copy_from(
                Phase::Runtime,
                "builder",
                ["/usr/local/bin/node"],
                "/usr/local/bin/",
            )
            .why("Node.js: a process of this image runs it"),
        );
        p.runtime.push(Step::copy_from(
            Phase::Runtime,
            "builder",
            ["/usr/local/lib/node_modules"],
            "/usr/local/lib/node_modules",
        ));
        p.runtime.push(Step::run(
            Phase::Runtime,
            node_links("/usr/local/bin", "/usr/local/lib/node_modules", corepack),
        ));
    }
    Ok(p)
}

fn python(cx: &Context, lang: Language, v: &Version, image: &str) -> Result<Parts, PlanError> {
    let mm = major_minor(lang, v)?;
    let lib = format!("/usr/local/lib/python{mm}");
    let mut p = Parts::default();
    p.setup.push(
        Step::copy_from(
            Phase::Setup,
            image,
            ["/usr/local/bin/python*", "/usr/local/bin/pip*"],
            "/usr/local/bin/",
        )
        .why(format!("Python {} from {image} (multi-buildpack)", v.value)),
    );
    p.setup
        .push(Step::copy_from(Phase::Setup, image, [lib.clone()], &lib));
    p.setup.push(Step::copy_from(
        Phase::Setup,
        image,
        ["/usr/local/lib/libpython*"],
        "/usr/local/lib/",
    ));
    p.setup.push(Step::run(Phase::Setup, ["ldconfig"]));

    let mounts = cx.mounts(&[CacheKind::Pip]);
    let pip = if mounts.is_empty() {
        "pip install --no-cache-dir"
    } else {
        "pip install"
    };
    if cx.has("requirements.txt") {
        p.deps.push(
            Step::copy(Phase::Manifests, ["requirements.txt"], "./").why(
                "Python: requirements.txt first, so the install is reused while it is unchanged",
            ),
        );
        p.deps.push(
            Step::run(Phase::Install, [format!("{pip} -r requirements.txt")])
                .mounts(mounts)
                .why("Python dependencies"),
        );
    } else if cx.has("pyproject.toml") || cx.has("setup.py") {
        p.build.push(
            Step::run(Phase::Build, [format!("{pip} .")])
                .mounts(mounts)
                .why("Python package (it needs its source)"),
        );
    }
    p.runtime.push(
        Step::copy_from(
            Phase::Runtime,
            "builder",
            ["/usr/local/bin/python*", "/usr/local/bin/pip*"],
            "/usr/local/bin/",
        )
        .why("Python runtime and its packages (multi-buildpack)"),
    );
    p.runtime.push(Step::copy_from(
        Phase::Runtime,
        "builder",
        [lib.clone()],
        &lib,
    ));
    p.runtime.push(Step::copy_from(
        Phase::Runtime,
        "builder",
        ["/usr/local/lib/libpython*"],
        "/usr/local/lib/",
    ));
    p.runtime.push(Step::run(Phase::Runtime, ["ldconfig"]));
    Ok(p)
}

/// Gems of an additional Ruby go where the official image puts them.
const GEM_HOME: &str = "/usr/local/bundle";

fn gem_env() -> Vec<EnvVar> {
    vec![
        EnvVar::new("GEM_HOME", GEM_HOME),
        EnvVar::new("BUNDLE_APP_CONFIG", GEM_HOME),
        EnvVar::expanding("PATH", format!("{GEM_HOME}/bin:$PATH")),
    ]
}

fn ruby(cx: &Context, v: &Version, image: &str) -> Parts {
    let bins = [
        "/usr/local/bin/ruby",
        "/usr/local/bin/gem",
        "/usr/local/bin/bundle*",
    ];
    let mut p = Parts::default();
    p.setup.push(
        Step::copy_from(Phase::Setup, image, bins, "/usr/local/bin/")
            .why(format!("Ruby {} from {image} (multi-buildpack)", v.value)),
    );
    p.setup.push(Step::copy_from(
        Phase::Setup,
        image,
        ["/usr/local/lib/ruby"],
        "/usr/local/lib/ruby",
    ));
    p.setup.push(Step::copy_from(
        Phase::Setup,
        image,
        ["/usr/local/lib/libruby*"],
        "/usr/local/lib/",
    ));
    p.setup.push(Step::run(Phase::Setup, ["ldconfig"]));
    p.setup.push(Step::env(Phase::Setup, gem_env()));
    let gemfile = cx.has("Gemfile");
    if gemfile {
        let mut manifests = vec!["Gemfile".to_string()];
        manifests.extend(cx.existing(&["Gemfile.lock"]));
        p.deps
            .push(Step::copy(Phase::Manifests, manifests, "./").why(
            "Ruby: Gemfile and lockfile first, so the install is reused while they are unchanged",
        ));
        p.deps.push(
            Step::run(Phase::Install, ["bundle install --jobs 4 --retry 3"])
                .mounts(cx.mounts(&[CacheKind::Bundler]))
                .why("Ruby gems"),
        );
    }
    p.runtime.push(
        Step::copy_from(Phase::Runtime, "builder", bins, "/usr/local/bin/")
            .why("Ruby runtime and its gems (multi-buildpack)"),
    );
    p.runtime.push(Step::copy_from(
        Phase::Runtime,
        "builder",
        ["/usr/local/lib/ruby"],
        "/usr/local/lib/ruby",
    ));
    p.runtime.push(Step::copy_from(
        Phase::Runtime,
        "builder",
        ["/usr/local/lib/libruby*"],
        "/usr/local/lib/",
    ));
    if gemfile {
        p.runtime.push(Step::copy_from(
            Phase::Runtime,
            "builder",
            [GEM_HOME],
            GEM_HOME,
        ));
    }
    p.runtime.push(Step::run(Phase::Runtime, ["ldconfig"]));
    p.runtime.push(Step::env(Phase::Runtime, gem_env()));
    p
}

fn go(cx: &Context, v: &Version, image: &str) -> Parts {
    let mut p = Parts::default();
    p.setup.push(
        Step::copy_from(Phase::Setup, image, ["/usr/local/go"], "/usr/local/go")
            .why(format!("Go {} from {image} (multi-buildpack)", v.value)),
    );
    p.setup.push(Step::env(
        Phase::Setup,
        vec![
            EnvVar::new("GOPATH", "/go"),
            EnvVar::expanding("PATH", "/usr/local/go/bin:/go/bin:$PATH"),
        ],
    ));
    if cx.has("go.mod") {
        let mut manifests = vec!["go.mod".to_string()];
        manifests.extend(cx.existing(&["go.sum"]));
        p.deps
            .push(Step::copy(Phase::Manifests, manifests, "./").why(
                "Go: go.mod and go.sum first, so the download is reused while they are unchanged",
            ));
        p.deps.push(
            Step::run(Phase::Install, ["go mod download"])
                .mounts(cx.mounts(&[CacheKind::GoMod]))
                .why("Go modules"),
        );
        // Static binaries (no cgo) run in any runtime image; `-o dir/` writes one per main
        // package.
        p.build.push(
            Step::run(Phase::Build, ["CGO_ENABLED=0 go build -o ./bin/ ./..."])
                .mounts(cx.mounts(&[CacheKind::GoMod, CacheKind::GoBuild]))
                .why("Go binaries into bin/"),
        );
    }
    // Go binaries are static: nothing to copy into the runtime stage.
    p
}
