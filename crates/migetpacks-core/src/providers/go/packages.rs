//! What the Go provider reads from `go.mod` and the source folder: the module path, the
//! packages to build and the binaries they produce, and whether golang-migrate is used.

use crate::providers::{Context, PlanError};

/// What the generator reads from `go.mod`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GoMod {
    /// `module` path.
    pub module: Option<String>,
    /// Packages of a `// +heroku install <spec>` comment.
    pub directive: Option<String>,
    /// golang-migrate is a dependency: the version to install (`latest` when not pinned).
    pub migrate: Option<String>,
}

/// Read the module path, the install directive and golang-migrate from `go.mod`.
pub fn parse_go_mod(text: &str) -> GoMod {
    let mut m = GoMod::default();
    let migrate = regex::Regex::new(r"github\.com/golang-migrate/migrate/v4\s+(v[0-9][^\s/]*)")
        .expect("static regex");
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("// +heroku install ") {
            m.directive.get_or_insert_with(|| rest.trim().to_string());
        } else if let Some(rest) = line.strip_prefix("module ") {
            let path = rest
                .split("//")
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('"');
            if m.module.is_none() && !path.is_empty() {
                m.module = Some(path.to_string());
            }
        }
    }
    if text.contains("github.com/golang-migrate/migrate") {
        m.migrate = Some(
            migrate
                .captures(text)
                .map_or_else(|| "latest".to_string(), |c| c[1].to_string()),
        );
    }
    m
}

/// The binary `go build` names after a package path: its last element, skipping a major
/// version suffix (`example.com/app/v2` builds `app`).
pub fn binary_name(path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .trim_end_matches('/')
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let is_major =
        |p: &str| p.len() > 1 && p.starts_with('v') && p[1..].chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [.., prev, last] if is_major(last) => Some(prev.to_string()),
        [.., last] => Some(last.to_string()),
        [] => None,
    }
}

/// Main packages under `dir` (for `./dir/...` specs): folders with a non-test `.go` file that
/// declares `package main`, at most four levels deep.
pub fn main_packages(cx: &Context, dir: &str, module_bin: &str) -> Result<Vec<String>, PlanError> {
    let main = regex::Regex::new(r"(?m)^package\s+main\b").expect("static regex");
    let files = cx.tree.find_files(dir, 4, 200, &|n| {
        n.ends_with(".go") && !n.ends_with("_test.go")
    })?;
    let mut names: Vec<String> = Vec::new();
    for f in files {
        let folder = f.rsplit_once('/').map_or("", |(d, _)| d);
        let name = binary_name(folder).unwrap_or_else(|| module_bin.to_string());
        if names.contains(&name) {
            continue;
        }
        if cx.read(&f)?.is_some_and(|t| main.is_match(&t)) {
            names.push(name);
        }
    }
    Ok(names)
}

/// The binaries a set of package specs produces, in spec order.
pub fn binaries(cx: &Context, gm: &GoMod, specs: &[String]) -> Result<Vec<String>, PlanError> {
    let module_bin = gm
        .module
        .as_deref()
        .and_then(binary_name)
        .unwrap_or_else(|| "app".into());
    let mut out: Vec<String> = Vec::new();
    for spec in specs {
        // Import paths inside this module are folders of the source.
        let local = match gm.module.as_deref().and_then(|m| spec.strip_prefix(m)) {
            Some(rest) => format!(".{rest}"),
            None => spec.clone(),
        };
        let names = if let Some(prefix) = local.strip_suffix("...") {
            if local.starts_with('.') {
                main_packages(
                    cx,
                    prefix.trim_start_matches("./").trim_end_matches('/'),
                    &module_bin,
                )?
            } else {
                Vec::new()
            }
        } else if local == "." || local == "./" {
            vec![module_bin.clone()]
        } else {
            binary_name(&local).into_iter().collect()
        };
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

/// The package specs to build: `GO_INSTALL_PACKAGE_SPEC`, the go.mod directive, or `.`.
pub fn package_specs(cx: &Context, gm: &GoMod, notes: &mut Vec<String>) -> Vec<String> {
    if let Some(spec) = &cx.settings.lang.go_install_package_spec {
        return spec.split_whitespace().map(str::to_string).collect();
    }
    if let Some(d) = &gm.directive {
        notes.push(format!("Using install directive from go.mod: {d}"));
        return d.split_whitespace().map(str::to_string).collect();
    }
    // `cmd/<name>` layout: the root holds no main package, the commands live below cmd/.
    if !has_main(cx, "").unwrap_or(true) {
        let names: Vec<String> = cx
            .tree
            .list("cmd")
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.is_dir)
            .map(|e| e.name)
            .filter(|n| {
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    && has_main(cx, &format!("cmd/{n}")).unwrap_or(false)
            })
            .collect();
        match names.as_slice() {
            [] => {}
            [one] => {
                notes.push(format!(
                    "main package cmd/{one}: no main package at the root"
                ));
                return vec![format!("./cmd/{one}")];
            }
            _ => {
                notes.push(format!(
                    "main packages under cmd/ ({}): no main package at the root",
                    names.join(", ")
                ));
                return vec!["./cmd/...".into()];
            }
        }
    }
    vec![".".into()]
}

/// True when a non-test `.go` file directly in `dir` declares `package main`.
fn has_main(cx: &Context, dir: &str) -> Result<bool, PlanError> {
    let main = regex::Regex::new(r"(?m)^package\s+main\b").expect("static regex");
    for e in cx.tree.list(dir)? {
        if e.is_dir || !e.name.ends_with(".go") || e.name.ends_with("_test.go") {
            continue;
        }
        let path = if dir.is_empty() {
            e.name.clone()
        } else {
            format!("{dir}/{}", e.name)
        };
        if cx.read(&path)?.is_some_and(|t| main.is_match(&t)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The binary the image starts: with several commands, the one named after the module (or
/// `server`, `web`, `api`, `app`), else the first.
pub fn start_binary(gm: &GoMod, bins: &[String]) -> Option<String> {
    let module_bin = gm.module.as_deref().and_then(binary_name);
    let preferred = module_bin
        .iter()
        .map(String::as_str)
        .chain(["server", "web", "api", "app"]);
    for p in preferred {
        if bins.iter().any(|b| b == p) {
            return Some(p.to_string());
        }
    }
    bins.first().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_parsing() {
        let gm = parse_go_mod(
            "// +heroku install ./cmd/api ./cmd/worker\nmodule github.com/acme/shop/v2 // app\n\ngo 1.22\nrequire (\n\tgithub.com/golang-migrate/migrate/v4 v4.17.1\n)\n",
        );
        assert_eq!(gm.module.as_deref(), Some("github.com/acme/shop/v2"));
        assert_eq!(gm.directive.as_deref(), Some("./cmd/api ./cmd/worker"));
        assert_eq!(gm.migrate.as_deref(), Some("v4.17.1"));
        let gm = parse_go_mod("module \"x\"\n// github.com/golang-migrate/migrate\n");
        assert_eq!(gm.module.as_deref(), Some("x"));
        assert_eq!(gm.migrate.as_deref(), Some("latest"));
    }

    #[test]
    fn binary_names() {
        assert_eq!(
            binary_name("github.com/acme/shop/v2").as_deref(),
            Some("shop")
        );
        assert_eq!(binary_name("./cmd/api/").as_deref(), Some("api"));
        assert_eq!(binary_name("hello").as_deref(), Some("hello"));
        assert_eq!(binary_name("v2").as_deref(), Some("v2"));
        assert_eq!(binary_name("."), None);
    }
}
