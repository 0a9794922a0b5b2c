//! .NET: the app project is resolved at generation time (the only project, or the web
//! project of a solution), restored from its project files alone, published to `/build/out`,
//! and started with `dotnet <Assembly>.dll` on the ASP.NET Core runtime image.

use super::files::{copy_keeping_paths, sort_by_depth};
use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use regex::Regex;

/// The .NET provider.
pub struct Dotnet;

/// Project files are looked for this many folder levels below the root (`src/Web/Web.csproj`).
const DEPTH: usize = 2;
const PROJECT_EXTS: [&str; 3] = [".csproj", ".fsproj", ".vbproj"];
/// Files restore reads besides the project files.
const RESTORE_FILES: [&str; 8] = [
    "global.json",
    "nuget.config",
    "NuGet.config",
    "NuGet.Config",
    "Directory.Build.props",
    "Directory.Build.targets",
    "Directory.Packages.props",
    "packages.lock.json",
];

/// The resolved app project.
struct App {
    path: String,
    assembly: String,
}

fn is_solution(name: &str) -> bool {
    name.ends_with(".sln") || name.ends_with(".slnx")
}

fn is_project(name: &str) -> bool {
    PROJECT_EXTS.iter().any(|e| name.ends_with(e))
}

/// `8.0.100` → `8.0`, `9` → `9.0`: runtime images are tagged by major.minor only.
fn runtime_tag(version: &str) -> Option<(u32, String)> {
    let c = Regex::new(r"^(\d+)(?:\.(\d+))?")
        .expect("static regex")
        .captures(version.trim())?;
    let major: u32 = c[1].parse().ok()?;
    let minor = c.get(2).map_or("0", |m| m.as_str());
    Some((major, format!("{major}.{minor}")))
}

/// The project to publish: the only one; else the web project (`Microsoft.NET.Sdk.Web`);
/// else the one executable that is not a test project. Several candidates: the shallowest
/// (then alphabetical) one, with a warning naming the others.
fn app_project(cx: &Context, warnings: &mut Vec<String>) -> Result<App, PlanError> {
    let mut projects = cx.tree.find_files("", DEPTH, 500, &is_project)?;
    sort_by_depth(&mut projects);
    let mut texts = Vec::with_capacity(projects.len());
    for p in &projects {
        texts.push(cx.read(p)?.unwrap_or_default());
    }
    let pick = |pred: &dyn Fn(&str) -> bool| -> Vec<usize> {
        (0..projects.len()).filter(|i| pred(&texts[*i])).collect()
    };
    let candidates = if projects.len() == 1 {
        vec![0]
    } else {
        let web = pick(&|t| t.contains("Microsoft.NET.Sdk.Web"));
        if web.is_empty() {
            pick(&|t| {
                (t.contains("Microsoft.NET.Sdk.Worker")
                    || t.contains("<OutputType>Exe</OutputType>"))
                    && !t.contains("Microsoft.NET.Test.Sdk")
            })
        } else {
            web
        }
    };
    let Some(&first) = candidates.first() else {
        return Err(PlanError::Manifest {
            path: if projects.is_empty() {
                "*.csproj".into()
            } else {
                projects.join(", ")
            },
            reason: if projects.is_empty() {
                "no .csproj/.fsproj/.vbproj within two folder levels".into()
            } else {
                "none is a web project (Microsoft.NET.Sdk.Web) or an executable (OutputType Exe)"
                    .into()
            },
        });
    };
    if candidates.len() > 1 {
        let others: Vec<&str> = candidates[1..]
            .iter()
            .map(|i| projects[*i].as_str())
            .collect();
        warnings.push(format!(
            "several app projects; publishing {} (also found: {})",
            projects[first],
            others.join(", ")
        ));
    }
    let path = projects[first].clone();
    let stem = path
        .rsplit('/')
        .next()
        .and_then(|f| f.rsplit_once('.'))
        .map_or(path.as_str(), |(s, _)| s)
        .to_string();
    // The version sources already parsed every project file (a malformed one is an error
    // there), so a parse failure here only means "no AssemblyName".
    let assembly = crate::version::xml::parse(&path, &texts[first])
        .ok()
        .and_then(|doc| crate::version::xml::first_text(&doc, "AssemblyName"))
        .filter(|a| !a.contains(|c: char| c.is_whitespace() || c == '<'))
        .unwrap_or(stem);
    Ok(App { path, assembly })
}

impl Provider for Dotnet {
    fn language(&self) -> Language {
        Language::Dotnet
    }

    /// `global.json`, a solution at the root, or a project file at depth ≤ 3.
    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        if tree.is_file("global.json") {
            return Ok(Some(vec![super::present("global.json")]));
        }
        let sln = tree
            .list("")?
            .into_iter()
            .find(|e| !e.is_dir && (e.name.ends_with(".sln") || e.name.ends_with(".slnx")));
        if let Some(e) = sln {
            return Ok(Some(vec![super::present(&e.name)]));
        }
        let projects = tree.find_files("", DOTNET_PROJECT_DEPTH, 1, &is_dotnet_project)?;
        Ok(projects.first().map(|p| vec![super::present(p)]))
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        first!(
            v.env(super::Transform::Dotnet),
            v.tool_files(super::Transform::Dotnet),
            global_json(v),
            dotnet_projects(v),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let v = &cx.version.value;
        let (major, runtime) = runtime_tag(v).ok_or_else(|| PlanError::Setting {
            var: cx.version.source.clone(),
            reason: format!("{v:?} is not a .NET version (expected e.g. 8.0 or 8.0.100)"),
        })?;
        let mut warnings = Vec::new();
        let app = app_project(cx, &mut warnings)?;
        let mut b = vec![Step::env(
            Phase::Setup,
            vec![
                EnvVar::new("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),
                EnvVar::new("DOTNET_NOLOGO", "1"),
                EnvVar::new("DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "1"),
                EnvVar::new("NUGET_XMLDOC_MODE", "skip"),
            ],
        )
        .why(".NET SDK settings: no telemetry, no first-run work, no XML docs unpacked")];
        // Project files and restore settings at their paths: restore needs nothing else, so
        // the restore layer is reused until one of them changes.
        // Solution files only at the root, where `dotnet` looks for them.
        let mut manifests = cx.tree.find_files("", DEPTH, 500, &|n| {
            is_project(n) || RESTORE_FILES.contains(&n)
        })?;
        manifests.extend(cx.tree.find_files("", 0, 50, &is_solution)?);
        sort_by_depth(&mut manifests);
        let tools = cx.has(".config/dotnet-tools.json");
        if tools {
            manifests.push(".config/dotnet-tools.json".into());
        }
        b.extend(copy_keeping_paths(
            &manifests,
            "Project files first: the restore layer below is reused while they are unchanged",
        ));
        let mounts = cx.mounts(&[CacheKind::Nuget]);
        let quoted = shell_words::quote(&app.path).into_owned();
        let mut restore = Vec::new();
        if tools {
            restore.push("dotnet tool restore".to_string());
        }
        restore.push(format!("dotnet restore {quoted}"));
        b.push(
            Step::run(Phase::Install, restore)
                .mounts(mounts.clone())
                .why(format!(
                    "Restore {}the packages of {} and its references",
                    if tools { "the local tools and " } else { "" },
                    app.path
                )),
        );
        b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
        if let Some(cmd) = &cx.settings.build_command {
            // Runs before publish, so the image still gets the published app.
            b.push(
                Step::run(Phase::Build, [cmd.clone()])
                    .mounts(mounts.clone())
                    .why("BUILD_COMMAND"),
            );
        }
        b.push(
            Step::run(
                Phase::Build,
                [format!(
                    "dotnet publish {quoted} -c Release -o /build/out --no-restore"
                )],
            )
            .mounts(mounts)
            .why("Publish the app (framework-dependent) to /build/out"),
        );
        // .NET 8 images listen on ASPNETCORE_HTTP_PORTS; older ones only honour ASPNETCORE_URLS.
        let port = cx.settings.port;
        let port_var = if major >= 8 {
            EnvVar::new("ASPNETCORE_HTTP_PORTS", port.to_string())
        } else {
            EnvVar::new("ASPNETCORE_URLS", format!("http://+:{port}"))
        };
        let r = vec![
            Step::env(
                Phase::Runtime,
                vec![
                    EnvVar::new("ASPNETCORE_ENVIRONMENT", "Production"),
                    EnvVar::new("DOTNET_RUNNING_IN_CONTAINER", "true"),
                    EnvVar::new("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),
                    EnvVar::new("DOTNET_NOLOGO", "1"),
                    EnvVar::new("DOTNET_EnableWriteXorExecute", "0"),
                    port_var,
                ],
            )
            .why("ASP.NET Core production settings; Kestrel listens on the app port"),
            Step::copy_from(Phase::Runtime, "builder", ["/build/out"], "/app")
                .chown(&cx.owner())
                .why("The published app from the builder"),
        ];
        let (build_image, runtime_image) = if cx.hardened() {
            (
                format!("dhi.io/dotnet:{v}-sdk"),
                format!("dhi.io/aspnetcore:{runtime}"),
            )
        } else {
            (
                format!("mcr.microsoft.com/dotnet/sdk:{v}"),
                format!("mcr.microsoft.com/dotnet/aspnet:{runtime}"),
            )
        };
        Ok(LanguagePlan {
            package_manager: Some("dotnet".into()),
            build_image,
            runtime_image,
            builder: b,
            runtime: r,
            default_command: format!("dotnet {}.dll", app.assembly),
            no_shell: cx.hardened(),
            entrypoint: cx.hardened(),
            warnings,
            notes: vec![format!("app project {}", app.path)],
            ..LanguagePlan::default()
        })
    }

    /// Commands written for the original layout (`cd X/bin/publish; ./App`,
    /// `dotnet bin/publish/App.dll`) point into `/app`, where the published files are.
    fn translate_command(&self, _cx: &Context, command: &str) -> String {
        let cd = Regex::new(r"^\s*cd\s+(\./)?([^\s;&]+/)?bin/publish/?\s*(;|&&)\s*")
            .expect("static regex");
        let stripped = cd.replace(command, "");
        let path = Regex::new(r"(^|\s)(\./)?([^\s/]+/)*bin/publish/").expect("static regex");
        path.replace_all(&stripped, "${1}./").into_owned()
    }
}

/// Where to look for .NET project files: the root and two levels of sub-folders.
const DOTNET_PROJECT_DEPTH: usize = 2;
/// At most this many .NET project files are read for target frameworks.
const DOTNET_PROJECT_LIMIT: usize = 64;

/// True for `.csproj`, `.fsproj` and `.vbproj` file names.
fn is_dotnet_project(name: &str) -> bool {
    [".csproj", ".fsproj", ".vbproj"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// True for the files whose `TargetFramework(s)` count: the project files and
/// `Directory.Build.props`, which MSBuild imports into every project below it.
fn declares_target_framework(name: &str) -> bool {
    is_dotnet_project(name) || name == "Directory.Build.props"
}

/// `global.json` `sdk.version` (`//` comment lines, which the SDK accepts, are skipped).
fn global_json(v: &super::VersionSources) -> super::Found {
    use crate::version::sources::{manifest, non_empty};
    let Some(text) = v.read("global.json")? else {
        return Ok(None);
    };
    let json: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let doc: serde_json::Value = serde_json::from_str(&json)
        .map_err(|e| manifest("global.json", format!("not valid JSON: {e}")))?;
    Ok(doc
        .get("sdk")
        .and_then(|s| s.get("version"))
        .and_then(|v| v.as_str())
        .and_then(|v| non_empty("global.json sdk.version", v, super::Transform::Dotnet)))
}

/// The highest `net<X.Y>` target framework across the project files at depth ≤ 3.
fn dotnet_projects(v: &super::VersionSources) -> super::Found {
    let files = v.tree.find_files(
        "",
        DOTNET_PROJECT_DEPTH,
        DOTNET_PROJECT_LIMIT,
        &declares_target_framework,
    )?;
    let mut best: Option<((u64, u64), String, String)> = None;
    for path in files {
        let Some(text) = v.read(&path)? else {
            continue;
        };
        // A real XML parser: a commented-out `<TargetFramework>` is not a target.
        let doc = crate::version::xml::parse(&path, &text)?;
        for tfm in crate::version::xml::target_frameworks(&doc) {
            let Some(channel) = crate::version::dotnet_channel(&tfm) else {
                continue;
            };
            let key = channel
                .split_once('.')
                .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                .unwrap_or((0, 0));
            if best.as_ref().is_none_or(|(k, _, _)| key > *k) {
                best = Some((key, path.clone(), tfm));
            }
        }
    }
    Ok(best.map(|(_, path, tfm)| {
        crate::version::sources::cand(
            format!("{path} TargetFramework"),
            tfm,
            super::Transform::Dotnet,
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_tags_are_major_minor() {
        assert_eq!(runtime_tag("8.0.100"), Some((8, "8.0".into())));
        assert_eq!(runtime_tag("10.0"), Some((10, "10.0".into())));
        assert_eq!(runtime_tag("9"), Some((9, "9.0".into())));
        assert_eq!(runtime_tag("latest"), None);
    }
}
