//! The integration tests: one binary, one module per area.
mod common;
mod fixture;
mod golden;
mod plan_reports;
mod project_graph;
mod versioning;
