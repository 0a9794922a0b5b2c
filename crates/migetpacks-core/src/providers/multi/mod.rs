//! Multi-buildpack: additional runtimes (from `BUILDPACKS`, app.json `buildpacks`, or Node.js
//! added beside another language's `package.json`) woven into the primary language's plan,
//! the same way for every primary language.
//!
//! Builder stage, in order:
//! 1. each additional runtime's toolchain, copied from its image before the primary's steps;
//! 2. its dependency manifests and install, right before the primary's first source copy, so
//!    a source-only change reuses them (docs/differences.md: the original installed them after
//!    `COPY . .` for every primary but Ruby);
//! 3. its build step right after the primary's source copy, before the primary's own build:
//!    Rails `assets:precompile`, Django `collectstatic` or `go build` see the built assets.
//!
//! When the primary copies no source into its builder (it would copy the source straight into
//! the runtime stage) but an additional runtime builds something, the source is copied into
//! the builder after all dependency installs and the runtime stage takes the builder's folder.
//!
//! Runtime stage (official images only; hardened runtimes are single-runtime, so additional
//! runtimes are available at build time only, with a warning):
//! - Python and Ruby are copied;
//! - Go never (its binaries are static);
//! - Node.js only when a process of the image runs it: the web command or a Procfile
//!   process (release, workers) invokes `node`, `npm`, `npx`, `yarn`, `pnpm`, `corepack` or
//!   something in `node_modules/.bin`. Otherwise `node_modules` is removed at the end of the
//!   builder, so the image carries neither Node.js nor the packages only the build needed.

mod runtimes;

use super::{Context, LanguagePlan, PlanError};
use crate::images::rewrite;
use crate::language::Language;
use crate::plan::{AdditionalRuntime, Instruction, Phase, Step};
use crate::procfile::Processes;

/// Languages that can be additional runtimes, in the order of docs/configuration.md (additional runtimes).
pub const SUPPORTED: [Language; 4] = [
    Language::Nodejs,
    Language::Python,
    Language::Ruby,
    Language::Go,
];

/// Tools whose use in a process command means the image needs Node.js.
const NODE_TOOLS: [&str; 6] = ["node", "npm", "npx", "yarn", "pnpm", "corepack"];

/// True when `command` runs Node.js: a word (split at whitespace and shell punctuation) is one
/// of [`NODE_TOOLS`], a path ending in one, or lies in `node_modules/.bin`.
///
/// ```
/// use migetpacks_core::providers::multi::runs_node;
/// assert!(runs_node("NODE_ENV=production node server.js"));
/// assert!(runs_node("bundle exec rake x && npm run worker"));
/// assert!(runs_node("node_modules/.bin/tsx jobs.ts"));
/// assert!(!runs_node("bundle exec puma -C config/puma.rb"));
/// assert!(!runs_node("gunicorn nodes.wsgi:application"));
/// ```
pub fn runs_node(command: &str) -> bool {
    command
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '='))
        .any(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            NODE_TOOLS.contains(&base) || w.contains("node_modules/.bin/")
        })
}

/// True when the web command or any Procfile process runs Node.js.
fn node_needed_at_runtime(command: &str, processes: Option<&Processes>) -> bool {
    runs_node(command)
        || processes.is_some_and(|p| {
            p.web.iter().chain(p.release.iter()).any(|c| runs_node(c))
                || p.workers.iter().any(|w| runs_node(&w.command))
        })
}

/// The runtime stage's copy of the build context into `/app` (the primary copies its source
/// straight from the context when its builder has nothing to run after the source).
fn is_context_copy(step: &Step) -> bool {
    step.phase == Phase::Source
        && matches!(&step.instruction, Instruction::Copy { from: None, sources, dest, .. }
            if sources.len() == 1 && sources[0] == "." && dest == "/app")
}

/// The runtime stage's copy of the whole builder folder.
fn is_builder_copy(step: &Step) -> bool {
    matches!(&step.instruction, Instruction::Copy { from: Some(f), sources, .. }
        if f == "builder" && sources.len() == 1 && sources[0] == "/build")
}

/// Weave the additional runtimes of `cx` into `lp`. `command` is the web command and
/// `processes` the Procfile's (they decide whether Node.js is copied into the runtime stage).
/// Returns the runtimes for the plan; adds notes and warnings to `lp`.
pub fn weave(
    cx: &Context,
    lp: &mut LanguagePlan,
    command: &str,
    processes: Option<&Processes>,
) -> Result<Vec<AdditionalRuntime>, PlanError> {
    if cx.additional.is_empty() {
        return Ok(Vec::new());
    }
    let primary = cx.detection.language;
    if let Some(bad) = cx
        .additional
        .iter()
        .find(|a| !SUPPORTED.contains(&a.language))
    {
        return Err(PlanError::UnsupportedAdditional {
            language: bad.language,
            primary,
        });
    }
    let hardened = cx.hardened();
    let node_at_runtime = !hardened && node_needed_at_runtime(command, processes);
    let s = cx.settings;
    let mut setup = Vec::new();
    let mut deps = Vec::new();
    let mut build = Vec::new();
    let mut runtime = Vec::new();
    let mut node_modules = false;
    let mut out = Vec::new();
    for a in cx.additional {
        let logical = runtimes::logical_image(a.language, &a.version.value, hardened);
        let image = rewrite(
            &logical,
            s.registry_mirror.as_deref(),
            s.dhi_mirror.as_deref(),
        );
        let p = runtimes::parts(cx, a.language, &a.version, &image, node_at_runtime)?;
        lp.notes.push(format!(
            "Adding runtime: {} {} ({})",
            a.language.id(),
            a.version.value,
            a.version.source
        ));
        lp.warnings.extend(a.version.warnings.iter().cloned());
        out.push(AdditionalRuntime {
            language: a.language,
            version: a.version.value.clone(),
            version_source: a.version.source.clone(),
            image,
            in_runtime_image: !p.runtime.is_empty(),
        });
        setup.extend(p.setup);
        deps.extend(p.deps);
        build.extend(p.build);
        runtime.extend(p.runtime);
        node_modules |= p.writes_node_modules;
    }
    if hardened {
        let list: Vec<String> = cx
            .additional
            .iter()
            .map(|a| format!("{} {}", a.language.id(), a.version.value))
            .collect();
        lp.warnings.push(format!(
            "USE_DHI: additional runtimes ({}) are available at build time only; the hardened runtime image contains only {} (distroless images are single-runtime)",
            list.join(", "),
            primary.display_name()
        ));
    }

    let mut builder = setup;
    let primary_steps = std::mem::take(&mut lp.builder);
    match primary_steps
        .iter()
        .position(|st| st.phase == Phase::Source)
    {
        Some(i) => {
            let mut rest = primary_steps.into_iter();
            builder.extend(rest.by_ref().take(i));
            builder.extend(deps);
            builder.extend(rest.next());
            builder.extend(build);
            builder.extend(rest);
        }
        None => {
            builder.extend(primary_steps);
            builder.extend(deps);
            let needs_output = !build.is_empty() || (node_at_runtime && node_modules);
            if needs_output {
                match lp.runtime.iter().position(is_context_copy) {
                    Some(i) => {
                        builder.push(
                            Step::copy(Phase::Source, ["."], ".")
                                .why("Application source, for the additional runtimes' build"),
                        );
                        builder.extend(build);
                        lp.runtime[i] = cx.copy_build_to_app();
                    }
                    None => lp.warnings.push(format!(
                        "the {} image does not take the builder's folder: the output of the additional runtimes' build is not in the image",
                        primary.display_name()
                    )),
                }
            }
        }
    }
    // Packages only the build needed stay out of the image; Bun and Deno apps use node_modules
    // themselves.
    let js_primary = matches!(primary, Language::Bun | Language::Deno);
    if node_modules && !node_at_runtime && !js_primary && lp.runtime.iter().any(is_builder_copy) {
        builder.push(
            Step::run(Phase::Prune, ["rm -rf node_modules"])
                .why("Node.js packages were needed for the build only"),
        );
    }
    lp.builder = builder;
    runtime.append(&mut lp.runtime);
    lp.runtime = runtime;
    Ok(out)
}
