use proptest::prelude::*;

use crate::diagnostic::{Code, Severity};
use crate::limits::MAX_DEPTH;
use crate::node::Key;
use crate::span::Span;

use super::document::find_entry as find;
use super::*;

// --- A minimal JSON reader for the tests: every node gets the span of its text. -----------

struct Json<'t> {
    text: &'t str,
    at: usize,
}

impl Json<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.skip_space();
        (self.peek()? == b).then(|| self.at += 1)
    }

    fn string(&mut self) -> Option<(String, Span)> {
        self.skip_space();
        let start = self.at;
        self.eat(b'"')?;
        let mut out = String::new();
        let mut chars = self.text.get(self.at..)?.char_indices();
        loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => {
                    self.at += i + 1;
                    return Some((out, Span::new(start, self.at)));
                }
                '\\' => {
                    let (_, e) = chars.next()?;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'u' => {
                            let hex: String =
                                (0..4).filter_map(|_| chars.next()).map(|p| p.1).collect();
                            char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                        }
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_space();
        let start = self.at;
        let value = match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut entries = Vec::new();
                if self.eat(b'}').is_none() {
                    loop {
                        let (name, span) = self.string()?;
                        self.eat(b':')?;
                        entries.push(Entry {
                            key: Key { name, span },
                            value: self.value()?,
                        });
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            break;
                        }
                    }
                }
                Value::Map(entries)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_none() {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            break;
                        }
                    }
                }
                Value::Seq(items)
            }
            b'"' => Value::Str(self.string()?.0),
            _ => {
                let rest = self.text.get(self.at..)?;
                let len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
                    .unwrap_or(rest.len());
                let word = rest.get(..len)?;
                self.at += len;
                match word {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => match word.parse::<i64>() {
                        Ok(i) => Value::Int(i),
                        Err(_) => Value::Float(word.parse().ok()?),
                    },
                }
            }
        };
        Some(Node::new(value, Span::new(start, self.at)))
    }
}

fn parse_json(text: &str) -> Node {
    Json { text, at: 0 }
        .value()
        .expect("the test document is valid JSON")
}

// --- Helpers ----------------------------------------------------------------------------

fn import(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    let root = parse_json(text);
    let source = Source::new(text);
    let mut diagnostics = Vec::new();
    let out = to_document(&root, &source, &mut diagnostics);
    (out, diagnostics)
}

/// The tree of a document that must be imported, and its diagnostics.
fn imported(text: &str) -> (Node, Vec<Diagnostic>) {
    let (out, diagnostics) = import(text);
    (out.expect("the document is imported"), diagnostics)
}

/// A 3.1 document around `schemas`, which starts on line 2, column 1.
fn with_schemas(schemas: &str) -> String {
    with_schemas_in("3.1.0", schemas)
}

fn with_schemas_in(version: &str, schemas: &str) -> String {
    format!(
        "{{\"openapi\": \"{version}\", \"info\": {{\"title\": \"T\"}}, \"components\": \
             {{\"schemas\":\n{schemas}}}}}"
    )
}

/// Code, line and column of each diagnostic.
fn at(diagnostics: &[Diagnostic]) -> Vec<(&'static str, usize, usize)> {
    diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.line, d.column))
        .collect()
}

fn render(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.clone(),
        Value::Seq(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|e| format!("{}: {}", e.key.name, render(&e.value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

fn entry_at<'n>(node: &'n Node, path: &[&str]) -> &'n Entry {
    let (last, parents) = path.split_last().expect("a non-empty path");
    let mut cur = node;
    for k in parents {
        cur = cur
            .get(k)
            .unwrap_or_else(|| panic!("no `{k}` in {}", render(cur)));
    }
    cur.as_map()
        .and_then(|m| find(m, last))
        .unwrap_or_else(|| panic!("no `{last}` in {}", render(cur)))
}

fn node_at<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
    &entry_at(node, path).value
}

fn shown(node: &Node, path: &[&str]) -> String {
    render(node_at(node, path))
}

fn position(text: &str, span: Span) -> (usize, usize) {
    let p = Source::new(text).position(span.start);
    (p.line, p.column)
}

const CLINIC: &str = r##"{
 "openapi": "3.1.0",
 "info": {
  "title": "Riverside Clinic",
  "version": "1.4.0",
  "description": "Doctors, patients, appointments and the prescriptions written during them.",
  "contact": {"name": "Clinic IT", "email": "it@riverside-clinic.example"}},
 "servers": [{"url": "https://api.riverside-clinic.example/v1"}],
 "tags": [{"name": "scheduling"}],
 "paths": {},
 "components": {
  "schemas": {
   "Speciality": {
    "type": "string",
    "description": "The medical field a doctor practises.",
    "enum": ["general_practice", "cardiology", "dermatology", "paediatrics", "neurology"]},
   "AppointmentStatus": {
    "type": "string",
    "enum": ["booked", "checked_in", "completed", "cancelled", "no_show"]},
   "Person": {
    "type": "object",
    "required": ["full_name", "email"],
    "properties": {
     "full_name": {"type": "string", "minLength": 1, "maxLength": 120},
     "email": {"type": "string", "format": "email", "maxLength": 254, "x-unique": true},
     "phone": {"type": ["string", "null"], "pattern": "^\\+?[0-9 ]{6,20}$"}}},
   "Doctor": {
    "description": "A physician who sees patients.",
    "allOf": [
     {
      "$ref": "#/components/schemas/Person"},
     {
      "type": "object",
      "required": ["speciality", "licence_number"],
      "properties": {
       "speciality": {"$ref": "#/components/schemas/Speciality"},
       "licence_number": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{6}$", "x-unique": true},
       "accepting_patients": {"type": "boolean", "default": true},
       "patients": {"description": "Patients registered with this doctor.", "type": "array", "items": {"$ref": "#/components/schemas/Patient"}},
       "appointments": {"type": "array", "items": {"$ref": "#/components/schemas/Appointment"}}}}]},
   "Patient": {
    "description": "Someone registered with the clinic.",
    "allOf": [{"$ref": "#/components/schemas/Person"}],
    "required": ["date_of_birth", "medical_record_number"],
    "properties": {
     "id": {"type": "string", "format": "uuid", "readOnly": true},
     "date_of_birth": {"type": "string", "format": "date"},
     "medical_record_number": {"type": "string", "format": "uuid", "x-unique": true},
     "height_cm": {"type": "integer", "minimum": 30, "maximum": 260},
     "weight_kg": {"type": "number", "minimum": 0.5, "maximum": 400},
     "doctors": {"type": "array", "items": {"$ref": "#/components/schemas/Doctor"}},
     "appointments": {"type": "array", "items": {"$ref": "#/components/schemas/Appointment"}}}},
   "Appointment": {
    "type": "object",
    "description": "A consultation of one patient with one doctor.",
    "required": ["patient", "doctor", "starts_at", "duration_minutes", "status"],
    "properties": {
     "patient": {"$ref": "#/components/schemas/Patient"},
     "doctor": {"$ref": "#/components/schemas/Doctor"},
     "starts_at": {"type": "string", "format": "date-time"},
     "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 240, "default": 20},
     "status": {"$ref": "#/components/schemas/AppointmentStatus"},
     "reason": {"type": "string", "maxLength": 500},
     "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
     "prescriptions": {"type": "array", "items": {"$ref": "#/components/schemas/Prescription"}}}},
   "Prescription": {
    "type": "object",
    "required": ["appointment", "medication", "dosage"],
    "properties": {
     "appointment": {"$ref": "#/components/schemas/Appointment"},
     "medication": {"type": "string", "maxLength": 200},
     "dosage": {"type": "string", "maxLength": 100},
     "refills": {"type": "integer", "minimum": 0, "maximum": 12, "default": 0},
     "valid_until": {"type": "string", "format": "date"}}}}}}"##;

// --- The clinic example -------------------------------------------------------------------

#[test]
fn the_clinic_example_becomes_enums_entities_fields_and_relations() {
    let (tree, diagnostics) = imported(CLINIC);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(shown(&tree, &["specforge"]), "1");
    assert_eq!(shown(&tree, &["name"]), "riverside_clinic");
    assert_eq!(shown(&tree, &["title"]), "Riverside Clinic");
    assert_eq!(
        shown(&tree, &["description"]),
        "Doctors, patients, appointments and the prescriptions written during them."
    );
    assert_eq!(
        shown(&tree, &["enums"]),
        "{Speciality: {values: [general_practice, cardiology, dermatology, paediatrics, \
             neurology], description: The medical field a doctor practises.}, \
             AppointmentStatus: [booked, checked_in, completed, cancelled, no_show]}"
    );
    let names: Vec<&str> = node_at(&tree, &["entities"])
        .as_map()
        .expect("entities")
        .iter()
        .map(|e| e.key.name.as_str())
        .collect();
    assert_eq!(names, ["Doctor", "Patient", "Appointment", "Prescription"]);
    let person = "full_name: {type: string, required: true, min_length: 1, max_length: 120}, \
                      email: {type: email, required: true, max_length: 254, unique: true}, \
                      phone: {type: string, pattern: ^\\+?[0-9 ]{6,20}$}";
    assert_eq!(
        shown(&tree, &["entities", "Doctor"]),
        format!(
            "{{description: A physician who sees patients., fields: {{{person}, \
                 speciality: {{type: Speciality, required: true}}, \
                 licence_number: {{type: string, required: true, pattern: ^[A-Z]{{2}}-[0-9]{{6}}$, \
                 unique: true}}, \
                 accepting_patients: {{type: boolean, default: true}}}}, relations: {{\
                 patients: {{to: Patient, kind: many_to_many, description: Patients registered \
                 with this doctor.}}, \
                 appointments: {{to: Appointment, kind: one_to_many, mapped_by: doctor}}}}}}"
        )
    );
    assert_eq!(
        shown(&tree, &["entities", "Patient"]),
        format!(
            "{{description: Someone registered with the clinic., fields: {{{person}, \
                 date_of_birth: {{type: date, required: true}}, \
                 medical_record_number: {{type: uuid, required: true, unique: true}}, \
                 height_cm: {{type: integer, min: 30, max: 260}}, \
                 weight_kg: {{type: float, min: 0.5, max: 400}}}}, relations: {{\
                 doctors: {{to: Doctor, kind: many_to_many, mapped_by: patients}}, \
                 appointments: {{to: Appointment, kind: one_to_many, mapped_by: patient}}}}}}"
        )
    );
    assert_eq!(
        shown(&tree, &["entities", "Appointment"]),
        "{description: A consultation of one patient with one doctor., fields: {\
             starts_at: {type: datetime, required: true}, \
             duration_minutes: {type: integer, required: true, min: 5, max: 240, default: 20}, \
             status: {type: AppointmentStatus, required: true}, \
             reason: {type: string, max_length: 500}, \
             cancelled_at: {type: datetime}}, relations: {\
             patient: {to: Patient, kind: many_to_one, required: true}, \
             doctor: {to: Doctor, kind: many_to_one, required: true}, \
             prescriptions: {to: Prescription, kind: one_to_many, mapped_by: appointment}}}"
    );
    assert_eq!(
        shown(&tree, &["entities", "Prescription"]),
        "{fields: {medication: {type: string, required: true, max_length: 200}, \
             dosage: {type: string, required: true, max_length: 100}, \
             refills: {type: integer, min: 0, max: 12, default: 0}, \
             valid_until: {type: date}}, relations: {\
             appointment: {to: Appointment, kind: many_to_one, required: true}}}"
    );
}

#[test]
fn generated_nodes_carry_the_spans_of_the_openapi_values_they_come_from() {
    let text = r##"{"openapi": "3.1.0",
"info": {"title": "Clinic"},
"components": {"schemas": {
"Doctor": {"type": "object", "properties": {
  "name": {"type": "string",
    "maxLength": 80},
  "visits": {"type": "array", "items": {"$ref": "#/components/schemas/Visit"}}}},
"Visit": {"type": "object", "required": [
  "doctor"], "properties": {
  "doctor": {
    "$ref": "#/components/schemas/Doctor"}}}
}}}"##;
    let (tree, diagnostics) = imported(text);
    assert_eq!(at(&diagnostics), vec![]);
    let span = |path: &[&str]| position(text, node_at(&tree, path).span);
    let key = |path: &[&str]| position(text, entry_at(&tree, path).key.span);
    assert_eq!(span(&["specforge"]), (1, 13));
    assert_eq!(span(&["name"]), (2, 19));
    let name = ["entities", "Doctor", "fields", "name"];
    assert_eq!(key(&name), (5, 3));
    assert_eq!(span(&[&name[..], &["type"]].concat()), (5, 20));
    assert_eq!(key(&[&name[..], &["max_length"]].concat()), (6, 5));
    assert_eq!(span(&[&name[..], &["max_length"]].concat()), (6, 18));
    let visits = ["entities", "Doctor", "relations", "visits"];
    assert_eq!(span(&[&visits[..], &["to"]].concat()), (7, 49));
    assert_eq!(span(&[&visits[..], &["kind"]].concat()), (7, 22));
    assert_eq!(span(&[&visits[..], &["mapped_by"]].concat()), (10, 3));
    let doctor = ["entities", "Visit", "relations", "doctor"];
    assert_eq!(key(&doctor), (10, 3));
    assert_eq!(span(&[&doctor[..], &["to"]].concat()), (11, 13));
    assert_eq!(span(&[&doctor[..], &["kind"]].concat()), (11, 13));
    assert_eq!(span(&[&doctor[..], &["required"]].concat()), (9, 3));
}

// --- Versions and the document header ----------------------------------------------------

#[test]
fn a_document_without_openapi_is_missing_its_version() {
    let (out, diagnostics) = import(r##"{"info": {"title": "T"}}"##);
    assert!(out.is_none());
    assert_eq!(at(&diagnostics), vec![("missing_version", 1, 1)]);
    assert_eq!(diagnostics[0].path, "");
}

#[test]
fn a_swagger_2_document_is_reported_at_its_version_with_a_hint_to_convert() {
    let (out, diagnostics) = import(r##"{"swagger": "2.0", "info": {"title": "T"}}"##);
    assert!(out.is_none());
    assert_eq!(at(&diagnostics), vec![("unsupported_version", 1, 13)]);
    assert_eq!(diagnostics[0].path, "/swagger");
    assert!(
        diagnostics[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("OpenAPI 3"))
    );
}

#[test]
fn openapi_versions_other_than_3_0_and_3_1_are_unsupported() {
    for (text, hint) in [
        (
            r##"{"openapi": "3.2.0"}"##,
            "use an OpenAPI 3.0 or 3.1 document",
        ),
        (
            r##"{"openapi": "2.0"}"##,
            "convert the document to OpenAPI 3",
        ),
        (r##"{"openapi": 3.1}"##, "quote the version"),
    ] {
        let (out, diagnostics) = import(text);
        assert!(out.is_none(), "{text}");
        assert_eq!(
            at(&diagnostics),
            vec![("unsupported_version", 1, 13)],
            "{text}"
        );
        assert_eq!(diagnostics[0].path, "/openapi");
        assert!(
            diagnostics[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains(hint)),
            "{text}"
        );
    }
}

#[test]
fn openapi_3_0_and_3_1_versions_are_accepted() {
    for v in ["3.0.0", "3.0.3", "3.1.0", "3.1.1"] {
        let (out, diagnostics) = import(&format!(
            r##"{{"openapi": "{v}", "info": {{"title": "T"}}}}"##
        ));
        assert!(out.is_some(), "{v}");
        assert_eq!(at(&diagnostics), vec![], "{v}");
    }
}

#[test]
fn a_document_that_is_not_a_mapping_is_rejected() {
    let (out, diagnostics) = import("[1]");
    assert!(out.is_none());
    assert_eq!(at(&diagnostics), vec![("invalid_value", 1, 1)]);
}

#[test]
fn the_name_is_the_title_in_snake_case_and_the_description_comes_from_info() {
    let text = r##"{"openapi": "3.0.3", "info": {"title": "Riverside Clinic API", "description": "All of it."}}"##;
    let (tree, diagnostics) = imported(text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        render(&tree),
        "{specforge: 1, name: riverside_clinic_api, title: Riverside Clinic API, \
             description: All of it., entities: {}}"
    );
    assert_eq!(position(text, entry_at(&tree, &["name"]).key.span), (1, 31));
}

#[test]
fn x_specforge_name_overrides_the_name_derived_from_the_title() {
    let text =
        r##"{"openapi": "3.1.0", "x-specforge-name": "clinic", "info": {"title": "Riverside"}}"##;
    let (tree, diagnostics) = imported(text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(shown(&tree, &["name"]), "clinic");
    assert_eq!(position(text, node_at(&tree, &["name"]).span), (1, 42));
}

#[test]
fn a_document_without_a_title_or_name_reports_the_missing_title() {
    let (tree, diagnostics) = imported(r##"{"openapi": "3.1.0", "info": {"version": "1"}}"##);
    assert_eq!(at(&diagnostics), vec![("missing_key", 1, 22)]);
    assert_eq!(diagnostics[0].path, "/info/title");
    assert!(tree.get("name").is_none());
}

#[test]
fn metadata_is_ignored_without_warnings() {
    let text = r##"{"openapi": "3.1.0",
"info": {"title": "T", "version": "2", "contact": {"name": "x"}, "license": {"name": "MIT"}, "x-logo": {}},
"servers": [{"url": "https://example.com"}], "tags": [{"name": "t"}],
"externalDocs": {"url": "https://example.com"}, "jsonSchemaDialect": "https://example.com/d",
"paths": {}, "security": [], "components": {"responses": {}, "schemas": {}}}"##;
    let (tree, diagnostics) = imported(text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        render(&tree),
        "{specforge: 1, name: t, title: T, entities: {}}"
    );
}

#[test]
fn paths_with_operations_give_one_warning_at_paths() {
    let text = r##"{"openapi": "3.1.0", "info": {"title": "T"},
"paths": {"/books": {"get": {}, "post": {}}, "/authors": {"get": {}}}}"##;
    let (_, diagnostics) = imported(text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 2, 1)]);
    assert_eq!(diagnostics[0].path, "/paths");
    assert_eq!(
        diagnostics[0].message,
        "paths are not imported: specforge generates the CRUD operations of each entity"
    );
    assert_eq!(diagnostics[0].severity, Severity::Warning);
}

#[test]
fn security_schemes_and_other_components_give_one_warning_each() {
    let text = r##"{"openapi": "3.1.0", "info": {"title": "T"}, "components": {
"securitySchemes": {"bearer": {"type": "http"}, "key": {"type": "apiKey"}},
"responses": {"NotFound": {}},
"parameters": {"page": {}, "size": {}},
"headers": {},
"x-internal": true}}"##;
    let (_, diagnostics) = imported(text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 2, 1),
            ("unsupported_construct", 3, 1),
            ("unsupported_construct", 4, 1),
            ("unsupported_construct", 6, 1),
        ]
    );
    assert_eq!(diagnostics[0].path, "/components/securitySchemes");
    assert!(
        diagnostics[0]
            .message
            .contains("roles must be declared in a specforge spec")
    );
    assert_eq!(diagnostics[2].path, "/components/parameters");
    assert_eq!(
        diagnostics[3].message,
        "extension `x-internal` is not imported"
    );
}

#[test]
fn unknown_top_level_keys_and_extensions_are_reported() {
    let text = r##"{"openapi": "3.1.0", "info": {"title": "T"},
"x-generator": "tool",
"security": [{"bearer": []}],
"webhooks": {"newBook": {}},
"basePath": "/v1"}"##;
    let (_, diagnostics) = imported(text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 2, 1),
            ("unsupported_construct", 3, 1),
            ("unsupported_construct", 4, 1),
            ("unsupported_construct", 5, 1),
        ]
    );
    assert_eq!(
        diagnostics[3].message,
        "top-level key `basePath` is not imported"
    );
}

// --- Enums and aliases --------------------------------------------------------------------

#[test]
fn string_enum_schemas_become_enums_and_other_enums_are_skipped() {
    let text = with_schemas(
        r##"{"Colour": {"type": "string", "enum": ["red", "green"]},
"Size": {"description": "How big.", "enum": ["s", "m"]},
"Level": {"type": "integer",
  "enum": [1, 2]},
"Mood": {"type": ["string", "null"], "enum": ["happy",
  null]}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 5, 3),
            ("unsupported_construct", 7, 3)
        ]
    );
    assert_eq!(diagnostics[0].path, "/components/schemas/Level/enum");
    assert_eq!(diagnostics[1].path, "/components/schemas/Mood/enum/1");
    assert_eq!(
        shown(&tree, &["enums"]),
        "{Colour: [red, green], Size: {values: [s, m], description: How big.}, Mood: [happy]}"
    );
    assert_eq!(
        position(&text, node_at(&tree, &["enums", "Colour"]).span),
        (2, 39)
    );
}

#[test]
fn an_alias_schema_is_not_imported_but_a_ref_to_it_takes_its_type() {
    let text = with_schemas(
        r##"{"Email": {"type": "string", "format": "email", "maxLength": 200},
"Person": {"type": "object", "properties": {
  "email": {"$ref": "#/components/schemas/Email", "description": "Work address."}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 2, 2)]);
    assert!(
        diagnostics[0]
            .message
            .contains("schema `Email` is neither an object nor a string enum")
    );
    assert_eq!(
        shown(&tree, &["entities"]),
        "{Person: {fields: {email: {type: email, description: Work address., max_length: 200}}}}"
    );
}

// --- allOf -----------------------------------------------------------------------------

#[test]
fn all_of_merges_members_in_order_then_the_own_properties() {
    let text = with_schemas(
        r##"{"Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
"Dated": {"type": "object", "properties": {"born": {"type": "string", "format": "date"}}},
"Author": {"allOf": [
  {"$ref": "#/components/schemas/Named"},
  {"type": "object", "required": ["born"], "properties": {"nick": {"type": "string"}}},
  {"$ref": "#/components/schemas/Dated"}],
  "properties": {"bio": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities"]),
        "{Author: {fields: {name: {type: string, required: true}, nick: {type: string}, \
             born: {type: date, required: true}, bio: {type: string}}}}"
    );
}

#[test]
fn a_property_redefined_through_all_of_replaces_the_earlier_one_with_a_warning() {
    let text = with_schemas(
        r##"{"Base": {"type": "object", "properties": {
  "title": {"type": "string", "maxLength": 10}}},
"Book": {"allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {
  "title": {"type": "string", "maxLength": 200}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 5, 3)]);
    assert_eq!(
        diagnostics[0].message,
        "property `title` is already defined at line 3, column 3; this later definition \
             replaces it"
    );
    assert_eq!(
        shown(&tree, &["entities"]),
        "{Book: {fields: {title: {type: string, max_length: 200}}}}"
    );
}

#[test]
fn a_schema_only_included_through_all_of_is_a_mixin_and_a_referenced_one_is_an_entity() {
    let text = with_schemas(
        r##"{"Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
"Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}], "properties": {"breed": {"type": "string"}}},
"Stamp": {"type": "object", "properties": {"at": {"type": "string", "format": "date"}}},
"Cat": {"allOf": [{"$ref": "#/components/schemas/Stamp"}]},
"Owner": {"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Pet"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities"]),
        "{Pet: {fields: {name: {type: string}}}, \
             Dog: {fields: {name: {type: string}, breed: {type: string}}}, \
             Cat: {fields: {at: {type: date}}}, \
             Owner: {relations: {pet: {to: Pet, kind: many_to_one}}}}"
    );
}

#[test]
fn unions_discriminators_and_open_objects_on_an_entity_are_reported_once_each() {
    let text = with_schemas(
        r##"{"Shape": {"type": "object",
  "oneOf": [{}],
  "anyOf": [{}],
  "not": {},
  "discriminator": {"propertyName": "kind"},
  "additionalProperties": true,
  "properties": {"kind": {"type": "string"}}},
"Closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 3, 3),
            ("unsupported_construct", 4, 3),
            ("unsupported_construct", 5, 3),
            ("unsupported_construct", 6, 3),
            ("unsupported_construct", 7, 3),
        ]
    );
    assert_eq!(diagnostics[0].path, "/components/schemas/Shape/oneOf");
    assert_eq!(
        shown(&tree, &["entities", "Shape"]),
        "{fields: {kind: {type: string}}}"
    );
}

// --- Property types ------------------------------------------------------------------------

#[test]
fn types_and_formats_map_to_specforge_types() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "properties": {
  "a": {"type": "string"},
  "b": {"type": "string", "format": "date"},
  "c": {"type": "string", "format": "date-time"},
  "d": {"type": "string", "format": "uuid"},
  "e": {"type": "string", "format": "email"},
  "f": {"type": "string", "format": "uri"},
  "g": {"type": "string", "format": "url"},
  "h": {"type": "string", "format": "uri-reference"},
  "i": {"type": "string", "format": "password"},
  "j": {"type": "integer"},
  "k": {"type": "integer", "format": "int32"},
  "l": {"type": "integer", "format": "int64"},
  "m": {"type": "number"},
  "n": {"type": "number", "format": "double"},
  "o": {"type": "number", "format": "decimal"},
  "p": {"type": "boolean"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{a: {type: string}, b: {type: date}, c: {type: datetime}, d: {type: uuid}, \
             e: {type: email}, f: {type: url}, g: {type: url}, h: {type: url}, i: {type: string}, \
             j: {type: integer}, k: {type: integer}, l: {type: bigint}, m: {type: float}, \
             n: {type: float}, o: {type: decimal}, p: {type: boolean}}"
    );
}

#[test]
fn binary_and_unknown_formats_keep_the_base_type_with_a_warning_naming_the_format() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "properties": {
  "a": {"type": "string", "format":
    "binary"},
  "b": {"type": "string", "format":
    "byte"},
  "c": {"type": "string", "format":
    "hostname"},
  "d": {"type": "integer", "format":
    "int8"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 4, 5),
            ("unsupported_construct", 6, 5),
            ("unsupported_construct", 8, 5),
            ("unsupported_construct", 10, 5),
        ]
    );
    assert!(diagnostics[0].message.contains("format `binary`"));
    assert_eq!(
        diagnostics[0].path,
        "/components/schemas/T/properties/a/format"
    );
    assert_eq!(
        diagnostics[2].message,
        "format `hostname` is not imported: the field is a plain `string`"
    );
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{a: {type: string}, b: {type: string}, c: {type: string}, d: {type: integer}}"
    );
}

#[test]
fn free_form_and_nested_objects_and_arrays_of_scalars_become_json() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "properties": {
  "free": {},
  "bag": {"type": "object"},
  "map": {"type": "object", "additionalProperties": {"type": "string"}},
  "addr": {"type": "object",
    "properties": {"city": {"type": "string"}}},
  "tags": {"type": "array",
    "items": {"type": "string"}},
  "raw": {
    "type": "array"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 5, 29),
            ("unsupported_construct", 7, 5),
            ("unsupported_construct", 9, 5),
            ("unsupported_construct", 11, 13),
        ]
    );
    assert!(
        diagnostics[1]
            .message
            .contains("nested objects are not entities")
    );
    assert!(
        diagnostics[2]
            .message
            .contains("array of `string` values `tags`")
    );
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{free: {type: json}, bag: {type: json}, map: {type: json}, addr: {type: json}, \
             tags: {type: json}, raw: {type: json}}"
    );
}

#[test]
fn a_3_1_null_type_makes_a_listed_property_optional() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "required": ["a", "d"], "properties": {
  "a": {"type": ["string", "null"], "maxLength": 5},
  "d": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{a: {type: string, max_length: 5}, d: {type: string, required: true}}"
    );
    let a = ["entities", "T", "fields", "a", "type"];
    assert_eq!(position(&text, node_at(&tree, &a).span), (3, 18));
}

#[test]
fn a_3_0_nullable_property_is_optional_even_when_listed_in_required() {
    let text = with_schemas_in(
        "3.0.3",
        r##"{"T": {"type": "object", "required": ["b", "c"], "properties": {
  "b": {"type": "string", "nullable": true},
  "c": {"type": "string", "nullable": false}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{b: {type: string}, c: {type: string, required: true}}"
    );
}

#[test]
fn nullable_and_described_references_are_relations() {
    let text = with_schemas(
        r##"{"Doctor": {"type": "object", "properties": {"name": {"type": "string"}}},
"Visit": {"type": "object", "required": ["doctor", "nurse", "room", "chief"], "properties": {
  "doctor": {"oneOf": [{"$ref": "#/components/schemas/Doctor"}, {"type": "null"}]},
  "nurse": {"$ref": "#/components/schemas/Doctor", "nullable": true},
  "room": {"allOf": [{"$ref": "#/components/schemas/Doctor"}], "description": "Where."},
  "chief": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Doctor"}]}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "Visit"]),
        "{relations: {doctor: {to: Doctor, kind: many_to_one}, \
             nurse: {to: Doctor, kind: many_to_one}, \
             room: {to: Doctor, kind: many_to_one, required: true, description: Where.}, \
             chief: {to: Doctor, kind: many_to_one}}}"
    );
    let room = ["entities", "Visit", "relations", "room", "to"];
    assert_eq!(position(&text, node_at(&tree, &room).span), (6, 31));
}

// --- Constraints and other keywords ----------------------------------------------------------

#[test]
fn constraints_map_to_field_keys_in_the_order_written() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "properties": {
  "code": {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[A-Z]+$", "default": "AB", "description": "A code.", "x-unique": true},
  "qty": {"type": "integer", "minimum": 1, "maximum": 9, "default": 1},
  "flag": {"type": "boolean", "x-unique": false}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{code: {type: string, min_length: 2, max_length: 8, pattern: ^[A-Z]+$, default: AB, \
             description: A code., unique: true}, \
             qty: {type: integer, min: 1, max: 9, default: 1}, flag: {type: boolean}}"
    );
}

#[test]
fn exclusive_bounds_are_reported_with_a_hint_to_use_inclusive_ones() {
    let text = with_schemas(
        r##"{"Book": {"type": "object", "properties": {
  "isbn": {"type": "string",
    "exclusiveMinimum": 3,
    "exclusiveMaximum": 9}}}}"##,
    );
    let (_, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 4, 5),
            ("unsupported_construct", 5, 5)
        ]
    );
    assert_eq!(
        diagnostics[0].path,
        "/components/schemas/Book/properties/isbn/exclusiveMinimum"
    );
    assert_eq!(
        diagnostics[0].hint.as_deref(),
        Some("use `minimum` with the closest allowed value")
    );
    assert_eq!(
        diagnostics[1].hint.as_deref(),
        Some("use `maximum` with the closest allowed value")
    );
}

#[test]
fn a_3_0_exclusive_bound_set_to_false_changes_nothing_and_is_not_reported() {
    let text = with_schemas_in(
        "3.0.3",
        r##"{"T": {"type": "object", "properties": {
  "n": {"type": "integer", "minimum": 1, "exclusiveMinimum": false},
  "m": {"type": "integer", "minimum": 1,
    "exclusiveMinimum": true}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 5, 5)]);
    assert_eq!(
        shown(&tree, &["entities", "T", "fields", "n"]),
        "{type: integer, min: 1}"
    );
}

#[test]
fn constraints_without_an_equivalent_are_reported() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "properties": {
  "n": {"type": "integer",
    "multipleOf": 5},
  "k": {"type": "string",
    "const": "x"},
  "l": {"type": "array", "items": {"type": "string"},
    "uniqueItems": true,
    "minItems": 1,
    "maxItems": 3}}}}"##,
    );
    let (_, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 4, 5),
            ("unsupported_construct", 6, 5),
            ("unsupported_construct", 7, 26),
            ("unsupported_construct", 8, 5),
            ("unsupported_construct", 9, 5),
            ("unsupported_construct", 10, 5),
        ]
    );
    assert_eq!(
        diagnostics[1].message,
        "`const` is not imported: specforge has no equivalent constraint"
    );
}

#[test]
fn documentation_keywords_are_ignored_silently() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "title": "Tee", "example": {}, "properties": {
  "a": {"type": "string", "readOnly": true, "writeOnly": false, "example": "x", "examples": ["x"],
        "title": "A", "deprecated": true, "$comment": "c", "externalDocs": {"url": "u"}}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "T"]),
        "{fields: {a: {type: string}}}"
    );
}

#[test]
fn unknown_keywords_and_extensions_are_reported_by_name() {
    let text = with_schemas(
        r##"{"T": {"type": "object",
  "x-table": "t",
  "minProperties": 1,
  "properties": {
  "a": {"type": "string",
    "x-order": 1,
    "requird": true,
    "xml": {"name": "A"}},
  "b": {"type": "string",
    "required": true}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 3, 3),
            ("unsupported_construct", 4, 3),
            ("unsupported_construct", 7, 5),
            ("unsupported_construct", 8, 5),
            ("unsupported_construct", 9, 5),
            ("unsupported_construct", 11, 5),
        ]
    );
    assert_eq!(
        diagnostics[0].message,
        "extension `x-table` is not imported"
    );
    assert!(
        diagnostics[3]
            .message
            .starts_with("`requird` is not imported")
    );
    assert_eq!(
        diagnostics[5].hint.as_deref(),
        Some("list `b` in the `required` list of the schema")
    );
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{a: {type: string}, b: {type: string}}"
    );
}

#[test]
fn a_required_name_without_a_property_is_reported_with_a_suggestion() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "required": ["name",
  "nmae"], "properties": {"name": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 3, 3)]);
    assert_eq!(diagnostics[0].path, "/components/schemas/T/required/1");
    assert_eq!(diagnostics[0].hint.as_deref(), Some("did you mean `name`?"));
    assert_eq!(
        shown(&tree, &["entities", "T"]),
        "{fields: {name: {type: string, required: true}}}"
    );
}

#[test]
fn malformed_schemas_are_invalid_values() {
    let text = with_schemas(
        r##"{"T": {"type": "object",
  "properties": [1],
  "required": "name"},
"U": true,
"V": {"type": "object", "properties": {"a": "string"}}}"##,
    );
    let (_, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 5, 6),
            ("invalid_value", 3, 17),
            ("invalid_value", 4, 15),
            ("invalid_value", 6, 45),
        ]
    );
}

// --- References ---------------------------------------------------------------------------

#[test]
fn a_ref_to_an_enum_is_a_field_of_that_enum() {
    let text = with_schemas(
        r##"{"Status": {"type": "string", "enum": ["a", "b"]},
"T": {"type": "object", "required": ["status"], "properties": {
  "status": {"$ref": "#/components/schemas/Status", "default": "a"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "T", "fields"]),
        "{status: {type: Status, required: true, default: a}}"
    );
    let ty = ["entities", "T", "fields", "status", "type"];
    assert_eq!(position(&text, node_at(&tree, &ty).span), (4, 22));
}

#[test]
fn x_unique_on_a_ref_makes_a_one_to_one_relation() {
    let text = with_schemas(
        r##"{"User": {"type": "object", "properties": {"name": {"type": "string"}}},
"Profile": {"type": "object", "properties": {
  "user": {"$ref": "#/components/schemas/User", "x-unique": true}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "Profile"]),
        "{relations: {user: {to: User, kind: one_to_one}}}"
    );
}

#[test]
fn refs_to_missing_schemas_are_unknown_entities_and_foreign_refs_are_not_followed() {
    let text = with_schemas(
        r##"{"Doctor": {"type": "object", "properties": {"name": {"type": "string"}}},
"Visit": {"type": "object", "properties": {
  "doctor": {"$ref":
    "#/components/schemas/Docotr"},
  "nurse": {"$ref":
    "#/components/schemas/Nurse"},
  "ward": {"$ref":
    "wards.yaml#/Ward"},
  "bed": {"$ref":
    "#/components/parameters/Bed"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unknown_entity", 5, 5),
            ("unknown_entity", 7, 5),
            ("unsupported_construct", 9, 5),
            ("unsupported_construct", 11, 5),
        ]
    );
    assert_eq!(diagnostics[0].severity, Severity::Error);
    assert_eq!(
        diagnostics[0].path,
        "/components/schemas/Visit/properties/doctor/$ref"
    );
    assert_eq!(
        diagnostics[0].hint.as_deref(),
        Some("did you mean `Doctor`?")
    );
    assert_eq!(
        diagnostics[1].hint.as_deref(),
        Some("declare the schema under `components.schemas`")
    );
    assert!(diagnostics[2].message.contains("`wards.yaml#/Ward`"));
    assert_eq!(shown(&tree, &["entities", "Visit"]), "{}");
}

#[test]
fn an_array_of_refs_whose_target_refers_back_is_one_to_many_and_otherwise_many_to_many() {
    let text = with_schemas(
        r##"{"Author": {"type": "object", "properties": {
  "books": {"type": "array", "items": {"$ref": "#/components/schemas/Book"}},
  "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}}},
"Book": {"type": "object", "properties": {
  "author": {"$ref": "#/components/schemas/Author"}}},
"Tag": {"type": "object", "properties": {"label": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "Author"]),
        "{relations: {books: {to: Book, kind: one_to_many, mapped_by: author}, \
             tags: {to: Tag, kind: many_to_many}}}"
    );
}

#[test]
fn several_references_back_give_mapped_by_the_first_and_a_warning() {
    let text = with_schemas(
        r##"{"Person": {"type": "object", "properties": {
  "reviews": {"type": "array", "items": {"$ref": "#/components/schemas/Review"}}}},
"Review": {"type": "object", "properties": {
  "writer": {"$ref": "#/components/schemas/Person"},
  "editor": {"$ref": "#/components/schemas/Person"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 3, 3)]);
    assert!(diagnostics[0].message.contains("(`writer`, `editor`)"));
    assert_eq!(
        shown(&tree, &["entities", "Person", "relations"]),
        "{reviews: {to: Review, kind: one_to_many, mapped_by: writer}}"
    );
}

#[test]
fn arrays_on_both_sides_are_one_many_to_many_mapped_by_the_side_written_first() {
    let text = with_schemas(
        r##"{"Student": {"type": "object", "properties": {
  "courses": {"type": "array", "items": {"$ref": "#/components/schemas/Course"}}}},
"Course": {"type": "object", "properties": {
  "students": {"type": "array", "items": {"$ref": "#/components/schemas/Student"}}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities"]),
        "{Student: {relations: {courses: {to: Course, kind: many_to_many}}}, \
             Course: {relations: {students: {to: Student, kind: many_to_many, mapped_by: courses}}}}"
    );
    let mapped_by = ["entities", "Course", "relations", "students", "mapped_by"];
    assert_eq!(position(&text, node_at(&tree, &mapped_by).span), (3, 3));
}

#[test]
fn self_references_pair_a_parent_with_its_children_and_two_lists_with_each_other() {
    let text = with_schemas(
        r##"{"Category": {"type": "object", "properties": {
  "parent": {"$ref": "#/components/schemas/Category"},
  "children": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}}}},
"User": {"type": "object", "properties": {
  "follows": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
  "followers": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities"]),
        "{Category: {relations: {parent: {to: Category, kind: many_to_one}, \
             children: {to: Category, kind: one_to_many, mapped_by: parent}}}, \
             User: {relations: {follows: {to: User, kind: many_to_many}, \
             followers: {to: User, kind: many_to_many, mapped_by: follows}}}}"
    );
}

#[test]
fn implicit_fields_are_never_emitted_and_a_different_type_is_reported() {
    let text = with_schemas(
        r##"{"T": {"type": "object", "properties": {
  "id": {"type": "string", "format": "uuid"},
  "createdAt": {"type": "string", "format": "date-time"},
  "updated_at": {"type": "string", "format": "date-time"},
  "name": {"type": "string"}}},
"U": {"type": "object", "properties": {
  "id": {"type": "integer"},
  "created_at": {"type": "string"},
  "name": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 8, 3),
            ("unsupported_construct", 9, 3)
        ]
    );
    assert_eq!(
        diagnostics[0].message,
        "specforge ids are UUIDs; the integer `id` is replaced"
    );
    assert_eq!(
        diagnostics[1].message,
        "specforge manages `created_at` itself as a datetime; the string `created_at` is replaced"
    );
    assert_eq!(
        shown(&tree, &["entities"]),
        "{T: {fields: {name: {type: string}}}, U: {fields: {name: {type: string}}}}"
    );
}

#[test]
fn inline_string_enums_become_enums_named_after_schema_and_property() {
    let text = with_schemas(
        r##"{"Order": {"type": "object", "required": ["status", "channel"], "properties": {
  "status": {"type": "string",
    "enum": ["open", "paid"]},
  "channel": {"enum": ["web", "shop", null]},
  "size": {"type": "integer",
    "enum": [1, 2]}}},
"OrderStatus": {"type": "string", "enum": ["x"]}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(at(&diagnostics), vec![("unsupported_construct", 7, 5)]);
    assert_eq!(
        shown(&tree, &["enums"]),
        "{OrderStatus: [x], OrderStatus2: [open, paid], OrderChannel: [web, shop]}"
    );
    assert_eq!(
        shown(&tree, &["entities", "Order", "fields"]),
        "{status: {type: OrderStatus2, required: true}, channel: {type: OrderChannel}, \
             size: {type: integer}}"
    );
    let ty = ["entities", "Order", "fields", "status", "type"];
    assert_eq!(position(&text, node_at(&tree, &ty).span), (4, 13));
}

// --- Cycles and limits --------------------------------------------------------------------

#[test]
fn an_all_of_cycle_is_reported_and_each_schema_merged_once() {
    let text = with_schemas(
        r##"{"A": {"type": "object", "allOf": [
  {"$ref": "#/components/schemas/B"}], "properties": {"a": {"type": "string"}}},
"B": {"type": "object", "allOf": [
  {"$ref": "#/components/schemas/A"}], "properties": {"b": {"type": "string"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 5, 12),
            ("unsupported_construct", 3, 12)
        ]
    );
    assert_eq!(
        diagnostics[0].message,
        "`allOf` cycle `A` → `B` → `A`: the schemas of the cycle are merged once"
    );
    assert_eq!(
        shown(&tree, &["entities"]),
        "{A: {fields: {b: {type: string}, a: {type: string}}}, \
             B: {fields: {a: {type: string}, b: {type: string}}}}"
    );
}

#[test]
fn a_ref_cycle_between_aliases_is_reported_and_the_property_skipped() {
    let text = with_schemas(
        r##"{"X": {"$ref": "#/components/schemas/Y"},
"Y": {"$ref": "#/components/schemas/X"},
"T": {"type": "object", "properties": {
  "p": {"$ref": "#/components/schemas/X"}}}}"##,
    );
    let (tree, diagnostics) = imported(&text);
    assert_eq!(
        at(&diagnostics),
        vec![
            ("unsupported_construct", 2, 2),
            ("unsupported_construct", 3, 1),
            ("unsupported_construct", 3, 15)
        ]
    );
    assert_eq!(
        diagnostics[2].message,
        "`$ref` cycle through `X` → `Y` → `X`, so the property is not imported"
    );
    assert_eq!(shown(&tree, &["entities"]), "{T: {}}");
}

#[test]
fn all_of_nested_deeper_than_the_limit_is_reported_once() {
    let depth = MAX_DEPTH + 6;
    let mut schema = String::from(r##"{"T": {"type": "object", "allOf": ["##);
    schema.push_str(&r##"{"allOf": ["##.repeat(depth));
    schema.push_str(r##"{"properties": {"deep": {"type": "string"}}}"##);
    schema.push_str(&"]}".repeat(depth));
    schema.push_str("]}}");
    let (tree, diagnostics) = imported(&with_schemas(&schema));
    assert_eq!(
        at(&diagnostics),
        vec![("limit_exceeded", 2, 36 + 11 * MAX_DEPTH)]
    );
    assert!(diagnostics[0].message.contains("MAX_DEPTH"));
    assert_eq!(shown(&tree, &["entities"]), "{T: {}}");
}

#[test]
fn a_long_chain_of_all_of_references_stops_at_the_limit() {
    let n = MAX_DEPTH + 6;
    let mut schemas: Vec<String> = (0..n - 1)
            .map(|i| {
                format!(
                    r##""S{i}": {{"allOf": [{{"$ref": "#/components/schemas/S{}"}}], "properties": {{"p{i}": {{"type": "string"}}}}}}"##,
                    i + 1
                )
            })
            .collect();
    schemas.push(format!(r##""S{}": {{"type": "object"}}"##, n - 1));
    let (tree, diagnostics) = imported(&with_schemas(&format!("{{{}}}", schemas.join(",\n"))));
    assert!(!diagnostics.is_empty());
    assert!(diagnostics.iter().all(|d| d.code == Code::LimitExceeded));
    // The error of S0 is on the line of S64, whose `allOf` member is one level too deep.
    assert_eq!(at(&diagnostics)[0], ("limit_exceeded", 2 + MAX_DEPTH, 19));
    let fields = node_at(&tree, &["entities", "S0", "fields"])
        .as_map()
        .map_or(0, <[Entry]>::len);
    assert_eq!(fields, MAX_DEPTH + 1);
}

#[test]
fn a_thousand_entities_import_quickly() {
    let schemas: Vec<String> = (0..1000)
            .map(|i| {
                format!(
                    r##""E{i}": {{"type": "object", "required": ["a"], "properties": {{"a": {{"type": "string", "maxLength": 10}}, "b": {{"type": "integer"}}, "prev": {{"$ref": "#/components/schemas/E{}"}}, "next": {{"type": "array", "items": {{"$ref": "#/components/schemas/E{}"}}}}}}}}"##,
                    (i + 999) % 1000,
                    (i + 1) % 1000
                )
            })
            .collect();
    let text = with_schemas(&format!("{{{}}}", schemas.join(",\n")));
    let root = parse_json(&text);
    let source = Source::new(&text);
    let started = std::time::Instant::now();
    let mut diagnostics = Vec::new();
    let tree = to_document(&root, &source, &mut diagnostics).expect("imported");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(at(&diagnostics), vec![]);
    assert_eq!(
        shown(&tree, &["entities", "E5", "relations"]),
        "{prev: {to: E4, kind: many_to_one}, next: {to: E6, kind: one_to_many, mapped_by: prev}}"
    );
}

#[test]
fn thousands_of_unknown_references_do_not_make_suggestions_quadratic() {
    let schemas: Vec<String> = (0..2000)
            .map(|i| {
                format!(
                    r##""Entity{i:05}": {{"type": "object", "properties": {{"p": {{"$ref": "#/components/schemas/Entity{:05}x"}}}}}}"##,
                    (i + 1) % 2000
                )
            })
            .collect();
    let text = with_schemas(&format!("{{{}}}", schemas.join(",\n")));
    let root = parse_json(&text);
    let source = Source::new(&text);
    let started = std::time::Instant::now();
    let mut diagnostics = Vec::new();
    to_document(&root, &source, &mut diagnostics).expect("imported");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(diagnostics.len(), 2000);
    assert!(diagnostics.iter().all(|d| d.code == Code::UnknownEntity));
    assert_eq!(at(&diagnostics)[0], ("unknown_entity", 2, 65));
    assert_eq!(
        diagnostics[0].hint.as_deref(),
        Some("did you mean `Entity00001`?")
    );
}

// --- Random input -------------------------------------------------------------------------

const KEYS: &[&str] = &[
    "type",
    "properties",
    "items",
    "$ref",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "required",
    "nullable",
    "format",
    "maxLength",
    "minimum",
    "default",
    "description",
    "x-unique",
    "id",
    "created_at",
    "A",
    "B",
    "C",
    "additionalProperties",
    "exclusiveMinimum",
    "const",
    "not",
    "discriminator",
    "title",
    "info",
    "components",
    "schemas",
    "paths",
    "openapi",
];
const WORDS: &[&str] = &[
    "string",
    "integer",
    "number",
    "boolean",
    "object",
    "array",
    "null",
    "date",
    "date-time",
    "int64",
    "uuid",
    "binary",
    "decimal",
    "#/components/schemas/A",
    "#/components/schemas/B",
    "#/components/schemas/C",
    "#/components/schemas/Z",
    "#/components/schemas/",
    "other.yaml#/A",
    "#/components/parameters/A",
    "#/components/schemas/A~1b%",
    "A",
    "B",
    "id",
    "3.1.0",
    "",
];

fn arb_span() -> BoxedStrategy<Span> {
    (0usize..500, 0usize..500)
        .prop_map(|(a, b)| Span::new(a, b))
        .boxed()
}

fn arb_node() -> BoxedStrategy<Node> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..300).prop_map(Value::Int),
        (-10.0f64..10.0).prop_map(Value::Float),
        prop::sample::select(WORDS).prop_map(|w| Value::Str(w.to_string())),
    ];
    (leaf, arb_span())
        .prop_map(|(v, s)| Node::new(v, s))
        .prop_recursive(6, 300, 6, |inner| {
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..5), arb_span())
                    .prop_map(|(items, s)| Node::new(Value::Seq(items), s)),
                (
                    prop::collection::vec((prop::sample::select(KEYS), arb_span(), inner), 0..7),
                    arb_span()
                )
                    .prop_map(|(entries, s)| map_node(entries, s)),
            ]
        })
        .boxed()
}

fn map_node(entries: Vec<(&str, Span, Node)>, span: Span) -> Node {
    let mut seen = HashSet::new();
    let entries = entries
        .into_iter()
        .filter(|(k, _, _)| seen.insert(*k))
        .map(|(k, key_span, value)| Entry {
            key: Key {
                name: k.to_string(),
                span: key_span,
            },
            value,
        })
        .collect();
    Node::new(Value::Map(entries), span)
}

/// An OpenAPI document whose schemas are random trees, so that the translation is reached.
fn arb_document() -> BoxedStrategy<Node> {
    let schema_names = prop::sample::select(&["A", "B", "C", "D"][..]);
    (
        prop::collection::vec((schema_names, arb_span(), arb_node()), 0..5),
        arb_span(),
    )
        .prop_map(|(schemas, s)| {
            let schemas = map_node(schemas, s);
            let components = map_node(vec![("schemas", s, schemas)], s);
            let info = map_node(vec![("title", s, Node::str("T", s))], s);
            map_node(
                vec![
                    ("openapi", s, Node::str("3.1.0", s)),
                    ("info", s, info),
                    ("components", s, components),
                ],
                s,
            )
        })
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_trees_never_panic(root in prop_oneof![arb_document(), arb_node()]) {
        let text = "openapi: 3.1.0\n".repeat(40);
        let source = Source::new(&text);
        let mut diagnostics = Vec::new();
        let _ = to_document(&root, &source, &mut diagnostics);
        for d in &diagnostics {
            prop_assert!(d.line >= 1 && d.column >= 1);
        }
    }
}
