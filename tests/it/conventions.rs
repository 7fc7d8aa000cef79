//! The metadata conventions of existing document repositories, opt-in per
//! kind: a sidecar metadata file (KEPs' `kep.yaml`), leading `- Key: value`
//! lines in the body (Rust RFCs, log4brains ADRs), dates in other formats
//! (AIPs' `12/7/2022`), comma-separated lists (`requires: 20, 721`),
//! zero-padded numbers (`fip: 0001`) and a kind's own idea of an answered
//! section (`N/A` as an answer). Each fixture is a repository such a
//! project would have, checked and exported through the binary.

use crate::support::{Case, DANA, pilotbook_json};
use serde_json::Value;

/// The findings of `check --format json` as `(rule, path, line)`.
fn findings(report: &Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["path"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// The export's documents of `kind`, by id.
fn exported<'v>(export: &'v Value, kind: &str, id: &str) -> &'v Value {
    export[kind]
        .as_array()
        .and_then(|list| list.iter().find(|e| e["id"] == id))
        .unwrap_or_else(|| panic!("{kind} {id} in {export:#}"))
}

fn repo(config: &str, files: &[(&str, &str)]) -> Case {
    let mut case = Case::new().config(config);
    for (path, text) in files {
        case = case.file(path, text);
    }
    case.committed("Documents", DANA, "2026-11-01T10:00:00+00:00")
}

#[test]
fn a_sidecar_metadata_file_is_read_as_front_matter_and_its_errors_are_located_in_it() {
    let config = "[kinds.kep]\npath = \"keps/**/README.md\"\nmetadata_file = \"kep.yaml\"\n\
        required_fields = [\"title\", \"status\", \"owning-sig\"]\nrequired_sections = []\n\
        [kinds.kep.fields]\nstatus = { enum = [\"provisional\", \"implementable\", \"implemented\"] }\n\
        last-updated = \"date\"\n";
    let case = repo(
        config,
        &[
            (
                "keps/sig-node/1234-swap/README.md",
                "# KEP-1234: Swap\n\n## Summary\n\nSwap on nodes.\n",
            ),
            (
                "keps/sig-node/1234-swap/kep.yaml",
                "title: Node swap\nkep-number: 1234\nstatus: implementable\nowning-sig: sig-node\nlast-updated: 2026-10-01\n",
            ),
            (
                "keps/sig-node/2000-bad/README.md",
                "# KEP-2000: Bad\n\nText.\n",
            ),
            (
                "keps/sig-node/2000-bad/kep.yaml",
                "title: Bad\nstatus: shipped\nowning-sig: [unclosed\n",
            ),
            (
                "keps/sig-node/3000-none/README.md",
                "# KEP-3000: No metadata\n\nText.\n",
            ),
        ],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    let found = findings(&report);
    // The sidecar's fields count; an undeclared one is named in it.
    let swap: Vec<&(String, String, u64)> =
        found.iter().filter(|f| f.1.contains("1234-swap")).collect();
    assert_eq!(
        swap,
        [&(
            "unknown-field".to_string(),
            "keps/sig-node/1234-swap/kep.yaml".to_string(),
            2
        )],
        "{found:?}"
    );
    // YAML that does not parse is named in the sidecar, and the document's
    // fields are then missing.
    assert!(
        found
            .iter()
            .any(|f| f.0 == "front-matter" && f.1 == "keps/sig-node/2000-bad/kep.yaml" && f.2 >= 3),
        "{found:?}"
    );
    // No sidecar: its required fields are missing, as without front matter.
    assert!(
        found
            .iter()
            .any(|f| f.0 == "missing-field" && f.1 == "keps/sig-node/3000-none/README.md"),
        "{found:?}"
    );
    let export = pilotbook_json(&case.root, &["export"], 0);
    let kep = exported(&export, "kep", "1234-swap");
    assert_eq!(kep["title"], "Node swap", "{kep:#}");
    assert_eq!(kep["front_matter"]["status"], "implementable");
    assert_eq!(kep["front_matter"]["last-updated"], "2026-10-01");

    // A field the sidecar types wrongly is named in the sidecar too.
    case.write(
        "keps/sig-node/1234-swap/kep.yaml",
        "title: Node swap\nstatus: shipped\nowning-sig: sig-node\n",
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    assert!(
        findings(&report).contains(&(
            "invalid-field".into(),
            "keps/sig-node/1234-swap/kep.yaml".into(),
            2
        )),
        "{report:#}"
    );
}

#[test]
fn leading_key_value_bullets_are_metadata() {
    let config = "[kinds.rfc]\npath = \"text/*.md\"\nmetadata = \"body-list\"\n\
        required_fields = [\"start_date\", \"rfc_pr\"]\nrequired_sections = []\nextra_fields = \"allow\"\n\
        [kinds.rfc.fields]\nstart_date = \"date\"\n\
        [kinds.adr]\npath = \"docs/adr/*.md\"\nmetadata = \"body-list\"\nrequired_fields = [\"status\"]\nextra_fields = \"allow\"\n\
        required_sections = []\n[kinds.adr.fields]\nstatus = { enum = [\"proposed\", \"accepted\", \"superseded\"] }\n";
    let case = repo(
        config,
        &[
            (
                "text/0001-private-fields.md",
                "- Feature Name: private_fields\n- Start Date: 2014-03-11\n- RFC PR: [rust-lang/rfcs#1](https://github.com/rust-lang/rfcs/pull/1)\n- Rust Issue: N/A\n\n# Summary\n\nFields are private.\n",
            ),
            (
                "text/0002-bad-date.md",
                "- Start Date: 2014/03/11\n- RFC PR: 2\n\n# Summary\n\nText.\n\nNot metadata:\n\n- Note: later\n",
            ),
            (
                "docs/adr/20200101-use-markdown.md",
                "# Use Markdown Architectural Decision Records\n\n- Status: accepted\n- Deciders: Dana\n- Date: 2020-01-01\n\n## Context and Problem Statement\n\nWe want to record decisions.\n",
            ),
        ],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    let found = findings(&report);
    assert!(
        !found.iter().any(|f| f.1.contains("0001-private")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.1.contains("use-markdown")),
        "{found:?}"
    );
    // The bad date is named at its bullet's line.
    assert!(
        found.contains(&("invalid-field".into(), "text/0002-bad-date.md".into(), 1)),
        "{found:?}"
    );
    let export = pilotbook_json(&case.root, &["export"], 0);
    let rfc = exported(&export, "rfc", "0001-private-fields");
    assert_eq!(rfc["front_matter"]["start_date"], "2014-03-11", "{rfc:#}");
    assert_eq!(rfc["front_matter"]["feature_name"], "private_fields");
    assert_eq!(
        rfc["title"], "Summary",
        "an RFC's first heading is its title"
    );
    let adr = exported(&export, "adr", "20200101-use-markdown");
    assert_eq!(adr["front_matter"]["status"], "accepted", "{adr:#}");
    let later = exported(&export, "rfc", "0002-bad-date");
    assert!(later["front_matter"].get("note").is_none(), "{later:#}");
}

#[test]
fn dates_in_a_kinds_own_formats() {
    let config = "[kinds.aip]\npath = \"aips/*.md\"\nrequired_fields = [\"created\"]\n\
        required_sections = []\ndate_formats = [\"%m/%d/%Y\", \"%Y-%m-%d\"]\n\
        [kinds.aip.fields]\ncreated = \"date\"\nupdated = \"date\"\n";
    let case = repo(
        config,
        &[
            (
                "aips/aip-1.md",
                "---\ntitle: One\ncreated: 12/7/2022\nupdated: 2023-01-31\n---\n\nText.\n",
            ),
            (
                "aips/aip-2.md",
                "---\ntitle: Two\ncreated: 31/12/2022\n---\n\nText.\n",
            ),
        ],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    assert_eq!(
        findings(&report),
        [("invalid-field".to_string(), "aips/aip-2.md".to_string(), 3)],
        "{report:#}"
    );
    let message = report["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("%m/%d/%Y"), "{message}");
    let export = pilotbook_json(&case.root, &["export"], 0);
    let aip = exported(&export, "aip", "aip-1");
    assert_eq!(aip["front_matter"]["created"], "2022-12-07", "{aip:#}");
}

#[test]
fn a_list_may_be_written_as_comma_separated_text() {
    let config = "[kinds.eip]\npath = \"EIPS/*.md\"\nrequired_sections = []\n\
        [kinds.eip.fields]\nrequires = { ref = \"eip\" }\nauthors = \"list\"\n";
    let case = repo(
        config,
        &[
            (
                "EIPS/eip-20.md",
                "---\ntitle: Token\nauthors: Fabian Vogelsteller, Vitalik Buterin\n---\n\nText.\n",
            ),
            (
                "EIPS/eip-721.md",
                "---\ntitle: NFT\nrequires: eip-20, eip-165\n---\n\nText.\n",
            ),
            ("EIPS/eip-165.md", "---\ntitle: Interfaces\n---\n\nText.\n"),
        ],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 0);
    assert!(
        !findings(&report).iter().any(|f| f.0 == "invalid-field"),
        "{report:#}"
    );
    let export = pilotbook_json(&case.root, &["export"], 0);
    let erc20 = exported(&export, "eip", "eip-20");
    assert_eq!(
        erc20["front_matter"]["authors"],
        serde_json::json!(["Fabian Vogelsteller", "Vitalik Buterin"]),
        "{erc20:#}"
    );
    // Each id of the list is a reference, linked both ways.
    let referrers = erc20["referenced_by"].to_string();
    assert!(referrers.contains("eip-721"), "{erc20:#}");
    let erc165 = exported(&export, "eip", "eip-165");
    assert!(
        erc165["referenced_by"].to_string().contains("eip-721"),
        "{erc165:#}"
    );
}

#[test]
fn zero_padded_numbers_are_numbers() {
    let config = "[kinds.fip]\npath = \"FIPS/*.md\"\nrequired_fields = [\"fip\"]\n\
        required_sections = []\n[kinds.fip.fields]\nfip = \"number\"\n";
    let case = repo(
        config,
        &[
            (
                "FIPS/fip-0001.md",
                "---\nfip: 0001\ntitle: Process\n---\n\nText.\n",
            ),
            (
                "FIPS/fip-0002.md",
                "---\nfip: 00x2\ntitle: Typo\n---\n\nText.\n",
            ),
        ],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    assert_eq!(
        findings(&report),
        [(
            "invalid-field".to_string(),
            "FIPS/fip-0002.md".to_string(),
            2
        )],
        "{report:#}"
    );
    let export = pilotbook_json(&case.root, &["export"], 0);
    assert_eq!(
        exported(&export, "fip", "fip-0001")["front_matter"]["fip"],
        1
    );
}

#[test]
fn a_kind_decides_which_placeholders_leave_a_section_unanswered() {
    let config = "[kinds.cip]\npath = \"CIPs/*.md\"\nrequired_sections = [\"Rationale\", \"Path to Active\"]\n\
        empty_sections = [\"TODO\", \"TBD\"]\n";
    let case = repo(
        config,
        &[
            (
                "CIPs/cip-1.md",
                "---\ntitle: One\n---\n\n## Rationale\n\nN/A\n\n## Path to Active\n\nTBD\n",
            ),
            (
                "pilots/triage.md",
                "---\ntitle: Triage\n---\n\n## Rollback\n\nN/A\n",
            ),
        ],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    let found = findings(&report);
    // N/A answers the CIP's Rationale; TBD does not answer its path.
    let cip: Vec<&(String, String, u64)> =
        found.iter().filter(|f| f.1 == "CIPs/cip-1.md").collect();
    assert_eq!(
        cip,
        [&(
            "missing-section".to_string(),
            "CIPs/cip-1.md".to_string(),
            9
        )],
        "{found:?}"
    );
    // Other kinds keep the default: N/A is no answer for a pilot.
    let rollback = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .any(|d| d["path"] == "pilots/triage.md" && d["message"].to_string().contains("Rollback"));
    assert!(rollback, "{report:#}");
}

#[test]
fn a_missing_field_of_a_custom_kind_is_helped_by_its_own_definition() {
    let config = "[kinds.decision]\npath = \"adr/*.md\"\nrequired_fields = [\"status\", \"date\", \"supersedes\"]\n\
        required_sections = []\ndate_formats = [\"%m/%d/%Y\"]\n[kinds.decision.fields]\n\
        status = { enum = [\"proposed\", \"accepted\", \"superseded\"] }\ndate = \"date\"\n\
        supersedes = { ref = \"decision\" }\n";
    let case = repo(
        config,
        &[("adr/0001-x.md", "---\ntitle: X\n---\n\nText.\n")],
    );
    let report = pilotbook_json(&case.root, &["check", "--format", "json"], 1);
    let help = |field: &str| {
        report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .find(|d| d["rule"] == "missing-field" && d["message"].to_string().contains(field))
            .and_then(|d| d["help"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        help("`status`"),
        "add `status:` (proposed | accepted | superseded)"
    );
    assert_eq!(help("`date`"), "add `date: YYYY-MM-DD` (or %m/%d/%Y)");
    assert_eq!(help("`supersedes`"), "add `supersedes: <decision-id>`");
}

#[test]
fn a_sidecar_over_the_front_matter_limit_is_refused_in_the_tree_and_in_a_revision() {
    let config = "[limits]\nmax_front_matter_bytes = 64\n[kinds.kep]\npath = \"keps/*/README.md\"\n\
        metadata_file = \"kep.yaml\"\nrequired_sections = []\nextra_fields = \"allow\"\n";
    let big = format!("title: Big\nnotes: \"{}\"\n", "x".repeat(200));
    let case = repo(
        config,
        &[
            ("keps/1-big/README.md", "# Big\n\nText.\n"),
            ("keps/1-big/kep.yaml", &big),
        ],
    );
    for args in [
        &["check", "--format", "json"][..],
        &["check", "--rev", "HEAD", "--format", "json"][..],
    ] {
        let report = pilotbook_json(&case.root, args, 1);
        let found = findings(&report);
        assert!(
            found.contains(&("unreadable-file".into(), "keps/1-big/kep.yaml".into(), 1)),
            "{args:?}: {found:?}"
        );
    }
}
