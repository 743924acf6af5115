//! Reading manifests for `-f`: files, directories and standard input, YAML or JSON, several documents per
//! file; and turning YAML into the JSON that is sent to the API server, with kubectl's error texts.

use serde_json::Value;

use crate::io::Io;

/// One document of a manifest, with where it came from (`-f` argument as given, or `STDIN`).
#[derive(Clone, Debug)]
pub struct Document {
    pub source: String,
    pub value: Value,
}

/// Reads every document named by the `-f` arguments, in order. Errors are complete kubectl messages.
pub fn read_all(paths: &[String], recursive: bool, io: &Io) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    for path in paths {
        if path == "-" {
            let text = io.stdin.unwrap_or_default();
            docs.extend(parse_documents(text, "STDIN")?);
            continue;
        }
        if let Some(entries) = io.files.list_dir(path) {
            for entry in entries {
                let full = format!("{}/{entry}", path.trim_end_matches('/'));
                if io.files.list_dir(&full).is_some() {
                    if recursive {
                        docs.extend(read_all(&[full], true, io)?);
                    }
                    continue;
                }
                if [".yaml", ".yml", ".json"].iter().any(|x| entry.ends_with(x)) {
                    let text = io.files.read(&full).map_err(|e| format!("error: {e}\n"))?;
                    docs.extend(parse_documents(&text, &full)?);
                }
            }
            continue;
        }
        let text = io.files.read(path).map_err(|e| format!("error: {e}\n"))?;
        docs.extend(parse_documents(&text, path)?);
    }
    Ok(docs)
}

/// Splits YAML (or JSON) text into documents, skipping empty ones.
pub fn parse_documents(text: &str, source: &str) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        let value: serde_yaml::Value = serde::Deserialize::deserialize(de).map_err(|e| {
            format!("error: error parsing {source}: error converting YAML to JSON: {}\n", go_yaml_error(&e))
        })?;
        if value.is_null() {
            continue;
        }
        let json = yaml_to_json(value).map_err(|e| format!("error: error parsing {source}: {e}\n"))?;
        docs.push(Document { source: source.to_string(), value: json });
    }
    Ok(docs)
}

/// serde_yaml (libyaml) says `mapping values are not allowed in this context at line 5 column 10`; go-yaml,
/// a port of the same parser, says `yaml: line 5: mapping values are not allowed in this context`.
fn go_yaml_error(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    let line = e.location().map(|l| l.line());
    let problem = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    // Both parsers refuse alias bombs; go-yaml words it its own way and names no line.
    if problem == "repetition limit exceeded" {
        return "yaml: document contains excessive aliasing".to_string();
    }
    match line {
        Some(line) => format!("yaml: line {line}: {problem}"),
        None => format!("yaml: {problem}"),
    }
}

fn yaml_to_json(value: serde_yaml::Value) -> Result<Value, String> {
    Ok(match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or_default();
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or("error converting YAML to JSON: invalid number")?
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => {
            Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?)
        }
        serde_yaml::Value::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Number(n) => n.to_string(),
                    serde_yaml::Value::Null => "null".to_string(),
                    _ => return Err("error converting YAML to JSON: unsupported map key".to_string()),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        serde_yaml::Value::Tagged(t) => yaml_to_json(t.value)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_documents_and_empty_ones() {
        let docs = parse_documents("a: 1\n---\n---\nb: [x, 2]\n", "f.yaml").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].value, serde_json::json!({"b": ["x", 2]}));
        assert_eq!(docs[0].source, "f.yaml");
    }

    #[test]
    fn syntax_errors_read_as_kubectl_prints_them() {
        // The real kubectl printed this for the same text (kubectl-truth 07-apply-yaml-syntax-error).
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n   labels:\n    app: broken\n";
        assert_eq!(
            parse_documents(text, "bad-syntax.yaml").unwrap_err(),
            "error: error parsing bad-syntax.yaml: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context\n"
        );
    }

    #[test]
    fn json_is_yaml_too() {
        let docs = parse_documents("{\"kind\": \"Pod\", \"n\": 1.5}", "p.json").unwrap();
        assert_eq!(docs[0].value["n"], 1.5);
    }
}
