//! Reports (pure): what the commands print.
pub mod changes;
pub mod graph;
