//! Which pnpm or Yarn the build uses, decided at generation time: Corepack would otherwise
//! take the newest release, which may not run on the app's Node.js or read its lockfile.
//!
//! Sources, first hit wins: `packageManager` in package.json, `engines.<manager>`, then the
//! lockfile's format version; a Yarn Berry `yarnPath` release in the repository is run as it
//! is, without Corepack.

use super::PackageJson;
use crate::providers::{Context, PlanError};
use crate::version::normalize::normalize;

/// The newest release of each pnpm major (npm registry), used when only a major is known.
const PNPM: &[(u64, &str)] = &[
    (6, "6.35.1"),
    (7, "7.33.7"),
    (8, "8.15.9"),
    (9, "9.15.9"),
    (10, "10.34.9"),
];
/// The newest release of each Yarn Berry major (`@yarnpkg/cli-dist`, which Corepack fetches).
const YARN: &[(u64, &str)] = &[(2, "2.4.2"), (3, "3.8.7"), (4, "4.18.1")];

/// A pinned package manager release and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// Corepack spec: `pnpm@8.15.9` or the `packageManager` value as written.
    pub spec: String,
    /// Evidence: which file or field decided it.
    pub why: String,
}

/// True for `<name>@<semver>[+<hash>]` with nothing a shell would read.
fn valid_spec(spec: &str, name: &str) -> bool {
    let Some(rest) = spec.strip_prefix(name).and_then(|r| r.strip_prefix('@')) else {
        return false;
    };
    let (version, hash) = rest.split_once('+').unwrap_or((rest, ""));
    exact(version) && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// `x.y.z` with an optional `-pre.release`.
fn exact(v: &str) -> bool {
    let (core, pre) = v.split_once('-').unwrap_or((v, ""));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && pre
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn major(v: &str) -> Option<u64> {
    v.split('.').next()?.parse().ok()
}

/// The release for an `engines` range: the exact version when one is given, else the newest
/// known release of its major.
fn from_range(range: &str, table: &[(u64, &str)]) -> Option<String> {
    let v = normalize(range);
    if exact(&v) {
        return Some(v);
    }
    let m = major(&v)?;
    table
        .iter()
        .find(|(k, _)| *k == m)
        .map(|(_, full)| full.to_string())
}

/// The `packageManager` field when it names `name` with a valid exact version; a field that
/// names `name` but is not usable is reported in `warnings`.
fn from_field(pkg: &PackageJson, name: &str, warnings: &mut Vec<String>) -> Option<String> {
    let spec = pkg.package_manager.as_deref()?;
    if !spec.starts_with(&format!("{name}@")) {
        return None;
    }
    if valid_spec(spec, name) {
        Some(spec.to_string())
    } else {
        warnings.push(format!(
            "package.json packageManager {spec:?} is not <name>@<exact version>; ignored"
        ));
        None
    }
}

/// pnpm: `packageManager`, `engines.pnpm`, the `pnpm-lock.yaml` `lockfileVersion` (5.x → 7,
/// 6.x → 8, 9.x → 9), else the newest pnpm that runs on the app's Node.js major.
pub fn pnpm(cx: &Context, pkg: &PackageJson, warnings: &mut Vec<String>) -> Result<Pin, PlanError> {
    if let Some(spec) = from_field(pkg, "pnpm", warnings) {
        return Ok(Pin {
            why: format!("package.json packageManager {spec}"),
            spec,
        });
    }
    if let Some(range) = pkg.engines_pnpm.as_deref() {
        match from_range(range, PNPM) {
            Some(v) => {
                return Ok(Pin {
                    spec: format!("pnpm@{v}"),
                    why: format!("package.json engines.pnpm {range:?}"),
                })
            }
            None => warnings.push(format!(
                "package.json engines.pnpm {range:?} names no known pnpm release; ignored"
            )),
        }
    }
    if let Some(text) = cx.read("pnpm-lock.yaml")? {
        if let Some(lv) = lockfile_version(&text) {
            let pnpm_major = match major(&lv) {
                Some(5) => Some(7),
                Some(6) => Some(8),
                Some(m) if m >= 7 => Some(9),
                _ => None,
            };
            if let Some(full) = pnpm_major.and_then(|m| PNPM.iter().find(|(k, _)| *k == m)) {
                return Ok(Pin {
                    spec: format!("pnpm@{}", full.1),
                    why: format!("pnpm-lock.yaml lockfileVersion {lv}"),
                });
            }
        }
    }
    let node = major(&cx.version.value).unwrap_or(20);
    let v = if node >= 18 { "9.15.9" } else { "8.15.9" };
    Ok(Pin {
        spec: format!("pnpm@{v}"),
        why: format!(
            "no packageManager, engines.pnpm or lockfile version: pnpm {v} runs on Node.js {node}"
        ),
    })
}

/// `lockfileVersion` of a pnpm lockfile (`5.4`, `'6.0'`, `'9.0'`).
fn lockfile_version(text: &str) -> Option<String> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).ok()?;
    match doc.get("lockfileVersion")? {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What `.yarnrc.yml` says about the install.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YarnRc {
    /// `yarnPath`: the committed Yarn release, when it is a safe relative path to a file.
    pub yarn_path: Option<String>,
    /// `nodeLinker` is Plug'n'Play (Berry's default when unset).
    pub pnp: bool,
}

/// Read `.yarnrc.yml`; a `yarnPath` that is unsafe or missing is a warning and ignored.
pub fn yarnrc(cx: &Context, warnings: &mut Vec<String>) -> Result<YarnRc, PlanError> {
    let Some(text) = cx.read(".yarnrc.yml")? else {
        return Ok(YarnRc {
            yarn_path: None,
            pnp: true,
        });
    };
    let doc: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).map_err(|e| PlanError::Manifest {
            path: ".yarnrc.yml".into(),
            reason: format!("not valid YAML: {e}"),
        })?;
    let linker = doc.get("nodeLinker").and_then(|v| v.as_str());
    let pnp = !matches!(linker, Some("node-modules") | Some("pnpm"));
    let yarn_path = match doc.get("yarnPath").and_then(|v| v.as_str()) {
        None => None,
        Some(p) => {
            let p = p.trim_start_matches("./");
            let safe = !p.is_empty()
                && !p.starts_with('/')
                && !p.split('/').any(|s| s == ".." || s.is_empty())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
            if safe && cx.has(p) {
                Some(p.to_string())
            } else {
                warnings.push(format!(
                    ".yarnrc.yml yarnPath {p:?} is not a file of the repository; Yarn comes from Corepack"
                ));
                None
            }
        }
    };
    Ok(YarnRc { yarn_path, pnp })
}

/// Yarn Berry without a committed release: `packageManager`, `engines.yarn`, the `yarn.lock`
/// `__metadata.version` (4 → 2, 6 → 3, 8 → 4), else Yarn 4.
pub fn yarn_berry(
    cx: &Context,
    pkg: &PackageJson,
    warnings: &mut Vec<String>,
) -> Result<Pin, PlanError> {
    if let Some(spec) = from_field(pkg, "yarn", warnings) {
        return Ok(Pin {
            why: format!("package.json packageManager {spec}"),
            spec,
        });
    }
    if let Some(range) = pkg.engines_yarn.as_deref() {
        if let Some(v) = from_range(range, YARN).filter(|v| major(v).is_some_and(|m| m >= 2)) {
            return Ok(Pin {
                spec: format!("yarn@{v}"),
                why: format!("package.json engines.yarn {range:?}"),
            });
        }
    }
    if let Some(text) = cx.read("yarn.lock")? {
        let meta = text
            .lines()
            .skip_while(|l| !l.starts_with("__metadata:"))
            .skip(1)
            .take_while(|l| l.starts_with(' '))
            .find_map(|l| {
                l.trim()
                    .strip_prefix("version:")
                    .map(|v| v.trim().to_string())
            });
        let yarn_major = match meta.as_deref().and_then(|v| v.parse::<u64>().ok()) {
            Some(4) => Some(2),
            Some(5 | 6) => Some(3),
            Some(m) if m >= 7 => Some(4),
            _ => None,
        };
        if let (Some(m), Some(meta)) = (yarn_major, meta) {
            let full = YARN.iter().find(|(k, _)| *k == m).map(|(_, f)| *f);
            if let Some(full) = full {
                return Ok(Pin {
                    spec: format!("yarn@{full}"),
                    why: format!("yarn.lock __metadata.version {meta}"),
                });
            }
        }
    }
    Ok(Pin {
        spec: "yarn@4.18.1".into(),
        why: "no packageManager, engines.yarn or yarn.lock metadata: Yarn 4".into(),
    })
}

/// Yarn classic pinned by `packageManager: yarn@1.x`; `None` keeps the image's Yarn 1.
pub fn yarn_classic(pkg: &PackageJson, warnings: &mut Vec<String>) -> Option<Pin> {
    from_field(pkg, "yarn", warnings).map(|spec| Pin {
        why: format!("package.json packageManager {spec}"),
        spec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_and_ranges() {
        assert!(valid_spec("pnpm@8.15.4", "pnpm"));
        assert!(valid_spec("pnpm@9.1.0+sha512.abc123", "pnpm"));
        assert!(!valid_spec("pnpm@8", "pnpm"));
        assert!(!valid_spec("pnpm@8.1.0; rm -rf /", "pnpm"));
        assert!(!valid_spec("yarn@4.1.0", "pnpm"));
        assert_eq!(from_range(">=8", PNPM).as_deref(), Some("8.15.9"));
        assert_eq!(from_range("8.6.2", PNPM).as_deref(), Some("8.6.2"));
        assert_eq!(from_range("^7.0.0", PNPM).as_deref(), Some("7.33.7"));
        assert_eq!(from_range("<9", PNPM), None);
        assert_eq!(from_range(">=42", PNPM), None);
    }

    #[test]
    fn pnpm_lockfile_versions() {
        assert_eq!(
            lockfile_version("lockfileVersion: 5.4\n").as_deref(),
            Some("5.4")
        );
        assert_eq!(
            lockfile_version("lockfileVersion: '6.0'\n").as_deref(),
            Some("6.0")
        );
        assert_eq!(
            lockfile_version("lockfileVersion: '9.0'\n").as_deref(),
            Some("9.0")
        );
        assert_eq!(lockfile_version("nope: 1\n"), None);
    }
}
