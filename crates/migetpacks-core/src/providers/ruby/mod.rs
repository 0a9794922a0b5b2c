//! Ruby (Bundler). Gems are installed into `/usr/local/bundle` from the Gemfile, lockfile and
//! local path gems alone; the runtime stage copies that folder. Without Rails assets or a
//! `BUILD_COMMAND` the source goes straight from the build context into the runtime stage as
//! its last layer. Asset precompilation uses `SECRET_KEY_BASE_DUMMY=1` for that one command:
//! no secret is ever written into the image.

pub mod gems;

use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::{mount, CacheKind};
use crate::plan::{EnvVar, Phase, Step};
use gems::{Gems, BASE_DEV};
use shell_words::quote;

/// The Ruby provider.
pub struct Ruby;

/// Gems live outside the source folder, so the runtime stage copies them alone.
const BUNDLE: &str = "/usr/local/bundle";
/// Empty `tmp/` and `log/` folders the runtime user can write to (they are often ignored
/// by `.dockerignore`, and a hardened runtime has no shell to create them).
const WRITABLE: &str = "/writable";

/// Bundler settings shared by both stages: where gems live, which groups are skipped, and the
/// app's own `.bundle/config` ignored (it often points at a developer's machine).
fn bundle_env(cx: &Context, gems: &Gems) -> Vec<EnvVar> {
    let mut env = vec![
        EnvVar::new("BUNDLE_APP_CONFIG", BUNDLE),
        EnvVar::new("BUNDLE_PATH", BUNDLE),
        EnvVar::new("GEM_HOME", BUNDLE),
    ];
    let without = cx.settings.lang.bundle_without.trim();
    if !without.is_empty() {
        env.push(EnvVar::new(
            "BUNDLE_WITHOUT",
            without.split_whitespace().collect::<Vec<_>>().join(":"),
        ));
    }
    if gems.locked() {
        env.push(EnvVar::new("BUNDLE_DEPLOYMENT", "1"));
    }
    env
}

/// Rails assets need precompiling: a Rakefile, asset sources, and no committed manifest.
fn rails_assets(cx: &Context) -> Result<bool, PlanError> {
    if !cx.has("Rakefile") || !(cx.tree.is_dir("app/assets") || cx.tree.is_dir("app/javascript")) {
        return Ok(false);
    }
    let committed = cx.tree.find_files("public/assets", 0, 1, &|n| {
        n.ends_with(".json")
            && (n.starts_with(".sprockets-manifest-") || n.starts_with("manifest-"))
    })?;
    Ok(committed.is_empty())
}

fn default_command(cx: &Context, gems: &Gems) -> String {
    if cx.has("config.ru") {
        if gems.has("puma") {
            return if cx.has("config/puma.rb") {
                "bundle exec puma -C config/puma.rb".into()
            } else {
                "bundle exec puma -b tcp://[::]:$PORT".into()
            };
        }
        return "bundle exec rackup -p $PORT -o ::".into();
    }
    if cx.has("app.rb") {
        return "bundle exec ruby app.rb".into();
    }
    String::new()
}

/// Hardened runtimes have no `/usr/bin/env` for binstub shebangs: run them through `ruby`.
fn shebang_free(command: &str) -> String {
    for (from, to) in [
        ("bundle exec ./bin/", "bundle exec ruby bin/"),
        ("bundle exec bin/", "bundle exec ruby bin/"),
        ("./bin/", "ruby bin/"),
        ("bin/", "ruby bin/"),
    ] {
        if let Some(rest) = command.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    command.to_string()
}

impl Provider for Ruby {
    fn language(&self) -> Language {
        Language::Ruby
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["Gemfile", "Rakefile", "config.ru"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Ruby;
        first!(
            v.env(Ruby),
            v.version_file(".ruby-version", Ruby),
            v.tool_files(Ruby),
            v.line("Gemfile", &GEMFILE_RUBY, "Gemfile ruby", Ruby),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let v = &cx.version.value;
        let gemfile = cx.read("Gemfile")?.ok_or_else(|| PlanError::Manifest {
            path: "Gemfile".into(),
            reason: "missing: a Ruby app needs a Gemfile".into(),
        })?;
        let gems = Gems::new(gemfile, cx.read("Gemfile.lock")?);
        let native = gems.native();
        let rails = gems.has("rails") || gems.has("railties");
        let assets = rails_assets(cx)?;
        let mut warnings = Vec::new();
        let mut notes = Vec::new();
        let mut b = Vec::new();

        // Builder system packages: the official image has compilers and common headers.
        let mut pkgs: Vec<&str> = Vec::new();
        if cx.hardened() {
            pkgs.extend(["build-essential", "git"]);
            pkgs.extend(BASE_DEV);
            pkgs.extend(native.iter().flat_map(|n| n.dev.iter().chain(n.runtime)));
        } else {
            pkgs.extend(native.iter().flat_map(|n| n.dev.iter()));
        }
        if !pkgs.is_empty() {
            b.push(
                Step::run(Phase::Setup, crate::providers::common::apt_install(&pkgs)).why(
                    if cx.hardened() {
                        "Compilers, headers, and the shared libraries the runtime stage copies"
                    } else {
                        "Headers for the native extensions in the Gemfile"
                    },
                ),
            );
        }
        let mut env = bundle_env(cx, &gems);
        env.push(EnvVar::expanding("PATH", format!("{BUNDLE}/bin:$PATH")));
        b.push(Step::env(Phase::Setup, env).why("Bundler installs into /usr/local/bundle"));
        let mut setup = vec![format!("mkdir -p {WRITABLE}/tmp/pids {WRITABLE}/tmp/cache {WRITABLE}/tmp/sockets {WRITABLE}/log")];
        let mut why = "Writable tmp/ and log/ folders for the runtime stage".to_string();
        if let Some(bv) = gems.bundler_version() {
            // Only when the image lacks it: the image's own Bundler often is that version,
            // and a builder without RubyGems access can then still build.
            setup.push(format!(
                "(gem list --installed --exact --version {bv} bundler >/dev/null || gem install bundler -v {bv} --no-document)"
            ));
            why.push_str(&format!(
                ", and Bundler {bv} from Gemfile.lock unless the image has it"
            ));
        }
        b.push(Step::run(Phase::Setup, setup).why(why));

        let mut manifests = vec!["Gemfile".to_string()];
        manifests.extend(cx.existing(&["Gemfile.lock", ".ruby-version", ".tool-versions"]));
        b.push(
            Step::copy(Phase::Manifests, manifests, "./")
                .why("Gemfile, lockfile and local gems first: the install below is reused while they are unchanged"),
        );
        for p in gems.local_paths() {
            match crate::source::clean(&p) {
                Ok(clean) if !clean.is_empty() && cx.tree.is_dir(&clean) => {
                    b.push(Step::copy(Phase::Manifests, [clean.clone()], &clean));
                }
                _ => warnings.push(format!(
                    "Gemfile: local gem path {p:?} is not a folder inside the source; it is not copied before bundle install"
                )),
            }
        }
        if !gems.locked() {
            warnings
                .push("Gemfile.lock is missing: gem versions are resolved at build time".into());
        }
        let mut install = String::from("bundle install --jobs 4 --retry 3");
        let mounts = cx.mounts(&[CacheKind::Bundler]);
        if !mounts.is_empty() {
            // Downloaded .gem files go to the cache mount, shared by later builds.
            let cache = mount(CacheKind::Bundler, None).target;
            install = format!("BUNDLE_USER_CACHE={cache} BUNDLE_GLOBAL_GEM_CACHE=true {install}");
        }
        b.push(
            Step::run(
                Phase::Install,
                [
                    install,
                    format!("rm -rf {BUNDLE}/ruby/*/cache {BUNDLE}/ruby/*/bundler/gems/*/.git"),
                ],
            )
            .mounts(mounts)
            .why("Install gems; drop the downloaded .gem files and git histories"),
        );

        let mut build = Vec::new();
        if let Some(cmd) = &cx.settings.build_command {
            build.push(cmd.clone());
        }
        if assets {
            // A placeholder secret for this one process (Rails 7.1+); DATABASE_URL is unset.
            build.push(format!(
                "SECRET_KEY_BASE_DUMMY=1 RAILS_ENV={} bundle exec rake assets:precompile",
                quote(&cx.settings.lang.rails_env)
            ));
            // The asset pipeline's cache is build-only.
            build.push("rm -rf tmp/cache".into());
            if let Some(rv) = gems.locked_version("rails").filter(|rv| {
                crate::providers::dhi::parse(rv).is_some_and(|(a, b, _)| (a, b) < (7, 1))
            }) {
                warnings.push(format!(
                    "Rails {rv} predates SECRET_KEY_BASE_DUMMY (7.1): if assets:precompile needs secret_key_base, read it from a BuildKit secret (BUILD_SECRETS)"
                ));
            }
            notes.push("Rails assets are precompiled in the builder".into());
        }
        let source_in_builder = !build.is_empty();
        if source_in_builder {
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            b.push(Step::run(Phase::Build, build).why(if assets {
                "Precompile assets"
            } else {
                "BUILD_COMMAND"
            }));
        }

        // Runtime stage.
        let mut r = Vec::new();
        let runtime_pkgs: Vec<&str> = native
            .iter()
            .flat_map(|n| n.runtime.iter().copied())
            .chain(["tzdata", "ca-certificates"])
            .collect();
        if cx.hardened() {
            let mut first = true;
            for (src, dest) in native.iter().flat_map(|n| n.files.iter()).chain(&[
                ("/usr/share/zoneinfo", "/usr/share/zoneinfo"),
                ("/etc/ssl/certs", "/etc/ssl/certs"),
            ]) {
                let step = Step::copy_from(Phase::Runtime, "builder", [*src], dest);
                r.push(if first {
                    step.why("No package manager here: shared libraries, time zones and CA certificates from the builder")
                } else {
                    step
                });
                first = false;
            }
        } else {
            r.push(
                Step::run(
                    Phase::Runtime,
                    crate::providers::common::apt_install(&runtime_pkgs),
                )
                .why("Shared libraries of the native gems, time zones and CA certificates"),
            );
        }
        let mut env = bundle_env(cx, &gems);
        env.push(EnvVar::expanding(
            "PATH",
            format!("/app/bin:{BUNDLE}/bin:$PATH"),
        ));
        env.extend([
            EnvVar::new("LANG", "C.UTF-8"),
            EnvVar::new("RACK_ENV", "production"),
            EnvVar::new("MALLOC_ARENA_MAX", "2"),
        ]);
        if rails {
            env.extend([
                EnvVar::new("RAILS_ENV", &cx.settings.lang.rails_env),
                EnvVar::new("RAILS_SERVE_STATIC_FILES", "enabled"),
                EnvVar::new("RAILS_LOG_TO_STDOUT", "enabled"),
            ]);
        }
        r.push(
            Step::env(Phase::Runtime, env)
                .why("Ruby and Rack environment (secrets come from the deployment, not the image)"),
        );
        r.push(
            Step::copy_from(Phase::Runtime, "builder", [BUNDLE], BUNDLE)
                .why("Gems from the builder; root-owned, the app only reads them"),
        );
        r.push(
            Step::copy_from(Phase::Runtime, "builder", [format!("{WRITABLE}/")], "/app/")
                .chown(&cx.owner())
                .why("tmp/ and log/ writable by the app"),
        );
        r.push(if source_in_builder {
            cx.copy_build_to_app()
        } else {
            cx.copy_source_to_app()
        });

        Ok(LanguagePlan {
            package_manager: Some("bundler".into()),
            build_image: if cx.hardened() {
                format!("dhi.io/ruby:{v}-dev")
            } else {
                format!("ruby:{v}")
            },
            runtime_image: if cx.hardened() {
                format!("dhi.io/ruby:{v}")
            } else {
                format!("ruby:{v}-slim")
            },
            builder: b,
            runtime: r,
            default_command: default_command(cx, &gems),
            no_shell: cx.hardened(),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    fn translate_command(&self, cx: &Context, command: &str) -> String {
        if cx.hardened() {
            shebang_free(command)
        } else {
            command.to_string()
        }
    }
}

re!(GEMFILE_RUBY, r#"^\s*ruby\s*\(?\s*['"]([^'"]*)['"]"#);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binstubs_run_through_ruby_without_a_shell() {
        assert_eq!(
            shebang_free("bundle exec ./bin/rails server"),
            "bundle exec ruby bin/rails server"
        );
        assert_eq!(shebang_free("bin/rails s"), "ruby bin/rails s");
        assert_eq!(shebang_free("./bin/web"), "ruby bin/web");
        assert_eq!(shebang_free("bundle exec puma"), "bundle exec puma");
    }
}
