//! `migetpacks plan` and `migetpacks dockerfile`.

use crate::exit::Failure;
use migetpacks_core::pipeline::generate;
use migetpacks_core::settings::EnvMap;
use std::path::PathBuf;

/// Print the plan: a summary, or JSON with the rendered Dockerfile.
pub fn run_plan(env: &EnvMap, path: Option<PathBuf>, json: bool) -> Result<String, Failure> {
    let (settings, tree) = super::open(env, path)?;
    let g = generate(&settings, &tree)?;
    if json {
        let mut v = serde_json::to_value(&g.plan)
            .map_err(|e| Failure::new(crate::exit::BUILD, format!("plan: {e}")))?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("dockerfile".into(), g.dockerfile.into());
        }
        return Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ));
    }
    let p = &g.plan;
    let mut out = String::new();
    out.push_str(&format!(
        "Language:       {} {} ({})\n",
        p.display_name, p.version, p.version_source
    ));
    if let Some(pm) = &p.package_manager {
        out.push_str(&format!("Package manager: {pm}\n"));
    }
    out.push_str(&format!("Build image:    {}\n", p.build_image));
    out.push_str(&format!("Runtime image:  {}\n", p.runtime_image));
    out.push_str(&format!("Start command:  {}\n", p.start_command.command));
    for m in &p.cache_mounts {
        out.push_str(&format!("Cache mount:    {} -> {}\n", m.id, m.target));
    }
    for w in &p.warnings {
        out.push_str(&format!("Warning:        {w}\n"));
    }
    Ok(out)
}

/// Print or write the Dockerfile.
pub fn run_dockerfile(
    env: &EnvMap,
    path: Option<PathBuf>,
    output: Option<PathBuf>,
) -> Result<String, Failure> {
    let (settings, tree) = super::open(env, path)?;
    let g = generate(&settings, &tree)?;
    match output {
        None => Ok(g.dockerfile),
        Some(file) => {
            std::fs::write(&file, &g.dockerfile).map_err(|e| {
                Failure::new(crate::exit::USAGE, format!("{}: {e}", file.display()))
            })?;
            Ok(String::new())
        }
    }
}
