//! One module per subcommand.

pub mod build;
pub mod cache_flags;
pub mod detect;
pub mod docker;
pub mod passthrough;
pub mod plan;

use crate::exit::Failure;
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use std::path::PathBuf;

/// Parse settings and open the effective source folder: PATH argument, else `SOURCE_DIR`,
/// else the current folder; then `PROJECT_PATH` inside it.
pub fn open(env: &EnvMap, path: Option<PathBuf>) -> Result<(Settings, SourceTree), Failure> {
    let mut settings = Settings::from_env(env).map_err(migetpacks_core::Error::from)?;
    // Ignored shell variables (`LANGUAGE=en_US:en`, `DEBUG=express:*`): stderr, one line each,
    // so `detect --json` stays parseable.
    for n in &settings.notes {
        eprintln!("note: {n}");
    }
    let tree = open_source(env, path, &mut settings)?;
    Ok((settings, tree))
}

/// Open the effective source folder and record the source folder in `settings`.
pub fn open_source(
    env: &EnvMap,
    path: Option<PathBuf>,
    settings: &mut Settings,
) -> Result<SourceTree, Failure> {
    settings.source_dir = path
        .or_else(|| {
            migetpacks_core::settings::lookup(env, "SOURCE_DIR")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("."));
    let root = SourceTree::open(&settings.source_dir).map_err(|_| {
        Failure::new(
            crate::exit::SOURCE,
            format!(
                "SOURCE_DIR does not exist: {}",
                settings.source_dir.display()
            ),
        )
    })?;
    migetpacks_core::pipeline::effective_tree(settings, &root).map_err(|_| {
        Failure::new(
            crate::exit::SOURCE,
            format!(
                "PROJECT_PATH does not exist: {}",
                settings
                    .source_dir
                    .join(settings.project_path.as_deref().unwrap_or_default())
                    .display()
            ),
        )
    })
}
