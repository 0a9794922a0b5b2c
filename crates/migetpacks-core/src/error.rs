//! The library's error type: one enum wrapping each stage's errors.

/// Any error of the pipeline. Each variant's message names the file or variable at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A setting is invalid.
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    /// The source folder could not be read.
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    /// Detection failed.
    #[error(transparent)]
    Detect(#[from] crate::detect::DetectError),
    /// Planning failed.
    #[error(transparent)]
    Plan(#[from] crate::providers::PlanError),
    /// Rendering failed.
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
}
