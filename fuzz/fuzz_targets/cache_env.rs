//! CACHE_* settings: never panic; the flags never carry a credential or a control character.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migetpacks_core::cache::{cache_args, CacheSettings};
use migetpacks_core::settings::EnvMap;

const VARS: [&str; 10] = [
    "CACHE_IMAGE",
    "CACHE_FROM",
    "CACHE_MODE",
    "NO_CACHE",
    "CACHE_REGISTRY_INSECURE",
    "S3_CACHE_BUCKET",
    "S3_CACHE_ENDPOINT",
    "S3_CACHE_REGION",
    "CACHE_KEY",
    "OUTPUT_IMAGE",
];

fuzz_target!(|values: Vec<(u8, String)>| {
    // A value that itself holds the secret's text is the user's own text, not a leak.
    let echoes_secret = values.iter().any(|(_, v)| v.contains("fuzz-secret-value"));
    let mut env = EnvMap::new();
    for (i, v) in values {
        env.insert(VARS[i as usize % VARS.len()].to_string(), v);
    }
    env.insert("AWS_SECRET_ACCESS_KEY".into(), "fuzz-secret-value".into());
    if let Ok(s) = CacheSettings::from_env(&env) {
        for a in cache_args(&s) {
            assert!(echoes_secret || !a.contains("fuzz-secret-value"), "{a}");
            assert!(!a.chars().any(char::is_control), "{a:?}");
        }
    }
});
