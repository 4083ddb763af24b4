//! The integration tests: one binary, one module per area.
mod common;
mod golden;
mod project_graph;
