//! `migetpacks detect`.

use crate::exit::Failure;
use migetpacks_core::pipeline::analyse;
use migetpacks_core::settings::EnvMap;
use serde_json::json;
use std::path::PathBuf;

/// Detect and print the language (display name) or a JSON object.
pub fn run(env: &EnvMap, path: Option<PathBuf>, json: bool) -> Result<String, Failure> {
    let (settings, tree) = super::open(env, path)?;
    let (d, v) = analyse(&settings, &tree)?;
    if !json {
        return Ok(format!("{}\n", d.display_name));
    }
    let obj = json!({
        "language": d.language,
        "display_name": d.display_name,
        "version": v.value,
        "version_source": v.source,
        "package_manager": d.package_manager,
        "additional_buildpacks": d.additional,
        "next_standalone": d.next_standalone,
        "evidence": d.evidence,
        "warnings": d.warnings.iter().chain(v.warnings.iter()).collect::<Vec<_>>(),
    });
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&obj).unwrap_or_default()
    ))
}
