//! Escaping for what a pull request puts into greenlight's markdown: names,
//! file names, messages and errors are text, never markup. One owner for the
//! rules: the templates reach them through the renderer's formatter and
//! filters (see `templates.rs`), the mermaid graphs through `mermaid_text`.

/// Markdown inline text: the characters that make markup mid-line are
/// backslash-escaped (emphasis, code, links, tables, strikethrough), and so
/// is a leading punctuation mark (no heading, list, quote or rule when a
/// value starts a line); `<`, `>` and `&` become entities (no raw HTML, no
/// entity); `http://` and `www.` are broken (no autolink); `@` is followed
/// by a word joiner (no mention pings); line breaks become spaces.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut chars = s.chars().peekable();
    let mut first = true;
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        match c {
            // An underscore between two letters or digits cannot start or
            // end emphasis (`customer_id` stays as it is).
            '_' if prev.is_alphanumeric() && next.is_alphanumeric() => out.push(c),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{2060}"),
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            ':' if chars.peek() == Some(&'/') => out.push_str("\\:"),
            '.' if ends_with_www(&out) => out.push_str("\\."),
            c if first && c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
        first = false;
        prev = c;
    }
    out
}

/// A message (greenlight's, holding names from the pull request): text
/// between a pair of backticks becomes a code span (`code_span`), the rest
/// is escaped text (`md_text`); an unpaired backtick is text.
pub fn md_message(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let pairs = (parts.len() - 1) / 2;
    let mut out = String::with_capacity(s.len() + 16);
    for (k, part) in parts.iter().enumerate() {
        let code = k % 2 == 1 && k <= 2 * pairs;
        if code {
            out.push_str(&code_span(part));
        } else {
            if k > 2 * pairs {
                out.push_str("\\`");
            }
            out.push_str(&md_text(part));
        }
    }
    out
}

fn ends_with_www(s: &str) -> bool {
    s.len() >= 3 && s.is_char_boundary(s.len() - 3) && s[s.len() - 3..].eq_ignore_ascii_case("www")
}

/// Text inside raw HTML (a `<summary>`): entities for `<`, `>`, `&` and
/// quotes, a word joiner after `@`, spaces for line breaks. Backslash
/// escapes would show there.
pub fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '@' => out.push_str("@\u{2060}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        if c == '`' {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// An inline code span showing `s` verbatim: delimited by one backtick more
/// than its longest backtick run, padded with a space when it starts or ends
/// with a backtick (CommonMark strips one space each side). Line breaks
/// become spaces. Mentions are not processed inside code.
pub fn code_span(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// Text (markdown already escaped, or a code span) made safe for a GFM
/// table cell: pipes escaped (GFM splits cells before inline parsing, so
/// this also holds inside code spans) and no line breaks.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        match c {
            '|' if !escaped => out.push_str("\\|"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

/// A fenced code block holding `body` verbatim: the fence is one backtick
/// longer than any backtick run inside (at least three), so no line of the
/// body can close it. `lang` is kept to letters, digits, `-` and `_`.
pub fn fence(body: &str, lang: &str) -> String {
    let ticks = "`".repeat((longest_backtick_run(body) + 1).max(3));
    let lang: String = lang
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let body = body.strip_suffix('\n').unwrap_or(body);
    format!("{ticks}{lang}\n{body}\n{ticks}")
}

/// Text inside a mermaid `["..."]` label: quotes, angle brackets, `&`, `#`
/// and backticks as mermaid entity codes (no HTML, no markdown string, no
/// end of the label), line breaks as spaces.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A repository-relative path as a URL path: each segment percent-encoded
/// (RFC 3986 unreserved characters kept), `/` between segments.
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A URL fit for a markdown link destination: only an `https://` URL whose
/// characters need no escaping there (percent-encoded elsewhere).
pub fn safe_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let ok = rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/%:?=&#+,;@!$*".contains(&b));
    (ok && !rest.is_empty()).then(|| url.to_string())
}

/// `text` with every occurrence of the given absolute directories (the
/// runner's workspace, the project) made repository-relative: `PREFIX/a.sql`
/// becomes `a.sql`, the bare prefix `.`. The longest prefix wins; trailing
/// slashes are ignored; empty and relative prefixes are skipped.
pub fn relative_paths(text: &str, prefixes: &[&str]) -> String {
    let mut sorted: Vec<&str> = prefixes
        .iter()
        .map(|p| p.trim_end_matches('/'))
        .filter(|p| p.starts_with('/') && p.len() > 1)
        .collect();
    sorted.sort_by_key(|p| std::cmp::Reverse(p.len()));
    sorted.dedup();
    let mut out = text.to_string();
    for p in sorted {
        out = strip_prefix_everywhere(&out, p);
    }
    out
}

/// Each `prefix/path` becomes `path`; `prefix` alone (or `prefix/` not
/// followed by a path) becomes `.`; `prefix-other` is left alone.
fn strip_prefix_everywhere(text: &str, prefix: &str) -> String {
    let path_char = |c: char| c.is_alphanumeric() || "-_.~".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find(prefix) {
        out.push_str(&rest[..k]);
        let after = &rest[k + prefix.len()..];
        let mut chars = after.chars();
        match (chars.next(), chars.next()) {
            (Some('/'), Some(c)) if path_char(c) => rest = &after[1..],
            (Some('/'), _) => {
                out.push('.');
                rest = &after[1..];
            }
            (Some(c), _) if path_char(c) => {
                out.push_str(prefix);
                rest = after;
            }
            _ => {
                out.push('.');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// At most `max` bytes of `s`, cut at a line end when one is near, with a
/// note of what was left out.
pub fn truncate_lines(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(nl) = s[..cut].rfind('\n')
        && nl > cut / 2
    {
        cut = nl;
    }
    let left = s[cut..].trim_start_matches('\n');
    format!(
        "{}\n… and {} more line(s), {} more byte(s)",
        &s[..cut],
        left.lines().count(),
        left.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        let s = md_text("<img src=x> **b** [l](u) @octocat `c` | # h\n- item https://x www.y");
        assert!(!s.contains('<') && !s.contains('\n'), "{s}");
        assert!(s.contains(r"\*\*b\*\*") && s.contains(r"\[l\](u)"), "{s}");
        assert!(s.contains("@\u{2060}octocat"), "{s}");
        assert!(s.contains(r"\`c\`") && s.contains(r"\|"), "{s}");
        assert!(s.contains(r"https\://x") && s.contains(r"www\.y"), "{s}");
        assert_eq!(md_text("# h"), r"\# h");
        assert_eq!(md_text("- x"), r"\- x");
        assert_eq!(md_text("changed (dml): 3.5"), "changed (dml): 3.5");
        assert_eq!(md_text("customer_id _x_ a__b"), r"customer_id \_x\_ a\_\_b");
    }

    #[test]
    fn messages_keep_their_code_spans() {
        assert_eq!(
            md_message("schema of `raw_orders` (a.avsc): field *x* @y"),
            "schema of `raw_orders` (a.avsc): field \\*x\\* @\u{2060}y"
        );
        assert_eq!(md_message("a `b` `c"), r"a `b` \`c");
        assert_eq!(md_message("`<img>` and <img>"), "`<img>` and &lt;img&gt;");
        assert_eq!(md_message("no code"), "no code");
    }

    #[test]
    fn code_spans_outlast_any_backtick_run() {
        assert_eq!(code_span("fct_orders"), "`fct_orders`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("```x````"), "````` ```x```` `````");
        assert_eq!(code_span("`"), "`` ` ``");
        assert_eq!(code_span("a\nb"), "`a b`");
    }

    #[test]
    fn cells_escape_pipes_once() {
        assert_eq!(cell("`a|b`"), "`a\\|b`");
        assert_eq!(cell("a\\|b"), "a\\|b");
        assert_eq!(cell("a\\\\|b"), "a\\\\\\|b");
        assert_eq!(cell("a\nb"), "a b");
    }

    #[test]
    fn fences_are_longer_than_the_body_runs() {
        assert_eq!(fence("x\n", "text"), "```text\nx\n```");
        let f = fence("a\n````\nb", "text\n<b>");
        assert!(
            f.starts_with("`````textb\n") && f.ends_with("\n`````"),
            "{f}"
        );
    }

    #[test]
    fn mermaid_labels_hold_no_markup() {
        assert_eq!(
            mermaid_text("a\"b<c>&#`d`\ne"),
            "a#quot;b#lt;c#gt;#amp;#35;#96;d#96; e"
        );
    }

    #[test]
    fn urls_are_encoded_and_checked() {
        assert_eq!(url_path("p/a b/(x).sql"), "p/a%20b/%28x%29.sql");
        assert!(safe_url("https://github.com/o/r/blob/abc/p%20q.sql").is_some());
        assert!(safe_url("javascript:alert(1)").is_none());
        assert!(safe_url("https://x/a)b").is_none());
        assert!(safe_url("https://x/a b").is_none());
    }

    #[test]
    fn absolute_workspace_paths_become_relative() {
        let ws = "/home/runner/work/repo/repo";
        let text = format!("{ws}/pipelines/a.sql:3:1: bad\nin {ws}\n{ws}-other/x and {ws}/");
        let out = relative_paths(&text, &[ws, "/home/runner/work/repo/repo/pipelines/", ""]);
        assert_eq!(out, format!("a.sql:3:1: bad\nin .\n{ws}-other/x and ."));
    }

    #[test]
    fn truncation_says_what_is_left_out() {
        let s: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let t = truncate_lines(&s, 100);
        assert!(t.len() < 160, "{t}");
        assert!(t.ends_with("more byte(s)"), "{t}");
        assert!(t.starts_with("line 0\n"));
        assert_eq!(truncate_lines("short", 100), "short");
    }
}
