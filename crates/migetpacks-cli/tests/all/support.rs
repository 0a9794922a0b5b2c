//! Shared helpers of the CLI tests.

use std::path::Path;

/// A temporary folder whose `bin/docker` is one of the scripts in `tests/support/`:
/// `fake-docker` records its argv, `leaky-docker` also prints every environment value it sees.
pub fn fake_docker(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(script);
    std::fs::copy(src, bin.join("docker")).unwrap();
    dir
}
