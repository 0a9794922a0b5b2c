//! The integration tests of the migetpacks CLI (without the engine), in one test binary. The
//! end-to-end tests on the real engine are the separate `e2e` binary.

mod support;

mod cli;
mod fake_docker;
mod hardening;
