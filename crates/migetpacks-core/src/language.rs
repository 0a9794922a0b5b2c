//! The languages migetpacks knows, their ids, display names and accepted aliases.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A language (or build mode) the tool can build.
///
/// ```
/// use migetpacks_core::language::Language;
/// assert_eq!(Language::parse("Node.js (yarn)").unwrap(), Language::Nodejs);
/// assert_eq!(Language::parse("golang").unwrap().id(), "go");
/// assert!(Language::parse("cobol").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Node.js (npm, yarn, pnpm).
    Nodejs,
    /// Deno.
    Deno,
    /// Bun.
    Bun,
    /// Python (pip, uv, poetry, pipenv).
    Python,
    /// Ruby (bundler).
    Ruby,
    /// Go modules.
    Go,
    /// Rust (cargo).
    Rust,
    /// PHP (FrankenPHP, composer).
    Php,
    /// Java (Maven or Gradle).
    Java,
    /// Kotlin (Gradle).
    Kotlin,
    /// Scala (sbt).
    Scala,
    /// Clojure (Leiningen or deps.edn).
    Clojure,
    /// .NET (C#, F#, VB).
    Dotnet,
    /// Elixir (mix).
    Elixir,
    /// The user's own Dockerfile, built as it is.
    Dockerfile,
    /// A compose file: every service with a `build` section.
    Compose,
}

/// `LANGUAGE` named a language the tool does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {value:?}; valid ids: {}", Language::ids().join(", "))]
pub struct UnknownLanguage {
    /// The rejected value.
    pub value: String,
}

impl Language {
    /// Every language, in detection order (Dockerfile and compose last).
    pub const ALL: [Language; 16] = [
        Language::Deno,
        Language::Ruby,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Elixir,
        Language::Scala,
        Language::Clojure,
        Language::Kotlin,
        Language::Java,
        Language::Php,
        Language::Dotnet,
        Language::Bun,
        Language::Nodejs,
        Language::Dockerfile,
        Language::Compose,
    ];

    /// The static facts of this language, declared once in [`SPECS`].
    pub fn spec(self) -> &'static LanguageSpec {
        SPECS
            .iter()
            .find(|s| s.language == self)
            .expect("every language has a row in SPECS (tested)")
    }

    /// The stable id (`nodejs`, `go`, `dotnet`, …).
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// The display name migetpacks prints (`Node.js`, `.NET`, …), without a package-manager suffix.
    pub fn display_name(self) -> &'static str {
        self.spec().display_name
    }

    /// The `*_VERSION` variable that overrides the detected version (`None` for Dockerfile and
    /// compose builds, which have no version).
    pub fn version_var(self) -> Option<&'static str> {
        self.spec().version_var
    }

    /// The version used when no source names one (empty for Dockerfile and compose).
    pub fn default_version(self) -> &'static str {
        self.spec().default_version
    }

    /// True when Docker Hardened Images exist for this language (`USE_DHI` applies).
    pub fn has_hardened_images(self) -> bool {
        self.spec().hardened
    }

    /// All ids, for error messages and help text.
    pub fn ids() -> Vec<&'static str> {
        let mut ids: Vec<_> = Language::ALL.iter().map(|l| l.id()).collect();
        ids.sort_unstable();
        ids
    }

    /// True for the languages that generate a Dockerfile (not Dockerfile/compose passthrough).
    pub fn is_generated(self) -> bool {
        !matches!(self, Language::Dockerfile | Language::Compose)
    }

    /// Parse a `LANGUAGE` value: an id, a display name (`Node.js (yarn)`, `Java (Maven)`, `.NET`)
    /// or an alias (`node`, `golang`, `.net`, `csharp`), case-insensitively.
    pub fn parse(raw: &str) -> Result<Language, UnknownLanguage> {
        let lower = raw.trim().to_ascii_lowercase();
        // Display names carry a package-manager suffix: "Node.js (yarn)", "Java (Maven)".
        let base = match lower.find(" (") {
            Some(i) => lower[..i].trim_end(),
            None => lower.as_str(),
        };
        SPECS
            .iter()
            .find(|spec| {
                spec.id == base
                    || spec.display_name.eq_ignore_ascii_case(base)
                    || spec.aliases.contains(&base)
            })
            .map(|spec| spec.language)
            .ok_or_else(|| UnknownLanguage {
                value: raw.to_string(),
            })
    }
}

/// The static facts of one language: everything the rest of the tool derives per language
/// (the `LANGUAGE` parser, buildpack names, `*_VERSION` variables and `--*-version` flags,
/// default versions, whether `USE_DHI` applies). Adding a language adds one row to [`SPECS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageSpec {
    /// The language.
    pub language: Language,
    /// Stable id (`nodejs`).
    pub id: &'static str,
    /// Display name (`Node.js`), without a package-manager suffix.
    pub display_name: &'static str,
    /// Other lowercase names `LANGUAGE` accepts (`node`, `golang`, `csharp`).
    pub aliases: &'static [&'static str],
    /// Last segments of buildpack names and URLs that mean this language (`heroku/<name>`,
    /// `…/heroku-buildpack-<name>`).
    pub buildpack_names: &'static [&'static str],
    /// The variable (and, lowercased with dashes, the CLI flag) that overrides the version.
    pub version_var: Option<&'static str>,
    /// The version used when no source names one.
    pub default_version: &'static str,
    /// Docker Hardened Images exist: `USE_DHI` switches this language to them. Languages
    /// without them build on their official images and say so in a warning.
    pub hardened: bool,
}

#[allow(clippy::too_many_arguments)] // one positional row per language keeps the table readable
const fn spec(
    language: Language,
    id: &'static str,
    display_name: &'static str,
    aliases: &'static [&'static str],
    buildpack_names: &'static [&'static str],
    version_var: &'static str,
    default_version: &'static str,
    hardened: bool,
) -> LanguageSpec {
    LanguageSpec {
        language,
        id,
        display_name,
        aliases,
        buildpack_names,
        version_var: Some(version_var),
        default_version,
        hardened,
    }
}

/// One row per language (in the order settings read the `*_VERSION` variables).
#[rustfmt::skip]
pub const SPECS: [LanguageSpec; 16] = [
    spec(Language::Nodejs, "nodejs", "Node.js", &["node", "node.js"], &["nodejs", "node"], "NODE_VERSION", "22.16.0", true),
    spec(Language::Bun, "bun", "Bun", &[], &["bun"], "BUN_VERSION", "1.3.4", true),
    spec(Language::Deno, "deno", "Deno", &[], &["deno"], "DENO_VERSION", "2.6.1", true),
    spec(Language::Ruby, "ruby", "Ruby", &[], &["ruby"], "RUBY_VERSION", "3.4.4", true),
    spec(Language::Python, "python", "Python", &[], &["python"], "PYTHON_VERSION", "3.12.8", true),
    spec(Language::Go, "go", "Go", &["golang"], &["go", "golang"], "GO_VERSION", "1.25.0", true),
    spec(Language::Rust, "rust", "Rust", &[], &["rust"], "RUSTUP_TOOLCHAIN", "1.92.0", true),
    spec(Language::Php, "php", "PHP", &[], &["php"], "PHP_VERSION", "8.3", false),
    spec(Language::Java, "java", "Java", &["maven", "gradle"], &["java", "jvm", "maven"], "JAVA_VERSION", "21", true),
    spec(Language::Dotnet, "dotnet", ".NET", &[".net", "csharp", "c#", "fsharp"], &["dotnet", "dotnetcore"], "DOTNET_VERSION", "8.0", true),
    spec(Language::Elixir, "elixir", "Elixir", &[], &["elixir"], "ELIXIR_VERSION", "1.18.4", false),
    spec(Language::Scala, "scala", "Scala", &[], &["scala"], "SCALA_VERSION", "3.5.2", true),
    spec(Language::Clojure, "clojure", "Clojure", &[], &["clojure"], "CLOJURE_VERSION", "1.11.1", true),
    // heroku/gradle means Kotlin (Kotlin projects use Gradle), while LANGUAGE=gradle means Java.
    spec(Language::Kotlin, "kotlin", "Kotlin", &[], &["kotlin", "gradle"], "KOTLIN_VERSION", "2.1.0", true),
    LanguageSpec { language: Language::Dockerfile, id: "dockerfile", display_name: "Dockerfile", aliases: &[], buildpack_names: &[], version_var: None, default_version: "", hardened: false },
    LanguageSpec { language: Language::Compose, id: "compose", display_name: "Compose", aliases: &[], buildpack_names: &[], version_var: None, default_version: "", hardened: false },
];

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_display_names_and_aliases() {
        let cases = [
            ("nodejs", Language::Nodejs),
            ("Node.js (yarn)", Language::Nodejs),
            ("Node.js (pnpm)", Language::Nodejs),
            ("NODE", Language::Nodejs),
            ("golang", Language::Go),
            ("Java (Maven)", Language::Java),
            ("Java (Gradle)", Language::Java),
            (".NET", Language::Dotnet),
            ("csharp", Language::Dotnet),
            ("Dockerfile", Language::Dockerfile),
            ("Compose", Language::Compose),
        ];
        for (raw, want) in cases {
            assert_eq!(Language::parse(raw).unwrap(), want, "{raw}");
        }
        for l in Language::ALL {
            assert_eq!(Language::parse(l.id()).unwrap(), l);
            assert_eq!(Language::parse(l.display_name()).unwrap(), l);
        }
    }

    #[test]
    fn every_language_has_exactly_one_spec() {
        for l in Language::ALL {
            assert_eq!(SPECS.iter().filter(|s| s.language == l).count(), 1, "{l:?}");
            assert_eq!(l.version_var().is_some(), l.is_generated(), "{l:?}");
            assert_eq!(l.default_version().is_empty(), !l.is_generated(), "{l:?}");
        }
        assert_eq!(SPECS.len(), Language::ALL.len());
    }

    #[test]
    fn unknown_language_lists_valid_ids() {
        let err = Language::parse("cobol").unwrap_err().to_string();
        assert!(
            err.contains("cobol") && err.contains("nodejs") && err.contains("dotnet"),
            "{err}"
        );
    }
}
