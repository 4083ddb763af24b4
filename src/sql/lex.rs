//! Tokens with exact byte spans, from sqlparser's tokenizer.
//!
//! sqlparser reports 1-based line/column positions counted in characters;
//! this module converts them to byte offsets so that rewrites can splice the
//! original text. Whitespace and comments are dropped from the token list
//! (they never matter for lineage) but their bytes stay in the source.
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer, TokenizerError};

use super::dialect::FlinkDialect;
use super::error::SqlError;

/// One significant token.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    /// What the token is.
    pub kind: TokKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column of the first character, in characters.
    pub col: u32,
}

/// The kind of a [`Tok`].
#[derive(Debug, Clone, PartialEq)]
pub enum TokKind {
    /// A name or keyword. `value` is unquoted; `quote` is the quote character
    /// for a delimited identifier; `keyword` is `NoKeyword` when quoted.
    Word {
        /// Inline up to 24 bytes: no allocation per word.
        value: compact_str::CompactString,
        /// The quote character of a delimited identifier (`` ` `` or `"`).
        quote: Option<char>,
        /// sqlparser's keyword of an unquoted word.
        keyword: Keyword,
    },
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `.`
    Period,
    /// `;`
    Semi,
    /// A string literal of any form.
    Str,
    /// A numeric literal.
    Number,
    /// Any other operator or symbol.
    Other,
}

impl Tok {
    /// The keyword of an unquoted word, or `NoKeyword`.
    pub fn keyword(&self) -> Keyword {
        match &self.kind {
            TokKind::Word {
                quote: None,
                keyword,
                ..
            } => *keyword,
            _ => Keyword::NoKeyword,
        }
    }

    /// Whether this is the unquoted keyword `kw`.
    pub fn is_kw(&self, kw: Keyword) -> bool {
        self.keyword() == kw
    }

    /// Whether this is an unquoted word equal (case-insensitively) to `word`;
    /// for words sqlparser has no keyword for (`SYSTEM_TIME`, `DESCRIPTOR`).
    pub fn is_word_ci(&self, word: &str) -> bool {
        matches!(&self.kind, TokKind::Word { value, quote: None, .. } if value.eq_ignore_ascii_case(word))
    }

    /// The value and quote character of a word (quoted or not).
    pub fn word(&self) -> Option<(&str, Option<char>)> {
        match &self.kind {
            TokKind::Word { value, quote, .. } => Some((value.as_str(), *quote)),
            _ => None,
        }
    }

    /// The value of an unquoted word.
    pub fn quote_free_word(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Word {
                value, quote: None, ..
            } => Some(value),
            _ => None,
        }
    }

    /// Whether this token is of `kind`'s variant (a word's value aside).
    pub fn is(&self, kind: &TokKind) -> bool {
        std::mem::discriminant(&self.kind) == std::mem::discriminant(kind)
    }
}

const BOM: char = '\u{FEFF}';

/// Tokenizes `src`, keeping only significant tokens.
///
/// Most texts take the fast route ([`super::fastlex`]); a text it does not
/// cover (or that does not tokenize) goes through sqlparser's tokenizer,
/// which gives the same tokens and the exact error.
pub fn tokenize(src: &str) -> Result<Vec<Tok>, SqlError> {
    // A UTF-8 byte order mark (saved by some Windows editors) is not text:
    // the tokens keep their byte offsets in the file, and columns are the
    // ones an editor shows.
    if let Some(rest) = src.strip_prefix(BOM) {
        let mut toks = tokenize(rest)?;
        for t in &mut toks {
            t.start += BOM.len_utf8();
            t.end += BOM.len_utf8();
        }
        return Ok(toks);
    }
    match super::fastlex::tokenize(src) {
        Some(toks) => Ok(toks),
        None => tokenize_with_sqlparser(src),
    }
}

/// [`tokenize`] through sqlparser's tokenizer only.
pub(super) fn tokenize_with_sqlparser(src: &str) -> Result<Vec<Tok>, SqlError> {
    let dialect = FlinkDialect;
    let raw = Tokenizer::new(&dialect, src)
        .tokenize_with_location()
        .map_err(|e| tokenizer_error(src, e))?;
    let mut cursor = Cursor::new(src);
    let mut out = Vec::with_capacity(raw.len() / 2);
    for t in raw {
        let kind = match t.token {
            Token::Whitespace(_) | Token::EOF => continue,
            Token::Word(w) => TokKind::Word {
                keyword: if w.quote_style.is_some() {
                    Keyword::NoKeyword
                } else {
                    w.keyword
                },
                value: w.value.into(),
                quote: w.quote_style,
            },
            Token::LParen => TokKind::LParen,
            Token::RParen => TokKind::RParen,
            Token::Comma => TokKind::Comma,
            Token::Period => TokKind::Period,
            Token::SemiColon => TokKind::Semi,
            Token::Number(..) => TokKind::Number,
            Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_) => TokKind::Str,
            _ => TokKind::Other,
        };
        let start = cursor.advance_to(t.span.start.line, t.span.start.column);
        let end = cursor.advance_to(t.span.end.line, t.span.end.column);
        out.push(Tok {
            kind,
            start,
            end,
            line: t.span.start.line as u32,
            col: t.span.start.column as u32,
        });
    }
    Ok(out)
}

/// Walks the source once, converting (line, column) positions to bytes.
struct Cursor<'a> {
    chars: std::str::CharIndices<'a>,
    len: usize,
    line: u64,
    col: u64,
    byte: usize,
}

impl<'a> Cursor<'a> {
    fn new(src: &'a str) -> Self {
        Cursor {
            chars: src.char_indices(),
            len: src.len(),
            line: 1,
            col: 1,
            byte: 0,
        }
    }

    fn advance_to(&mut self, line: u64, col: u64) -> usize {
        while (self.line, self.col) < (line, col) {
            match self.chars.next() {
                Some((i, c)) => {
                    self.byte = i + c.len_utf8();
                    if c == '\n' {
                        self.line += 1;
                        self.col = 1;
                    } else {
                        self.col += 1;
                    }
                }
                None => {
                    self.byte = self.len;
                    break;
                }
            }
        }
        self.byte
    }
}

fn tokenizer_error(src: &str, e: TokenizerError) -> SqlError {
    let msg = e.message.to_ascii_lowercase();
    let (line, col) = (e.location.line as u32, e.location.column as u32);
    let (message, hint, at) = if msg.contains("unterminated string") {
        (
            "unterminated string literal",
            "close the string with ' (a quote inside a string is written '')",
            find_opening(src, line, col, '\''),
        )
    } else if msg.contains("multi-line comment") {
        (
            "unterminated block comment",
            "close the comment with */",
            find_opening_comment(src, line, col),
        )
    } else if msg.contains("close delimiter") && msg.contains('`') {
        (
            "unterminated backquoted identifier",
            "close the name with `",
            find_opening(src, line, col, '`'),
        )
    } else {
        return SqlError::new(
            line,
            col,
            format!("cannot read the SQL text: {}", e.message),
            "check the characters at this position",
        );
    };
    SqlError::new(at.0, at.1, message, hint)
}

/// sqlparser reports some errors at the end of input; the useful position is
/// where the unterminated literal opened. Returns the last unmatched opening
/// `quote` at or before (line, col), scanning with the same rules.
fn find_opening(src: &str, line: u32, col: u32, quote: char) -> (u32, u32) {
    opening_position(src, quote).unwrap_or((line, col))
}

fn find_opening_comment(src: &str, line: u32, col: u32) -> (u32, u32) {
    opening_position(src, '*').unwrap_or((line, col))
}

/// Scans the text like the tokenizer does (strings, backquotes, comments) and
/// returns the position where an unterminated construct of kind `what` opens:
/// `'` a string, `` ` `` a backquoted name, `*` a block comment.
fn opening_position(src: &str, what: char) -> Option<(u32, u32)> {
    let mut it = src.chars().peekable();
    let (mut line, mut col) = (1u32, 1u32);
    let mut open: Option<(char, u32, u32)> = None;
    let mut prev = '\0';
    while let Some(c) = it.next() {
        let here = (line, col);
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
        match open {
            None => match c {
                '\'' | '`' => open = Some((c, here.0, here.1)),
                '-' if it.peek() == Some(&'-') => open = Some(('-', here.0, here.1)),
                '/' if it.peek() == Some(&'*') => {
                    it.next();
                    col += 1;
                    open = Some(('*', here.0, here.1));
                    prev = '\0';
                    continue;
                }
                _ => {}
            },
            Some((q, ..)) if q == '\'' || q == '`' => {
                if c == q {
                    if it.peek() == Some(&q) {
                        it.next();
                        col += 1;
                    } else {
                        open = None;
                    }
                }
            }
            Some(('-', ..)) => {
                if c == '\n' {
                    open = None;
                }
            }
            Some(('*', ..)) => {
                if prev == '*' && c == '/' {
                    open = None;
                    prev = '\0';
                    continue;
                }
            }
            Some(_) => {}
        }
        prev = c;
    }
    match open {
        Some((q, l, c)) if q == what => Some((l, c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_not_a_token() {
        let src = "\u{FEFF}CREATE TABLE t (a INT);\r\nINSERT INTO t SELECT 1";
        let toks = tokenize(src).unwrap();
        assert_eq!(&src[toks[0].start..toks[0].end], "CREATE");
        assert_eq!((toks[0].line, toks[0].col), (1, 1));
        assert_eq!((toks[2].line, toks[2].col), (1, 14));
        let insert = toks.iter().find(|t| t.is_kw(Keyword::INSERT)).unwrap();
        assert_eq!(&src[insert.start..insert.end], "INSERT");
        assert_eq!((insert.line, insert.col), (2, 1));
        let err = tokenize("\u{FEFF}SELECT 'open").unwrap_err();
        assert!(err.to_string().contains("1:8"), "{err}");
    }

    #[test]
    fn byte_spans_are_exact_with_multibyte_text() {
        let src = "-- café ☕\nSELECT `naïve` FROM t";
        let toks = tokenize(src).unwrap();
        let texts: Vec<&str> = toks.iter().map(|t| &src[t.start..t.end]).collect();
        assert_eq!(texts, ["SELECT", "`naïve`", "FROM", "t"]);
        assert_eq!((toks[1].line, toks[1].col), (2, 8));
    }

    #[test]
    fn unterminated_string_points_at_its_opening_quote() {
        let e = tokenize("SELECT 1;\nSELECT 'abc FROM t").unwrap_err();
        assert_eq!((e.line, e.col), (2, 8));
        assert!(e.message.contains("unterminated string"), "{e}");
    }

    #[test]
    fn unterminated_comment_and_backquote() {
        let e = tokenize("SELECT 1 /* no end").unwrap_err();
        assert_eq!(
            (e.line, e.col, e.message.as_str()),
            (1, 10, "unterminated block comment")
        );
        let e = tokenize("SELECT * FROM `abc").unwrap_err();
        assert_eq!((e.line, e.col), (1, 15));
        assert!(e.message.contains("backquoted"));
    }

    #[test]
    fn rowtime_is_one_token() {
        let toks = tokenize("ORDER BY $rowtime DESC").unwrap();
        assert_eq!(toks.len(), 4);
    }
}
