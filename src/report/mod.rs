//! Reports (pure): what the commands print.
pub mod graph;
