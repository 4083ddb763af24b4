//! Declared lineage: a `greenlight:` comment beside a statement greenlight
//! cannot understand says what it writes and reads, e.g.
//!
//! ```sql
//! -- greenlight: writes fct_x reads src_a, `cat`.db.src_b
//! INSERT INTO fct_x SELECT * FROM VENDOR_MAGIC(src_a, src_b);
//! ```
//!
//! Forms: `writes T [reads A, B...]` (a DML), `creates T [reads A, ...]
//! [like S]` (a DDL), `ignore` (no lineage). The comment goes right before
//! the statement, inside it, or after its `;` on the same line.
use super::error::SqlError;
use super::lex::{Tok, TokKind, tokenize};
use super::model::{NamePart, TableName};

const MARK: &str = "greenlight:";

/// What an annotation declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verb {
    /// A DML writing the target.
    Writes,
    /// A DDL defining the target.
    Creates,
    /// A statement without table lineage.
    Ignore,
}

#[derive(Debug, Clone)]
pub(super) struct Annotation {
    /// Byte offset of `greenlight:`.
    pub at: usize,
    pub line: u32,
    pub col: u32,
    pub verb: Verb,
    pub target: Option<TableName>,
    pub reads: Vec<TableName>,
    pub like: Vec<TableName>,
}

/// The syntax, for messages.
pub(super) const SYNTAX: &str = "-- greenlight: writes <table> reads <table>, <table>";

/// Every annotation of `src` (whose significant tokens are `toks`), in
/// source order.
pub(super) fn find(src: &str, toks: &[Tok]) -> Result<Vec<Annotation>, SqlError> {
    let mut out = Vec::new();
    if !src.contains(MARK) {
        return Ok(out);
    }
    for (p, _) in src.match_indices(MARK) {
        // Inside a token (a string literal, a quoted name): not a comment.
        let k = toks.partition_point(|t| t.start <= p);
        if k > 0 && p < toks[k - 1].end {
            continue;
        }
        let gap_start = if k > 0 { toks[k - 1].end } else { 0 };
        let gap_end = toks.get(k).map_or(src.len(), |t| t.start);
        if let Some(body) = comment_body(src, gap_start, gap_end, p) {
            out.push(parse(src, p, body)?);
        }
    }
    Ok(out)
}

/// When the comment holding byte `p` (between tokens, in `gap`) starts
/// with `greenlight:`, the byte range of the annotation's text after it.
fn comment_body(src: &str, gap_start: usize, gap_end: usize, p: usize) -> Option<(usize, usize)> {
    let b = src.as_bytes();
    let mut i = gap_start;
    while i < gap_end {
        if b[i..].starts_with(b"--") {
            let end = src[i..gap_end].find('\n').map_or(gap_end, |n| i + n);
            if (i..end).contains(&p) {
                return starts_with_mark(src, i + 2, p).then_some((p + MARK.len(), end));
            }
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let end = src[i + 2..gap_end]
                .find("*/")
                .map_or(gap_end, |n| i + 2 + n);
            if (i..end).contains(&p) {
                return starts_with_mark(src, i + 2, p).then_some((p + MARK.len(), end));
            }
            i = end + 2;
        } else {
            i += 1;
        }
    }
    None
}

/// Whether only blanks stand between the comment's opening and `p`.
fn starts_with_mark(src: &str, from: usize, p: usize) -> bool {
    from <= p && src[from..p].chars().all(|c| c == ' ' || c == '\t')
}

fn parse(src: &str, p: usize, (lo, hi): (usize, usize)) -> Result<Annotation, SqlError> {
    let (line, col) = position(src, p);
    let bad = |what: &str| {
        SqlError::new(
            line,
            col,
            format!("greenlight annotation not understood: {what}"),
            format!(
                "write `{SYNTAX}`, `-- greenlight: creates <table> [reads ...] [like <table>]` or `-- greenlight: ignore`"
            ),
        )
    };
    let toks = tokenize(&src[lo..hi]).map_err(|e| bad(&e.message))?;
    let (base_line, base_col) = position(src, lo);
    let toks: Vec<Tok> = toks
        .into_iter()
        .map(|mut t| {
            t.start += lo;
            t.end += lo;
            if t.line == 1 {
                t.col += base_col - 1;
            }
            t.line += base_line - 1;
            t
        })
        .collect();
    let word = |i: usize| toks.get(i).and_then(|t| t.quote_free_word());
    let verb = match word(0).map(str::to_ascii_lowercase).as_deref() {
        Some("writes") => Verb::Writes,
        Some("creates") => Verb::Creates,
        Some("ignore") => Verb::Ignore,
        _ => return Err(bad("it must start with `writes`, `creates` or `ignore`")),
    };
    let mut ann = Annotation {
        at: p,
        line,
        col,
        verb,
        target: None,
        reads: Vec::new(),
        like: Vec::new(),
    };
    let mut i = 1;
    if verb == Verb::Ignore {
        return if toks.len() == 1 {
            Ok(ann)
        } else {
            Err(bad("nothing may follow `ignore`"))
        };
    }
    let (target, next) = name(&toks, i).ok_or_else(|| bad("expected the table it writes"))?;
    ann.target = Some(target);
    i = next;
    while i < toks.len() {
        let list = match word(i).map(str::to_ascii_lowercase).as_deref() {
            Some("reads") => &mut ann.reads,
            Some("like") if verb == Verb::Creates => &mut ann.like,
            _ => return Err(bad("expected `reads <table>, ...` after the table")),
        };
        i += 1;
        loop {
            let (n, next) = name(&toks, i).ok_or_else(|| bad("expected a table name"))?;
            list.push(n);
            i = next;
            if toks.get(i).is_some_and(|t| t.kind == TokKind::Comma) {
                i += 1;
            } else {
                break;
            }
        }
    }
    Ok(ann)
}

/// A dotted name of at most three parts at `i`.
fn name(toks: &[Tok], i: usize) -> Option<(TableName, usize)> {
    toks.get(i)?.word()?;
    let (n, next) = super::query::parse_name(toks, i, toks.len());
    (n.parts.len() <= super::query::MAX_NAME_PARTS).then_some((n, next))
}

/// 1-based line and column (in characters) of byte `p`.
pub(super) fn position(src: &str, p: usize) -> (u32, u32) {
    let before = &src[..p];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[start..].chars().count() as u32 + 1)
}

impl Annotation {
    /// Every declared name: the target, reads and LIKE sources.
    pub(super) fn names(&self) -> impl Iterator<Item = &TableName> {
        self.target
            .iter()
            .chain(self.reads.iter())
            .chain(self.like.iter())
    }
}

/// Words of `toks[lo..hi]` equal to the last part of a declared name, each
/// as the dotted name that ends with it (`db.t` in `db.t.col`): the names
/// the statement's text uses for the declared tables.
pub(super) fn mentions(toks: &[Tok], lo: usize, hi: usize, ann: &Annotation) -> Vec<TableName> {
    let declared: Vec<&str> = ann.names().map(|n| n.key()).collect();
    let mut out = Vec::new();
    for k in lo..hi {
        let Some((value, _)) = toks[k].word() else {
            continue;
        };
        if !declared.contains(&value) {
            continue;
        }
        let mut first = k;
        while first >= lo + 2
            && k - first < 2 * (super::query::MAX_NAME_PARTS - 1)
            && toks[first - 1].kind == TokKind::Period
            && toks[first - 2].word().is_some()
        {
            first -= 2;
        }
        let parts: Vec<NamePart> = (first..=k)
            .step_by(2)
            .map(|j| super::query::name_part(&toks[j]))
            .collect();
        out.push(TableName { parts });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Annotation {
        let toks = tokenize(src).unwrap();
        let mut v = find(src, &toks).unwrap();
        assert_eq!(v.len(), 1, "{src}");
        v.pop().unwrap()
    }

    #[test]
    fn forms_and_positions() {
        let a =
            one("-- greenlight: writes fct_x reads src_a, `cat`.db.b\nINSERT INTO fct_x SELECT 1");
        assert_eq!(a.verb, Verb::Writes);
        assert_eq!(a.target.as_ref().unwrap().display(), "fct_x");
        let reads: Vec<String> = a.reads.iter().map(|r| r.display()).collect();
        assert_eq!(reads, ["src_a", "cat.db.b"]);
        assert_eq!((a.line, a.col), (1, 4));
        let t = a.target.unwrap();
        assert_eq!((t.last().line, t.last().col), (1, 23));
        let a = one("SELECT 1; /* greenlight: creates t\n   like s */");
        assert_eq!(a.verb, Verb::Creates);
        assert_eq!(a.like[0].last().line, 2);
        assert_eq!(one("-- greenlight: ignore\nCALL x()").verb, Verb::Ignore);
    }

    #[test]
    fn not_annotations() {
        let src = "SELECT 'greenlight: writes x' FROM t -- see greenlight: docs\n";
        let toks = tokenize(src).unwrap();
        assert!(find(src, &toks).unwrap().is_empty());
    }

    #[test]
    fn bad_annotations_are_errors() {
        for src in [
            "-- greenlight: write x\nSELECT 1",
            "-- greenlight: writes\nSELECT 1",
            "-- greenlight: writes x from y\nSELECT 1",
            "-- greenlight: ignore x\nSELECT 1",
        ] {
            let toks = tokenize(src).unwrap();
            let e = find(src, &toks).unwrap_err();
            assert_eq!((e.line, e.col), (1, 4), "{src}");
            assert!(e.hint.contains("writes"), "{e}");
        }
    }
}
