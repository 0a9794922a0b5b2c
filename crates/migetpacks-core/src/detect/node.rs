//! Node.js and Bun projects: `package.json`, the package manager and Next.js standalone
//! output (docs/detection.md).

use super::{DetectError, PackageManager};
use crate::source::SourceTree;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Lockfiles in decision order (pnpm, yarn, npm as the original; Bun's after them): the one
/// list of JavaScript lockfiles detection uses.
pub(crate) const LOCKFILES: [(&str, PackageManager); 5] = [
    ("pnpm-lock.yaml", PackageManager::Pnpm),
    ("yarn.lock", PackageManager::Yarn),
    ("package-lock.json", PackageManager::Npm),
    ("bun.lock", PackageManager::Bun),
    ("bun.lockb", PackageManager::Bun),
];

/// Next.js config files; only the first existing one is read.
const NEXT_CONFIGS: [&str; 4] = [
    "next.config.js",
    "next.config.ts",
    "next.config.mjs",
    "next.config.cjs",
];

static STANDALONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"output\s*:\s*['"`]standalone['"`]"#).expect("constant regex is valid")
});

/// The JavaScript side of an app: how its dependencies are installed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsProject {
    /// The package manager: from the lockfile, else the `packageManager` field, else npm.
    pub package_manager: PackageManager,
    /// The lockfile the decision came from (`yarn.lock`), if any.
    pub lockfile: Option<String>,
    /// The `packageManager` field of package.json (`pnpm@9.1.0`), for Corepack.
    pub package_manager_spec: Option<String>,
}

/// Read and parse `package.json` (`None` when absent). It must be a JSON object.
pub(crate) fn read_package_json(
    tree: &SourceTree,
) -> Result<Option<serde_json::Value>, DetectError> {
    let Some(text) = tree.read("package.json")? else {
        return Ok(None);
    };
    let bad = |reason: String| DetectError::Manifest {
        path: "package.json".into(),
        reason,
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    if !doc.is_object() {
        return Err(bad("must be a JSON object".into()));
    }
    Ok(Some(doc))
}

/// True when package.json declares Bun: a `bun-types` or `@types/bun` dependency, or
/// `packageManager: bun@…`. Returns the evidence line.
pub(crate) fn declares_bun(tree: &SourceTree) -> Result<Option<String>, DetectError> {
    let Some(pkg) = read_package_json(tree)? else {
        return Ok(None);
    };
    for section in [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
    ] {
        for dep in ["bun-types", "@types/bun"] {
            if pkg.get(section).and_then(|s| s.get(dep)).is_some() {
                return Ok(Some(format!("package.json: {section} has {dep}")));
            }
        }
    }
    match pkg.get("packageManager").and_then(|v| v.as_str()) {
        Some(spec) if spec.starts_with("bun@") => {
            Ok(Some(format!("package.json: packageManager {spec}")))
        }
        _ => Ok(None),
    }
}

fn manager_of_spec(spec: &str) -> Option<PackageManager> {
    match spec.split('@').next().unwrap_or("").trim() {
        "npm" => Some(PackageManager::Npm),
        "yarn" => Some(PackageManager::Yarn),
        "pnpm" => Some(PackageManager::Pnpm),
        "bun" => Some(PackageManager::Bun),
        _ => None,
    }
}

/// Decide the package manager of the project in `tree`. `bun` is true when Bun is the
/// primary language: then Bun is the manager and other lockfiles only cause a warning.
pub(crate) fn analyze(
    tree: &SourceTree,
    bun: bool,
    evidence: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<JsProject, DetectError> {
    let pkg = read_package_json(tree)?;
    if pkg.is_some() {
        evidence.push("package.json: present".into());
    }
    let spec = pkg
        .as_ref()
        .and_then(|p| p.get("packageManager"))
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let present: Vec<(&str, PackageManager)> = LOCKFILES
        .iter()
        .copied()
        .filter(|(f, _)| tree.is_file(f))
        .collect();

    let (pm, lockfile) = if bun {
        // A Bun app always installs with bun; only its own lockfile counts.
        let lock = ["bun.lock", "bun.lockb"]
            .into_iter()
            .find(|f| tree.is_file(f));
        evidence.push(match lock {
            Some(f) => format!("{f}: selects bun"),
            None => "Bun app without a lockfile: selects bun".into(),
        });
        (PackageManager::Bun, lock.map(str::to_string))
    } else if let Some(&(file, pm)) = present.first() {
        evidence.push(format!("{file}: selects {}", pm.name()));
        (pm, Some(file.to_string()))
    } else if let Some(spec) = &spec {
        match manager_of_spec(spec) {
            Some(pm) => {
                evidence.push(format!(
                    "package.json packageManager: {spec} selects {}",
                    pm.name()
                ));
                (pm, None)
            }
            None => {
                warnings.push(format!(
                    "package.json packageManager: unknown manager in {spec:?}; using npm"
                ));
                (PackageManager::Npm, None)
            }
        }
    } else {
        evidence.push("no lockfile and no packageManager field: selects npm".into());
        (PackageManager::Npm, None)
    };

    if present.len() > 1 {
        let names: Vec<&str> = present.iter().map(|(f, _)| *f).collect();
        warnings.push(format!(
            "Multiple lockfiles detected ({}) - using {}; remove the unused lockfiles",
            names.join(", "),
            pm.name()
        ));
    }
    if let (Some(spec), Some(file)) = (&spec, &lockfile) {
        if let Some(declared) = manager_of_spec(spec) {
            if declared != pm {
                warnings.push(format!(
                    "package.json packageManager {spec} disagrees with {file}; using {}",
                    pm.name()
                ));
            }
        }
    }
    Ok(JsProject {
        package_manager: pm,
        lockfile,
        package_manager_spec: spec,
    })
}

/// Next.js standalone output: the first existing `next.config.*` sets
/// `output: 'standalone'` (any quote style; commented-out lines do not count).
pub(crate) fn next_standalone(
    tree: &SourceTree,
    evidence: &mut Vec<String>,
) -> Result<bool, DetectError> {
    let Some(file) = NEXT_CONFIGS.iter().find(|f| tree.is_file(f)) else {
        return Ok(false);
    };
    let text = tree.read(file)?.unwrap_or_default();
    let found = text.lines().any(|l| {
        let t = l.trim_start();
        !(t.starts_with("//") || t.starts_with("/*") || t.starts_with('*'))
            && STANDALONE.is_match(l)
    });
    if found {
        evidence.push(format!("{file}: output standalone"));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pm_of(files: &[(&str, &str)]) -> (JsProject, Vec<String>, Vec<String>) {
        let t = SourceTree::in_memory(files.iter().copied());
        let (mut ev, mut warn) = (Vec::new(), Vec::new());
        let p = analyze(&t, false, &mut ev, &mut warn).unwrap();
        (p, ev, warn)
    }

    #[test]
    fn lockfile_priority_and_field() {
        let cases: [(&[(&str, &str)], PackageManager); 8] = [
            (&[("package.json", "{}")], PackageManager::Npm),
            (
                &[("package.json", "{}"), ("yarn.lock", "")],
                PackageManager::Yarn,
            ),
            (
                &[("package.json", "{}"), ("pnpm-lock.yaml", "")],
                PackageManager::Pnpm,
            ),
            (
                &[("package.json", "{}"), ("package-lock.json", "{}")],
                PackageManager::Npm,
            ),
            (
                &[("package.json", "{}"), ("bun.lockb", "")],
                PackageManager::Bun,
            ),
            (
                &[("package.json", r#"{"packageManager":"pnpm@9.1.0"}"#)],
                PackageManager::Pnpm,
            ),
            (
                &[("package.json", r#"{"packageManager":"yarn@4.0.0+sha.abc"}"#)],
                PackageManager::Yarn,
            ),
            (
                &[("package.json", r#"{"packageManager":"npm@10"}"#)],
                PackageManager::Npm,
            ),
        ];
        for (files, want) in cases {
            assert_eq!(pm_of(files).0.package_manager, want, "{files:?}");
        }
    }

    #[test]
    fn multiple_lockfiles_warn() {
        let (p, ev, warn) = pm_of(&[
            ("package.json", r#"{"packageManager":"pnpm@9"}"#),
            ("package-lock.json", "{}"),
            ("yarn.lock", ""),
        ]);
        assert_eq!(p.package_manager, PackageManager::Yarn);
        assert_eq!(p.lockfile.as_deref(), Some("yarn.lock"));
        assert_eq!(p.package_manager_spec.as_deref(), Some("pnpm@9"));
        assert!(
            ev.contains(&"yarn.lock: selects yarn".to_string()),
            "{ev:?}"
        );
        assert!(
            warn[0].contains("yarn.lock, package-lock.json") && warn[0].contains("using yarn"),
            "{warn:?}"
        );
        assert!(warn[1].contains("pnpm@9 disagrees"), "{warn:?}");
    }

    #[test]
    fn malformed_package_json_names_file() {
        let t = SourceTree::in_memory([("package.json", "{ nope")]);
        let e = analyze(&t, false, &mut Vec::new(), &mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("package.json: not valid JSON"), "{e}");
        let t = SourceTree::in_memory([("package.json", "[]")]);
        assert!(read_package_json(&t).is_err());
    }

    #[test]
    fn standalone_any_quote_style() {
        for (file, text, want) in [
            (
                "next.config.js",
                "module.exports = { output: 'standalone' }",
                true,
            ),
            (
                "next.config.js",
                r#"module.exports = { output: "standalone" }"#,
                true,
            ),
            (
                "next.config.mjs",
                "export default { output: `standalone` }",
                true,
            ),
            (
                "next.config.ts",
                "const c = {\n  output:'standalone',\n}",
                true,
            ),
            (
                "next.config.js",
                "// output: 'standalone'\nmodule.exports = {}",
                false,
            ),
            (
                "next.config.js",
                "module.exports = { output: 'export' }",
                false,
            ),
        ] {
            let t = SourceTree::in_memory([(file, text)]);
            let mut ev = Vec::new();
            assert_eq!(next_standalone(&t, &mut ev).unwrap(), want, "{text}");
            assert_eq!(!ev.is_empty(), want);
        }
        // Only the first existing config counts.
        let t = SourceTree::in_memory([
            ("next.config.js", "module.exports = {}"),
            ("next.config.mjs", "export default { output: 'standalone' }"),
        ]);
        assert!(!next_standalone(&t, &mut Vec::new()).unwrap());
    }
}
