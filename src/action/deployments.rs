//! The deployment status lines of a merged pull request's sticky comment:
//! one line per environment (deployed, caught up, validated, promoted,
//! rolled back, cleaned up), with the link to the run, kept between two
//! hidden markers so that each deploy step replaces its environment's line.

const START: &str = "<!-- greenlight:deployments -->";
const END: &str = "<!-- /greenlight:deployments -->";
const TITLE: &str = "### Deployments";

/// `body` with the line of `environment` set to `line`; other
/// environments' lines are kept, in their order.
pub(super) fn with_status(body: &str, environment: &str, line: &str) -> String {
    let key = format!("- **{}**:", escape(environment));
    let new_line = format!("{key} {line}");
    let (before, lines, after) = match (body.find(START), body.find(END)) {
        (Some(s), Some(e)) if s < e => {
            let inner = &body[s + START.len()..e];
            let lines: Vec<String> = inner
                .lines()
                .filter(|l| l.starts_with("- **"))
                .map(String::from)
                .collect();
            (&body[..s], lines, &body[e + END.len()..])
        }
        _ => (body.trim_end(), Vec::new(), "\n"),
    };
    let mut lines: Vec<String> = lines;
    match lines.iter_mut().find(|l| l.starts_with(&key)) {
        Some(l) => *l = new_line,
        None => lines.push(new_line),
    }
    let sep = if before.ends_with('\n') { "" } else { "\n\n" };
    format!(
        "{before}{sep}{START}\n{TITLE}\n\n{}\n{END}{after}",
        lines.join("\n")
    )
}

/// Markdown-inert text for a status line.
fn escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '*' | '_' | '`' | '[' | ']' | '<' | '>' | '|' | '\\' | '#' | '!' | '@' => {
                format!("\\{c}")
            }
            c => c.to_string(),
        })
        .collect()
}

/// The status line of an environment: what happened, when, and the run.
pub(super) fn status_line(what: &str, when: &str, run_url: Option<&str>) -> String {
    match run_url {
        Some(u) => format!("{what} · {when} · [run]({u})"),
        None => format!("{what} · {when}"),
    }
}

/// The pull request a merge commit's message names: GitHub's merge commit
/// (`Merge pull request #12 from ...`) or squash commit (`Title (#12)`).
pub(super) fn merged_pull_request(message: &str) -> Option<u64> {
    let first = message.lines().next().unwrap_or("").trim();
    let number = |s: &str| -> Option<u64> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    if let Some(rest) = first.strip_prefix("Merge pull request #") {
        return number(rest);
    }
    let open = first.strip_suffix(')')?.rfind("(#")?;
    let inner = &first[open + 2..first.len() - 1];
    inner
        .chars()
        .all(|c| c.is_ascii_digit())
        .then(|| number(inner))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_environment_keeps_one_line() {
        let body = "<!-- greenlight:plan -->\n## plan\n";
        let one = with_status(body, "stage", "deployed · t1");
        assert!(one.starts_with(body.trim_end()), "{one}");
        assert!(one.contains("- **stage**: deployed · t1"), "{one}");
        let two = with_status(&one, "prod", "deployed · t2");
        let three = with_status(&two, "stage", "validated · t3");
        assert!(
            three.contains("- **stage**: validated · t3\n- **prod**: deployed · t2"),
            "{three}"
        );
        assert_eq!(three.matches(START).count(), 1);
        assert!(!three.contains("deployed · t1"));
    }

    #[test]
    fn merge_commits_name_their_pull_request() {
        assert_eq!(
            merged_pull_request("Merge pull request #12 from a/b\n\nx"),
            Some(12)
        );
        assert_eq!(
            merged_pull_request("Exclude cancelled orders (#7)"),
            Some(7)
        );
        assert_eq!(merged_pull_request("fix (#7a)"), None);
        assert_eq!(merged_pull_request("release 1.2"), None);
    }
}
