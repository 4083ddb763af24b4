//! The mermaid graphs of a release. The full graph draws each table once,
//! labelled with its green name (its blue name and what it reads outside the
//! release as secondary lines), in one column per wave; changed tables are
//! highlighted and stateful ones have a thick border. The condensed graph
//! draws one node per product (or per wave) with counts, for releases too
//! big to draw table by table.
use std::collections::{BTreeMap, BTreeSet};

use super::escape::mermaid_text;
use super::facts::TableFacts;

/// Mermaid's own limits (its defaults, as GitHub renders): past them it
/// draws an error instead of the diagram.
pub const MAX_TEXT: usize = 50_000;
/// The most edges (links, invisible ones included) mermaid draws.
pub const MAX_EDGES: usize = 500;

/// A mermaid diagram, with the counts its limits are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The mermaid source (`flowchart LR ...`).
    pub text: String,
    /// How many nodes it draws (tables, or groups when condensed).
    pub nodes: usize,
    /// How many links it draws, invisible layout links included.
    pub edges: usize,
}

impl Diagram {
    /// Within mermaid's limits.
    pub fn renders(&self) -> bool {
        self.text.len() <= MAX_TEXT && self.edges <= MAX_EDGES
    }
}

const CLASSES: &str = concat!(
    "  classDef changed fill:#fff8c5,stroke:#9a6700,color:#3b2300\n",
    "  classDef descendant fill:#dafbe1,stroke:#1a7f37,color:#0f3d1c\n",
    "  classDef new fill:#ddf4ff,stroke:#0969da,color:#0a3069\n",
    "  classDef stateful stroke-width:4px\n",
);

/// Groups per row of the condensed graph.
const GRID: usize = 4;

/// A wave's column: neutral, so the tables' colours stand out.
const WAVE_STYLE: &str = "fill:#f6f8fa,stroke:#d0d7de,color:#59636e";

/// The secondary line of a table: its blue name, or `new`.
fn was(t: &TableFacts) -> String {
    match &t.blue {
        _ if t.in_place => "upgraded in place".into(),
        Some(b) => format!("was {b}"),
        None => "new".into(),
    }
}

/// What a table reads outside the diagram, folded into one line.
fn folded(untouched: usize, topics: usize, elsewhere: usize) -> Option<String> {
    let mut parts = Vec::new();
    if untouched > 0 {
        parts.push(format!("{untouched} untouched"));
    }
    if topics > 0 {
        parts.push(format!(
            "{topics} topic{}",
            if topics == 1 { "" } else { "s" }
        ));
    }
    if elsewhere > 0 {
        parts.push(format!("{elsewhere} in other groups"));
    }
    (!parts.is_empty()).then(|| format!("+ reads {}", parts.join(", ")))
}

fn class_of(t: &TableFacts) -> &'static str {
    match t.reason {
        crate::version::Reason::Descendant => "descendant",
        crate::version::Reason::New => "new",
        _ => "changed",
    }
}

/// The tables `subset` (indexes into `facts`; every table when `None`), one
/// node each, one column (subgraph) per wave.
pub fn full(facts: &[TableFacts], subset: Option<&BTreeSet<usize>>) -> Diagram {
    let drawn: Vec<usize> = (0..facts.len())
        .filter(|k| subset.is_none_or(|s| s.contains(k)))
        .collect();
    let inside: BTreeSet<usize> = drawn.iter().copied().collect();
    let mut by_wave: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for &k in &drawn {
        by_wave.entry(facts[k].wave).or_default().push(k);
    }
    let mut out = String::from("flowchart LR\n");
    for (wave, tables) in &by_wave {
        out.push_str(&format!("  subgraph w{wave} [\"wave {wave}\"]\n"));
        for &k in tables {
            let t = &facts[k];
            let elsewhere = t.parents.iter().filter(|p| !inside.contains(p)).count();
            let mut label = format!("{}\n{}", mermaid_text(&t.green), mermaid_text(&was(t)));
            if let Some(f) = folded(t.untouched, t.topics, elsewhere) {
                label.push('\n');
                label.push_str(&f);
            }
            out.push_str(&format!("    t{k}[\"{label}\"]:::{}\n", class_of(t)));
        }
        out.push_str("  end\n");
        out.push_str(&format!("  style w{wave} {WAVE_STYLE}\n"));
    }
    let mut edges = 0;
    for &k in &drawn {
        for &p in &facts[k].parents {
            if inside.contains(&p) {
                out.push_str(&format!("  t{p} --> t{k}\n"));
                edges += 1;
            }
        }
    }
    out.push_str(CLASSES);
    let stateful: Vec<String> = drawn
        .iter()
        .filter(|&&k| facts[k].stateful)
        .map(|k| format!("t{k}"))
        .collect();
    if !stateful.is_empty() {
        out.push_str(&format!("  class {} stateful\n", stateful.join(",")));
    }
    let in_place: Vec<String> = drawn
        .iter()
        .filter(|&&k| facts[k].in_place)
        .map(|k| format!("t{k}"))
        .collect();
    if !in_place.is_empty() {
        out.push_str("  classDef inplace stroke-dasharray:5 5\n");
        out.push_str(&format!("  class {} inplace\n", in_place.join(",")));
    }
    Diagram {
        text: out,
        nodes: drawn.len(),
        edges,
    }
}

/// At most this many wave groups in the condensed graph (waves are
/// bucketed beyond).
const WAVE_GROUPS: usize = 24;

/// How the condensed graph groups tables: by product when the release
/// spans more than one, else by wave (by ranges of waves past
/// WAVE_GROUPS).
pub fn group_key(facts: &[TableFacts]) -> impl Fn(&TableFacts) -> String {
    let by_product = by_product(facts);
    let waves = facts.iter().map(|t| t.wave).max().unwrap_or(1);
    let bucket = waves.div_ceil(WAVE_GROUPS).max(1);
    move |t: &TableFacts| {
        if by_product {
            t.product.clone().unwrap_or_else(|| "(no product)".into())
        } else if bucket == 1 {
            format!("wave {}", t.wave)
        } else {
            let first = (t.wave.max(1) - 1) / bucket * bucket + 1;
            format!("waves {first}-{}", (first + bucket - 1).min(waves))
        }
    }
}

/// Whether the condensed graph groups by product (else by wave).
pub fn by_product(facts: &[TableFacts]) -> bool {
    let products: BTreeSet<Option<&str>> = facts.iter().map(|t| t.product.as_deref()).collect();
    products.len() > 1
}

/// Groups of `facts` (see `group_key`), in the order of their first wave.
pub fn groups(facts: &[TableFacts]) -> Vec<(String, BTreeSet<usize>)> {
    let key = group_key(facts);
    let mut map: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (k, t) in facts.iter().enumerate() {
        map.entry(key(t)).or_default().insert(k);
    }
    let mut list: Vec<(String, BTreeSet<usize>)> = map.into_iter().collect();
    list.sort_by_key(|(name, members)| {
        let first = members.iter().map(|&k| facts[k].wave).min().unwrap_or(0);
        (first, name.clone())
    });
    list
}

/// One node per group with its counts; an edge where a table of one group
/// reads a table of another.
pub fn condensed(facts: &[TableFacts]) -> Diagram {
    let groups = groups(facts);
    let mut group_of = vec![0usize; facts.len()];
    for (g, (_, members)) in groups.iter().enumerate() {
        for &k in members {
            group_of[k] = g;
        }
    }
    let mut out = String::from("flowchart LR\n");
    let mut stateful_groups = Vec::new();
    for (g, (name, members)) in groups.iter().enumerate() {
        let n = members.len();
        let roots = members.iter().filter(|&&k| facts[k].is_root()).count();
        let stateful = members.iter().filter(|&&k| facts[k].stateful).count();
        let waves: BTreeSet<usize> = members.iter().map(|&k| facts[k].wave).collect();
        let span = match (waves.first(), waves.last()) {
            (Some(a), Some(b)) if a != b => format!("waves {a}-{b}"),
            (Some(a), _) => format!("wave {a}"),
            _ => String::new(),
        };
        let mut label = format!(
            "{} · {n} table{}\n",
            mermaid_text(name),
            if n == 1 { "" } else { "s" }
        );
        let mut facts_line = Vec::new();
        if roots > 0 {
            facts_line.push(format!("{roots} changed"));
        }
        if stateful > 0 {
            facts_line.push(format!("{stateful} stateful"));
            stateful_groups.push(format!("g{g}"));
        }
        if !name.starts_with("wave") {
            facts_line.push(span);
        }
        label.push_str(&facts_line.join(" · "));
        let class = if roots > 0 { "changed" } else { "descendant" };
        out.push_str(&format!("  g{g}[\"{label}\"]:::{class}\n"));
    }
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (k, t) in facts.iter().enumerate() {
        for &p in &t.parents {
            if group_of[p] != group_of[k] {
                edges.insert((group_of[p], group_of[k]));
            }
        }
    }
    for (a, b) in &edges {
        out.push_str(&format!("  g{a} --> g{b}\n"));
    }
    // Groups linked to no other would stack in one tall column: invisible
    // links lay them out in rows of a few.
    let linked: BTreeSet<usize> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
    let alone: Vec<usize> = (0..groups.len()).filter(|g| !linked.contains(g)).collect();
    let mut links = edges.len();
    for row in alone.chunks(GRID) {
        for pair in row.windows(2) {
            out.push_str(&format!("  g{} ~~~ g{}\n", pair[0], pair[1]));
            links += 1;
        }
    }
    out.push_str(CLASSES);
    if !stateful_groups.is_empty() {
        out.push_str(&format!("  class {} stateful\n", stateful_groups.join(",")));
    }
    Diagram {
        text: out,
        nodes: groups.len(),
        edges: links,
    }
}
