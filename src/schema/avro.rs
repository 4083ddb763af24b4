//! Avro schema compatibility (pure), with the verdicts of the Schema
//! Registry: Confluent's registry runs Avro's Java
//! `SchemaCompatibility` check, and this walk follows its rules one by one
//! (each pinned by a test below), naming every field that breaks one
//! rather than stopping at the first:
//!
//! 1. primitives read their own type, and the promotions `int` -> `long`,
//!    `float`, `double`; `long` -> `float`, `double`; `float` -> `double`;
//!    `string` <-> `bytes`;
//! 2. logical types are read as their underlying type (a `date` is an
//!    `int`, a `decimal` its `bytes` or `fixed`);
//! 3. named types (record, enum, fixed) match when their unqualified names
//!    are equal, or when one of the reader's aliases is the writer's full
//!    name (an alias without a dot is in the reader's namespace);
//! 4. a record reads each of its fields from the writer's field of that
//!    name, or of one of the field's aliases; a field the writer lacks
//!    needs a default;
//! 5. an enum reads every writer symbol it has, and any other when it has a
//!    default among its symbols;
//! 6. a fixed reads the same size;
//! 7. arrays and maps read their items and values;
//! 8. a writer union is read when each of its branches is; a reader union
//!    reads a writer type that one of its branches reads;
//! 9. a recursive type is compatible unless shown otherwise (a pair being
//!    checked is not checked again inside itself).
//!
//! `apache-avro` parses the schemas; its own compatibility check is not
//! used (it ignores named-type aliases, so it refuses a record renamed with
//! an alias that the registry accepts).
use std::collections::{HashMap, HashSet};

use apache_avro::Schema;
use apache_avro::schema::{
    ArraySchema, EnumSchema, FixedSchema, InnerDecimalSchema, MapSchema, RecordSchema, UnionSchema,
    UuidSchema,
};

/// An Avro schema that does not parse: apache-avro's message and causes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct AvroError(String);

/// Parses an Avro schema (`.avsc` JSON); the error says what is wrong.
pub(crate) fn parse(text: &str) -> Result<Schema, AvroError> {
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
        AvroError(msg)
    })
}

/// Parsing Canonical Form: equal forms mean records are written the same
/// (docs, aliases, defaults and formatting aside).
pub(crate) fn canonical(schema: &Schema) -> String {
    schema.canonical_form()
}

/// Which reader reads which writer's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A reader of the new schema reads records written with the old one.
    Backward,
    /// A reader of the old schema reads records written with the new one.
    Forward,
}

/// One broken rule: where (a field path, empty for the whole schema) and
/// what, told from the old schema to the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub field: String,
    pub problem: String,
}

/// The problems that keep `dir`'s reader from reading its writer's records;
/// empty when the registry would find the schemas compatible.
pub(crate) fn check(old: &Schema, new: &Schema, dir: Direction) -> Vec<Finding> {
    let (writer, reader) = match dir {
        Direction::Backward => (old, new),
        Direction::Forward => (new, old),
    };
    let mut walk = Walk {
        dir,
        writer_names: names_of(writer),
        reader_names: names_of(reader),
        in_progress: HashSet::new(),
    };
    let mut out = walk.compat(writer, reader, "");
    out.dedup();
    out
}

/// Named types of a schema by full name, to resolve references.
type Names<'a> = HashMap<String, &'a Schema>;

fn names_of(schema: &Schema) -> Names<'_> {
    fn walk<'a>(s: &'a Schema, out: &mut Names<'a>) {
        if let Some(n) = s.name()
            && !matches!(s, Schema::Ref { .. })
            && out.insert(n.fullname(None), s).is_some()
        {
            return;
        }
        match s {
            Schema::Record(r) => r.fields.iter().for_each(|f| walk(&f.schema, out)),
            Schema::Array(a) => walk(&a.items, out),
            Schema::Map(m) => walk(&m.types, out),
            Schema::Union(u) => u.variants().iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    walk(schema, &mut out);
    out
}

/// A type as Java's check sees it: logical types are their underlying
/// type (rule 2), references resolved.
#[derive(Clone, Copy)]
enum Kind<'a> {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array(&'a Schema),
    Map(&'a Schema),
    Fixed(&'a FixedSchema),
    Enum(&'a EnumSchema),
    Record(&'a RecordSchema),
    Union(&'a UnionSchema),
    /// A reference to a type the schema does not define.
    Unknown,
}

fn kind<'a>(s: &'a Schema, names: &Names<'a>) -> (Kind<'a>, usize) {
    let s = match s {
        Schema::Ref { name } => match names.get(&name.fullname(None)) {
            Some(t) => *t,
            None => return (Kind::Unknown, s as *const Schema as usize),
        },
        s => s,
    };
    let k = match s {
        Schema::Null => Kind::Null,
        Schema::Boolean => Kind::Boolean,
        Schema::Int | Schema::Date | Schema::TimeMillis => Kind::Int,
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => Kind::Long,
        Schema::Float => Kind::Float,
        Schema::Double => Kind::Double,
        Schema::Bytes | Schema::BigDecimal => Kind::Bytes,
        Schema::String => Kind::String,
        Schema::Decimal(d) => match &d.inner {
            InnerDecimalSchema::Bytes => Kind::Bytes,
            InnerDecimalSchema::Fixed(f) => Kind::Fixed(f),
        },
        Schema::Uuid(u) => match u {
            UuidSchema::String => Kind::String,
            UuidSchema::Bytes => Kind::Bytes,
            UuidSchema::Fixed(f) => Kind::Fixed(f),
        },
        Schema::Duration(f) | Schema::Fixed(f) => Kind::Fixed(f),
        Schema::Array(ArraySchema { items, .. }) => Kind::Array(items),
        Schema::Map(MapSchema { types, .. }) => Kind::Map(types),
        Schema::Enum(e) => Kind::Enum(e),
        Schema::Record(r) => Kind::Record(r),
        Schema::Union(u) => Kind::Union(u),
        Schema::Ref { .. } => Kind::Unknown,
    };
    (k, s as *const Schema as usize)
}

/// Rule 3: the names of two named types match.
fn names_match(
    writer: &apache_avro::schema::Name,
    reader: &apache_avro::schema::Name,
    reader_aliases: Option<&Vec<apache_avro::schema::Alias>>,
) -> bool {
    if writer.name() == reader.name() {
        return true;
    }
    let full = writer.fullname(None);
    reader_aliases
        .into_iter()
        .flatten()
        .any(|a| a.fullname(reader.namespace()) == full)
}

struct Walk<'a> {
    dir: Direction,
    writer_names: Names<'a>,
    reader_names: Names<'a>,
    /// Pairs (writer, reader) being checked: rule 9.
    in_progress: HashSet<(usize, usize)>,
}

impl<'a> Walk<'a> {
    fn finding(&self, path: &str, problem: String) -> Vec<Finding> {
        vec![Finding {
            field: path.to_string(),
            problem,
        }]
    }

    /// `(old, new)` from `(writer, reader)`.
    fn old_new<T>(&self, writer: T, reader: T) -> (T, T) {
        match self.dir {
            Direction::Backward => (writer, reader),
            Direction::Forward => (reader, writer),
        }
    }

    fn type_changed(&self, path: &str, writer: &Schema, reader: &Schema) -> Vec<Finding> {
        let (old, new) = self.old_new(writer, reader);
        self.finding(
            path,
            format!(
                "type changed from `{}` to `{}`",
                type_name(old),
                type_name(new)
            ),
        )
    }

    fn renamed(&self, path: &str, what: &str, writer: &Schema, reader: &Schema) -> Vec<Finding> {
        let (old, new) = self.old_new(writer, reader);
        self.finding(
            path,
            format!(
                "{what} name changed from `{}` to `{}`",
                type_name(old),
                type_name(new)
            ),
        )
    }

    /// Whether the reader reads the writer's records.
    fn reads(&mut self, writer: &'a Schema, reader: &'a Schema) -> bool {
        self.compat(writer, reader, "").is_empty()
    }

    fn compat(&mut self, writer: &'a Schema, reader: &'a Schema, path: &str) -> Vec<Finding> {
        let (wk, wid) = kind(writer, &self.writer_names);
        let (rk, rid) = kind(reader, &self.reader_names);
        if !self.in_progress.insert((wid, rid)) {
            return Vec::new();
        }
        let out = self.calc(writer, wk, reader, rk, path);
        self.in_progress.remove(&(wid, rid));
        out
    }

    fn calc(
        &mut self,
        writer: &'a Schema,
        wk: Kind<'a>,
        reader: &'a Schema,
        rk: Kind<'a>,
        path: &str,
    ) -> Vec<Finding> {
        use Kind::*;
        match (wk, rk) {
            (Null, Null)
            | (Boolean, Boolean)
            | (Int, Int)
            | (Long, Long)
            | (Float, Float)
            | (Double, Double)
            | (Bytes, Bytes)
            | (String, String) => Vec::new(),
            // Rule 1: promotions.
            (Int, Long | Float | Double)
            | (Long, Float | Double)
            | (Float, Double)
            | (String, Bytes)
            | (Bytes, String) => Vec::new(),
            (Array(w), Array(r)) => self.compat(w, r, &format!("{path}[]")),
            (Map(w), Map(r)) => self.compat(w, r, &format!("{path}{{}}")),
            (Fixed(w), Fixed(r)) => {
                if !names_match(&w.name, &r.name, r.aliases.as_ref()) {
                    return self.renamed(path, "fixed", writer, reader);
                }
                if w.size != r.size {
                    let (old, new) = self.old_new(w.size, r.size);
                    return self.finding(path, format!("fixed size changed from {old} to {new}"));
                }
                Vec::new()
            }
            (Enum(w), Enum(r)) => {
                if !names_match(&w.name, &r.name, r.aliases.as_ref()) {
                    return self.renamed(path, "enum", writer, reader);
                }
                self.enum_symbols(w, r, path)
            }
            (Record(w), Record(r)) => {
                if !names_match(&w.name, &r.name, r.aliases.as_ref()) {
                    return self.renamed(path, "record", writer, reader);
                }
                self.record_fields(w, r, path)
            }
            (Union(w), Union(_)) => {
                let mut out = Vec::new();
                for wb in w.variants() {
                    out.extend(self.union_branch(wb, reader, path));
                }
                out
            }
            // Rule 8: every branch of a writer union must be read.
            (Union(w), _) => {
                if w.variants().iter().all(|wb| self.reads(wb, reader)) {
                    Vec::new()
                } else {
                    self.type_changed(path, writer, reader)
                }
            }
            (_, Union(r)) => {
                if r.variants().iter().any(|rb| self.reads(writer, rb)) {
                    return Vec::new();
                }
                match r.variants().iter().find(|rb| self.same_type(writer, rb)) {
                    Some(rb) => self.compat(writer, rb, path),
                    None => self.type_changed(path, writer, reader),
                }
            }
            _ => self.type_changed(path, writer, reader),
        }
    }

    /// Rule 8, both unions: one writer branch, read by some reader branch;
    /// else what breaks in the branch of the same type, or the branch named.
    fn union_branch(&mut self, wb: &'a Schema, reader: &'a Schema, path: &str) -> Vec<Finding> {
        let Schema::Union(r) = reader else {
            return Vec::new();
        };
        if r.variants().iter().any(|rb| self.reads(wb, rb)) {
            return Vec::new();
        }
        match r.variants().iter().find(|rb| self.same_type(wb, rb)) {
            Some(rb) => self.compat(wb, rb, path),
            None => self.finding(
                path,
                match self.dir {
                    Direction::Backward => format!("union branch `{}` removed", type_name(wb)),
                    Direction::Forward => format!("union branch `{}` added", type_name(wb)),
                },
            ),
        }
    }

    /// Rule 4.
    fn record_fields(
        &mut self,
        w: &'a RecordSchema,
        r: &'a RecordSchema,
        path: &str,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        for rf in &r.fields {
            let field_path = join(path, &rf.name);
            let wf = std::iter::once(&rf.name)
                .chain(rf.aliases.iter())
                .find_map(|n| w.fields.iter().find(|wf| &wf.name == n));
            match wf {
                Some(wf) => out.extend(self.compat(&wf.schema, &rf.schema, &field_path)),
                None if rf.default.is_none() => out.extend(self.finding(
                    &field_path,
                    match self.dir {
                        Direction::Backward => "added without a default".into(),
                        Direction::Forward => "removed without a default".into(),
                    },
                )),
                None => {}
            }
        }
        out
    }

    /// Rule 5.
    fn enum_symbols(&self, w: &EnumSchema, r: &EnumSchema, path: &str) -> Vec<Finding> {
        if r.default.as_ref().is_some_and(|d| r.symbols.contains(d)) {
            return Vec::new();
        }
        let missing: Vec<&str> = w
            .symbols
            .iter()
            .filter(|s| !r.symbols.contains(s))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let list = missing.join(", ");
        self.finding(
            path,
            match self.dir {
                Direction::Backward => {
                    format!("enum symbols {list} removed without an enum default")
                }
                Direction::Forward => {
                    format!("enum symbols {list} added, and the old enum has no default")
                }
            },
        )
    }

    /// Both the same kind of type whose content can be compared: named
    /// types whose names match (rule 3), arrays, maps.
    fn same_type(&self, writer: &'a Schema, reader: &'a Schema) -> bool {
        use Kind::*;
        match (
            kind(writer, &self.writer_names).0,
            kind(reader, &self.reader_names).0,
        ) {
            (Record(w), Record(r)) => names_match(&w.name, &r.name, r.aliases.as_ref()),
            (Enum(w), Enum(r)) => names_match(&w.name, &r.name, r.aliases.as_ref()),
            (Fixed(w), Fixed(r)) => names_match(&w.name, &r.name, r.aliases.as_ref()),
            (Array(_), Array(_)) | (Map(_), Map(_)) => true,
            _ => false,
        }
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
pub(crate) fn type_name(s: &Schema) -> String {
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

    fn avro(text: &str) -> Schema {
        parse(text).unwrap()
    }

    /// Backward and forward verdicts of `old` -> `new`: problems, or "ok".
    fn both(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
        let (o, n) = (avro(old), avro(new));
        (
            problems(&o, &n, Direction::Backward),
            problems(&o, &n, Direction::Forward),
        )
    }

    #[test]
    fn rule_1_primitives_read_themselves_and_their_promotions() {
        let promotions = [
            ("int", "long"),
            ("int", "float"),
            ("int", "double"),
            ("long", "float"),
            ("long", "double"),
            ("float", "double"),
            ("string", "bytes"),
            ("bytes", "string"),
        ];
        for (w, r) in promotions {
            let (back, _) = both(&format!(r#""{w}""#), &format!(r#""{r}""#));
            assert!(back.is_empty(), "{w} -> {r}: {back:?}");
        }
        for (w, r) in [
            ("long", "int"),
            ("double", "float"),
            ("string", "int"),
            ("null", "boolean"),
        ] {
            let (back, _) = both(&format!(r#""{w}""#), &format!(r#""{r}""#));
            assert_eq!(back, [format!(": type changed from `{w}` to `{r}`")]);
        }
    }

    #[test]
    fn rule_2_logical_types_are_their_underlying_types() {
        for (a, b) in [
            (r#""int""#, r#"{"type":"int","logicalType":"date"}"#),
            (
                r#""long""#,
                r#"{"type":"long","logicalType":"timestamp-millis"}"#,
            ),
            (r#""string""#, r#"{"type":"string","logicalType":"uuid"}"#),
            (
                r#"{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}"#,
                r#"{"type":"bytes","logicalType":"decimal","precision":12,"scale":4}"#,
            ),
        ] {
            assert_eq!(both(a, b), (vec![], vec![]), "{a} / {b}");
        }
        // A date is an int: read as a long, not the other way.
        let (back, fwd) = both(
            r#"{"type":"int","logicalType":"date"}"#,
            r#"{"type":"long","logicalType":"timestamp-millis"}"#,
        );
        assert!(back.is_empty());
        assert_eq!(fwd, [": type changed from `date` to `timestamp-millis`"]);
    }

    #[test]
    fn rule_3_named_types_match_by_name_or_reader_alias() {
        // The issue's case: R renamed R2 with an alias of R's full name.
        let r = r#"{"type":"record","name":"R","namespace":"shop","fields":[{"name":"a","type":"int"}]}"#;
        let r2 = r#"{"type":"record","name":"R2","namespace":"shop","aliases":["shop.R"],"fields":[{"name":"a","type":"int"}]}"#;
        let (back, fwd) = both(r, r2);
        assert!(back.is_empty(), "{back:?}");
        // The old reader has no alias for R2.
        assert_eq!(fwd, [": record name changed from `R` to `R2`"]);
        // An alias without a dot is in the reader's namespace.
        let r2_short = r2.replace(r#""shop.R""#, r#""R""#);
        assert!(both(r, &r2_short).0.is_empty());
        let elsewhere = r2.replace(r#""shop.R""#, r#""other.R""#);
        assert_eq!(
            both(r, &elsewhere).0,
            [": record name changed from `R` to `R2`"]
        );
        // Unqualified names are compared: a new namespace alone is no rename.
        assert_eq!(
            both(r, &r.replace(r#""shop""#, r#""store""#)),
            (vec![], vec![])
        );
        // Enums and fixed types too, nested in a field and in a union.
        let field = |t: &str| {
            format!(
                r#"{{"type":"record","name":"O","fields":[{{"name":"x","type":["null",{t}],"default":null}}]}}"#
            )
        };
        let e = field(r#"{"type":"enum","name":"E","symbols":["A"]}"#);
        let e2 = field(r#"{"type":"enum","name":"E2","aliases":["E"],"symbols":["A"]}"#);
        assert!(both(&e, &e2).0.is_empty());
        assert_eq!(
            both(&e, &e2.replace(r#","aliases":["E"]"#, "")).0,
            ["x: union branch `E` removed"]
        );
        let f = field(r#"{"type":"fixed","name":"F","size":4}"#);
        let f2 = field(r#"{"type":"fixed","name":"F2","aliases":["F"],"size":4}"#);
        assert!(both(&f, &f2).0.is_empty());
        let plain = |t: &str| {
            format!(r#"{{"type":"record","name":"O","fields":[{{"name":"x","type":{t}}}]}}"#)
        };
        assert_eq!(
            both(
                &plain(r#"{"type":"enum","name":"E","symbols":["A"]}"#),
                &plain(r#"{"type":"enum","name":"E2","symbols":["A"]}"#)
            )
            .0,
            ["x: enum name changed from `E` to `E2`"]
        );
    }

    #[test]
    fn rule_4_fields_by_name_or_alias_and_defaults() {
        let old = schema(r#"{"name":"cust","type":"string"}"#);
        let renamed = schema(r#"{"name":"customer","aliases":["cust"],"type":"string"}"#);
        assert!(check(&old, &renamed, Direction::Backward).is_empty());
        // The old reader has no field `customer` and no default for `cust`.
        assert_eq!(
            problems(&old, &renamed, Direction::Forward),
            vec!["cust: removed without a default"]
        );
        let with_default =
            schema(r#"{"name":"cust","type":"string"},{"name":"n","type":"int","default":0}"#);
        assert!(check(&old, &with_default, Direction::Backward).is_empty());
    }

    #[test]
    fn rule_5_enums_read_known_symbols_or_fall_back_to_their_default() {
        let en = |syms: &str, default: &str| {
            schema(&format!(
                r#"{{"name":"st","type":{{"type":"enum","name":"St","symbols":[{syms}]{default}}}}}"#
            ))
        };
        let (abc, ab) = (en(r#""A","B","C""#, ""), en(r#""A","B""#, ""));
        assert_eq!(
            problems(&abc, &ab, Direction::Backward),
            vec!["st: enum symbols C removed without an enum default"]
        );
        let ab_default = en(r#""A","B""#, r#","default":"A""#);
        assert!(check(&abc, &ab_default, Direction::Backward).is_empty());
        assert!(check(&ab, &abc, Direction::Backward).is_empty());
    }

    #[test]
    fn rule_6_fixed_sizes_must_match() {
        let fx = |n: u32| format!(r#"{{"type":"fixed","name":"F","size":{n}}}"#);
        assert_eq!(both(&fx(4), &fx(8)).0, [": fixed size changed from 4 to 8"]);
        assert_eq!(both(&fx(4), &fx(4)), (vec![], vec![]));
    }

    #[test]
    fn rule_7_arrays_and_maps_read_their_items_and_values() {
        let (back, _) = both(
            r#"{"type":"map","values":"int"}"#,
            r#"{"type":"map","values":"long"}"#,
        );
        assert!(back.is_empty());
        let (back, _) = both(
            r#"{"type":"map","values":"string"}"#,
            r#"{"type":"map","values":"int"}"#,
        );
        assert_eq!(back, ["{}: type changed from `string` to `int`"]);
        assert_eq!(
            both(
                r#"{"type":"array","items":"int"}"#,
                r#"{"type":"map","values":"int"}"#
            )
            .0,
            [": type changed from `array<int>` to `map<int>`"]
        );
    }

    #[test]
    fn rule_8_unions_branch_by_branch() {
        // A writer union whose every branch the reader reads.
        assert_eq!(
            both(r#"["int","long"]"#, r#""long""#).0,
            Vec::<String>::new()
        );
        assert_eq!(
            both(r#"["null","int"]"#, r#""int""#).0,
            [": type changed from `[null, int]` to `int`"]
        );
        // A reader union reads a writer type one of its branches reads.
        assert!(both(r#""int""#, r#"["null","long"]"#).0.is_empty());
        assert_eq!(
            both(r#"["null","int","string"]"#, r#"["null","long"]"#).0,
            [": union branch `string` removed"]
        );
    }

    #[test]
    fn rule_9_recursive_types_are_compatible_unless_shown_otherwise() {
        let list = |extra: &str| {
            format!(
                r#"{{"type":"record","name":"Node","fields":[{{"name":"v","type":"int"}},{{"name":"next","type":["null","Node"],"default":null}}{extra}]}}"#
            )
        };
        assert_eq!(both(&list(""), &list("")), (vec![], vec![]));
        let (back, fwd) = both(&list(""), &list(r#",{"name":"w","type":"int"}"#));
        assert_eq!(back, ["w: added without a default"]);
        assert!(fwd.is_empty());
    }

    #[test]
    fn parse_errors_say_what_is_wrong() {
        let e = parse(r#"{"type":"record","name":"X","fields":[{"name":"a"}]}"#).unwrap_err();
        assert!(!e.to_string().is_empty());
        let e = parse("{not json").unwrap_err();
        assert!(e.to_string().to_lowercase().contains("json"), "{e}");
    }
}
