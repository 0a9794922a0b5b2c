//! `migetpacks detect`.

use crate::exit::Failure;
use migetpacks_core::detect::PackageManager;
use migetpacks_core::language::Language;
use migetpacks_core::pipeline::analyse;
use migetpacks_core::settings::EnvMap;
use serde::Serialize;
use std::path::PathBuf;

/// What `migetpacks detect --json` prints, in this key order.
#[derive(Serialize)]
struct Report<'a> {
    language: Language,
    display_name: &'a str,
    version: &'a str,
    version_source: &'a str,
    package_manager: Option<PackageManager>,
    additional_buildpacks: &'a [Language],
    next_standalone: bool,
    evidence: &'a [String],
    warnings: Vec<&'a String>,
}

/// Detect and print the language (display name) or a JSON object.
pub fn run(env: &EnvMap, path: Option<PathBuf>, json: bool) -> Result<String, Failure> {
    let (settings, tree) = super::open(env, path)?;
    let (d, v) = analyse(&settings, &tree)?;
    if !json {
        return Ok(format!("{}\n", d.display_name));
    }
    let report = Report {
        language: d.language,
        display_name: &d.display_name,
        version: &v.value,
        version_source: &v.source,
        package_manager: d.package_manager,
        additional_buildpacks: &d.additional,
        next_standalone: d.next_standalone,
        evidence: &d.evidence,
        warnings: d.warnings.iter().chain(v.warnings.iter()).collect(),
    };
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&report).unwrap_or_default()
    ))
}
