//! The version sources of each language, in priority order (detection.md §9).
//!
//! Each language function returns the first source that holds a non-empty value. Deviations
//! from the original, all deliberate (known-defects 23–28): empty files fall through; manifests
//! are parsed (JSON/TOML) instead of grepped, so repeated keys are not concatenated; Poetry's
//! `python` constraint is normalised; `deno.json` `version` (the package's own version) is not
//! read; a TOML `rust-toolchain` is parsed; pom `${…}` properties are resolved. Added sources:
//! Pipfile `python_version`, the Gradle Java toolchain, `packageManager: bun@X` for Bun.

use super::{first_line, Candidate, Transform};
use crate::detect::{node::read_package_json, DetectError};
use crate::language::Language;
use crate::settings::{Settings, VERSION_VARS};
use crate::source::{SourceError, SourceTree};
use regex::Regex;
use std::sync::LazyLock;

type Found = Result<Option<Candidate>, DetectError>;

/// Return the first source that yields a candidate.
macro_rules! first {
    ($($e:expr),+ $(,)?) => {{
        $( if let Some(c) = $e? { return Ok(Some(c)); } )+
        Ok(None)
    }};
}

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pat).expect("constant regex is valid"));
    };
}

re!(GEMFILE_RUBY, r#"^\s*ruby\s*\(?\s*['"]([^'"]*)['"]"#);
re!(BUNFIG_VERSION, r#"^version\s*=\s*"([^"]*)""#);
re!(UV_REQUIRES, r#"^requires-python\s*=\s*"([^"]*)""#);
re!(GO_MOD, r"^go\s+(\S+)");
re!(TOOL_VERSIONS_ELIXIR, r"^elixir\s+(\S+)");
re!(
    SCALA_VERSION,
    r#"scalaVersion\s*:=\s*(?:"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*))"#
);
re!(SCALA_PROPERTY, r"^scala\.version\s*=\s*(.*)$");
re!(CLOJURE_LEIN, r#"\[\s*org\.clojure/clojure\s+"([^"]*)""#);
re!(
    CLOJURE_DEPS,
    r#"org\.clojure/clojure[^"\]}]*"(\d+\.\d+\.\d+)""#
);
re!(
    KOTLIN_PROPERTY,
    r"^(?:kotlin\.version|kotlin_version|kotlinVersion)\s*=\s*(.*)$"
);
re!(
    KOTLIN_DSL,
    r#"kotlin\s*\(\s*"[^"]*"\s*\)\s*version\s*"([^"]*)""#
);
re!(
    KOTLIN_PLUGIN_ID,
    r#"id\s*\(?\s*['"]org\.jetbrains\.kotlin\.[\w.-]+['"]\s*\)?\s*version\s*\(?\s*['"]([^'"]*)['"]"#
);
re!(JAVA_RUNTIME, r"^java\.runtime\.version\s*=([^=]*)");
re!(
    GRADLE_TOOLCHAIN,
    r"JavaLanguageVersion\.of\s*\(\s*(\d+)\s*\)"
);
re!(GRADLE_COMPAT, r"JavaVersion\.VERSION_((?:1_)?\d+)");
re!(
    TARGET_FRAMEWORK,
    r"<TargetFrameworks?>([^<]*)</TargetFrameworks?>"
);
re!(POM_PROPERTY_REF, r"^\$\{([A-Za-z0-9_.-]+)\}$");

/// Where to look for .NET project files: the root and two levels of sub-folders.
pub(crate) const DOTNET_PROJECT_DEPTH: usize = 2;
/// At most this many .NET project files are read for target frameworks.
const DOTNET_PROJECT_LIMIT: usize = 64;

struct Cx<'a> {
    lang: Language,
    settings: &'a Settings,
    tree: &'a SourceTree,
}

fn cand(source: impl Into<String>, raw: impl Into<String>, transform: Transform) -> Candidate {
    Candidate {
        source: source.into(),
        raw: raw.into(),
        transform,
    }
}

fn non_empty(source: &str, raw: &str, t: Transform) -> Option<Candidate> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| cand(source, raw, t))
}

fn manifest(path: &str, reason: impl std::fmt::Display) -> DetectError {
    DetectError::Manifest {
        path: path.to_string(),
        reason: reason.to_string(),
    }
}

impl Cx<'_> {
    /// The `*_VERSION` override of this language.
    fn env(&self, t: Transform) -> Found {
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

    fn read(&self, path: &str) -> Result<Option<String>, DetectError> {
        Ok(self.tree.read(path)?)
    }

    /// A single-value version file, first meaningful line (detection.md §8).
    fn version_file(&self, path: &str, t: Transform) -> Found {
        Ok(self
            .read(path)?
            .and_then(|text| non_empty(path, &first_line(&text), t)))
    }

    /// The first capture of the first line of `path` matching `re`.
    fn line(&self, path: &str, re: &Regex, label: &str, t: Transform) -> Found {
        let Some(text) = self.read(path)? else {
            return Ok(None);
        };
        Ok(text
            .lines()
            .find_map(|l| re.captures(l).and_then(|c| c.get(1)))
            .and_then(|m| non_empty(label, m.as_str(), t)))
    }

    fn toml(&self, path: &str) -> Result<Option<toml::Value>, DetectError> {
        match self.read(path)? {
            None => Ok(None),
            Some(text) => text
                .parse::<toml::Value>()
                .map(Some)
                .map_err(|e| manifest(path, format!("not valid TOML: {}", e.message()))),
        }
    }

    fn toml_str(&self, path: &str, keys: &[&str], t: Transform) -> Found {
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
        Language::Java => java(&cx),
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
        Language::Scala => scala(&cx),
        Language::Clojure => first!(
            cx.env(Transform::Verbatim),
            cx.version_file(".clojure-version", Transform::Verbatim),
            cx.line(
                "project.clj",
                &CLOJURE_LEIN,
                "project.clj org.clojure/clojure",
                Transform::Verbatim
            ),
            cx.line(
                "deps.edn",
                &CLOJURE_DEPS,
                "deps.edn org.clojure/clojure",
                Transform::Verbatim
            ),
        ),
        Language::Kotlin => first!(
            cx.env(Transform::Verbatim),
            cx.version_file(".kotlin-version", Transform::Verbatim),
            cx.line(
                "gradle.properties",
                &KOTLIN_PROPERTY,
                "gradle.properties kotlin.version",
                Transform::Verbatim
            ),
            cx.line(
                "build.gradle.kts",
                &KOTLIN_DSL,
                "build.gradle.kts kotlin plugin",
                Transform::Verbatim
            ),
            cx.line(
                "build.gradle.kts",
                &KOTLIN_PLUGIN_ID,
                "build.gradle.kts kotlin plugin",
                Transform::Verbatim
            ),
            cx.line(
                "build.gradle",
                &KOTLIN_PLUGIN_ID,
                "build.gradle kotlin plugin",
                Transform::Verbatim
            ),
        ),
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

fn java(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::JavaMajor),
        cx.version_file(".java-version", Transform::JavaMajor),
        system_properties(cx),
        pom_java(cx),
        gradle_toolchain(cx, "build.gradle.kts"),
        gradle_toolchain(cx, "build.gradle"),
    )
}

/// `system.properties` `java.runtime.version=17`.
fn system_properties(cx: &Cx) -> Found {
    let Some(text) = cx.read("system.properties")? else {
        return Ok(None);
    };
    Ok(text
        .lines()
        .find_map(|l| JAVA_RUNTIME.captures(l.trim_start()))
        .and_then(|c| c.get(1))
        .and_then(|m| {
            let v: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
            non_empty(
                "system.properties java.runtime.version",
                &v,
                Transform::JavaMajor,
            )
        }))
}

/// The text of `<tag>…</tag>` in an XML document (first occurrence).
fn xml_element<'t>(text: &'t str, tag: &str) -> Option<&'t str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = text.find(&open)? + open.len();
    let len = text[start..].find(&close)?;
    Some(text[start..start + len].trim())
}

/// `pom.xml`: `<java.version>`, else `<maven.compiler.release>`, `…source>`, `…target>`.
/// A `${name}` value is looked up as the `<name>` property of the same pom (a few levels).
fn pom_java(cx: &Cx) -> Found {
    let Some(text) = cx.read("pom.xml")? else {
        return Ok(None);
    };
    for tag in [
        "java.version",
        "maven.compiler.release",
        "maven.compiler.source",
        "maven.compiler.target",
    ] {
        let Some(mut value) = xml_element(&text, tag) else {
            continue;
        };
        for _ in 0..4 {
            match POM_PROPERTY_REF.captures(value) {
                Some(c) => match c.get(1).and_then(|m| xml_element(&text, m.as_str())) {
                    Some(resolved) => value = resolved,
                    None => break,
                },
                None => break,
            }
        }
        if let Some(c) = non_empty(&format!("pom.xml {tag}"), value, Transform::JavaMajor) {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// Gradle: `JavaLanguageVersion.of(17)` or `JavaVersion.VERSION_17` / `VERSION_1_8`.
fn gradle_toolchain(cx: &Cx, path: &str) -> Found {
    let Some(text) = cx.read(path)? else {
        return Ok(None);
    };
    if let Some(m) = GRADLE_TOOLCHAIN.captures(&text).and_then(|c| c.get(1)) {
        return Ok(non_empty(
            &format!("{path} toolchain"),
            m.as_str(),
            Transform::JavaMajor,
        ));
    }
    Ok(GRADLE_COMPAT
        .captures(&text)
        .and_then(|c| c.get(1))
        .and_then(|m| {
            non_empty(
                &format!("{path} sourceCompatibility"),
                &m.as_str().replace('_', "."),
                Transform::JavaMajor,
            )
        }))
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

fn scala(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".scala-version", Transform::Verbatim),
        build_sbt_scala(cx),
        cx.line(
            "project/build.properties",
            &SCALA_PROPERTY,
            "project/build.properties scala.version",
            Transform::Verbatim
        ),
    )
}

/// `scalaVersion := "3.3.1"`, or `scalaVersion := scala3Version` with
/// `val scala3Version = "3.3.1"` in the same file.
fn build_sbt_scala(cx: &Cx) -> Found {
    let Some(text) = cx.read("build.sbt")? else {
        return Ok(None);
    };
    let Some(caps) = SCALA_VERSION.captures(&text) else {
        return Ok(None);
    };
    if let Some(lit) = caps.get(1) {
        return Ok(non_empty(
            "build.sbt scalaVersion",
            lit.as_str(),
            Transform::Verbatim,
        ));
    }
    let Some(ident) = caps.get(2) else {
        return Ok(None);
    };
    let val = Regex::new(&format!(
        r#"val\s+{}\s*=\s*"([^"]*)""#,
        regex::escape(ident.as_str())
    ))
    .map_err(|e| manifest("build.sbt", e))?;
    Ok(val
        .captures(&text)
        .and_then(|c| c.get(1))
        .and_then(|m| non_empty("build.sbt scalaVersion", m.as_str(), Transform::Verbatim)))
}
