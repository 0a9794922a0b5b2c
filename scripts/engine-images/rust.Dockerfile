# image: library/rust
# tags: 1.95.0-bookworm 1.95-bookworm 1-bookworm 1.95.0 1.95 1
# args: RUST_VERSION=1.95.0
# contexts: toolchain=rust-sysroot rustup=cargo-bin
#
# Stand-in for Docker Hub's rust:<version>-bookworm, built by scripts/engine.sh FROM its
# debian:bookworm-slim with this machine's own Rust toolchain (rustc, cargo, std, rustfmt and
# clippy; no docs) and rustup, laid out as the official image has them: RUSTUP_HOME and
# CARGO_HOME under /usr/local, the toolchain installed as <version>-x86_64-unknown-linux-gnu and
# set as default, rustup's proxies in /usr/local/cargo/bin. The build fails if the machine's
# toolchain is not RUST_VERSION. Unlike the official image, the toolchain is not made
# world-writable: in a later layer that would copy its 600 MB once more.
ARG BASE
FROM ${BASE}
ARG RUST_VERSION
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo RUST_VERSION=${RUST_VERSION}
ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# What buildpack-deps:bookworm gives crates that link C code or fetch from git.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev make git pkg-config libssl-dev curl \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log
COPY toolchain/bin/ /usr/local/rustup/toolchains/${RUST_VERSION}-x86_64-unknown-linux-gnu/bin/
COPY toolchain/lib/ /usr/local/rustup/toolchains/${RUST_VERSION}-x86_64-unknown-linux-gnu/lib/
COPY rustup/rustup /usr/local/cargo/bin/rustup
RUN printf 'version = "12"\ndefault_toolchain = "%s-x86_64-unknown-linux-gnu"\nprofile = "minimal"\nauto_self_update = "disable"\n' \
      "$RUST_VERSION" > /usr/local/rustup/settings.toml \
 && for p in cargo cargo-clippy cargo-fmt clippy-driver rust-gdb rust-gdbgui rust-lldb rustc rustdoc rustfmt; do \
      ln /usr/local/cargo/bin/rustup /usr/local/cargo/bin/$p; \
    done \
 && chmod -R a+w /usr/local/cargo && chmod a+w /usr/local/rustup \
 && rustup --version && cargo --version \
 && rustc --version | grep -F "rustc ${RUST_VERSION} "
CMD ["bash"]
