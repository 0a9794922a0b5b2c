//! The build plan: everything the Dockerfile says, as data.
//!
//! A provider (one per language) produces a [`BuildPlan`]; [`crate::render`] turns it into a
//! Dockerfile. The renderer knows nothing about languages: whatever differs between languages
//! is in the plan. `migetpacks plan --json` prints this structure.

use crate::language::Language;
use crate::mounts::CacheMount;
use serde::Serialize;

/// Why a step exists; lets readers (and tests) find "the install step" of any language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Stage setup: workdir, build args, environment, toolchain preparation.
    Setup,
    /// Copy of dependency manifests and lockfiles.
    Manifests,
    /// Dependency installation.
    Install,
    /// Copy of the application source.
    Source,
    /// The build step (compile, bundle, assets).
    Build,
    /// Removal of build-only files and dependencies.
    Prune,
    /// Runtime-stage setup (user, system packages, copies from the builder).
    Runtime,
    /// How the image starts (user, port, command).
    Start,
}

/// One environment variable of an `ENV` instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvVar {
    /// Name (validated `[A-Za-z_][A-Za-z0-9_]*`).
    pub name: String,
    /// Value (escaped by the renderer).
    pub value: String,
    /// True when `$VAR` references in the value are meant to expand (`PATH="/x:$PATH"`);
    /// false for user values, whose `$` is escaped.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub expand: bool,
}

impl EnvVar {
    /// Build an `EnvVar`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> EnvVar {
        EnvVar {
            name: name.into(),
            value: value.into(),
            expand: false,
        }
    }

    /// An `EnvVar` whose `$VAR` references expand (only for values the generator writes).
    pub fn expanding(name: impl Into<String>, value: impl Into<String>) -> EnvVar {
        EnvVar {
            expand: true,
            ..EnvVar::new(name, value)
        }
    }
}

/// A Dockerfile instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Instruction {
    /// `WORKDIR path`.
    Workdir {
        /// Directory.
        path: String,
    },
    /// `ARG name` (values are passed by buildx, never written here).
    Arg {
        /// Argument names.
        names: Vec<String>,
    },
    /// `ENV a="1" b="2"`.
    Env {
        /// Variables.
        vars: Vec<EnvVar>,
    },
    /// `COPY [--from=stage] [--chown=owner] src… dest`.
    Copy {
        /// Source stage or image (`None` = the build context).
        from: Option<String>,
        /// Owner for the copied files.
        chown: Option<String>,
        /// Sources.
        sources: Vec<String>,
        /// Destination.
        dest: String,
    },
    /// `RUN [--mount…] cmd && cmd`.
    Run {
        /// Commands, joined with `&&`.
        commands: Vec<String>,
        /// Package-manager cache mounts.
        mounts: Vec<CacheMount>,
        /// BuildKit secrets mounted as environment variables of the same name.
        secrets: Vec<String>,
    },
    /// `USER user`.
    User {
        /// User name or uid.
        user: String,
    },
    /// `EXPOSE port`.
    Expose {
        /// Port.
        port: u16,
    },
    /// `CMD [..]` in exec form.
    Cmd {
        /// argv.
        argv: Vec<String>,
    },
    /// `ENTRYPOINT [..]` in exec form.
    Entrypoint {
        /// argv.
        argv: Vec<String>,
    },
}

/// A commented instruction with its phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Why the step is there (rendered as a `#` comment above it, starting a paragraph).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Phase.
    pub phase: Phase,
    /// The instruction.
    #[serde(flatten)]
    pub instruction: Instruction,
}

impl Step {
    fn new(phase: Phase, instruction: Instruction) -> Step {
        Step {
            comment: None,
            phase,
            instruction,
        }
    }

    /// Attach a comment.
    pub fn why(mut self, comment: impl Into<String>) -> Step {
        self.comment = Some(comment.into());
        self
    }

    /// `WORKDIR`.
    pub fn workdir(phase: Phase, path: &str) -> Step {
        Step::new(phase, Instruction::Workdir { path: path.into() })
    }

    /// `ENV` with several variables.
    pub fn env(phase: Phase, vars: Vec<EnvVar>) -> Step {
        Step::new(phase, Instruction::Env { vars })
    }

    /// `COPY` from the build context.
    pub fn copy<S: Into<String>>(
        phase: Phase,
        sources: impl IntoIterator<Item = S>,
        dest: &str,
    ) -> Step {
        Step::new(
            phase,
            Instruction::Copy {
                from: None,
                chown: None,
                sources: sources.into_iter().map(Into::into).collect(),
                dest: dest.into(),
            },
        )
    }

    /// `COPY --from=<stage>`.
    pub fn copy_from<S: Into<String>>(
        phase: Phase,
        from: &str,
        sources: impl IntoIterator<Item = S>,
        dest: &str,
    ) -> Step {
        let mut s = Step::copy(phase, sources, dest);
        if let Instruction::Copy { from: f, .. } = &mut s.instruction {
            *f = Some(from.into());
        }
        s
    }

    /// Set the owner of a `COPY` (no effect on other instructions).
    pub fn chown(mut self, owner: &str) -> Step {
        if let Instruction::Copy { chown, .. } = &mut self.instruction {
            *chown = Some(owner.into());
        }
        self
    }

    /// `RUN` of one or more commands joined with `&&`.
    pub fn run<S: Into<String>>(phase: Phase, commands: impl IntoIterator<Item = S>) -> Step {
        Step::new(
            phase,
            Instruction::Run {
                commands: commands.into_iter().map(Into::into).collect(),
                mounts: Vec::new(),
                secrets: Vec::new(),
            },
        )
    }

    /// Add cache mounts to a `RUN` (no effect on other instructions).
    pub fn mounts(mut self, extra: Vec<CacheMount>) -> Step {
        if let Instruction::Run { mounts, .. } = &mut self.instruction {
            mounts.extend(extra);
        }
        self
    }

    /// Add secret mounts to a `RUN` (no effect on other instructions).
    pub fn secrets(mut self, ids: &[String]) -> Step {
        if let Instruction::Run { secrets, .. } = &mut self.instruction {
            secrets.extend(ids.iter().cloned());
        }
        self
    }

    /// `USER`.
    pub fn user(phase: Phase, user: &str) -> Step {
        Step::new(phase, Instruction::User { user: user.into() })
    }

    /// `EXPOSE`.
    pub fn expose(port: u16) -> Step {
        Step::new(Phase::Start, Instruction::Expose { port })
    }

    /// `CMD` in exec form.
    pub fn cmd(argv: Vec<String>) -> Step {
        Step::new(Phase::Start, Instruction::Cmd { argv })
    }

    /// `ENTRYPOINT` in exec form.
    pub fn entrypoint(argv: Vec<String>) -> Step {
        Step::new(Phase::Start, Instruction::Entrypoint { argv })
    }

    /// `ARG` names.
    pub fn arg(names: Vec<String>) -> Step {
        Step::new(Phase::Setup, Instruction::Arg { names })
    }
}

/// One `FROM` and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Stage name (`builder`); the last stage is unnamed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Base image (after mirror rewriting).
    pub from: String,
    /// Comment above the `FROM`.
    pub comment: String,
    /// Steps in order.
    pub steps: Vec<Step>,
}

/// Where the start command came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandSource {
    /// `RUN_COMMAND`.
    RunCommand,
    /// The Procfile's `web` process.
    Procfile,
    /// The first Procfile process (no `web`).
    ProcfileFirst,
    /// The language default.
    Default,
}

/// The command the image runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StartCommand {
    /// The command as written (shell syntax; `$PORT` allowed).
    pub command: String,
    /// Where it came from.
    pub source: CommandSource,
    /// The exec-form argv written into `CMD`/`ENTRYPOINT`.
    pub argv: Vec<String>,
}

/// An additional runtime (multi-buildpack) and where its files come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdditionalRuntime {
    /// The language.
    pub language: Language,
    /// Its version (image tag).
    pub version: String,
    /// Where the version came from.
    pub version_source: String,
    /// The image its toolchain is copied from into the builder (after mirror rewriting).
    pub image: String,
    /// True when the runtime is also copied into the runtime stage.
    pub in_runtime_image: bool,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildPlan {
    /// Language id.
    pub language: Language,
    /// Display name (`Node.js (yarn)`).
    pub display_name: String,
    /// Version used in image tags.
    pub version: String,
    /// Where the version came from.
    pub version_source: String,
    /// Package manager or build tool (`npm`, `pip`, `uv`, `maven` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_manager: Option<String>,
    /// Builder image (after mirror rewriting).
    pub build_image: String,
    /// Runtime image (after mirror rewriting).
    pub runtime_image: String,
    /// Docker Hardened Images in use.
    pub hardened: bool,
    /// Additional runtimes (multi-buildpack), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_runtimes: Vec<AdditionalRuntime>,
    /// `# syntax=` frontend, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syntax: Option<String>,
    /// Every cache mount the Dockerfile uses (deduplicated).
    pub cache_mounts: Vec<CacheMount>,
    /// Build-arg names (values go to buildx, never into the Dockerfile).
    pub build_args: Vec<String>,
    /// BuildKit secret ids the install steps mount.
    pub secrets: Vec<String>,
    /// Builder-stage environment from `BUILD_ENV`.
    pub build_env: Vec<EnvVar>,
    /// Port the app listens on (`EXPOSE`, `ENV PORT`).
    pub port: u16,
    /// Runtime user.
    pub user: String,
    /// The start command.
    pub start_command: StartCommand,
    /// Procfile processes (for the result file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processes: Option<crate::procfile::Processes>,
    /// Stages in order (the last one is the image).
    pub stages: Vec<Stage>,
    /// Things the user should know.
    pub warnings: Vec<String>,
    /// Informational lines (what was detected, which hook runs).
    pub notes: Vec<String>,
}

impl BuildPlan {
    /// Steps of every stage, with the stage index.
    pub fn steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.steps.iter().map(move |st| (i, st)))
    }

    /// Steps of one phase, in order.
    pub fn phase(&self, phase: Phase) -> Vec<&Step> {
        self.steps()
            .filter(|(_, s)| s.phase == phase)
            .map(|(_, s)| s)
            .collect()
    }

    /// Whether `CACHE_MODE=min` costs a dependency install on a source-only change: a builder
    /// stage copies the source after its install, so what the final stage copies from it
    /// changes with the source, and the install (not a final-stage layer) is not in the cache.
    /// Without such a stage the final stage's copies of the builder's output are cache hits and
    /// the builder does not run at all.
    pub fn min_cache_reinstalls(&self) -> bool {
        let Some((_, builders)) = self.stages.split_last() else {
            return false;
        };
        builders.iter().any(|st| {
            st.steps
                .iter()
                .skip_while(|s| s.phase != Phase::Install)
                .any(|s| s.phase == Phase::Source)
        })
    }
}
