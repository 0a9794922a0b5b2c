//! Compose parser and service planning: never panics; no planned path leaves the source.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match migetpacks_core::compose::parse(text, "deploy/compose.yaml") {
        Ok(file) => {
            if let Ok(services) = migetpacks_core::compose::plan_services(&file, "deploy") {
                for s in services {
                    for p in [&s.context_rel, &s.dockerfile_rel] {
                        assert!(
                            migetpacks_core::source::clean(p).is_ok(),
                            "{p:?} escapes the source"
                        );
                    }
                }
            }
        }
        Err(e) => assert!(e.to_string().starts_with("deploy/compose.yaml"), "{e}"),
    }
});
