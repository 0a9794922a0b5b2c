//! Whether `package-lock.json` still matches `package.json`, decided at generation time: `npm ci`
//! refuses an out-of-sync lockfile, so such an app installs with `npm install` (and a warning)
//! instead of failing its build.

use crate::providers::{Context, PlanError};
use serde_json::Value;

const SECTIONS: [&str; 3] = ["dependencies", "devDependencies", "optionalDependencies"];

/// The differences between the dependency ranges of a manifest and of the lockfile's entry
/// for it (`packages[""]` for the root, `packages["apps/web"]` for a member).
fn differences(manifest: &Value, locked: &Value, label: &str, out: &mut Vec<String>) {
    for section in SECTIONS {
        let want = manifest.get(section).and_then(Value::as_object);
        let have = locked.get(section).and_then(Value::as_object);
        let empty = serde_json::Map::new();
        let (want, have) = (want.unwrap_or(&empty), have.unwrap_or(&empty));
        for (name, range) in want {
            match have.get(name) {
                Some(r) if r == range => {}
                Some(_) => out.push(format!("{label}{section}.{name} changed")),
                None => out.push(format!("{label}{section}.{name} missing")),
            }
        }
        for name in have.keys() {
            if !want.contains_key(name) {
                out.push(format!("{label}{section}.{name} removed"));
            }
        }
    }
}

/// `None` when `package-lock.json` (lockfileVersion 2 or 3) agrees with `package.json` and the
/// given workspace members, or cannot be checked (version 1); else what differs (at most three).
pub fn out_of_sync(cx: &Context, members: &[String]) -> Result<Option<String>, PlanError> {
    let (Some(lock), Some(pkg)) = (cx.read("package-lock.json")?, cx.read("package.json")?) else {
        return Ok(None);
    };
    let Ok(lock) = serde_json::from_str::<Value>(&lock) else {
        return Ok(Some("package-lock.json is not valid JSON".into()));
    };
    let Some(packages) = lock.get("packages").and_then(Value::as_object) else {
        return Ok(None);
    };
    let pkg: Value = serde_json::from_str(&pkg).unwrap_or(Value::Null);
    let mut diffs = Vec::new();
    match packages.get("") {
        Some(root) => differences(&pkg, root, "", &mut diffs),
        None => diffs.push("no root entry".into()),
    }
    for m in members {
        let Some(text) = cx.read(&format!("{m}/package.json"))? else {
            continue;
        };
        let manifest: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match packages.get(m.as_str()) {
            Some(entry) => differences(&manifest, entry, &format!("{m}: "), &mut diffs),
            None => diffs.push(format!("{m}: not in the lockfile")),
        }
    }
    if diffs.is_empty() {
        return Ok(None);
    }
    let more = diffs.len().saturating_sub(3);
    diffs.truncate(3);
    let mut s = diffs.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    Ok(Some(s))
}
