//! The integration tests: one binary, one module per area.
#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
mod action;
mod action_deploy;
mod attacks;
mod bad_input;
mod common;
mod demo;
mod deploy_confluent;
mod deploy_in_place;
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
mod release_tags;
mod runner;
mod schema_evolution;
mod upgrade;
mod versioning;
