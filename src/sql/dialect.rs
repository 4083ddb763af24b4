//! The Flink SQL dialect as the tokenizer needs it.
use sqlparser::dialect::Dialect;

/// Flink SQL (Apache Calcite with Flink's settings): backquoted identifiers,
/// `''`-escaped strings, no nested comments, `$` allowed inside names
/// (`$rowtime` tokenizes as one placeholder token).
#[derive(Debug, Default)]
pub(super) struct FlinkDialect;

impl Dialect for FlinkDialect {
    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_alphabetic() || ch == '_'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_alphanumeric() || ch == '_' || ch == '$'
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '`'
    }

    fn supports_nested_comments(&self) -> bool {
        false
    }
}
