//! Reports (pure): what the commands print. Markdown and text come from
//! minijinja templates embedded in the binary and overridable from config;
//! every value from the pull request is escaped on the way (`escape`).
pub mod changes;
pub mod escape;
mod facts;
mod failure;
pub mod graph;
pub mod mermaid;
pub mod plan;
mod templates;

pub use templates::{Renderer, TemplateOverrides};
