//! Workspace members (npm/Yarn `workspaces`, `pnpm-workspace.yaml`; Turborepo and Nx use
//! these): their `package.json` files are copied, keeping their paths, before the install, so
//! the install layer links every member.

use super::PackageJson;
use crate::providers::{Context, PlanError};

/// At most this many members are copied one by one.
const MAX_MEMBERS: usize = 200;
/// How deep a `**` pattern descends.
const STAR_STAR_DEPTH: usize = 3;

/// The member patterns: `workspaces` (array, or `{ "packages": [...] }`), else the `packages`
/// of `pnpm-workspace.yaml`.
fn patterns(cx: &Context, pkg: &PackageJson) -> Result<(Vec<String>, &'static str), PlanError> {
    if !pkg.workspaces.is_empty() {
        return Ok((pkg.workspaces.clone(), "package.json workspaces"));
    }
    let Some(text) = cx.read("pnpm-workspace.yaml")? else {
        return Ok((Vec::new(), ""));
    };
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).map_err(|e| PlanError::Manifest {
            path: "pnpm-workspace.yaml".into(),
            reason: format!("not valid YAML: {e}"),
        })?;
    let list = doc
        .get("packages")
        .and_then(|p| p.as_sequence())
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok((list, "pnpm-workspace.yaml packages"))
}

/// A member folder that can be named in a `COPY` as it is.
fn plain(path: &str) -> bool {
    !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@-/".contains(c))
        && !path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
}

/// Folders matching one pattern (`apps/*`, `packages/**`, `tools/cli`).
fn expand(cx: &Context, pattern: &str) -> Result<Vec<String>, PlanError> {
    let pattern = pattern
        .trim()
        .trim_start_matches("./")
        .trim_end_matches('/');
    let mut level = vec![String::new()];
    for seg in pattern.split('/').filter(|s| !s.is_empty()) {
        let mut next = Vec::new();
        for dir in &level {
            match seg {
                "**" => {
                    let mut frontier = vec![dir.clone()];
                    next.push(dir.clone());
                    for _ in 0..STAR_STAR_DEPTH {
                        let mut deeper = Vec::new();
                        for d in &frontier {
                            deeper.extend(subdirs(cx, d)?);
                        }
                        next.extend(deeper.iter().cloned());
                        frontier = deeper;
                    }
                }
                s if s.contains('*') => {
                    let (pre, post) = s.split_once('*').unwrap_or((s, ""));
                    for d in subdirs(cx, dir)? {
                        let name = d.rsplit('/').next().unwrap_or_default();
                        if name.starts_with(pre) && name.ends_with(post) {
                            next.push(d);
                        }
                    }
                }
                s => {
                    let d = join(dir, s);
                    if cx.tree.is_dir(&d) {
                        next.push(d);
                    }
                }
            }
        }
        level = next;
    }
    Ok(level.into_iter().filter(|d| !d.is_empty()).collect())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn subdirs(cx: &Context, dir: &str) -> Result<Vec<String>, PlanError> {
    let mut out: Vec<String> = cx
        .tree
        .list(dir)?
        .into_iter()
        .filter(|e| e.is_dir && e.name != "node_modules" && !e.name.starts_with('.'))
        .map(|e| join(dir, &e.name))
        .collect();
    out.sort();
    Ok(out)
}

/// Workspace members with a `package.json`, sorted; the evidence line says where the list
/// came from. Unusual folder names are skipped with a warning.
pub fn members(
    cx: &Context,
    pkg: &PackageJson,
    warnings: &mut Vec<String>,
) -> Result<(Vec<String>, String), PlanError> {
    let (pats, origin) = patterns(cx, pkg)?;
    let mut out: Vec<String> = Vec::new();
    let mut excluded: Vec<String> = Vec::new();
    for p in &pats {
        if let Some(neg) = p.strip_prefix('!') {
            excluded.extend(expand(cx, neg)?);
            continue;
        }
        for d in expand(cx, p)? {
            if !cx.has(&format!("{d}/package.json")) || out.contains(&d) {
                continue;
            }
            if !plain(&d) {
                warnings.push(format!(
                    "{origin}: member folder {d:?} has characters a COPY cannot carry; its package.json is copied with the source"
                ));
                continue;
            }
            out.push(d);
        }
    }
    out.retain(|d| !excluded.contains(d));
    out.sort();
    if out.len() > MAX_MEMBERS {
        warnings.push(format!(
            "{origin}: {} members; only the first {MAX_MEMBERS} are copied before the install",
            out.len()
        ));
        out.truncate(MAX_MEMBERS);
    }
    let why = if out.is_empty() {
        String::new()
    } else {
        format!("{origin}: {}", out.join(", "))
    };
    Ok((out, why))
}
