//! Image reference parser: never panics; accepted refs print back to a ref that parses to the
//! same value, and never hold white space, commas or quotes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migetpacks_core::imageref::ImageRef;

fuzz_target!(|text: &str| {
    if let Ok(r) = ImageRef::parse(text) {
        let printed = r.to_string();
        assert!(
            !printed.contains(|c: char| c.is_whitespace() || c == ',' || c == '"'),
            "{printed:?}"
        );
        assert_eq!(ImageRef::parse(&printed).as_ref(), Ok(&r), "{text:?}");
        let _ = r.latest();
        let _ = r.with_service("api");
        let _ = r.with_tag("v1");
    }
});
