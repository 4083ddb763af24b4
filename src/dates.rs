//! Dates and times, on the `time` crate: the one owner of calendar rules
//! (`--since YYYY-MM-DD`, the timestamps Flink and Confluent answer with,
//! the times greenlight writes).
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// `YYYY-MM-DD` as seconds since the epoch (UTC midnight).
pub(crate) fn parse_day(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = Date::parse(s, format_description!("[year]-[month]-[day]")).ok()?;
    Some(
        PrimitiveDateTime::new(date, time::Time::MIDNIGHT)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Seconds since the Unix epoch of an RFC 3339 time (`2026-01-02T03:04:05Z`),
/// leniently: a space may replace `T`, fractions are allowed, an offset of
/// hours only (`+02`) is read, and no offset means UTC (a SQL timestamp).
pub(crate) fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 19 || !s.is_char_boundary(19) {
        return None;
    }
    let (head, rest) = s.split_at(19);
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let digits = r.len() - r.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (&rest[..digits + 1], &r[digits..])
        }
        None => ("", rest),
    };
    let zone = match zone {
        "" => "Z".to_string(),
        z if (z.starts_with('+') || z.starts_with('-')) && z.len() == 3 => format!("{z}:00"),
        z => z.to_string(),
    };
    let normal = format!("{}T{}{fraction}{zone}", &head[..10], &head[11..]);
    OffsetDateTime::parse(&normal, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// A time for people: `2026-11-30 14:02 UTC`.
pub(crate) fn format_utc(unix_secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix_secs)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days() {
        assert_eq!(parse_day("1970-01-02"), Some(86400));
        assert_eq!(parse_day("2026-11-22"), Some(1_795_305_600));
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("main"), None);
        assert_eq!(parse_day("20261-1-22"), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(
            parse_timestamp("2026-01-01T01:00:00.123+01:00"),
            Some(1_767_225_600)
        );
        assert_eq!(
            parse_timestamp("1996-03-19 01:02:03-04:05"),
            Some(827_197_323 + 14_700)
        );
        assert_eq!(parse_timestamp("2026-01-01 00:03:00"), Some(1_767_225_780));
        assert_eq!(
            parse_timestamp("2026-01-01T02:00:00+02"),
            Some(1_767_225_600)
        );
        assert_eq!(parse_timestamp("nope"), None);
    }

    #[test]
    fn times_for_people() {
        assert_eq!(format_utc(1_767_225_780), "2026-01-01 00:03 UTC");
    }
}
