//! The entry point: format detection and the whole read-validate pipeline.

use serde::Serialize;

use crate::diagnostic::{self, Code, Diagnostic, Source};
use crate::formats::{json, markdown, openapi, yaml};
use crate::limits;
use crate::model::{Model, Summary};
use crate::node::{Node, Value};
use crate::span::Span;
use crate::validate;

/// The input formats a specification can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The specification language in YAML.
    Yaml,
    /// The specification language in JSON.
    Json,
    /// Markdown requirements following the specforge convention.
    Markdown,
    /// An OpenAPI 3.0 or 3.1 document, in YAML or JSON.
    Openapi,
}

impl Format {
    /// All formats, by name.
    pub const NAMES: &'static [&'static str] = &["yaml", "json", "markdown", "openapi"];

    /// The format's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Openapi => "openapi",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Ok(Format::Yaml),
            "json" => Ok(Format::Json),
            "markdown" | "md" => Ok(Format::Markdown),
            "openapi" => Ok(Format::Openapi),
            other => Err(format!(
                "unknown format `{other}`; formats are {}",
                Format::NAMES.join(", ")
            )),
        }
    }
}

/// The result of reading a specification.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The format that was read.
    pub format: Format,
    /// Whether there is no error (warnings allowed).
    pub valid: bool,
    /// Every problem found, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts of entities, fields and relations (of what could be read, even when invalid).
    pub summary: Summary,
    /// The normalized model, when the specification is valid.
    #[serde(skip)]
    pub model: Option<Model>,
    /// The document tree the model was read from (every format is read into the tree of the
    /// equivalent YAML specification), for locating what later stages report by pointer.
    #[serde(skip)]
    pub document: Option<Node>,
}

impl Analysis {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// Where the value at a JSON Pointer (RFC 6901) is written in the source: the key of a
    /// mapping entry, or the item of a sequence. `None` when nothing is there.
    pub fn locate(&self, pointer: &str) -> Option<Span> {
        let mut node = self.document.as_ref()?;
        let mut span = node.span;
        if pointer.is_empty() {
            return Some(span);
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            match &node.value {
                Value::Map(entries) => {
                    let entry = entries.iter().find(|e| e.key.name == segment)?;
                    span = entry.key.span;
                    node = &entry.value;
                }
                Value::Seq(items) => {
                    node = items.get(segment.parse::<usize>().ok()?)?;
                    span = node.span;
                }
                _ => return None,
            }
        }
        Some(span)
    }
}

/// Guesses the format from a file name, then from the content.
///
/// `.md`/`.markdown` is Markdown, `.json` JSON, `.yaml`/`.yml` YAML. Without a telling extension,
/// text whose first character is `{` or `[` is JSON, text with a `## Entity:`, `## Enum:` or
/// `## Roles` heading is Markdown, anything else YAML. A YAML or JSON document whose top level has
/// an `openapi` or `swagger` key is then read as OpenAPI (see [`analyze`]).
pub fn detect_format(file_name: Option<&str>, text: &str) -> Format {
    if let Some(name) = file_name {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".md") || lower.ends_with(".markdown") {
            return Format::Markdown;
        }
        if lower.ends_with(".json") {
            return Format::Json;
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Format::Yaml;
        }
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Format::Json;
    }
    let markdown = text.lines().any(|l| {
        let l = l.trim_end();
        l.starts_with("## Entity:") || l.starts_with("## Enum:") || l == "## Roles"
    });
    if markdown {
        Format::Markdown
    } else {
        Format::Yaml
    }
}

/// Reads a specification given as bytes: checks the size limit and UTF-8, then [`analyze`]s it.
/// `format` forces a format; without it the format is detected from `file_name` and the content.
pub fn analyze_bytes(bytes: &[u8], file_name: Option<&str>, format: Option<Format>) -> Analysis {
    let guess = || format.unwrap_or(Format::Yaml);
    if bytes.len() > limits::MAX_SOURCE_BYTES {
        let source = Source::new("");
        let d = source.error(
            Code::LimitExceeded,
            Span::point(0),
            "",
            format!(
                "the specification is {} bytes; the limit is {} bytes",
                bytes.len(),
                limits::MAX_SOURCE_BYTES
            ),
        );
        return failed(guess(), vec![d]);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let format = format.unwrap_or_else(|| detect_format(file_name, text));
            analyze(text, format)
        }
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            let text = std::str::from_utf8(valid).unwrap_or("");
            let source = Source::new(text);
            let d = source.error(
                Code::SyntaxError,
                Span::point(text.len()),
                "",
                "the specification is not valid UTF-8 text",
            );
            failed(guess(), vec![d.with_hint("save the file as UTF-8")])
        }
    }
}

fn failed(format: Format, diagnostics: Vec<Diagnostic>) -> Analysis {
    Analysis {
        format,
        valid: false,
        diagnostics,
        summary: Summary::default(),
        model: None,
        document: None,
    }
}

/// Reads, validates and normalizes a specification written in `format`.
///
/// For [`Format::Yaml`] and [`Format::Json`], a document whose top level has an `openapi` or
/// `swagger` key is read as OpenAPI; the returned [`Analysis::format`] says which was used.
pub fn analyze(text: &str, format: Format) -> Analysis {
    let source = Source::new(text);
    let mut diagnostics = Vec::new();
    if text.len() > limits::MAX_SOURCE_BYTES {
        diagnostics.push(source.error(
            Code::LimitExceeded,
            Span::point(0),
            "",
            format!(
                "the specification is {} bytes; the limit is {} bytes",
                text.len(),
                limits::MAX_SOURCE_BYTES
            ),
        ));
        return failed(format, diagnostics);
    }
    let mut used = format;
    let document = match format {
        Format::Markdown => markdown::to_document(&source, &mut diagnostics),
        Format::Yaml | Format::Json | Format::Openapi => {
            let json = match format {
                Format::Json => true,
                Format::Yaml => false,
                _ => text
                    .trim_start_matches('\u{feff}')
                    .trim_start()
                    .starts_with('{'),
            };
            let tree = if json {
                json::parse(&source, &mut diagnostics)
            } else {
                yaml::parse(&source, &mut diagnostics)
            };
            match tree {
                Some(tree) if format == Format::Openapi || is_openapi(&tree) => {
                    used = Format::Openapi;
                    openapi::to_document(&tree, &source, &mut diagnostics)
                }
                Some(tree) => {
                    name_duplicates(&mut diagnostics);
                    Some(tree)
                }
                None => None,
            }
        }
    };
    let model = match &document {
        Some(doc) if !diagnostics.iter().any(|d| d.code == Code::LimitExceeded) => {
            validate::validate(doc, &source, &mut diagnostics)
        }
        _ => None,
    };
    if model.is_none() && !diagnostics.iter().any(Diagnostic::is_error) {
        // Every reader reports why it gives up; this only guards the contract that an
        // analysis without a model is never called valid.
        diagnostics.push(source.error(
            Code::SyntaxError,
            Span::point(0),
            "",
            "the specification could not be read",
        ));
    }
    diagnostic::sort(&mut diagnostics);
    let valid = !diagnostics.iter().any(Diagnostic::is_error);
    let summary = model.as_ref().map(Model::summary).unwrap_or_default();
    Analysis {
        format: used,
        valid,
        diagnostics,
        summary,
        model: if valid { model } else { None },
        document,
    }
}

fn is_openapi(tree: &Node) -> bool {
    matches!(&tree.value, Value::Map(_))
        && (tree.get("openapi").is_some() || tree.get("swagger").is_some())
}

/// Duplicate keys are found by the YAML and JSON readers, which know nothing of the
/// specification; where the key is an entity, enum, field or relation name, give the
/// diagnostic the more specific code.
fn name_duplicates(diagnostics: &mut [Diagnostic]) {
    for d in diagnostics
        .iter_mut()
        .filter(|d| d.code == Code::DuplicateKey)
    {
        let segments: Vec<String> = d.path.split('/').skip(1).map(unescape).collect();
        let (code, message) = match segments.as_slice() {
            [top, name] if top == "entities" => (
                Code::DuplicateEntity,
                format!("entity `{name}` is declared twice"),
            ),
            [top, name] if top == "enums" => (
                Code::DuplicateEnum,
                format!("enum `{name}` is declared twice"),
            ),
            [top, entity, group, name]
                if top == "entities" && (group == "fields" || group == "relations") =>
            {
                (
                    Code::DuplicateField,
                    format!("entity `{entity}` declares `{name}` twice"),
                )
            }
            _ => continue,
        };
        d.code = code;
        d.message = message;
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}
