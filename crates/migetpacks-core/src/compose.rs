//! Compose files: the services that have a `build` section, and what to build for each.
//!
//! The subset of the compose specification migetpacks builds, implemented properly
//! (docs/differences.md):
//! - services are kept in file order;
//! - `build` is a context string or an object with `context` (default `.`), `dockerfile`
//!   (default `Dockerfile`, relative to the context), `args` and `target`;
//! - the context is relative to the **compose file's folder** (as in Docker Compose), not to the
//!   source root; contexts and Dockerfiles must stay inside the source folder (no absolute
//!   paths, no `..` above the root, no remote contexts);
//! - `args` in map form (`KEY: value`) and list form (`- KEY=value`); numbers and booleans are
//!   written as text. An arg without a value (`- KEY`, `KEY:`) would take its value from the
//!   environment of `docker compose`, which this tool does not emulate: it is an error, so a
//!   missing value never goes unnoticed. `${VAR}` is not interpolated;
//! - `dockerfile_inline` is refused (it would otherwise silently build the context's
//!   `Dockerfile`); other keys (`image`, `cache_from`, `platforms`, …) are ignored.
//! - YAML anchors and merge keys (`<<: *defaults`) are resolved.

use serde_yaml_ng::{Mapping, Value};

/// A compose problem. Every message names the compose file (and the service, when there is one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// Not YAML.
    #[error("{file}: not valid YAML: {reason}")]
    Yaml {
        /// Compose file path (as given).
        file: String,
        /// Parser message.
        reason: String,
    },
    /// The top level has the wrong shape.
    #[error("{file}: {reason}")]
    Invalid {
        /// Compose file path.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A service definition is wrong.
    #[error("{file}: service {service:?}: {reason}")]
    Service {
        /// Compose file path.
        file: String,
        /// Service name.
        service: String,
        /// What is wrong.
        reason: String,
    },
    /// No service has a `build` section.
    #[error("{file}: no services with a 'build' section found")]
    NoBuildServices {
        /// Compose file path.
        file: String,
    },
}

/// The `build` section of one service, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// Context, relative to the compose file's folder.
    pub context: String,
    /// Dockerfile, relative to the context (`None` ⇒ `Dockerfile`).
    pub dockerfile: Option<String>,
    /// Build args, in file order.
    pub args: Vec<(String, String)>,
    /// Target stage.
    pub target: Option<String>,
}

/// One service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Service name.
    pub name: String,
    /// Its build section, if any.
    pub build: Option<BuildSpec>,
}

/// A parsed compose file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeFile {
    /// The file's path as given (used in messages).
    pub file: String,
    /// Every service, in file order.
    pub services: Vec<Service>,
}

/// What to build for one service; paths are relative to the source root (`.` is the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceBuild {
    /// Service name.
    pub name: String,
    /// Build context.
    pub context_rel: String,
    /// Dockerfile.
    pub dockerfile_rel: String,
    /// Build args, in file order.
    pub args: Vec<(String, String)>,
    /// Target stage.
    pub target: Option<String>,
}

/// True for compose service names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
fn valid_service_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parse compose YAML. `file` is the path used in messages.
///
/// ```
/// use migetpacks_core::compose::parse;
/// let c = parse("services:\n  web:\n    build: ./web\n  db:\n    image: postgres:16\n", "compose.yaml").unwrap();
/// assert_eq!(c.services.len(), 2);
/// assert_eq!(c.services[0].build.as_ref().unwrap().context, "./web");
/// assert!(c.services[1].build.is_none());
/// ```
pub fn parse(text: &str, file: &str) -> Result<ComposeFile, ComposeError> {
    let invalid = |reason: &str| ComposeError::Invalid {
        file: file.to_string(),
        reason: reason.to_string(),
    };
    let mut root: Value = serde_yaml_ng::from_str(text).map_err(|e| ComposeError::Yaml {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    root.apply_merge().map_err(|e| ComposeError::Yaml {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    let root = match root {
        Value::Mapping(m) => m,
        Value::Null => {
            return Err(ComposeError::NoBuildServices {
                file: file.to_string(),
            })
        }
        _ => return Err(invalid("top level must be a mapping with a 'services' key")),
    };
    let services = match root.get("services") {
        None | Some(Value::Null) => Mapping::new(),
        Some(Value::Mapping(m)) => m.clone(),
        Some(_) => return Err(invalid("'services' must be a mapping of service names")),
    };
    let mut out = Vec::new();
    for (key, def) in &services {
        let Value::String(name) = key else {
            return Err(invalid(&format!(
                "service names must be strings, found {}",
                scalar_text(key).unwrap_or_else(|| "a non-scalar key".into())
            )));
        };
        let err = |reason: String| ComposeError::Service {
            file: file.to_string(),
            service: name.clone(),
            reason,
        };
        if !valid_service_name(name) {
            return Err(err(
                "name must be letters, digits, '_', '.' and '-', starting with a letter or digit"
                    .into(),
            ));
        }
        let build = match def {
            Value::Null => None,
            Value::Mapping(m) => match m.get("build") {
                None | Some(Value::Null) | Some(Value::Bool(false)) => None,
                Some(b) => Some(parse_build(b).map_err(err)?),
            },
            _ => return Err(err("definition must be a mapping".into())),
        };
        out.push(Service {
            name: name.clone(),
            build,
        });
    }
    Ok(ComposeFile {
        file: file.to_string(),
        services: out,
    })
}

fn opt_str(m: &Mapping, key: &str) -> Result<Option<String>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            if s.chars().any(char::is_control) {
                return Err(format!("build.{key} contains a control character"));
            }
            Ok(Some(s.clone()))
        }
        Some(_) => Err(format!("build.{key} must be a string")),
    }
}

fn parse_build(b: &Value) -> Result<BuildSpec, String> {
    match b {
        Value::String(ctx) => Ok(BuildSpec {
            context: ctx.clone(),
            dockerfile: None,
            args: Vec::new(),
            target: None,
        }),
        Value::Mapping(m) => {
            if m.get("dockerfile_inline").is_some() {
                return Err("build.dockerfile_inline is not supported; put the Dockerfile in a file and name it with build.dockerfile".into());
            }
            Ok(BuildSpec {
                context: opt_str(m, "context")?.unwrap_or_else(|| ".".into()),
                dockerfile: opt_str(m, "dockerfile")?,
                args: match m.get("args") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(a) => parse_args(a)?,
                },
                target: opt_str(m, "target")?,
            })
        }
        _ => Err("build must be a context path or a mapping".into()),
    }
}

fn check_arg(key: &str, value: Option<String>) -> Result<(String, String), String> {
    if key.is_empty()
        || key.contains('=')
        || key.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "build arg name {key:?} must be non-empty, without '=' or whitespace"
        ));
    }
    let Some(value) = value else {
        return Err(format!(
            "build arg {key} has no value; taking values from the environment is not supported, write `{key}=<value>`"
        ));
    };
    if value.contains('\0') {
        return Err(format!("build arg {key} contains a NUL character"));
    }
    Ok((key.to_string(), value))
}

fn parse_args(a: &Value) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    match a {
        Value::Mapping(m) => {
            for (k, v) in m {
                let key = scalar_text(k).ok_or("build.args keys must be strings")?;
                let value = match v {
                    Value::Null => None,
                    other => Some(scalar_text(other).ok_or_else(|| {
                        format!("build arg {key} must be a string, number or boolean")
                    })?),
                };
                out.push(check_arg(&key, value)?);
            }
        }
        Value::Sequence(items) => {
            for item in items {
                let Value::String(s) = item else {
                    return Err("build.args list items must be `KEY=value` strings".into());
                };
                let (k, v) = match s.split_once('=') {
                    Some((k, v)) => (k, Some(v.to_string())),
                    None => (s.as_str(), None),
                };
                out.push(check_arg(k, v)?);
            }
        }
        _ => return Err("build.args must be a mapping or a list of `KEY=value`".into()),
    }
    Ok(out)
}

/// Join `rel` onto the folder `base` (both relative to the source root), resolving `.` and
/// `..` lexically. `Err` when the result leaves the root, or `rel` is absolute or remote.
fn join_inside(base: &str, rel: &str, what: &str) -> Result<String, String> {
    if rel.starts_with('/') {
        return Err(format!(
            "{what} {rel:?} is an absolute path; use a path relative to the compose file"
        ));
    }
    if rel.contains("://") || rel.starts_with("git@") {
        return Err(format!(
            "{what} {rel:?} is a remote location; only local folders are supported"
        ));
    }
    let mut parts: Vec<&str> = Vec::new();
    for comp in base.split('/').chain(rel.split('/')) {
        match comp {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("{what} {rel:?} leaves the source folder"));
                }
            }
            c => parts.push(c),
        }
    }
    Ok(if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    })
}

/// What to build for each service with a `build` section, in file order. `compose_dir_rel`
/// is the compose file's folder relative to the source root (`""` or `.` for the root).
///
/// ```
/// use migetpacks_core::compose::{parse, plan_services};
/// let c = parse("services:\n  api:\n    build:\n      context: ../api\n", "deploy/compose.yaml").unwrap();
/// let plan = plan_services(&c, "deploy").unwrap();
/// assert_eq!(plan[0].context_rel, "api");
/// assert_eq!(plan[0].dockerfile_rel, "api/Dockerfile");
/// ```
pub fn plan_services(
    compose: &ComposeFile,
    compose_dir_rel: &str,
) -> Result<Vec<ServiceBuild>, ComposeError> {
    let mut out = Vec::new();
    for svc in &compose.services {
        let Some(b) = &svc.build else { continue };
        let err = |reason: String| ComposeError::Service {
            file: compose.file.clone(),
            service: svc.name.clone(),
            reason,
        };
        let context_rel = join_inside(compose_dir_rel, &b.context, "build context").map_err(err)?;
        let df = b.dockerfile.as_deref().unwrap_or("Dockerfile");
        let dockerfile_rel = join_inside(&context_rel, df, "dockerfile").map_err(err)?;
        if dockerfile_rel == "." || df.ends_with('/') {
            return Err(err(format!("dockerfile {df:?} names a folder, not a file")));
        }
        out.push(ServiceBuild {
            name: svc.name.clone(),
            context_rel,
            dockerfile_rel,
            args: b.args.clone(),
            target: b.target.clone(),
        });
    }
    if out.is_empty() {
        return Err(ComposeError::NoBuildServices {
            file: compose.file.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
