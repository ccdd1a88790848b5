//! Property tests of config edits over generated JSON5 files: whatever the
//! file's style (quoted or bare keys, single or double quotes, comments
//! anywhere, trailing commas), an edit changes exactly the value it targets,
//! keeps every comment outside it, yields a file that parses again, and
//! applying it a second time changes nothing.

use clawcheck_engine::config::tree::parse_dotted;
use clawcheck_engine::config::{LoadedConfig, PathSeg, ReadConfig, SourceMap, json5};
use clawcheck_engine::fix::PatchOp;
use clawcheck_engine::fix::edit::render;
use clawcheck_engine::fix::plan::Attributed;
use clawcheck_engine::fix::planned::Edit;
use clawcheck_engine::input::Environment;
use clawcheck_engine::lang::Value;
use proptest::prelude::*;
use serde_json::{Map, Value as Json};

/// How the generated file is written.
#[derive(Clone, Debug)]
struct Style {
    bare_keys: bool,
    single_quotes: bool,
    trailing_commas: bool,
    comments: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(bare_keys, single_quotes, trailing_commas, comments)| Style {
            bare_keys,
            single_quotes,
            trailing_commas,
            comments,
        },
    )
}

fn key() -> impl Strategy<Value = String> {
    "[a-z][a-zA-Z_]{0,6}"
}

fn scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-1000i64..1000).prop_map(Json::from),
        "[ a-zA-Z0-9'\"\\\\/:.-]{0,12}".prop_map(Json::String),
    ]
}

fn value() -> impl Strategy<Value = Json> {
    scalar().prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(key(), inner, 0..5)
                .prop_map(|m| Json::Object(m.into_iter().collect::<Map<String, Json>>())),
        ]
    })
}

fn config() -> impl Strategy<Value = Json> {
    prop::collection::btree_map(key(), value(), 1..6).prop_map(|m| Json::Object(m.into_iter().collect()))
}

/// Writes `v` as JSON5 in `style`, numbering each comment so that its
/// survival can be checked.
struct Writer<'a> {
    style: &'a Style,
    out: String,
    comments: Vec<String>,
}

impl Writer<'_> {
    fn string(&mut self, s: &str) {
        let json = serde_json::to_string(s).expect("string");
        if self.style.single_quotes {
            let inner = &json[1..json.len() - 1];
            self.out.push_str(&format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'")));
        } else {
            self.out.push_str(&json);
        }
    }

    fn comment(&mut self, indent: &str) {
        if !self.style.comments {
            return;
        }
        let text = format!("note {}", self.comments.len());
        if self.comments.len().is_multiple_of(2) {
            self.out.push_str(&format!("{indent}// {text}\n"));
        } else {
            self.out.push_str(&format!("{indent}/* {text} */\n"));
        }
        self.comments.push(text);
    }

    fn value(&mut self, v: &Json, depth: usize) {
        let indent = "  ".repeat(depth + 1);
        let close = "  ".repeat(depth);
        match v {
            Json::String(s) => self.string(s),
            Json::Array(items) if !items.is_empty() => {
                self.out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    self.comment(&indent);
                    self.out.push_str(&indent);
                    self.value(item, depth + 1);
                    if i + 1 < items.len() || self.style.trailing_commas {
                        self.out.push(',');
                    }
                    self.out.push('\n');
                }
                self.out.push_str(&format!("{close}]"));
            }
            Json::Object(m) if !m.is_empty() => {
                self.out.push_str("{\n");
                for (i, (k, item)) in m.iter().enumerate() {
                    self.comment(&indent);
                    self.out.push_str(&indent);
                    if self.style.bare_keys {
                        self.out.push_str(k);
                    } else {
                        self.string(k);
                    }
                    self.out.push_str(": ");
                    self.value(item, depth + 1);
                    if i + 1 < m.len() || self.style.trailing_commas {
                        self.out.push(',');
                    }
                    self.out.push('\n');
                }
                self.out.push_str(&format!("{close}}}"));
            }
            other => self.out.push_str(&other.to_string()),
        }
    }
}

fn write(v: &Json, style: &Style) -> (String, Vec<String>) {
    let mut w = Writer { style, out: String::new(), comments: Vec::new() };
    w.comment("");
    w.value(v, 0);
    w.out.push('\n');
    (w.out, w.comments)
}

fn load(text: &str) -> LoadedConfig {
    let mut sources = SourceMap::default();
    let id = sources.add("/cfg/openclaw.json".into(), text.to_string());
    let tree = json5::parse(&sources, id).unwrap_or_else(|e| panic!("does not parse: {e}\n{text}"));
    LoadedConfig::from_read(ReadConfig::parsed(sources, Some(tree)), &Environment::default(), None)
}

/// Every path of an object member, as dotted segments.
fn member_paths(v: &Json, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Json::Object(m) = v {
        for (k, item) in m {
            prefix.push(k.clone());
            out.push(prefix.clone());
            member_paths(item, prefix, out);
            prefix.pop();
        }
    }
}

/// Every path of an object (where a key can be added).
fn object_paths(v: &Json, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Json::Object(m) = v {
        out.push(prefix.clone());
        for (k, item) in m {
            prefix.push(k.clone());
            object_paths(item, prefix, out);
            prefix.pop();
        }
    }
}

fn get_mut<'a>(v: &'a mut Json, path: &[String]) -> &'a mut Json {
    path.iter().fold(v, |cur, k| cur.get_mut(k.as_str()).expect("path exists"))
}

/// What the edit should do, applied to plain JSON.
fn expected(original: &Json, op: PatchOp, path: &[String], new: Option<&Json>) -> Json {
    let mut v = original.clone();
    let (last, parent) = path.split_last().expect("non-empty path");
    let parent = get_mut(&mut v, parent).as_object_mut().expect("object parent");
    match op {
        PatchOp::Remove => {
            parent.shift_remove(last);
        }
        _ => {
            parent.insert(last.clone(), new.expect("a value").clone());
        }
    }
    v
}

/// Comments inside the value an edit replaces or removes go with it.
fn comments_outside(text: &str, comments: &[String], loaded: &LoadedConfig, path: &[String]) -> Vec<String> {
    let segs: Vec<PathSeg> = path.iter().map(|k| PathSeg::Key(k.as_str().into())).collect();
    let span = loaded.tree.as_ref().and_then(|t| t.lookup(&segs)).map(|(_, n)| n.origin.span());
    comments
        .iter()
        .filter(|c| match &span {
            Some(r) => !text[r.clone()].contains(c.as_str()),
            None => true,
        })
        .cloned()
        .collect()
}

fn edit(op: PatchOp, path: &[String], value: Option<&Json>) -> Attributed<Edit> {
    Attributed {
        item: Edit {
            op,
            path: parse_dotted(&path.join(".")),
            value: value.map(Value::from_json),
            change: path.join("."),
        },
        by: vec!["property".into()],
    }
}

fn apply(text: &str, e: &Attributed<Edit>) -> String {
    let (files, errors) = render(std::slice::from_ref(e), &load(text));
    assert!(errors.is_empty(), "{errors:?}\n{text}");
    files.into_iter().next().map_or_else(|| text.to_string(), |f| f.after)
}

fn check(original: &Json, style: &Style, op: PatchOp, path: &[String], new: Option<&Json>) {
    let (text, comments) = write(original, style);
    let before = load(&text);
    let e = edit(op, path, new);
    let once = apply(&text, &e);
    let after = load(&once);
    // As text: `serde_json::Value` equality ignores the order of keys, and an
    // edit must keep it (a replaced key stays where it was, an added one comes last).
    let got = serde_json::to_string(&after.source.to_json()).expect("JSON");
    let want = serde_json::to_string(&expected(original, op, path, new)).expect("JSON");
    assert_eq!(got, want, "edited:\n{once}\nfrom:\n{text}");
    for c in comments_outside(&text, &comments, &before, path) {
        assert!(once.contains(&c), "comment {c:?} lost:\n{once}\nfrom:\n{text}");
    }
    let twice = apply(&once, &e);
    assert_eq!(twice, once, "a second application changed the file");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn replacing_a_value_changes_only_that_value(
        (original, pick) in config().prop_flat_map(|c| {
            let mut paths = Vec::new();
            member_paths(&c, &mut Vec::new(), &mut paths);
            let n = paths.len();
            (Just(c), 0..n)
        }),
        new in value(),
        style in style(),
    ) {
        let mut paths = Vec::new();
        member_paths(&original, &mut Vec::new(), &mut paths);
        check(&original, &style, PatchOp::Replace, &paths[pick], Some(&new));
    }

    #[test]
    fn removing_a_member_keeps_everything_else(
        (original, pick) in config().prop_flat_map(|c| {
            let mut paths = Vec::new();
            member_paths(&c, &mut Vec::new(), &mut paths);
            let n = paths.len();
            (Just(c), 0..n)
        }),
        style in style(),
    ) {
        let mut paths = Vec::new();
        member_paths(&original, &mut Vec::new(), &mut paths);
        check(&original, &style, PatchOp::Remove, &paths[pick], None);
    }

    #[test]
    fn adding_a_key_keeps_everything_else(
        (original, pick) in config().prop_flat_map(|c| {
            let mut paths = Vec::new();
            object_paths(&c, &mut Vec::new(), &mut paths);
            let n = paths.len();
            (Just(c), 0..n)
        }),
        new_key in "[A-Z][a-z]{0,5}",
        new in value(),
        style in style(),
    ) {
        let mut paths = Vec::new();
        object_paths(&original, &mut Vec::new(), &mut paths);
        let mut path = paths[pick].clone();
        path.push(new_key);
        check(&original, &style, PatchOp::Add, &path, Some(&new));
    }
}
