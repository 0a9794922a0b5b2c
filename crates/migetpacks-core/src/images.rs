//! Base-image references: mirror rewriting.
//!
//! `REGISTRY_MIRROR` rewrites Docker Hub images to a pull-through mirror; `DHI_MIRROR` rewrites
//! `dhi.io/…` images, independently of `REGISTRY_MIRROR` (the original required both).
//! Images that already name a registry (`mcr.microsoft.com/…`, `localhost:5000/…`) are kept.

/// Strip a scheme and trailing slashes: `https://harbor.local/` → `harbor.local`.
fn host(mirror: &str) -> &str {
    let m = mirror
        .strip_prefix("https://")
        .or_else(|| mirror.strip_prefix("http://"))
        .unwrap_or(mirror);
    m.trim_end_matches('/')
}

/// True when the first path component names a registry (has `.` or `:`, or is `localhost`).
pub fn has_registry(image: &str) -> bool {
    match image.split_once('/') {
        Some((first, _)) => first.contains('.') || first.contains(':') || first == "localhost",
        None => false,
    }
}

/// Rewrite a base image through the configured mirrors.
///
/// Without a path, `REGISTRY_MIRROR` uses migetpacks' layout (`<host>/mirror/library/node:22`);
/// a mirror given with a path (`harbor.local/hub`) is used as the prefix itself
/// (`harbor.local/hub/library/node:22`).
///
/// ```
/// use migetpacks_core::images::rewrite;
/// let m = Some("https://harbor.local");
/// assert_eq!(rewrite("node:22", m, None), "harbor.local/mirror/library/node:22");
/// assert_eq!(rewrite("dunglas/frankenphp:php8.3", m, None), "harbor.local/mirror/dunglas/frankenphp:php8.3");
/// assert_eq!(rewrite("mcr.microsoft.com/dotnet/sdk:8.0", m, None), "mcr.microsoft.com/dotnet/sdk:8.0");
/// assert_eq!(rewrite("dhi.io/ruby:3.3-dev", None, Some("http://m.local/dhi-io")), "m.local/dhi-io/ruby:3.3-dev");
/// assert_eq!(rewrite("node:22", Some("harbor.local/hub"), None), "harbor.local/hub/library/node:22");
/// assert_eq!(rewrite("node:22", None, None), "node:22");
/// ```
pub fn rewrite(image: &str, registry_mirror: Option<&str>, dhi_mirror: Option<&str>) -> String {
    if let Some(rest) = image.strip_prefix("dhi.io/") {
        return match dhi_mirror {
            Some(d) => format!("{}/{rest}", host(d)),
            None => image.to_string(),
        };
    }
    let Some(mirror) = registry_mirror else {
        return image.to_string();
    };
    if has_registry(image) {
        return image.to_string();
    }
    let h = host(mirror);
    let prefix = if h.contains('/') {
        h.to_string()
    } else {
        format!("{h}/mirror")
    };
    if image.contains('/') {
        format!("{prefix}/{image}")
    } else {
        format!("{prefix}/library/{image}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_and_fixes() {
        let m = Some("127.0.0.1:5000");
        assert_eq!(
            rewrite("python:3.11", m, None),
            "127.0.0.1:5000/mirror/library/python:3.11"
        );
        assert_eq!(rewrite("localhost:5000/x:1", m, None), "localhost:5000/x:1");
        assert_eq!(rewrite("dhi.io/node:22", m, None), "dhi.io/node:22");
        assert_eq!(
            rewrite("docker/dockerfile:1", m, None),
            "127.0.0.1:5000/mirror/docker/dockerfile:1"
        );
    }
}
