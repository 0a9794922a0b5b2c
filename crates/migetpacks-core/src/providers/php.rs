//! PHP on FrankenPHP: Composer dependencies installed from composer.json/composer.lock alone
//! (autoloader and scripts after the source copy), the PHP extensions composer.json requires
//! installed in both stages, production php.ini settings overridable at run time, and the app
//! served by `frankenphp php-server`. PHP has no hardened images: `USE_DHI` is ignored with a
//! warning.

use super::{Context, LanguagePlan, PlanError, Provider};
use crate::language::Language;
use crate::mounts::CacheKind;
use crate::plan::{EnvVar, Phase, Step};
use serde_json::Value;

/// The PHP provider.
pub struct Php;

/// PHP minor versions with FrankenPHP images.
const SUPPORTED: [(u32, u32); 3] = [(8, 2), (8, 3), (8, 4)];

/// Composer's cache, where its cache mount is.
const COMPOSER_CACHE: &str = "/root/.composer/cache";

/// Production php.ini settings. Each becomes `ENV PHP_INI_<KEY>` and a `key = ${PHP_INI_<KEY>}`
/// line (PHP expands environment variables in ini files), so `docker run -e` overrides them.
const INI: [(&str, &str); 22] = [
    ("memory_limit", "256M"),
    ("max_execution_time", "30"),
    ("max_input_time", "60"),
    ("post_max_size", "64M"),
    ("upload_max_filesize", "32M"),
    ("max_file_uploads", "20"),
    ("display_errors", "Off"),
    ("log_errors", "On"),
    ("error_reporting", "E_ALL"),
    ("expose_php", "Off"),
    ("date.timezone", "UTC"),
    ("session.use_strict_mode", "1"),
    ("session.use_cookies", "1"),
    ("session.use_only_cookies", "1"),
    ("session.cookie_httponly", "1"),
    ("session.cookie_secure", "1"),
    ("session.cookie_samesite", "Strict"),
    ("opcache.enable", "1"),
    ("opcache.memory_consumption", "128"),
    ("opcache.validate_timestamps", "0"),
    ("realpath_cache_size", "4096K"),
    ("realpath_cache_ttl", "600"),
];

/// Laravel writes caches, sessions, compiled views and logs here.
const LARAVEL_DIRS: [&str; 5] = [
    "storage/framework/cache/data",
    "storage/framework/sessions",
    "storage/framework/views",
    "storage/logs",
    "bootstrap/cache",
];

fn ini_env_name(key: &str) -> String {
    format!("PHP_INI_{}", key.replace('.', "_").to_ascii_uppercase())
}

/// The image tag for a PHP version, and a warning when it had to change.
fn php_tag(v: &str) -> (String, Option<String>) {
    let re = regex::Regex::new(r"^(\d+)\.(\d+)(\.\d+)?$").expect("static regex");
    let caps = re.captures(v.trim());
    let mm = caps
        .as_ref()
        .and_then(|c| Some((c[1].parse::<u32>().ok()?, c[2].parse::<u32>().ok()?)));
    match mm {
        Some(m) if SUPPORTED.contains(&m) => (v.trim().to_string(), None),
        Some(m) => {
            let (lo, hi) = (SUPPORTED[0], SUPPORTED[SUPPORTED.len() - 1]);
            let pick = if m < lo { lo } else { hi };
            let tag = format!("{}.{}", pick.0, pick.1);
            let warn = format!(
                "PHP {}.{} has no FrankenPHP image; using PHP {tag}",
                m.0, m.1
            );
            (tag, Some(warn))
        }
        None => {
            let tag = format!("{}.{}", SUPPORTED[0].0, SUPPORTED[0].1);
            (
                tag.clone(),
                Some(format!(
                    "PHP version {v:?} names no minor version; using PHP {tag}"
                )),
            )
        }
    }
}

/// Document root: `public` for Laravel, else the first of `web`, `public`, `html`, `www`.
fn docroot(cx: &Context) -> String {
    if cx.has("artisan") {
        return "public".into();
    }
    ["web", "public", "html", "www"]
        .into_iter()
        .find(|d| cx.tree.is_dir(d))
        .unwrap_or(".")
        .to_string()
}

/// Rewrite Heroku-style PHP start commands for FrankenPHP.
pub fn translate(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    let trim = |d: &str| -> String {
        let d = d.strip_suffix('/').unwrap_or(d);
        if d.is_empty() {
            ".".into()
        } else {
            d.into()
        }
    };
    let root = match words.as_slice() {
        [first, rest @ ..] if *first == "heroku-php-apache2" || *first == "heroku-php-nginx" => {
            // The document root is the last argument that is neither an option nor its value.
            match rest {
                [.., opt, last] if !last.starts_with('-') && !opt.starts_with('-') => trim(last),
                [last] if !last.starts_with('-') => trim(last),
                _ => ".".into(),
            }
        }
        ["php", "-S", rest @ ..] => match rest.iter().position(|w| *w == "-t") {
            Some(i) => rest.get(i + 1).map_or(".".into(), |d| trim(d)),
            None => ".".into(),
        },
        _ if command.contains("artisan serve") => "public".into(),
        _ => return command.to_string(),
    };
    format!("frankenphp php-server --listen :$PORT -r {root}")
}

impl Provider for Php {
    fn language(&self) -> Language {
        Language::Php
    }

    fn detect(&self, tree: &super::SourceTree) -> super::Detected {
        super::any_present(tree, &["composer.json", "index.php"])
    }

    fn version_source(&self, v: &super::VersionSources) -> super::Found {
        use super::Transform::Verbatim;
        first!(
            v.env(Verbatim),
            v.version_file(".php-version", Verbatim),
            v.tool_files(Verbatim),
            composer_php(v),
        )
    }

    fn plan(&self, cx: &Context) -> Result<LanguagePlan, PlanError> {
        let (tag, tag_warning) = php_tag(&cx.version.value);
        let mut warnings: Vec<String> = tag_warning.into_iter().collect();
        if cx.settings.use_dhi {
            warnings.push(
                "USE_DHI: there are no hardened PHP images; using the official FrankenPHP images"
                    .into(),
            );
        }
        let composer: Option<Value> = match cx.read("composer.json")? {
            None => None,
            Some(text) => Some(
                serde_json::from_str(&text).map_err(|e| PlanError::Manifest {
                    path: "composer.json".into(),
                    reason: e.to_string(),
                })?,
            ),
        };
        let mut exts: Vec<String> = composer
            .as_ref()
            .and_then(|c| c.get("require")?.as_object().cloned())
            .map(|req| {
                req.keys()
                    .filter_map(|k| k.strip_prefix("ext-"))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        exts.sort();
        let laravel = cx.has("artisan");
        let mut b = Vec::new();
        if let Some(c) = &composer {
            b.push(
                Step::env(
                    Phase::Setup,
                    vec![
                        EnvVar::new("COMPOSER_ALLOW_SUPERUSER", "1"),
                        EnvVar::new("COMPOSER_CACHE_DIR", COMPOSER_CACHE),
                    ],
                )
                .why("Composer runs as root in the builder; its cache is where the cache mount is"),
            );
            let mut setup: Vec<String> = vec![
                "apt-get update".into(),
                "apt-get install -y --no-install-recommends unzip".into(),
                "rm -rf /var/lib/apt/lists/*".into(),
            ];
            setup.push(
                format!("install-php-extensions @composer {}", exts.join(" "))
                    .trim_end()
                    .to_string(),
            );
            b.push(Step::run(Phase::Setup, setup).why(
                "Composer, unzip for its downloads, and the extensions composer.json requires (its platform check needs them)",
            ));
            b.push(
                Step::copy(Phase::Manifests, cx.existing(&["composer.json", "composer.lock"]), "./")
                    .why("composer.json and composer.lock first: the install below is reused while they are unchanged"),
            );
            b.push(
                Step::run(
                    Phase::Install,
                    ["composer install --no-dev --no-scripts --prefer-dist --no-interaction --no-autoloader"],
                )
                .mounts(cx.mounts(&[CacheKind::Composer]))
                .why("Install dependencies (autoloader and scripts need the source: after it)"),
            );
            b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            let mut finish = Vec::new();
            let mut what = Vec::new();
            if laravel {
                // Package discovery (a post-autoload-dump script) writes bootstrap/cache.
                finish.push(format!("mkdir -p {}", LARAVEL_DIRS.join(" ")));
                what.push("Laravel's writable folders");
            }
            finish.push("composer dump-autoload --optimize --no-dev --no-interaction".to_string());
            what.push("the optimized autoloader (runs the post-autoload-dump scripts)");
            if c.pointer("/scripts/post-install-cmd").is_some() {
                finish.push("composer run-script post-install-cmd --no-interaction".into());
                what.push("the post-install-cmd scripts");
            }
            let mut why = what.join(", then ");
            why[..1].make_ascii_uppercase();
            b.push(Step::run(Phase::Build, finish).why(why));
        }
        if let Some(cmd) = &cx.settings.build_command {
            if composer.is_none() {
                b.push(Step::copy(Phase::Source, ["."], ".").why("Application source"));
            }
            b.push(Step::run(Phase::Build, [cmd.clone()]).why("BUILD_COMMAND"));
        }
        let source_in_builder = composer.is_some() || cx.settings.build_command.is_some();

        let owner = cx.owner();
        let mut r = Vec::new();
        if !exts.is_empty() {
            r.push(
                Step::run(
                    Phase::Runtime,
                    [format!("install-php-extensions {}", exts.join(" "))],
                )
                .why("PHP extensions the app requires"),
            );
        }
        r.push(
            Step::env(
                Phase::Runtime,
                INI.iter()
                    .map(|(k, v)| EnvVar::new(ini_env_name(k), *v))
                    .collect(),
            )
            .why("Production PHP settings; override any of them at run time"),
        );
        let ini_file = "\"$PHP_INI_DIR/conf.d/zz-migetpacks.ini\"";
        let mut ini =
            vec!["cp \"$PHP_INI_DIR/php.ini-production\" \"$PHP_INI_DIR/php.ini\"".to_string()];
        for (i, (k, _)) in INI.iter().enumerate() {
            let redirect = if i == 0 { ">" } else { ">>" };
            ini.push(format!(
                "echo \"{k} = \\${{{}}}\" {redirect} {ini_file}",
                ini_env_name(k)
            ));
        }
        ini.push("mkdir -p /data/caddy /config/caddy".into());
        ini.push(format!("chown -R {owner} /data/caddy /config/caddy"));
        r.push(Step::run(Phase::Runtime, ini).why(
            "php.ini from the production template plus the settings above; Caddy's state folders writable by the app user",
        ));
        r.push(if source_in_builder {
            cx.copy_build_to_app()
        } else {
            cx.copy_source_to_app()
        });
        let root = docroot(cx);
        let mut notes = vec![format!("document root {root}")];
        if laravel {
            notes.push("Laravel application".into());
        }
        Ok(LanguagePlan {
            package_manager: composer.is_some().then(|| "composer".to_string()),
            build_image: format!("dunglas/frankenphp:builder-php{tag}"),
            runtime_image: format!("dunglas/frankenphp:php{tag}"),
            builder: b,
            runtime: r,
            default_command: format!("frankenphp php-server --listen :$PORT -r {root}"),
            warnings,
            notes,
            ..LanguagePlan::default()
        })
    }

    fn translate_command(&self, _cx: &Context, command: &str) -> String {
        translate(command)
    }
}

/// `composer.json` `require.php`.
fn composer_php(v: &super::VersionSources) -> super::Found {
    use crate::version::sources::{manifest, non_empty};
    let Some(text) = v.read("composer.json")? else {
        return Ok(None);
    };
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| manifest("composer.json", format!("not valid JSON: {e}")))?;
    Ok(doc
        .get("require")
        .and_then(|r| r.get("php"))
        .and_then(|v| v.as_str())
        .and_then(|v| non_empty("composer.json require.php", v, super::Transform::Norm)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_command_translations() {
        let f = |r: &str| format!("frankenphp php-server --listen :$PORT -r {r}");
        for (cmd, want) in [
            ("heroku-php-apache2 public/", f("public")),
            ("heroku-php-nginx web", f("web")),
            ("heroku-php-apache2", f(".")),
            ("heroku-php-apache2 -C apache.conf", f(".")),
            ("heroku-php-apache2 -C apache.conf public/", f("public")),
            ("php -S 0.0.0.0:$PORT -t public/", f("public")),
            ("php -S [::]:8080", f(".")),
            ("php artisan serve --host=0.0.0.0 --port=$PORT", f("public")),
        ] {
            assert_eq!(translate(cmd), want, "{cmd}");
        }
        assert_eq!(translate("php worker.php"), "php worker.php");
        assert_eq!(translate("vendor/bin/rr serve"), "vendor/bin/rr serve");
    }

    #[test]
    fn tags() {
        assert_eq!(php_tag("8.3"), ("8.3".into(), None));
        assert_eq!(php_tag("8.3.12"), ("8.3.12".into(), None));
        assert_eq!(php_tag("7.4").0, "8.2");
        assert!(php_tag("7.4")
            .1
            .unwrap()
            .contains("PHP 7.4 has no FrankenPHP image"));
        assert_eq!(php_tag("8.5").0, "8.4");
        assert_eq!(php_tag("8").0, "8.2");
    }
}
