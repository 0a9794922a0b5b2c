//! The result file (`RESULT_FILE`).
//!
//! Same keys and order as migetpacks, with these fixes (docs/differences.md):
//! - `exit_code` is the real exit status of the failed step (never `0` for a failure);
//! - optional sections (`error`, `env`, `formation`, `scripts`, `addons`, `custom`, `digest`)
//!   are omitted when empty, instead of `"formation": {}` appearing only without an app.json;
//!   `images` (array) and `processes` (object) are always present;
//! - `ports` lists the app port (`5000/tcp` by default) first, then the rest in port order;
//! - `language` is always the normalised id (`nodejs`, `dotnet`, `compose`) or `unknown`;
//! - hardened (DHI) builds carry `_dhi: true` and `_shell` at the top level, and also inside
//!   `processes` when there are processes (where migetpacks put them);
//! - the failure `error` is masked;
//! - each image may carry the pushed manifest `digest`.
//!
//! The core does not read the clock: the finish time is an input (Unix seconds).

use crate::appjson::{Addon, AppJson, Formation, Script};
use crate::imageref::ImageRef;
use crate::language::Language;
use crate::mask::Masker;
use crate::procfile::Processes;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Outcome of a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every image was built.
    Success,
    /// The build (or some compose service) failed.
    Failed,
}

/// One built image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ImageResult {
    /// Full reference as tagged.
    pub name: String,
    /// Registry host (`docker.io` for Docker Hub names).
    pub registry: String,
    /// Repository path.
    pub repository: String,
    /// Tag (`latest` when the reference has none).
    pub tag: String,
    /// Exposed ports (`5000/tcp`), the app port first.
    pub ports: Vec<String>,
    /// Manifest digest (`sha256:…`) from buildx's metadata file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub digest: Option<String>,
}

impl ImageResult {
    /// Describe an image. `ports` come from the image config; `app_port` is listed first.
    ///
    /// ```
    /// use migetpacks_core::{imageref::ImageRef, result::ImageResult};
    /// let r = ImageRef::parse("app:local").unwrap();
    /// let i = ImageResult::new(&r, vec!["80/tcp".into(), "5000/tcp".into()], None, 5000);
    /// assert_eq!((i.registry.as_str(), i.repository.as_str(), i.tag.as_str()), ("docker.io", "app", "local"));
    /// assert_eq!(i.ports, ["5000/tcp", "80/tcp"]);
    /// ```
    pub fn new(
        image: &ImageRef,
        ports: Vec<String>,
        digest: Option<String>,
        app_port: u16,
    ) -> ImageResult {
        ImageResult {
            name: image.to_string(),
            registry: image.registry_for_display().to_string(),
            repository: image.repository.clone(),
            tag: image.tag_for_display().to_string(),
            ports: order_ports(ports, app_port),
            digest,
        }
    }
}

/// `<app_port>/tcp` first, then the others by port number and protocol; duplicates removed.
pub fn order_ports(mut ports: Vec<String>, app_port: u16) -> Vec<String> {
    let first = format!("{app_port}/tcp");
    let key = |p: &String| {
        let (num, proto) = p.split_once('/').unwrap_or((p.as_str(), ""));
        (
            *p != first,
            num.parse::<u32>().unwrap_or(u32::MAX),
            proto.to_string(),
            p.clone(),
        )
    };
    ports.sort_by_key(key);
    ports.dedup();
    ports
}

/// Marks a build on Docker Hardened Images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hardened {
    /// Whether the runtime image has a shell (DHI runtimes do not, so commands are exec form).
    pub shell: bool,
}

/// `processes` as written: the Procfile processes plus the DHI markers (compatibility).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ResultProcesses {
    /// Web, release and worker processes.
    #[serde(flatten)]
    pub processes: Processes,
    /// `true` for hardened builds with processes.
    #[serde(rename = "_dhi", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub dhi: Option<bool>,
    /// Whether the hardened runtime has a shell.
    #[serde(rename = "_shell", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub shell: Option<bool>,
}

/// The app.json sections of the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppSections {
    /// `env` values (`None` ⇒ `null`), generated secrets filled in.
    pub env: BTreeMap<String, Option<String>>,
    /// `formation`.
    pub formation: Vec<Formation>,
    /// `scripts`.
    pub scripts: Vec<Script>,
    /// `addons`.
    pub addons: Vec<Addon>,
}

impl AppSections {
    /// Sections of a parsed app.json, with the values from
    /// [`generate_secrets`](crate::appjson::generate_secrets).
    pub fn from_app(app: &AppJson, generated: &BTreeMap<String, String>) -> AppSections {
        AppSections {
            env: app.result_env(generated),
            formation: app.formation.clone(),
            scripts: app.scripts.clone(),
            addons: app.addons.clone(),
        }
    }
}

/// Inputs shared by every kind of result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultContext {
    /// Whole seconds since the build started.
    pub build_time_secs: u64,
    /// When the result was written (Unix seconds, UTC).
    pub finished_at: u64,
    /// app.json sections (empty without an app.json).
    pub app: AppSections,
    /// `CUSTOM_DATA`, already parsed.
    pub custom: Option<Value>,
    /// Set for hardened (DHI) builds.
    pub hardened: Option<Hardened>,
}

/// The result file.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BuildResult {
    /// `success` or `failed`.
    pub status: Status,
    /// `0` on success, else the exit status of the failed step.
    pub exit_code: i32,
    /// Built images (only successful ones).
    pub images: Vec<ImageResult>,
    /// Processes from the Procfile (after command translation); `{}` when none.
    pub processes: ResultProcesses,
    /// Whole seconds the build took.
    pub build_time: u64,
    /// Normalised language id, or `unknown` when detection had not finished.
    pub language: String,
    /// UTC finish time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// `true` for hardened (DHI) builds.
    #[serde(rename = "_dhi", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub dhi: Option<bool>,
    /// For hardened builds: whether the runtime image has a shell.
    #[serde(rename = "_shell", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "bool")]
    pub shell: Option<bool>,
    /// Failure message (secrets masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub error: Option<String>,
    /// app.json `env` values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, Option<String>>,
    /// app.json `formation`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub formation: Vec<Formation>,
    /// app.json `scripts`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<Script>,
    /// app.json `addons`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addons: Vec<Addon>,
    /// `CUSTOM_DATA`, passed through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<Value>,
}

impl BuildResult {
    fn base(
        status: Status,
        exit_code: i32,
        language: Option<Language>,
        images: Vec<ImageResult>,
        processes: Processes,
        ctx: ResultContext,
    ) -> BuildResult {
        let hardened = ctx.hardened;
        let in_processes = hardened.filter(|_| !processes.is_empty());
        BuildResult {
            status,
            exit_code,
            images,
            processes: ResultProcesses {
                processes,
                dhi: in_processes.map(|_| true),
                shell: in_processes.map(|h| h.shell),
            },
            build_time: ctx.build_time_secs,
            language: language.map_or("unknown", Language::id).to_string(),
            timestamp: format_timestamp(ctx.finished_at),
            dhi: hardened.map(|_| true),
            shell: hardened.map(|h| h.shell),
            error: None,
            env: ctx.app.env,
            formation: ctx.app.formation,
            scripts: ctx.app.scripts,
            addons: ctx.app.addons,
            custom: ctx.custom,
        }
    }

    /// A successful build.
    pub fn success(
        language: Language,
        images: Vec<ImageResult>,
        processes: Processes,
        ctx: ResultContext,
    ) -> BuildResult {
        BuildResult::base(Status::Success, 0, Some(language), images, processes, ctx)
    }

    /// A failed build. `language` is `None` when the failure came before detection finished.
    /// The message is masked; an `exit_code` of `0` becomes `1` (a failure never reports 0).
    pub fn failure(
        language: Option<Language>,
        error: &str,
        exit_code: i32,
        masker: &Masker,
        ctx: ResultContext,
    ) -> BuildResult {
        let code = if exit_code == 0 { 1 } else { exit_code };
        let mut r = BuildResult::base(
            Status::Failed,
            code,
            language,
            Vec::new(),
            Processes::default(),
            ctx,
        );
        r.error = Some(masker.mask(error));
        r
    }

    /// A compose build: `images` are the services that built; `failed` names the services
    /// that did not (then the result is `failed` with `exit_code`, at least 1).
    pub fn compose(
        images: Vec<ImageResult>,
        failed: &[String],
        exit_code: i32,
        ctx: ResultContext,
    ) -> BuildResult {
        if failed.is_empty() {
            return BuildResult::success(Language::Compose, images, Processes::default(), ctx);
        }
        let code = if exit_code == 0 { 1 } else { exit_code };
        let mut r = BuildResult::base(
            Status::Failed,
            code,
            Some(Language::Compose),
            images,
            Processes::default(),
            ctx,
        );
        r.error = Some(format!(
            "{} service(s) failed to build: {}",
            failed.len(),
            failed.join(", ")
        ));
        r
    }

    /// Pretty JSON (2-space indent) with a trailing newline, as written to `RESULT_FILE`.
    pub fn to_pretty_json(&self) -> serde_json::Result<String> {
        let mut s = serde_json::to_string_pretty(self)?;
        s.push('\n');
        Ok(s)
    }

    /// [`BuildResult::to_pretty_json`] with every string (keys and values) masked. Masking the
    /// JSON text instead could cut an escape sequence or a number apart (a secret `"1234"`
    /// inside `"exit_code": 12345`) and leave a file that is not JSON, or miss a secret whose
    /// JSON form is escaped (`a"b` is written `a\"b`).
    pub fn to_masked_json(&self, masker: &crate::mask::Masker) -> serde_json::Result<String> {
        fn walk(v: Value, m: &crate::mask::Masker) -> Value {
            match v {
                Value::String(s) => Value::String(m.mask(&s)),
                Value::Array(a) => Value::Array(a.into_iter().map(|x| walk(x, m)).collect()),
                Value::Object(o) => Value::Object(
                    o.into_iter()
                        .map(|(k, x)| (m.mask(&k), walk(x, m)))
                        .collect(),
                ),
                other => other,
            }
        }
        let v = walk(serde_json::to_value(self)?, masker);
        let mut s = serde_json::to_string_pretty(&v)?;
        s.push('\n');
        Ok(s)
    }
}

/// JSON Schema (draft 2020-12) of the result file, as serialized.
pub fn result_schema() -> Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<BuildResult>()
        .to_value()
}

/// Format Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
///
/// ```
/// use migetpacks_core::result::format_timestamp;
/// assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
/// assert_eq!(format_timestamp(1_795_758_334), "2026-11-27T05:45:34Z");
/// ```
pub fn format_timestamp(unix: u64) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    // Civil-from-days (H. Hinnant), shifted so the era starts on 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests;
