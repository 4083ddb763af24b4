//! greenlight: blue/green releases of Flink SQL pipelines from git.
//!
//! The core (`sql`, `project`, `graph`, `version`, `plan`, `report`) is pure:
//! it takes texts and returns values. Adapters (`git`, CLI) act on them.
pub mod action;
pub mod app;
pub mod cli;
pub mod config;
pub mod dates;
pub mod deploy;
pub mod error;
pub mod flink;
pub mod git;
pub mod github;
pub mod graph;
pub mod paths;
pub mod plan;
pub mod project;
pub mod report;
pub mod rewrite;
pub mod schema;
pub mod sql;
pub mod version;
