//! Cache backends: parsing a buildx cache spec and rendering its import and export sides.

use super::csv;
use super::{CacheError, CacheMode};

/// Extra `key=value` attributes of a backend, in the order the user wrote them.
pub type Attrs = Vec<(String, String)>;

/// Where BuildKit's layer cache lives (one `type=` of `docker buildx build --cache-to`).
///
/// Each variant keeps the attributes it needs typed and the rest in `attrs`, so the composer
/// can derive the import spec from the export spec (local `dest` ⇒ `src`, export-only
/// attributes dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheBackend {
    /// `type=registry,ref=…`: a cache manifest in a container registry.
    Registry {
        /// The cache image reference.
        reference: String,
        /// Other attributes (`image-manifest`, `oci-mediatypes`, `compression`, …).
        attrs: Attrs,
    },
    /// `type=local,dest=…` / `src=…`: a directory on the machine running buildx.
    Local {
        /// The cache directory (`dest` on export, `src` on import).
        dir: String,
        /// Other attributes (`tag`, `digest`, `compression`, …).
        attrs: Attrs,
    },
    /// `type=gha`: the GitHub Actions cache service (`scope`, `url`, …).
    Gha {
        /// Attributes (`scope`, `timeout`, `repository`, …).
        attrs: Attrs,
    },
    /// `type=s3`: an S3 (or S3-compatible) bucket.
    S3 {
        /// Attributes (`bucket`, `region`, `endpoint_url`, `use_path_style`, `name`, …).
        attrs: Attrs,
    },
    /// `type=azblob`: Azure Blob Storage.
    Azblob {
        /// Attributes (`account_url`, `container`, `name`, `prefix`, …).
        attrs: Attrs,
    },
    /// `type=inline`: cache metadata embedded in the pushed image itself.
    Inline {
        /// The image to import from (`type=registry,ref=…`); `None` when the image is not
        /// pushed, so there is nothing to import.
        import_ref: Option<String>,
    },
}

/// The backend type names, as buildx spells them.
pub const BACKEND_TYPES: [&str; 6] = ["registry", "local", "gha", "s3", "azblob", "inline"];

/// Attributes that only make sense when exporting; dropped from derived imports.
const EXPORT_ONLY: [&str; 7] = [
    "compression",
    "compression-level",
    "force-compression",
    "oci-mediatypes",
    "image-manifest",
    "touch_refresh",
    "upload_parallelism",
];

/// Attributes that only make sense when importing; dropped from exports.
const IMPORT_ONLY: [&str; 1] = ["digest"];

/// Attributes that carry credentials: they would be visible in `ps` and logs
/// (docs/security.md). buildx and BuildKit read them from their environment instead.
const CREDENTIAL_KEYS: [&str; 5] = [
    "access_key_id",
    "secret_access_key",
    "session_token",
    "token",
    "ghtoken",
];

/// The `registry.insecure` attribute BuildKit's registry cache understands.
const INSECURE: &str = "registry.insecure";

/// A parsed spec: the backend and the `mode=` it carried, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedSpec {
    pub backend: CacheBackend,
    pub mode: Option<CacheMode>,
}

/// True when a value is a full buildx spec rather than a bare registry reference.
pub(crate) fn is_full_spec(value: &str) -> bool {
    value
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("type="))
}

/// Check a registry reference: non-empty, no white space or control characters, and no `=`
/// (a value with `=` is a spec that forgot its `type=`).
pub(crate) fn validate_ref(var: &str, value: &str) -> Result<(), CacheError> {
    let bad = |reason: &str| CacheError::InvalidRef {
        var: var.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    };
    if value.is_empty() {
        return Err(bad("empty reference"));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("contains white space or a control character"));
    }
    if value.contains('=') {
        return Err(bad(
            "contains '='; a full buildx cache spec starts with type= (in CACHE_FROM: one spec per line)",
        ));
    }
    // A registry cache ref is an image reference: the OCI grammar also keeps `,` and `"` out,
    // so the value cannot add fields to the buildx spec it is written into.
    crate::imageref::ImageRef::parse(value).map_err(|e| bad(&e.reason))?;
    Ok(())
}

/// Parse a full buildx cache spec (`type=…,key=value,…`) read from `var`.
pub(crate) fn parse_spec(var: &str, text: &str) -> Result<ParsedSpec, CacheError> {
    let spec_err = |reason: String| CacheError::Spec {
        var: var.to_string(),
        reason,
    };
    let fields = csv::split(text).map_err(|e| spec_err(e.to_string()))?;
    let mut pairs: Attrs = Vec::new();
    for field in fields {
        let Some((k, v)) = field.split_once('=') else {
            return Err(spec_err(format!("field {field:?} is not key=value")));
        };
        // buildx lower-cases keys, so `Type=` and `type=` are the same key.
        let key = k.to_ascii_lowercase();
        if key.is_empty() {
            return Err(spec_err(format!("field {field:?} has an empty key")));
        }
        if CREDENTIAL_KEYS.contains(&key.as_str()) {
            return Err(CacheError::Credential {
                var: var.to_string(),
                key,
            });
        }
        if pairs.iter().any(|(p, _)| *p == key) {
            return Err(spec_err(format!("key {key:?} is given twice")));
        }
        pairs.push((key, v.to_string()));
    }
    let mut take = |key: &str| -> Option<String> {
        let i = pairs.iter().position(|(k, _)| k == key)?;
        Some(pairs.remove(i).1)
    };
    let Some(kind) = take("type") else {
        return Err(spec_err("missing type=".into()));
    };
    let mode = take("mode")
        .map(|m| CacheMode::parse(var, &m))
        .transpose()?;
    if let Some(v) = take("ignore-error") {
        if !v.eq_ignore_ascii_case("true") {
            return Err(spec_err(format!(
                "ignore-error={v} is not supported: a failed cache export must never fail the build"
            )));
        }
    }
    let kind = kind.to_ascii_lowercase();
    let backend = match kind.as_str() {
        "registry" => {
            let reference =
                take("ref").ok_or_else(|| spec_err("type=registry needs ref=".into()))?;
            validate_ref(var, &reference)?;
            CacheBackend::Registry {
                reference,
                attrs: pairs,
            }
        }
        "local" => {
            let dir = match (take("dest"), take("src")) {
                (Some(d), Some(s)) if d != s => {
                    return Err(spec_err(format!(
                        "dest={d} and src={s} differ; one directory is both exported to and imported from"
                    )))
                }
                (Some(d), _) | (None, Some(d)) => d,
                (None, None) => return Err(spec_err("type=local needs dest=".into())),
            };
            if dir.is_empty() {
                return Err(spec_err("type=local needs a non-empty dest=".into()));
            }
            CacheBackend::Local { dir, attrs: pairs }
        }
        "gha" => CacheBackend::Gha { attrs: pairs },
        "s3" => CacheBackend::S3 { attrs: pairs },
        "azblob" => CacheBackend::Azblob { attrs: pairs },
        "inline" => {
            if mode == Some(CacheMode::Max) {
                return Err(CacheError::InlineMax {
                    var: var.to_string(),
                });
            }
            if let Some((k, _)) = pairs.first() {
                return Err(spec_err(format!(
                    "type=inline takes no attributes (got {k}); it is imported from the output image"
                )));
            }
            CacheBackend::Inline { import_ref: None }
        }
        _ => {
            return Err(CacheError::UnknownType {
                var: var.to_string(),
                value: kind,
            })
        }
    };
    Ok(ParsedSpec { backend, mode })
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// Append `registry.insecure=true` unless the user's attributes already decide it.
fn push_insecure(out: &mut Attrs, insecure: bool) {
    if insecure && !out.iter().any(|(k, _)| k == INSECURE) {
        out.push(pair(INSECURE, "true"));
    }
}

impl CacheBackend {
    /// The buildx `type=` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            CacheBackend::Registry { .. } => "registry",
            CacheBackend::Local { .. } => "local",
            CacheBackend::Gha { .. } => "gha",
            CacheBackend::S3 { .. } => "s3",
            CacheBackend::Azblob { .. } => "azblob",
            CacheBackend::Inline { .. } => "inline",
        }
    }

    fn attrs(&self) -> &[(String, String)] {
        match self {
            CacheBackend::Registry { attrs, .. }
            | CacheBackend::Local { attrs, .. }
            | CacheBackend::Gha { attrs }
            | CacheBackend::S3 { attrs }
            | CacheBackend::Azblob { attrs } => attrs,
            CacheBackend::Inline { .. } => &[],
        }
    }

    /// The `key=value` pairs of the import (`--cache-from`) side, or `None` when there is
    /// nothing to import. `insecure` adds `registry.insecure=true` to registry imports.
    pub fn import_fields(&self, insecure: bool) -> Option<Attrs> {
        let mut out = vec![pair("type", self.type_name())];
        match self {
            CacheBackend::Registry { reference, .. } => out.push(pair("ref", reference)),
            CacheBackend::Local { dir, .. } => out.push(pair("src", dir)),
            CacheBackend::Inline { import_ref } => {
                // An inline cache is read back from the image it was embedded in.
                let mut out = vec![pair("type", "registry"), pair("ref", import_ref.as_ref()?)];
                push_insecure(&mut out, insecure);
                return Some(out);
            }
            CacheBackend::Gha { .. } | CacheBackend::S3 { .. } | CacheBackend::Azblob { .. } => {}
        }
        out.extend(
            self.attrs()
                .iter()
                .filter(|(k, _)| !EXPORT_ONLY.contains(&k.as_str()))
                .cloned(),
        );
        if matches!(self, CacheBackend::Registry { .. }) {
            push_insecure(&mut out, insecure);
        }
        Some(out)
    }

    /// The `key=value` pairs of the export (`--cache-to`) side: always `ignore-error=true`,
    /// `mode=` except for inline (which only supports `min`), and `registry.insecure=true` on
    /// registry exports when `insecure`.
    pub fn export_fields(&self, mode: CacheMode, insecure: bool) -> Attrs {
        let mut out = vec![pair("type", self.type_name())];
        match self {
            CacheBackend::Registry { reference, .. } => out.push(pair("ref", reference)),
            CacheBackend::Local { dir, .. } => out.push(pair("dest", dir)),
            CacheBackend::Inline { .. } => {
                out.push(pair("ignore-error", "true"));
                return out;
            }
            CacheBackend::Gha { .. } | CacheBackend::S3 { .. } | CacheBackend::Azblob { .. } => {}
        }
        out.extend(
            self.attrs()
                .iter()
                .filter(|(k, _)| !IMPORT_ONLY.contains(&k.as_str()))
                .cloned(),
        );
        out.push(pair("mode", mode.as_str()));
        out.push(pair("ignore-error", "true"));
        if matches!(self, CacheBackend::Registry { .. }) {
            push_insecure(&mut out, insecure);
        }
        out
    }

    /// The import spec as one argv element, CSV-quoted where needed.
    ///
    /// ```
    /// use migetpacks_core::cache::CacheBackend;
    /// let local = CacheBackend::Local { dir: "/cache/bk".into(), attrs: vec![] };
    /// assert_eq!(local.import_spec(false).as_deref(), Some("type=local,src=/cache/bk"));
    /// ```
    pub fn import_spec(&self, insecure: bool) -> Option<String> {
        self.import_fields(insecure).map(|f| csv::join(&f))
    }

    /// The export spec as one argv element, CSV-quoted where needed.
    ///
    /// ```
    /// use migetpacks_core::cache::{CacheBackend, CacheMode};
    /// let reg = CacheBackend::Registry { reference: "r.io/a:cache".into(), attrs: vec![] };
    /// assert_eq!(
    ///     reg.export_spec(CacheMode::Max, true),
    ///     "type=registry,ref=r.io/a:cache,mode=max,ignore-error=true,registry.insecure=true"
    /// );
    /// ```
    pub fn export_spec(&self, mode: CacheMode, insecure: bool) -> String {
        csv::join(&self.export_fields(mode, insecure))
    }
}
