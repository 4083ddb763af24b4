//! The integration tests: one binary, one module per area.
mod common;
mod fixture;
mod golden;
mod project_graph;
mod versioning;
