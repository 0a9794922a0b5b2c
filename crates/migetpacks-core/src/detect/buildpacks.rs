//! Buildpack names (`BUILDPACKS`, app.json `buildpacks`) → languages (docs/detection.md).
//!
//! Beyond the original table this also maps repository and archive URLs by their last path
//! segment (`https://github.com/heroku/heroku-buildpack-ruby` → ruby, `…/ruby.tgz` → ruby),
//! `heroku/jvm` and `heroku/maven` → java and `<x>/golang` → go (docs/differences.md). An entry
//! that maps to no language is an error naming where it was given, instead of being dropped
//! silently.

use super::DetectError;
use crate::language::Language;
use crate::source::SourceTree;

/// Map one buildpack entry to a language; `None` when it names none.
///
/// ```
/// use migetpacks_core::detect::buildpacks::map_buildpack;
/// use migetpacks_core::language::Language;
/// assert_eq!(map_buildpack("heroku/nodejs"), Some(Language::Nodejs));
/// assert_eq!(map_buildpack("miget/python"), Some(Language::Python));
/// assert_eq!(map_buildpack("https://github.com/heroku/heroku-buildpack-ruby.git"), Some(Language::Ruby));
/// assert_eq!(map_buildpack("heroku/apt"), None);
/// ```
pub fn map_buildpack(entry: &str) -> Option<Language> {
    let e: String = entry
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let e = e.strip_prefix("miget/").unwrap_or(&e);
    if !e.contains('/') {
        return Language::parse(e).ok().filter(|l| l.is_generated());
    }
    // URL or owner/name: keep the last path segment, without fragment, query or archive suffix.
    let e = e
        .split(['#', '?'])
        .next()
        .unwrap_or(e)
        .trim_end_matches('/');
    let last = e.rsplit('/').next().unwrap_or(e);
    let last = [".git", ".tgz", ".tar.gz", ".zip"]
        .iter()
        .find_map(|s| last.strip_suffix(s))
        .unwrap_or(last);
    let name = ["heroku-buildpack-", "buildpack-"]
        .iter()
        .find_map(|p| last.strip_prefix(p))
        .unwrap_or(last);
    // Names accepted as the last segment of `<owner>/<name>` or of a URL: each language's
    // buildpack names.
    crate::language::SPECS
        .iter()
        .find(|spec| spec.buildpack_names.contains(&name))
        .map(|spec| spec.language)
}

/// Which entry of a buildpack list is the primary language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryEntry {
    /// `BUILDPACKS`: the first entry (migetpacks' rule).
    First,
    /// app.json `buildpacks`: the last entry, as Heroku runs it (it decides the process
    /// types; the earlier buildpacks add runtimes such as Node.js for assets).
    Last,
}

/// Map a list; `origin` names it in evidence and errors (`BUILDPACKS`, `app.json buildpacks`).
/// Empty entries are skipped; an unknown entry is an error. The result starts with the
/// primary language, then the additional ones in list order.
pub fn map_list(
    origin: &str,
    entries: &[String],
    primary: PrimaryEntry,
    evidence: &mut Vec<String>,
) -> Result<Vec<Language>, DetectError> {
    let mut mapped = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let trimmed = entry.trim();
        let bare = trimmed.strip_prefix("miget/").unwrap_or(trimmed);
        if bare.is_empty() {
            continue;
        }
        let lang = map_buildpack(trimmed).ok_or_else(|| DetectError::UnknownBuildpack {
            origin: format!("{origin}[{i}]"),
            entry: entry.clone(),
        })?;
        mapped.push((i, trimmed, lang));
    }
    let primary_at = match primary {
        PrimaryEntry::First => 0,
        PrimaryEntry::Last => mapped.len().saturating_sub(1),
    };
    let mut out = Vec::with_capacity(mapped.len());
    for (n, (i, trimmed, lang)) in mapped.iter().enumerate() {
        let role = if n == primary_at {
            "primary"
        } else {
            "additional"
        };
        evidence.push(format!("{origin}[{i}]: {trimmed} → {role} {}", lang.id()));
        if n == primary_at {
            out.insert(0, *lang);
        } else {
            out.push(*lang);
        }
    }
    Ok(out)
}

/// The `buildpacks` of `app.json` as written: `url` of each object entry, or a plain string.
/// Missing file or key ⇒ empty. Empty entries are skipped.
pub fn read_app_json(tree: &SourceTree) -> Result<Vec<String>, DetectError> {
    let Some(text) = tree.read("app.json")? else {
        return Ok(Vec::new());
    };
    let bad = |reason: String| DetectError::Manifest {
        path: "app.json".into(),
        reason,
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let list = match doc.get("buildpacks") {
        None | Some(serde_json::Value::Null) => return Ok(Vec::new()),
        Some(serde_json::Value::Array(list)) => list,
        Some(_) => return Err(bad("buildpacks must be a list".into())),
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let url = match item {
            serde_json::Value::String(s) => s.as_str(),
            serde_json::Value::Object(o) => match o.get("url") {
                Some(serde_json::Value::String(s)) => s.as_str(),
                _ => return Err(bad(format!("buildpacks[{i}] must have a string \"url\""))),
            },
            _ => {
                return Err(bad(format!(
                    "buildpacks[{i}] must be a string or an object with a \"url\""
                )))
            }
        };
        if !url.trim().is_empty() {
            out.push(url.trim().to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_table() {
        let cases = [
            ("ruby", Some(Language::Ruby)),
            ("node", Some(Language::Nodejs)),
            ("golang", Some(Language::Go)),
            ("dotnet", Some(Language::Dotnet)),
            ("heroku/ruby", Some(Language::Ruby)),
            ("heroku/nodejs", Some(Language::Nodejs)),
            ("heroku/node", Some(Language::Nodejs)),
            ("heroku/gradle", Some(Language::Kotlin)),
            ("heroku/jvm", Some(Language::Java)),
            ("x/golang", Some(Language::Go)),
            ("miget/php", Some(Language::Php)),
            ("Heroku/Python", Some(Language::Python)),
            (" heroku / go ", Some(Language::Go)),
            (
                "https://github.com/heroku/heroku-buildpack-nodejs",
                Some(Language::Nodejs),
            ),
            (
                "https://github.com/heroku/heroku-buildpack-python.git#v250",
                Some(Language::Python),
            ),
            (
                "https://github.com/HashNuke/heroku-buildpack-elixir/",
                Some(Language::Elixir),
            ),
            (
                "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/ruby.tgz",
                Some(Language::Ruby),
            ),
            ("heroku/apt", None),
            ("heroku-community/apt", None),
            ("cobol", None),
            ("dockerfile", None),
            ("", None),
        ];
        for (entry, want) in cases {
            assert_eq!(map_buildpack(entry), want, "{entry:?}");
        }
    }

    #[test]
    fn unknown_entry_names_its_origin() {
        let mut ev = Vec::new();
        let e = map_list(
            "BUILDPACKS",
            &["ruby".into(), "heroku/apt".into()],
            PrimaryEntry::First,
            &mut ev,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("BUILDPACKS[1]") && e.contains("heroku/apt"),
            "{e}"
        );
    }

    #[test]
    fn app_json_forms() {
        let t = SourceTree::in_memory([(
            "app.json",
            r#"{"buildpacks":[{"url":"heroku/ruby"},"heroku/nodejs",{"url":" "}]}"#,
        )]);
        assert_eq!(read_app_json(&t).unwrap(), ["heroku/ruby", "heroku/nodejs"]);
        for bad in [
            "{",
            r#"{"buildpacks":"heroku/ruby"}"#,
            r#"{"buildpacks":[{"name":"x"}]}"#,
            r#"{"buildpacks":[1]}"#,
        ] {
            let t = SourceTree::in_memory([("app.json", bad)]);
            let e = read_app_json(&t).unwrap_err().to_string();
            assert!(e.starts_with("app.json:"), "{bad}: {e}");
        }
        let t = SourceTree::in_memory([("app.json", r#"{"name":"x"}"#)]);
        assert!(read_app_json(&t).unwrap().is_empty());
    }
}
