//! Generates a synthetic Flink SQL project in a git repository, for
//! benchmarks and scale tests.
//!
//! ```text
//! cargo run --release --example gen_repo -- --tables 10000 --change 0.01 --out DIR
//! ```
//!
//! The project uses shift_left's layout
//! (`pipelines/<kind>/<product>/<table>/sql-scripts/{ddl,dml}.<table>.sql`,
//! with a `tests/` folder beside some `sql-scripts/`). Tables come in
//! products of about 100, in layers: sources read external topics, dimensions
//! deduplicate sources, intermediates (three layers) join earlier tables of
//! their product (and now and then a dimension of another product), facts
//! aggregate intermediates with window TVFs. The SQL has CTEs, joins, temporal
//! joins, window TVFs, ROW_NUMBER dedup, UNION ALL, IN subqueries, comments
//! and string literals naming tables, backquoted and qualified names. Its
//! `greenlight.yaml` says where the statements run (`default_catalog`,
//! `default_database`), as a project that qualifies names must.
//!
//! With `--stateless SHARE`, that share of the sources, and of the
//! intermediates whose first parent is stateless, are stateless append-only
//! tables (a filter and a projection, no primary key): what `upgrade: auto`
//! can upgrade in place. The default (0) generates the same files as before.
//!
//! History: a first commit tagged `v1.0.0`, then a commit that changes the
//! DML of a share (`--change`) of the tables semantically (a new filter),
//! chosen at random with a fixed seed. Everything is deterministic: the same
//! arguments give byte-identical files and commits.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: gen_repo --out DIR [--tables N (1000)] [--change SHARE (0.01)] [--seed S (42)] [--product-size N (100)] [--stateless SHARE (0)] [--no-git]";

struct Args {
    out: PathBuf,
    tables: usize,
    change: f64,
    seed: u64,
    product_size: usize,
    /// Share of the sources (and of the intermediates reading a stateless
    /// table first) that are stateless and append-only.
    stateless: f64,
    git: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: PathBuf::new(),
        tables: 1000,
        change: 0.01,
        seed: 42,
        product_size: 100,
        stateless: 0.0,
        git: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--out" => args.out = PathBuf::from(value()?),
            "--tables" => args.tables = value()?.parse().map_err(|e| format!("--tables: {e}"))?,
            "--change" => args.change = value()?.parse().map_err(|e| format!("--change: {e}"))?,
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--product-size" => {
                args.product_size = value()?
                    .parse()
                    .map_err(|e| format!("--product-size: {e}"))?
            }
            "--stateless" => {
                args.stateless = value()?.parse().map_err(|e| format!("--stateless: {e}"))?
            }
            "--no-git" => args.git = false,
            "-h" | "--help" => return Err(USAGE.into()),
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err(format!("--out is required\n{USAGE}"));
    }
    if !(0.0..=1.0).contains(&args.change) {
        return Err("--change is a share between 0 and 1".into());
    }
    if !(0.0..=1.0).contains(&args.stateless) {
        return Err("--stateless is a share between 0 and 1".into());
    }
    if args.product_size < 10 {
        return Err("--product-size must be at least 10".into());
    }
    Ok(args)
}

/// SplitMix64: a small deterministic generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Source,
    Dimension,
    Intermediate(u8),
    Fact,
}

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::Source => "sources",
            Kind::Dimension => "dimensions",
            Kind::Intermediate(_) => "intermediates",
            Kind::Fact => "facts",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Kind::Source => "src",
            Kind::Dimension => "dim",
            Kind::Intermediate(_) => "int",
            Kind::Fact => "fct",
        }
    }
}

struct Table {
    name: String,
    kind: Kind,
    product: String,
    /// Indexes of the tables it reads.
    parents: Vec<usize>,
    /// External topic a source reads.
    topic: Option<String>,
    /// Which DML template (variety).
    variant: usize,
    /// Written backquoted everywhere.
    quoted: bool,
    /// A stateless filter writing an append-only table.
    stateless: bool,
}

const NOUNS: &[&str] = &[
    "orders",
    "payments",
    "customers",
    "shipments",
    "refunds",
    "sessions",
    "clicks",
    "invoices",
    "accounts",
    "devices",
    "tickets",
    "stock",
];

const PRODUCTS: &[&str] = &[
    "sales",
    "billing",
    "marketing",
    "logistics",
    "support",
    "inventory",
    "identity",
    "finance",
];

/// The tables of one product: kinds by share, parents in earlier layers.
fn product_tables(
    p: usize,
    size: usize,
    rng: &mut Rng,
    all: &mut Vec<Table>,
    dims_elsewhere: &[usize],
) -> Vec<usize> {
    let product = format!("{}_{p}", PRODUCTS[p % PRODUCTS.len()]);
    let n_src = (size / 10).max(1);
    let n_dim = (size * 15 / 100).max(1);
    let n_fct = (size / 4).max(1);
    let n_int = size.saturating_sub(n_src + n_dim + n_fct).max(1);
    let start = all.len();
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); 6];
    let mut push = |all: &mut Vec<Table>, kind: Kind, k: usize, layer: usize, rng: &mut Rng| {
        let noun = NOUNS[(k + p) % NOUNS.len()];
        let name = format!("{}_{product}_{noun}_{k}", kind.prefix());
        let quoted = rng.chance(0.08);
        all.push(Table {
            name,
            kind,
            product: product.clone(),
            parents: Vec::new(),
            topic: None,
            variant: rng.below(4),
            quoted,
            stateless: false,
        });
        by_layer[layer].push(all.len() - 1);
    };
    for k in 0..n_src {
        push(all, Kind::Source, k, 0, rng);
    }
    for k in 0..n_dim {
        push(all, Kind::Dimension, k, 1, rng);
    }
    for k in 0..n_int {
        let layer = 1 + (k * 3 / n_int.max(1)) as u8;
        push(all, Kind::Intermediate(layer), k, 1 + layer as usize, rng);
    }
    for k in 0..n_fct {
        push(all, Kind::Fact, k, 5, rng);
    }
    // Parents.
    let pick = |rng: &mut Rng, from: &[usize]| from[rng.below(from.len())];
    for layer in 0..6 {
        for &t in &by_layer[layer].clone() {
            let kind = all[t].kind;
            let mut parents = Vec::new();
            match kind {
                Kind::Source => {
                    all[t].topic = Some(format!("raw_{product}_{}", t - start));
                }
                Kind::Dimension => parents.push(pick(rng, &by_layer[0])),
                Kind::Intermediate(l) => {
                    // Earlier layers of the product: sources, dimensions and
                    // intermediates of lower layers.
                    let earlier: Vec<usize> = by_layer[..1 + l as usize]
                        .iter()
                        .flatten()
                        .copied()
                        .collect();
                    let lower: Vec<usize> = by_layer[l as usize].clone();
                    parents.push(pick(rng, &lower));
                    let n = 1 + rng.below(2);
                    for _ in 0..n {
                        parents.push(pick(rng, &earlier));
                    }
                    if !dims_elsewhere.is_empty() && rng.chance(0.05) {
                        parents.push(pick(rng, dims_elsewhere));
                    }
                }
                Kind::Fact => {
                    let ints: Vec<usize> = by_layer[2..5].iter().flatten().copied().collect();
                    parents.push(pick(rng, &ints));
                    parents.push(pick(rng, &by_layer[1]));
                }
            }
            // Distinct parents, in order, never the table itself.
            let mut seen = Vec::new();
            for p in parents {
                if p != t && !seen.contains(&p) {
                    seen.push(p);
                }
            }
            all[t].parents = seen;
        }
    }
    (start..all.len())
        .filter(|&i| all[i].kind == Kind::Dimension)
        .collect()
}

fn generate(tables: usize, product_size: usize, rng: &mut Rng) -> Vec<Table> {
    let mut all = Vec::with_capacity(tables);
    let mut dims: Vec<usize> = Vec::new();
    let mut p = 0;
    while all.len() < tables {
        let size = product_size.min(tables - all.len());
        if size < 10 {
            // Too small for a product of its own: more sources in the last.
            let product = all
                .last()
                .map_or("misc".to_string(), |t: &Table| t.product.clone());
            for k in 0..size {
                let i = all.len();
                all.push(Table {
                    name: format!("src_{product}_extra_{k}"),
                    kind: Kind::Source,
                    product: product.clone(),
                    parents: Vec::new(),
                    topic: Some(format!("raw_{product}_extra_{i}")),
                    variant: 0,
                    quoted: false,
                    stateless: false,
                });
            }
            break;
        }
        let d = product_tables(p, size, rng, &mut all, &dims);
        dims.extend(d);
        p += 1;
    }
    all
}

/// Marks a share of the sources, and of the intermediates whose first
/// parent is stateless, as stateless (parents come before their children).
/// Its own generator: without `--stateless` nothing else changes.
fn mark_stateless(tables: &mut [Table], share: f64, seed: u64) {
    if share <= 0.0 {
        return;
    }
    let mut rng = Rng(seed ^ 0x5354_4154_454C_4553);
    for i in 0..tables.len() {
        let eligible = match tables[i].kind {
            Kind::Source => true,
            Kind::Intermediate(_) => tables[i]
                .parents
                .first()
                .is_some_and(|&p| tables[p].stateless),
            _ => false,
        };
        tables[i].stateless = eligible && rng.chance(share);
    }
}

fn name(t: &Table) -> String {
    if t.quoted {
        format!("`{}`", t.name)
    } else {
        t.name.clone()
    }
}

fn dir_of(t: &Table) -> String {
    format!(
        "pipelines/{}/{}/{}/sql-scripts",
        t.kind.folder(),
        t.product,
        t.name
    )
}

fn ddl(t: &Table) -> String {
    let n = name(t);
    let mut s = String::new();
    match t.kind {
        Kind::Fact => {
            let _ = write!(
                s,
                "-- Hourly aggregates for {product}.\n\
                 CREATE TABLE IF NOT EXISTS {n} (\n\
                 \x20 window_start   TIMESTAMP(3) NOT NULL,\n\
                 \x20 window_end     TIMESTAMP(3) NOT NULL,\n\
                 \x20 tenant_id      STRING NOT NULL,\n\
                 \x20 event_count    BIGINT,\n\
                 \x20 total_amount   DECIMAL(14, 2),\n\
                 \x20 PRIMARY KEY (window_start, tenant_id) NOT ENFORCED\n\
                 ) DISTRIBUTED BY HASH(window_start, tenant_id) INTO 1 BUCKETS\n",
                product = t.product
            );
        }
        _ if t.stateless => {
            let _ = write!(
                s,
                "/* {kind} table {plain} of product {product}: append-only. */\n\
                 CREATE TABLE IF NOT EXISTS {n} (\n\
                 \x20 id             STRING NOT NULL,\n\
                 \x20 tenant_id      STRING,\n\
                 \x20 amount         DECIMAL(12, 2),\n\
                 \x20 status         STRING,\n\
                 \x20 tags           MULTISET<STRING>,\n\
                 \x20 event_ts       TIMESTAMP_LTZ(3),\n\
                 \x20 WATERMARK FOR event_ts AS event_ts - INTERVAL '5' SECOND\n\
                 ) DISTRIBUTED BY HASH(id) INTO 1 BUCKETS\n\
                 WITH (\n  'changelog.mode' = 'append',\n  'value.format' = 'avro-registry'\n);\n",
                kind = t.kind.folder(),
                plain = t.name,
                product = t.product
            );
            return s;
        }
        _ => {
            let _ = write!(
                s,
                "/* {kind} table {plain} of product {product}.\n\
                 \x20  Owned by the {product} team; see the runbook. */\n\
                 CREATE TABLE IF NOT EXISTS {n} (\n\
                 \x20 id             STRING NOT NULL,\n\
                 \x20 tenant_id      STRING,\n\
                 \x20 amount         DECIMAL(12, 2),\n\
                 \x20 status         STRING COMMENT 'one of: new, active, deleted from source',\n\
                 \x20 tags           MULTISET<STRING>,\n\
                 \x20 event_ts       TIMESTAMP_LTZ(3),\n\
                 \x20 WATERMARK FOR event_ts AS event_ts - INTERVAL '5' SECOND,\n\
                 \x20 PRIMARY KEY (id) NOT ENFORCED\n\
                 ) DISTRIBUTED BY HASH(id) INTO 1 BUCKETS\n",
                kind = t.kind.folder(),
                plain = t.name,
                product = t.product
            );
        }
    }
    s.push_str(
        "WITH (\n  'changelog.mode' = 'upsert',\n  'key.format' = 'avro-registry',\n  'value.format' = 'avro-registry',\n  'kafka.retention.time' = '0',\n  'value.fields-include' = 'all'\n);\n",
    );
    s
}

/// The DML; `changed` adds a filter (a semantic change).
fn dml(t: &Table, all: &[Table], changed: bool) -> String {
    let n = name(t);
    let par = |k: usize| name(&all[t.parents[k.min(t.parents.len() - 1)]]);
    let plain = |k: usize| all[t.parents[k.min(t.parents.len() - 1)]].name.clone();
    let mut s = String::new();
    if t.stateless {
        let from = match t.kind {
            Kind::Source => format!("`{}`", t.topic.as_deref().unwrap_or("raw")),
            _ => par(0),
        };
        let filter = if changed { " AND amount >= 0" } else { "" };
        let _ = write!(
            s,
            "-- A stateless filter: no state, append-only.\n\
             INSERT INTO {n}\n\
             SELECT id, tenant_id, amount, LOWER(status) AS status, tags, event_ts\n\
             FROM {from}\n\
             WHERE id IS NOT NULL{filter};\n"
        );
        return s;
    }
    match t.kind {
        Kind::Source => {
            let topic = t.topic.as_deref().unwrap_or("raw");
            let filter = if changed {
                "\n  AND amount IS NOT NULL"
            } else {
                ""
            };
            let _ = write!(
                s,
                "-- Deduplicate the raw topic: keep the last event per id.\n\
                 SET 'table.exec.state.ttl' = '7 d';\n\
                 INSERT INTO {n}\n\
                 SELECT id, tenant_id, amount, status, tags, event_ts\n\
                 FROM (\n\
                 \x20 SELECT *,\n\
                 \x20   ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS row_num\n\
                 \x20 FROM `{topic}`\n\
                 )\n\
                 WHERE row_num = 1{filter};\n"
            );
        }
        Kind::Dimension => {
            let filter = if changed {
                " AND status <> 'deleted'"
            } else {
                ""
            };
            let _ = write!(
                s,
                "INSERT INTO {n}\n\
                 SELECT id, tenant_id, amount, status, tags, event_ts\n\
                 FROM (\n\
                 \x20 SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY event_ts DESC) AS rn\n\
                 \x20 FROM {p0} -- FROM here is the only read\n\
                 )\n\
                 WHERE rn = 1{filter};\n",
                p0 = par(0)
            );
        }
        Kind::Intermediate(_) => match t.variant {
            0 => {
                // CTE, left join with table-name qualifiers, string naming a table.
                let (p0, p1, b) = (par(0), par(1), plain(1));
                let filter = if changed { " AND r.amount >= 0" } else { "" };
                let _ = write!(
                    s,
                    "-- Enrich {p0} with {p1}. Words like FROM and JOIN in comments are not reads.\n\
                     INSERT INTO {n}\n\
                     WITH recent AS (\n\
                     \x20 SELECT id, tenant_id, amount, status, tags, event_ts\n\
                     \x20 FROM {p0}\n\
                     \x20 WHERE status <> 'deleted from {b}' /* a string, not a table */\n\
                     )\n\
                     SELECT r.id, r.tenant_id, r.amount + COALESCE({p1}.amount, 0) AS amount,\n\
                     \x20 CASE WHEN {p1}.status IS DISTINCT FROM r.status THEN 'changed' ELSE r.status END AS status,\n\
                     \x20 r.tags, r.event_ts\n\
                     FROM recent AS r\n\
                     LEFT JOIN {p1} ON {p1}.id = r.id\n\
                     WHERE r.id IS NOT NULL{filter};\n"
                );
            }
            1 => {
                // Temporal join on the last parent, other parents unioned.
                let last = t.parents.len() - 1;
                let dim = par(last);
                let filter = if changed {
                    " AND o.status <> 'test'"
                } else {
                    ""
                };
                let _ = write!(
                    s,
                    "INSERT INTO {n}\n\
                     SELECT o.id, o.tenant_id, o.amount * COALESCE(d.amount, 1) AS amount,\n\
                     \x20 d.status, o.tags, o.event_ts\n\
                     FROM (\n"
                );
                for k in 0..last.max(1) {
                    if k > 0 {
                        s.push_str("  UNION ALL\n");
                    }
                    let _ = writeln!(
                        s,
                        "  SELECT id, tenant_id, amount, status, tags, event_ts FROM {}",
                        par(k)
                    );
                }
                let _ = write!(
                    s,
                    ") AS o\n\
                     JOIN {dim} FOR SYSTEM_TIME AS OF o.event_ts AS d\n\
                     \x20 ON d.id = o.tenant_id\n\
                     WHERE o.amount > 0{filter};\n"
                );
            }
            2 => {
                // IN subquery and EXTRACT/TRIM with FROM inside functions.
                let filter = if changed { " AND amount < 1000000" } else { "" };
                let _ = write!(
                    s,
                    "INSERT INTO {n} (id, tenant_id, amount, status, tags, event_ts)\n\
                     SELECT id, tenant_id, amount, TRIM(BOTH ' ' FROM status) AS status, tags, event_ts\n\
                     FROM {p0}\n\
                     WHERE EXTRACT(YEAR FROM event_ts) >= 2020\n\
                     \x20 AND tenant_id IN (SELECT tenant_id FROM {p1} WHERE status = 'active'){filter};\n",
                    p0 = par(0),
                    p1 = par(1)
                );
            }
            _ => {
                // Comma join with aliases, qualified name, hint.
                let filter = if changed {
                    " AND a.event_ts >= b.event_ts"
                } else {
                    ""
                };
                let _ = write!(
                    s,
                    "INSERT INTO {n}\n\
                     SELECT a.id, a.tenant_id, a.amount - b.amount AS amount, a.status, a.tags, a.event_ts\n\
                     FROM `default_catalog`.`default_database`.{p0} /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */ AS a,\n\
                     \x20 {p1} AS b\n\
                     WHERE a.id = b.id\n\
                     \x20 AND a.event_ts BETWEEN b.event_ts - INTERVAL '1' HOUR AND b.event_ts{filter};\n",
                    p0 = par(0),
                    p1 = par(1)
                );
            }
        },
        Kind::Fact => {
            let filter = if changed { "\nHAVING COUNT(*) > 1" } else { "" };
            let _ = write!(
                s,
                "-- Hourly windows (TUMBLE), joined with a dimension.\n\
                 INSERT INTO {n}\n\
                 SELECT w.window_start, w.window_end, w.tenant_id,\n\
                 \x20 COUNT(*) AS event_count, CAST(SUM(w.amount) AS DECIMAL(14, 2)) AS total_amount\n\
                 FROM TABLE(\n\
                 \x20 TUMBLE(TABLE {p0}, DESCRIPTOR(event_ts), INTERVAL '1' HOUR)) AS w\n\
                 LEFT JOIN {p1} AS d ON d.id = w.tenant_id\n\
                 GROUP BY w.window_start, w.window_end, w.tenant_id{filter};\n",
                p0 = par(0),
                p1 = par(1)
            );
        }
    }
    s
}

fn test_sql(t: &Table) -> String {
    format!(
        "-- Not a pipeline table: test data for {n}.\nINSERT INTO {n}_test_input VALUES ('1', 't1', 10.0, 'new', NULL, NULL);\nSELECT * FROM {n} WHERE id = '1';\n",
        n = t.name
    )
}

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("a file has a folder"))?;
    std::fs::write(p, text)
}

fn git(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Gen Erator")
        .env("GIT_AUTHOR_EMAIL", "gen@example.com")
        .env("GIT_COMMITTER_NAME", "Gen Erator")
        .env("GIT_COMMITTER_EMAIL", "gen@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn run(args: &Args) -> Result<(), String> {
    if args.out.exists()
        && std::fs::read_dir(&args.out)
            .map_err(|e| e.to_string())?
            .next()
            .is_some()
    {
        return Err(format!("{} exists and is not empty", args.out.display()));
    }
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let mut rng = Rng(args.seed);
    let mut tables = generate(args.tables, args.product_size, &mut rng);
    mark_stateless(&mut tables, args.stateless, args.seed);
    let mut bytes = 0usize;
    let mut files = 0usize;
    let io = |e: std::io::Error| e.to_string();
    // Some references are written `default_catalog`.`default_database`.x:
    // say where the statements run, so that they are the project's tables.
    write(
        &args.out,
        "greenlight.yaml",
        "default_catalog: default_catalog\ndefault_database: default_database\n",
    )
    .map_err(io)?;
    for (i, t) in tables.iter().enumerate() {
        let dir = dir_of(t);
        let d = ddl(t);
        let m = dml(t, &tables, false);
        bytes += d.len() + m.len();
        files += 2;
        write(&args.out, &format!("{dir}/ddl.{}.sql", t.name), &d).map_err(io)?;
        write(&args.out, &format!("{dir}/dml.{}.sql", t.name), &m).map_err(io)?;
        if i % 10 == 3 {
            let tests = dir.replace("/sql-scripts", "/tests");
            write(
                &args.out,
                &format!("{tests}/validate_{}_1.sql", t.name),
                &test_sql(t),
            )
            .map_err(io)?;
        }
    }
    if args.git {
        git(&args.out, &["init", "-q", "-b", "main"])?;
        git(&args.out, &["add", "-A"])?;
        git(&args.out, &["commit", "-q", "-m", "release 1.0.0"])?;
        git(&args.out, &["tag", "v1.0.0"])?;
    }
    // The change: a share of the tables, chosen at random.
    let n_change = ((tables.len() as f64) * args.change).round() as usize;
    let mut order: Vec<usize> = (0..tables.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut changed: Vec<usize> = order.into_iter().take(n_change).collect();
    changed.sort_unstable();
    for &i in &changed {
        let t = &tables[i];
        let dir = dir_of(t);
        write(
            &args.out,
            &format!("{dir}/dml.{}.sql", t.name),
            &dml(t, &tables, true),
        )
        .map_err(io)?;
    }
    if args.git && !changed.is_empty() {
        git(
            &args.out,
            &["commit", "-q", "-a", "-m", "change some tables"],
        )?;
    }
    println!(
        "generated {} tables ({} SQL files, {} bytes) in {}; {} tables changed since v1.0.0",
        tables.len(),
        files,
        bytes,
        args.out.display(),
        changed.len()
    );
    Ok(())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
