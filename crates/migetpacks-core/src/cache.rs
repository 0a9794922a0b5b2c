//! BuildKit layer cache: typed settings and the `docker buildx build` cache flags.
//!
//! [`CacheSettings::from_env`] reads `CACHE_IMAGE`, `CACHE_MODE`, `CACHE_FROM`,
//! `CACHE_REGISTRY_INSECURE`, `NO_CACHE` and `S3_CACHE_*`; [`cache_args`] turns them into argv
//! elements (one token each, never a shell string); [`cache_env`] names the environment
//! variables buildx itself reads for the chosen backend, so credentials never reach argv.
//!
//! ```
//! use migetpacks_core::cache::{cache_args, CacheSettings};
//! use migetpacks_core::settings::EnvMap;
//!
//! let env: EnvMap = [
//!     ("CACHE_IMAGE", "r.io/app:cache"),
//!     ("CACHE_FROM", "r.io/app:main"),
//!     ("CACHE_MODE", "max"),
//! ]
//! .into_iter()
//! .map(|(k, v)| (k.to_string(), v.to_string()))
//! .collect();
//! let cache = CacheSettings::from_env(&env).unwrap();
//! assert_eq!(
//!     cache_args(&cache),
//!     [
//!         "--cache-from",
//!         "type=registry,ref=r.io/app:cache",
//!         "--cache-to",
//!         "type=registry,ref=r.io/app:cache,mode=max,ignore-error=true",
//!         "--cache-from",
//!         "type=registry,ref=r.io/app:main",
//!     ]
//! );
//! ```

mod backend;
mod csv;
#[cfg(test)]
mod tests;

pub use backend::{Attrs, CacheBackend, BACKEND_TYPES};

use crate::settings::{parse_bool, EnvMap};
use backend::{is_full_spec, parse_spec, validate_ref};

/// A bad cache variable. Every message names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// A boolean that is not `true/false/1/0/yes/no`.
    #[error("{var}: expected true/false/1/0/yes/no, got {value:?}")]
    InvalidBool {
        /// Variable name.
        var: String,
        /// The value given.
        value: String,
    },
    /// A single-line value with a newline or another control character.
    #[error("{var}: value must not contain control characters")]
    ControlChar {
        /// Variable name.
        var: String,
    },
    /// A cache mode other than `min`/`max`.
    #[error("{var}: invalid cache mode {value:?}; expected min or max")]
    InvalidMode {
        /// Variable name (`CACHE_MODE`, or the variable holding a spec with `mode=`).
        var: String,
        /// The value given.
        value: String,
    },
    /// A registry reference that cannot be used.
    #[error("{var}: invalid cache reference {value:?}: {reason}")]
    InvalidRef {
        /// Variable name.
        var: String,
        /// The reference.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A malformed buildx cache spec.
    #[error("{var}: invalid buildx cache spec: {reason}")]
    Spec {
        /// Variable name.
        var: String,
        /// What is wrong.
        reason: String,
    },
    /// A `type=` that buildx does not know.
    #[error("{var}: unknown cache type {value:?}; expected one of registry, local, gha, s3, azblob, inline")]
    UnknownType {
        /// Variable name.
        var: String,
        /// The type given.
        value: String,
    },
    /// A credential attribute inside a spec (it would be visible in `ps` and logs).
    #[error("{var}: {key}= would put a credential on the command line; give it to buildx through its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, ACTIONS_RUNTIME_TOKEN) or to the BuildKit daemon instead")]
    Credential {
        /// Variable name.
        var: String,
        /// The refused attribute.
        key: String,
    },
    /// `mode=` inside `CACHE_IMAGE` disagrees with `CACHE_MODE`.
    #[error("CACHE_IMAGE: mode={spec} conflicts with CACHE_MODE={env}")]
    ModeConflict {
        /// Mode in the spec.
        spec: String,
        /// Mode in `CACHE_MODE`.
        env: String,
    },
    /// `type=inline` with `mode=max`.
    #[error(
        "{var}: the inline cache backend only supports mode=min; use type=registry for mode=max"
    )]
    InlineMax {
        /// Variable name.
        var: String,
    },
    /// `type=inline` as a read-only source.
    #[error("CACHE_FROM: type=inline cannot be imported directly; import the image it was pushed with (type=registry,ref=<image>)")]
    InlineSource,
    /// A `CACHE_KEY` outside `[A-Za-z0-9_.-]`.
    #[error("CACHE_KEY: {value:?} may only contain letters, digits, '_', '.' and '-'")]
    InvalidCacheKey {
        /// The value given.
        value: String,
    },
}

/// How much of the build BuildKit exports to the cache (`CACHE_MODE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheMode {
    /// Only the layers of the final (runtime) stage (migetpacks' default).
    #[default]
    Min,
    /// The layers of every stage, including builder-stage dependency installs.
    Max,
}

impl CacheMode {
    /// `min` or `max`.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheMode::Min => "min",
            CacheMode::Max => "max",
        }
    }

    /// Parse `min`/`max` (any case) read from `var`.
    pub(crate) fn parse(var: &str, value: &str) -> Result<CacheMode, CacheError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "min" => Ok(CacheMode::Min),
            "max" => Ok(CacheMode::Max),
            _ => Err(CacheError::InvalidMode {
                var: var.to_string(),
                value: value.to_string(),
            }),
        }
    }
}

/// A variable that was set but has no effect, and why (reported by [`CacheSettings::notes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    /// Variable name.
    pub var: &'static str,
    /// Why it is ignored.
    pub reason: &'static str,
}

/// Typed cache settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheSettings {
    /// Where the cache is exported to and, derived from it, imported from.
    pub backend: Option<CacheBackend>,
    /// `CACHE_MODE` (or `mode=` inside `CACHE_IMAGE`); default `min`.
    pub mode: CacheMode,
    /// Extra read-only sources (`CACHE_FROM`).
    pub sources: Vec<CacheBackend>,
    /// `NO_CACHE`: skip every import and pass `--no-cache`; still export.
    pub no_cache: bool,
    /// `CACHE_REGISTRY_INSECURE`: `registry.insecure=true` on every registry spec.
    pub insecure: bool,
    /// Variables that were set but have no effect.
    pub ignored: Vec<Ignored>,
}

/// A non-empty, trimmed value; control characters are refused.
fn get(env: &EnvMap, var: &str) -> Result<Option<String>, CacheError> {
    match env.get(var) {
        None => Ok(None),
        Some(v) if v.chars().any(char::is_control) => Err(CacheError::ControlChar {
            var: var.to_string(),
        }),
        Some(v) => Ok(Some(v.trim().to_string()).filter(|v| !v.is_empty())),
    }
}

fn get_bool(env: &EnvMap, var: &str) -> Result<Option<bool>, CacheError> {
    get(env, var)?
        .map(|v| {
            parse_bool(var, &v).map_err(|_| CacheError::InvalidBool {
                var: var.to_string(),
                value: v.clone(),
            })
        })
        .transpose()
}

/// `CACHE_KEY`, validated: only `[A-Za-z0-9_.-]`, because it becomes part of cache-mount ids
/// in generated Dockerfiles and of the S3 cache manifest name.
///
/// ```
/// use migetpacks_core::cache::cache_key;
/// use migetpacks_core::settings::EnvMap;
/// let mut env = EnvMap::new();
/// env.insert("CACHE_KEY".into(), "shop-api_1.2".into());
/// assert_eq!(cache_key(&env).unwrap().as_deref(), Some("shop-api_1.2"));
/// env.insert("CACHE_KEY".into(), "a,b".into());
/// assert!(cache_key(&env).unwrap_err().to_string().starts_with("CACHE_KEY"));
/// ```
pub fn cache_key(env: &EnvMap) -> Result<Option<String>, CacheError> {
    let key = get(env, "CACHE_KEY")?;
    match key {
        Some(k) if !crate::mounts::is_valid_cache_key(&k) => {
            Err(CacheError::InvalidCacheKey { value: k })
        }
        k => Ok(k),
    }
}

/// The s3 backend from `S3_CACHE_BUCKET`/`S3_CACHE_REGION`/`S3_CACHE_ENDPOINT`. Access keys are
/// deliberately not read: buildx adds them from its own environment.
fn s3_from_env(env: &EnvMap, bucket: String) -> Result<CacheBackend, CacheError> {
    let region = get(env, "S3_CACHE_REGION")?.unwrap_or_else(|| "us-east-1".into());
    let mut attrs = vec![
        ("region".to_string(), region),
        ("bucket".to_string(), bucket),
    ];
    if let Some(endpoint) = get(env, "S3_CACHE_ENDPOINT")? {
        // Custom endpoints (MinIO, Ceph, R2, …) generally need path-style addressing.
        attrs.push(("endpoint_url".into(), endpoint));
        attrs.push(("use_path_style".into(), "true".into()));
    }
    if let Some(key) = cache_key(env)? {
        // Without a name every app writes the same manifest ("buildkit") in a shared bucket.
        attrs.push(("name".into(), key));
    }
    Ok(CacheBackend::S3 { attrs })
}

/// The image an inline cache is read back from: `OUTPUT_IMAGE`, when the build pushes it
/// (same rule as the output flag: `PUSH_IMAGE`, else not a `:local` tag).
fn inline_import(env: &EnvMap) -> Result<Option<String>, CacheError> {
    let Some(image) = get(env, "OUTPUT_IMAGE")? else {
        return Ok(None);
    };
    let pushed = get_bool(env, "PUSH_IMAGE")?.unwrap_or(!image.ends_with(":local"));
    if !pushed {
        return Ok(None);
    }
    validate_ref("OUTPUT_IMAGE", &image)?;
    Ok(Some(image))
}

/// `CACHE_FROM`: comma-separated registry refs; a value with newlines holds one ref or full
/// `type=` spec per line; a single-line value starting with `type=` is one full spec.
fn sources_from_env(env: &EnvMap) -> Result<Vec<CacheBackend>, CacheError> {
    const VAR: &str = "CACHE_FROM";
    let Some(raw) = env.get(VAR).filter(|v| !v.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let one_line = raw.trim();
    // Items of a comma list are always refs: a spec there would be cut at its own commas.
    let (items, specs_allowed): (Vec<&str>, bool) = if raw.contains('\n') {
        (raw.split('\n').collect(), true)
    } else if is_full_spec(one_line) {
        (vec![one_line], true)
    } else {
        (one_line.split(',').collect(), false)
    };
    let mut out = Vec::new();
    for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
        if item.chars().any(char::is_control) {
            return Err(CacheError::ControlChar { var: VAR.into() });
        }
        if specs_allowed && is_full_spec(item) {
            let spec = parse_spec(VAR, item)?;
            if matches!(spec.backend, CacheBackend::Inline { .. }) {
                return Err(CacheError::InlineSource);
            }
            out.push(spec.backend);
        } else {
            validate_ref(VAR, item)?;
            out.push(CacheBackend::Registry {
                reference: item.to_string(),
                attrs: Vec::new(),
            });
        }
    }
    Ok(out)
}

impl CacheSettings {
    /// Parse and validate the cache variables.
    ///
    /// `S3_CACHE_BUCKET` selects the s3 backend (and wins over `CACHE_IMAGE`, as in
    /// migetpacks); otherwise `CACHE_IMAGE` is a registry ref or a full `type=` spec.
    ///
    /// ```
    /// use migetpacks_core::cache::{CacheBackend, CacheMode, CacheSettings};
    /// use migetpacks_core::settings::EnvMap;
    /// let mut env = EnvMap::new();
    /// env.insert("CACHE_IMAGE".into(), "type=local,dest=/cache/bk".into());
    /// env.insert("NO_CACHE".into(), "yes".into());
    /// let c = CacheSettings::from_env(&env).unwrap();
    /// assert_eq!(c.backend, Some(CacheBackend::Local { dir: "/cache/bk".into(), attrs: vec![] }));
    /// assert!(c.no_cache);
    /// assert_eq!(c.mode, CacheMode::Min);
    /// env.insert("CACHE_MODE".into(), "maximum".into());
    /// let e = CacheSettings::from_env(&env).unwrap_err();
    /// assert!(e.to_string().starts_with("CACHE_MODE"));
    /// ```
    pub fn from_env(env: &EnvMap) -> Result<CacheSettings, CacheError> {
        let insecure = get_bool(env, "CACHE_REGISTRY_INSECURE")?.unwrap_or(false);
        let no_cache = get_bool(env, "NO_CACHE")?.unwrap_or(false);
        let env_mode = get(env, "CACHE_MODE")?
            .map(|m| CacheMode::parse("CACHE_MODE", &m))
            .transpose()?;
        let image = get(env, "CACHE_IMAGE")?;
        let mut ignored = Vec::new();
        let (mut backend, spec_mode) = match get(env, "S3_CACHE_BUCKET")? {
            Some(bucket) => {
                if image.is_some() {
                    ignored.push(Ignored {
                        var: "CACHE_IMAGE",
                        reason: "S3_CACHE_BUCKET selects the s3 cache backend",
                    });
                }
                (Some(s3_from_env(env, bucket)?), None)
            }
            None => {
                for var in ["S3_CACHE_ENDPOINT", "S3_CACHE_REGION"] {
                    if get(env, var)?.is_some() {
                        ignored.push(Ignored {
                            var,
                            reason: "S3_CACHE_BUCKET is not set",
                        });
                    }
                }
                match image {
                    None => (None, None),
                    Some(v) if is_full_spec(&v) => {
                        let spec = parse_spec("CACHE_IMAGE", &v)?;
                        (Some(spec.backend), spec.mode)
                    }
                    Some(v) => {
                        validate_ref("CACHE_IMAGE", &v)?;
                        let reg = CacheBackend::Registry {
                            reference: v,
                            attrs: Vec::new(),
                        };
                        (Some(reg), None)
                    }
                }
            }
        };
        let mode = match (env_mode, spec_mode) {
            (Some(e), Some(s)) if e != s => {
                return Err(CacheError::ModeConflict {
                    spec: s.as_str().into(),
                    env: e.as_str().into(),
                })
            }
            (e, s) => e.or(s).unwrap_or_default(),
        };
        if let Some(CacheBackend::Inline { import_ref }) = &mut backend {
            if mode == CacheMode::Max {
                return Err(CacheError::InlineMax {
                    var: "CACHE_MODE".into(),
                });
            }
            *import_ref = inline_import(env)?;
        }
        Ok(CacheSettings {
            backend,
            mode,
            sources: sources_from_env(env)?,
            no_cache,
            insecure,
            ignored,
        })
    }

    /// One-line notes for the build log: the ignored variables.
    pub fn notes(&self) -> Vec<String> {
        self.ignored
            .iter()
            .map(|i| format!("{} is ignored: {}", i.var, i.reason))
            .collect()
    }

    /// The `min` trade-off, when a cache is exported with `mode=min`. Print it only where it
    /// holds: for a generated Dockerfile, when `BuildPlan::min_cache_reinstalls` says so.
    pub fn min_mode_note(&self) -> Option<&'static str> {
        let exports_min = self.mode == CacheMode::Min
            && self
                .backend
                .as_ref()
                .is_some_and(|b| !matches!(b, CacheBackend::Inline { .. }));
        exports_min.then_some(
            "CACHE_MODE=min exports only the final stage's layers: dependency installs in the \
             builder stage are not reused on another machine; CACHE_MODE=max exports every stage",
        )
    }

    /// The settings for one compose service: its own cache (`<ref>-<service>` for a registry,
    /// `<dir>/<service>` for a local folder, a `-<service>` scope or manifest name elsewhere),
    /// so services do not overwrite each other's cache. Read-only sources are kept as they are.
    ///
    /// ```
    /// use migetpacks_core::cache::{cache_args, CacheBackend, CacheSettings};
    /// let s = CacheSettings {
    ///     backend: Some(CacheBackend::Registry { reference: "r.io/c:cache".into(), attrs: vec![] }),
    ///     ..Default::default()
    /// };
    /// let api = s.for_service("api");
    /// assert_eq!(cache_args(&api)[1], "type=registry,ref=r.io/c:cache-api");
    /// ```
    pub fn for_service(&self, service: &str) -> CacheSettings {
        let suffix_attr = |attrs: &Attrs, key: &str, default: &str| -> Attrs {
            let mut out: Attrs = attrs.iter().filter(|(k, _)| k != key).cloned().collect();
            let base = attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or(default);
            out.push((key.to_string(), format!("{base}-{service}")));
            out
        };
        let backend = self.backend.as_ref().map(|b| match b {
            CacheBackend::Registry { reference, attrs } => CacheBackend::Registry {
                reference: format!("{reference}-{service}"),
                attrs: attrs.clone(),
            },
            CacheBackend::Local { dir, attrs } => CacheBackend::Local {
                dir: format!("{}/{service}", dir.trim_end_matches('/')),
                attrs: attrs.clone(),
            },
            CacheBackend::Gha { attrs } => CacheBackend::Gha {
                attrs: suffix_attr(attrs, "scope", "buildkit"),
            },
            CacheBackend::S3 { attrs } => CacheBackend::S3 {
                attrs: suffix_attr(attrs, "name", "buildkit"),
            },
            CacheBackend::Azblob { attrs } => CacheBackend::Azblob {
                attrs: suffix_attr(attrs, "name", "buildkit"),
            },
            CacheBackend::Inline { .. } => b.clone(),
        });
        CacheSettings {
            backend,
            ..self.clone()
        }
    }

    /// The backends buildx is given (the export target, and the sources unless `NO_CACHE`).
    fn used_backends(&self) -> impl Iterator<Item = &CacheBackend> {
        let sources: &[CacheBackend] = if self.no_cache { &[] } else { &self.sources };
        self.backend.iter().chain(sources)
    }
}

/// The argv elements for `docker buildx build`: `--no-cache`, then the backend's import and
/// export, then the read-only sources (each import once).
///
/// Every spec is a single element, CSV-quoted the way buildx reads it; nothing is meant for a
/// shell. Insert them right after `--platform <p>`.
///
/// ```
/// use migetpacks_core::cache::{cache_args, CacheBackend, CacheSettings};
/// let s = CacheSettings {
///     backend: Some(CacheBackend::Local { dir: "/cache/a,b".into(), attrs: vec![] }),
///     no_cache: true,
///     ..Default::default()
/// };
/// assert_eq!(
///     cache_args(&s),
///     ["--no-cache", "--cache-to", "type=local,\"dest=/cache/a,b\",mode=min,ignore-error=true"]
/// );
/// ```
pub fn cache_args(settings: &CacheSettings) -> Vec<String> {
    let mut args = Vec::new();
    let mut imported: Vec<String> = Vec::new();
    let mut import = |args: &mut Vec<String>, spec: Option<String>| {
        if let Some(spec) = spec.filter(|s| !imported.contains(s)) {
            imported.push(spec.clone());
            args.push("--cache-from".to_string());
            args.push(spec);
        }
    };
    if settings.no_cache {
        args.push("--no-cache".to_string());
    }
    if let Some(backend) = &settings.backend {
        if !settings.no_cache {
            import(&mut args, backend.import_spec(settings.insecure));
        }
        args.push("--cache-to".to_string());
        args.push(backend.export_spec(settings.mode, settings.insecure));
    }
    if !settings.no_cache {
        for source in &settings.sources {
            import(&mut args, source.import_spec(settings.insecure));
        }
    }
    args
}

/// What the AWS SDK's default credential chain reads; buildx uses it for `type=s3`.
const AWS_ENV: [&str; 13] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// What buildx reads for `type=gha`; without a token and a URL it silently skips the entry.
const GHA_ENV: [&str; 4] = [
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_CACHE_URL",
    "ACTIONS_RESULTS_URL",
    "ACTIONS_CACHE_SERVICE_V2",
];

/// Names of the environment variables buildx must inherit for these settings.
///
/// Credentials never go into argv: for `type=s3` buildx fills `access_key_id`,
/// `secret_access_key` and `session_token` from its own environment (AWS SDK default chain),
/// and for `type=gha` the token and URL. The CLI must therefore run buildx with its
/// environment passed through (and must never print these values). `azblob` credentials are
/// read by the BuildKit daemon itself, so nothing is listed for it.
///
/// ```
/// use migetpacks_core::cache::{cache_env, CacheSettings};
/// use migetpacks_core::settings::EnvMap;
/// let mut env = EnvMap::new();
/// env.insert("S3_CACHE_BUCKET".into(), "build-cache".into());
/// env.insert("AWS_SECRET_ACCESS_KEY".into(), "s3cr3t-value".into());
/// let c = CacheSettings::from_env(&env).unwrap();
/// assert!(cache_env(&c).contains(&"AWS_SECRET_ACCESS_KEY"));
/// assert!(migetpacks_core::cache::cache_args(&c).iter().all(|a| !a.contains("s3cr3t")));
/// ```
pub fn cache_env(settings: &CacheSettings) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for backend in settings.used_backends() {
        let names: &[&'static str] = match backend {
            CacheBackend::S3 { .. } => &AWS_ENV,
            CacheBackend::Gha { .. } => &GHA_ENV,
            _ => &[],
        };
        for name in names {
            if !out.contains(name) {
                out.push(name);
            }
        }
    }
    out
}
