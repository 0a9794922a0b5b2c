//! The parts every generated Dockerfile shares, written once: header, build args, builder
//! environment, the non-root runtime user, port, and the start command.

use super::{Context, LanguagePlan, PlanError, Provider};
use crate::images::rewrite;
use crate::language::Language;
use crate::mounts::CacheMount;
use crate::plan::{
    BuildPlan, CommandSource, EnvVar, Instruction, Phase, Stage, StartCommand, Step,
};

/// Runtime uid/gid for official images.
pub const UID: &str = "1000";

/// The user a Docker Hardened Image runs as.
pub fn dhi_user(lang: Language) -> &'static str {
    match lang {
        Language::Nodejs => "node",
        Language::Deno => "deno",
        _ => "nonroot",
    }
}

impl Context<'_> {
    /// `--chown` owner for files copied into the runtime stage.
    pub fn owner(&self) -> String {
        if self.hardened() {
            let u = dhi_user(self.detection.language);
            format!("{u}:{u}")
        } else {
            format!("{UID}:{UID}")
        }
    }

    /// Copy the whole builder workdir into the runtime stage's `/app`.
    pub fn copy_build_to_app(&self) -> Step {
        Step::copy_from(Phase::Runtime, "builder", ["/build"], "/app")
            .chown(&self.owner())
            .why("Application from the builder stage")
    }

    /// Copy the source straight from the build context into `/app`, as the last layer: a
    /// source-only change then rebuilds this one layer and nothing of the builder stage.
    pub fn copy_source_to_app(&self) -> Step {
        Step::copy(Phase::Source, ["."], "/app")
            .chown(&self.owner())
            .why("Application source last: a source-only change rebuilds only this layer")
    }
}

/// Resolve the web command: `RUN_COMMAND` > Procfile `web` > first Procfile process >
/// language default.
fn start_command(
    cx: &Context,
    lp: &LanguagePlan,
) -> Result<(String, CommandSource, Option<crate::procfile::Processes>), PlanError> {
    if let Some(cmd) = &cx.settings.run_command {
        return Ok((cmd.clone(), CommandSource::RunCommand, None));
    }
    if let Some(text) = cx.tree.read("Procfile")? {
        let procs = crate::procfile::parse(&text)?;
        if let Some(web) = &procs.web {
            return Ok((web.clone(), CommandSource::Procfile, Some(procs)));
        }
        if let Some(first) = procs.workers.first() {
            return Ok((
                first.command.clone(),
                CommandSource::ProcfileFirst,
                Some(procs),
            ));
        }
    }
    Ok((lp.default_command.clone(), CommandSource::Default, None))
}

/// Replace `$PORT`, `${PORT}` and `${PORT:-x}` with the port: images without a shell cannot
/// expand them at start.
fn expand_port(word: &str, port: u16) -> String {
    let re = regex::Regex::new(r"\$\{PORT(:-[^}]*)?\}|\$PORT\b").expect("static regex");
    re.replace_all(word, port.to_string().as_str()).into_owned()
}

/// The commands of one Debian package install that leaves no package lists behind.
pub(crate) fn apt_install(packages: &[impl AsRef<str>]) -> [String; 3] {
    let names: Vec<&str> = packages.iter().map(AsRef::as_ref).collect();
    [
        "apt-get update".to_string(),
        format!(
            "apt-get install -y --no-install-recommends {}",
            names.join(" ")
        ),
        "rm -rf /var/lib/apt/lists/*".to_string(),
    ]
}

/// Turn a shell command into exec form for images without a shell: words split as a shell
/// would, `$PORT` resolved now, leading `NAME=value` words turned into `ENV`.
pub fn exec_form(command: &str, port: u16) -> Result<(Vec<EnvVar>, Vec<String>), PlanError> {
    let words = shell_words::split(command).map_err(|e| PlanError::Setting {
        var: "start command".into(),
        reason: format!("cannot split {command:?} into words: {e}"),
    })?;
    let mut env = Vec::new();
    let mut argv = Vec::new();
    for w in words {
        let w = expand_port(&w, port);
        if argv.is_empty() {
            if let Some((k, v)) = w.split_once('=') {
                if crate::settings::is_valid_name(k) {
                    env.push(EnvVar::new(k, v));
                    continue;
                }
            }
        }
        argv.push(w);
    }
    if argv.is_empty() {
        return Err(PlanError::Setting {
            var: "start command".into(),
            reason: format!("{command:?} has no program to run"),
        });
    }
    Ok((env, argv))
}

fn collect_mounts(stages: &[Stage]) -> Vec<CacheMount> {
    let mut out: Vec<CacheMount> = Vec::new();
    for st in stages {
        for step in &st.steps {
            if let Instruction::Run { mounts, .. } = &step.instruction {
                for m in mounts {
                    if !out.contains(m) {
                        out.push(m.clone());
                    }
                }
            }
        }
    }
    out
}

/// Wrap a language plan into the full build plan.
pub fn assemble(
    cx: &Context,
    provider: &dyn Provider,
    mut lp: LanguagePlan,
) -> Result<BuildPlan, PlanError> {
    let s = cx.settings;
    let mirror = s.registry_mirror.as_deref();
    let dhi_mirror = s.dhi_mirror.as_deref();
    let build_image = rewrite(&lp.build_image, mirror, dhi_mirror);
    let runtime_image = rewrite(&lp.runtime_image, mirror, dhi_mirror);

    // Start command first: it decides whether additional runtimes reach the runtime stage.
    let (raw_cmd, source, processes) = start_command(cx, &lp)?;
    // The start command becomes one `CMD` line: over BuildKit's line limit the build would
    // fail late with a parser error; say which input is too long now.
    if raw_cmd.len() >= crate::render::MAX_LINE {
        let var = match source {
            CommandSource::RunCommand => "RUN_COMMAND",
            CommandSource::Procfile | CommandSource::ProcfileFirst => "Procfile",
            _ => "start command",
        };
        return Err(PlanError::Setting {
            var: var.into(),
            reason: format!(
                "the start command is {} bytes long; a Dockerfile line holds at most {} bytes (put a long command in a script)",
                raw_cmd.len(),
                crate::render::MAX_LINE
            ),
        });
    }
    let additional_runtimes = super::multi::weave(cx, &mut lp, &raw_cmd, processes.as_ref())?;

    // Builder stage.
    let mut builder = vec![Step::workdir(Phase::Setup, "/build")];
    let mut arg_names: Vec<String> = s.build_vars.iter().map(|(k, _)| k.clone()).collect();
    arg_names.sort();
    if !arg_names.is_empty() {
        builder.push(
            Step::arg(arg_names.clone())
                .why("Build arguments: values come from buildx --build-arg, never from this file"),
        );
    }
    let build_env: Vec<EnvVar> = s.build_env.iter().map(|(k, v)| EnvVar::new(k, v)).collect();
    if !build_env.is_empty() {
        builder.push(
            Step::env(Phase::Setup, build_env.clone())
                .why("Build environment allowed by BUILD_ENV"),
        );
    }
    for step in lp.builder.drain(..) {
        // Build-time secrets are mounted where dependencies are fetched.
        if step.phase == Phase::Install && !s.build_secrets.is_empty() {
            builder.push(step.secrets(&s.build_secrets));
        } else {
            builder.push(step);
        }
    }

    let command = provider.translate_command(cx, &raw_cmd);
    if command.trim().is_empty() {
        return Err(PlanError::Setting {
            var: "RUN_COMMAND".into(),
            reason: "no start command: set RUN_COMMAND or add a Procfile with a web process".into(),
        });
    }
    let hardened_user = lp
        .hardened_user
        .clone()
        .unwrap_or_else(|| dhi_user(cx.detection.language).to_string());
    let user = if cx.hardened() {
        hardened_user
    } else {
        UID.to_string()
    };

    // Runtime stage.
    let mut runtime = Vec::new();
    if !lp.no_shell {
        runtime.push(
            Step::run(
                Phase::Runtime,
                [
                    format!("(getent group {UID} >/dev/null || groupadd --gid {UID} app)"),
                    format!("(getent passwd {UID} >/dev/null || useradd --uid {UID} --gid {UID} --create-home --shell /bin/sh app)"),
                    // The app may write its own folder (a session key, SQLite, a cache).
                    format!("install -d -o {UID} -g {UID} /app"),
                ],
            )
            .why("Non-root runtime user (uid 1000) with a home, owning /app; an existing uid 1000 is reused"),
        );
    } else {
        // No shell to chown with: BuildKit creates a WORKDIR that follows USER as that user.
        runtime.push(
            Step::user(Phase::Runtime, &user)
                .why("The runtime user creates /app below, so the app can write its own folder"),
        );
    }
    runtime.push(Step::workdir(Phase::Runtime, "/app"));
    runtime.append(&mut lp.runtime);

    let port_env = EnvVar::new("PORT", s.port.to_string());
    let (argv, extra_env) = if lp.no_shell {
        let (env, argv) = exec_form(&command, s.port)?;
        (argv, env)
    } else if cx.tree.is_dir(".profile.d") {
        let script = format!(
            "for f in /app/.profile.d/*.sh; do [ -r \"$f\" ] && . \"$f\"; done; exec {command}"
        );
        (vec!["sh".into(), "-c".into(), script], Vec::new())
    } else {
        (vec!["sh".into(), "-c".into(), command.clone()], Vec::new())
    };
    let mut start_env = vec![port_env];
    start_env.extend(extra_env);
    runtime.push(Step::env(Phase::Start, start_env).why("The app listens on $PORT"));
    runtime.push(Step::expose(s.port));
    runtime.push(Step::user(Phase::Start, &user));
    runtime.push(if lp.entrypoint {
        Step::entrypoint(argv.clone())
    } else {
        Step::cmd(argv.clone())
    });

    let stages = vec![
        Stage {
            name: Some("builder".into()),
            from: build_image.clone(),
            comment: "Build stage: toolchain, dependencies and build".into(),
            steps: builder,
        },
        Stage {
            name: None,
            from: runtime_image.clone(),
            comment: "Runtime stage: only what the app needs to run".into(),
            steps: runtime,
        },
    ];
    let mut warnings = cx.detection.warnings.clone();
    warnings.extend(cx.version.warnings.iter().cloned());
    warnings.extend(lp.warnings);
    Ok(BuildPlan {
        language: cx.detection.language,
        display_name: cx.detection.display_name.clone(),
        version: lp.version.unwrap_or_else(|| cx.version.value.clone()),
        version_source: cx.version.source.clone(),
        package_manager: lp.package_manager,
        build_image,
        runtime_image,
        hardened: cx.hardened(),
        additional_runtimes,
        syntax: s
            .dockerfile_syntax
            .as_deref()
            .map(|sx| rewrite(sx, mirror, dhi_mirror)),
        cache_mounts: collect_mounts(&stages),
        build_args: arg_names,
        secrets: s.build_secrets.clone(),
        build_env,
        port: s.port,
        user,
        start_command: StartCommand {
            command,
            source,
            argv,
        },
        processes,
        stages,
        warnings,
        notes: lp.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_form_resolves_port_and_env_prefixes() {
        let (env, argv) = exec_form(
            "RUST_LOG=debug ./app --port $PORT --x=${PORT:-80} '${PORT}'",
            5000,
        )
        .unwrap();
        assert_eq!(env, vec![EnvVar::new("RUST_LOG", "debug")]);
        assert_eq!(argv, ["./app", "--port", "5000", "--x=5000", "5000"]);
        let (_, argv) = exec_form("uvicorn main:app  --host ::", 8080).unwrap();
        assert_eq!(argv, ["uvicorn", "main:app", "--host", "::"]);
        assert!(exec_form("A=1", 5000).is_err());
        assert!(exec_form("echo 'unterminated", 5000).is_err());
    }
}
