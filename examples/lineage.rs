//! Prints the statements of a SQL file as `kind target <- reads`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: lineage FILE");
    let src = std::fs::read_to_string(&path).expect("readable file");
    match greenlight::sql::analyze(&src) {
        Ok(stmts) => {
            for s in stmts {
                let mut reads: Vec<String> = s.reads().map(|n| n.display()).collect();
                reads.sort();
                reads.dedup();
                let quals: Vec<String> = s
                    .refs
                    .iter()
                    .filter(|r| !r.is_lineage())
                    .map(|r| {
                        format!(
                            "{}@{}:{}",
                            r.name.display(),
                            r.name.last().line,
                            r.name.last().col
                        )
                    })
                    .collect();
                println!(
                    "{} {} <- {}  {}",
                    s.kind.as_str(),
                    s.target.as_ref().map_or("-".into(), |t| t.display()),
                    reads.join(" "),
                    if quals.is_empty() {
                        String::new()
                    } else {
                        format!("[qualifiers: {}]", quals.join(" "))
                    }
                );
            }
        }
        Err(e) => println!("error {e}"),
    }
}
