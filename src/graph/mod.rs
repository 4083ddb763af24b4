//! The dependency graph (pure): parents, children, descendants, waves.
use std::collections::{BTreeSet, HashMap, VecDeque};

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::error::{Error, Result};
use crate::project::Project;

/// Table names as nodes, edges from parent to child. External tables are
/// nodes too; they have no parents.
#[derive(Debug, Clone)]
pub struct Graph {
    g: DiGraph<String, ()>,
    nodes: HashMap<String, NodeIndex>,
    external: BTreeSet<String>,
}

impl Graph {
    /// Builds the graph of a project; a cycle is an error naming it.
    pub fn build(project: &Project) -> Result<Graph> {
        let mut g = DiGraph::with_capacity(project.tables.len() + project.external.len(), 0);
        let mut nodes = HashMap::with_capacity(project.tables.len() + project.external.len());
        for name in project
            .tables
            .iter()
            .map(|t| &t.name)
            .chain(project.external.iter())
        {
            nodes.insert(name.clone(), g.add_node(name.clone()));
        }
        for table in &project.tables {
            let child = nodes[&table.name];
            for parent in &table.parents {
                g.add_edge(nodes[parent], child, ());
            }
        }
        let graph = Graph {
            g,
            nodes,
            external: project.external.clone(),
        };
        if let Some(cycle) = graph.find_cycle() {
            // Each table after the first is named with where it reads the
            // one before it.
            let mut named = vec![cycle[0].clone()];
            for pair in cycle.windows(2) {
                let at = project
                    .table(&pair[1])
                    .and_then(|t| project.read_position(t, &pair[0]));
                named.push(match at {
                    Some(at) => format!("{} (reads {} at {at})", pair[1], pair[0]),
                    None => pair[1].clone(),
                });
            }
            return Err(Error::Cycle(named));
        }
        Ok(graph)
    }

    fn find_cycle(&self) -> Option<Vec<String>> {
        for scc in tarjan_scc(&self.g) {
            let start = scc[0];
            if scc.len() == 1 && self.g.find_edge(start, start).is_none() {
                continue;
            }
            // Shortest path start -> ... -> start inside the component.
            let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
            let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
            let mut queue = VecDeque::from([start]);
            'search: while let Some(n) = queue.pop_front() {
                for m in self.g.neighbors_directed(n, Direction::Outgoing) {
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
            let mut path = vec![self.g[start].clone()];
            let mut at = prev[&start];
            while at != start {
                path.push(self.g[at].clone());
                at = prev[&at];
            }
            path.push(self.g[start].clone());
            path.reverse();
            return Some(path);
        }
        None
    }

    pub fn contains(&self, name: &str) -> bool {
        self.nodes.contains_key(name)
    }

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

    /// Sorted names of the tables `name` reads.
    pub fn parents(&self, name: &str) -> Vec<String> {
        self.neighbors(name, Direction::Incoming)
    }

    /// Sorted names of the tables that read `name`.
    pub fn children(&self, name: &str) -> Vec<String> {
        self.neighbors(name, Direction::Outgoing)
    }

    /// Every table reachable from `roots` (the roots included).
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

    /// Orders `subset` in waves: a table's wave is one more than the highest
    /// wave of its parents inside `subset`. Each wave is sorted by name.
    pub fn waves(&self, subset: &BTreeSet<String>) -> Vec<Vec<String>> {
        let mut level: HashMap<NodeIndex, usize> = HashMap::new();
        let order = petgraph::algo::toposort(&self.g, None).expect("the graph is acyclic");
        for n in order {
            if !subset.contains(&self.g[n]) {
                continue;
            }
            let l = self
                .g
                .neighbors_directed(n, Direction::Incoming)
                .filter_map(|p| level.get(&p).map(|l| l + 1))
                .max()
                .unwrap_or(0);
            level.insert(n, l);
        }
        let depth = level.values().max().map_or(0, |m| m + 1);
        let mut waves = vec![Vec::new(); depth];
        for (n, l) in level {
            waves[l].push(self.g[n].clone());
        }
        for w in &mut waves {
            w.sort();
        }
        waves
    }

    /// Names of every node, sorted (project and external tables).
    pub fn names(&self) -> BTreeSet<String> {
        self.nodes.keys().cloned().collect()
    }

    /// Edges as (parent, child) names, sorted.
    pub fn edges(&self) -> BTreeSet<(String, String)> {
        self.g
            .edge_indices()
            .filter_map(|e| self.g.edge_endpoints(e))
            .map(|(a, b)| (self.g[a].clone(), self.g[b].clone()))
            .collect()
    }
}
