//! Render a [`BuildPlan`] into a Dockerfile.
//!
//! The layout (stages, comments, paragraphs) is a Handlebars template embedded in the binary;
//! each instruction is written by one function here that escapes every value, so no value in a
//! plan can add an instruction. The same plan always renders to the same bytes.

use crate::plan::{BuildPlan, EnvVar, Instruction};
use handlebars::Handlebars;
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATE: &str = include_str!("../templates/dockerfile.hbs");

/// A plan value that cannot be written safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A value contains a newline or another control character.
    #[error("{what}: value contains a newline or control character: {value:?}")]
    ControlChar {
        /// Which part of the plan.
        what: String,
        /// The value.
        value: String,
    },
    /// A `RUN` command ending in a backslash would swallow the next instruction.
    #[error("{what}: value must not end with a backslash: {value:?}")]
    TrailingBackslash {
        /// Which part of the plan.
        what: String,
        /// The value.
        value: String,
    },
    /// A name is not a valid variable name.
    #[error("{what}: {name:?} is not a valid name")]
    InvalidName {
        /// Which part of the plan.
        what: String,
        /// The name.
        name: String,
    },
    /// An empty list where at least one element is needed.
    #[error("{0}: empty")]
    Empty(String),
    /// The template engine failed.
    #[error("template: {0}")]
    Template(String),
}

#[derive(Serialize)]
struct View<'a> {
    syntax: Option<&'a str>,
    display_name: &'a str,
    version: &'a str,
    stages: Vec<StageView<'a>>,
}

#[derive(Serialize)]
struct StageView<'a> {
    name: Option<&'a str>,
    from: &'a str,
    comment: &'a str,
    steps: Vec<StepView<'a>>,
}

#[derive(Serialize)]
struct StepView<'a> {
    comment: Option<&'a str>,
    text: String,
}

fn registry() -> &'static Handlebars<'static> {
    static REG: OnceLock<Handlebars<'static>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut h = Handlebars::new();
        h.set_strict_mode(true);
        h.register_escape_fn(handlebars::no_escape);
        h.register_template_string("dockerfile", TEMPLATE)
            .unwrap_or_else(|e| panic!("embedded Dockerfile template is invalid: {e}"));
        h
    })
}

/// Refuse control characters (newlines above all) in a value.
fn single_line<'a>(what: &str, value: &'a str) -> Result<&'a str, RenderError> {
    if value.chars().any(char::is_control) {
        return Err(RenderError::ControlChar {
            what: what.to_string(),
            value: value.to_string(),
        });
    }
    Ok(value)
}

/// Quote an `ENV` value: `\`, `"` and (for literal values) `$` are escaped.
pub fn quote_env(value: &str, expand: bool) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '$' if !expand => out.push_str("\\$"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn env_pair(v: &EnvVar) -> Result<String, RenderError> {
    if !crate::settings::is_valid_name(&v.name) {
        return Err(RenderError::InvalidName {
            what: "ENV".into(),
            name: v.name.clone(),
        });
    }
    single_line(&format!("ENV {}", v.name), &v.value)?;
    Ok(format!("{}={}", v.name, quote_env(&v.value, v.expand)))
}

/// Paths with spaces or quotes need the JSON form of `COPY`.
fn copy_args(sources: &[String], dest: &str) -> Result<String, RenderError> {
    for s in sources.iter().chain(std::iter::once(&dest.to_string())) {
        single_line("COPY", s)?;
    }
    let plain = |s: &str| {
        !s.is_empty()
            && !s.contains(|c: char| c.is_whitespace() || c == '"' || c == '\\' || c == '[')
    };
    if sources.iter().all(|s| plain(s)) && plain(dest) {
        Ok(format!("{} {dest}", sources.join(" ")))
    } else {
        let mut all = sources.to_vec();
        all.push(dest.to_string());
        Ok(serde_json::to_string(&all).map_err(|e| RenderError::Template(e.to_string()))?)
    }
}

fn exec_form(what: &str, argv: &[String]) -> Result<String, RenderError> {
    if argv.is_empty() {
        return Err(RenderError::Empty(what.into()));
    }
    // serde_json escapes quotes, backslashes and control characters: nothing can break out.
    serde_json::to_string(argv).map_err(|e| RenderError::Template(e.to_string()))
}

/// Write one instruction.
pub fn instruction(ins: &Instruction) -> Result<String, RenderError> {
    Ok(match ins {
        Instruction::Workdir { path } => format!("WORKDIR {}", single_line("WORKDIR", path)?),
        Instruction::Arg { names } => {
            for n in names {
                if !crate::settings::is_valid_name(n) {
                    return Err(RenderError::InvalidName {
                        what: "ARG".into(),
                        name: n.clone(),
                    });
                }
            }
            names
                .iter()
                .map(|n| format!("ARG {n}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Instruction::Env { vars } => {
            if vars.is_empty() {
                return Err(RenderError::Empty("ENV".into()));
            }
            let pairs = vars.iter().map(env_pair).collect::<Result<Vec<_>, _>>()?;
            format!("ENV {}", pairs.join(" \\\n    "))
        }
        Instruction::Copy {
            from,
            chown,
            sources,
            dest,
        } => {
            if sources.is_empty() {
                return Err(RenderError::Empty("COPY".into()));
            }
            let mut s = String::from("COPY ");
            if let Some(f) = from {
                s.push_str(&format!("--from={} ", single_line("COPY --from", f)?));
            }
            if let Some(o) = chown {
                s.push_str(&format!("--chown={} ", single_line("COPY --chown", o)?));
            }
            s.push_str(&copy_args(sources, dest)?);
            s
        }
        Instruction::Run {
            commands,
            mounts,
            secrets,
        } => {
            if commands.is_empty() {
                return Err(RenderError::Empty("RUN".into()));
            }
            let mut flags: Vec<String> = mounts.iter().map(|m| m.to_flag()).collect();
            // The file form: the `env=` mount option needs Dockerfile frontend 1.10, and the
            // frontend built into older BuildKit engines (used when no `# syntax=` line is
            // written) rejects it. The variable lives only in this RUN's shell.
            let mut reads = Vec::with_capacity(secrets.len());
            for id in secrets {
                if !crate::settings::is_valid_name(id) {
                    return Err(RenderError::InvalidName {
                        what: "RUN secret".into(),
                        name: id.clone(),
                    });
                }
                flags.push(format!("--mount=type=secret,id={id}"));
                reads.push(format!(
                    "if [ -f /run/secrets/{id} ]; then {id}=\"$(cat /run/secrets/{id})\"; export {id}; fi"
                ));
            }
            let commands: Vec<String> = reads.into_iter().chain(commands.iter().cloned()).collect();
            for f in &flags {
                single_line("RUN --mount", f)?;
            }
            for c in &commands {
                single_line("RUN", c)?;
                // The last command ends the line: a trailing `\` would continue it.
                if c.trim_end().ends_with('\\') {
                    return Err(RenderError::TrailingBackslash {
                        what: "RUN".into(),
                        value: c.clone(),
                    });
                }
            }
            let body = commands.join(" \\\n    && ");
            if flags.is_empty() {
                format!("RUN {body}")
            } else {
                format!("RUN {} \\\n    {body}", flags.join(" \\\n    "))
            }
        }
        Instruction::User { user } => format!("USER {}", single_line("USER", user)?),
        Instruction::Expose { port } => format!("EXPOSE {port}"),
        Instruction::Cmd { argv } => format!("CMD {}", exec_form("CMD", argv)?),
        Instruction::Entrypoint { argv } => {
            format!("ENTRYPOINT {}", exec_form("ENTRYPOINT", argv)?)
        }
    })
}

/// Render the Dockerfile for a plan.
pub fn render(plan: &BuildPlan) -> Result<String, RenderError> {
    let mut stages = Vec::with_capacity(plan.stages.len());
    for st in &plan.stages {
        single_line("FROM", &st.from)?;
        if st.from.is_empty() || st.from.contains(' ') {
            return Err(RenderError::ControlChar {
                what: "FROM".into(),
                value: st.from.clone(),
            });
        }
        let mut steps = Vec::with_capacity(st.steps.len());
        for step in &st.steps {
            if let Some(c) = &step.comment {
                single_line("comment", c)?;
            }
            steps.push(StepView {
                comment: step.comment.as_deref(),
                text: instruction(&step.instruction)?,
            });
        }
        stages.push(StageView {
            name: st.name.as_deref(),
            from: &st.from,
            comment: single_line("stage comment", &st.comment)?,
            steps,
        });
    }
    if let Some(s) = &plan.syntax {
        single_line("DOCKERFILE_SYNTAX", s)?;
    }
    let view = View {
        syntax: plan.syntax.as_deref(),
        display_name: single_line("display name", &plan.display_name)?,
        version: single_line("version", &plan.version)?,
        stages,
    };
    registry()
        .render("dockerfile", &view)
        .map_err(|e| RenderError::Template(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mounts::{mount, CacheKind};
    use crate::plan::{Phase, Step};

    #[test]
    fn env_values_are_escaped() {
        let v = EnvVar::new("A", "x\"y\\z$HOME");
        assert_eq!(env_pair(&v).unwrap(), r#"A="x\"y\\z\$HOME""#);
        let e = EnvVar::expanding("PATH", "/opt/venv/bin:$PATH");
        assert_eq!(env_pair(&e).unwrap(), r#"PATH="/opt/venv/bin:$PATH""#);
        assert!(env_pair(&EnvVar::new("A", "a\nRUN x")).is_err());
        assert!(env_pair(&EnvVar::new("1A", "a")).is_err());
    }

    #[test]
    fn run_with_mounts_and_commands() {
        let s = Step::run(Phase::Install, ["npm ci", "npm cache verify"])
            .mounts(vec![mount(CacheKind::Npm, Some("app"))]);
        assert_eq!(
            instruction(&s.instruction).unwrap(),
            "RUN --mount=type=cache,id=app-npm,target=/root/.npm,sharing=shared \\\n    npm ci \\\n    && npm cache verify"
        );
        let bad = Step::run(Phase::Build, ["echo a\nRUN evil"]);
        assert!(instruction(&bad.instruction).is_err());
        // A trailing backslash would continue the line into the next instruction.
        for cmds in [vec!["make \\"], vec!["make \\ ", "true"]] {
            let bad = Step::run(Phase::Build, cmds);
            assert!(matches!(
                instruction(&bad.instruction),
                Err(RenderError::TrailingBackslash { .. })
            ));
        }
    }

    #[test]
    fn cmd_is_json() {
        let s = Step::cmd(vec![
            "sh".into(),
            "-c".into(),
            "echo \"hi\" \\ $PORT".into(),
        ]);
        assert_eq!(
            instruction(&s.instruction).unwrap(),
            r#"CMD ["sh","-c","echo \"hi\" \\ $PORT"]"#
        );
    }

    #[test]
    fn copy_uses_json_form_for_odd_paths() {
        let s = Step::copy(Phase::Source, ["my file"], "./");
        assert_eq!(
            instruction(&s.instruction).unwrap(),
            r#"COPY ["my file","./"]"#
        );
        let s = Step::copy_from(Phase::Runtime, "builder", ["/build"], "/app").chown("1000:1000");
        assert_eq!(
            instruction(&s.instruction).unwrap(),
            "COPY --from=builder --chown=1000:1000 /build /app"
        );
    }
}
