//! The packages of a build: the root manifest, its workspace members (one-level globs) and,
//! transitively, its path dependencies.

use super::cargo::{bad, join, package, Package, Target};
use crate::providers::{Context, PlanError};
use toml::{Table, Value};

/// The packages of the build: the root manifest, workspace members and path dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Packages, root first.
    pub packages: Vec<Package>,
    /// Why the dependency pre-build is impossible (a member or path dependency that cannot
    /// be copied on its own), if it is.
    pub unresolved: Option<String>,
}

/// `path = "…"` dependencies of a manifest, in every dependency table.
fn path_dependencies(t: &Table) -> Vec<String> {
    let mut tables: Vec<&Table> = Vec::new();
    for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
        tables.extend(t.get(key).and_then(Value::as_table));
    }
    if let Some(ws) = t.get("workspace").and_then(Value::as_table) {
        tables.extend(ws.get("dependencies").and_then(Value::as_table));
    }
    for target in t
        .get("target")
        .and_then(Value::as_table)
        .into_iter()
        .flat_map(|t| t.values())
    {
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            tables.extend(target.get(key).and_then(Value::as_table));
        }
    }
    tables
        .into_iter()
        .flat_map(|deps| deps.values())
        .filter_map(|d| d.get("path").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Expand `[workspace] members`: plain folders, and one `*` in the last path element
/// (`crates/*`, `libs/foo-*`), matched against a listing of its parent folder.
fn members(
    cx: &Context,
    t: &Table,
    unresolved: &mut Option<String>,
) -> Result<Vec<String>, PlanError> {
    let Some(ws) = t.get("workspace").and_then(Value::as_table) else {
        return Ok(Vec::new());
    };
    let list = |key: &str| -> Vec<String> {
        ws.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|s| s.trim_end_matches('/').to_string())
            .collect()
    };
    let exclude = list("exclude");
    let mut out = Vec::new();
    for pattern in list("members") {
        let (parent, last) = pattern.rsplit_once('/').unwrap_or(("", &pattern));
        if parent.contains(['*', '?', '[']) || last.contains(['?', '[']) {
            *unresolved = Some(format!(
                "workspace member pattern {pattern:?} is not expanded"
            ));
            continue;
        }
        if !last.contains('*') {
            out.push(pattern.clone());
            continue;
        }
        let parent = crate::source::clean(parent).map_err(|_| {
            bad(
                "Cargo.toml",
                format!("member {pattern:?} leaves the source folder"),
            )
        })?;
        for e in cx.tree.list(&parent)? {
            let dir = if parent.is_empty() {
                e.name.clone()
            } else {
                format!("{parent}/{}", e.name)
            };
            if e.is_dir
                && crate::settings::glob_match(last, &e.name)
                && !exclude.contains(&dir)
                && cx.has(&format!("{dir}/Cargo.toml"))
            {
                out.push(dir);
            }
        }
    }
    Ok(out)
}

/// Read the root manifest, its workspace members and (transitively) its path dependencies.
pub fn workspace(cx: &Context) -> Result<Workspace, PlanError> {
    if !cx.has("Cargo.toml") {
        return Err(bad(
            "Cargo.toml",
            "missing: a Rust app needs a Cargo.toml (a Cargo.lock alone is not enough)",
        ));
    }
    let mut unresolved = None;
    let mut packages: Vec<Package> = Vec::new();
    let mut queue = vec!["Cargo.toml".to_string()];
    let mut first = true;
    // Bounded: a workspace with more manifests than this is read, but not pre-built.
    while let Some(manifest) = queue.pop() {
        if packages.iter().any(|p| p.manifest == manifest) {
            continue;
        }
        if packages.len() >= 200 {
            unresolved = Some("more than 200 package manifests".into());
            break;
        }
        let (pkg, table) = package(cx, &manifest)?;
        let dir = manifest.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let mut next: Vec<String> = Vec::new();
        if first {
            next.extend(members(cx, &table, &mut unresolved)?);
            first = false;
        }
        for dep in path_dependencies(&table) {
            match join(&manifest, &dir, &dep) {
                Ok(p) => next.push(p),
                Err(_) => {
                    unresolved = Some(format!(
                        "{manifest}: path dependency {dep:?} is outside the source folder"
                    ))
                }
            }
        }
        for folder in next.into_iter().rev() {
            let m = if folder.is_empty() {
                "Cargo.toml".to_string()
            } else {
                format!("{folder}/Cargo.toml")
            };
            if cx.has(&m) {
                queue.push(m);
            } else {
                unresolved = Some(format!(
                    "{m} (a workspace member or path dependency) does not exist"
                ));
            }
        }
        packages.push(pkg);
    }
    Ok(Workspace {
        packages,
        unresolved,
    })
}

impl Workspace {
    /// The binaries `cargo build --release` leaves in `target/release`: the root package's,
    /// or every member's for a virtual workspace.
    pub fn binaries(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let root_bins = self
            .packages
            .first()
            .filter(|p| p.name.is_some())
            .map(|p| &p.bins);
        let sets: Vec<&Vec<Target>> = match root_bins {
            Some(bins) if !bins.is_empty() => vec![bins],
            _ => self.packages.iter().map(|p| &p.bins).collect(),
        };
        for b in sets.into_iter().flatten() {
            if !out.contains(&b.name) {
                out.push(b.name.clone());
            }
        }
        out
    }
}
