//! Settings::from_env over arbitrary maps: never panics; errors are one line.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migetpacks_core::settings::{EnvMap, Settings};

/// Names drawn from (so the fuzzer reaches real settings instead of random names).
const VARS: [&str; 32] = [
    "LANGUAGE", "ARCH", "PORT", "USE_DHI", "TAG_LATEST", "PUSH_IMAGE", "PROJECT_PATH",
    "DOCKERFILE_PATH", "COMPOSE_FILE", "CUSTOM_DATA", "BUILD_VARS", "BUILD_ENV",
    "BUILD_SECRETS", "BUILDPACKS", "BUILD_COMMAND", "RUN_COMMAND", "CACHE_IMAGE", "CACHE_FROM",
    "CACHE_MODE", "CACHE_KEY", "S3_CACHE_BUCKET", "NODE_VERSION", "PYTHON_VERSION", "MIX_ENV",
    "BUNDLE_WITHOUT", "GO_BUILD_FLAGS", "DOCKERFILE_SYNTAX", "BUILD_NETWORK", "VITE_X",
    "NPM_TOKEN", "DHI_PASSWORD", "SBT_TASKS",
];

fuzz_target!(|values: Vec<(u8, String)>| {
    let mut env = EnvMap::new();
    for (i, v) in values {
        env.insert(VARS[i as usize % VARS.len()].to_string(), v);
    }
    if let Err(e) = Settings::from_env(&env) {
        let _ = e.to_string();
    }
});
