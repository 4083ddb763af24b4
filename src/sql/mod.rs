//! Flink SQL analysis (pure): tokens with exact spans, statements, the
//! tables each statement writes and reads, and span-based renames.
mod annotate;
mod dialect;
mod error;
mod fastlex;
mod hash;
pub(crate) use hash::FastHasher;
mod lex;
mod model;
mod query;
mod rename;
mod state;
mod statement;

pub use error::SqlError;
pub use lex::{Tok, TokKind, tokenize};
pub use model::{
    Declared, NamePart, RefRole, Scope, ScopeDatabase, Statement, StatementKind, TableName,
    TableRef,
};
pub use query::{MAX_DEPTH, MAX_NAME_PARTS};
pub use rename::{RenameError, next_version, rename_spans, render_name, version_stem};
pub use state::{Construct, StateReason, StateUse};
pub use statement::analyze;
