//! `migetpacks cache-flags [--json]`: print the buildx cache flags the settings produce.
//!
//! One argv element per line (a spec never contains a line break), or a JSON array. The same
//! elements go into `docker buildx build` unchanged; nothing here is meant for a shell.

use migetpacks_core::cache::cache_args;
use migetpacks_core::settings::Settings;

/// The text to print (newline-terminated; empty when no cache flag applies).
pub fn run(settings: &Settings, json: bool) -> String {
    let args = cache_args(&settings.cache);
    if json {
        format!("{}\n", serde_json::Value::from(args))
    } else {
        args.iter().map(|a| format!("{a}\n")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migetpacks_core::settings::EnvMap;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let env: EnvMap = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_env(&env).unwrap()
    }

    #[test]
    fn lines_and_json() {
        let s = settings(&[
            ("CACHE_IMAGE", "type=local,\"dest=/c/a,b\""),
            ("NO_CACHE", "true"),
        ]);
        assert_eq!(
            run(&s, false),
            "--no-cache\n--cache-to\ntype=local,\"dest=/c/a,b\",mode=min,ignore-error=true\n"
        );
        let parsed: Vec<String> = serde_json::from_str(&run(&s, true)).unwrap();
        assert_eq!(
            parsed,
            [
                "--no-cache",
                "--cache-to",
                "type=local,\"dest=/c/a,b\",mode=min,ignore-error=true"
            ]
        );
    }

    #[test]
    fn nothing_to_print() {
        let s = settings(&[]);
        assert_eq!(run(&s, false), "");
        assert_eq!(run(&s, true), "[]\n");
    }
}
