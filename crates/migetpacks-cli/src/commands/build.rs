//! `migetpacks build`: from a source folder to a pushed (or loaded) image and a result file.
//!
//! Everything that can be a pure function (settings, detection, the plan, the buildx argv, the
//! result document, masking) comes from the core; this module only sequences it, talks to
//! `docker`, and prints.

use super::docker::{self, Docker};
use crate::exit::Failure;
use crate::ui::Ui;
use migetpacks_core::appjson::{self, AppJson};
use migetpacks_core::buildx::{buildx_command, should_push, tags_for, BuildCommand, BuildxInput};
use migetpacks_core::cache::{cache_args, CacheSettings};
use migetpacks_core::detect::Detection;
use migetpacks_core::imageref::ImageRef;
use migetpacks_core::language::Language;
use migetpacks_core::mask::Masker;
use migetpacks_core::pipeline::generate_with;
use migetpacks_core::procfile::Processes;
use migetpacks_core::result::{AppSections, BuildResult, Hardened, ImageResult, ResultContext};
use migetpacks_core::settings::{BuildNetwork, EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Options of `migetpacks build`.
pub struct Options {
    /// Source folder.
    pub path: Option<PathBuf>,
    /// Print the argv instead of running buildx.
    pub dry_run: bool,
}

/// What the result file needs besides success or failure.
#[derive(Default)]
struct Report {
    masker: Masker,
    language: Option<Language>,
    app: Option<AppJson>,
    custom: Option<serde_json::Value>,
    hardened: Option<Hardened>,
    app_port: u16,
}

/// What a build produced.
pub(super) struct Built {
    pub(super) images: Vec<ImageResult>,
    pub(super) processes: Processes,
    /// Compose services that failed.
    pub(super) failed: Vec<String>,
    /// The exit status of the last failed service.
    pub(super) failed_status: i32,
}

/// Shared state of one build.
pub(super) struct Run<'a> {
    pub(super) ui: &'a Ui,
    pub(super) settings: Settings,
    pub(super) output: ImageRef,
    pub(super) tree: SourceTree,
    pub(super) masker: Masker,
    pub(super) temp: PathBuf,
    pub(super) docker: Option<Docker>,
}

/// Run the build; returns the process exit code.
pub fn run(env: &EnvMap, opts: Options, ui: &Ui) -> i32 {
    let start = Instant::now();
    let result_file = env
        .get("RESULT_FILE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let mut report = Report {
        app_port: 5000,
        ..Report::default()
    };
    let mut temp: Option<tempfile::TempDir> = None;
    let outcome = execute(env, &opts, ui, &mut report, &mut temp);
    let build_time_secs = start.elapsed().as_secs();
    let finished_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    if let Some(t) = temp {
        crate::runner::unregister_temp(&t.path().to_path_buf());
        if opts.dry_run {
            // The dry run's Dockerfile stays for the caller to read (its path is on stderr).
            let _ = t.keep();
        }
    }
    let mut generated = std::collections::BTreeMap::new();
    if let Some(app) = &report.app {
        generated = appjson::generate_secrets(app, &mut random_bytes);
    }
    let ctx = ResultContext {
        build_time_secs,
        finished_at,
        app: report
            .app
            .as_ref()
            .map(|a| AppSections::from_app(a, &generated))
            .unwrap_or_default(),
        custom: report.custom.clone(),
        hardened: report.hardened,
    };
    let (code, doc) = match outcome {
        Ok(built) => {
            for img in &built.images {
                ui.info("");
                ui.info(&format!("Image: {}", img.name));
                if let Some(d) = &img.digest {
                    ui.info(&format!("Digest: {d}"));
                }
                if !img.ports.is_empty() {
                    ui.info(&format!("Exposed ports: {}", img.ports.join(", ")));
                }
            }
            if opts.dry_run {
                ui.info("Dry run: nothing was built");
            } else {
                ui.info(&format!("Built in {build_time_secs}s"));
            }
            if report.language == Some(Language::Compose) {
                let code = if built.failed.is_empty() {
                    0
                } else {
                    ui.error(&format!(
                        "{} service(s) failed to build",
                        built.failed.len()
                    ));
                    built.failed_status.max(1)
                };
                (
                    code,
                    BuildResult::compose(built.images, &built.failed, code, ctx),
                )
            } else {
                let lang = report.language.unwrap_or(Language::Dockerfile);
                (
                    0,
                    BuildResult::success(lang, built.images, built.processes, ctx),
                )
            }
        }
        Err(f) => {
            let msg = report.masker.mask(&f.message);
            // One line on the console; the build output above already shows the details.
            ui.error(msg.lines().next().unwrap_or_default());
            let doc = BuildResult::failure(report.language, &msg, f.code, &report.masker, ctx);
            (f.code, doc)
        }
    };
    let Some(path) = result_file else {
        return code;
    };
    let text = match doc.to_masked_json(&report.masker) {
        Ok(t) => t,
        Err(e) => {
            ui.error(&format!("RESULT_FILE: {e}"));
            return code.max(1);
        }
    };
    let write = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text)),
        None => std::fs::write(&path, text),
    };
    match write {
        // migetpacks' policy: with a result file, a handled failure still exits 0.
        Ok(()) => 0,
        Err(e) => {
            ui.error(&format!("RESULT_FILE {}: {e}", path.display()));
            code.max(1)
        }
    }
}

/// 32 random bytes from the operating system, for app.json generated secrets.
fn random_bytes() -> [u8; 32] {
    use std::io::Read;
    let mut b = [0u8; 32];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = f.read_exact(&mut b);
    }
    b
}

fn execute(
    env: &EnvMap,
    opts: &Options,
    ui: &Ui,
    report: &mut Report,
    temp_slot: &mut Option<tempfile::TempDir>,
) -> Result<Built, Failure> {
    let mut settings = Settings::from_env(env).map_err(migetpacks_core::Error::from)?;
    let (masker, mask_warnings) = Masker::new(&settings.secrets);
    report.masker = masker;
    report.custom = settings.custom_data.clone();
    report.app_port = settings.port;
    let output = settings
        .output_image
        .clone()
        .ok_or_else(|| Failure::usage("OUTPUT_IMAGE environment variable is required"))?;
    let output =
        ImageRef::parse(&output).map_err(|e| Failure::usage(format!("OUTPUT_IMAGE: {e}")))?;
    let tree = super::open_source(env, opts.path.clone(), &mut settings)?;

    ui.header("Migetpacks Build");
    ui.info(&format!("Output image: {output}"));
    if settings.tag_latest {
        ui.info("Tag latest:   yes");
    }
    ui.info(&format!("Platform:     {}", settings.arch.platform()));
    if let Some(c) = migetpacks_core::settings::lookup(env, "CACHE_IMAGE").filter(|c| !c.is_empty())
    {
        ui.info(&format!("Cache:        {}", report.masker.mask(c)));
    }
    if let Some(p) = &settings.project_path {
        ui.info(&format!("Project path: {p}"));
    }
    for w in mask_warnings {
        ui.warn(&w);
    }
    for n in settings.notes.iter().cloned().chain(settings.cache.notes()) {
        ui.warn(&n);
    }
    report.app = appjson::from_source(&tree)
        .map_err(|e| Failure::new(crate::exit::SOURCE, e.to_string()))?;
    if let Some(app) = &report.app {
        ui.info(&format!(
            "app.json: {} env variable(s) defined",
            app.env.len()
        ));
    }

    let temp = tempfile::Builder::new()
        .prefix("migetpacks-")
        .tempdir()
        .map_err(|e| Failure::new(crate::exit::BUILD, format!("temporary folder: {e}")))?;
    crate::runner::register_temp(temp.path().to_path_buf());
    let temp_path = temp.path().to_path_buf();
    *temp_slot = Some(temp);
    let docker = if opts.dry_run {
        None
    } else {
        Some(Docker::find(settings.buildx_builder.as_deref())?)
    };
    let run = Run {
        ui,
        settings,
        output,
        tree,
        masker: report.masker.clone(),
        temp: temp_path,
        docker,
    };

    let detection = migetpacks_core::pipeline::detect_language(&run.settings, &run.tree)?;
    report.language = Some(detection.language);
    ui.header(&format!("{} app detected", detection.display_name));
    for e in &detection.evidence {
        ui.info(e);
    }
    for w in &detection.warnings {
        ui.warn(w);
    }
    if matches!(detection.language, Language::Dockerfile | Language::Compose) {
        // Not our Dockerfile: the trade-off may hold.
        if let Some(n) = run.settings.cache.min_mode_note() {
            ui.warn(n);
        }
    }
    match detection.language {
        Language::Dockerfile => super::passthrough::dockerfile(&run, &detection),
        Language::Compose => super::passthrough::compose(&run, &detection),
        _ => generated(&run, detection, report),
    }
}

/// Build a generated Dockerfile.
fn generated(run: &Run, detection: Detection, report: &mut Report) -> Result<Built, Failure> {
    let ui = run.ui;
    let version = migetpacks_core::pipeline::version_of(&detection, &run.settings, &run.tree)?;
    ui.header("Resolving versions");
    ui.info(&format!(
        "{} {} ({})",
        detection.display_name, version.value, version.source
    ));
    let g = generate_with(&run.settings, &run.tree, detection, version)?;
    let plan = &g.plan;
    if plan.min_cache_reinstalls() {
        if let Some(n) = run.settings.cache.min_mode_note() {
            ui.warn(n);
        }
    }
    if let Some(pm) = &plan.package_manager {
        ui.info(&format!("Package manager: {pm}"));
    }
    ui.header("Detecting process types");
    ui.info(&format!(
        "web: {} (from {})",
        plan.start_command.command,
        serde_json::to_value(&plan.start_command.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    ));
    if let Some(cmd) = &run.settings.build_command {
        ui.info(&format!("Build command: {cmd} (custom)"));
    }
    for w in &plan.warnings {
        ui.warn(w);
    }
    for n in &plan.notes {
        ui.info(n);
    }
    ui.info("");
    ui.info(&format!("Build image:   {}", plan.build_image));
    ui.info(&format!("Runtime image: {}", plan.runtime_image));
    if plan.hardened {
        report.hardened = Some(Hardened { shell: false });
    }
    let dockerfile = run.temp.join("Dockerfile");
    write(&dockerfile, &g.dockerfile)?;
    if migetpacks_core::dockerignore::needs_default(&run.tree) {
        // BuildKit reads <Dockerfile>.dockerignore before the context's own ignore file, so the
        // user's source folder is never written to.
        write(
            &run.temp
                .join(migetpacks_core::dockerignore::ignore_file_name(
                    "Dockerfile",
                )),
            migetpacks_core::dockerignore::default_dockerignore(),
        )?;
    }
    if run.settings.debug {
        ui.header("Generated Dockerfile");
        for line in g.dockerfile.lines() {
            ui.info(line);
        }
    }
    let context = context_dir(&run.tree)?;
    let tags = tags_for(&run.output, run.settings.tag_latest);
    let cmd = command(
        run,
        &run.settings.cache,
        run.settings.build_vars.clone(),
        &dockerfile,
        tags,
        &context,
        None,
        "metadata.json",
    )?;
    let digest = execute_build(run, &cmd, "metadata.json")?;
    let ports = vec![format!("{}/tcp", plan.port)];
    let mut processes = plan.processes.clone().unwrap_or_default();
    if !processes.is_empty() {
        processes.web = Some(plan.start_command.command.clone());
    }
    Ok(Built {
        images: vec![ImageResult::new(
            &run.output,
            ports,
            digest,
            report.app_port,
        )],
        processes,
        failed: Vec::new(),
        failed_status: 0,
    })
}

/// The build context folder on disk.
pub(super) fn context_dir(tree: &SourceTree) -> Result<PathBuf, Failure> {
    tree.root()
        .map(Path::to_path_buf)
        .ok_or_else(|| Failure::new(crate::exit::SOURCE, "the source folder is not on disk"))
}

pub(super) fn write(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::new(crate::exit::BUILD, format!("{}: {e}", path.display())))
}

/// The buildx command for one image.
#[allow(clippy::too_many_arguments)]
pub(super) fn command(
    run: &Run,
    cache: &CacheSettings,
    build_args: Vec<(String, String)>,
    dockerfile: &Path,
    tags: Vec<String>,
    context: &Path,
    target: Option<String>,
    metadata: &str,
) -> Result<BuildCommand, Failure> {
    let s = &run.settings;
    buildx_command(&BuildxInput {
        platform: s.arch.platform().to_string(),
        builder: s.buildx_builder.clone(),
        cache_args: cache_args(cache),
        build_args,
        secrets: s.build_secrets.clone(),
        dockerfile: dockerfile.to_path_buf(),
        tags,
        push: should_push(s.push_image, &run.output),
        metadata_file: run.temp.join(metadata),
        network_host: s.build_network == BuildNetwork::Host,
        context: context.to_path_buf(),
        target,
    })
    .map_err(|e| Failure::usage(e.to_string()))
}

/// Run (or, with `--dry-run`, print) one buildx command; returns the pushed image's digest.
pub(super) fn execute_build(
    run: &Run,
    cmd: &BuildCommand,
    metadata: &str,
) -> Result<Option<String>, Failure> {
    let Some(docker) = &run.docker else {
        // Dry run: the argv as JSON on stdout, the generated files' folder on stderr.
        println!("{}", serde_json::to_string(&cmd.args).unwrap_or_default());
        eprintln!("Dockerfile folder: {}", run.temp.display());
        return Ok(None);
    };
    run.ui.header("Building");
    let names: Vec<&str> = run
        .settings
        .build_vars
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    if !names.is_empty() {
        let mut sorted = names.clone();
        sorted.sort_unstable();
        run.ui.info(&format!("Build args: {}", sorted.join(", ")));
    }
    run.ui.flush();
    let outcome = crate::runner::stream(&docker.program, &cmd.args, &cmd.env, &run.masker)?;
    if outcome.status != 0 {
        return Err(Failure::new(
            outcome.status.max(1),
            format!(
                "Docker build failed: {}\n{}",
                failure_summary(&outcome.tail, outcome.status),
                outcome.tail.join("\n")
            ),
        ));
    }
    Ok(docker::digest(&run.temp.join(metadata)))
}

/// The line that says why buildx failed, for the one-line console error: its last `ERROR:`
/// line (`ERROR: failed to solve: …`), else the last non-empty line, else the exit status.
/// The first tail line is usually an unrelated step header.
fn failure_summary(tail: &[String], status: i32) -> String {
    let lines = || tail.iter().map(|l| l.trim()).filter(|l| !l.is_empty());
    lines()
        .rev()
        .find_map(|l| l.strip_prefix("ERROR:"))
        .map(|l| l.trim().to_string())
        .or_else(|| lines().next_back().map(str::to_string))
        .unwrap_or_else(|| format!("docker buildx exited with status {status}"))
}

#[cfg(test)]
mod tests {
    use super::failure_summary;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn summary_is_the_last_error_line() {
        let tail = lines(&[
            "#13 [stage-1 2/5] RUN useradd app",
            "#15 ERROR: failed to push r.io/app:v1: connection refused",
            "------",
            "ERROR: failed to solve: failed to push r.io/app:v1: connection refused",
        ]);
        assert_eq!(
            failure_summary(&tail, 1),
            "failed to solve: failed to push r.io/app:v1: connection refused"
        );
    }

    #[test]
    fn summary_falls_back_to_the_last_line_then_the_status() {
        assert_eq!(failure_summary(&lines(&["a", "b  ", ""]), 3), "b");
        assert_eq!(
            failure_summary(&[], 3),
            "docker buildx exited with status 3"
        );
    }
}
