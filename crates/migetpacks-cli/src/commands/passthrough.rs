//! Dockerfile and compose modes: build the user's own files as they are.

use super::build::{command, context_dir, execute_build, Built, Run};
use super::docker::exposed_ports;
use crate::exit::Failure;
use migetpacks_core::buildx::{should_push, tags_for};
use migetpacks_core::compose;
use migetpacks_core::detect::Detection;
use migetpacks_core::procfile::Processes;
use migetpacks_core::result::ImageResult;

/// Build the user's Dockerfile in place (`-f <absolute path>`), so its own
/// `<name>.dockerignore` and the context's `.dockerignore` keep working.
pub(super) fn dockerfile(run: &Run, detection: &Detection) -> Result<Built, Failure> {
    let rel = detection
        .dockerfile
        .clone()
        .unwrap_or_else(|| "Dockerfile".into());
    let context = context_dir(&run.tree)?;
    let file = context.join(&rel);
    run.ui.info(&format!("Using: {rel}"));
    let tags = tags_for(&run.output, run.settings.tag_latest);
    let cmd = command(
        run,
        &run.settings.cache,
        run.settings.build_vars.clone(),
        Vec::new(),
        &file,
        tags,
        &context,
        None,
        "metadata.json",
    )?;
    let digest = execute_build(run, &cmd, "metadata.json")?;
    let ports = match &run.docker {
        Some(d) => exposed_ports(
            d,
            &run.output.to_string(),
            should_push(run.settings.push_image, &run.output),
        ),
        None => Vec::new(),
    };
    Ok(Built {
        images: vec![ImageResult::new(
            &run.output,
            ports,
            digest,
            run.settings.port,
        )],
        processes: Processes::default(),
        failed: Vec::new(),
        failed_status: 0,
    })
}

/// Build every service of a compose file that has a `build` section, one after another.
pub(super) fn compose(run: &Run, detection: &Detection) -> Result<Built, Failure> {
    let rel = detection
        .compose_file
        .clone()
        .ok_or_else(|| Failure::new(crate::exit::SOURCE, "No compose file found"))?;
    let text = run
        .tree
        .read(&rel)
        .map_err(|e| Failure::new(crate::exit::SOURCE, e.to_string()))?
        .ok_or_else(|| {
            Failure::new(
                crate::exit::SOURCE,
                format!("COMPOSE_FILE not found: {rel}"),
            )
        })?;
    let file = compose::parse(&text, &rel)
        .map_err(|e| Failure::new(crate::exit::SOURCE, e.to_string()))?;
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let services = compose::resolve_services(&file, dir, &run.tree)
        .map_err(|e| Failure::new(crate::exit::SOURCE, e.to_string()))?;
    run.ui.info(&format!("Using: {rel}"));
    run.ui.info(&format!(
        "Found {} service(s) with build configuration",
        services.len()
    ));
    let root = context_dir(&run.tree)?;
    let mut images = Vec::new();
    let mut failed = Vec::new();
    let mut failed_status = 0;
    for svc in services {
        run.ui.header(&format!("Building service: {}", svc.name));
        let image = run
            .output
            .with_service(&svc.name)
            .map_err(|e| Failure::usage(format!("OUTPUT_IMAGE: {e}")))?;
        run.ui.info(&format!("Context:    {}", svc.context_rel));
        run.ui.info(&format!("Dockerfile: {}", svc.dockerfile_rel));
        run.ui.info(&format!("Image:      {image}"));
        let metadata = format!("metadata-{}.json", svc.name);
        let cmd = command(
            run,
            &run.settings.cache.for_service(&svc.name),
            Vec::new(),
            svc.args.clone(),
            &root.join(&svc.dockerfile_rel),
            tags_for(&image, run.settings.tag_latest),
            &root.join(&svc.context_rel),
            svc.target.clone(),
            &metadata,
        )?;
        match execute_build(run, &cmd, &metadata) {
            Ok(digest) => {
                let ports = match &run.docker {
                    Some(d) => exposed_ports(
                        d,
                        &image.to_string(),
                        should_push(run.settings.push_image, &run.output),
                    ),
                    None => Vec::new(),
                };
                if run.docker.is_some() {
                    run.ui.success(&format!("Built {image}"));
                }
                images.push(ImageResult::new(&image, ports, digest, run.settings.port));
            }
            Err(f) => {
                run.ui.error(&format!(
                    "Failed to build {}: {}",
                    svc.name,
                    f.message.lines().next().unwrap_or_default()
                ));
                failed_status = f.docker_status.unwrap_or(f.code);
                failed.push(svc.name.clone());
            }
        }
    }
    Ok(Built {
        images,
        processes: Processes::default(),
        failed,
        failed_status,
    })
}
