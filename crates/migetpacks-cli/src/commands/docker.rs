//! Finding and checking `docker`, and reading what buildx reports after a build.

use crate::exit::{Failure, NO_BUILDX, NO_DOCKER, NO_ENGINE};
use crate::runner::capture;
use std::path::Path;

/// A checked `docker` with buildx and a reachable builder.
pub struct Docker {
    /// Absolute path of the docker CLI.
    pub program: String,
}

impl Docker {
    /// Find `docker` on PATH, check buildx, and check that the builder answers.
    pub fn find(builder: Option<&str>) -> Result<Docker, Failure> {
        let program = which::which("docker")
            .map_err(|_| {
                Failure::new(
                    NO_DOCKER,
                    "docker not found on PATH: install the docker CLI",
                )
            })?
            .to_string_lossy()
            .into_owned();
        capture(&program, &["buildx", "version"]).map_err(|e| {
            Failure::new(
                NO_BUILDX,
                format!("buildx is required: `docker buildx version` failed: {e}"),
            )
        })?;
        let mut args = vec!["buildx", "inspect"];
        if let Some(b) = builder {
            args.push("--builder");
            args.push(b);
        }
        args.push("--bootstrap");
        capture(&program, &args).map_err(|e| {
            Failure::new(
                NO_ENGINE,
                format!("the build engine did not answer (`docker buildx inspect`): {e}"),
            )
        })?;
        Ok(Docker { program })
    }
}

/// The image digest buildx wrote to its metadata file (`containerimage.digest`).
pub fn digest(metadata: &Path) -> Option<String> {
    let text = std::fs::read_to_string(metadata).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("containerimage.digest")?.as_str().map(str::to_string)
}

/// Exposed ports of a built image, from the registry (pushed) or the engine (loaded).
pub fn exposed_ports(docker: &Docker, image: &str, pushed: bool) -> Vec<String> {
    let out = if pushed {
        capture(
            &docker.program,
            &[
                "buildx",
                "imagetools",
                "inspect",
                image,
                "--format",
                "{{json .Image}}",
            ],
        )
    } else {
        capture(
            &docker.program,
            &["image", "inspect", image, "--format", "{{json .Config}}"],
        )
    };
    let Ok(text) = out else { return Vec::new() };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text.trim()) else {
        return Vec::new();
    };
    // imagetools prints the OCI config (`config.ExposedPorts`); image inspect the Config itself.
    let config = v.get("config").unwrap_or(&v);
    config
        .get("ExposedPorts")
        .and_then(|p| p.as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}
