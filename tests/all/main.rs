//! The integration tests: one binary, one module per area.
mod action;
mod bad_input;
mod common;
mod deploy_confluent;
mod deploy_prism;
mod fixture;
mod flink_server;
mod fuzz;
mod gateway_bounds;
mod git_http;
mod github_server;
mod golden;
mod plan_reports;
mod project_graph;
mod schema_evolution;
mod versioning;
