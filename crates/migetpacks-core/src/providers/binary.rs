//! Runtime parts shared by languages that ship a compiled binary (Go, Rust): a slim Debian
//! base with CA certificates, and the folders apps commonly read at run time.

use super::Context;
use crate::plan::{Phase, Step};

/// Runtime base for compiled binaries on official images.
pub const DEBIAN_SLIM: &str = "debian:bookworm-slim";

/// Folders copied next to the binary when they exist: templates, static files and migrations
/// are read from disk at run time by many web apps, while the sources are not needed.
pub const ASSET_DIRS: [&str; 7] = [
    "assets",
    "config",
    "migrations",
    "public",
    "static",
    "templates",
    "views",
];

/// `debian:bookworm-slim` has no CA bundle: without it every outgoing TLS connection fails.
pub fn ca_certificates() -> Step {
    // Copied from the builder (the official toolchain images carry the bundle): no package
    // install, no network access, and the layer is cached like any other copy.
    Step::copy_from(
        Phase::Runtime,
        "builder",
        ["/etc/ssl/certs/ca-certificates.crt"],
        "/etc/ssl/certs/ca-certificates.crt",
    )
    .why("CA certificates for outgoing TLS (the slim base has none)")
}

/// One `COPY` per existing asset folder, straight from the build context (a folder's own
/// `COPY` keeps its name; several sources in one `COPY` would merge their contents).
pub fn asset_dirs(cx: &Context) -> Vec<Step> {
    let owner = cx.owner();
    let dirs: Vec<&str> = ASSET_DIRS
        .iter()
        .copied()
        .filter(|d| cx.tree.is_dir(d))
        .collect();
    dirs.iter()
        .enumerate()
        .map(|(i, d)| {
            let step = Step::copy(Phase::Source, [*d], &format!("/app/{d}")).chown(&owner);
            if i == 0 {
                step.why("Folders the app reads at run time, from the build context")
            } else {
                step
            }
        })
        .collect()
}
