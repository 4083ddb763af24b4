//! Whether a statement keeps state, and why (pure, token-level).
use serde::Serialize;
use sqlparser::keywords::Keyword;

use super::lex::{Tok, TokKind};

/// A reason a streaming statement keeps state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateReason {
    /// A regular join (both sides kept in state).
    Join,
    /// `FOR SYSTEM_TIME AS OF`: the versioned side is kept in state.
    TemporalJoin,
    /// GROUP BY or an aggregate function.
    Aggregation,
    /// A window TVF (TUMBLE, HOP, CUMULATE, SESSION).
    Window,
    /// `ROW_NUMBER() OVER` (deduplication or top-N).
    Deduplication,
    /// Another OVER aggregation.
    OverWindow,
    MatchRecognize,
    Distinct,
}

impl StateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StateReason::Join => "join",
            StateReason::TemporalJoin => "temporal join",
            StateReason::Aggregation => "aggregation",
            StateReason::Window => "window",
            StateReason::Deduplication => "ROW_NUMBER dedup",
            StateReason::OverWindow => "OVER window",
            StateReason::MatchRecognize => "MATCH_RECOGNIZE",
            StateReason::Distinct => "DISTINCT",
        }
    }
}

const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "COLLECT",
    "LISTAGG",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "VAR_POP",
    "VAR_SAMP",
    "FIRST_VALUE",
    "LAST_VALUE",
    "ARRAY_AGG",
    "JSON_ARRAYAGG",
    "JSON_OBJECTAGG",
];
const WINDOWS: &[&str] = &["TUMBLE", "HOP", "CUMULATE", "SESSION"];

/// The state reasons of the statement `toks[lo..hi]`, sorted, deduplicated.
pub(super) fn state_reasons(toks: &[Tok], lo: usize, hi: usize) -> Vec<StateReason> {
    let mut out = Vec::new();
    let at = |i: usize| toks.get(i).filter(|_| i < hi);
    let next_is_lparen = |i: usize| at(i + 1).is_some_and(|t| t.kind == TokKind::LParen);
    for i in lo..hi {
        let t = &toks[i];
        match t.keyword() {
            Keyword::JOIN => {
                // Joins with UNNEST or a LATERAL table function keep no state.
                let n = at(i + 1);
                let lateral =
                    n.is_some_and(|n| n.is_kw(Keyword::LATERAL) || n.is_kw(Keyword::UNNEST));
                if !lateral {
                    out.push(StateReason::Join);
                }
            }
            Keyword::SYSTEM_TIME => out.push(StateReason::TemporalJoin),
            Keyword::GROUP if at(i + 1).is_some_and(|n| n.is_kw(Keyword::BY)) => {
                out.push(StateReason::Aggregation)
            }
            Keyword::MATCH_RECOGNIZE => out.push(StateReason::MatchRecognize),
            Keyword::DISTINCT if i > lo && toks[i - 1].is_kw(Keyword::SELECT) => {
                out.push(StateReason::Distinct)
            }
            Keyword::OVER => {
                let dedup = (lo..i)
                    .rev()
                    .take(4)
                    .any(|k| toks[k].is_word_ci("ROW_NUMBER"));
                out.push(if dedup {
                    StateReason::Deduplication
                } else {
                    StateReason::OverWindow
                });
            }
            _ => {
                if t.quote_free_word()
                    .is_some_and(|w| WINDOWS.iter().any(|x| w.eq_ignore_ascii_case(x)))
                    && next_is_lparen(i)
                    && i > lo
                    && toks[i - 1].kind == TokKind::LParen
                {
                    out.push(StateReason::Window);
                } else if t
                    .quote_free_word()
                    .is_some_and(|w| AGGREGATES.iter().any(|x| w.eq_ignore_ascii_case(x)))
                    && next_is_lparen(i)
                    && !over_follows(toks, i + 1, hi)
                {
                    out.push(StateReason::Aggregation);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether `OVER` follows the call whose `(` is at `open`.
fn over_follows(toks: &[Tok], open: usize, hi: usize) -> bool {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().take(hi).skip(open) {
        match t.kind {
            TokKind::LParen => depth += 1,
            TokKind::RParen => {
                depth -= 1;
                if depth == 0 {
                    return toks.get(k + 1).is_some_and(|n| n.is_kw(Keyword::OVER));
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::analyze;
    use super::StateReason::*;
    use super::*;

    fn reasons(sql: &str) -> Vec<StateReason> {
        analyze(sql).unwrap().pop().unwrap().state
    }

    #[test]
    fn stateless_and_stateful_statements() {
        assert_eq!(
            reasons("INSERT INTO t SELECT a, UPPER(b) FROM s WHERE x IS DISTINCT FROM y"),
            vec![]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT a FROM s CROSS JOIN UNNEST(s.arr) AS u(x)"),
            vec![]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT a, COUNT(*) FROM s GROUP BY a"),
            vec![Aggregation]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT * FROM a JOIN b ON a.k = b.k"),
            vec![Join]
        );
        assert_eq!(
            reasons(
                "INSERT INTO t SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM s) WHERE rn = 1"
            ),
            vec![Deduplication]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT SUM(x) OVER w FROM s"),
            vec![OverWindow]
        );
        assert_eq!(
            reasons(
                "INSERT INTO t SELECT window_start, SUM(x) FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end"
            ),
            vec![Aggregation, Window]
        );
        assert_eq!(
            reasons(
                "INSERT INTO t SELECT o.id FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts ON o.c = r.c"
            ),
            vec![Join, TemporalJoin]
        );
        assert_eq!(
            reasons("INSERT INTO t SELECT DISTINCT a FROM s"),
            vec![Distinct]
        );
    }
}
