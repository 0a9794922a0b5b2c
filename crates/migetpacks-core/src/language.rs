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

    /// The stable id (`nodejs`, `go`, `dotnet`, …).
    pub fn id(self) -> &'static str {
        match self {
            Language::Nodejs => "nodejs",
            Language::Deno => "deno",
            Language::Bun => "bun",
            Language::Python => "python",
            Language::Ruby => "ruby",
            Language::Go => "go",
            Language::Rust => "rust",
            Language::Php => "php",
            Language::Java => "java",
            Language::Kotlin => "kotlin",
            Language::Scala => "scala",
            Language::Clojure => "clojure",
            Language::Dotnet => "dotnet",
            Language::Elixir => "elixir",
            Language::Dockerfile => "dockerfile",
            Language::Compose => "compose",
        }
    }

    /// The display name migetpacks prints (`Node.js`, `.NET`, …), without a package-manager suffix.
    pub fn display_name(self) -> &'static str {
        match self {
            Language::Nodejs => "Node.js",
            Language::Deno => "Deno",
            Language::Bun => "Bun",
            Language::Python => "Python",
            Language::Ruby => "Ruby",
            Language::Go => "Go",
            Language::Rust => "Rust",
            Language::Php => "PHP",
            Language::Java => "Java",
            Language::Kotlin => "Kotlin",
            Language::Scala => "Scala",
            Language::Clojure => "Clojure",
            Language::Dotnet => ".NET",
            Language::Elixir => "Elixir",
            Language::Dockerfile => "Dockerfile",
            Language::Compose => "Compose",
        }
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
        let lang = match base {
            "nodejs" | "node" | "node.js" => Language::Nodejs,
            "deno" => Language::Deno,
            "bun" => Language::Bun,
            "python" => Language::Python,
            "ruby" => Language::Ruby,
            "go" | "golang" => Language::Go,
            "rust" => Language::Rust,
            "php" => Language::Php,
            "java" | "maven" | "gradle" => Language::Java,
            "kotlin" => Language::Kotlin,
            "scala" => Language::Scala,
            "clojure" => Language::Clojure,
            ".net" | "dotnet" | "csharp" | "c#" | "fsharp" => Language::Dotnet,
            "elixir" => Language::Elixir,
            "dockerfile" => Language::Dockerfile,
            "compose" => Language::Compose,
            _ => {
                return Err(UnknownLanguage {
                    value: raw.to_string(),
                })
            }
        };
        Ok(lang)
    }
}

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
    fn unknown_language_lists_valid_ids() {
        let err = Language::parse("cobol").unwrap_err().to_string();
        assert!(
            err.contains("cobol") && err.contains("nodejs") && err.contains("dotnet"),
            "{err}"
        );
    }
}
