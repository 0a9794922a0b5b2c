//! Package-manager cache mounts (provisional copy; the cache branch owns the final table).

use serde::Serialize;

/// Which package-manager cache a mount holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CacheKind {
    /// npm.
    Npm,
    /// Yarn.
    Yarn,
    /// pnpm.
    Pnpm,
    /// pip.
    Pip,
    /// uv.
    Uv,
    /// Poetry.
    Poetry,
    /// Go module cache (`GOMODCACHE`).
    GoMod,
    /// Go build cache (`GOCACHE`).
    GoBuild,
    /// Cargo registry (index and downloaded crates).
    Cargo,
    /// Cargo git checkouts.
    CargoGit,
    /// Cargo's target directory of the builder's `/build` workspace.
    RustTarget,
    /// Bundler's global gem download cache (`BUNDLE_USER_CACHE`).
    Bundler,
    /// Bun's install cache.
    Bun,
    /// Deno's module cache (`DENO_DIR` of the install steps).
    Deno,
}

/// BuildKit sharing mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Concurrent builds share the cache.
    Shared,
}

/// One `RUN --mount=type=cache`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheMount {
    /// Cache id.
    pub id: String,
    /// Target directory.
    pub target: String,
    /// Sharing mode.
    pub sharing: Sharing,
}

/// The mount for a cache kind.
pub fn mount(kind: CacheKind, cache_key: Option<&str>) -> CacheMount {
    let (name, target) = match kind {
        CacheKind::Npm => ("npm", "/root/.npm"),
        CacheKind::Yarn => ("yarn", "/usr/local/share/.cache/yarn"),
        CacheKind::Pnpm => ("pnpm", "/root/.local/share/pnpm/store"),
        CacheKind::Pip => ("pip", "/root/.cache/pip"),
        CacheKind::Uv => ("uv", "/root/.cache/uv"),
        CacheKind::Poetry => ("poetry", "/root/.cache/pypoetry"),
        CacheKind::GoMod => ("go", "/go/pkg/mod"),
        CacheKind::GoBuild => ("gobuild", "/root/.cache/go-build"),
        CacheKind::Cargo => ("cargo", "/usr/local/cargo/registry"),
        CacheKind::CargoGit => ("cargo-git", "/usr/local/cargo/git"),
        CacheKind::RustTarget => ("rustbuild", "/build/target"),
        CacheKind::Bundler => ("bundle", "/root/.bundle/cache"),
        CacheKind::Bun => ("bun", "/root/.bun/install/cache"),
        CacheKind::Deno => ("deno", "/root/.cache/deno"),
    };
    CacheMount {
        id: format!("{}-{name}", cache_key.unwrap_or("default")),
        target: target.into(),
        sharing: Sharing::Shared,
    }
}

impl CacheMount {
    /// The `--mount=` flag.
    pub fn to_flag(&self) -> String {
        format!(
            "--mount=type=cache,id={},target={},sharing=shared",
            self.id, self.target
        )
    }
}
