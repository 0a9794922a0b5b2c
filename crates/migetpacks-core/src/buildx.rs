//! The `docker buildx build` command line, as data.
//!
//! ```text
//! docker buildx build --progress=plain --platform <p> [--builder <b>] <cache args>
//!   [--build-arg KEY]... [--secret id=NAME,env=NAME]... -f <dockerfile> -t <tag>...
//!   (--push | --load) --metadata-file <file> [--network=host] [--target <stage>] <context>
//! ```
//!
//! The operator's build args (`BUILD_VARS`, secret by definition) never appear in argv
//! (visible in `ps`, docs/security.md): each is passed as `--build-arg KEY` and its value goes into the child's
//! environment ([`BuildCommand::env`]); buildx reads the value of a name-only `--build-arg`
//! from its environment. Because of that, such an arg may not be named like a variable docker
//! itself reads (`DOCKER_HOST`, `PATH`, …) or like a BuildKit secret.
//!
//! The repository's build args (compose `build.args`) are the opposite: not secret (they are
//! in the repository) and never trusted. They go into argv as `--build-arg KEY=VALUE` and never
//! into the environment, so a repository cannot set `ACTIONS_CACHE_URL`, `HTTPS_PROXY` or
//! `DOCKER_HOST` for the docker client. The child's environment itself is built on purpose
//! ([`docker_env`]): what docker, buildx, the builder and the cache backend need, nothing else.

use crate::imageref::ImageRef;
use std::path::{Path, PathBuf};

/// A program and its arguments, plus variables to add to its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildCommand {
    /// Program to run (`docker`).
    pub program: String,
    /// Arguments, one element each (never joined into a shell string).
    pub args: Vec<String>,
    /// Variables to set for the child (build-arg values). Never log these.
    pub env: Vec<(String, String)>,
}

/// Everything that shapes one buildx invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildxInput {
    /// `--platform` value (`linux/amd64`).
    pub platform: String,
    /// `--builder` (`BUILDX_BUILDER`).
    pub builder: Option<String>,
    /// Cache flags, already split into argv elements.
    pub cache_args: Vec<String>,
    /// Build args (`BUILD_VARS` or compose `args`), in order; a repeated name keeps its first
    /// position and its last value.
    pub build_args: Vec<(String, String)>,
    /// The repository's build args (compose `build.args`): `--build-arg KEY=VALUE` in argv,
    /// never in the environment.
    pub repo_args: Vec<(String, String)>,
    /// BuildKit secret ids (`BUILD_SECRETS`); each is read from the variable of the same name.
    pub secrets: Vec<String>,
    /// Dockerfile to build.
    pub dockerfile: PathBuf,
    /// Image tags, in order (at least one).
    pub tags: Vec<String>,
    /// `--push` when true, `--load` when false.
    pub push: bool,
    /// Where buildx writes its metadata (image digest).
    pub metadata_file: PathBuf,
    /// `--network=host` for RUN steps.
    pub network_host: bool,
    /// Build context folder.
    pub context: PathBuf,
    /// `--target` stage.
    pub target: Option<String>,
}

/// An input that cannot be turned into a safe command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildxError {
    /// No tag to build.
    #[error("OUTPUT_IMAGE: no image tag to build")]
    NoTags,
    /// A path that is not UTF-8 cannot be passed without corrupting it.
    #[error("{what} path is not valid UTF-8: {path}")]
    NonUtf8Path {
        /// Which path (`Dockerfile`, `build context`, `metadata file`).
        what: &'static str,
        /// Lossy rendering of the path.
        path: String,
    },
    /// A build-arg name that cannot be passed through the environment.
    #[error("build arg {name:?} (BUILD_VARS or compose args): {reason}")]
    BuildArg {
        /// The name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A secret id that is not a variable name.
    #[error("BUILD_SECRETS: {0:?} is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)")]
    SecretName(String),
}

/// True when the docker CLI, buildx or the process loader reads a variable of this name, so
/// setting it for the child would change how docker itself behaves.
fn docker_reads(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "PATH",
        "HOME",
        "USER",
        "TMPDIR",
        "SHELL",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "GODEBUG",
        "GOGC",
        "GOMAXPROCS",
        "GOMEMLIMIT",
        "GOTRACEBACK",
        "BUILDKIT_PROGRESS",
        "BUILDKIT_COLORS",
        "BUILDKIT_TTY_LOG_LINES",
    ];
    const PREFIXES: &[&str] = &["DOCKER_", "BUILDX_", "XDG_", "LD_", "OTEL_"];
    EXACT.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Longest single argv element Linux accepts (`MAX_ARG_STRLEN`, 32 pages).
pub const MAX_ARG_LEN: usize = 128 * 1024 - 1;

/// Variables of the operator's environment the docker client, buildx and the builder read.
const DOCKER_ENV: [&str; 24] = [
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "TZ",
    "TMPDIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "DOCKER_CONTEXT",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
    "DOCKER_TLS",
    "DOCKER_API_VERSION",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
];

/// Prefixes of operator variables the docker client and buildx read (`BUILDX_CONFIG`,
/// `BUILDX_BUILDER`, `XDG_RUNTIME_DIR`, `LC_ALL`).
const DOCKER_ENV_PREFIXES: [&str; 3] = ["BUILDX_", "XDG_", "LC_"];

/// The whole environment of the `docker` child, built on purpose from the operator's
/// environment: what docker and buildx read ([`DOCKER_ENV`], `BUILDX_*`, `XDG_*`, `LC_*`,
/// proxies), the variables of the cache backend in use ([`crate::cache::cache_env`]:
/// `AWS_*` for s3, `ACTIONS_*` for gha, only when that backend is configured) and the
/// `BUILD_SECRETS` values buildx reads (`--secret id=X,env=X`). Settings that carry secrets
/// (`BUILD_VARS`) and every other credential stay out. Add [`BuildCommand::env`] (the
/// `BUILD_VARS` values) for a build.
///
/// ```
/// use migetpacks_core::buildx::docker_env;
/// use migetpacks_core::cache::CacheSettings;
/// use migetpacks_core::settings::EnvMap;
/// let mut env = EnvMap::new();
/// for (k, v) in [("PATH", "/usr/bin"), ("DOCKER_HOST", "unix:///run/docker.sock"),
///     ("BUILD_VARS", r#"{"A":"s3cr3t"}"#), ("GITHUB_TOKEN", "ghp_x"), ("ACTIONS_RUNTIME_TOKEN", "t")] {
///     env.insert(k.into(), v.into());
/// }
/// let child = docker_env(&env, &CacheSettings::from_env(&env).unwrap(), &[]);
/// let names: Vec<&str> = child.iter().map(|(k, _)| k.as_str()).collect();
/// assert_eq!(names, ["DOCKER_HOST", "PATH"]);
/// ```
pub fn docker_env(
    operator: &crate::settings::EnvMap,
    cache: &crate::cache::CacheSettings,
    secrets: &[String],
) -> Vec<(String, String)> {
    let backend = crate::cache::cache_env(cache);
    operator
        .iter()
        .filter(|(k, _)| {
            DOCKER_ENV.contains(&k.as_str())
                || DOCKER_ENV_PREFIXES.iter().any(|p| k.starts_with(p))
                || backend.contains(&k.as_str())
                || secrets.contains(k)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn utf8(what: &'static str, p: &Path) -> Result<String, BuildxError> {
    p.to_str()
        .map(str::to_string)
        .ok_or_else(|| BuildxError::NonUtf8Path {
            what,
            path: p.to_string_lossy().into_owned(),
        })
}

/// Compose the buildx command.
///
/// ```
/// use migetpacks_core::buildx::{buildx_command, BuildxInput};
/// let cmd = buildx_command(&BuildxInput {
///     platform: "linux/amd64".into(),
///     builder: None,
///     cache_args: vec![],
///     build_args: vec![("API_KEY".into(), "s3cr3t".into())],
///     repo_args: vec![("DOCKER_HOST".into(), "tcp://evil:2375".into())],
///     secrets: vec![],
///     dockerfile: "/tmp/b/Dockerfile".into(),
///     tags: vec!["app:local".into()],
///     push: false,
///     metadata_file: "/tmp/b/meta.json".into(),
///     network_host: true,
///     context: "/src".into(),
///     target: None,
/// }).unwrap();
/// assert!(cmd.args.contains(&"API_KEY".to_string()));
/// assert!(!cmd.args.iter().any(|a| a.contains("s3cr3t")));
/// assert_eq!(cmd.env, [("API_KEY".to_string(), "s3cr3t".to_string())]);
/// assert!(cmd.args.contains(&"DOCKER_HOST=tcp://evil:2375".to_string()));
/// ```
pub fn buildx_command(inp: &BuildxInput) -> Result<BuildCommand, BuildxError> {
    if inp.tags.is_empty() {
        return Err(BuildxError::NoTags);
    }
    for s in &inp.secrets {
        if !crate::settings::is_valid_name(s) {
            return Err(BuildxError::SecretName(s.clone()));
        }
    }
    let mut env: Vec<(String, String)> = Vec::new();
    for (name, value) in &inp.build_args {
        let bad = |reason: &str| BuildxError::BuildArg {
            name: name.clone(),
            reason: reason.to_string(),
        };
        check_build_arg(name, value).map_err(bad)?;
        if docker_reads(name) {
            return Err(bad(
                "docker reads a variable of this name itself, and build-arg values are passed through the environment; rename the arg",
            ));
        }
        if inp.secrets.iter().any(|s| s == name) {
            return Err(bad(
                "a BUILD_SECRETS secret has the same name; rename one of them",
            ));
        }
        match env.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.clone(),
            None => env.push((name.clone(), value.clone())),
        }
    }

    let mut repo_args: Vec<(String, String)> = Vec::new();
    for (name, value) in &inp.repo_args {
        let bad = |reason: &str| BuildxError::BuildArg {
            name: name.clone(),
            reason: reason.to_string(),
        };
        check_build_arg(name, value).map_err(bad)?;
        if name.len() + value.len() + 1 > MAX_ARG_LEN {
            return Err(bad(&format!(
                "the value is longer than {MAX_ARG_LEN} bytes, the most one command-line argument can hold"
            )));
        }
        match repo_args.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.clone(),
            None => repo_args.push((name.clone(), value.clone())),
        }
    }

    let mut args: Vec<String> = vec![
        "buildx".into(),
        "build".into(),
        "--progress=plain".into(),
        "--platform".into(),
        inp.platform.clone(),
    ];
    if let Some(b) = &inp.builder {
        args.extend(["--builder".into(), b.clone()]);
    }
    args.extend(inp.cache_args.iter().cloned());
    for (name, _) in &env {
        args.extend(["--build-arg".into(), name.clone()]);
    }
    for (name, value) in &repo_args {
        if env.iter().any(|(k, _)| k == name) {
            // BUILD_VARS (the operator's) wins over the repository's value.
            continue;
        }
        args.extend(["--build-arg".into(), format!("{name}={value}")]);
    }
    for s in &inp.secrets {
        args.extend(["--secret".into(), format!("id={s},env={s}")]);
    }
    args.extend(["-f".into(), utf8("Dockerfile", &inp.dockerfile)?]);
    for t in &inp.tags {
        args.extend(["-t".into(), t.clone()]);
    }
    args.push(if inp.push { "--push" } else { "--load" }.into());
    args.extend([
        "--metadata-file".into(),
        utf8("metadata file", &inp.metadata_file)?,
    ]);
    if inp.network_host {
        args.push("--network=host".into());
    }
    if let Some(t) = &inp.target {
        args.extend(["--target".into(), t.clone()]);
    }
    let context = utf8("build context", &inp.context)?;
    // A context starting with '-' would be read as a flag.
    args.push(if context.starts_with('-') {
        format!("./{context}")
    } else {
        context
    });
    Ok(BuildCommand {
        program: "docker".into(),
        args,
        env,
    })
}

/// `--push` or `--load`: `PUSH_IMAGE` when set, else load only for a `:local` tag.
pub fn should_push(push_image: Option<bool>, image: &ImageRef) -> bool {
    push_image.unwrap_or(!image.is_local())
}

/// The tags for an image: the image itself, plus its `:latest` alias when `tag_latest` is set
/// and the alias differs.
pub fn tags_for(image: &ImageRef, tag_latest: bool) -> Vec<String> {
    let mut tags = vec![image.to_string()];
    if tag_latest {
        if let Some(l) = image.latest() {
            tags.push(l.to_string());
        }
    }
    tags
}

/// Why a build arg's name or value cannot be passed to buildx (shared by operator and
/// repository args).
fn check_build_arg(name: &str, value: &str) -> Result<(), &'static str> {
    if name.is_empty()
        || name.contains('=')
        || name.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("a name must be non-empty, without '=', whitespace or control characters");
    }
    if value.contains('\0') {
        return Err("the value contains a NUL character");
    }
    Ok(())
}

#[cfg(test)]
mod tests;
