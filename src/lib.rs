//! greenlight: blue/green releases of Flink SQL pipelines from git.
//!
//! The core (`sql`, `project`, `graph`, `version`, `plan`, `report`) is pure:
//! it takes texts and returns values. Adapters (`git`, CLI) act on them.
pub mod sql;
pub mod error;
pub mod project;
pub mod graph;
pub mod config;
pub mod report;
pub mod cli;
pub mod git;
pub mod version;
