//! The version sources of each language, in priority order (detection.md §9).
//!
//! Each language function returns the first source that holds a non-empty value. Deviations
//! from the original, all deliberate (known-defects 23–28): empty files fall through; manifests
//! are parsed (JSON/TOML) instead of grepped, so repeated keys are not concatenated; Poetry's
//! `python` constraint is normalised; `deno.json` `version` (the package's own version) is not
//! read; a TOML `rust-toolchain` is parsed; pom `${…}` properties are resolved. Added sources:
//! Pipfile `python_version`, the Gradle Java toolchain, `packageManager: bun@X` for Bun.

use super::{first_line, jvm, Candidate, Transform};
use crate::detect::{node::read_package_json, DetectError};
use crate::language::Language;
use crate::settings::{Settings, VERSION_VARS};
use crate::source::{SourceError, SourceTree};
use regex::Regex;

pub(super) type Found = Result<Option<Candidate>, DetectError>;

re!(GEMFILE_RUBY, r#"^\s*ruby\s*\(?\s*['"]([^'"]*)['"]"#);
re!(BUNFIG_VERSION, r#"^version\s*=\s*"([^"]*)""#);
re!(UV_REQUIRES, r#"^requires-python\s*=\s*"([^"]*)""#);
re!(GO_MOD, r"^go\s+(\S+)");
re!(TOOL_VERSIONS_ELIXIR, r"^elixir\s+(\S+)");
re!(
    TARGET_FRAMEWORK,
    r"<TargetFrameworks?>([^<]*)</TargetFrameworks?>"
);

/// Where to look for .NET project files: the root and two levels of sub-folders.
pub(crate) const DOTNET_PROJECT_DEPTH: usize = 2;
/// At most this many .NET project files are read for target frameworks.
const DOTNET_PROJECT_LIMIT: usize = 64;

pub(super) struct Cx<'a> {
    pub lang: Language,
    pub settings: &'a Settings,
    pub tree: &'a SourceTree,
}

pub(super) fn cand(
    source: impl Into<String>,
    raw: impl Into<String>,
    transform: Transform,
) -> Candidate {
    Candidate {
        source: source.into(),
        raw: raw.into(),
        transform,
    }
}

pub(super) fn non_empty(source: &str, raw: &str, t: Transform) -> Option<Candidate> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| cand(source, raw, t))
}

pub(super) fn manifest(path: &str, reason: impl std::fmt::Display) -> DetectError {
    DetectError::Manifest {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

impl Cx<'_> {
    /// The `*_VERSION` override of this language.
    pub(super) fn env(&self, t: Transform) -> Found {
        let var = VERSION_VARS
            .iter()
            .find(|(l, _)| *l == self.lang)
            .map(|(_, v)| *v);
        Ok(
            match (var, self.settings.version_overrides.get(&self.lang)) {
                (Some(var), Some(v)) => non_empty(var, v, t),
                _ => None,
            },
        )
    }

    pub(super) fn read(&self, path: &str) -> Result<Option<String>, DetectError> {
        Ok(self.tree.read(path)?)
    }

    /// A single-value version file, first meaningful line (detection.md §8).
    pub(super) fn version_file(&self, path: &str, t: Transform) -> Found {
        Ok(self
            .read(path)?
            .and_then(|text| non_empty(path, &first_line(&text), t)))
    }

    /// The first capture of the first line of `path` matching `re`.
    pub(super) fn line(&self, path: &str, re: &Regex, label: &str, t: Transform) -> Found {
        let Some(text) = self.read(path)? else {
            return Ok(None);
        };
        Ok(text
            .lines()
            .find_map(|l| re.captures(l).and_then(|c| c.get(1)))
            .and_then(|m| non_empty(label, m.as_str(), t)))
    }

    pub(super) fn toml(&self, path: &str) -> Result<Option<toml::Value>, DetectError> {
        match self.read(path)? {
            None => Ok(None),
            Some(text) => text.parse::<toml::Value>().map(Some).map_err(|e| {
                manifest(
                    path,
                    format!("not valid TOML: {}", e.message().trim().replace('\n', ": ")),
                )
            }),
        }
    }

    pub(super) fn toml_str(&self, path: &str, keys: &[&str], t: Transform) -> Found {
        let Some(doc) = self.toml(path)? else {
            return Ok(None);
        };
        let mut v = &doc;
        for k in keys {
            match v.get(k) {
                Some(next) => v = next,
                None => return Ok(None),
            }
        }
        Ok(v.as_str()
            .and_then(|s| non_empty(&format!("{path} {}", keys.join(".")), s, t)))
    }
}

/// The first version source of `lang` with a value, or `None` (use the default).
pub(crate) fn find(
    lang: Language,
    settings: &Settings,
    tree: &SourceTree,
) -> Result<Option<Candidate>, DetectError> {
    let cx = Cx {
        lang,
        settings,
        tree,
    };
    match lang {
        Language::Nodejs => node(&cx),
        Language::Bun => bun(&cx),
        Language::Deno => first!(
            cx.env(Transform::Verbatim),
            cx.version_file(".deno-version", Transform::Verbatim),
            cx.version_file(".dvmrc", Transform::Verbatim),
        ),
        Language::Ruby => first!(
            cx.env(Transform::Ruby),
            cx.version_file(".ruby-version", Transform::Ruby),
            cx.line("Gemfile", &GEMFILE_RUBY, "Gemfile ruby", Transform::Ruby),
        ),
        Language::Python => python(&cx),
        Language::Go => first!(
            cx.env(Transform::Verbatim),
            cx.version_file(".go-version", Transform::Verbatim),
            cx.line("go.mod", &GO_MOD, "go.mod go", Transform::Verbatim),
        ),
        Language::Rust => rust(&cx),
        Language::Php => php(&cx),
        Language::Java => jvm::java(&cx),
        Language::Dotnet => dotnet(&cx),
        Language::Elixir => first!(
            cx.env(Transform::Verbatim),
            cx.version_file(".elixir-version", Transform::Verbatim),
            cx.line(
                ".tool-versions",
                &TOOL_VERSIONS_ELIXIR,
                ".tool-versions elixir",
                Transform::Verbatim
            ),
        ),
        Language::Scala => jvm::scala(&cx),
        Language::Clojure => jvm::clojure(&cx),
        Language::Kotlin => jvm::kotlin(&cx),
        Language::Dockerfile | Language::Compose => Ok(None),
    }
}

fn node(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Node),
        cx.version_file(".node-version", Transform::Node),
        cx.version_file(".nvmrc", Transform::Node),
        package_json_str(cx, &["engines", "node"], Transform::Node),
    )
}

fn package_json_str(cx: &Cx, keys: &[&str], t: Transform) -> Found {
    let Some(pkg) = read_package_json(cx.tree)? else {
        return Ok(None);
    };
    let mut v = &pkg;
    for k in keys {
        match v.get(k) {
            Some(next) => v = next,
            None => return Ok(None),
        }
    }
    Ok(v.as_str()
        .and_then(|s| non_empty(&format!("package.json {}", keys.join(".")), s, t)))
}

fn bun(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".bun-version", Transform::Verbatim),
        cx.line(
            "bunfig.toml",
            &BUNFIG_VERSION,
            "bunfig.toml version",
            Transform::Verbatim
        ),
        bun_package_manager(cx),
    )
}

/// `"packageManager": "bun@1.1.38+sha512.…"` → `1.1.38`.
fn bun_package_manager(cx: &Cx) -> Found {
    let Some(c) = package_json_str(cx, &["packageManager"], Transform::Verbatim)? else {
        return Ok(None);
    };
    Ok(c.raw.strip_prefix("bun@").and_then(|v| {
        let v = v.split('+').next().unwrap_or(v);
        non_empty("package.json packageManager", v, Transform::Verbatim)
    }))
}

fn python(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".python-version", Transform::Verbatim),
        runtime_txt(cx),
        uv_lock(cx),
        cx.toml_str(
            "pyproject.toml",
            &["project", "requires-python"],
            Transform::Norm
        ),
        cx.toml_str(
            "pyproject.toml",
            &["tool", "poetry", "dependencies", "python"],
            Transform::Norm
        ),
        cx.toml_str(
            "Pipfile",
            &["requires", "python_full_version"],
            Transform::Norm
        ),
        cx.toml_str("Pipfile", &["requires", "python_version"], Transform::Norm),
    )
}

/// `runtime.txt`: `python-3.11.4` → `3.11.4`.
fn runtime_txt(cx: &Cx) -> Found {
    Ok(cx.read("runtime.txt")?.and_then(|text| {
        let line = first_line(&text);
        let v = line.strip_prefix("python-").unwrap_or(&line);
        non_empty("runtime.txt", v, Transform::Verbatim)
    }))
}

/// `uv.lock` `requires-python`. Lock files can outgrow the read cap; then this source is
/// skipped (pyproject.toml carries the same constraint).
fn uv_lock(cx: &Cx) -> Found {
    match cx.line(
        "uv.lock",
        &UV_REQUIRES,
        "uv.lock requires-python",
        Transform::Norm,
    ) {
        Err(DetectError::Source(SourceError::TooLarge { .. })) => Ok(None),
        other => other,
    }
}

fn rust(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        rust_toolchain_legacy(cx),
        cx.toml_str(
            "rust-toolchain.toml",
            &["toolchain", "channel"],
            Transform::Verbatim
        ),
    )
}

/// `rust-toolchain` is either one line (`1.78.0`) or, in newer projects, TOML.
fn rust_toolchain_legacy(cx: &Cx) -> Found {
    let Some(text) = cx.read("rust-toolchain")? else {
        return Ok(None);
    };
    if text.contains("[toolchain]") {
        return cx.toml_str(
            "rust-toolchain",
            &["toolchain", "channel"],
            Transform::Verbatim,
        );
    }
    Ok(non_empty(
        "rust-toolchain",
        &first_line(&text),
        Transform::Verbatim,
    ))
}

fn php(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".php-version", Transform::Verbatim),
        composer_php(cx),
    )
}

fn composer_php(cx: &Cx) -> Found {
    let Some(text) = cx.read("composer.json")? else {
        return Ok(None);
    };
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| manifest("composer.json", format!("not valid JSON: {e}")))?;
    Ok(doc
        .get("require")
        .and_then(|r| r.get("php"))
        .and_then(|v| v.as_str())
        .and_then(|v| non_empty("composer.json require.php", v, Transform::Norm)))
}

fn dotnet(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Dotnet),
        global_json(cx),
        dotnet_projects(cx),
    )
}

/// `global.json` `sdk.version` (`//` comment lines, which the SDK accepts, are skipped).
fn global_json(cx: &Cx) -> Found {
    let Some(text) = cx.read("global.json")? else {
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
        .and_then(|v| non_empty("global.json sdk.version", v, Transform::Dotnet)))
}

/// True for `.csproj`, `.fsproj` and `.vbproj` file names.
pub(crate) fn is_dotnet_project(name: &str) -> bool {
    [".csproj", ".fsproj", ".vbproj"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext))
}

/// The highest `net<X.Y>` target framework across the project files at depth ≤ 3.
fn dotnet_projects(cx: &Cx) -> Found {
    let files = cx.tree.find_files(
        "",
        DOTNET_PROJECT_DEPTH,
        DOTNET_PROJECT_LIMIT,
        &is_dotnet_project,
    )?;
    let mut best: Option<((u64, u64), String, String)> = None;
    for path in files {
        let Some(text) = cx.read(&path)? else {
            continue;
        };
        for caps in TARGET_FRAMEWORK.captures_iter(&text) {
            for tfm in caps[1].split(';').map(str::trim) {
                let Some(channel) = super::dotnet_channel(tfm) else {
                    continue;
                };
                let key = channel
                    .split_once('.')
                    .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                    .unwrap_or((0, 0));
                let better = match &best {
                    None => true,
                    Some((k, _, _)) => key > *k,
                };
                if better {
                    best = Some((key, path.clone(), tfm.to_string()));
                }
            }
        }
    }
    Ok(best.map(|(_, path, tfm)| cand(format!("{path} TargetFramework"), tfm, Transform::Dotnet)))
}
