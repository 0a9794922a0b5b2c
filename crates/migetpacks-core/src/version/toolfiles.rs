//! The multi-language version files: asdf's `.tool-versions` and mise's `mise.toml` /
//! `.mise.toml` `[tools]` table. One reader for every language; each provider's version source
//! asks it after the language's own version file (docs/detection.md).

use super::sources::{manifest, non_empty, Found, VersionSources};
use super::Transform;
use crate::language::Language;

/// The tool names asdf and mise use for a language (plugin names and mise's aliases).
fn tool_names(lang: Language) -> &'static [&'static str] {
    use Language::*;
    match lang {
        Nodejs => &["node", "nodejs"],
        Python => &["python"],
        Ruby => &["ruby"],
        Go => &["go", "golang"],
        Rust => &["rust"],
        Php => &["php"],
        Java => &["java"],
        Kotlin => &["kotlin"],
        Scala => &["scala"],
        Elixir => &["elixir"],
        Deno => &["deno"],
        Bun => &["bun"],
        Dotnet => &["dotnet", "dotnet-core"],
        _ => &[],
    }
}

/// A version a build can use: not asdf's `system`, `ref:…` or `path:…`, not mise's `latest`
/// or `prefix:`/`sub-` forms (those name no release; the next source decides). Java's vendor
/// prefix (`temurin-17.0.2+8`, `openjdk-21`) is dropped: the images are Eclipse Temurin.
fn usable(lang: Language, raw: &str) -> Option<String> {
    let v = raw.trim().trim_matches('"');
    if v.is_empty() || v == "system" || v == "latest" || v.contains(':') || v.starts_with("sub-") {
        return None;
    }
    if lang == Language::Java {
        if let Some((vendor, rest)) = v.split_once('-') {
            if vendor.chars().all(|c| c.is_ascii_alphabetic()) {
                return Some(rest.to_string());
            }
        }
    }
    Some(v.to_string())
}

impl VersionSources<'_> {
    /// This language's version from `.tool-versions`, else `mise.toml`, else `.mise.toml`.
    pub fn tool_files(&self, t: Transform) -> Found {
        let names = tool_names(self.lang);
        if names.is_empty() {
            return Ok(None);
        }
        if let Some(text) = self.read(".tool-versions")? {
            // `name version [fallback …]`; `#` starts a comment.
            for line in text.lines() {
                let line = line.split('#').next().unwrap_or_default();
                let mut words = line.split_whitespace();
                let (Some(name), Some(version)) = (words.next(), words.next()) else {
                    continue;
                };
                if names.contains(&name) {
                    let found = usable(self.lang, version)
                        .and_then(|v| non_empty(&format!(".tool-versions {name}"), &v, t));
                    if found.is_some() {
                        return Ok(found);
                    }
                }
            }
        }
        for path in ["mise.toml", ".mise.toml"] {
            let Some(doc) = self.toml(path)? else {
                continue;
            };
            let Some(tools) = doc.get("tools") else {
                continue;
            };
            let tools = tools
                .as_table()
                .ok_or_else(|| manifest(path, "[tools] must be a table"))?;
            for name in names {
                // `node = "20"`, `node = ["20", "18"]` (first wins) or `node = { version = "20" }`.
                let raw = match tools.get(*name) {
                    Some(toml::Value::String(s)) => Some(s.as_str()),
                    Some(toml::Value::Array(a)) => a.first().and_then(|v| v.as_str()),
                    Some(toml::Value::Table(t)) => t.get("version").and_then(|v| v.as_str()),
                    _ => None,
                };
                if let Some(v) = raw.and_then(|r| usable(self.lang, r)) {
                    return Ok(non_empty(&format!("{path} tools.{name}"), &v, t));
                }
            }
        }
        Ok(None)
    }
}
