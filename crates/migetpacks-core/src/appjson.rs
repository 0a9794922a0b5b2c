//! `app.json` parsing: env, formation, scripts, addons and buildpacks.
//!
//! Differences from migetpacks, on purpose:
//! - a malformed `app.json` (bad JSON, a section of the wrong shape, an invalid env name) is an
//!   error naming `app.json`, not a silent fallback to empty sections;
//! - plain-string buildpack entries are accepted next to `{"url": …}` objects
//!   (docs/differences.md);
//! - `generator: "secret"` values are produced by [`generate_secrets`] with injected randomness
//!   and are meant for the result file only: they are never written into a Dockerfile or the
//!   process environment (docs/security.md).

use crate::settings::is_valid_name;
use crate::source::{SourceError, SourceTree};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// An `app.json` problem. Every message names `app.json`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppJsonError {
    /// The file could not be read (the message names `app.json`).
    #[error(transparent)]
    Read(#[from] SourceError),
    /// Not JSON at all.
    #[error("app.json: not valid JSON: {0}")]
    Syntax(String),
    /// A section or entry has the wrong shape.
    #[error("app.json: {path}: {reason}")]
    Shape {
        /// Where (`env.SECRET_KEY.value`, `formation.web.quantity`, …).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An env key that is not a valid variable name.
    #[error("app.json: env key {0:?} is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)")]
    InvalidEnvName(String),
}

/// A value generator of an env entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// `"secret"`: 32 random bytes as 64 lowercase hex characters.
    Secret,
}

/// One `env` entry (plain value or `{value, description, required, generator}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvEntry {
    /// The value (numbers and booleans are kept as their JSON text); `None` when absent/null.
    pub value: Option<String>,
    /// Description, for humans.
    pub description: Option<String>,
    /// Whether the deployer must supply a value.
    pub required: Option<bool>,
    /// How to generate a value when none is given.
    pub generator: Option<Generator>,
}

/// One `formation` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Formation {
    /// Process type.
    pub name: String,
    /// Number of instances (default 1).
    pub quantity: u64,
    /// Dyno/instance size, if given.
    pub size: Option<String>,
}

/// One `scripts` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Script {
    /// Script name (`postdeploy`, …).
    pub name: String,
    /// Command line.
    pub command: String,
    /// Instance size, if given.
    pub size: Option<String>,
}

/// One `addons` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Addon {
    /// Plan (`heroku-postgresql:essential-0`).
    pub plan: String,
    /// Attachment name.
    #[serde(rename = "as")]
    pub as_name: Option<String>,
    /// Provider options, passed through.
    pub options: Option<Value>,
}

/// A parsed `app.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppJson {
    /// Environment entries by name.
    pub env: BTreeMap<String, EnvEntry>,
    /// Process formation, in file order.
    pub formation: Vec<Formation>,
    /// Scripts, in file order.
    pub scripts: Vec<Script>,
    /// Add-ons, in file order.
    pub addons: Vec<Addon>,
    /// Buildpack URLs/names, in file order.
    pub buildpacks: Vec<String>,
}

fn shape(path: impl Into<String>, reason: impl Into<String>) -> AppJsonError {
    AppJsonError::Shape {
        path: path.into(),
        reason: reason.into(),
    }
}

/// A scalar as text: strings as they are, numbers and booleans as JSON text, null as `None`.
fn scalar(path: &str, v: &Value) -> Result<Option<String>, AppJsonError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        _ => Err(shape(path, "must be a string, number, boolean or null")),
    }
}

fn opt_string(path: &str, v: Option<&Value>) -> Result<Option<String>, AppJsonError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(shape(path, "must be a string")),
    }
}

fn object<'a>(path: &str, v: &'a Value) -> Result<&'a Map<String, Value>, AppJsonError> {
    v.as_object()
        .ok_or_else(|| shape(path, "must be a JSON object"))
}

fn parse_env(v: &Value) -> Result<BTreeMap<String, EnvEntry>, AppJsonError> {
    let mut out = BTreeMap::new();
    for (name, entry) in object("env", v)? {
        if !is_valid_name(name) {
            return Err(AppJsonError::InvalidEnvName(name.clone()));
        }
        let path = format!("env.{name}");
        let e = match entry {
            Value::Object(o) => {
                let generator = match o.get("generator") {
                    None | Some(Value::Null) | Some(Value::Bool(false)) => None,
                    Some(Value::String(s)) if s == "secret" => Some(Generator::Secret),
                    Some(other) => {
                        return Err(shape(
                            format!("{path}.generator"),
                            format!("unsupported generator {other}; only \"secret\" is known"),
                        ))
                    }
                };
                let required = match o.get("required") {
                    None | Some(Value::Null) => None,
                    Some(Value::Bool(b)) => Some(*b),
                    Some(_) => return Err(shape(format!("{path}.required"), "must be a boolean")),
                };
                EnvEntry {
                    value: match o.get("value") {
                        None => None,
                        Some(v) => scalar(&format!("{path}.value"), v)?,
                    },
                    description: opt_string(&format!("{path}.description"), o.get("description"))?,
                    required,
                    generator,
                }
            }
            other => EnvEntry {
                value: scalar(&path, other)?,
                ..EnvEntry::default()
            },
        };
        out.insert(name.clone(), e);
    }
    Ok(out)
}

fn parse_formation(v: &Value) -> Result<Vec<Formation>, AppJsonError> {
    let mut out = Vec::new();
    for (name, entry) in object("formation", v)? {
        let path = format!("formation.{name}");
        let o = object(&path, entry)?;
        let quantity = match o.get("quantity") {
            None | Some(Value::Null) => 1,
            Some(q) => q.as_u64().ok_or_else(|| {
                shape(format!("{path}.quantity"), "must be a non-negative integer")
            })?,
        };
        out.push(Formation {
            name: name.clone(),
            quantity,
            size: opt_string(&format!("{path}.size"), o.get("size"))?,
        });
    }
    Ok(out)
}

fn parse_scripts(v: &Value) -> Result<Vec<Script>, AppJsonError> {
    let mut out = Vec::new();
    for (name, entry) in object("scripts", v)? {
        let path = format!("scripts.{name}");
        let (command, size) = match entry {
            Value::String(s) => (s.clone(), None),
            Value::Object(o) => (
                opt_string(&format!("{path}.command"), o.get("command"))?
                    .ok_or_else(|| shape(format!("{path}.command"), "is required"))?,
                opt_string(&format!("{path}.size"), o.get("size"))?,
            ),
            _ => return Err(shape(path, "must be a command string or an object")),
        };
        out.push(Script {
            name: name.clone(),
            command,
            size,
        });
    }
    Ok(out)
}

fn parse_addons(v: &Value) -> Result<Vec<Addon>, AppJsonError> {
    let list = v
        .as_array()
        .ok_or_else(|| shape("addons", "must be an array"))?;
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let path = format!("addons[{i}]");
        out.push(match entry {
            Value::String(s) => Addon {
                plan: s.clone(),
                as_name: None,
                options: None,
            },
            Value::Object(o) => Addon {
                plan: opt_string(&format!("{path}.plan"), o.get("plan"))?
                    .ok_or_else(|| shape(format!("{path}.plan"), "is required"))?,
                as_name: opt_string(&format!("{path}.as"), o.get("as"))?,
                options: match o.get("options") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(v.clone()),
                },
            },
            _ => return Err(shape(path, "must be a plan string or an object")),
        });
    }
    Ok(out)
}

fn parse_buildpacks(v: &Value) -> Result<Vec<String>, AppJsonError> {
    let list = v
        .as_array()
        .ok_or_else(|| shape("buildpacks", "must be an array"))?;
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let path = format!("buildpacks[{i}]");
        let url = match entry {
            Value::String(s) => s.clone(),
            Value::Object(o) => opt_string(&format!("{path}.url"), o.get("url"))?
                .ok_or_else(|| shape(format!("{path}.url"), "is required"))?,
            _ => return Err(shape(path, "must be a string or an object with \"url\"")),
        };
        if url.trim().is_empty() {
            return Err(shape(path, "is empty"));
        }
        out.push(url);
    }
    Ok(out)
}

/// Parse `app.json` text. Unknown top-level keys (`name`, `stack`, `environments`, …) are
/// ignored; a known section that is present but `null` counts as absent.
///
/// ```
/// use migetpacks_core::appjson::parse;
/// let a = parse(r#"{"env": {"A": "1", "B": {"required": true}}, "buildpacks": ["heroku/ruby"]}"#).unwrap();
/// assert_eq!(a.env["A"].value.as_deref(), Some("1"));
/// assert_eq!(a.env["B"].value, None);
/// assert_eq!(a.buildpacks, ["heroku/ruby"]);
/// assert!(parse("{").unwrap_err().to_string().starts_with("app.json: not valid JSON"));
/// ```
pub fn parse(text: &str) -> Result<AppJson, AppJsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root: Value =
        serde_json::from_str(text).map_err(|e| AppJsonError::Syntax(e.to_string()))?;
    let root = object("top level", &root)?;
    let section = |key: &str| root.get(key).filter(|v| !v.is_null());
    Ok(AppJson {
        env: section("env")
            .map(parse_env)
            .transpose()?
            .unwrap_or_default(),
        formation: section("formation")
            .map(parse_formation)
            .transpose()?
            .unwrap_or_default(),
        scripts: section("scripts")
            .map(parse_scripts)
            .transpose()?
            .unwrap_or_default(),
        addons: section("addons")
            .map(parse_addons)
            .transpose()?
            .unwrap_or_default(),
        buildpacks: section("buildpacks")
            .map(parse_buildpacks)
            .transpose()?
            .unwrap_or_default(),
    })
}

/// Read and parse `<tree>/app.json`. `Ok(None)` when there is none.
pub fn from_source(tree: &SourceTree) -> Result<Option<AppJson>, AppJsonError> {
    match tree.read("app.json")? {
        None => Ok(None),
        Some(text) => parse(&text).map(Some),
    }
}

/// Values for `generator: "secret"` entries that have no value: 64 lowercase hex characters
/// from 32 bytes of `rng_bytes` (called once per entry, in name order). The core stays pure:
/// the CLI passes bytes from the operating system's random source.
///
/// These values belong in the result file only (see [`AppJson::result_env`]).
///
/// ```
/// use migetpacks_core::appjson::{generate_secrets, parse};
/// let a = parse(r#"{"env": {"KEY": {"generator": "secret"}}}"#).unwrap();
/// let s = generate_secrets(&a, &mut || [0xab; 32]);
/// assert_eq!(s["KEY"], "ab".repeat(32));
/// ```
pub fn generate_secrets(
    app: &AppJson,
    rng_bytes: &mut dyn FnMut() -> [u8; 32],
) -> BTreeMap<String, String> {
    app.env
        .iter()
        .filter(|(_, e)| {
            e.generator == Some(Generator::Secret) && e.value.as_deref().unwrap_or("").is_empty()
        })
        .map(|(name, _)| {
            let hex = rng_bytes().iter().map(|b| format!("{b:02x}")).collect();
            (name.clone(), hex)
        })
        .collect()
}

impl AppJson {
    /// The `env` section of the result file: every entry's value (`null` when none), with
    /// generated secrets filled in.
    pub fn result_env(
        &self,
        generated: &BTreeMap<String, String>,
    ) -> BTreeMap<String, Option<String>> {
        self.env
            .iter()
            .map(|(k, e)| {
                let v = match generated.get(k) {
                    Some(g) => Some(g.clone()),
                    None => e.value.clone(),
                };
                (k.clone(), v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn full_example() {
        let a = parse(
            r#"{
              "name": "demo",
              "env": {
                "PLAIN": "x",
                "PORT": 5000,
                "FLAG": true,
                "NOTHING": null,
                "DESC": {"description": "d", "value": "v", "required": false},
                "REQ": {"required": true},
                "SECRET_KEY_BASE": {"generator": "secret"},
                "GIVEN": {"generator": "secret", "value": "keep"}
              },
              "formation": {"web": {"quantity": 2, "size": "standard-1x"}, "worker": {}},
              "scripts": {"postdeploy": "bin/seed", "pr-predestroy": {"command": "bin/x", "size": "s"}},
              "addons": ["heroku-redis", {"plan": "heroku-postgresql:essential-0", "as": "DB", "options": {"v": "16"}}],
              "buildpacks": [{"url": "heroku/nodejs"}, "heroku/ruby"]
            }"#,
        )
        .unwrap();
        let v = |k: &str| a.env[k].value.clone();
        assert_eq!(v("PLAIN").as_deref(), Some("x"));
        assert_eq!(v("PORT").as_deref(), Some("5000"));
        assert_eq!(v("FLAG").as_deref(), Some("true"));
        assert_eq!(v("NOTHING"), None);
        assert_eq!(v("REQ"), None);
        assert_eq!(a.env["REQ"].required, Some(true));
        assert_eq!(a.env["DESC"].description.as_deref(), Some("d"));
        assert_eq!(a.env["SECRET_KEY_BASE"].generator, Some(Generator::Secret));
        assert_eq!(
            a.formation,
            vec![
                Formation {
                    name: "web".into(),
                    quantity: 2,
                    size: Some("standard-1x".into())
                },
                Formation {
                    name: "worker".into(),
                    quantity: 1,
                    size: None
                },
            ]
        );
        assert_eq!(
            a.scripts,
            vec![
                Script {
                    name: "postdeploy".into(),
                    command: "bin/seed".into(),
                    size: None
                },
                Script {
                    name: "pr-predestroy".into(),
                    command: "bin/x".into(),
                    size: Some("s".into())
                },
            ]
        );
        assert_eq!(
            a.addons[0],
            Addon {
                plan: "heroku-redis".into(),
                as_name: None,
                options: None
            }
        );
        assert_eq!(a.addons[1].as_name.as_deref(), Some("DB"));
        assert_eq!(
            serde_json::to_string(&a.addons[1]).unwrap(),
            r#"{"plan":"heroku-postgresql:essential-0","as":"DB","options":{"v":"16"}}"#
        );
        assert_eq!(a.buildpacks, ["heroku/nodejs", "heroku/ruby"]);
    }

    #[test]
    fn formation_keeps_file_order() {
        let a = parse(r#"{"formation": {"z": {}, "a": {}, "m": {}}}"#).unwrap();
        let names: Vec<_> = a.formation.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "m"]);
    }

    #[test]
    fn empty_and_null_sections() {
        assert_eq!(parse("{}").unwrap(), AppJson::default());
        assert_eq!(
            parse(r#"{"env": null, "formation": null, "addons": null}"#).unwrap(),
            AppJson::default()
        );
    }

    #[test]
    fn malformed_files_are_errors_naming_app_json() {
        for (text, want) in [
            ("{", "app.json: not valid JSON"),
            ("[]", "app.json: top level: must be a JSON object"),
            (r#"{"env": []}"#, "app.json: env: must be a JSON object"),
            (
                r#"{"env": {"A": [1]}}"#,
                "app.json: env.A: must be a string",
            ),
            (r#"{"env": {"A": {"value": {}}}}"#, "app.json: env.A.value:"),
            (
                r#"{"env": {"A": {"generator": "uuid"}}}"#,
                "app.json: env.A.generator: unsupported generator \"uuid\"",
            ),
            (
                r#"{"env": {"A": {"required": "yes"}}}"#,
                "app.json: env.A.required: must be a boolean",
            ),
            (
                r#"{"env": {"BAD-NAME": "x"}}"#,
                "app.json: env key \"BAD-NAME\" is not a valid variable name",
            ),
            (r#"{"env": {"1X": "x"}}"#, "app.json: env key \"1X\""),
            (
                r#"{"formation": {"web": {"quantity": -1}}}"#,
                "app.json: formation.web.quantity: must be a non-negative integer",
            ),
            (
                r#"{"formation": {"web": 2}}"#,
                "app.json: formation.web: must be a JSON object",
            ),
            (
                r#"{"scripts": {"x": 1}}"#,
                "app.json: scripts.x: must be a command string or an object",
            ),
            (
                r#"{"scripts": {"x": {"size": "s"}}}"#,
                "app.json: scripts.x.command: is required",
            ),
            (r#"{"addons": {}}"#, "app.json: addons: must be an array"),
            (
                r#"{"addons": [{"as": "X"}]}"#,
                "app.json: addons[0].plan: is required",
            ),
            (
                r#"{"buildpacks": [1]}"#,
                "app.json: buildpacks[0]: must be a string",
            ),
            (
                r#"{"buildpacks": [{"name": "x"}]}"#,
                "app.json: buildpacks[0].url: is required",
            ),
            (
                r#"{"buildpacks": [" "]}"#,
                "app.json: buildpacks[0]: is empty",
            ),
        ] {
            let e = err(text);
            assert!(e.starts_with(want), "{text}: {e}");
        }
    }

    #[test]
    fn secrets_fill_only_empty_generator_entries() {
        let a = parse(
            r#"{"env": {"B": {"generator": "secret"}, "A": {"generator": "secret", "value": ""},
                        "C": {"generator": "secret", "value": "set"}, "D": "plain"}}"#,
        )
        .unwrap();
        let mut n = 0u8;
        let s = generate_secrets(&a, &mut || {
            n += 1;
            [n; 32]
        });
        // Called once per entry, in name order: A gets the first bytes.
        assert_eq!(s.len(), 2);
        assert_eq!(s["A"], "01".repeat(32));
        assert_eq!(s["B"], "02".repeat(32));
        let mut bytes = [0u8; 32];
        bytes[0] = 0xAB;
        bytes[31] = 0x0f;
        let s = generate_secrets(&a, &mut || bytes);
        assert_eq!(s["A"].len(), 64);
        assert!(s["A"].starts_with("ab00") && s["A"].ends_with("000f"));
        assert!(s["A"]
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));

        let env = a.result_env(&s);
        assert_eq!(env["A"].as_deref(), Some(s["A"].as_str()));
        assert_eq!(env["C"].as_deref(), Some("set"));
        assert_eq!(env["D"].as_deref(), Some("plain"));
    }

    #[test]
    fn reads_through_source_tree() {
        let t = SourceTree::in_memory([("app.json", "\u{feff}{\"env\":{\"A\":\"1\"}}")]);
        assert_eq!(from_source(&t).unwrap().unwrap().env.len(), 1);
        assert_eq!(
            from_source(&SourceTree::in_memory([("x", "")])).unwrap(),
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }
    }
}
