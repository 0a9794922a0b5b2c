//! How a Node.js app is served, decided from its framework and the files that exist: a start
//! script, a framework's server output (Nuxt, SvelteKit, Remix, React Router, Astro, NestJS,
//! Next.js), a main file, or a static site served by Caddy. When none applies, generation fails
//! with a message that says what to add, instead of shipping an image that crashes.

use super::PackageJson;
use crate::providers::{Context, PlanError};

/// What the runtime stage serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serve {
    /// A Node.js server started with this command.
    Server {
        /// Shell command.
        command: String,
        /// Why this command (evidence).
        why: String,
    },
    /// A static site: this folder (of the builder's `/build`) is served.
    Static {
        /// Folder relative to the project, `.` for the project itself.
        dir: String,
        /// Why (evidence).
        why: String,
    },
}

/// How scripts and package binaries are run: `npm`/`pnpm` apps use `node_modules/.bin`,
/// Yarn Berry apps go through Yarn (Plug'n'Play has no `node_modules`).
pub struct Runner<'a> {
    /// `yarn`, or `node .yarn/releases/yarn-x.cjs`, for Yarn apps; `None` for npm/pnpm.
    pub yarn: Option<&'a str>,
    /// Plug'n'Play: `node` must be started through Yarn to resolve packages.
    pub pnp: bool,
}

impl Runner<'_> {
    fn script(&self, name: &str) -> String {
        match self.yarn {
            Some(y) => format!("{y} {name}"),
            None => format!("npm {name}"),
        }
    }

    fn node(&self, args: &str) -> String {
        match (self.yarn, self.pnp) {
            (Some(y), true) => format!("{y} node {args}"),
            _ => format!("node {args}"),
        }
    }

    fn bin(&self, name: &str, args: &str) -> String {
        match (self.yarn, self.pnp) {
            (Some(y), true) => format!("{y} run {name} {args}"),
            _ => format!("./node_modules/.bin/{name} {args}"),
        }
    }
}

/// Folders a static output may be: plain relative paths a `COPY` can name.
pub fn plain_dir(dir: &str) -> bool {
    dir == "."
        || (!dir.is_empty()
            && dir
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._@-/".contains(c))
            && !dir
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == ".."))
}

/// Angular's output folder from `angular.json` (the first project's build `outputPath`; the
/// `application` builder writes the browser files to its `browser` sub-folder).
fn angular_output(cx: &Context) -> Result<Option<String>, PlanError> {
    let Some(text) = cx.read("angular.json")? else {
        return Ok(None);
    };
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| PlanError::Manifest {
        path: "angular.json".into(),
        reason: format!("not valid JSON: {e}"),
    })?;
    let Some((name, project)) = doc
        .get("projects")
        .and_then(|p| p.as_object())
        .and_then(|p| p.iter().next())
    else {
        return Ok(None);
    };
    let build = &project["architect"]["build"];
    let builder = build["builder"].as_str().unwrap_or_default();
    let application = builder.ends_with(":application");
    let out = match &build["options"]["outputPath"] {
        serde_json::Value::String(s) if application => format!("{s}/browser"),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => {
            let base = o.get("base").and_then(|b| b.as_str()).unwrap_or("dist");
            let browser = o
                .get("browser")
                .and_then(|b| b.as_str())
                .unwrap_or("browser");
            if browser.is_empty() {
                base.to_string()
            } else {
                format!("{base}/{browser}")
            }
        }
        _ => format!("dist/{name}/browser"),
    };
    let out = out
        .trim_start_matches("./")
        .trim_end_matches('/')
        .to_string();
    Ok(plain_dir(&out).then_some(out))
}

/// Decide what the runtime serves. `build` says whether a build script runs.
pub fn decide(
    cx: &Context,
    pkg: &PackageJson,
    run: &Runner,
    standalone: bool,
    build: bool,
) -> Result<Serve, PlanError> {
    let server = |command: String, why: &str| {
        Ok(Serve::Server {
            command,
            why: format!("start: {why}"),
        })
    };
    let static_site = |dir: &str, why: &str| {
        Ok(Serve::Static {
            dir: dir.to_string(),
            why: format!("static site: {why}"),
        })
    };
    if let Some(dir) = &cx.settings.lang.static_output_dir {
        return static_site(dir, &format!("STATIC_OUTPUT_DIR={dir}"));
    }
    if standalone {
        return server("node server.js".into(), "Next.js standalone server");
    }
    if pkg.script("start").is_some() {
        return server(run.script("start"), "package.json start script");
    }
    let needs_build = |what: &str| -> Result<Serve, PlanError> {
        Err(PlanError::Manifest {
            path: "package.json".into(),
            reason: format!(
                "{what} app without a \"build\" script: its server is built output; add \"build\" (and \"start\") scripts"
            ),
        })
    };
    let dep = |name: &str| pkg.depends_on(name);
    if dep("nuxt") {
        if !build {
            return needs_build("Nuxt");
        }
        return server(
            run.node(".output/server/index.mjs"),
            "nuxt dependency: Nitro's server .output/server/index.mjs",
        );
    }
    if dep("@sveltejs/kit") {
        if dep("@sveltejs/adapter-node") {
            if !build {
                return needs_build("SvelteKit");
            }
            return server(
                run.node("build"),
                "@sveltejs/adapter-node: the build/ server",
            );
        }
        if dep("@sveltejs/adapter-static") {
            return static_site("build", "@sveltejs/adapter-static writes build/");
        }
        return Err(PlanError::Manifest {
            path: "package.json".into(),
            reason: "SvelteKit app without @sveltejs/adapter-node (a server) or @sveltejs/adapter-static (a static site): add one of them to svelte.config.js".into(),
        });
    }
    if dep("@react-router/serve") {
        return server(
            run.bin("react-router-serve", "./build/server/index.js"),
            "@react-router/serve: serves build/server/index.js",
        );
    }
    if dep("@remix-run/serve") {
        let entry = if ["vite.config.ts", "vite.config.js", "vite.config.mjs"]
            .iter()
            .any(|f| cx.has(f))
        {
            "./build/server/index.js"
        } else {
            "./build/index.js"
        };
        return server(
            run.bin("remix-serve", entry),
            &format!("@remix-run/serve: serves {entry}"),
        );
    }
    if dep("astro") {
        if dep("@astrojs/node") {
            if !build {
                return needs_build("Astro");
            }
            // Astro's standalone server listens on localhost unless HOST says otherwise.
            return server(
                format!("HOST=0.0.0.0 {}", run.node("./dist/server/entry.mjs")),
                "@astrojs/node: the standalone server dist/server/entry.mjs",
            );
        }
        if build {
            return static_site("dist", "astro without a server adapter writes dist/");
        }
    }
    if dep("@nestjs/core") {
        if !build {
            return needs_build("NestJS");
        }
        return server(
            run.node("dist/main.js"),
            "@nestjs/core: the compiled dist/main.js",
        );
    }
    if dep("next") {
        return server(
            run.bin("next", "start"),
            "next dependency without standalone output: next start",
        );
    }
    if let Some(main) = pkg.main.as_deref().filter(|m| cx.has(m)) {
        return server(run.node(main), &format!("package.json main {main} exists"));
    }
    for base in ["index", "server", "app", "main"] {
        for ext in ["js", "mjs", "cjs"] {
            let f = format!("{base}.{ext}");
            if cx.has(&f) {
                return server(run.node(&f), &format!("{f} exists"));
            }
        }
    }
    if build {
        let spa: [(&str, &str); 6] = [
            ("vite", "dist"),
            ("react-scripts", "build"),
            ("@vue/cli-service", "dist"),
            ("gatsby", "public"),
            ("parcel", "dist"),
            ("@angular/cli", ""),
        ];
        for (name, dir) in spa {
            if !dep(name) {
                continue;
            }
            let dir = if name == "@angular/cli" {
                match angular_output(cx)? {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                dir.to_string()
            };
            return static_site(
                &dir,
                &format!("{name} builds a static site into {dir}/ (set STATIC_OUTPUT_DIR if it is elsewhere)"),
            );
        }
    }
    if !build && cx.has("index.html") {
        return static_site(".", "index.html without a server or a build");
    }
    Err(PlanError::Manifest {
        path: "package.json".into(),
        reason: "no start command: no \"start\" script, no existing \"main\" file, no index.js/server.js/app.js/main.js, and no known framework (Next.js, Nuxt, SvelteKit, Remix, React Router, Astro, NestJS, or a Vite/CRA/Angular static site); add a start script, a Procfile web process, or set RUN_COMMAND (STATIC_OUTPUT_DIR for a static site)".into(),
    })
}
