//! The `specforge` binary as a user runs it: exit codes, compiler-style output, JSON, stdin.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn specforge(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_specforge"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn specforge");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn checking_a_valid_example_exits_0_with_a_summary() {
    let o = specforge(&["check", "examples/erp.yaml"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("examples/erp.yaml: valid yaml (22 entities"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn checking_an_invalid_spec_exits_1_and_prints_compiler_style_diagnostics() {
    let o = specforge(&["check", "examples/invalid/typos.yaml"], None);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let expected = "error[unknown_key]: unknown key `requird` in a field\n  \
                    --> examples/invalid/typos.yaml:12:44\n   |\n\
                    12 |       sku: { type: string, required: true, requird: true }\n   |\
                    \x20                                           ^^^^^^^\n   \
                    = hint: did you mean `required`?\n";
    assert!(out.contains(expected), "{out}");
    assert!(out.contains("10 errors, 0 warnings"), "{out}");
}

#[test]
fn json_output_has_valid_diagnostics_and_summary() {
    let o = specforge(&["check", "--json", "examples/invalid/typos.yaml"], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["valid"], false);
    assert_eq!(v["summary"]["entities"], 1);
    let first = &v["diagnostics"][0];
    assert_eq!(first["code"], "duplicate_enum_value");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 7);
    assert_eq!(first["column"], 25);
    assert_eq!(first["path"], "/enums/Status/2");
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let spec = "specforge: 1\nname: x\nentities:\n  A:\n    fields:\n      b: strng\n";
    let o = specforge(&["check", "-"], Some(spec));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("--> <stdin>:6:10"), "{}", stdout(&o));
}

#[test]
fn inspect_prints_the_model_and_fails_on_an_invalid_spec() {
    let o = specforge(&["inspect", "examples/erp.yaml"], None);
    assert_eq!(o.status.code(), Some(0));
    let model: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON model");
    assert_eq!(model["name"], "erp");
    assert_eq!(model["entities"][0]["fields"][0]["name"], "id");
    let o = specforge(&["inspect", "examples/invalid/typos.yaml"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[unknown_type]"));
}

#[test]
fn a_forced_format_wins_over_detection() {
    let spec = "{\"specforge\": 1, \"name\": \"x\", \"entities\": {\"A\": {\"fields\": {\"b\": \"string\"}}}}";
    let o = specforge(&["check", "--format", "json", "-"], Some(spec));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("valid json"));
}

#[test]
fn a_missing_file_or_bad_usage_exits_2() {
    let o = specforge(&["check", "no/such/file.yaml"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read no/such/file.yaml"));
    let o = specforge(&["check"], None);
    assert_eq!(o.status.code(), Some(2));
    let o = specforge(&["check", "--format", "toml", "x"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn several_files_give_a_json_array_and_the_worst_exit_code() {
    let o = specforge(
        &[
            "check",
            "--json",
            "examples/erp.yaml",
            "examples/invalid/typos.yaml",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    assert_eq!(v[0]["valid"], true);
}

#[test]
fn a_warning_repeated_for_many_entities_is_shown_three_times_then_counted() {
    let mut spec = String::from("specforge: 1\nname: many\nentities:\n");
    for i in 0..40 {
        spec.push_str(&format!("  Thing{i}:\n    fields: {{}}\n"));
    }
    let o = specforge(&["check", "-"], Some(&spec));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert_eq!(
        out.matches("warning[empty_entity]: entity").count(),
        3,
        "{out}"
    );
    assert!(
        out.contains("warning[empty_entity]: 37 more warnings like the above"),
        "{out}"
    );
    assert!(out.contains("0 errors, 40 warnings"), "{out}");

    let o = specforge(&["check", "--json", "-"], Some(&spec));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let warnings = report["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(warnings.len(), 40, "the JSON keeps every warning");
}
