//! What greenlight prints and writes for the GitHub runner, escaped the way
//! the runner's toolkit escapes it. The runner acts on workflow commands in
//! both output streams: `::name props::data` at the start of a line (after
//! leading blanks) and the legacy `##[name props]data` anywhere in a line
//! (actions/runner `ActionCommand`). Names and text from a pull request
//! must never form one.
use std::io::Write;
use std::path::Path;

/// Escapes command data (`%`, `\r`, `\n`), as `@actions/core` does.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property: data escapes, and `:` and `,`, which end a
/// property.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Text made inert for a log line: no line of it starts a `::` command, and
/// no `##[` legacy command is left in it. Plain ASCII marks, not invisible
/// characters: the runner compares culture-sensitively, where zero-width
/// characters are ignored.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // .NET's TrimStart: Unicode white space and the controls it counts.
        if line
            .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
            .starts_with("::")
        {
            out.push_str("| ");
        }
        out.push_str(&line.replace("##[", "# #["));
    }
    out
}

/// The severity of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Error,
    Warning,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// An annotation command at `file:line:col` (a repository-relative path).
pub(crate) fn annotation(
    level: Level,
    file: &str,
    line: u32,
    col: u32,
    title: &str,
    message: &str,
) -> String {
    format!(
        "::{} file={},line={line},col={col},title={}::{}",
        level.command(),
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

/// Random bytes for a delimiter; the clock and the process when the
/// system has no `/dev/urandom`.
fn nonce() -> String {
    let mut bytes = [0u8; 12];
    let read = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if read.is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let seed = t ^ (u128::from(std::process::id()) << 64);
        bytes.copy_from_slice(&seed.to_le_bytes()[..12]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `name<<DELIMITER` / value / `DELIMITER`, the file-command form that takes
/// any value: the delimiter is random and absent from the value.
pub(crate) fn file_command(name: &str, value: &str) -> String {
    let mut delimiter = format!("ghadelimiter_{}", nonce());
    while value.contains(&delimiter) {
        delimiter.push_str(&nonce());
    }
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// Appends `text` to a file the runner gave (`GITHUB_OUTPUT`,
/// `GITHUB_STEP_SUMMARY`).
pub(crate) fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner's parse of a `::` line (actions/runner ActionCommand
    /// TryParseV2): command name, properties, data, unescaped.
    /// Command name, properties, data.
    type Parsed = (String, Vec<(String, String)>, String);

    fn parse_v2(line: &str) -> Option<Parsed> {
        let message = line.trim_start();
        let rest = message.strip_prefix("::")?;
        let end = rest.find("::")?;
        let info = &rest[..end];
        let (name, props) = info.split_once(' ').unwrap_or((info, ""));
        let unescape_property = |s: &str| {
            s.replace("%0D", "\r")
                .replace("%0A", "\n")
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%25", "%")
        };
        let props = props
            .trim()
            .split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), unescape_property(v)))
            .collect();
        let data = rest[end + 2..]
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%");
        Some((name.to_string(), props, data))
    }

    /// Whether the runner would see a command in one line of output.
    fn is_command(line: &str) -> bool {
        parse_v2(line).is_some() || line.contains("##[")
    }

    proptest::proptest! {
        /// Any file name and message: one line, one `error` command, with
        /// exactly the given file and message once unescaped.
        #[test]
        fn annotations_carry_any_text_exactly(
            file in "\\PC*|[:,%\\n\\r#\\[\\]=]*.*",
            message in "\\PC*|[:,%\\n\\r#\\[\\]]*.*",
        ) {
            let line = annotation(Level::Error, &file, 3, 4, "greenlight", &message);
            proptest::prop_assert!(!line.contains('\n') && !line.contains('\r'));
            let (name, props, data) = parse_v2(&line).expect("a command");
            proptest::prop_assert_eq!(name, "error");
            let props: std::collections::BTreeMap<_, _> = props.into_iter().collect();
            proptest::prop_assert_eq!(props.get("file"), Some(&file));
            proptest::prop_assert_eq!(props.get("line").map(String::as_str), Some("3"));
            proptest::prop_assert_eq!(props.len(), 4);
            proptest::prop_assert_eq!(data, message);
        }

        /// Inert text forms no command on any of its lines.
        #[test]
        fn inert_text_starts_no_command(text in "(\\PC|[\\n :#\\[\\]])*") {
            for line in inert(&text).split('\n') {
                proptest::prop_assert!(!is_command(line), "{line:?}");
            }
        }
    }

    #[test]
    fn inert_keeps_ordinary_text_and_breaks_commands() {
        assert_eq!(inert("error: a.sql:1:2: bad"), "error: a.sql:1:2: bad");
        assert!(!is_command(&inert("x\n  ::add-mask::secret")));
        assert!(!is_command(&inert("file ##[set-output name=x]y")));
        assert_eq!(inert("a ##[b"), "a # #[b");
        assert_eq!(inert("ok\n ::x::y"), "ok\n|  ::x::y");
    }

    #[test]
    fn file_commands_take_any_value() {
        let v = "line one\nghadelimiter_x\nname=evil";
        let text = file_command("impacted-tables", v);
        let (head, rest) = text.split_once('\n').unwrap();
        let delimiter = head.strip_prefix("impacted-tables<<").unwrap();
        assert!(!v.contains(delimiter));
        assert_eq!(rest, format!("{v}\n{delimiter}\n"));
    }
}
