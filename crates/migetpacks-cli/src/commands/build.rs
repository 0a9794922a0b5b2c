//! `migetpacks build`: from a source folder to a pushed (or loaded) image and a result file.
//!
//! Everything that can be a pure function (settings, detection, the plan, the buildx argv, the
//! result document, masking) comes from the core; this module only sequences it, talks to
//! `docker`, and prints.

use crate::exit::Failure;
use crate::runner;
use crate::ui::Ui;
use migetpacks_core::appjson::AppJson;
use migetpacks_core::buildx::{buildx_command, BuildCommand, BuildxInput};
use migetpacks_core::imageref::ImageRef;
use migetpacks_core::language::Language;
use migetpacks_core::mask::Masker;
use migetpacks_core::pipeline::{effective_tree, generate_with};
use migetpacks_core::result::{BuildResult, ImageResult};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `migetpacks build`.
pub struct Options {
    /// Source folder.
    pub path: Option<PathBuf>,
    /// Print the argv instead of running buildx.
    pub dry_run: bool,
}

/// A failure with what the result file needs.
struct BuildFailure {
    failure: Failure,
    language: Option<Language>,
}

impl From<Failure> for BuildFailure {
    fn from(failure: Failure) -> BuildFailure {
        BuildFailure {
            failure,
            language: None,
        }
    }
}

impl From<migetpacks_core::Error> for BuildFailure {
    fn from(e: migetpacks_core::Error) -> BuildFailure {
        Failure::from(e).into()
    }
}

/// What a successful build produced.
struct Built {
    language: Language,
    images: Vec<ImageResult>,
    processes: Option<migetpacks_core::procfile::Processes>,
    hardened: bool,
    failed_services: usize,
}

/// Everything the steps share.
struct Run<'a> {
    ui: &'a Ui,
    settings: Settings,
    masker: Masker,
    output: ImageRef,
    tree: SourceTree,
    dry_run: bool,
    temp: tempfile::TempDir,
}

/// Run the build; returns the process exit code.
pub fn run(env: &EnvMap, opts: Options, ui: &Ui) -> i32 {
    let start = Instant::now();
    let result_file = env
        .get("RESULT_FILE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let (outcome, masker, app_json, custom) = match prepare(env, &opts, ui) {
        Ok(run) => {
            let app = read_app_json(&run);
            let custom = run.settings.custom_data.clone();
            let outcome = app
                .as_ref()
                .map_err(|f| BuildFailure {
                    failure: Failure::new(f.code, f.message.clone()),
                    language: None,
                })
                .and_then(|_| build(&run));
            (outcome, Some(run.masker), app.ok().flatten(), custom)
        }
        Err(f) => (Err(f), None, None, None),
    };
    let mask = |s: &str| masker.as_ref().map(|m| m.mask(s)).unwrap_or_else(|| s.to_string());
    let secs = start.elapsed().as_secs();
    let timestamp = now_utc();
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
            ui.info(&format!("Built in {secs}s"));
            let mut doc = BuildResult::success(built.language, built.images, secs, timestamp);
            doc.processes = built.processes;
            doc.set_hardened(built.hardened);
            if built.failed_services > 0 {
                let msg = format!("{} service(s) failed to build", built.failed_services);
                ui.error(&msg);
                doc = doc.into_failure(msg, 1);
                (1, doc)
            } else {
                (0, doc)
            }
        }
        Err(BuildFailure { failure, language }) => {
            let msg = mask(&failure.message);
            ui.error(&msg);
            (
                failure.code,
                BuildResult::failure(language, msg, failure.code, secs, timestamp),
            )
        }
    };
    let Some(path) = result_file else {
        return code;
    };
    let mut doc = doc;
    if let Some(app) = &app_json {
        doc.set_app_json(app, &mut random_bytes);
    }
    if let Some(c) = custom {
        doc.custom = Some(c);
    }
    let text = mask(&doc.to_pretty_json());
    let write = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&path, text));
    match write {
        // migetpacks' policy: with a result file, a handled failure still exits 0.
        Ok(()) => 0,
        Err(e) => {
            ui.error(&format!("RESULT_FILE {}: {e}", path.display()));
            if code == 0 {
                1
            } else {
                code
            }
        }
    }
}

/// Validate settings, the output image and the source folder; print the banner.
fn prepare<'a>(env: &EnvMap, opts: &Options, ui: &'a Ui) -> Result<Run<'a>, BuildFailure> {
    let mut settings = Settings::from_env(env).map_err(migetpacks_core::Error::from)?;
    let output = settings
        .output_image
        .clone()
        .ok_or_else(|| Failure::usage("OUTPUT_IMAGE environment variable is required"))?;
    let output = ImageRef::parse(&output).map_err(|e| Failure::usage(format!("OUTPUT_IMAGE: {e}")))?;
    settings.source_dir = opts
        .path
        .clone()
        .or_else(|| env.get("SOURCE_DIR").filter(|s| !s.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    let root = SourceTree::open(&settings.source_dir).map_err(|_| {
        Failure::new(
            crate::exit::SOURCE,
            format!("SOURCE_DIR does not exist: {}", settings.source_dir.display()),
        )
    })?;
    let (masker, mask_warnings) = Masker::new(&settings.secrets);
    ui.header("Migetpacks Build");
    ui.info(&format!("Output image: {output}"));
    if settings.tag_latest {
        ui.info("Tag latest:   yes");
    }
    ui.info(&format!("Platform:     {}", settings.arch.platform()));
    if let Some(c) = env.get("CACHE_IMAGE").filter(|c| !c.is_empty()) {
        ui.info(&format!("Cache:        {}", masker.mask(c)));
    }
    if let Some(p) = &settings.project_path {
        ui.info(&format!("Project path: {p}"));
    }
    for w in mask_warnings {
        ui.warn(&w);
    }
    let tree = effective_tree(&settings, &root).map_err(|_| {
        Failure::new(
            crate::exit::SOURCE,
            format!(
                "PROJECT_PATH does not exist: {}",
                settings
                    .source_dir
                    .join(settings.project_path.as_deref().unwrap_or_default())
                    .display()
            ),
        )
    })?;
    let temp = tempfile::Builder::new()
        .prefix("migetpacks-")
        .tempdir()
        .map_err(|e| Failure::new(1, format!("temporary folder: {e}")))?;
    runner::register_temp(temp.path().to_path_buf());
    Ok(Run {
        ui,
        settings,
        masker,
        output,
        tree,
        dry_run: opts.dry_run,
        temp,
    })
}

fn read_app_json(run: &Run) -> Result<Option<AppJson>, Failure> {
    let Some(text) = run
        .tree
        .read("app.json")
        .map_err(|e| Failure::new(crate::exit::SOURCE, e.to_string()))?
    else {
        return Ok(None);
    };
    let app = AppJson::parse(&text).map_err(|e| Failure::new(crate::exit::SOURCE, e.to_string()))?;
    run.ui.info(&format!("app.json: {} env variable(s) defined", app.env.len()));
    Ok(Some(app))
}

fn build(run: &Run) -> Result<Built, BuildFailure> {
    let detection = migetpacks_core::detect::detect(&run.settings, &run.tree)
        .map_err(|e| BuildFailure::from(migetpacks_core::Error::from(e)))?;
    let language = detection.language;
    let with_lang = |f: Failure| BuildFailure {
        failure: f,
        language: Some(language),
    };
    run.ui.header(&format!("{} app detected", detection.display_name));
    match language {
        Language::Dockerfile => super::passthrough::dockerfile(run, &detection).map_err(with_lang),
        Language::Compose => super::passthrough::compose(run).map_err(with_lang),
        _ => generated(run, detection).map_err(with_lang),
    }
}
