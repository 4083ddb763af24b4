//! The dependency graph (pure): parents, children, descendants, waves.
//!
//! Two kinds of edges: data edges (a table reads another: FROM, JOIN,
//! subqueries, TVF arguments) and schema edges (`CREATE TABLE t LIKE s`
//! copies `s`'s schema and reads no data). Data edges make parents,
//! children, descendants and cycles; schema edges only order creation
//! (`s`'s DDL before `t`'s) and carry schema changes
//! ([`Graph::like_descendants`]).
use std::collections::{BTreeSet, HashMap, VecDeque};

use petgraph::Direction;
use petgraph::algo::{has_path_connecting, tarjan_scc};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::error::{Error, Result};
use crate::project::Project;

/// Table names as nodes, edges from parent to child. External tables are
/// nodes too; they have no parents.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Data edges.
    g: DiGraph<String, ()>,
    nodes: HashMap<String, NodeIndex>,
    external: BTreeSet<String>,
    /// Schema edges: (LIKE source, table).
    like: Vec<(NodeIndex, NodeIndex)>,
    /// Data edges plus the schema edges that agree with them: the order
    /// of [`Graph::waves`].
    order: DiGraph<(), ()>,
}

impl Graph {
    /// Builds the graph of a project; a cycle (of data edges, or of `LIKE`
    /// edges) is an error naming it.
    pub fn build(project: &Project) -> Result<Graph> {
        let n = project.tables.len() + project.external.len();
        let mut g = DiGraph::with_capacity(n, 0);
        let mut nodes = HashMap::with_capacity(n);
        for name in project
            .tables
            .iter()
            .map(|t| &t.name)
            .chain(project.external.iter())
        {
            nodes.insert(name.clone(), g.add_node(name.clone()));
        }
        let mut like = Vec::new();
        for table in &project.tables {
            let child = nodes[&table.name];
            for parent in &table.parents {
                g.add_edge(nodes[parent], child, ());
            }
            for source in &table.like {
                like.push((nodes[source], child));
            }
        }
        like.sort();
        like.dedup();
        let mut graph = Graph {
            order: DiGraph::default(),
            g,
            nodes,
            external: project.external.clone(),
            like,
        };
        if let Some(cycle) = find_cycle(&graph.g) {
            let names: Vec<String> = cycle.iter().map(|&i| graph.g[i].clone()).collect();
            return Err(Error::Cycle(graph.name_cycle(project, &names, false)));
        }
        let mut likes = DiGraph::<(), ()>::with_capacity(graph.g.node_count(), graph.like.len());
        for _ in 0..graph.g.node_count() {
            likes.add_node(());
        }
        for &(a, b) in &graph.like {
            likes.add_edge(a, b, ());
        }
        if let Some(cycle) = find_cycle(&likes) {
            let names: Vec<String> = cycle.iter().map(|&i| graph.g[i].clone()).collect();
            return Err(Error::Cycle(graph.name_cycle(project, &names, true)));
        }
        graph.order = graph.order_graph();
        Ok(graph)
    }

    /// Each table after the first with where it reads (or copies) the one
    /// before it.
    fn name_cycle(&self, project: &Project, cycle: &[String], like: bool) -> Vec<String> {
        let mut named = vec![cycle[0].clone()];
        for pair in cycle.windows(2) {
            let reader = project.table(&pair[1]);
            let at = reader.and_then(|t| {
                if like {
                    project.like_position(t, &pair[0])
                } else {
                    project.read_position(t, &pair[0])
                }
            });
            let verb = if like { "LIKE" } else { "reads" };
            named.push(match at {
                Some(at) => format!("{} ({verb} {} at {at})", pair[1], pair[0]),
                None => pair[1].clone(),
            });
        }
        named
    }

    /// The data edges plus each schema edge that closes no cycle with them
    /// (the faker pattern: `rates_faker LIKE rates` and rates reading
    /// rates_faker; there the data order wins).
    fn order_graph(&self) -> DiGraph<(), ()> {
        let mut order = self.g.map(|_, _| (), |_, _| ());
        for &(a, b) in &self.like {
            if !has_path_connecting(&order, b, a, None) {
                order.add_edge(a, b, ());
            }
        }
        order
    }

    /// Whether `name` is a node: a table or an external table.
    pub fn contains(&self, name: &str) -> bool {
        self.nodes.contains_key(name)
    }

    /// Whether `name` is an external table (read but not defined by the project).
    pub fn is_external(&self, name: &str) -> bool {
        self.external.contains(name)
    }

    fn neighbors(&self, name: &str, dir: Direction) -> Vec<String> {
        let Some(&n) = self.nodes.get(name) else {
            return Vec::new();
        };
        let set: BTreeSet<&String> = self
            .g
            .neighbors_directed(n, dir)
            .map(|m| &self.g[m])
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Sorted names of the tables `name` reads data from.
    pub fn parents(&self, name: &str) -> Vec<String> {
        self.neighbors(name, Direction::Incoming)
    }

    /// Sorted names of the tables that read data from `name`.
    pub fn children(&self, name: &str) -> Vec<String> {
        self.neighbors(name, Direction::Outgoing)
    }

    /// Sorted names of the tables whose schema `name` copies (`LIKE`).
    pub fn like_sources(&self, name: &str) -> Vec<String> {
        let Some(&n) = self.nodes.get(name) else {
            return Vec::new();
        };
        let set: BTreeSet<&String> = self
            .like
            .iter()
            .filter(|(_, b)| *b == n)
            .map(|(a, _)| &self.g[*a])
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Sorted names of the tables created `LIKE` `name`.
    pub fn like_children(&self, name: &str) -> Vec<String> {
        let Some(&n) = self.nodes.get(name) else {
            return Vec::new();
        };
        let set: BTreeSet<&String> = self
            .like
            .iter()
            .filter(|(a, _)| *a == n)
            .map(|(_, b)| &self.g[*b])
            .collect();
        set.into_iter().cloned().collect()
    }

    /// Every table reachable from `roots` over data edges (the roots
    /// included): what a change to the roots' data impacts.
    pub fn closure<'a>(&self, roots: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        let mut seen: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut queue: VecDeque<NodeIndex> = roots
            .into_iter()
            .filter_map(|r| self.nodes.get(r).copied())
            .collect();
        while let Some(n) = queue.pop_front() {
            if !seen.insert(n) {
                continue;
            }
            queue.extend(self.g.neighbors_directed(n, Direction::Outgoing));
        }
        seen.into_iter().map(|n| self.g[n].clone()).collect()
    }

    /// The tables whose schema is copied, directly or through other `LIKE`
    /// tables, from one of `roots` (the roots excluded): what a change to
    /// the roots' schema impacts besides their data descendants.
    pub fn like_descendants<'a>(
        &self,
        roots: impl IntoIterator<Item = &'a str>,
    ) -> BTreeSet<String> {
        if self.like.is_empty() {
            return BTreeSet::new();
        }
        let roots: BTreeSet<NodeIndex> = roots
            .into_iter()
            .filter_map(|r| self.nodes.get(r).copied())
            .collect();
        let mut seen: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut queue: VecDeque<NodeIndex> = roots.iter().copied().collect();
        while let Some(n) = queue.pop_front() {
            for &(a, b) in &self.like {
                if a == n && seen.insert(b) {
                    queue.push_back(b);
                }
            }
        }
        seen.difference(&roots)
            .map(|n| self.g[*n].clone())
            .collect()
    }

    /// Orders `subset` in waves: a table's wave is one more than the highest
    /// wave of its parents inside `subset`, and of its `LIKE` sources where
    /// that agrees with the data order. Each wave is sorted by name.
    pub fn waves(&self, subset: &BTreeSet<String>) -> Vec<Vec<String>> {
        levels(
            &self.order,
            |n| subset.contains(&self.g[n]),
            |n| self.g[n].clone(),
        )
    }

    /// The order to create the DDLs of `subset` in: a table after the
    /// tables it is created `LIKE`. Creating every DDL of a release in this
    /// order before starting the DMLs in [`Graph::waves`] order deploys any
    /// project, the faker pattern included.
    pub fn creation_waves(&self, subset: &BTreeSet<String>) -> Vec<Vec<String>> {
        let mut likes = DiGraph::<(), ()>::with_capacity(self.g.node_count(), self.like.len());
        for _ in 0..self.g.node_count() {
            likes.add_node(());
        }
        for &(a, b) in &self.like {
            likes.add_edge(a, b, ());
        }
        levels(
            &likes,
            |n| subset.contains(&self.g[n]),
            |n| self.g[n].clone(),
        )
    }

    /// Names of every node, sorted (project and external tables).
    pub fn names(&self) -> BTreeSet<String> {
        self.nodes.keys().cloned().collect()
    }

    /// Data edges as (parent, child) names, sorted.
    pub fn edges(&self) -> BTreeSet<(String, String)> {
        self.g
            .edge_indices()
            .filter_map(|e| self.g.edge_endpoints(e))
            .map(|(a, b)| (self.g[a].clone(), self.g[b].clone()))
            .collect()
    }

    /// Schema edges as (LIKE source, table) names, sorted.
    pub fn like_edges(&self) -> BTreeSet<(String, String)> {
        self.like
            .iter()
            .map(|(a, b)| (self.g[*a].clone(), self.g[*b].clone()))
            .collect()
    }
}

/// Levels of the nodes `keep` selects in an acyclic graph: one more than
/// the highest level of a kept predecessor. Each level sorted by name.
fn levels<N, E>(
    g: &DiGraph<N, E>,
    keep: impl Fn(NodeIndex) -> bool,
    name: impl Fn(NodeIndex) -> String,
) -> Vec<Vec<String>> {
    let mut level: HashMap<NodeIndex, usize> = HashMap::new();
    let order = petgraph::algo::toposort(g, None).expect("the graph is acyclic");
    for n in order {
        if !keep(n) {
            continue;
        }
        let l = g
            .neighbors_directed(n, Direction::Incoming)
            .filter_map(|p| level.get(&p).map(|l| l + 1))
            .max()
            .unwrap_or(0);
        level.insert(n, l);
    }
    let depth = level.values().max().map_or(0, |m| m + 1);
    let mut waves = vec![Vec::new(); depth];
    for (n, l) in level {
        waves[l].push(name(n));
    }
    for w in &mut waves {
        w.sort();
    }
    waves
}

/// The shortest cycle of the first strongly connected component that has
/// one, as node indexes from a node back to itself.
fn find_cycle<N, E>(g: &DiGraph<N, E>) -> Option<Vec<NodeIndex>> {
    for scc in tarjan_scc(g) {
        let start = scc[0];
        if scc.len() == 1 && g.find_edge(start, start).is_none() {
            continue;
        }
        // Shortest path start -> ... -> start inside the component.
        let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        'search: while let Some(n) = queue.pop_front() {
            for m in g.neighbors_directed(n, Direction::Outgoing) {
                if !members.contains(&m) || prev.contains_key(&m) {
                    continue;
                }
                prev.insert(m, n);
                if m == start {
                    break 'search;
                }
                queue.push_back(m);
            }
        }
        let mut path = vec![start];
        let mut at = prev[&start];
        while at != start {
            path.push(at);
            at = prev[&at];
        }
        path.push(start);
        path.reverse();
        return Some(path);
    }
    None
}
