//! PHP on FrankenPHP (Laravel, a Composer app, a plain index.php).

use crate::support;

use migetpacks_core::language::Language;
use support::{assert_mounts_only_with_cache_dir, assert_order, generate};

fn laravel() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "composer.json",
            r#"{"require": {"php": "^8.2", "laravel/framework": "^11.0", "ext-pdo_pgsql": "*", "ext-intl": "*"},
 "scripts": {"post-autoload-dump": ["Illuminate\\Foundation\\ComposerScripts::postAutoloadDump", "@php artisan package:discover --ansi"]}}"#,
        ),
        ("composer.lock", "{}"),
        ("artisan", "#!/usr/bin/env php\n"),
        ("public/index.php", "<?php\n"),
        ("app/Http/Kernel.php", "<?php\n"),
    ]
}

fn composer_app() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "composer.json",
            r#"{"require": {"ext-mbstring": "*", "ext-gd": "*", "slim/slim": "^4"}, "scripts": {"post-install-cmd": ["php bin/setup.php"]}}"#,
        ),
        ("web/index.php", "<?php\n"),
        ("bin/setup.php", "<?php\n"),
    ]
}

fn index_only() -> Vec<(&'static str, &'static str)> {
    vec![("index.php", "<?php echo 'hi';\n")]
}

#[test]
fn laravel_snapshots() {
    let g = snapshot_variants!(
        "laravel",
        Language::Php,
        "8.3",
        &laravel(),
        &[(
            "Procfile",
            "web: php artisan serve --host=0.0.0.0 --port=$PORT\n"
        )],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["composer"]);
    let df = &default.dockerfile;
    assert!(df.contains("FROM dunglas/frankenphp:builder-php8.3 AS builder"));
    assert!(df.contains("FROM dunglas/frankenphp:php8.3\n"));
    assert_order(
        df,
        &[
            "install-php-extensions @composer intl pdo_pgsql",
            "COPY composer.json composer.lock ./",
            "RUN composer install --no-dev --no-scripts --prefer-dist --no-interaction --no-autoloader",
            "COPY . .",
            "RUN mkdir -p storage/framework/cache/data storage/framework/sessions storage/framework/views storage/logs bootstrap/cache \\\n    && composer dump-autoload --optimize --no-dev --no-interaction\n",
        ],
    );
    // The runtime gets the extensions too (the original installed them in the builder only).
    assert!(df.contains("RUN install-php-extensions intl pdo_pgsql\n"));
    assert!(df.contains("echo \"memory_limit = \\${PHP_INI_MEMORY_LIMIT}\" > \"$PHP_INI_DIR/conf.d/zz-migetpacks.ini\""));
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /build /app"));
    assert!(df.contains(r#"CMD ["sh","-c","frankenphp php-server --listen :$PORT -r public"]"#));
    // No hardened PHP images: the same Dockerfile, and a warning.
    assert_eq!(dhi.dockerfile, default.dockerfile);
    assert!(dhi
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("no hardened PHP images")));
    assert_eq!(
        run.plan.start_command.command,
        "frankenphp php-server --listen :$PORT -r public"
    );
}

#[test]
fn composer_app_snapshots() {
    let g = snapshot_variants!(
        "composer_app",
        Language::Php,
        "8.4.1",
        &composer_app(),
        &[],
        &[("RUN_COMMAND", "heroku-php-apache2 web/")]
    );
    let [default, _, _, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    // An exact X.Y.Z version is its own tag.
    assert!(df.contains("FROM dunglas/frankenphp:builder-php8.4.1 AS builder"));
    // No lockfile: only composer.json is copied; post-install-cmd runs because it exists.
    assert!(df.contains("COPY composer.json ./\n"));
    assert!(df.contains("&& composer run-script post-install-cmd --no-interaction"));
    assert!(!df.contains("mkdir -p storage"));
    assert!(df.contains("install-php-extensions @composer gd mbstring"));
    assert!(df.contains(r#"CMD ["sh","-c","frankenphp php-server --listen :$PORT -r web"]"#));
    assert!(run
        .dockerfile
        .contains(r#"CMD ["sh","-c","frankenphp php-server --listen :$PORT -r web"]"#));
}

#[test]
fn index_only_snapshots() {
    let g = snapshot_variants!(
        "index_only",
        Language::Php,
        "7.4",
        &index_only(),
        &[("Procfile", "web: php -S 0.0.0.0:$PORT -t .\n")],
        &[]
    );
    let [default, cached, _, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    // PHP 7.4 has no FrankenPHP image.
    assert!(df.contains("FROM dunglas/frankenphp:php8.2\n"));
    assert!(default
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("PHP 7.4 has no FrankenPHP image; using PHP 8.2")));
    // Nothing to build: the source goes straight into the runtime as its last layer.
    assert!(df.contains("COPY --chown=1000:1000 . /app"));
    assert!(!df.contains("composer") && !df.contains("install-php-extensions"));
    assert_eq!(cached.dockerfile, default.dockerfile);
    assert_eq!(
        run.plan.start_command.command,
        "frankenphp php-server --listen :$PORT -r ."
    );
}

#[test]
fn build_command_without_composer_builds_in_the_builder() {
    let g = generate(
        Language::Php,
        "8.3",
        &index_only(),
        &[("BUILD_COMMAND", "php build.php")],
    );
    assert_order(
        &g.dockerfile,
        &[
            "COPY . .",
            "RUN php build.php",
            "COPY --from=builder --chown=1000:1000 /build /app",
        ],
    );
    let bad = support::try_generate(Language::Php, "8.3", &[("composer.json", "{")], &[])
        .unwrap_err()
        .to_string();
    assert!(bad.starts_with("composer.json:"), "{bad}");
}
