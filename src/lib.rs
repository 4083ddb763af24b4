//! greenlight: blue/green releases of Flink SQL pipelines from git.
//!
//! The layers (docs/architecture.md): a pure core (`sql`, `project`,
//! `graph`, `version`, `plan`, `report`, `rewrite`, `deploy`) that takes
//! texts and returns values; adapters (`git`, `github`, `flink`,
//! `schema`'s registry) that act; use cases (`app`) that join them; and
//! front ends (`cli`, `action`) that only translate input and present
//! output.
//!
//! The public API is the core's modules below and the curated list of
//! items re-exported at the root; everything else is crate-private.

// Front ends, use cases and adapters: private to the crate.
mod action;
mod app;
mod cli;
mod dates;
mod git;
mod github;
mod paths;
mod schema;

// The core, and the deploy targets: the library's API.
pub mod config;
pub mod deploy;
pub mod error;
pub mod flink;
pub mod graph;
pub mod plan;
pub mod project;
pub mod report;
pub mod rewrite;
pub mod sql;
pub mod version;

/// The binary's entry points.
pub use action::workflow::inert;
pub use app::Outcome;
pub use cli::{Cli, in_github_actions, run};
