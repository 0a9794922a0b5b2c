//! Deno: dependencies from `deno.json(c)`/`package.json` are installed before the source is
//! copied, then the entry point's modules are cached. Deno's module cache (`DENO_DIR`) is
//! shipped to the runtime stage, so the app starts without downloading anything.

use super::{dhi, Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::{mount, CacheKind};
use crate::plan::{EnvVar, Phase, Step};
use serde_json::Value;
use shell_words::quote;

/// The Deno provider.
pub struct Deno;

/// Oldest Deno published as a Docker Hardened Image.
const DHI_FLOOR: (u64, u64, u64) = (2, 6, 4);

/// The module cache shipped to the runtime stage (its own folder: nothing else writes there).
const DENO_DIR: &str = "/deno-cache";

/// Entry files tried when the start task names none, in order.
const ENTRIES: [&str; 9] = [
    "main.ts",
    "mod.ts",
    "server.ts",
    "app.ts",
    "index.ts",
    "index.js",
    "main.js",
    "src/main.ts",
    "src/mod.ts",
];

/// JSONC to JSON: comments and trailing commas removed, strings untouched.
pub fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut in_str, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => while chars.next_if(|&n| n != '\n').is_some() {},
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            ('}' | ']', _) => {
                let trimmed = out.trim_end().len();
                if out[..trimmed].ends_with(',') {
                    out.truncate(trimmed - 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The Deno configuration file and its parsed content.
fn config(cx: &Context) -> Result<Option<(String, Value)>, PlanError> {
    for name in ["deno.json", "deno.jsonc"] {
        if let Some(text) = cx.read(name)? {
            let v: Value =
                serde_json::from_str(&strip_jsonc(&text)).map_err(|e| PlanError::Manifest {
                    path: name.into(),
                    reason: e.to_string(),
                })?;
            return Ok(Some((name.to_string(), v)));
        }
    }
    Ok(None)
}

/// The `start` task's command (a string, or `{"command": …}` since Deno 2.1).
fn start_task(cfg: Option<&Value>) -> Option<String> {
    let t = cfg?.get("tasks")?.get("start")?;
    t.as_str()
        .or_else(|| t.get("command").and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

/// The entry file: the first existing script named by the start task, or a usual name.
fn entry(cx: &Context, task: Option<&str>) -> Option<String> {
    let re =
        regex::Regex::new(r"^[A-Za-z0-9_./-]+\.(ts|tsx|js|jsx|mts|mjs)$").expect("static regex");
    let from_task = task.and_then(|t| {
        t.split_whitespace()
            .map(|w| w.trim_start_matches("./"))
            .find(|w| re.is_match(w) && cx.has(w))
            .map(str::to_string)
    });
    from_task.or_else(|| ENTRIES.into_iter().find(|e| cx.has(e)).map(str::to_string))
}

impl Provider for Deno {
    fn language(&self) -> Language {
        Language::Deno
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["deno.json", "deno.jsonc", "deno.lock"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Verbatim;
        first!(
            v.env(Verbatim),
            v.version_file(".deno-version", Verbatim),
            v.version_file(".dvmrc", Verbatim),
            v.tool_files(Verbatim),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let (version, raise) = if cx.hardened() {
            dhi::raise("Deno", &cx.version.value, DHI_FLOOR)
        } else {
            (cx.version.value.clone(), None)
        };
        let cfg = config(cx)?;
        let task = start_task(cfg.as_ref().map(|(_, v)| v));
        let entry = entry(cx, task.as_deref());
        let frozen = if cx.has("deno.lock") { " --frozen" } else { "" };
        let mounts = cx.mounts(&[CacheKind::Deno]);
        // With a cache mount, Deno works in the mount and the result is copied to DENO_DIR.
        let cache_dir = mount(CacheKind::Deno, None).target;
        let deno = |args: String| {
            if mounts.is_empty() {
                format!("deno {args}")
            } else {
                format!("DENO_DIR={cache_dir} deno {args}")
            }
        };
        let mut b = vec![
            Step::env(Phase::Setup, vec![EnvVar::new("DENO_DIR", DENO_DIR)])
                .why("Deno's module cache, shipped to the runtime stage (created even if nothing is cached)"),
            Step::run(Phase::Setup, [format!("mkdir -p {DENO_DIR}")]),
        ];
        let manifests = cx.existing(&[
            "deno.json",
            "deno.jsonc",
            "deno.lock",
            "package.json",
            "import_map.json",
        ]);
        let has_imports = cfg
            .as_ref()
            .is_some_and(|(_, v)| v.get("imports").is_some() || v.get("importMap").is_some());
        let install = has_imports || cx.has("package.json");
        let writes_next_to_source = cx.settings.build_command.is_some()
            || cx.has("package.json")
            || cfg.as_ref().is_some_and(|(_, v)| {
                v.get("nodeModulesDir").is_some() || v.get("vendor").is_some()
            });
        if install {
            b.push(
                Step::copy(Phase::Manifests, manifests, "./")
                    .why("Configuration and lockfile first: the install below is reused while they are unchanged"),
            );
        }
        let copy_out = format!("cp -a {cache_dir}/. {DENO_DIR}/");
        let mut last = Vec::new();
        if let Some(cmd) = &cx.settings.build_command {
            last.push(cmd.clone());
        }
        if let Some(e) = &entry {
            last.push(deno(format!("cache{frozen} {}", quote(e))));
        }
        if install {
            let mut cmds = vec![deno(format!("install{frozen}"))];
            if !mounts.is_empty() && last.is_empty() {
                cmds.push(copy_out.clone());
            }
            b.push(
                Step::run(Phase::Install, cmds)
                    .mounts(mounts.clone())
                    .why("Install the dependencies of the configuration"),
            );
        }
        b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
        if !last.is_empty() {
            if !mounts.is_empty() {
                last.push(copy_out);
            }
            b.push(Step::run(Phase::Build, last).mounts(mounts).why(
                if cx.settings.build_command.is_some() {
                    "BUILD_COMMAND, then cache the entry point's modules"
                } else {
                    "Cache the entry point's modules"
                },
            ));
        }
        let owner = cx.owner();
        let r = vec![
            Step::env(Phase::Runtime, vec![EnvVar::new("DENO_DIR", DENO_DIR)])
                .why("Modules cached in the builder: the app starts without downloading"),
            Step::copy_from(Phase::Runtime, "builder", [DENO_DIR], DENO_DIR).chown(&owner),
            // Only DENO_DIR changes in the builder unless something writes next to the
            // source (BUILD_COMMAND, node_modules, vendor/): then the source can be the last
            // layer, straight from the build context.
            if writes_next_to_source {
                cx.copy_build_to_app()
            } else {
                cx.copy_source_to_app()
            },
        ];
        let default_command = match (&task, &entry) {
            (Some(_), _) => "deno task start".to_string(),
            (None, Some(e)) => format!("deno run --allow-net --allow-read --allow-env {e}"),
            (None, None) => String::new(),
        };
        Ok(LanguagePlan {
            package_manager: Some("deno".into()),
            build_image: if cx.hardened() {
                format!("dhi.io/deno:{version}-dev")
            } else {
                format!("denoland/deno:{version}")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/deno:{version}")
            } else {
                format!("denoland/deno:{version}")
            },
            version: (version != cx.version.value).then_some(version),
            builder: b,
            runtime: r,
            default_command,
            no_shell: cx.hardened(),
            warnings: raise.into_iter().collect(),
            ..LanguagePlan::default()
        })
    }

    /// The hardened image's entrypoint is `deno`: the command starts at its arguments.
    fn translate_command(&self, cx: &Context, command: &str) -> String {
        match command.strip_prefix("deno ") {
            Some(rest) if cx.hardened() => rest.trim_start().to_string(),
            _ => command.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonc_comments_and_trailing_commas() {
        let text = "{\n  // tasks\n  \"tasks\": { \"start\": \"deno run -A main.ts\", },\n  /* block */ \"x\": \"a // not a comment\",\n  \"y\": [1, 2,],\n}\n";
        let v: Value = serde_json::from_str(&strip_jsonc(text)).unwrap();
        assert_eq!(v["tasks"]["start"], "deno run -A main.ts");
        assert_eq!(v["x"], "a // not a comment");
        assert_eq!(v["y"], serde_json::json!([1, 2]));
        let obj = serde_json::json!({"tasks": {"start": {"command": "deno serve main.ts"}}});
        assert_eq!(
            start_task(Some(&obj)).as_deref(),
            Some("deno serve main.ts")
        );
    }
}
