//! Python: pip (requirements.txt), uv (uv.lock), Poetry (poetry.lock), Pipenv (Pipfile),
//! or a plain `pyproject.toml`/`setup.py` package.
//!
//! Dependencies go into a virtualenv at `/opt/venv` built from the manifests alone, so a
//! source-only change reuses it. When nothing has to run after the source is copied (no
//! Django `collectstatic`, no `BUILD_COMMAND`, no local package install), the source goes
//! straight from the build context into the runtime stage as its last layer.

use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};

/// The Python provider.
pub struct Python;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Installer {
    Uv,
    Poetry,
    Pipenv,
    Requirements,
    /// `pip install .` of a pyproject.toml/setup.py package: needs the source.
    LocalPackage,
    None,
}

impl Installer {
    fn detect(cx: &Context) -> Installer {
        if cx.has("uv.lock") {
            Installer::Uv
        } else if cx.has("poetry.lock") {
            Installer::Poetry
        } else if cx.has("Pipfile") {
            Installer::Pipenv
        } else if cx.has("requirements.txt") {
            Installer::Requirements
        } else if cx.has("pyproject.toml") || cx.has("setup.py") {
            Installer::LocalPackage
        } else {
            Installer::None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Installer::Uv => "uv",
            Installer::Poetry => "poetry",
            Installer::Pipenv => "pipenv",
            Installer::Requirements | Installer::LocalPackage | Installer::None => "pip",
        }
    }
}

const VENV: &str = "/opt/venv";

/// Pinned installer versions: a rebuild months later installs the same tools.
const UV: &str = "uv==0.13.9";
const POETRY: &str = "poetry==2.5.1";
const PIPENV: &str = "pipenv==2026.10.3";

/// Text of the dependency manifests, lower-cased, for package sniffing.
fn manifests_text(cx: &Context) -> Result<String, PlanError> {
    let mut text = String::new();
    for f in [
        "requirements.txt",
        "pyproject.toml",
        "uv.lock",
        "Pipfile",
        "poetry.lock",
    ] {
        if let Some(t) = cx.read(f)? {
            text.push_str(&t.to_ascii_lowercase());
            text.push('\n');
        }
    }
    Ok(text)
}

/// True when a dependency named `pkg` appears in the manifests (as a requirement line, a
/// quoted name, or a lockfile `name = "pkg"` entry).
fn mentions(text: &str, pkg: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with(pkg)
            && l[pkg.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_' && c != '-')
            || l.contains(&format!("\"{pkg}\""))
            || l.contains(&format!("\"{pkg}["))
            || l.contains(&format!("\"{pkg}>"))
            || l.contains(&format!("\"{pkg}="))
            || l.contains(&format!("\"{pkg}~"))
            || l == format!("name = \"{pkg}\"")
            || l.starts_with(&format!("{pkg} ="))
    })
}

/// Debian packages the runtime needs for common native dependencies.
fn native_packages(text: &str) -> Vec<&'static str> {
    let mut pkgs = Vec::new();
    if ["psycopg", "psycopg2", "psycopg2-binary", "asyncpg", "aiopg"]
        .iter()
        .any(|p| mentions(text, p))
    {
        pkgs.push("libpq5");
    }
    if ["mysqlclient", "aiomysql"]
        .iter()
        .any(|p| mentions(text, p))
    {
        pkgs.push("libmariadb3");
    }
    if mentions(text, "lxml") {
        pkgs.extend(["libxml2", "libxslt1.1"]);
    }
    if mentions(text, "pycairo") {
        pkgs.push("libcairo2");
    }
    pkgs
}

/// The Django project package: the folder holding `wsgi.py` next to `manage.py`.
fn django_project(cx: &Context) -> Result<Option<String>, PlanError> {
    if !cx.has("manage.py") {
        return Ok(None);
    }
    let hits = cx.tree.find_files("", 2, 1, &|n| n == "wsgi.py")?;
    Ok(hits
        .into_iter()
        .find_map(|p| p.rsplit_once('/').map(|(dir, _)| dir.replace('/', "."))))
}

/// The module and variable of an ASGI/WSGI app object in the usual entry files.
fn app_object(cx: &Context) -> Result<Option<String>, PlanError> {
    let re = regex::Regex::new(
        // `Flask(…)`, `flask.Flask(…)`, `falcon.App()`, `falcon.asgi.App()`, `create_app()`.
        r"(?m)^(\w+)\s*=\s*(?:(?:\w+\.)*(?:FastAPI|Starlette|Litestar|Sanic|Flask|Falcon|Bottle)|falcon(?:\.asgi)?\.App|create_app)\s*\(",
    )
    .expect("static regex");
    for file in [
        "main.py",
        "app.py",
        "application.py",
        "wsgi.py",
        "asgi.py",
        "server.py",
    ] {
        if let Some(text) = cx.read(file)? {
            if let Some(c) = re.captures(&text) {
                return Ok(Some(format!("{}:{}", file.trim_end_matches(".py"), &c[1])));
            }
        }
    }
    Ok(None)
}

/// A WSGI/ASGI target for gunicorn or uvicorn: the app object found in an entry file, else a
/// `wsgi.py`/`asgi.py` module's `application`. `None` when there is nothing to serve.
fn server_target(cx: &Context, asgi: bool) -> Result<Option<(String, String)>, PlanError> {
    if let Some(app) = app_object(cx)? {
        return Ok(Some((app.clone(), format!("{app} is defined"))));
    }
    let module = if asgi { "asgi" } else { "wsgi" };
    if cx.has(&format!("{module}.py")) {
        return Ok(Some((
            format!("{module}:application"),
            format!("{module}.py exists"),
        )));
    }
    Ok(None)
}

/// A package run with `python -m`: a top-level folder with `__main__.py` (and a root
/// `__main__.py` runs the folder itself).
fn main_package(cx: &Context) -> Result<Option<String>, PlanError> {
    if cx.has("__main__.py") {
        return Ok(Some(".".into()));
    }
    let hits = cx.tree.find_files("", 2, 8, &|n| n == "__main__.py")?;
    let mut pkgs: Vec<String> = hits
        .into_iter()
        .filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir.to_string()))
        .filter(|d| {
            // `src/<pkg>/__main__.py` (src layout) or `<pkg>/__main__.py`.
            let parts: Vec<&str> = d.split('/').collect();
            matches!(parts.as_slice(), [_] | ["src", _])
                && parts
                    .iter()
                    .all(|p| p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        })
        .collect();
    pkgs.sort();
    Ok(pkgs.into_iter().next().map(|d| {
        d.strip_prefix("src/")
            .map_or_else(|| d.clone(), |p| format!("{p} (src layout)"))
    }))
}

/// The start command and why (start-command evidence). Servers are used only where they have
/// something to serve; else a script that exists; else generation fails with what to add.
fn default_command(cx: &Context, text: &str) -> Result<(String, String), PlanError> {
    let gunicorn = mentions(text, "gunicorn");
    let uvicorn = mentions(text, "uvicorn");
    // 0.0.0.0 works on IPv4-only hosts, where binding `::` fails, and on dual-stack ones.
    if let Some(p) = django_project(cx)? {
        if gunicorn {
            return Ok((
                format!("gunicorn {p}.wsgi:application --bind 0.0.0.0:$PORT"),
                format!("Django project {p} served by gunicorn"),
            ));
        }
        if uvicorn {
            return Ok((
                format!("uvicorn {p}.asgi:application --host 0.0.0.0 --port $PORT"),
                format!("Django project {p} served by uvicorn"),
            ));
        }
    }
    if gunicorn {
        if let Some((target, why)) = server_target(cx, false)? {
            return Ok((
                format!("gunicorn {target} --bind 0.0.0.0:$PORT"),
                format!("gunicorn in the requirements and {why}"),
            ));
        }
    }
    if uvicorn {
        if let Some((target, why)) = server_target(cx, true)? {
            return Ok((
                format!("uvicorn {target} --host 0.0.0.0 --port $PORT"),
                format!("uvicorn in the requirements and {why}"),
            ));
        }
    }
    if cx.has("manage.py") {
        return Ok((
            "python manage.py runserver 0.0.0.0:$PORT".into(),
            "manage.py exists".into(),
        ));
    }
    if let Some(pkg) = main_package(cx)? {
        let (module, why) = match pkg.split_once(' ') {
            Some((m, _)) => (m.to_string(), format!("src/{m}/__main__.py exists")),
            None if pkg == "." => (".".to_string(), "__main__.py exists".to_string()),
            None => (pkg.clone(), format!("{pkg}/__main__.py exists")),
        };
        return Ok(if module == "." {
            ("python .".into(), why)
        } else {
            (format!("python -m {module}"), why)
        });
    }
    for f in [
        "app.py",
        "main.py",
        "server.py",
        "run.py",
        "bot.py",
        "worker.py",
        "manage.py",
    ] {
        if cx.has(f) {
            return Ok((format!("python {f}"), format!("{f} exists")));
        }
    }
    // One top-level script, whatever its name.
    let scripts: Vec<String> = cx
        .tree
        .list("")?
        .into_iter()
        .filter(|e| !e.is_dir && e.name.ends_with(".py") && e.name != "setup.py")
        .map(|e| e.name)
        .filter(|n| {
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        .collect();
    if let [only] = scripts.as_slice() {
        return Ok((
            format!("python {only}"),
            format!("{only} is the only script"),
        ));
    }
    Err(PlanError::Setting {
        var: "RUN_COMMAND".into(),
        reason: "no start command for this Python app: no WSGI/ASGI app object (app = Flask(…)/FastAPI(…) in main.py, app.py, …), no manage.py, no __main__.py package, and no app.py/main.py/server.py/bot.py/worker.py; add a Procfile web process or set RUN_COMMAND".into(),
    })
}

/// uv and Poetry versions pinned in `.tool-versions` (asdf) or `mise.toml` `[tools]`; only
/// exact `x.y.z` versions are used (they are written into the install command).
fn tool_version(cx: &Context, tool: &str) -> Result<Option<(String, String)>, PlanError> {
    let exact = |v: &str| {
        let parts: Vec<&str> = v.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    if let Some(text) = cx.read(".tool-versions")? {
        for line in text.lines() {
            let mut w = line.split_whitespace();
            if w.next() == Some(tool) {
                if let Some(v) = w.next().filter(|v| exact(v)) {
                    return Ok(Some((v.to_string(), ".tool-versions".into())));
                }
            }
        }
    }
    for file in ["mise.toml", ".mise.toml"] {
        let Some(text) = cx.read(file)? else { continue };
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| PlanError::Manifest {
                path: file.into(),
                reason: format!("not valid TOML: {}", e.message()),
            })?;
        let v = doc.get("tools").and_then(|t| t.get(tool)).and_then(|v| {
            v.as_str()
                .or_else(|| v.get("version").and_then(|x| x.as_str()))
        });
        if let Some(v) = v.filter(|v| exact(v)) {
            return Ok(Some((v.to_string(), file.into())));
        }
    }
    Ok(None)
}

/// Build-time system packages for dependencies that compile against C libraries (the
/// official `python` image has gcc but not every header).
fn build_packages(text: &str) -> Vec<&'static str> {
    let mut pkgs = Vec::new();
    // psycopg2 (not -binary) builds against libpq.
    if mentions(text, "psycopg2") {
        pkgs.extend(["libpq-dev", "gcc"]);
    }
    if mentions(text, "mysqlclient") {
        pkgs.extend(["default-libmysqlclient-dev", "pkg-config", "gcc"]);
    }
    if mentions(text, "pycairo") {
        pkgs.extend(["libcairo2-dev", "pkg-config", "gcc"]);
    }
    let mut seen = Vec::new();
    pkgs.retain(|p| {
        let new = !seen.contains(p);
        seen.push(p);
        new
    });
    pkgs
}

impl Provider for Python {
    fn language(&self) -> Language {
        Language::Python
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(
            tree,
            &["requirements.txt", "setup.py", "Pipfile", "pyproject.toml"],
        )
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::{Norm, Verbatim};
        first!(
            v.env(Verbatim),
            v.version_file(".python-version", Verbatim),
            v.tool_files(Verbatim), // .tool-versions, mise.toml
            runtime_txt(v),
            uv_lock(v),
            v.toml_str("pyproject.toml", &["project", "requires-python"], Norm),
            v.toml_str(
                "pyproject.toml",
                &["tool", "poetry", "dependencies", "python"],
                Norm
            ),
            v.toml_str("Pipfile", &["requires", "python_full_version"], Norm),
            v.toml_str("Pipfile", &["requires", "python_version"], Norm),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let v = &cx.version.value;
        let installer = Installer::detect(cx);
        let text = manifests_text(cx)?;
        let collectstatic = cx.has("manage.py") && django_project(cx)?.is_some();
        let build_command = cx.settings.build_command.clone();
        let mut b = Vec::new();

        b.push(
            Step::env(
                Phase::Setup,
                vec![
                    EnvVar::new("PYTHONUNBUFFERED", "1"),
                    EnvVar::new("PYTHONDONTWRITEBYTECODE", "1"),
                    EnvVar::new("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
                    EnvVar::new("VIRTUAL_ENV", VENV),
                    EnvVar::expanding("PATH", format!("{VENV}/bin:$PATH")),
                ],
            )
            .why("Every install below goes into the virtualenv at /opt/venv"),
        );
        b.push(
            Step::run(Phase::Setup, [format!("python -m venv {VENV}")])
                .why("Virtualenv outside the source folder, so the runtime stage copies it alone"),
        );
        let manifests = cx.existing(&[
            "requirements.txt",
            "pyproject.toml",
            "setup.py",
            "setup.cfg",
            "uv.lock",
            "poetry.lock",
            "Pipfile",
            "Pipfile.lock",
        ]);
        let pip_mounts = cx.mounts(&[CacheKind::Pip]);
        // Without a cache mount pip's cache would only bloat the layer.
        let pip = if pip_mounts.is_empty() {
            "pip install --no-cache-dir"
        } else {
            "pip install"
        };
        // System headers for dependencies built from source, before the install.
        let build_pkgs = build_packages(&text);
        if !build_pkgs.is_empty() {
            b.push(
                Step::run(Phase::Setup, super::common::apt_install(&build_pkgs))
                    .why("C headers and compiler for dependencies built from source"),
            );
        }
        // uv and Poetry as pinned by the project's tool-version files, else ours.
        let mut notes = Vec::new();
        let mut pinned = |tool: &str, default: &str| -> Result<String, PlanError> {
            Ok(match tool_version(cx, tool)? {
                Some((v, file)) => {
                    notes.push(format!("{tool} {v} from {file}"));
                    format!("{tool}=={v}")
                }
                None => default.to_string(),
            })
        };
        let uv = pinned("uv", UV)?;
        let poetry = pinned("poetry", POETRY)?;
        let install: Option<Step> = match installer {
            Installer::Uv => Some(
                Step::run(
                    Phase::Install,
                    [
                        format!("{pip} {uv}"),
                        format!("UV_PROJECT_ENVIRONMENT={VENV} uv sync --frozen --no-dev --no-install-project"),
                    ],
                )
                .mounts(cx.mounts(&[CacheKind::Pip, CacheKind::Uv])),
            ),
            Installer::Poetry => Some(
                Step::run(
                    Phase::Install,
                    [
                        format!("{pip} {poetry}"),
                        "POETRY_VIRTUALENVS_CREATE=false poetry install --no-interaction --no-ansi --no-root --only main".to_string(),
                    ],
                )
                .mounts(cx.mounts(&[CacheKind::Pip, CacheKind::Poetry])),
            ),
            Installer::Pipenv => Some(
                Step::run(
                    Phase::Install,
                    [
                        format!("{pip} {PIPENV}"),
                        if cx.has("Pipfile.lock") {
                            "pipenv install --deploy --system".to_string()
                        } else {
                            "pipenv install --system --skip-lock".to_string()
                        },
                    ],
                )
                .mounts(pip_mounts.clone()),
            ),
            Installer::Requirements => Some(
                Step::run(Phase::Install, [format!("{pip} -r requirements.txt")]).mounts(pip_mounts.clone()),
            ),
            Installer::LocalPackage | Installer::None => None,
        };
        if let Some(install) = install {
            b.push(Step::copy(Phase::Manifests, manifests.clone(), "./").why(
                "Dependency manifests first: the install below is reused while they are unchanged",
            ));
            b.push(install.why("Install dependencies into the virtualenv"));
        }

        // Steps that need the source in the builder.
        let mut after_source: Vec<Step> = Vec::new();
        if installer == Installer::LocalPackage {
            after_source.push(
                Step::run(Phase::Install, [format!("{pip} .")])
                    .mounts(pip_mounts.clone())
                    .why("Install the project itself (it needs its source)"),
            );
        }
        if let Some(cmd) = &build_command {
            after_source.push(Step::run(Phase::Build, [cmd.clone()]).why("BUILD_COMMAND"));
        } else if collectstatic {
            after_source.push(
                Step::run(Phase::Build, ["python manage.py collectstatic --noinput"])
                    .why("Django static files"),
            );
        }
        let source_in_builder = !after_source.is_empty();
        if source_in_builder {
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            b.extend(after_source);
        }

        // Runtime stage.
        let owner = cx.owner();
        let mut r = Vec::new();
        let pkgs = native_packages(&text);
        if !pkgs.is_empty() && !cx.hardened() {
            r.push(
                Step::run(Phase::Runtime, super::common::apt_install(&pkgs))
                    .why("Shared libraries of native dependencies"),
            );
        }
        r.push(
            Step::copy_from(Phase::Runtime, "builder", [VENV], VENV)
                .chown(&owner)
                .why("Virtualenv from the builder"),
        );
        r.push(Step::env(
            Phase::Runtime,
            vec![
                EnvVar::new("PYTHONUNBUFFERED", "1"),
                EnvVar::new("PYTHONDONTWRITEBYTECODE", "1"),
                EnvVar::new("PYTHONPATH", "/app"),
                EnvVar::new("VIRTUAL_ENV", VENV),
                EnvVar::expanding("PATH", format!("{VENV}/bin:$PATH")),
                EnvVar::new("FORWARDED_ALLOW_IPS", "*"),
            ],
        ));
        r.push(if source_in_builder {
            cx.copy_build_to_app()
        } else {
            cx.copy_source_to_app()
        });

        let mut warnings = Vec::new();
        if !pkgs.is_empty() && cx.hardened() {
            warnings.push(format!(
                "hardened Python runtime has no package manager: native libraries ({}) are not installed",
                pkgs.join(", ")
            ));
        }
        let (default_command, why) = match default_command(cx, &text) {
            Ok(c) => c,
            // A RUN_COMMAND or a Procfile replaces the default.
            Err(_)
                if cx.settings.run_command.is_some()
                    || (cx.has("Procfile") || cx.tree.is_dir("Procfile")) =>
            {
                (String::new(), String::new())
            }
            Err(e) => return Err(e),
        };
        if !why.is_empty() {
            notes.push(format!("start: {why}"));
        }
        Ok(LanguagePlan {
            package_manager: Some(installer.name().into()),
            build_image: if cx.hardened() {
                format!("dhi.io/python:{v}-dev")
            } else {
                format!("python:{v}")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/python:{v}")
            } else {
                format!("python:{v}-slim")
            },
            builder: b,
            runtime: r,
            default_command,
            no_shell: cx.hardened(),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }
}

re!(UV_REQUIRES, r#"^requires-python\s*=\s*"([^"]*)""#);

/// `runtime.txt`: `python-3.11.4` → `3.11.4`.
fn runtime_txt(v: &super::VersionSources) -> super::Found {
    Ok(v.read("runtime.txt")?.and_then(|text| {
        let line = crate::version::first_line(&text);
        let value = line.strip_prefix("python-").unwrap_or(&line);
        crate::version::sources::non_empty("runtime.txt", value, super::Transform::Verbatim)
    }))
}

/// `uv.lock` `requires-python`. Lock files can outgrow the read cap; then this source is
/// skipped (pyproject.toml carries the same constraint).
fn uv_lock(v: &super::VersionSources) -> super::Found {
    use crate::{detect::DetectError, source::SourceError};
    match v.line(
        "uv.lock",
        &UV_REQUIRES,
        "uv.lock requires-python",
        super::Transform::Norm,
    ) {
        Err(DetectError::Source(SourceError::TooLarge { .. })) => Ok(None),
        other => other,
    }
}
