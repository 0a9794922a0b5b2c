//! Go modules: dependencies are downloaded from `go.mod`/`go.sum` alone, then each main
//! package is built as a static binary into `/build/bin`. The runtime stage gets only those
//! binaries (and the asset folders apps read at run time) on a slim Debian with CA
//! certificates; `/app/bin` is on `PATH`, as on Heroku.

pub mod packages;

use super::{binary, dhi, Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::{mount, CacheKind};
use crate::plan::{EnvVar, Phase, Step};
use packages::{binaries, package_specs, parse_go_mod};
use shell_words::quote;

/// The Go provider.
pub struct Go;

const BIN: &str = "/build/bin";

/// The `-X` linker flag, quoted the way `go build` splits `-ldflags` (no escapes inside quotes).
fn linker_flags(cx: &Context) -> Result<String, PlanError> {
    let s = &cx.settings.lang;
    let mut ld = String::from("-s -w");
    if let (Some(sym), Some(val)) = (&s.go_linker_symbol, &s.go_linker_value) {
        let x = format!("{sym}={val}");
        let quoted = if !x.contains(char::is_whitespace) && !x.contains(['\'', '"']) {
            x
        } else if !x.contains('"') {
            format!("\"{x}\"")
        } else if !x.contains('\'') {
            format!("'{x}'")
        } else {
            return Err(PlanError::Setting {
                var: "GO_LINKER_VALUE".into(),
                reason: "a value with spaces cannot contain both ' and \"".into(),
            });
        };
        ld.push_str(" -X ");
        ld.push_str(&quoted);
    }
    Ok(format!("-ldflags={}", quote(&ld)))
}

/// Docker Hardened Go images start at 1.22; older 1.22–1.24 patch releases were never
/// published, so those are raised to the first one that was.
fn dhi_version(cx: &Context) -> Result<(String, Option<String>), PlanError> {
    let v = &cx.version.value;
    let too_old = |min: &str| PlanError::Setting {
        var: cx.version.source.clone(),
        reason: format!(
            "Go {v} is not supported by Docker Hardened Images (USE_DHI); minimum: {min}"
        ),
    };
    let raised = |new: &str| {
        let w = format!("Go {v} is not available as a Docker Hardened Image; using {new} instead");
        Ok((new.to_string(), Some(w)))
    };
    match dhi::parse(v) {
        Some((1, minor, Some(_))) if minor < 22 => Err(too_old("1.22.12")),
        Some((1, minor, None)) if minor < 22 => Err(too_old("1.22")),
        Some((1, 22, Some(p))) if p < 12 => raised("1.22.12"),
        Some((1, 23, Some(p))) if p < 7 => raised("1.23.7"),
        Some((1, 24, Some(p))) if p < 1 => raised("1.24.1"),
        _ => Ok((v.clone(), None)),
    }
}

/// The build `RUN`: output folders, hooks around the build, and `go build` (or
/// `BUILD_COMMAND`).
fn build_step(
    cx: &Context,
    specs: &[String],
    bins: &[String],
    notes: &mut Vec<String>,
) -> Result<Step, PlanError> {
    let mut cmds = Vec::new();
    let mut dirs = Vec::new();
    if cx.settings.build_command.is_none() {
        dirs.push(BIN);
    }
    if cx.settings.lang.go_setup_gopath_in_image {
        // An empty GOPATH the runtime stage copies (it may have no shell to create one).
        dirs.extend(["/gopath/bin", "/gopath/src", "/gopath/pkg"]);
    }
    if !dirs.is_empty() {
        cmds.push(format!("mkdir -p {}", dirs.join(" ")));
    }
    if cx.has("bin/go-pre-compile") {
        notes.push("Found bin/go-pre-compile hook".into());
        cmds.extend([
            "chmod +x bin/go-pre-compile".to_string(),
            "./bin/go-pre-compile".into(),
        ]);
    }
    if let Some(cmd) = &cx.settings.build_command {
        cmds.push(cmd.clone());
    } else {
        let mut words = vec![
            "CGO_ENABLED=0 go build -trimpath".to_string(),
            linker_flags(cx)?,
        ];
        if let Some(flags) = &cx.settings.lang.go_build_flags {
            let split = shell_words::split(flags).map_err(|e| PlanError::Setting {
                var: "GO_BUILD_FLAGS".into(),
                reason: format!("cannot split into words: {e}"),
            })?;
            words.extend(split.iter().map(|w| quote(w).into_owned()));
        }
        // One package: name the binary; several: go build names each after its package.
        let single = specs.len() == 1 && !specs[0].ends_with("...");
        match (single, bins.first()) {
            (true, Some(name)) => words.push(format!("-o {}", quote(&format!("{BIN}/{name}")))),
            _ => words.push(format!("-o {BIN}/")),
        }
        words.extend(specs.iter().map(|s| quote(s).into_owned()));
        cmds.push(words.join(" "));
    }
    if cx.has("bin/go-post-compile") {
        notes.push("Found bin/go-post-compile hook".into());
        cmds.extend([
            "chmod +x bin/go-post-compile".to_string(),
            "./bin/go-post-compile".into(),
        ]);
    }
    Ok(
        Step::run(Phase::Build, cmds).why(if cx.settings.build_command.is_some() {
            "Build (BUILD_COMMAND)"
        } else {
            "Static binaries into /build/bin"
        }),
    )
}

/// The runtime stage: CA certificates, the binaries (or the whole build with
/// `BUILD_COMMAND`), asset folders, and the optional toolchain and GOPATH.
fn runtime_steps(cx: &Context, notes: &mut Vec<String>) -> Vec<Step> {
    let mut r = Vec::new();
    if !cx.hardened() {
        r.push(binary::ca_certificates());
    }
    let mut path = vec!["/app/bin"];
    let mut env = Vec::new();
    if cx.settings.lang.go_install_tools_in_image {
        notes.push("Including the Go toolchain in the runtime image".into());
        r.push(
            Step::copy_from(
                Phase::Runtime,
                "builder",
                ["/usr/local/go"],
                "/usr/local/go",
            )
            .why("Go toolchain (GO_INSTALL_TOOLS_IN_IMAGE)"),
        );
        path.push("/usr/local/go/bin");
        env.push(EnvVar::new("GOROOT", "/usr/local/go"));
    }
    if cx.settings.lang.go_setup_gopath_in_image {
        r.push(
            Step::copy_from(Phase::Runtime, "builder", ["/gopath"], "/app/go")
                .chown(&cx.owner())
                .why("GOPATH owned by the app user (GO_SETUP_GOPATH_IN_IMAGE)"),
        );
        path.push("/app/go/bin");
        env.push(EnvVar::new("GOPATH", "/app/go"));
    }
    env.push(EnvVar::expanding(
        "PATH",
        format!("{}:$PATH", path.join(":")),
    ));
    r.push(Step::env(Phase::Runtime, env).why("The app's binaries are on PATH, as on Heroku"));
    if cx.settings.build_command.is_some() {
        r.push(cx.copy_build_to_app());
    } else {
        r.push(
            Step::copy_from(Phase::Runtime, "builder", [format!("{BIN}/")], "/app/bin/")
                .why("Only the binaries; root-owned, so the app cannot replace them"),
        );
        r.extend(binary::asset_dirs(cx));
    }
    r
}

impl Provider for Go {
    fn language(&self) -> Language {
        Language::Go
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["go.mod", "Godeps/Godeps.json", "glide.yaml"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Verbatim;
        first!(
            v.env(Verbatim),
            v.version_file(".go-version", Verbatim),
            v.tool_files(Verbatim), // .tool-versions, mise.toml
            go_mod_version(v),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let text = cx.read("go.mod")?.ok_or_else(|| PlanError::Manifest {
            path: "go.mod".into(),
            reason: "missing: only Go modules are supported (Godeps and glide are not); run `go mod init`".into(),
        })?;
        let gm = parse_go_mod(&text);
        // The module path names the binary, which goes into RUN and CMD lines.
        if let Some(m) = &gm.module {
            crate::words::name("module path", m).map_err(|reason| PlanError::Manifest {
                path: "go.mod".into(),
                reason,
            })?;
        }
        let mut notes = Vec::new();
        let mut warnings = Vec::new();
        let specs = package_specs(cx, &gm, &mut notes);
        let bins = binaries(cx, &gm, &specs)?;
        let (version, raise) = if cx.hardened() {
            dhi_version(cx)?
        } else {
            (cx.version.value.clone(), None)
        };
        warnings.extend(raise);
        let gomod = cx.mounts(&[CacheKind::GoMod]);
        let build_mounts = cx.mounts(&[CacheKind::GoMod, CacheKind::GoBuild]);
        let mut b = Vec::new();

        if cx.settings.cache_mounts() {
            b.push(
                Step::env(
                    Phase::Setup,
                    vec![
                        EnvVar::new("GOMODCACHE", mount(CacheKind::GoMod, None).target),
                        EnvVar::new("GOCACHE", mount(CacheKind::GoBuild, None).target),
                    ],
                )
                .why("The cache mounts below hold these folders, whatever the image's defaults"),
            );
        }
        if let Some(v) = &gm.migrate {
            notes.push(format!("Installing golang-migrate {v} into /app/bin"));
            b.push(
                Step::run(
                    Phase::Install,
                    [format!(
                        "CGO_ENABLED=0 GOBIN={BIN} go install -tags=postgres,mysql github.com/golang-migrate/migrate/v4/cmd/migrate@{v}"
                    )],
                )
                .mounts(build_mounts.clone())
                .why("golang-migrate CLI (a go.mod dependency), shipped next to the app's binaries"),
            );
        }
        let vendored = cx.has("vendor/modules.txt");
        if vendored {
            notes.push("vendor/modules.txt found: dependencies come from vendor/".into());
        } else {
            b.push(
                Step::copy(Phase::Manifests, cx.existing(&["go.mod", "go.sum"]), "./")
                    .why("go.mod and go.sum first: the download below is reused while they are unchanged"),
            );
            b.push(
                Step::run(Phase::Install, ["go mod download"])
                    .mounts(gomod)
                    .why("Download modules"),
            );
        }
        b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));

        b.push(build_step(cx, &specs, &bins, &mut notes)?.mounts(build_mounts));
        let r = runtime_steps(cx, &mut notes);

        let default_command = packages::start_binary(&gm, &bins)
            .map(|b| format!("./bin/{b}"))
            .unwrap_or_default();
        Ok(LanguagePlan {
            package_manager: Some("go".into()),
            build_image: if cx.hardened() {
                format!("dhi.io/golang:{version}-dev")
            } else {
                format!("golang:{version}")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/golang:{version}")
            } else {
                binary::DEBIAN_SLIM.into()
            },
            version: (version != cx.version.value).then_some(version),
            builder: b,
            runtime: r,
            default_command,
            no_shell: cx.hardened(),
            entrypoint: cx.hardened(),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    /// `./<bin>` and a bare `<bin>` name a binary that lives in `./bin/`.
    fn translate_command(&self, cx: &Context, command: &str) -> String {
        let Ok(Some(text)) = cx.read("go.mod") else {
            return command.to_string();
        };
        let gm = parse_go_mod(&text);
        let specs = package_specs(cx, &gm, &mut Vec::new());
        let bins = binaries(cx, &gm, &specs).unwrap_or_default();
        let (first, rest) = command.split_once(' ').unwrap_or((command, ""));
        let name = first.strip_prefix("./").unwrap_or(first);
        if bins.iter().any(|b| b == name) {
            return format!(
                "./bin/{name}{}{rest}",
                if rest.is_empty() { "" } else { " " }
            );
        }
        if !command.contains(' ')
            && !command.starts_with("./")
            && !command.starts_with('/')
            && command.contains('/')
        {
            return format!("./{command}");
        }
        command.to_string()
    }
}

re!(GO_MOD, r"^go\s+(\S+)");
re!(GO_MOD_TOOLCHAIN, r"^toolchain\s+go(\S+)");

/// go.mod: the `toolchain go1.23.2` line when it is newer than the `go` line (the Go command
/// itself switches to that toolchain), else the `go` line.
fn go_mod_version(v: &super::VersionSources) -> super::Found {
    use crate::version::sources::non_empty;
    let Some(text) = v.read("go.mod")? else {
        return Ok(None);
    };
    let capture = |re: &regex::Regex| {
        text.lines()
            .find_map(|l| re.captures(l.trim()).and_then(|c| c.get(1)))
            .map(|m| m.as_str().to_string())
    };
    let go = capture(&GO_MOD);
    let toolchain = capture(&GO_MOD_TOOLCHAIN);
    // Numeric components compare (`1.23.2` > `1.9`); a pre-release suffix such as `rc1` only
    // ends the number it is in.
    let key = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| {
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .map(|d| d.parse().unwrap_or(0))
            .collect()
    };
    let verbatim = super::Transform::Verbatim;
    Ok(match (go, toolchain) {
        (Some(g), Some(t)) if key(&t) > key(&g) => non_empty("go.mod toolchain", &t, verbatim),
        (None, Some(t)) => non_empty("go.mod toolchain", &t, verbatim),
        (Some(g), _) => non_empty("go.mod go", &g, verbatim),
        (None, None) => None,
    })
}
