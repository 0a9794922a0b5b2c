//! What the Rust provider reads from one Cargo manifest: the package name and its targets
//! (for the dependency pre-build with placeholder sources, and the binaries to ship).

use crate::providers::{Context, PlanError};
use toml::{Table, Value};

/// A target (library or binary) of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Target name.
    pub name: String,
    /// Source file, relative to the source folder.
    pub path: String,
}

/// One package manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `Cargo.toml` path relative to the source folder.
    pub manifest: String,
    /// `[package] name` (`None` for a virtual workspace root).
    pub name: Option<String>,
    /// The library target, if any.
    pub lib: Option<Target>,
    /// Binary targets: declared `[[bin]]`, `src/main.rs`, `src/bin/*`.
    pub bins: Vec<Target>,
    /// Files cargo requires to exist when it loads the manifest: declared benches, tests,
    /// examples and an explicit build script.
    pub required: Vec<String>,
}

/// A manifest error naming the file.
pub(super) fn bad(path: &str, reason: impl Into<String>) -> PlanError {
    PlanError::Manifest {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Join a package folder and a relative path (`..` allowed, as in `path = "../core"`),
/// refusing paths that leave the source folder.
pub(super) fn join(manifest: &str, dir: &str, rel: &str) -> Result<String, PlanError> {
    let escape = || bad(manifest, format!("path {rel:?} leaves the source folder"));
    if rel.starts_with('/') {
        return Err(escape());
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(escape)?;
            }
            _ => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Cargo names are `[A-Za-z0-9_-]`; they end up in shell commands, so anything else is refused.
fn checked_name(manifest: &str, name: &str) -> Result<String, PlanError> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Ok(name.to_string())
    } else {
        Err(bad(
            manifest,
            format!("invalid target or package name {name:?}"),
        ))
    }
}

fn parse_table(cx: &Context, manifest: &str) -> Result<Table, PlanError> {
    let text = cx.read(manifest)?.ok_or_else(|| bad(manifest, "missing"))?;
    text.parse::<Table>()
        .map_err(|e| bad(manifest, e.message().trim().replace('\n', ": ")))
}

/// Targets of one `[[bin]]`-style array: name and path (declared, or cargo's default), and
/// whether the path was declared.
fn declared(
    cx: &Context,
    manifest: &str,
    dir: &str,
    t: &Table,
    key: &str,
    default_dir: &str,
) -> Result<Vec<(Target, bool)>, PlanError> {
    let mut out = Vec::new();
    for entry in t.get(key).and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = entry.get("name").and_then(Value::as_str) else {
            return Err(bad(manifest, format!("a [[{key}]] entry has no name")));
        };
        let name = checked_name(manifest, name)?;
        let explicit = entry.get("path").and_then(Value::as_str);
        let path = match explicit {
            Some(p) => join(manifest, dir, p)?,
            None => {
                let nested = join(manifest, dir, &format!("{default_dir}/{name}/main.rs"))?;
                if cx.has(&nested) {
                    nested
                } else {
                    join(manifest, dir, &format!("{default_dir}/{name}.rs"))?
                }
            }
        };
        out.push((Target { name, path }, explicit.is_some()));
    }
    Ok(out)
}

/// Read one package manifest.
pub fn package(cx: &Context, manifest: &str) -> Result<(Package, Table), PlanError> {
    let t = parse_table(cx, manifest)?;
    let dir = manifest.rsplit_once('/').map_or("", |(d, _)| d);
    let pkg = t.get("package").and_then(Value::as_table);
    let name = match pkg.and_then(|p| p.get("name")) {
        Some(Value::String(n)) => Some(checked_name(manifest, n)?),
        Some(_) => return Err(bad(manifest, "[package] name must be a string")),
        None => None,
    };
    let mut p = Package {
        manifest: manifest.to_string(),
        name: name.clone(),
        lib: None,
        bins: Vec::new(),
        required: Vec::new(),
    };
    let Some(name) = name else {
        return Ok((p, t));
    };
    let lib_table = t.get("lib").and_then(Value::as_table);
    let lib_path = match lib_table
        .and_then(|l| l.get("path"))
        .and_then(Value::as_str)
    {
        Some(path) => Some(join(manifest, dir, path)?),
        None => {
            Some(join(manifest, dir, "src/lib.rs")?).filter(|p| lib_table.is_some() || cx.has(p))
        }
    };
    if let Some(path) = lib_path {
        let lib_name = lib_table
            .and_then(|l| l.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(&name);
        p.lib = Some(Target {
            name: checked_name(manifest, lib_name)?,
            path,
        });
    }
    // Declared bins named after the package default to src/main.rs.
    let main = join(manifest, dir, "src/main.rs")?;
    for (mut b, explicit) in declared(cx, manifest, dir, &t, "bin", "src/bin")? {
        if b.name == name && !explicit && cx.has(&main) {
            b.path = main.clone();
        }
        p.bins.push(b);
    }
    // `autobins = false` turns off src/main.rs and src/bin/ discovery.
    let autobins = pkg.and_then(|p| p.get("autobins")).and_then(Value::as_bool) != Some(false);
    if autobins && cx.has(&main) && !p.bins.iter().any(|b| b.path == main) {
        p.bins.insert(
            0,
            Target {
                name: name.clone(),
                path: main,
            },
        );
    }
    let bin_dir = join(manifest, dir, "src/bin")?;
    let discovered = if autobins {
        cx.tree.list(&bin_dir)?
    } else {
        Vec::new()
    };
    for e in discovered {
        let (stem, path) = match e.name.strip_suffix(".rs") {
            Some(stem) if !e.is_dir => (stem.to_string(), format!("{bin_dir}/{}", e.name)),
            _ if e.is_dir && cx.has(&format!("{bin_dir}/{}/main.rs", e.name)) => {
                (e.name.clone(), format!("{bin_dir}/{}/main.rs", e.name))
            }
            _ => continue,
        };
        if !p.bins.iter().any(|b| b.name == stem || b.path == path) {
            p.bins.push(Target {
                name: checked_name(manifest, &stem)?,
                path,
            });
        }
    }
    for (key, default_dir) in [
        ("bench", "benches"),
        ("test", "tests"),
        ("example", "examples"),
    ] {
        p.required.extend(
            declared(cx, manifest, dir, &t, key, default_dir)?
                .into_iter()
                .map(|(t, _)| t.path),
        );
    }
    // A build script (declared, or build.rs found by cargo) gets a placeholder too, so the
    // pre-build sees the same package shape (`links` requires one).
    match pkg.and_then(|p| p.get("build")) {
        Some(Value::String(build)) => p.required.push(join(manifest, dir, build)?),
        Some(Value::Boolean(false)) => {}
        _ => {
            let auto = join(manifest, dir, "build.rs")?;
            if cx.has(&auto) {
                p.required.push(auto);
            }
        }
    }
    Ok((p, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_source_folder() {
        assert_eq!(
            join("a/Cargo.toml", "crates/a", "../core").unwrap(),
            "crates/core"
        );
        assert_eq!(
            join("Cargo.toml", "", "./src/main.rs").unwrap(),
            "src/main.rs"
        );
        assert!(join("Cargo.toml", "", "../outside").is_err());
        assert!(join("Cargo.toml", "crates", "/etc/passwd").is_err());
        assert!(checked_name("Cargo.toml", "api-server_2").is_ok());
        assert!(checked_name("Cargo.toml", "x y").is_err());
    }
}
