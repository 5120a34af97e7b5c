//! Target options: `--option key=value` on the command line, `options` in the API.

use std::collections::BTreeMap;

use crate::error::Error;

/// What values an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// One of these words.
    Choice(&'static [&'static str]),
    /// A lowercase ASCII identifier: a letter, then letters, digits and `_` (at most 63).
    Identifier,
    /// `true` or `false`.
    Bool,
    /// Any text of at most 200 characters without control characters.
    Text,
}

/// One option of a target.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// Its name.
    pub name: &'static str,
    /// What it changes.
    pub description: &'static str,
    /// The value when not given (`None`: derived from the specification, as `description` says).
    pub default: Option<&'static str>,
    /// What values it takes.
    pub kind: OptionKind,
}

impl OptionSpec {
    fn check(&self, value: &str) -> Result<(), String> {
        match self.kind {
            OptionKind::Choice(values) if !values.contains(&value) => Err(format!(
                "`{value}` is not one of {}",
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            OptionKind::Bool if value != "true" && value != "false" => {
                Err(format!("`{value}` is not `true` or `false`"))
            }
            OptionKind::Identifier
                if value.is_empty()
                    || value.len() > 63
                    || !value.starts_with(|c: char| c.is_ascii_lowercase())
                    || !value
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    || value.ends_with('_')
                    || value.contains("__") =>
            {
                Err(format!(
                    "`{value}` is not a lowercase identifier (a letter, then letters, digits and single `_`, at most 63)"
                ))
            }
            OptionKind::Text
                if value.chars().count() > 200 || value.chars().any(char::is_control) =>
            {
                Err("the text is longer than 200 characters or has control characters".into())
            }
            _ => Ok(()),
        }
    }
}

/// Options given for a generation, checked against the target, with fixed defaults filled in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    values: BTreeMap<String, String>,
}

impl Options {
    /// Checks `given` against `specs`, the options of the target named `target`. A key given
    /// twice keeps its last value.
    pub fn resolve(
        target: &str,
        specs: &[OptionSpec],
        given: &[(String, String)],
    ) -> Result<Self, Error> {
        let mut values = BTreeMap::new();
        for spec in specs {
            if let Some(default) = spec.default {
                values.insert(spec.name.to_owned(), default.to_owned());
            }
        }
        for (key, value) in given {
            let Some(spec) = specs.iter().find(|s| s.name == key) else {
                return Err(Error::UnknownOption {
                    target: target.to_owned(),
                    key: key.clone(),
                    suggestion: specforge_spec::names::suggest(key, specs.iter().map(|s| s.name))
                        .map(String::from),
                });
            };
            spec.check(value).map_err(|reason| Error::BadOption {
                key: key.clone(),
                reason,
            })?;
            values.insert(key.clone(), value.clone());
        }
        Ok(Options { values })
    }

    /// The value of an option, when given or defaulted.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A boolean option (false when absent).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key) == Some("true")
    }

    /// All values by name.
    pub fn values(&self) -> &BTreeMap<String, String> {
        &self.values
    }
}

/// Parses `key=value`.
pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not key=value")),
    }
}

/// The JSON Schema of the `options` object of a target with these options: each option a
/// property with its description, type, allowed values and default. Booleans are JSON booleans;
/// every other value is a string.
pub fn json_schema(specs: &[OptionSpec]) -> serde_json::Value {
    let mut properties = serde_json::Map::new();
    for spec in specs {
        let mut property = serde_json::Map::new();
        property.insert("description".into(), spec.description.into());
        match spec.kind {
            OptionKind::Choice(values) => {
                property.insert("type".into(), "string".into());
                property.insert("enum".into(), values.to_vec().into());
            }
            OptionKind::Identifier => {
                property.insert("type".into(), "string".into());
                property.insert("pattern".into(), "^[a-z][a-z0-9]*(_[a-z0-9]+)*$".into());
                property.insert("maxLength".into(), 63.into());
            }
            OptionKind::Bool => {
                property.insert("type".into(), "boolean".into());
            }
            OptionKind::Text => {
                property.insert("type".into(), "string".into());
                property.insert(
                    "pattern".into(),
                    "^[^\\u0000-\\u001f\\u007f-\\u009f]*$".into(),
                );
                property.insert("maxLength".into(), 200.into());
            }
        }
        if let Some(default) = spec.default {
            let value = match spec.kind {
                OptionKind::Bool => serde_json::Value::Bool(default == "true"),
                _ => default.into(),
            };
            property.insert("default".into(), value);
        }
        properties.insert(spec.name.into(), property.into());
    }
    serde_json::json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

#[cfg(test)]
mod schema_tests {
    use super::*;

    #[test]
    fn the_schema_lists_each_option_with_its_type_values_and_default() {
        let specs = [
            OptionSpec {
                name: "database",
                description: "Which database",
                default: Some("sqlite"),
                kind: OptionKind::Choice(&["sqlite", "postgres"]),
            },
            OptionSpec {
                name: "docker",
                description: "A Dockerfile",
                default: Some("true"),
                kind: OptionKind::Bool,
            },
            OptionSpec {
                name: "package",
                description: "Package name",
                default: None,
                kind: OptionKind::Identifier,
            },
        ];
        let schema = json_schema(&specs);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        let p = &schema["properties"];
        assert_eq!(
            p["database"]["enum"],
            serde_json::json!(["sqlite", "postgres"])
        );
        assert_eq!(p["database"]["default"], "sqlite");
        assert_eq!(p["docker"]["type"], "boolean");
        assert_eq!(p["docker"]["default"], true);
        assert_eq!(p["package"]["type"], "string");
        assert!(p["package"].get("default").is_none());
        let pattern = p["package"]["pattern"].as_str().expect("a pattern");
        assert_eq!(pattern, "^[a-z][a-z0-9]*(_[a-z0-9]+)*$");
        // The pattern accepts what the check accepts, and refuses what it refuses.
        for good in ["shop", "my_shop2", "a1_b2"] {
            assert!(specs[2].check(good).is_ok(), "{good}");
        }
        for bad in ["Shop", "_shop", "shop_", "my__shop", "1shop"] {
            assert!(specs[2].check(bad).is_err(), "{bad}");
        }
    }
}
