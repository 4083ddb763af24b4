//! Reports (pure): what the commands print. Markdown and text come from
//! minijinja templates embedded in the binary and overridable from config.
pub mod changes;
pub mod graph;
pub mod mermaid;
pub mod plan;
mod templates;

pub use templates::{Renderer, TemplateOverrides};
