//! Avro schema compatibility (pure). `apache-avro`'s `SchemaCompatibility`
//! gives the verdict; a walk over the parsed schemas names each field that
//! breaks a rule, since the library stops at the first problem.
use std::iter::once;

use apache_avro::Schema;
use apache_avro::error::CompatibilityError;
use apache_avro::schema::{ArraySchema, MapSchema};
use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};

/// Parses an Avro schema (`.avsc` JSON); the error says what is wrong.
pub fn parse(text: &str) -> Result<Schema, String> {
    Schema::parse_str(text).map_err(|e| {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let part = s.to_string();
            if !msg.contains(&part) {
                msg.push_str(": ");
                msg.push_str(&part);
            }
            source = s.source();
        }
        msg
    })
}

/// Parsing Canonical Form: equal forms mean records are written the same
/// (docs, aliases, defaults and formatting aside).
pub fn canonical(schema: &Schema) -> String {
    schema.canonical_form()
}

/// Which reader reads which writer's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A reader of the new schema reads records written with the old one.
    Backward,
    /// A reader of the old schema reads records written with the new one.
    Forward,
}

/// One broken rule: where (a field path, empty for the whole schema) and
/// what, told from the old schema to the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub field: String,
    pub problem: String,
}

/// The problems that keep `dir`'s reader from reading its writer's records;
/// empty when the library finds the schemas fully compatible.
pub fn check(old: &Schema, new: &Schema, dir: Direction) -> Vec<Finding> {
    let (writer, reader) = match dir {
        Direction::Backward => (old, new),
        Direction::Forward => (new, old),
    };
    let verdict = SchemaCompatibility::can_read(writer, reader);
    if verdict == Ok(Compatibility::Full) {
        return Vec::new();
    }
    let mut out = Vec::new();
    Walk { dir }.walk(writer, reader, "", &mut out);
    if out.is_empty() {
        out.push(match verdict {
            Err(e) => from_library(&e, dir),
            _ => Finding {
                field: String::new(),
                problem: "some records may not be readable (partially compatible)".into(),
            },
        });
    }
    out.dedup();
    out
}

fn full(writer: &Schema, reader: &Schema) -> bool {
    SchemaCompatibility::can_read(writer, reader) == Ok(Compatibility::Full)
}

struct Walk {
    dir: Direction,
}

impl Walk {
    fn push(&self, out: &mut Vec<Finding>, path: &str, problem: String) {
        out.push(Finding {
            field: path.to_string(),
            problem,
        });
    }

    /// `(old, new)` from `(writer, reader)`.
    fn old_new<'a>(&self, writer: &'a Schema, reader: &'a Schema) -> (&'a Schema, &'a Schema) {
        match self.dir {
            Direction::Backward => (writer, reader),
            Direction::Forward => (reader, writer),
        }
    }

    fn type_changed(&self, out: &mut Vec<Finding>, path: &str, writer: &Schema, reader: &Schema) {
        let (old, new) = self.old_new(writer, reader);
        self.push(
            out,
            path,
            format!(
                "type changed from `{}` to `{}`",
                type_name(old),
                type_name(new)
            ),
        );
    }

    fn walk(&self, writer: &Schema, reader: &Schema, path: &str, out: &mut Vec<Finding>) {
        match (writer, reader) {
            (Schema::Record(w), Schema::Record(r)) => {
                if w.name.name() != r.name.name() {
                    let (old, new) = self.old_new(writer, reader);
                    self.push(
                        out,
                        path,
                        format!(
                            "record name changed from `{}` to `{}`",
                            type_name(old),
                            type_name(new)
                        ),
                    );
                    return;
                }
                for rf in &r.fields {
                    let field_path = join(path, &rf.name);
                    let wf = once(&rf.name)
                        .chain(rf.aliases.iter())
                        .find_map(|n| w.fields.iter().find(|wf| &wf.name == n));
                    match wf {
                        Some(wf) => self.walk(&wf.schema, &rf.schema, &field_path, out),
                        None if rf.default.is_none() => self.push(
                            out,
                            &field_path,
                            match self.dir {
                                Direction::Backward => "added without a default".into(),
                                Direction::Forward => "removed without a default".into(),
                            },
                        ),
                        None => {}
                    }
                }
            }
            (Schema::Enum(w), Schema::Enum(r)) => {
                if w.name.name() != r.name.name() {
                    let (old, new) = self.old_new(writer, reader);
                    self.push(
                        out,
                        path,
                        format!(
                            "enum name changed from `{}` to `{}`",
                            type_name(old),
                            type_name(new)
                        ),
                    );
                    return;
                }
                if r.default.is_some() {
                    return;
                }
                let missing: Vec<&str> = w
                    .symbols
                    .iter()
                    .filter(|s| !r.symbols.contains(s))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    let list = missing.join(", ");
                    self.push(
                        out,
                        path,
                        match self.dir {
                            Direction::Backward => {
                                format!("enum symbols {list} removed without an enum default")
                            }
                            Direction::Forward => format!(
                                "enum symbols {list} added, and the old enum has no default"
                            ),
                        },
                    );
                }
            }
            (
                Schema::Array(ArraySchema { items: w, .. }),
                Schema::Array(ArraySchema { items: r, .. }),
            ) => self.walk(w, r, &format!("{path}[]"), out),
            (Schema::Map(MapSchema { types: w, .. }), Schema::Map(MapSchema { types: r, .. })) => {
                self.walk(w, r, &format!("{path}{{}}"), out)
            }
            (Schema::Union(w), Schema::Union(r)) => {
                for wb in w.variants() {
                    if r.variants().iter().any(|rb| full(wb, rb)) {
                        continue;
                    }
                    match r.variants().iter().find(|rb| same_type(wb, rb)) {
                        Some(rb) => self.walk(wb, rb, path, out),
                        None => self.push(
                            out,
                            path,
                            match self.dir {
                                Direction::Backward => {
                                    format!("union branch `{}` removed", type_name(wb))
                                }
                                Direction::Forward => {
                                    format!("union branch `{}` added", type_name(wb))
                                }
                            },
                        ),
                    }
                }
            }
            (_, Schema::Union(r)) => {
                if r.variants().iter().any(|rb| full(writer, rb)) {
                    return;
                }
                match r.variants().iter().find(|rb| same_type(writer, rb)) {
                    Some(rb) => self.walk(writer, rb, path, out),
                    None => self.type_changed(out, path, writer, reader),
                }
            }
            _ => {
                if !full(writer, reader) {
                    self.type_changed(out, path, writer, reader);
                }
            }
        }
    }
}

/// Both the same kind of type whose content can be compared: records or
/// enums of one name, arrays, maps.
fn same_type(a: &Schema, b: &Schema) -> bool {
    match (a, b) {
        (Schema::Record(x), Schema::Record(y)) => x.name.name() == y.name.name(),
        (Schema::Enum(x), Schema::Enum(y)) => x.name.name() == y.name.name(),
        (Schema::Array(_), Schema::Array(_)) | (Schema::Map(_), Schema::Map(_)) => true,
        _ => false,
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// A short name for a type, as written in an `.avsc`.
pub fn type_name(s: &Schema) -> String {
    match s {
        Schema::Null => "null".into(),
        Schema::Boolean => "boolean".into(),
        Schema::Int => "int".into(),
        Schema::Long => "long".into(),
        Schema::Float => "float".into(),
        Schema::Double => "double".into(),
        Schema::Bytes => "bytes".into(),
        Schema::String => "string".into(),
        Schema::Array(a) => format!("array<{}>", type_name(&a.items)),
        Schema::Map(m) => format!("map<{}>", type_name(&m.types)),
        Schema::Union(u) => {
            let parts: Vec<String> = u.variants().iter().map(type_name).collect();
            format!("[{}]", parts.join(", "))
        }
        Schema::Record(r) => r.name.name().to_string(),
        Schema::Enum(e) => e.name.name().to_string(),
        Schema::Fixed(f) => format!("{}(fixed {})", f.name.name(), f.size),
        Schema::Decimal(d) => format!("decimal({},{})", d.precision, d.scale),
        Schema::BigDecimal => "big-decimal".into(),
        Schema::Uuid(_) => "uuid".into(),
        Schema::Date => "date".into(),
        Schema::TimeMillis => "time-millis".into(),
        Schema::TimeMicros => "time-micros".into(),
        Schema::TimestampMillis => "timestamp-millis".into(),
        Schema::TimestampMicros => "timestamp-micros".into(),
        Schema::TimestampNanos => "timestamp-nanos".into(),
        Schema::LocalTimestampMillis => "local-timestamp-millis".into(),
        Schema::LocalTimestampMicros => "local-timestamp-micros".into(),
        Schema::LocalTimestampNanos => "local-timestamp-nanos".into(),
        Schema::Duration(_) => "duration".into(),
        Schema::Ref { name } => name.name().to_string(),
    }
}

/// A finding from the library's error, when the walk found none.
fn from_library(e: &CompatibilityError, dir: Direction) -> Finding {
    let mut path = Vec::new();
    let mut e = e;
    while let CompatibilityError::FieldTypeMismatch(name, inner) = e {
        path.push(name.as_str());
        e = inner;
    }
    let problem = match e {
        CompatibilityError::MissingDefaultValue(name) => {
            path.push(name.as_str());
            match dir {
                Direction::Backward => "added without a default".to_string(),
                Direction::Forward => "removed without a default".to_string(),
            }
        }
        CompatibilityError::WrongType { .. } | CompatibilityError::TypeExpected { .. } => {
            "type changed".to_string()
        }
        other => other
            .to_string()
            .trim_start_matches("Incompatible schemata! ")
            .to_string(),
    };
    Finding {
        field: path.join("."),
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(fields: &str) -> Schema {
        parse(&format!(
            r#"{{"type":"record","name":"Order","namespace":"shop","fields":[{fields}]}}"#
        ))
        .unwrap()
    }

    fn problems(old: &Schema, new: &Schema, dir: Direction) -> Vec<String> {
        check(old, new, dir)
            .into_iter()
            .map(|f| format!("{}: {}", f.field, f.problem))
            .collect()
    }

    const ID: &str = r#"{"name":"id","type":"long"}"#;

    #[test]
    fn optional_field_with_default_is_fully_compatible() {
        let old = schema(ID);
        let new = schema(&format!(
            r#"{ID},{{"name":"note","type":["null","string"],"default":null}}"#
        ));
        assert!(check(&old, &new, Direction::Backward).is_empty());
        assert!(check(&old, &new, Direction::Forward).is_empty());
    }

    #[test]
    fn removed_required_field_breaks_forward_only() {
        let old = schema(&format!(r#"{ID},{{"name":"customer_id","type":"string"}}"#));
        let new = schema(ID);
        assert!(check(&old, &new, Direction::Backward).is_empty());
        assert_eq!(
            problems(&old, &new, Direction::Forward),
            vec!["customer_id: removed without a default"]
        );
    }

    #[test]
    fn added_required_field_breaks_backward_only() {
        let old = schema(ID);
        let new = schema(&format!(r#"{ID},{{"name":"customer_id","type":"string"}}"#));
        assert!(check(&old, &new, Direction::Forward).is_empty());
        assert_eq!(
            problems(&old, &new, Direction::Backward),
            vec!["customer_id: added without a default"]
        );
    }

    #[test]
    fn type_changes_are_named_with_promotions_one_way() {
        let old = schema(r#"{"name":"qty","type":"int"}"#);
        let new = schema(r#"{"name":"qty","type":"long"}"#);
        assert!(check(&old, &new, Direction::Backward).is_empty());
        assert_eq!(
            problems(&old, &new, Direction::Forward),
            vec!["qty: type changed from `int` to `long`"]
        );
        let new = schema(r#"{"name":"qty","type":"boolean"}"#);
        assert_eq!(
            problems(&old, &new, Direction::Backward),
            vec!["qty: type changed from `int` to `boolean`"]
        );
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let old = schema(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
        let new = schema(r#"{"name":"a","type":"string"},{"name":"c","type":"string"}"#);
        assert_eq!(
            problems(&old, &new, Direction::Backward),
            vec![
                "a: type changed from `int` to `string`",
                "c: added without a default"
            ]
        );
    }

    #[test]
    fn nested_records_unions_enums_and_arrays() {
        let addr = |extra: &str| {
            format!(
                r#"{{"name":"addr","type":["null",{{"type":"record","name":"Addr","fields":[{{"name":"city","type":"string"}}{extra}]}}],"default":null}}"#
            )
        };
        let old = schema(&addr(""));
        let new = schema(&addr(r#",{"name":"zip","type":"string"}"#));
        assert_eq!(
            problems(&old, &new, Direction::Backward),
            vec!["addr.zip: added without a default"]
        );
        let en = |syms: &str| {
            schema(&format!(
                r#"{{"name":"st","type":{{"type":"enum","name":"St","symbols":[{syms}]}}}}"#
            ))
        };
        assert_eq!(
            problems(&en(r#""A","B""#), &en(r#""A""#), Direction::Backward),
            vec!["st: enum symbols B removed without an enum default"]
        );
        assert_eq!(
            problems(&en(r#""A""#), &en(r#""A","B""#), Direction::Forward),
            vec!["st: enum symbols B added, and the old enum has no default"]
        );
        let arr = |t: &str| {
            schema(&format!(
                r#"{{"name":"xs","type":{{"type":"array","items":"{t}"}}}}"#
            ))
        };
        assert_eq!(
            problems(&arr("string"), &arr("int"), Direction::Backward),
            vec!["xs[]: type changed from `string` to `int`"]
        );
        let un = |t: &str| schema(&format!(r#"{{"name":"u","type":{t}}}"#));
        assert_eq!(
            problems(
                &un(r#"["null","string"]"#),
                &un(r#"["null","boolean"]"#),
                Direction::Backward
            ),
            vec!["u: union branch `string` removed"]
        );
        assert_eq!(
            problems(
                &un(r#""string""#),
                &un(r#"["null","string"]"#),
                Direction::Forward
            ),
            vec!["u: type changed from `string` to `[null, string]`"]
        );
    }

    #[test]
    fn renamed_record_and_aliases() {
        let old = schema(r#"{"name":"cust","type":"string"}"#);
        let new = schema(r#"{"name":"customer","aliases":["cust"],"type":"string"}"#);
        assert!(check(&old, &new, Direction::Backward).is_empty());
        let other = parse(r#"{"type":"record","name":"Other","fields":[]}"#).unwrap();
        assert_eq!(
            problems(&schema(""), &other, Direction::Backward),
            vec![": record name changed from `Order` to `Other`"]
        );
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        let e = parse(r#"{"type":"record","name":"X","fields":[{"name":"a"}]}"#).unwrap_err();
        assert!(!e.is_empty());
        let e = parse("{not json").unwrap_err();
        assert!(e.to_lowercase().contains("json"), "{e}");
    }
}
