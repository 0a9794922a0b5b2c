//! Ruby provider: snapshots of the generated Dockerfiles and the behaviour they must have.

use crate::support::plan as plan_support;

use migetpacks_core::language::Language;
use migetpacks_core::plan::{Instruction, Phase};
use plan_support::*;

/// Rails with Postgres, image processing, a local engine and assets to precompile.
const RAILS: &[(&str, &str)] = &[
    (
        "Gemfile",
        "source 'https://rubygems.org'\nruby file: '.ruby-version'\ngem 'rails', '~> 7.1'\ngem 'pg'\ngem 'puma'\ngem 'image_processing'\ngem 'mylocal', path: 'engines/mylocal'\n",
    ),
    (
        "Gemfile.lock",
        "GEM\n  specs:\n    image_processing (1.12.2)\n    pg (1.5.6)\n    puma (6.4.2)\n    rails (7.1.3)\n      railties (= 7.1.3)\n\nBUNDLED WITH\n   2.5.10\n",
    ),
    (".ruby-version", "3.3.1\n"),
    ("Rakefile", "require_relative 'config/application'\n"),
    ("config.ru", "run Rails.application\n"),
    ("config/puma.rb", "port ENV.fetch('PORT', 3000)\n"),
    ("app/assets/stylesheets/application.css", "\n"),
    ("engines/mylocal/mylocal.gemspec", "\n"),
];

/// Sinatra without native gems: nothing to build, the source goes straight to the runtime.
const SINATRA: &[(&str, &str)] = &[
    ("Gemfile", "source 'https://rubygems.org'\ngem 'sinatra'\n"),
    (
        "Gemfile.lock",
        "GEM\n  specs:\n    sinatra (4.0.0)\n\nBUNDLED WITH\n   2.6.7\n",
    ),
    ("app.rb", "require 'sinatra'\n"),
];

#[test]
fn snapshots() {
    for (name, g) in variants(
        Language::Ruby,
        None,
        "3.3.1",
        RAILS,
        "bundle exec puma -C config/puma.rb",
    ) {
        snapshot(&format!("ruby_rails__{name}"), &g);
    }
    for (name, g) in variants(
        Language::Ruby,
        None,
        "3.4.4",
        SINATRA,
        "bundle exec ruby app.rb -p $PORT",
    ) {
        snapshot(&format!("ruby_sinatra__{name}"), &g);
    }
    let rack = [
        ("Gemfile", "gem 'rack'\n"),
        ("config.ru", "run ->(e) { [200, {}, ['ok']] }\n"),
    ];
    snapshot(
        "ruby_rack_unlocked__default",
        &generate(Language::Ruby, None, "3.4.4", &rack, &[]),
    );
}

#[test]
fn no_secret_is_written_into_the_image() {
    // A.3 / D.43: no SECRET_KEY_BASE value and no DATABASE_URL in any stage, whatever the settings.
    for (_, env) in VARIANTS {
        let g = generate(Language::Ruby, None, "3.3.1", RAILS, env);
        let d = &g.dockerfile;
        assert!(
            !d.contains("SECRET_KEY_BASE=") && !d.contains("DATABASE_URL"),
            "{d}"
        );
        for (_, step) in g.plan.steps() {
            if let Instruction::Env { vars } = &step.instruction {
                assert!(vars.iter().all(|v| !v.name.contains("SECRET")), "{vars:?}");
            }
        }
        // The placeholder exists only for the precompile process.
        assert!(d.contains(
            "RUN SECRET_KEY_BASE_DUMMY=1 RAILS_ENV=production bundle exec rake assets:precompile"
        ));
    }
}

#[test]
fn gems_install_before_the_source_and_native_packages_follow_the_gemfile() {
    let g = generate(Language::Ruby, None, "3.3.1", RAILS, &[]);
    let d = &g.dockerfile;
    assert_order(
        d,
        &[
            "libpq-dev libxml2-dev libxslt1-dev libmagickwand-dev libvips-dev",
            "gem install bundler -v 2.5.10 --no-document",
            "COPY Gemfile Gemfile.lock .ruby-version ./",
            "COPY engines/mylocal engines/mylocal",
            "bundle install --jobs 4 --retry 3",
            "COPY . .",
            "assets:precompile",
            "FROM ruby:3.3.1-slim",
            "libpq5 libxml2 libxslt1.1 imagemagick libvips tzdata ca-certificates",
            "COPY --from=builder /usr/local/bundle /usr/local/bundle",
            "COPY --from=builder --chown=1000:1000 /build /app",
        ],
    );
    assert!(
        d.contains("RAILS_ENV=\"production\"") && d.contains("BUNDLE_WITHOUT=\"development:test\"")
    );
    assert_eq!(
        g.plan.start_command.command,
        "bundle exec puma -C config/puma.rb"
    );
    assert!(g.plan.warnings.is_empty(), "{:?}", g.plan.warnings);
}

#[test]
fn without_a_build_step_the_source_is_the_last_layer() {
    let g = generate(Language::Ruby, None, "3.4.4", SINATRA, &[]);
    let d = &g.dockerfile;
    assert!(!d.contains("COPY . .") && !d.contains("/build /app"), "{d}");
    assert_order(
        d,
        &[
            "COPY --from=builder /usr/local/bundle",
            "COPY --chown=1000:1000 . /app",
            "ENV PORT",
        ],
    );
    let last_copy = d.lines().rev().find(|l| l.starts_with("COPY")).unwrap();
    assert_eq!(last_copy, "COPY --chown=1000:1000 . /app");
    assert!(g.plan.phase(Phase::Build).is_empty());
    assert_eq!(g.plan.start_command.command, "bundle exec ruby app.rb");
    assert!(
        !d.contains("RAILS_") && !d.contains("apt-get install -y --no-install-recommends libpq")
    );
    // BUILD_COMMAND brings the source into the builder.
    let g = generate(
        Language::Ruby,
        None,
        "3.4.4",
        SINATRA,
        &[("BUILD_COMMAND", "bundle exec rake build")],
    );
    assert_order(
        &g.dockerfile,
        &[
            "bundle install",
            "COPY . .",
            "RUN bundle exec rake build",
            "/build /app",
        ],
    );
}

#[test]
fn settings_shape_bundler_and_rails() {
    let g = generate(
        Language::Ruby,
        None,
        "3.3.1",
        RAILS,
        &[("BUNDLE_WITHOUT", ""), ("RAILS_ENV", "staging")],
    );
    assert!(!g.dockerfile.contains("BUNDLE_WITHOUT"), "{}", g.dockerfile);
    assert!(g
        .dockerfile
        .contains("RAILS_ENV=staging bundle exec rake assets:precompile"));
    assert!(g.dockerfile.contains("RAILS_ENV=\"staging\""));
    let cached = generate(
        Language::Ruby,
        None,
        "3.3.1",
        RAILS,
        &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "shop")],
    );
    assert_mounts_keyed(&cached.dockerfile, "shop");
    assert!(cached.dockerfile.contains(
        "BUNDLE_USER_CACHE=/usr/local/bundle/cache BUNDLE_GLOBAL_GEM_CACHE=true bundle install"
    ));
    let plain = generate(Language::Ruby, None, "3.3.1", RAILS, &[]);
    assert!(plain.plan.cache_mounts.is_empty() && !plain.dockerfile.contains("GLOBAL_GEM_CACHE"));
}

#[test]
fn default_commands() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("Gemfile", "gem 'puma'\n"), ("config.ru", "")],
            "bundle exec puma -b tcp://[::]:$PORT",
        ),
        (
            &[("Gemfile", "gem 'rack'\n"), ("config.ru", "")],
            "bundle exec rackup -p $PORT -o ::",
        ),
        (
            &[("Gemfile", "gem 'sinatra'\n"), ("app.rb", "")],
            "bundle exec ruby app.rb",
        ),
        (
            &[
                ("Gemfile", "gem 'sidekiq'\n"),
                ("Procfile", "worker: bundle exec sidekiq\n"),
            ],
            "bundle exec sidekiq",
        ),
    ];
    for (files, want) in cases {
        assert_eq!(
            generate(Language::Ruby, None, "3.4.4", files, &[])
                .plan
                .start_command
                .command,
            want
        );
    }
    let e = try_generate(
        Language::Ruby,
        None,
        "3.4.4",
        &[("Gemfile", "gem 'x'\n")],
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().contains("RUN_COMMAND"), "{e}");
    let e = try_generate(Language::Ruby, None, "3.4.4", &[("Rakefile", "")], &[]).unwrap_err();
    assert!(e.to_string().starts_with("Gemfile:"), "{e}");
}

#[test]
fn hardened_runtime() {
    let g = generate(
        Language::Ruby,
        None,
        "3.3.1",
        RAILS,
        &[
            ("USE_DHI", "true"),
            ("RUN_COMMAND", "bundle exec bin/rails server"),
        ],
    );
    let d = &g.dockerfile;
    assert_eq!(g.plan.build_image, "dhi.io/ruby:3.3.1-dev");
    assert!(d.contains("COPY --from=builder /usr/lib/*/libpq.so* /usr/lib/"));
    assert!(d.contains("COPY --from=builder /usr/share/zoneinfo /usr/share/zoneinfo"));
    assert!(
        d.contains("CMD [\"bundle\",\"exec\",\"ruby\",\"bin/rails\",\"server\"]"),
        "{d}"
    );
    let runtime = &d[d.find("FROM dhi.io/ruby:3.3.1\n").unwrap()..];
    assert!(!runtime.contains("RUN "), "{runtime}");
}

#[test]
fn local_gems_outside_the_source_are_reported() {
    let files = [
        ("Gemfile", "gem 'shared', path: '../shared'\n"),
        ("app.rb", ""),
    ];
    let g = generate(Language::Ruby, None, "3.4.4", &files, &[]);
    assert!(
        g.plan.warnings.iter().any(|w| w.contains("../shared")),
        "{:?}",
        g.plan.warnings
    );
    assert!(g.plan.warnings.iter().any(|w| w.contains("Gemfile.lock")));
    assert!(!g.dockerfile.contains("shared"));
}
