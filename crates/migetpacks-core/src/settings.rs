//! Typed settings, parsed once from an environment map.
//!
//! Every migetpacks environment variable is read here and nowhere else. The CLI passes
//! `std::env::vars()`; tests pass a literal map. Values are validated up front: a bad value is
//! one error that names the variable.

use crate::cache::{CacheError, CacheSettings};
use crate::language::Language;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An environment map (`NAME → value`).
pub type EnvMap = BTreeMap<String, String>;

/// A bad setting. Every message names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A boolean that is not `true/false/1/0/yes/no`.
    #[error("{var}: expected true/false/1/0/yes/no, got {value:?}")]
    InvalidBool {
        /// Variable name.
        var: String,
        /// The value given.
        value: String,
    },
    /// A value outside an enumeration.
    #[error("{var}: invalid value {value:?}; expected one of: {allowed}")]
    InvalidChoice {
        /// Variable name.
        var: String,
        /// The value given.
        value: String,
        /// The accepted values.
        allowed: String,
    },
    /// A single-line value contains a newline or another control character.
    #[error("{var}: value must be a single line without control characters")]
    ControlChar {
        /// Variable name.
        var: String,
    },
    /// A value that ends in a backslash: in a Dockerfile `RUN` line it would continue the
    /// instruction onto the next line and swallow the instruction after it.
    #[error("{var}: value must not end with a backslash")]
    TrailingBackslash {
        /// Variable name.
        var: String,
    },
    /// Shell text that would open a Dockerfile heredoc (`<<` outside quotes) in a `RUN` line.
    #[error("{var}: value must not contain '<<' outside quotes: it would open a Dockerfile heredoc and swallow the instructions after it (quote it, or put the command in a script)")]
    Heredoc {
        /// Variable name.
        var: String,
    },
    /// A path that leaves the source folder.
    #[error("{var}: {value:?} must be a relative path inside the source folder")]
    PathEscape {
        /// Variable name.
        var: String,
        /// The value given.
        value: String,
    },
    /// A JSON value that does not parse or has the wrong shape.
    #[error("{var}: {reason}")]
    InvalidJson {
        /// Variable name.
        var: String,
        /// What is wrong.
        reason: String,
    },
    /// An invalid environment-variable or build-arg name.
    #[error("{var}: {name:?} is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)")]
    InvalidName {
        /// Variable name.
        var: String,
        /// The bad name.
        name: String,
    },
    /// A credential was asked to be baked into the image.
    #[error("{var}: {name} looks like a credential and is never written into a Dockerfile; pass it with BUILD_SECRETS instead")]
    Credential {
        /// Variable name (`BUILD_ENV`).
        var: String,
        /// The refused name.
        name: String,
    },
    /// A setting written into the image holds the value of a secret.
    #[error("{var}: contains the value of a secret (BUILD_VARS, BUILD_SECRETS or a credential variable) and would be written into the image; pass the secret with BUILD_SECRETS (mounted at build time, never stored) or read it from the environment at run time")]
    SecretInImage {
        /// Variable name (the setting, or the `BUILD_ENV` variable).
        var: String,
    },
    /// `LANGUAGE` is not a known language.
    #[error("LANGUAGE: {0}")]
    Language(#[from] crate::language::UnknownLanguage),
    /// A cache variable is wrong.
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Target platform (`ARCH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Arch {
    /// `linux/amd64` (`x86_64`, `amd64`).
    Amd64,
    /// `linux/arm64` (`arm64`, `aarch64`).
    Arm64,
}

impl Arch {
    /// The buildx `--platform` value.
    pub fn platform(self) -> &'static str {
        match self {
            Arch::Amd64 => "linux/amd64",
            Arch::Arm64 => "linux/arm64",
        }
    }
}

/// How buildx RUN steps reach the network (`BUILD_NETWORK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BuildNetwork {
    /// `--network=host` (migetpacks' default).
    Host,
    /// No `--network` flag (for `docker-container`/`kubernetes` builders without the
    /// `network.host` entitlement).
    Default,
}

/// Language-specific knobs (docs/configuration.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LanguageSettings {
    /// `NODE_OPTIONS` (default `--max_old_space_size=2560`).
    pub node_options: String,
    /// `MIX_ENV` (default `prod`; an explicit empty value is kept empty).
    pub mix_env: String,
    /// `BUNDLE_WITHOUT` (default `development test`; explicit empty disables it).
    pub bundle_without: String,
    /// `RAILS_ENV` (default `production`).
    pub rails_env: String,
    /// `GO_INSTALL_PACKAGE_SPEC`.
    pub go_install_package_spec: Option<String>,
    /// `GO_LINKER_SYMBOL`.
    pub go_linker_symbol: Option<String>,
    /// `GO_LINKER_VALUE`.
    pub go_linker_value: Option<String>,
    /// `GO_BUILD_FLAGS` (split into words at generation time).
    pub go_build_flags: Option<String>,
    /// `GO_INSTALL_TOOLS_IN_IMAGE`.
    pub go_install_tools_in_image: bool,
    /// `GO_SETUP_GOPATH_IN_IMAGE`.
    pub go_setup_gopath_in_image: bool,
    /// `SBT_TASKS` (default `compile stage`).
    pub sbt_tasks: Option<String>,
    /// `SBT_PROJECT`.
    pub sbt_project: Option<String>,
    /// `SBT_CLEAN`.
    pub sbt_clean: bool,
    /// `LEIN_BUILD_TASK` (default `uberjar`).
    pub lein_build_task: Option<String>,
    /// `STATIC_OUTPUT_DIR`: serve this folder of the (built) Node.js project as a static site;
    /// relative, inside the source folder.
    pub static_output_dir: Option<String>,
}

/// Every setting, typed and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `SOURCE_DIR` (default `/workspace/source`; the CLI's PATH argument wins).
    pub source_dir: PathBuf,
    /// `OUTPUT_IMAGE` (required for `build`; validated there).
    pub output_image: Option<String>,
    /// `PROJECT_PATH`, cleaned; always inside the source folder.
    pub project_path: Option<String>,
    /// `LANGUAGE`, parsed.
    pub language: Option<Language>,
    /// `LANGUAGE` exactly as given (for display).
    pub language_raw: Option<String>,
    /// `BUILDPACKS` entries as given (mapped by detection).
    pub buildpacks: Vec<String>,
    /// `BUILD_COMMAND`.
    pub build_command: Option<String>,
    /// `RUN_COMMAND`.
    pub run_command: Option<String>,
    /// `PORT` (default 5000).
    pub port: u16,
    /// `ARCH`.
    pub arch: Arch,
    /// `USE_DHI`.
    pub use_dhi: bool,
    /// `TAG_LATEST`.
    pub tag_latest: bool,
    /// `PUSH_IMAGE` (unset ⇒ derived from the `:local` suffix).
    pub push_image: Option<bool>,
    /// `DOCKERFILE_PATH`, cleaned relative path.
    pub dockerfile_path: Option<String>,
    /// `COMPOSE_FILE`, cleaned relative path.
    pub compose_file: Option<String>,
    /// `RESULT_FILE`.
    pub result_file: Option<PathBuf>,
    /// `CUSTOM_DATA`, parsed.
    pub custom_data: Option<serde_json::Value>,
    /// `DEBUG`: print the generated Dockerfile.
    pub debug: bool,
    /// Registry/local/s3/… cache flags (`CACHE_*`, `NO_CACHE`, `S3_*`).
    pub cache: CacheSettings,
    /// `BUILD_CACHE_DIR`: turns on package-manager cache mounts.
    pub build_cache_dir: Option<String>,
    /// `CACHE_KEY`: prefix of cache-mount ids (only `[A-Za-z0-9_.-]`).
    pub cache_key: Option<String>,
    /// `REGISTRY_MIRROR`.
    pub registry_mirror: Option<String>,
    /// `DHI_MIRROR`.
    pub dhi_mirror: Option<String>,
    /// `BUILD_VARS`, in the JSON object's order, `BUILD_VAR_` prefix stripped.
    pub build_vars: Vec<(String, String)>,
    /// `BUILD_ENV` resolved against the environment: sorted `(name, value)` pairs.
    pub build_env: Vec<(String, String)>,
    /// `BUILD_SECRETS`: names of BuildKit secrets (`--secret id=NAME,env=NAME`).
    pub build_secrets: Vec<String>,
    /// `DOCKERFILE_SYNTAX` (default `docker/dockerfile:1`; empty ⇒ no `# syntax=` line).
    pub dockerfile_syntax: Option<String>,
    /// `BUILDX_BUILDER`.
    pub buildx_builder: Option<String>,
    /// `BUILD_NETWORK`.
    pub build_network: BuildNetwork,
    /// Language knobs.
    pub lang: LanguageSettings,
    /// `*_VERSION` overrides by language.
    pub version_overrides: BTreeMap<Language, String>,
    /// Values that must never be printed: BUILD_VARS values, [`SECRET_VARS`], BUILD_SECRETS
    /// values and every variable whose name [`is_credential_name`].
    pub secrets: Vec<String>,
    /// One-line notes about variables that were ignored (see [`resolve_env`]).
    pub notes: Vec<String>,
}

// --- Prefixed names and variables that collide with the user's shell (docs/configuration.md) ---

/// The prefix that makes any setting unambiguous: `MIGETPACKS_LANGUAGE` wins over `LANGUAGE`.
pub const PREFIX: &str = "MIGETPACKS_";

/// The value of a setting after the prefix rule: `MIGETPACKS_<VAR>` if present, else `<VAR>`.
pub fn lookup<'a>(map: &'a EnvMap, var: &str) -> Option<&'a String> {
    map.get(&format!("{PREFIX}{var}")).or_else(|| map.get(var))
}

/// True when a bare `LANGUAGE` value is a gettext locale list (`en_US:en`, `de_DE`, `C`,
/// `POSIX`) rather than a migetpacks language: no language id contains `_` or `:`.
fn is_locale(v: &str) -> bool {
    v.contains('_') || v.contains(':') || v == "C" || v == "POSIX"
}

/// The environment the settings are read from: every `MIGETPACKS_<VAR>` replaces `<VAR>`, and a
/// bare `LANGUAGE` that is a locale or a bare `DEBUG` that is not a boolean (`DEBUG=express:*`)
/// is dropped with a note. Those two names are set on many developer machines for other tools;
/// the prefixed forms are always taken as settings, so `MIGETPACKS_DEBUG=maybe` is still an error.
pub fn resolve_env(raw: &EnvMap) -> (EnvMap, Vec<String>) {
    let mut out = EnvMap::new();
    let mut notes = Vec::new();
    for (k, v) in raw {
        if !k.starts_with(PREFIX) && !raw.contains_key(&format!("{PREFIX}{k}")) {
            out.insert(k.clone(), v.clone());
        }
    }
    if let Some(v) = out.get("LANGUAGE").filter(|v| is_locale(v.trim())) {
        notes.push(format!(
            "LANGUAGE={v:?} looks like a locale, not a language: ignored (set MIGETPACKS_LANGUAGE to force a language)"
        ));
        out.remove("LANGUAGE");
    }
    if let Some(v) = out
        .get("DEBUG")
        .filter(|v| !v.is_empty() && parse_bool("DEBUG", v).is_err())
    {
        notes.push(format!(
            "DEBUG={v:?} is not a boolean: ignored (set MIGETPACKS_DEBUG=true to print the Dockerfile)"
        ));
        out.remove("DEBUG");
    }
    for (k, v) in raw {
        if let Some(var) = k.strip_prefix(PREFIX).filter(|var| !var.is_empty()) {
            out.insert(var.to_string(), v.clone());
        }
    }
    (out, notes)
}
// --- end prefixed names ---

/// Variables whose values are credentials: never printed, never baked into an image.
pub const SECRET_VARS: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "DHI_USERNAME",
    "DHI_PASSWORD",
];

/// True when a variable name looks like a credential: `AWS_*`, `DHI_*`, `TOKEN`, `API_KEY`,
/// `APIKEY`, anything containing `PASSWORD`, `SECRET`, `CREDENTIAL` or `APIKEY`, and names ending
/// in `_TOKEN`, `_KEY`, `_PASS`, `_PASSWD`, `_PWD` or `_AUTH`. Public keys by name
/// (`*_PUBLIC_KEY`, `*_PUBLISHABLE_KEY`, `*_SITE_KEY`) and migetpacks' own settings that only
/// look like credentials (`CACHE_KEY`, `BUILD_SECRETS`, a list of names, and `DHI_MIRROR`) are
/// not. The table test `credential_names` lists examples both ways.
pub fn is_credential_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    const PUBLIC_KEYS: [&str; 3] = ["_PUBLIC_KEY", "_PUBLISHABLE_KEY", "_SITE_KEY"];
    const OWN: [&str; 3] = ["CACHE_KEY", "BUILD_SECRETS", "DHI_MIRROR"];
    if OWN.contains(&n.as_str()) || PUBLIC_KEYS.iter().any(|p| n.ends_with(p)) {
        return false;
    }
    const SUFFIXES: [&str; 7] = [
        "_TOKEN", "_KEY", "_PASS", "_PASSWD", "_PWD", "_AUTH", "_APIKEY",
    ];
    const CONTAINS: [&str; 4] = ["PASSWORD", "SECRET", "CREDENTIAL", "APIKEY"];
    n.starts_with("AWS_")
        || n.starts_with("DHI_")
        || matches!(n.as_str(), "TOKEN" | "API_KEY" | "PASSWD")
        || SUFFIXES.iter().any(|s| n.ends_with(s))
        || CONTAINS.iter().any(|c| n.contains(c))
}

/// Settings whose values are written into the image (Dockerfile `RUN`, `CMD` or `ENV`, or the
/// linked binary): a known secret inside one of them is an error.
pub const BAKED_VARS: [&str; 6] = [
    "BUILD_COMMAND",
    "RUN_COMMAND",
    "NODE_OPTIONS",
    "GO_BUILD_FLAGS",
    "GO_LINKER_SYMBOL",
    "GO_LINKER_VALUE",
];

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Reads variables from the map with migetpacks' "empty means unset" rule.
pub struct Env<'a>(pub &'a EnvMap);

impl Env<'_> {
    /// A non-empty value, checked to be one line without control characters.
    pub fn get(&self, var: &str) -> Result<Option<String>, SettingsError> {
        match self.0.get(var) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) if v.chars().any(|c| c.is_control()) => Err(SettingsError::ControlChar {
                var: var.to_string(),
            }),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// A non-empty value that may span lines (NUL is still refused).
    pub fn get_multiline(&self, var: &str) -> Result<Option<String>, SettingsError> {
        match self.0.get(var) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) if v.contains('\0') => Err(SettingsError::ControlChar {
                var: var.to_string(),
            }),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// A boolean: `true/false/1/0/yes/no`, any case; unset or empty ⇒ `default`.
    pub fn bool(&self, var: &str, default: bool) -> Result<bool, SettingsError> {
        match self.get(var)? {
            None => Ok(default),
            Some(v) => parse_bool(var, &v),
        }
    }

    /// An optional boolean (unset ⇒ `None`).
    pub fn opt_bool(&self, var: &str) -> Result<Option<bool>, SettingsError> {
        self.get(var)?.map(|v| parse_bool(var, &v)).transpose()
    }

    /// True when the variable is present in the map, even if empty.
    pub fn is_present(&self, var: &str) -> bool {
        self.0.contains_key(var)
    }
}

/// Parse `true/false/1/0/yes/no` (case-insensitive).
pub fn parse_bool(var: &str, v: &str) -> Result<bool, SettingsError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(SettingsError::InvalidBool {
            var: var.to_string(),
            value: v.to_string(),
        }),
    }
}

/// `STATIC_OUTPUT_DIR`: a relative folder a `COPY` can name as it is (`.` for the project).
fn static_dir(v: Option<String>) -> Result<Option<String>, SettingsError> {
    if matches!(v.as_deref(), Some(".") | Some("./")) {
        return Ok(Some(".".into()));
    }
    let Some(v) = relative_path(
        "STATIC_OUTPUT_DIR",
        v.map(|d| d.trim_end_matches('/').to_string()),
    )?
    else {
        return Ok(None);
    };
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._@-/".contains(c))
    {
        Ok(Some(v))
    } else {
        Err(SettingsError::PathEscape {
            var: "STATIC_OUTPUT_DIR".into(),
            value: v,
        })
    }
}

fn relative_path(var: &str, v: Option<String>) -> Result<Option<String>, SettingsError> {
    let Some(v) = v else { return Ok(None) };
    let err = || SettingsError::PathEscape {
        var: var.to_string(),
        value: v.clone(),
    };
    // A leading "/" is allowed, as migetpacks strips one ("/apps/web" is "apps/web").
    let trimmed = v.strip_prefix('/').unwrap_or(&v);
    let cleaned = crate::source::clean(trimmed).map_err(|_| err())?;
    if cleaned.is_empty() {
        return Ok(None);
    }
    Ok(Some(cleaned))
}

/// Match a name against a `BUILD_ENV` pattern (`*` matches any run of characters).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    // Iterative matching with one backtrack point (the last `*`): O(len(p) * len(n)). The
    // recursive form was exponential in the number of `*` (a 58-byte BUILD_ENV took 14 s).
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if p.get(pi) == Some(&b'*') {
            star = Some((pi, ni));
            pi += 1;
        } else if p.get(pi) == Some(&n[ni]) {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

fn parse_build_vars(raw: Option<String>) -> Result<Vec<(String, String)>, SettingsError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let err = |reason: String| SettingsError::InvalidJson {
        var: "BUILD_VARS".into(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(&raw).map_err(|e| err(format!("not valid JSON: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| err("must be a JSON object of strings".into()))?;
    let mut out = Vec::new();
    for (k, v) in obj {
        let v = v
            .as_str()
            .ok_or_else(|| err(format!("value of {k:?} must be a string")))?;
        let name = k.strip_prefix("BUILD_VAR_").unwrap_or(k);
        if !is_valid_name(name) {
            return Err(SettingsError::InvalidName {
                var: "BUILD_VARS".into(),
                name: k.clone(),
            });
        }
        if v.contains('\0') {
            return Err(err(format!("value of {k:?} contains NUL")));
        }
        out.push((name.to_string(), v.to_string()));
    }
    Ok(out)
}

/// `BUILD_ENV`: the allow-listed variables. `secret_names` (`BUILD_VARS`, whose value holds the
/// build-arg secrets, and the `BUILD_SECRETS` names) are refused like credentials, also when
/// a glob such as `*` matches them.
fn parse_build_env(
    env: &EnvMap,
    raw: Option<String>,
    secret_names: &[String],
) -> Result<Vec<(String, String)>, SettingsError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let mut out = BTreeMap::new();
    for pat in raw
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let bare = pat.replace('*', "_");
        if !is_valid_name(&bare) {
            return Err(SettingsError::InvalidName {
                var: "BUILD_ENV".into(),
                name: pat.to_string(),
            });
        }
        if !pat.contains('*') && (is_credential_name(pat) || secret_names.iter().any(|n| n == pat))
        {
            return Err(SettingsError::Credential {
                var: "BUILD_ENV".into(),
                name: pat.to_string(),
            });
        }
        for (name, value) in env {
            if glob_match(pat, name) {
                if is_credential_name(name) || secret_names.contains(name) {
                    return Err(SettingsError::Credential {
                        var: "BUILD_ENV".into(),
                        name: name.clone(),
                    });
                }
                if value.contains('\0') {
                    return Err(SettingsError::ControlChar { var: name.clone() });
                }
                out.insert(name.clone(), value.clone());
            }
        }
    }
    Ok(out.into_iter().collect())
}

/// Settings whose text is written into `RUN` lines as shell text. They may not end in a
/// backslash nor open a heredoc (`<<` outside quotes): either would swallow the following
/// instructions.
pub const SHELL_TEXT_VARS: [&str; 8] = [
    "BUILD_COMMAND",
    "MIX_ENV",
    "SBT_TASKS",
    "SBT_PROJECT",
    "LEIN_BUILD_TASK",
    "GO_INSTALL_PACKAGE_SPEC",
    "GO_LINKER_SYMBOL",
    "GO_LINKER_VALUE",
];

impl Settings {
    /// Parse and validate every setting.
    ///
    /// ```
    /// use migetpacks_core::settings::{EnvMap, Settings};
    /// let mut env = EnvMap::new();
    /// env.insert("USE_DHI".into(), "yes".into());
    /// env.insert("ARCH".into(), "aarch64".into());
    /// let s = Settings::from_env(&env).unwrap();
    /// assert!(s.use_dhi);
    /// assert_eq!(s.arch.platform(), "linux/arm64");
    /// env.insert("TAG_LATEST".into(), "maybe".into());
    /// assert!(Settings::from_env(&env).unwrap_err().to_string().contains("TAG_LATEST"));
    /// ```
    pub fn from_env(raw: &EnvMap) -> Result<Settings, SettingsError> {
        let (resolved, notes) = resolve_env(raw);
        let map = &resolved;
        let env = Env(map);
        for var in SHELL_TEXT_VARS {
            if env.get(var)?.is_some_and(|v| v.trim_end().ends_with('\\')) {
                return Err(SettingsError::TrailingBackslash { var: var.into() });
            }
            if env
                .get(var)?
                .is_some_and(|v| crate::words::opens_heredoc(&v))
            {
                return Err(SettingsError::Heredoc { var: var.into() });
            }
        }
        let language_raw = env.get("LANGUAGE")?;
        let language = language_raw
            .as_deref()
            .map(Language::parse)
            .transpose()
            .map_err(SettingsError::Language)?;
        let arch = match env.get("ARCH")?.as_deref().map(str::to_ascii_lowercase) {
            None => Arch::Amd64,
            Some(a) if a == "x86_64" || a == "amd64" => Arch::Amd64,
            Some(a) if a == "arm64" || a == "aarch64" => Arch::Arm64,
            Some(a) => {
                return Err(SettingsError::InvalidChoice {
                    var: "ARCH".into(),
                    value: a,
                    allowed: "x86_64, amd64, arm64, aarch64".into(),
                })
            }
        };
        let build_network = match env.get("BUILD_NETWORK")?.as_deref() {
            None | Some("host") => BuildNetwork::Host,
            Some("default") | Some("none") => BuildNetwork::Default,
            Some(v) => {
                return Err(SettingsError::InvalidChoice {
                    var: "BUILD_NETWORK".into(),
                    value: v.into(),
                    allowed: "host, default".into(),
                })
            }
        };
        let port = match env.get("PORT")? {
            None => 5000,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                SettingsError::InvalidChoice {
                    var: "PORT".into(),
                    value: p.clone(),
                    allowed: "a TCP port number 1-65535".into(),
                }
            })?,
        };
        let custom_data = env
            .get_multiline("CUSTOM_DATA")?
            .map(|raw| {
                serde_json::from_str::<serde_json::Value>(&raw).map_err(|e| {
                    SettingsError::InvalidJson {
                        var: "CUSTOM_DATA".into(),
                        reason: format!("not valid JSON: {e}"),
                    }
                })
            })
            .transpose()?;
        let build_vars = parse_build_vars(env.get_multiline("BUILD_VARS")?)?;
        let mut build_secrets = Vec::new();
        if let Some(raw) = env.get("BUILD_SECRETS")? {
            for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if !is_valid_name(name) {
                    return Err(SettingsError::InvalidName {
                        var: "BUILD_SECRETS".into(),
                        name: name.into(),
                    });
                }
                build_secrets.push(name.to_string());
            }
        }
        let secret_names: Vec<String> = std::iter::once("BUILD_VARS".to_string())
            .chain(build_secrets.iter().cloned())
            .collect();
        let build_env = parse_build_env(map, env.get("BUILD_ENV")?, &secret_names)?;
        let dockerfile_syntax = if env.is_present("DOCKERFILE_SYNTAX") {
            env.get("DOCKERFILE_SYNTAX")?
        } else {
            Some("docker/dockerfile:1".to_string())
        };
        let buildpacks = env
            .get("BUILDPACKS")?
            .map(|b| {
                b.split(',')
                    .map(|e| e.chars().filter(|c| !c.is_whitespace()).collect::<String>())
                    .filter(|e| !e.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let keep_empty = |var: &str, default: &str| -> Result<String, SettingsError> {
            // Unset ⇒ default; explicitly empty ⇒ empty (migetpacks could not disable these).
            if env.is_present(var) {
                Ok(env.get(var)?.unwrap_or_default())
            } else {
                Ok(default.to_string())
            }
        };
        let lang = LanguageSettings {
            node_options: env
                .get("NODE_OPTIONS")?
                .unwrap_or_else(|| "--max_old_space_size=2560".into()),
            mix_env: keep_empty("MIX_ENV", "prod")?,
            bundle_without: keep_empty("BUNDLE_WITHOUT", "development test")?,
            rails_env: env.get("RAILS_ENV")?.unwrap_or_else(|| "production".into()),
            go_install_package_spec: env.get("GO_INSTALL_PACKAGE_SPEC")?,
            go_linker_symbol: env.get("GO_LINKER_SYMBOL")?,
            go_linker_value: env.get("GO_LINKER_VALUE")?,
            go_build_flags: env.get("GO_BUILD_FLAGS")?,
            go_install_tools_in_image: env.bool("GO_INSTALL_TOOLS_IN_IMAGE", false)?,
            go_setup_gopath_in_image: env.bool("GO_SETUP_GOPATH_IN_IMAGE", false)?,
            sbt_tasks: env.get("SBT_TASKS")?,
            sbt_project: env.get("SBT_PROJECT")?,
            sbt_clean: env.bool("SBT_CLEAN", false)?,
            lein_build_task: env.get("LEIN_BUILD_TASK")?,
            static_output_dir: static_dir(env.get("STATIC_OUTPUT_DIR")?)?,
        };
        let mut version_overrides = BTreeMap::new();
        for spec in crate::language::SPECS {
            if let Some(var) = spec.version_var {
                if let Some(v) = env.get(var)? {
                    version_overrides.insert(spec.language, v);
                }
            }
        }
        let mut secrets: Vec<String> = build_vars.iter().map(|(_, v)| v.clone()).collect();
        for var in SECRET_VARS {
            if let Some(v) = map.get(var) {
                secrets.push(v.clone());
            }
        }
        // The docker child inherits the environment: whatever looks like a credential there
        // (REGISTRY_PASSWORD, GITHUB_TOKEN, …) is masked too, should docker or a build step
        // ever print it.
        for (name, v) in map.iter().chain(raw) {
            if is_credential_name(name.strip_prefix(PREFIX).unwrap_or(name)) {
                secrets.push(v.clone());
            }
        }
        for name in &build_secrets {
            if let Some(v) = map.get(name) {
                secrets.push(v.clone());
            }
        }
        secrets.retain(|s| !s.is_empty());
        secrets.sort();
        secrets.dedup();
        // A secret inside a setting that is baked into the image would end up in its layers
        // and config, readable by anyone who pulls it. BUILD_VARS values are masked like
        // secrets but are often plain build arguments (an API URL also given to BUILD_ENV),
        // so only the values that are certainly secret are checked here.
        let certain: Vec<String> = secrets
            .iter()
            .filter(|v| !build_vars.iter().any(|(_, b)| b == *v))
            .cloned()
            .collect();
        let (masker, _) = crate::mask::Masker::new(&certain);
        let baked = BAKED_VARS
            .iter()
            .filter_map(|var| map.get(*var).map(|v| (var.to_string(), v)))
            .chain(build_env.iter().map(|(k, v)| (k.clone(), v)));
        for (var, value) in baked {
            if masker.mask(value) != *value {
                return Err(SettingsError::SecretInImage { var });
            }
        }

        Ok(Settings {
            source_dir: PathBuf::from(
                env.get("SOURCE_DIR")?
                    .unwrap_or_else(|| "/workspace/source".into()),
            ),
            output_image: env.get("OUTPUT_IMAGE")?,
            project_path: relative_path("PROJECT_PATH", env.get("PROJECT_PATH")?)?,
            language,
            language_raw,
            buildpacks,
            build_command: env.get("BUILD_COMMAND")?,
            run_command: env.get("RUN_COMMAND")?,
            port,
            arch,
            use_dhi: env.bool("USE_DHI", false)?,
            tag_latest: env.bool("TAG_LATEST", false)?,
            push_image: env.opt_bool("PUSH_IMAGE")?,
            dockerfile_path: relative_path("DOCKERFILE_PATH", env.get("DOCKERFILE_PATH")?)?,
            compose_file: relative_path("COMPOSE_FILE", env.get("COMPOSE_FILE")?)?,
            result_file: env.get("RESULT_FILE")?.map(PathBuf::from),
            custom_data,
            debug: env.bool("DEBUG", false)?,
            cache: CacheSettings::from_env(map)?,
            build_cache_dir: env.get("BUILD_CACHE_DIR")?,
            cache_key: crate::cache::cache_key(map)?,
            registry_mirror: env.get("REGISTRY_MIRROR")?,
            dhi_mirror: env.get("DHI_MIRROR")?,
            build_vars,
            build_env,
            build_secrets,
            dockerfile_syntax,
            buildx_builder: env.get("BUILDX_BUILDER")?,
            build_network,
            lang,
            version_overrides,
            secrets,
            notes,
        })
    }

    /// True when package-manager cache mounts are on (`BUILD_CACHE_DIR` set).
    pub fn cache_mounts(&self) -> bool {
        self.build_cache_dir.is_some()
    }

    /// The cache-mount id for a cache type: `<CACHE_KEY>-<type>` or `default-<type>`.
    pub fn cache_id(&self, kind: &str) -> String {
        format!("{}-{kind}", self.cache_key.as_deref().unwrap_or("default"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // --- prefixed names and shell collisions ---
    #[test]
    fn prefixed_form_wins_over_the_bare_one() {
        let s = Settings::from_env(&env(&[
            ("LANGUAGE", "ruby"),
            ("MIGETPACKS_LANGUAGE", "python"),
            ("MIGETPACKS_PORT", "8080"),
            ("PORT", "3000"),
            ("MIGETPACKS_USE_DHI", "yes"),
        ]))
        .unwrap();
        assert_eq!(s.language, Some(Language::Python));
        assert_eq!(s.port, 8080);
        assert!(s.use_dhi);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        // A prefixed bad value is still an error naming the variable.
        let e = Settings::from_env(&env(&[("MIGETPACKS_ARCH", "s390x")])).unwrap_err();
        assert!(e.to_string().starts_with("ARCH"), "{e}");
    }

    #[test]
    fn locale_language_and_non_boolean_debug_are_ignored_with_a_note() {
        for locale in ["en_US:en", "de_DE.UTF-8", "C", "POSIX", "fr"] {
            let r = Settings::from_env(&env(&[("LANGUAGE", locale), ("DEBUG", "express:*")]));
            if locale == "fr" {
                // Not a locale by the rule (no `_`/`:`): still parsed, and unknown.
                assert!(r.unwrap_err().to_string().starts_with("LANGUAGE"));
                continue;
            }
            let s = r.unwrap();
            assert_eq!(s.language, None, "{locale}");
            assert!(!s.debug);
            assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
            assert!(s.notes[0].starts_with("LANGUAGE=") && s.notes[1].starts_with("DEBUG="));
        }
        // A boolean DEBUG and a real language are settings as before.
        let s = Settings::from_env(&env(&[("LANGUAGE", "go"), ("DEBUG", "1")])).unwrap();
        assert_eq!(s.language, Some(Language::Go));
        assert!(s.debug && s.notes.is_empty());
        // The prefixed form of either is always a setting: bad values are errors.
        assert!(Settings::from_env(&env(&[("MIGETPACKS_DEBUG", "express:*")])).is_err());
        assert!(Settings::from_env(&env(&[("MIGETPACKS_LANGUAGE", "en_US:en")])).is_err());
        // The prefixed form also replaces a colliding bare one without a note.
        let s = Settings::from_env(&env(&[
            ("LANGUAGE", "en_US:en"),
            ("MIGETPACKS_LANGUAGE", "rust"),
        ]))
        .unwrap();
        assert_eq!(s.language, Some(Language::Rust));
        assert!(s.notes.is_empty());
    }

    #[test]
    fn prefixed_credentials_are_masked() {
        let s = Settings::from_env(&env(&[
            ("MIGETPACKS_DHI_PASSWORD", "p1"),
            ("DHI_PASSWORD", "p0"),
        ]))
        .unwrap();
        assert!(s.secrets.contains(&"p1".into()) && s.secrets.contains(&"p0".into()));
    }
    // --- end prefixed names ---

    #[test]
    fn defaults() {
        let s = Settings::from_env(&EnvMap::new()).unwrap();
        assert_eq!(s.port, 5000);
        assert_eq!(s.arch, Arch::Amd64);
        assert!(!s.use_dhi && !s.tag_latest && s.push_image.is_none());
        assert_eq!(s.dockerfile_syntax.as_deref(), Some("docker/dockerfile:1"));
        assert_eq!(s.lang.mix_env, "prod");
        assert_eq!(s.lang.bundle_without, "development test");
        assert_eq!(s.source_dir, PathBuf::from("/workspace/source"));
        assert_eq!(s.cache_id("npm"), "default-npm");
    }

    #[test]
    fn booleans() {
        for (v, want) in [
            ("true", true),
            ("YES", true),
            ("1", true),
            ("No", false),
            ("0", false),
            ("", false),
        ] {
            let s = Settings::from_env(&env(&[("USE_DHI", v)])).unwrap();
            assert_eq!(s.use_dhi, want, "{v}");
        }
        let e = Settings::from_env(&env(&[("TAG_LATEST", "sure")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("TAG_LATEST") && e.contains("sure"), "{e}");
    }

    #[test]
    fn enumerations() {
        let e = Settings::from_env(&env(&[("ARCH", "s390x")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("ARCH") && e.contains("s390x"), "{e}");
        let e = Settings::from_env(&env(&[("LANGUAGE", "cobol")]))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("LANGUAGE") && e.contains("nodejs"), "{e}");
        let s = Settings::from_env(&env(&[("LANGUAGE", "Node.js (yarn)")])).unwrap();
        assert_eq!(s.language, Some(Language::Nodejs));
    }

    #[test]
    fn project_path_must_stay_inside() {
        for bad in ["../x", "a/../../x", "/a/../../etc"] {
            let e = Settings::from_env(&env(&[("PROJECT_PATH", bad)]))
                .unwrap_err()
                .to_string();
            assert!(e.contains("PROJECT_PATH"), "{bad}: {e}");
        }
        let s = Settings::from_env(&env(&[("PROJECT_PATH", "/apps/web/")])).unwrap();
        assert_eq!(s.project_path.as_deref(), Some("apps/web"));
        let e = Settings::from_env(&env(&[("DOCKERFILE_PATH", "../Dockerfile")])).unwrap_err();
        assert!(e.to_string().contains("DOCKERFILE_PATH"));
    }

    #[test]
    fn newline_values_are_refused() {
        let e = Settings::from_env(&env(&[("RUN_COMMAND", "a\nRUN evil")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("RUN_COMMAND"), "{e}");
    }

    #[test]
    fn build_vars() {
        let s = Settings::from_env(&env(&[(
            "BUILD_VARS",
            r#"{"BUILD_VAR_API":"x y","TOKEN":"abcd"}"#,
        )]))
        .unwrap();
        assert_eq!(
            s.build_vars,
            vec![
                ("API".into(), "x y".into()),
                ("TOKEN".into(), "abcd".into())
            ]
        );
        assert!(s.secrets.contains(&"abcd".to_string()));
        for bad in [r#"[1]"#, r#"{"A":1}"#, "{", r#"{"a-b":"x"}"#] {
            let e = Settings::from_env(&env(&[("BUILD_VARS", bad)]))
                .unwrap_err()
                .to_string();
            assert!(e.contains("BUILD_VARS"), "{bad}: {e}");
        }
    }

    #[test]
    fn build_env_allow_list() {
        let s = Settings::from_env(&env(&[
            ("BUILD_ENV", "VITE_*,NODE_OPTIONS"),
            ("VITE_B", "2"),
            ("VITE_A", "1"),
            ("OTHER", "x"),
        ]))
        .unwrap();
        assert_eq!(
            s.build_env,
            vec![("VITE_A".into(), "1".into()), ("VITE_B".into(), "2".into())]
        );
        for bad in [
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "MY_SECRET_X",
        ] {
            let e = Settings::from_env(&env(&[("BUILD_ENV", bad), (bad, "v")])).unwrap_err();
            assert!(matches!(e, SettingsError::Credential { .. }), "{bad}");
        }
        let e = Settings::from_env(&env(&[("BUILD_ENV", "A*"), ("AWS_KEY", "v")])).unwrap_err();
        assert!(matches!(e, SettingsError::Credential { .. }));
        // BUILD_VARS holds the build-arg secrets and BUILD_SECRETS names secrets: a glob
        // (found by the pipeline fuzz target: BUILD_ENV=**) must not copy them into ENV.
        let with_secrets = [
            ("BUILD_VARS", r#"{"A":"secret-value"}"#),
            ("BUILD_SECRETS", "SENTRY_AUTH"),
            ("SENTRY_AUTH", "secret-value"),
        ];
        for (pattern, name, vars) in [
            ("**", "BUILD_VARS", &with_secrets[..1]),
            ("SENTRY*", "SENTRY_AUTH", &with_secrets[..]),
            ("SENTRY_AUTH", "SENTRY_AUTH", &with_secrets[..]),
        ] {
            let mut pairs = vars.to_vec();
            pairs.push(("BUILD_ENV", pattern));
            let e = Settings::from_env(&env(&pairs)).unwrap_err();
            assert_eq!(
                e,
                SettingsError::Credential {
                    var: "BUILD_ENV".into(),
                    name: name.into()
                },
                "{pattern}"
            );
        }
        assert!(Settings::from_env(&env(&[("BUILD_ENV", "1BAD")])).is_err());
    }

    #[test]
    fn glob() {
        assert!(glob_match("VITE_*", "VITE_API"));
        assert!(glob_match("*_URL", "API_URL"));
        assert!(!glob_match("VITE_*", "NEXT_PUBLIC_X"));
        assert!(glob_match("A", "A") && !glob_match("A", "AB"));
        assert!(
            glob_match("*", "") && glob_match("A*B*C", "AxxBxxC") && !glob_match("A*B*C", "AxxBxx")
        );
        assert!(glob_match("**A**", "xA") && !glob_match("A*", "B"));
        // Many stars against a long non-matching name: must not backtrack exponentially.
        let start = std::time::Instant::now();
        let pattern = format!("K{}Z", "*".repeat(40));
        assert!(!glob_match(&pattern, &"K".repeat(200)));
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn custom_data_must_be_json() {
        let e = Settings::from_env(&env(&[("CUSTOM_DATA", "{nope")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("CUSTOM_DATA"));
    }

    #[test]
    fn cache_errors_name_their_variable() {
        for (var, value) in [
            ("CACHE_KEY", "my app"),
            ("CACHE_MODE", "all"),
            ("NO_CACHE", "sometimes"),
            ("CACHE_IMAGE", "r.io/a b"),
        ] {
            let e = Settings::from_env(&env(&[(var, value)]))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with(var), "{var}: {e}");
        }
        let s = Settings::from_env(&env(&[("CACHE_KEY", "shop-1.2")])).unwrap();
        assert_eq!(s.cache_key.as_deref(), Some("shop-1.2"));
    }

    #[test]
    fn every_secret_source_is_on_the_mask_list() {
        let s = Settings::from_env(&env(&[
            ("BUILD_VARS", r#"{"API":"build-var-value"}"#),
            ("AWS_SECRET_ACCESS_KEY", "aws-secret-value"),
            ("DHI_USERNAME", "dhi-user-value"),
            ("DHI_PASSWORD", "dhi-password-value"),
            ("REGISTRY_PASSWORD", "registry-password-value"),
            ("BUILD_SECRETS", "NPM_TOKEN,SENTRY_AUTH"),
            ("NPM_TOKEN", "npm-token-value"),
            ("SENTRY_AUTH", "sentry-auth-value"),
            ("HARMLESS", "harmless-value"),
        ]))
        .unwrap();
        for v in [
            "build-var-value",
            "aws-secret-value",
            "dhi-user-value",
            "dhi-password-value",
            "registry-password-value",
            "npm-token-value",
            "sentry-auth-value",
        ] {
            assert!(s.secrets.contains(&v.to_string()), "{v}");
        }
        assert!(!s.secrets.contains(&"harmless-value".to_string()));
    }

    #[test]
    fn credential_names() {
        for name in [
            "API_KEY",
            "STRIPE_API_KEY",
            "OPENAI_APIKEY",
            "APIKEY",
            "MAILGUN_KEY",
            "SSH_KEY",
            "DB_PASS",
            "SMTP_PASSWD",
            "FTP_PWD",
            "BASIC_AUTH",
            "NPM_AUTH",
            "GCP_CREDENTIALS",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "SERVICE_CREDENTIAL",
            "GITHUB_TOKEN",
            "TOKEN",
            "DB_PASSWORD",
            "PASSWD",
            "JWT_SECRET",
            "SECRET_KEY_BASE",
            "AWS_REGION",
            "DHI_USERNAME",
            "DEPLOY_PRIVATE_KEY",
            "sentry_auth",
            "Api_Key",
        ] {
            assert!(is_credential_name(name), "{name} should be a credential");
        }
        for name in [
            "CACHE_KEY",
            "BUILD_SECRETS",
            "DHI_MIRROR",
            "STRIPE_PUBLISHABLE_KEY",
            "VITE_PUBLIC_KEY",
            "RECAPTCHA_SITE_KEY",
            "PWD",
            "OLDPWD",
            "PATH",
            "NODE_ENV",
            "KEYBOARD",
            "KEY_ID",
            "BYPASS_CACHE",
            "PASSENGER_PORT",
            "AUTHOR",
            "OAUTH_CALLBACK_URL",
            "TOKENIZER_MODEL",
        ] {
            assert!(
                !is_credential_name(name),
                "{name} should not be a credential"
            );
        }
    }

    #[test]
    fn a_secret_baked_into_the_image_is_refused() {
        let pem = "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQAB\n-----END KEY-----";
        for (var, value) in [
            ("BUILD_COMMAND", "npm run build -- --token=npm-secret-value"),
            (
                "RUN_COMMAND",
                "node server.js --key AAAAB3NzaC1yc2EAAAADAQAB",
            ),
            ("GO_LINKER_VALUE", "npm-secret-value"),
            ("VITE_API_URL", "https://x:npm-secret-value@api.example.com"),
        ] {
            let e = Settings::from_env(&env(&[
                ("NPM_TOKEN", "npm-secret-value"),
                ("DEPLOY_KEY", pem),
                ("BUILD_ENV", "VITE_*"),
                (var, value),
            ]))
            .unwrap_err();
            assert_eq!(e, SettingsError::SecretInImage { var: var.into() }, "{var}");
            let msg = e.to_string();
            assert!(
                msg.starts_with(var) && msg.contains("BUILD_SECRETS"),
                "{msg}"
            );
            assert!(!msg.contains("npm-secret-value"), "{msg}");
        }
        // A BUILD_VARS value (often a plain build argument) may also be given to BUILD_ENV.
        assert!(Settings::from_env(&env(&[
            ("BUILD_VARS", r#"{"API_URL":"https://api.example.com"}"#),
            ("BUILD_ENV", "VITE_*"),
            ("VITE_API_URL", "https://api.example.com"),
        ]))
        .is_ok());
        // Without the secret in them, the same settings are fine.
        assert!(Settings::from_env(&env(&[
            ("NPM_TOKEN", "npm-secret-value"),
            ("BUILD_COMMAND", "npm run build"),
        ]))
        .is_ok());
    }

    #[test]
    fn shell_text_must_not_end_in_a_backslash() {
        for var in SHELL_TEXT_VARS {
            let e = Settings::from_env(&env(&[(var, "make all \\ ")])).unwrap_err();
            assert_eq!(e, SettingsError::TrailingBackslash { var: var.into() });
        }
        assert!(Settings::from_env(&env(&[("BUILD_COMMAND", "a \\ b")])).is_ok());
    }

    #[test]
    fn empty_syntax_disables_line() {
        let s = Settings::from_env(&env(&[("DOCKERFILE_SYNTAX", "")])).unwrap();
        assert_eq!(s.dockerfile_syntax, None);
    }
}
