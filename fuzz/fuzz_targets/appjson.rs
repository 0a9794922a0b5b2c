//! app.json parser and secret generation: never panics; errors name app.json.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match migetpacks_core::appjson::parse(text) {
        Ok(app) => {
            let _ = migetpacks_core::appjson::generate_secrets(&app, &mut || [7u8; 32]);
        }
        Err(e) => assert!(e.to_string().contains("app.json"), "{e}"),
    }
});
