//! Version names and span-based text edits (pure).

/// Why a rename cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenameError {
    /// The new name cannot be written without quotes (and had none).
    #[error("`{0}` is not a valid unquoted Flink identifier")]
    InvalidIdentifier(String),
    /// The new name exceeds Flink's identifier limit.
    #[error("`{0}` is longer than Flink's limit of 256 characters for an identifier")]
    TooLong(String),
    /// Two edits cover the same bytes.
    #[error("two edits overlap at byte {0}")]
    Overlap(usize),
}

/// A table name split at its version suffix: `x_v12` is (`x`, `12`); a
/// name without one (`x`, `x_v`, `x_v1a`) has no digits. The one parser of
/// the `_vN` rule: [`next_version`] and [`version_stem`] both use it.
fn split_version(name: &str) -> (&str, Option<&str>) {
    if let Some(pos) = name.rfind("_v") {
        let digits = &name[pos + 2..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return (&name[..pos], Some(digits));
        }
    }
    (name, None)
}

/// The next version of a table name: `x` -> `x_v2`, `x_vN` -> `x_v(N+1)`,
/// for any number of digits (`x_v99999999999999999999` ->
/// `x_v100000000000000000000`); leading zeros are dropped (`x_v09` -> `x_v10`).
pub fn next_version(name: &str) -> String {
    match split_version(name) {
        (stem, Some(digits)) => format!("{stem}_v{}", decimal_successor(digits)),
        (_, None) => format!("{name}_v2"),
    }
}

/// The name stem without a version suffix: `x_v3` -> `x`, `x` -> `x`.
pub fn version_stem(name: &str) -> &str {
    split_version(name).0
}

/// `digits + 1` in decimal, of any length, without leading zeros.
fn decimal_successor(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    let mut out: Vec<u8> = trimmed.bytes().collect();
    let mut i = out.len();
    loop {
        if i == 0 {
            out.insert(0, b'1');
            break;
        }
        i -= 1;
        if out[i] == b'9' {
            out[i] = b'0';
        } else {
            out[i] += 1;
            break;
        }
    }
    String::from_utf8(out).expect("ASCII digits")
}

/// Flink's parser refuses longer identifiers.
pub(super) const MAX_IDENTIFIER_LENGTH: usize = 256;

/// How a name part is written with its original quoting kept.
pub fn render_name(value: &str, quote: Option<char>) -> Result<String, RenameError> {
    if value.chars().count() > MAX_IDENTIFIER_LENGTH {
        return Err(RenameError::TooLong(value.to_string()));
    }
    match quote {
        Some(q) => {
            let doubled: String = value
                .chars()
                .flat_map(|c| if c == q { vec![c, c] } else { vec![c] })
                .collect();
            Ok(format!("{q}{doubled}{q}"))
        }
        None => {
            let mut chars = value.chars();
            let valid = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$');
            if valid {
                Ok(value.to_string())
            } else {
                Err(RenameError::InvalidIdentifier(value.to_string()))
            }
        }
    }
}

/// Replaces byte spans of `src`; everything outside them is kept.
pub fn rename_spans(
    src: &str,
    edits: &mut [(usize, usize, String)],
) -> Result<String, RenameError> {
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(src.len() + edits.len() * 4);
    let mut at = 0;
    for (start, end, text) in edits.iter() {
        if *start < at {
            return Err(RenameError::Overlap(*start));
        }
        out.push_str(&src[at..*start]);
        out.push_str(text);
        at = *end;
    }
    out.push_str(&src[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(next_version("int_orders"), "int_orders_v2");
        assert_eq!(next_version("x_v9"), "x_v10");
        assert_eq!(next_version("x_v2"), "x_v3");
        assert_eq!(next_version("int_v2_orders"), "int_v2_orders_v2");
        assert_eq!(next_version("x_v"), "x_v_v2");
        assert_eq!(next_version("x_vv3"), "x_vv3_v2");
        assert_eq!(version_stem("x_v10"), "x");
        assert_eq!(version_stem("int_v2_orders"), "int_v2_orders");
        assert_eq!(next_version("x_v0"), "x_v1");
        assert_eq!(next_version("x_v09"), "x_v10");
    }

    #[test]
    fn suffixes_of_any_length() {
        assert_eq!(
            next_version("x_v99999999999999999999"),
            "x_v100000000000000000000"
        );
        assert_eq!(
            next_version("x_v18446744073709551615"),
            "x_v18446744073709551616"
        );
        assert_eq!(version_stem("x_v100000000000000000000"), "x");
    }

    proptest::proptest! {
        /// The stem survives a bump, whatever the name and its digits.
        #[test]
        fn a_bump_keeps_the_stem(stem in "[a-z_][a-z0-9_]{0,12}", digits in "[0-9]{0,40}") {
            let name = if digits.is_empty() { stem.clone() } else { format!("{stem}_v{digits}") };
            let next = next_version(&name);
            proptest::prop_assert_eq!(version_stem(&next), version_stem(&name));
            proptest::prop_assert_ne!(&next, &name);
            proptest::prop_assert_eq!(next_version(&next) == next, false);
        }
    }

    #[test]
    fn quoting_is_kept() {
        assert_eq!(render_name("a-b_v2", Some('`')).unwrap(), "`a-b_v2`");
        assert_eq!(render_name("a`b", Some('`')).unwrap(), "`a``b`");
        assert!(render_name("a-b_v2", None).is_err());
        assert_eq!(render_name("a$b_v2", None).unwrap(), "a$b_v2");
        assert!(render_name(&"x".repeat(257), Some('`')).is_err());
    }

    #[test]
    fn spans_are_spliced_and_overlaps_refused() {
        let mut e = vec![(7, 8, "t_v2".to_string()), (0, 1, "S".to_string())];
        assert_eq!(rename_spans("s from t x", &mut e).unwrap(), "S from t_v2 x");
        let mut e = vec![(0, 3, "a".to_string()), (2, 4, "b".to_string())];
        assert!(rename_spans("abcdef", &mut e).is_err());
    }
}
