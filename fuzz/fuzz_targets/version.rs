//! Version normaliser: never panics; the result is never a multi-line string.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migetpacks_core::version::normalize::{compare_versions, normalize, normalize_node};

fuzz_target!(|input: (&str, &str)| {
    let (a, b) = input;
    for n in [normalize(a), normalize_node(a)] {
        assert!(!n.contains('\n'), "{a:?} -> {n:?}");
    }
    let _ = compare_versions(a, b);
    let _ = migetpacks_core::version::java_major(a);
    let _ = migetpacks_core::version::dotnet_channel(a);
});
