//! The release workflow's tag logic (`scripts/release-tags.sh`, called by
//! `.github/workflows/release.yml`) against real repositories: a bare
//! remote, a maintainer's clone that tags releases, and for each release the
//! checkout the workflow makes (actions/checkout on a tag push: the event's
//! commit fetched at depth 1 as the tag, detached, no other tag).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

use crate::common::root;

const REPO: &str = "ghcr.io/acme/greenlight";

fn image(version: &str) -> String {
    format!("{REPO}:{version}")
}

/// A command with no user configuration: what the script commits is then
/// made as its own default identity, as on a runner.
fn isolated(program: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    for var in ["AUTHOR", "COMMITTER"] {
        for what in ["NAME", "EMAIL", "DATE"] {
            cmd.env_remove(format!("GIT_{var}_{what}"));
        }
    }
    cmd
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = isolated("git", dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `runs.image` of an action.yml.
fn runs_image(action_yml: &str) -> String {
    let doc: serde_norway::Value = serde_norway::from_str(action_yml).unwrap();
    doc["runs"]["image"].as_str().unwrap().to_string()
}

/// The project's own action.yml with `runs.image` naming `image`: the
/// script is tested on the real file's layout (comments, indentation).
fn real_action_yml(image: &str) -> String {
    let real = crate::common::read(&root().join("action.yml"));
    let current = runs_image(&real);
    assert_eq!(real.matches(&current).count(), 1, "{current}");
    real.replace(&current, &format!("docker://{image}"))
}

struct Releases {
    dir: TempDir,
}

impl Releases {
    /// A remote whose `main` holds `action_yml`, and a maintainer's clone.
    fn new(action_yml: &str) -> Releases {
        let r = Releases {
            dir: TempDir::new().unwrap(),
        };
        git(
            r.dir.path(),
            &["init", "-q", "--bare", "-b", "main", "origin.git"],
        );
        git(r.dir.path(), &["init", "-q", "-b", "main", "dev"]);
        r.dev(&["remote", "add", "origin", r.remote().to_str().unwrap()]);
        std::fs::write(r.dev_dir().join("action.yml"), action_yml).unwrap();
        r.change("the first version");
        r
    }

    fn remote(&self) -> PathBuf {
        self.dir.path().join("origin.git")
    }

    fn dev_dir(&self) -> PathBuf {
        self.dir.path().join("dev")
    }

    /// git in the maintainer's clone, as the maintainer.
    fn dev(&self, args: &[&str]) -> String {
        let mut all = vec!["-c", "user.name=Ada", "-c", "user.email=ada@example.com"];
        all.extend_from_slice(args);
        git(&self.dev_dir(), &all)
    }

    /// A commit on `main` (not touching action.yml), pushed; its SHA.
    fn change(&self, what: &str) -> String {
        let notes = self.dev_dir().join("NOTES");
        let mut text = std::fs::read_to_string(&notes).unwrap_or_default();
        text.push_str(what);
        text.push('\n');
        std::fs::write(notes, text).unwrap();
        self.dev(&["add", "-A"]);
        self.dev(&["commit", "-q", "-m", what]);
        self.dev(&["push", "-q", "origin", "main"]);
        self.dev(&["rev-parse", "HEAD"])
    }

    /// The maintainer tags the commit `at` and pushes the tag (annotated, as
    /// `git tag -a` makes it); the SHA of the tagged commit, the event's.
    fn tag(&self, version: &str, at: &str) -> String {
        self.dev(&["tag", "-a", "-m", version, version, at]);
        self.dev(&["push", "-q", "origin", version]);
        self.dev(&["rev-parse", &format!("{version}^{{commit}}")])
    }

    /// The release workflow's job for the push of `version` at `event_sha`:
    /// a fresh checkout as actions/checkout makes it, then the script.
    fn workflow(&self, version: &str, event_sha: &str, image: &str) -> Output {
        let ws = TempDir::new_in(self.dir.path()).unwrap();
        let ws = ws.path();
        git(ws, &["init", "-q"]);
        git(
            ws,
            &["remote", "add", "origin", self.remote().to_str().unwrap()],
        );
        git(
            ws,
            &[
                "fetch",
                "-q",
                "--no-tags",
                "--depth=1",
                "origin",
                &format!("+{event_sha}:refs/tags/{version}"),
            ],
        );
        git(
            ws,
            &["checkout", "-q", "--force", &format!("refs/tags/{version}")],
        );
        isolated("bash", ws)
            .arg(root().join("scripts/release-tags.sh"))
            .args([version, image])
            .output()
            .unwrap()
    }

    /// Tags `at` as `version` and runs its workflow, which must succeed.
    fn release(&self, version: &str, at: &str) -> String {
        let event = self.tag(version, at);
        let out = self.workflow(version, &event, &image(version));
        assert!(out.status.success(), "{version}: {}", text(&out));
        text(&out)
    }

    /// Every ref of the remote and the commit it points at.
    fn refs(&self) -> BTreeMap<String, String> {
        let listing = git(
            &self.remote(),
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        );
        listing
            .lines()
            .map(|l| {
                let (name, _) = l.split_once(' ').unwrap();
                let commit = self.commit_of(name);
                (name.to_string(), commit)
            })
            .collect()
    }

    /// The commit a ref of the remote points at (through an annotated tag).
    fn commit_of(&self, rev: &str) -> String {
        git(&self.remote(), &["rev-parse", &format!("{rev}^{{commit}}")])
    }

    fn action_at(&self, rev: &str) -> String {
        git(&self.remote(), &["show", &format!("{rev}:action.yml")])
    }

    fn image_at(&self, rev: &str) -> String {
        runs_image(&self.action_at(rev))
    }

    /// What users pinning `@version` get: the commit's action.yml runs the
    /// version's image, and it is the tagged source with only that changed.
    fn assert_released(&self, version: &str, source: &str) {
        let tag = format!("refs/tags/{version}");
        let at = self.commit_of(&tag);
        assert_eq!(self.image_at(&tag), format!("docker://{}", image(version)));
        if at != source {
            assert_eq!(
                self.commit_of(&format!("{tag}^")),
                source,
                "parent of {version}"
            );
            let changed = git(&self.remote(), &["diff", "--name-only", source, &at]);
            assert_eq!(changed, "action.yml", "{version} changes only action.yml");
            let diff = git(
                &self.remote(),
                &["diff", "-U0", source, &at, "--", "action.yml"],
            );
            let lines: Vec<&str> = diff
                .lines()
                .filter(|l| {
                    l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---")
                })
                .collect();
            assert_eq!(lines.len(), 2, "one line changed: {diff}");
            let new = format!("image: docker://{}", image(version));
            assert!(
                lines[0].contains("image: ") && lines[1].contains(&new),
                "{diff}"
            );
            let message = git(
                &self.remote(),
                &["log", "-1", "--format=%an <%ae>%n%B", &at],
            );
            assert!(message.starts_with("github-actions[bot] <"), "{message}");
            assert!(message.contains(source), "{message}");
        }
        assert_eq!(
            git(&self.remote(), &["cat-file", "-t", &tag]),
            "tag",
            "{version} stays an annotated tag"
        );
    }
}

#[test]
fn first_release_whose_action_yml_names_its_image_tags_the_commit_itself() {
    let r = Releases::new(&real_action_yml(&image("v0.1.0")));
    let main = r.commit_of("refs/heads/main");
    let out = r.release("v0.1.0", &main);
    assert!(out.contains("already runs"), "{out}");
    // No commit was made: both tags users pin are the tagged commit, whose
    // action.yml runs the v0.1.0 image; `main` did not move.
    r.assert_released("v0.1.0", &main);
    assert_eq!(r.commit_of("refs/tags/v0.1.0"), main);
    assert_eq!(r.commit_of("refs/tags/v0"), main);
    assert_eq!(r.commit_of("refs/heads/main"), main);
    assert_eq!(r.refs().len(), 3, "{:?}", r.refs());
}

#[test]
fn each_release_points_its_tag_and_the_major_tag_at_a_commit_running_its_image() {
    let r = Releases::new(&real_action_yml(&image("v0.1.0")));
    let first = r.commit_of("refs/heads/main");
    r.release("v0.1.0", &first);

    let second = r.change("a feature");
    let out = r.release("v0.2.0", &second);
    assert!(out.contains(&format!("{second} ->")), "{out}");
    r.assert_released("v0.2.0", &second);
    assert_ne!(
        r.commit_of("refs/tags/v0.2.0"),
        second,
        "the tag moved to the release commit"
    );
    assert_eq!(r.commit_of("refs/tags/v0"), r.commit_of("refs/tags/v0.2.0"));
    // The release commit is on no branch; main and the older release stay.
    assert_eq!(r.commit_of("refs/heads/main"), second);
    assert_eq!(
        r.image_at("refs/heads/main"),
        format!("docker://{}", image("v0.1.0"))
    );
    r.assert_released("v0.1.0", &first);

    let patch = r.change("a fix");
    r.release("v0.2.1", &patch);
    r.assert_released("v0.2.1", &patch);
    assert_eq!(r.commit_of("refs/tags/v0"), r.commit_of("refs/tags/v0.2.1"));
    assert_eq!(
        r.image_at("refs/tags/v0"),
        format!("docker://{}", image("v0.2.1"))
    );
    r.assert_released("v0.2.0", &second);
    assert_eq!(r.commit_of("refs/heads/main"), patch);

    // A new major version gets its own major tag; v0 stays.
    let v0 = r.commit_of("refs/tags/v0");
    let major = r.change("a breaking change");
    r.release("v1.0.0", &major);
    r.assert_released("v1.0.0", &major);
    assert_eq!(r.commit_of("refs/tags/v1"), r.commit_of("refs/tags/v1.0.0"));
    assert_eq!(r.commit_of("refs/tags/v0"), v0);
}

#[test]
fn a_rerun_of_the_same_release_pushes_nothing() {
    let r = Releases::new(&real_action_yml(&image("v0.1.0")));
    let first = r.commit_of("refs/heads/main");
    let event1 = r.tag("v0.1.0", &first);
    assert!(
        r.workflow("v0.1.0", &event1, &image("v0.1.0"))
            .status
            .success()
    );
    let second = r.change("a feature");
    let event2 = r.tag("v0.2.0", &second);
    assert!(
        r.workflow("v0.2.0", &event2, &image("v0.2.0"))
            .status
            .success()
    );
    let before = r.refs();
    let objects = git(&r.remote(), &["count-objects", "-v"]);
    // "Re-run jobs" checks out the event's commit again: the tag on the
    // remote has moved since, and must stay where it is.
    for (version, event) in [
        ("v0.2.0", &event2),
        ("v0.1.0", &event1),
        ("v0.2.0", &event2),
    ] {
        let out = r.workflow(version, event, &image(version));
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("nothing to push"), "{}", text(&out));
        assert_eq!(r.refs(), before, "rerun of {version}");
    }
    assert_eq!(
        git(&r.remote(), &["count-objects", "-v"]),
        objects,
        "nothing was pushed"
    );
    r.assert_released("v0.2.0", &second);
}

#[test]
fn the_major_tag_follows_the_highest_release_only() {
    let r = Releases::new(&real_action_yml(&image("v0.1.0")));
    let base = r.commit_of("refs/heads/main");
    r.release("v0.9.0", &base);
    let ten = r.change("v0.10 work");
    r.release("v0.10.0", &ten);
    let v0 = r.commit_of("refs/tags/v0.10.0");
    assert_eq!(r.commit_of("refs/tags/v0"), v0, "0.10 is newer than 0.9");

    // A backport on the 0.9 line is released, but v0 stays on 0.10.0.
    r.dev(&["checkout", "-q", "-b", "release/0.9", &base]);
    std::fs::write(r.dev_dir().join("FIX"), "backport\n").unwrap();
    r.dev(&["add", "FIX"]);
    r.dev(&["commit", "-q", "-m", "a backported fix"]);
    r.dev(&["push", "-q", "origin", "release/0.9"]);
    let backport = r.dev(&["rev-parse", "HEAD"]);
    let out = r.release("v0.9.1", &backport);
    assert!(out.contains("v0.10.0 is newer than v0.9.1"), "{out}");
    r.assert_released("v0.9.1", &backport);
    assert_eq!(r.commit_of("refs/tags/v0"), v0);

    // A prerelease never moves (or creates) its major tag.
    let rc = r.change("v1 work");
    let out = r.release("v1.0.0-rc.1", &rc);
    assert!(out.contains("prerelease"), "{out}");
    r.assert_released("v1.0.0-rc.1", &rc);
    assert!(!r.refs().contains_key("refs/tags/v1"), "{:?}", r.refs());
    assert_eq!(r.commit_of("refs/tags/v0"), v0);
}

#[test]
fn only_runs_image_changes_whatever_the_layout() {
    // Quotes, a trailing comment, CRLF line ends, and `image` keys that are
    // not `runs.image` (an input, a nested key) before and after it.
    let yml = "name: x\r\ninputs:\r\n  image:\r\n    description: not this one\r\n\
               runs:\r\n  # the image\r\n  using: 'docker'\r\n  env:\r\n    image: keep\r\n\
               \x20 image: \"docker://ghcr.io/acme/greenlight:v0.1.0\"  # set by the release\r\n\
               \x20 args: [\"action\"]\r\nimage: not-this-either\r\n";
    let r = Releases::new(yml);
    let main = r.commit_of("refs/heads/main");
    r.release("v0.1.0", &main);
    assert_eq!(
        r.commit_of("refs/tags/v0.1.0"),
        main,
        "a quoted value is the same image"
    );
    let next = r.change("more");
    r.release("v0.2.0", &next);
    r.assert_released("v0.2.0", &next);
    let want = yml.replace(
        "\"docker://ghcr.io/acme/greenlight:v0.1.0\"",
        "docker://ghcr.io/acme/greenlight:v0.2.0",
    );
    assert_eq!(r.action_at("refs/tags/v0.2.0"), want.trim_end());
    let raw = git(&r.remote(), &["cat-file", "blob", "v0.2.0:action.yml"]);
    assert!(raw.contains("v0.2.0  # set by the release\r\n"), "{raw:?}");
}

#[test]
fn bad_input_is_refused_with_a_hint_and_moves_nothing() {
    let r = Releases::new(&real_action_yml(&image("v0.1.0")));
    let main = r.commit_of("refs/heads/main");
    let event = r.tag("v0.1.0", &main);
    let before = r.refs();
    let cases: [(&str, &str, &str); 4] = [
        ("v0.1", &image("v0.1"), "is not vMAJOR.MINOR.PATCH"),
        ("v0.1.0", "ghcr.io/Acme/greenlight:v0.1.0", "lowercase"),
        (
            "v0.1.0",
            "ghcr.io/acme/greenlight:v0.1.0 --force",
            "is not REGISTRY/PATH:TAG",
        ),
        (
            "v0.3.0",
            &image("v0.3.0"),
            "the tag v0.3.0 is not on the remote",
        ),
    ];
    for (version, img, says) in cases {
        let out = r.workflow(version, &event, img);
        assert!(!out.status.success(), "{version} {img}: {}", text(&out));
        assert!(text(&out).contains(says), "{}", text(&out));
        assert!(text(&out).contains("hint: "), "{}", text(&out));
        assert_eq!(r.refs(), before);
    }

    // A composite action has no image to point at.
    let r = Releases::new("name: x\nruns:\n  using: composite\n  steps: []\n");
    let main = r.commit_of("refs/heads/main");
    let event = r.tag("v0.1.0", &main);
    let before = r.refs();
    let out = r.workflow("v0.1.0", &event, &image("v0.1.0"));
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no 'image:' in the 'runs:' block"),
        "{}",
        text(&out)
    );
    assert_eq!(r.refs(), before);
}

#[test]
fn a_refused_major_tag_leaves_the_release_tag_unmoved() {
    // The remote refuses v0 (as a tag protection rule would): the push is
    // atomic, so v0.2.0 does not move either, and a rerun once the rule is
    // lifted completes the release.
    let r = Releases::new(&real_action_yml(&image("v0.1.0")));
    let main = r.commit_of("refs/heads/main");
    r.release("v0.1.0", &main);
    let second = r.change("a feature");
    let event = r.tag("v0.2.0", &second);
    let hook = r.remote().join("hooks/update");
    std::fs::write(
        &hook,
        "#!/bin/sh\n[ \"$1\" != refs/tags/v0 ] || { echo 'v0 is protected' >&2; exit 1; }\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = r.refs();
    let out = r.workflow("v0.2.0", &event, &image("v0.2.0"));
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(r.refs(), before, "{}", text(&out));

    std::fs::remove_file(&hook).unwrap();
    let out = r.workflow("v0.2.0", &event, &image("v0.2.0"));
    assert!(out.status.success(), "{}", text(&out));
    r.assert_released("v0.2.0", &second);
    assert_eq!(r.commit_of("refs/tags/v0"), r.commit_of("refs/tags/v0.2.0"));
}

#[test]
fn github_workflows_never_expand_expressions_in_shell() {
    // The rule of attacks::a5 for docs/workflows, for this repository's own.
    let dir = root().join(".github/workflows");
    let mut checked = 0;
    let mut release_tags = false;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let doc: serde_norway::Value = serde_norway::from_str(&crate::common::read(&path)).unwrap();
        for (_, job) in doc["jobs"].as_mapping().unwrap() {
            for step in job["steps"].as_sequence().into_iter().flatten() {
                if let Some(run) = step["run"].as_str() {
                    checked += 1;
                    assert!(!run.contains("${{"), "{}: {run}", path.display());
                    release_tags |= run.contains("scripts/release-tags.sh \"$VERSION\" \"$IMAGE\"");
                }
            }
        }
    }
    assert!(checked > 0, "no `run:` step was checked");
    assert!(release_tags, "release.yml runs scripts/release-tags.sh");
}
