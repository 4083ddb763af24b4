//! A fast tokenizer for the common subset of Flink SQL.
//!
//! It produces exactly the tokens (kinds, byte spans, line/column, words and
//! keywords) that the sqlparser route of [`super::lex`] produces, or `None`
//! when the text holds anything outside its subset (hex and national string
//! literals, dollar-quoted strings, rare operators, unterminated strings or
//! comments...): the caller then tokenizes the whole text with sqlparser,
//! which also gives the exact error. It walks bytes once, allocates only the
//! value of each word, and looks keywords up in a hash table.
//!
//! Equivalence with sqlparser is checked by a differential property test
//! (`tests` below) on arbitrary text, SQL-like token soup and the golden SQL.
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use sqlparser::keywords::{ALL_KEYWORDS, ALL_KEYWORDS_INDEX, Keyword};

use super::hash::FastHasher;
use super::lex::{Tok, TokKind};

/// The longest keyword sqlparser knows (longer words are never keywords).
const MAX_KEYWORD: usize = 64;

fn keywords() -> &'static HashMap<&'static [u8], Keyword, BuildHasherDefault<FastHasher>> {
    static MAP: OnceLock<HashMap<&'static [u8], Keyword, BuildHasherDefault<FastHasher>>> =
        OnceLock::new();
    MAP.get_or_init(|| {
        ALL_KEYWORDS
            .iter()
            .zip(ALL_KEYWORDS_INDEX)
            .filter(|(k, _)| k.len() <= MAX_KEYWORD)
            .map(|(k, v)| (k.as_bytes(), *v))
            .collect()
    })
}

/// sqlparser's lookup: the word's ASCII letters upper-cased, compared with
/// the (ASCII, upper-case) keyword list.
fn keyword(word: &str) -> Keyword {
    let b = word.as_bytes();
    if b.len() > MAX_KEYWORD || !b.is_ascii() {
        return Keyword::NoKeyword;
    }
    let mut buf = [0u8; MAX_KEYWORD];
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_uppercase();
    }
    keywords()
        .get(&buf[..b.len()])
        .copied()
        .unwrap_or(Keyword::NoKeyword)
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    line: u32,
    col: u32,
    out: Vec<Tok>,
}

impl Lexer<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    /// Moves to byte `to`, counting lines and characters like sqlparser
    /// (a new line at `\n` only; every other character is a column).
    fn advance(&mut self, to: usize) {
        for &c in &self.b[self.i..to] {
            if c == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if c & 0xC0 != 0x80 {
                self.col += 1;
            }
        }
        self.i = to;
    }

    fn push(&mut self, kind: TokKind, end: usize) {
        let (start, line, col) = (self.i, self.line, self.col);
        self.advance(end);
        self.out.push(Tok {
            kind,
            start,
            end,
            line,
            col,
        });
    }

    fn char_at(&self, i: usize) -> char {
        self.src[i..].chars().next().expect("a char boundary")
    }

    /// The end of a run of identifier characters from `i`.
    fn word_end(&self, mut j: usize) -> usize {
        while j < self.b.len() {
            let c = self.b[j];
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
                j += 1;
            } else if c >= 0x80 {
                let ch = self.char_at(j);
                if ch.is_alphanumeric() {
                    j += ch.len_utf8();
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        j
    }

    /// The end of a quoted run closed by `q` (doubled `q` escapes it), or
    /// None when it is never closed.
    fn quoted_end(&self, q: u8) -> Option<usize> {
        let mut j = self.i + 1;
        loop {
            let p = j + self.b[j..].iter().position(|&c| c == q)?;
            if self.b.get(p + 1) == Some(&q) {
                j = p + 2;
            } else {
                return Some(p + 1);
            }
        }
    }

    fn digits_end(&self, mut j: usize) -> usize {
        while j < self.b.len() && self.b[j].is_ascii_digit() {
            j += 1;
        }
        j
    }

    fn run(mut self) -> Option<Vec<Tok>> {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let next = self.peek(1);
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.advance(self.i + 1),
                b'x' | b'X' | b'n' | b'N' if next == Some(b'\'') => return None,
                b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                    let end = self.word_end(self.i + 1);
                    let value = &self.src[self.i..end];
                    let kind = TokKind::Word {
                        keyword: keyword(value),
                        value: value.into(),
                        quote: None,
                    };
                    self.push(kind, end);
                }
                b'`' => {
                    let end = self.quoted_end(b'`')?;
                    let inner = &self.src[self.i + 1..end - 1];
                    let value = if inner.contains('`') {
                        inner.replace("``", "`").into()
                    } else {
                        inner.into()
                    };
                    let kind = TokKind::Word {
                        value,
                        quote: Some('`'),
                        keyword: Keyword::NoKeyword,
                    };
                    self.push(kind, end);
                }
                b'\'' | b'"' => {
                    let end = self.quoted_end(c)?;
                    self.push(TokKind::Str, end);
                }
                b'0'..=b'9' | b'.' => {
                    if c == b'.' && matches!(next, Some(b'_')) {
                        return None;
                    }
                    let mut j = self.digits_end(self.i);
                    if &self.b[self.i..j] == b"0" && self.b.get(j) == Some(&b'x') {
                        return None;
                    }
                    if self.b.get(j) == Some(&b'.') {
                        j += 1;
                    }
                    j = self.digits_end(j);
                    if j == self.i + 1 && c == b'.' {
                        self.push(TokKind::Period, j);
                        continue;
                    }
                    if matches!(self.b.get(j), Some(b'e' | b'E')) {
                        let mut k = j + 1;
                        if matches!(self.b.get(k), Some(b'+' | b'-')) {
                            k += 1;
                        }
                        if self.b.get(k).is_some_and(u8::is_ascii_digit) {
                            j = self.digits_end(k);
                        }
                    }
                    if self.b.get(j) == Some(&b'L') {
                        j += 1;
                    }
                    self.push(TokKind::Number, j);
                }
                b'(' => self.push(TokKind::LParen, self.i + 1),
                b')' => self.push(TokKind::RParen, self.i + 1),
                b',' => self.push(TokKind::Comma, self.i + 1),
                b';' => self.push(TokKind::Semi, self.i + 1),
                b'-' => match next {
                    Some(b'-') => {
                        let end = self.b[self.i..]
                            .iter()
                            .position(|&c| c == b'\n')
                            .map_or(self.b.len(), |p| self.i + p);
                        self.advance(end);
                    }
                    Some(b'>') if self.peek(2) == Some(b'>') => {
                        self.push(TokKind::Other, self.i + 3)
                    }
                    Some(b'>') => self.push(TokKind::Other, self.i + 2),
                    _ => self.push(TokKind::Other, self.i + 1),
                },
                b'/' => {
                    if next == Some(b'*') {
                        let from = self.i + 2;
                        let p = self.b[from..].windows(2).position(|w| w == b"*/")?;
                        self.advance(from + p + 2);
                    } else {
                        self.push(TokKind::Other, self.i + 1);
                    }
                }
                b'+' | b'*' | b'%' | b'\\' | b'[' | b']' | b'{' | b'}' => {
                    self.push(TokKind::Other, self.i + 1)
                }
                b'|' => {
                    let len = match (next, self.peek(2)) {
                        (Some(b'/'), _) => 2,
                        (Some(b'|'), Some(b'/')) => 3,
                        (Some(b'|'), _) => 2,
                        _ => 1,
                    };
                    self.push(TokKind::Other, self.i + len);
                }
                b'=' => {
                    let len = if matches!(next, Some(b'>' | b'=')) {
                        2
                    } else {
                        1
                    };
                    self.push(TokKind::Other, self.i + len);
                }
                b'!' if next == Some(b'=') => self.push(TokKind::Other, self.i + 2),
                b'<' => {
                    let len = match (next, self.peek(2)) {
                        (Some(b'='), Some(b'>')) => 3,
                        (Some(b'=' | b'>' | b'<' | b'@'), _) => 2,
                        _ => 1,
                    };
                    self.push(TokKind::Other, self.i + len);
                }
                b'>' => {
                    let len = if matches!(next, Some(b'=' | b'>')) {
                        2
                    } else {
                        1
                    };
                    self.push(TokKind::Other, self.i + len);
                }
                b':' => {
                    let len = if matches!(next, Some(b':' | b'=')) {
                        2
                    } else {
                        1
                    };
                    self.push(TokKind::Other, self.i + len);
                }
                b'^' => {
                    let len = if next == Some(b'@') { 2 } else { 1 };
                    self.push(TokKind::Other, self.i + len);
                }
                b'$' => {
                    // A placeholder such as `$rowtime`; `$$` and `$tag$`
                    // strings are left to sqlparser.
                    let mut j = self.i + 1;
                    while j < self.b.len() {
                        let c = self.b[j];
                        if c.is_ascii_alphanumeric() || c == b'_' {
                            j += 1;
                        } else if c >= 0x80 && self.char_at(j).is_alphanumeric() {
                            j += self.char_at(j).len_utf8();
                        } else {
                            break;
                        }
                    }
                    if self.b.get(j) == Some(&b'$') {
                        return None;
                    }
                    self.push(TokKind::Other, j);
                }
                0x80.. => {
                    let ch = self.char_at(self.i);
                    let end = self.i + ch.len_utf8();
                    if ch.is_alphabetic() {
                        let end = self.word_end(end);
                        let value = &self.src[self.i..end];
                        let kind = TokKind::Word {
                            keyword: keyword(value),
                            value: value.into(),
                            quote: None,
                        };
                        self.push(kind, end);
                    } else if ch.is_whitespace() {
                        self.advance(end);
                    } else {
                        self.push(TokKind::Other, end);
                    }
                }
                // Control characters and other whitespace are left to
                // sqlparser's rules, as are `& ~ # @ ? !` operators.
                _ if c.is_ascii_whitespace() => return None,
                b'&' | b'~' | b'#' | b'@' | b'?' | b'!' => return None,
                _ if c.is_ascii_control() => return None,
                _ => self.push(TokKind::Other, self.i + 1),
            }
        }
        Some(self.out)
    }
}

/// The significant tokens of `src`, or None to use sqlparser instead.
pub(super) fn tokenize(src: &str) -> Option<Vec<Tok>> {
    Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
        line: 1,
        col: 1,
        out: Vec::with_capacity(src.len() / 5),
    }
    .run()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::lex::tokenize_with_sqlparser;
    use super::tokenize;

    /// When the fast route answers, it answers like sqlparser.
    fn same(src: &str) -> Result<(), TestCaseError> {
        if let Some(fast) = tokenize(src) {
            match tokenize_with_sqlparser(src) {
                Ok(slow) => prop_assert_eq!(fast, slow, "{:?}", src),
                Err(e) => prop_assert!(
                    false,
                    "sqlparser fails ({e}) but the fast route answered: {src:?}"
                ),
            }
        }
        Ok(())
    }

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(512)
    }

    const PIECES: &[&str] = &[
        "SELECT",
        "from",
        "`a``b`",
        "`x",
        "'it''s'",
        "'open",
        "\"dq\"\"x\"",
        "\"",
        "--c\n",
        "/*c*/",
        "/*",
        "*/",
        "$rowtime",
        "$$",
        "$a$",
        "x'00'",
        "N'n'",
        "n",
        "X",
        "1",
        "1.5",
        ".5",
        "1e5",
        "1e",
        "1E+3",
        "0x1F",
        "1L",
        "..",
        "._",
        "a.b",
        "a._b",
        "<=>",
        "<=",
        "<>",
        "<<",
        "<@",
        "<",
        ">=",
        ">>",
        ">",
        "=>",
        "==",
        "=",
        "!=",
        "!",
        "!!",
        "||/",
        "||",
        "|/",
        "|",
        "->>",
        "->",
        "-",
        "::",
        ":=",
        ":",
        "^@",
        "^",
        "~",
        "&&",
        "&",
        "#",
        "@",
        "?",
        "%",
        "+",
        "*",
        "/",
        "\\",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        ",",
        ";",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "\u{a0}",
        "\u{c}",
        "\u{b}",
        "1_000",
        "1__2",
        "_1",
        "é",
        "ü_x",
        "ſelect",
        "日本",
        "\u{feff}",
        "☕",
        "\0",
        "SYSTEM_TIME",
        "end",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn matches_sqlparser_on_any_text(s in any::<String>()) {
            same(&s)?;
        }

        #[test]
        fn matches_sqlparser_on_sql_pieces(v in proptest::collection::vec(0..PIECES.len(), 0..30), sep in 0..3usize) {
            let sep = [" ", "", "\n"][sep];
            let s: Vec<&str> = v.iter().map(|&k| PIECES[k]).collect();
            same(&s.join(sep))?;
        }
    }

    #[test]
    fn golden_sql_takes_the_fast_route_and_matches() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut slow = Vec::new();
        for dir in ["tests/golden", "testdata/example", "testdata/flat"] {
            for e in walkdir::WalkDir::new(root.join(dir)) {
                let e = e.unwrap();
                if e.path().extension().is_none_or(|x| x != "sql") {
                    continue;
                }
                let src = std::fs::read_to_string(e.path()).unwrap();
                match tokenize(&src) {
                    Some(_) => same(&src).unwrap(),
                    None if e.path().parent().is_some_and(|p| p.ends_with("errors")) => {}
                    None => slow.push(e.path().display().to_string()),
                }
            }
        }
        assert!(slow.is_empty(), "left to sqlparser: {slow:?}");
    }
}
