//! Generate a synthetic pilotbook repository for benchmarks and load tests.
//!
//! ```text
//! cargo run --release -p pilotbook-bench --bin gen-corpus -- --pilots 10000 --seed 1 --out /tmp/corpus
//! # with git history: a repository whose 10,000 commits build the portfolio
//! cargo run --release -p pilotbook-bench --bin gen-corpus -- --pilots 1000 --commits 10000 --out /tmp/repo
//! # a monorepo: 20,000 source files beside the documents, 95% code-only commits
//! cargo run --release -p pilotbook-bench --bin gen-corpus -- --pilots 1000 --commits 100000 \
//!     --code-files 20000 --code-share 95 --out /tmp/mono
//! ```
//!
//! The tree looks like a real portfolio: `pilotbook.toml`, one document per
//! pilot under `pilots/`, and the people, metrics and systems they refer to.
//! Pilot documents carry the front matter of PRODUCT.md §2 (all six statuses,
//! metric targets with baselines and actuals, integrations, dependencies, a
//! dated production path) and the nine usual sections with a few sentences of
//! generated prose each, about 2.5–4 KB per pilot like the example repository.
//!
//! Dates are relative to a fixed "today" (2026-11-25, see [`TODAY`]): past
//! milestones are done and open ones lie in the future, so a check run with
//! `PILOTBOOK_TODAY=2026-11-25` reports no overdue milestones. A pilot only
//! depends on pilots with a lower index whose last milestone is not later than
//! its own, so there are no cycles and `dependency-late` stays quiet. About 2%
//! of pilots carry one realistic defect (a missing or empty section, an owner
//! who has no person document, an unparseable target, a decided metric
//! without an actual) so that `check` has findings to report.
//!
//! Everything is drawn from a small seeded PRNG (splitmix64): the same
//! arguments always produce a byte-identical tree, whatever the number of
//! threads. Documents are rendered in parallel (rayon), each from its own
//! stream derived from the seed and its index.
//!
//! With `--id-prefix s3-` every id, and so every document's file name,
//! starts with `s3-` (`pilots/s3-route-optimisation.md`, `owner:
//! s3-maria-lopez`): corpora generated with distinct prefixes (and seeds)
//! are the `[[sources]]` of one portfolio without two documents sharing an
//! id, each self-contained (scripts/bench-portfolio). The default, no
//! prefix, writes the same bytes as before the option existed.
//!
//! With `--commits C` the output is a git repository instead, written by
//! `git fast-import` and checked out at its last commit; the same arguments
//! always give the same commit ids. Its history is described in the
//! `history` module below.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use rayon::prelude::*;

/// The date the corpus is generated against (days are counted from it).
const TODAY: (i32, u32, u32) = (2026, 11, 25);

#[derive(Parser, Debug)]
#[command(
    name = "gen-corpus",
    about = "Generate a deterministic synthetic pilotbook repository",
    long_about = "Generate a deterministic synthetic pilotbook repository (pilots, people, \
                  metrics, systems) for benchmarks. The same arguments always produce a \
                  byte-identical tree. Dates are relative to 2026-11-25; run checks with \
                  PILOTBOOK_TODAY=2026-11-25 for stable results."
)]
struct Args {
    /// Number of pilot documents.
    #[arg(long, default_value_t = 1000)]
    pilots: usize,
    /// Seed of the pseudo-random generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory to write the repository to (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Write into a non-empty DIR: replaces pilotbook.toml and the pilots/,
    /// people/, metrics/ and systems/ folders, leaves anything else alone.
    #[arg(long)]
    force: bool,
    /// Commits of git history to generate. 0 writes a plain folder; C > 0
    /// writes a git repository (through `git fast-import`) whose C commits
    /// build the portfolio over about three and a half years, with the
    /// working tree checked out at the last commit. Needs an empty `--out`.
    #[arg(long, default_value_t = 0)]
    commits: u64,
    /// With `--commits`: also add this many unrelated source files under
    /// `src/` in the first commits (a monorepo beside the documents).
    #[arg(long, default_value_t = 0)]
    code_files: usize,
    /// With `--code-files`: percentage of the later commits that touch only
    /// code files (e.g. 95 for a monorepo where 5% of commits touch documents).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    code_share: u8,
    /// Put PREFIX before every generated id, and so every document's file
    /// name (`pilots/s3-….md`): pilots, people, metrics and systems, and the
    /// references between them. Corpora with distinct prefixes can be read
    /// together as the `[[sources]]` of one portfolio without two documents
    /// sharing an id. Lowercase letters, digits and `-`; empty (the
    /// default) changes nothing.
    #[arg(long, default_value = "", value_name = "PREFIX")]
    id_prefix: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(message) = check_args(&args) {
        eprintln!("gen-corpus: {message}");
        return ExitCode::from(2);
    }
    let result = if args.commits > 0 {
        history::run(&args)
    } else {
        run(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen-corpus: {message}");
            ExitCode::from(1)
        }
    }
}

/// Usage errors (exit 2): inconsistent options, `--out` is a file, a
/// non-empty folder without `--force`, any non-empty folder with history.
fn check_args(args: &Args) -> Result<(), String> {
    if !args
        .id_prefix
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "--id-prefix {:?}: only lowercase letters, digits and `-` keep ids valid",
            args.id_prefix
        ));
    }
    if args.commits == 0 && args.code_files > 0 {
        return Err("--code-files needs --commits: code files only come with history".into());
    }
    if args.code_share > 0 && args.code_files == 0 {
        return Err("--code-share needs --code-files: there is no code to touch".into());
    }
    if args.commits > 0 {
        if args.force {
            return Err(
                "--force cannot be used with --commits: history is written to a new, empty folder"
                    .into(),
            );
        }
        let min = history::min_commits(args);
        if args.commits < min {
            return Err(format!(
                "--commits {} is too few for {} pilots: each commit adds or changes 1–3 documents, so at least {min} are needed",
                args.commits, args.pilots
            ));
        }
    }
    check_out(&args.out, args.force)
}

/// Usage errors (exit 2): `--out` is a file, or a non-empty folder without `--force`.
fn check_out(out: &Path, force: bool) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!("{} exists and is not a directory", out.display()));
    }
    if !force
        && out.is_dir()
        && fs::read_dir(out)
            .map(|mut e| e.next().is_some())
            .unwrap_or(false)
    {
        return Err(format!(
            "{} exists and is not empty; choose another --out or pass --force",
            out.display()
        ));
    }
    Ok(())
}

fn run(args: &Args) -> Result<(), String> {
    let start = Instant::now();
    prepare_out(&args.out, args.force)?;
    let corpus = Corpus::plan(args.pilots, args.seed, &args.id_prefix);

    for dir in ["pilots", "people", "metrics", "systems"] {
        let path = args.out.join(dir);
        fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    }
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    files.push((args.out.join("pilotbook.toml"), corpus.config_toml()));
    let bytes_small: usize = {
        let mut small = Vec::new();
        for (i, p) in corpus.people.iter().enumerate() {
            small.push((
                args.out.join("people").join(format!("{}.md", p.id)),
                corpus.render_person(i, 0),
            ));
        }
        for (i, m) in corpus.metrics.iter().enumerate() {
            small.push((
                args.out.join("metrics").join(format!("{}.md", m.id)),
                corpus.render_metric(i, 0),
            ));
        }
        for (i, s) in corpus.systems.iter().enumerate() {
            small.push((
                args.out.join("systems").join(format!("{}.md", s.id)),
                corpus.render_system(i, 0),
            ));
        }
        let total = small.iter().map(|(_, t)| t.len()).sum();
        files.extend(small);
        total
    };
    files
        .par_iter()
        .try_for_each(|(path, text)| write(path, text))?;

    let pilots_dir = args.out.join("pilots");
    let bytes_pilots: usize = (0..corpus.pilots.len())
        .into_par_iter()
        .map(|i| {
            let text = corpus.render_pilot(i);
            let path = pilots_dir.join(format!("{}.md", corpus.pilots[i].id));
            write(&path, &text).map(|()| text.len())
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;

    let defects = corpus
        .pilots
        .iter()
        .filter(|p| p.defect != Defect::None)
        .count();
    eprintln!(
        "gen-corpus: wrote {} pilots ({:.1} MB, {} with a defect), {} people, {} metrics, {} systems to {} in {:.2} s",
        corpus.pilots.len(),
        (bytes_pilots + bytes_small) as f64 / 1e6,
        defects,
        corpus.people.len(),
        corpus.metrics.len(),
        corpus.systems.len(),
        args.out.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Refuse a non-empty DIR without `--force`; with it, remove what we generate.
fn prepare_out(out: &Path, force: bool) -> Result<(), String> {
    match fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                if !force {
                    return Err(format!(
                        "{} exists and is not empty; choose another --out or pass --force",
                        out.display()
                    ));
                }
                for dir in ["pilots", "people", "metrics", "systems"] {
                    let path = out.join(dir);
                    if path.exists() {
                        fs::remove_dir_all(&path)
                            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
                    }
                }
                let toml = out.join("pilotbook.toml");
                if toml.exists() {
                    fs::remove_file(&toml)
                        .map_err(|e| format!("cannot remove {}: {e}", toml.display()))?;
                }
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))
        }
        Err(e) => Err(format!("cannot read {}: {e}", out.display())),
    }
}

// ---------------------------------------------------------------------------
// PRNG and dates
// ---------------------------------------------------------------------------

/// splitmix64: tiny, fast, good enough for synthetic text.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut rng = Rng(seed ^ 0x6A09_E667_F3BC_C908);
        rng.next();
        rng
    }

    /// An independent stream for item `index` of family `family`.
    fn stream(seed: u64, family: u64, index: u64) -> Rng {
        let mut mix = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ family.rotate_left(32));
        let a = mix.next();
        Rng::new(a ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of a list of words.
    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// `k` distinct indices of `0..n`, in draw order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        let mut out: Vec<usize> = Vec::with_capacity(k);
        while out.len() < k {
            let i = self.below(n);
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }

    /// Index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// The stream a document is drawn from: the text without history for
/// `edit` 0, an edited version for each later `edit`.
fn edit_stream(seed: u64, family: u64, index: usize, edit: u32) -> Rng {
    if edit == 0 {
        Rng::stream(seed, family, index as u64)
    } else {
        Rng::stream(seed, 32 + family, ((index as u64) << 20) ^ u64::from(edit))
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn fmt_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn today() -> i32 {
    days_from_civil(TODAY.0, TODAY.1, TODAY.2)
}

/// Lowercase, runs of anything outside `[a-z0-9]` become one `-`.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// `base`, or `base-2`, `base-3`… whichever is still free.
fn unique(taken: &mut HashSet<String>, base: String) -> String {
    if taken.insert(base.clone()) {
        return base;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{base}-{n}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

/// A name used mid-sentence: `Support operations` → `support operations`,
/// but `ML platform` keeps its acronym.
fn prose_name(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_uppercase() => name.to_string(),
        _ => {
            let mut chars = name.chars();
            chars
                .next()
                .map(|c| c.to_lowercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

const FIRST: &[&str] = &[
    "Aiko", "Dana", "Elif", "Grace", "Hannah", "Kwame", "Leon", "Marcus", "Noah", "Priya", "Ravi",
    "Sofia", "Tomas", "Amara", "Bruno", "Chloe", "Dmitri", "Esther", "Farid", "Greta", "Hiro",
    "Ines", "Jonas", "Kavya", "Lars", "Maya", "Nadia", "Oscar", "Paula", "Quentin", "Rosa",
    "Samir", "Tess", "Umar", "Vera", "Wen", "Xavier", "Yara", "Zofia", "Anders", "Bea", "Carlos",
    "Deniz", "Emil", "Fatima", "Gabriel", "Helga", "Ivan", "Julia", "Kenji", "Lena", "Mateo",
    "Nina", "Olu", "Pieter", "Rania", "Stefan", "Tanvi", "Ulla", "Viktor",
];

const LAST: &[&str] = &[
    "Tanaka",
    "Kim",
    "Demir",
    "Obi",
    "Brooks",
    "Asante",
    "Fischer",
    "Oyelaran",
    "Brennan",
    "Raman",
    "Patel",
    "Mendes",
    "Lindqvist",
    "Okafor",
    "Rossi",
    "Dubois",
    "Ivanova",
    "Cohen",
    "Haddad",
    "Novak",
    "Sato",
    "Garcia",
    "Jansen",
    "Nair",
    "Berg",
    "Levi",
    "Khan",
    "Silva",
    "Moreau",
    "Costa",
    "Schmidt",
    "Nguyen",
    "Kowalski",
    "Andersen",
    "Ferreira",
    "Yilmaz",
    "Mensah",
    "Park",
    "Romero",
    "Visser",
    "Kaur",
    "Eriksen",
    "Bauer",
    "Santos",
    "Horvat",
    "Wright",
    "Murphy",
    "Kovacs",
    "Adeyemi",
    "Larsen",
    "Meyer",
    "Popescu",
    "Ortiz",
    "Hughes",
    "Keller",
    "Bianchi",
    "Dahl",
    "Mbeki",
    "Sorensen",
    "Vogel",
];

/// (id, display name, role word)
const TEAMS: &[(&str, &str, &str)] = &[
    ("support-ops", "Support operations", "Support"),
    ("fleet-ops", "Fleet operations", "Fleet"),
    (
        "warehouse-ops",
        "Warehouse operations",
        "Warehouse Operations",
    ),
    ("finance-ops", "Finance operations", "Finance"),
    ("revenue-ops", "Revenue operations", "Revenue Operations"),
    ("network-planning", "Network planning", "Network Planning"),
    (
        "cx-product",
        "Customer experience product",
        "Customer Experience",
    ),
    ("ml-platform", "ML platform", "ML Platform"),
    ("data-platform", "Data platform", "Data Platform"),
    (
        "integration",
        "Integration engineering",
        "Integration Engineering",
    ),
    ("security", "Security and risk", "Security"),
    ("procurement", "Procurement", "Procurement"),
    ("customs", "Customs and trade compliance", "Customs"),
    ("people-ops", "People operations", "People Operations"),
    ("legal-ops", "Legal operations", "Legal"),
    ("marketing-ops", "Marketing operations", "Marketing"),
];

const ROLE_LEVEL: &[&str] = &[
    "Lead",
    "Manager",
    "Director",
    "Senior Engineer",
    "Product Owner",
    "Analyst",
];

/// (title, kind, default auth)
const SYSTEMS: &[(&str, &str, &str)] = &[
    ("Zendesk Support", "saas", "oauth2"),
    ("Salesforce", "saas", "oauth2-jwt-bearer"),
    ("SAP S/4HANA", "erp", "oauth2-client-credentials"),
    ("Snowflake", "database", "key-pair"),
    ("Kafka event bus", "queue", "sasl-oauthbearer"),
    ("Customer data platform", "api", "oauth2-client-credentials"),
    ("LLM gateway", "api", "service-token"),
    (
        "Warehouse management system",
        "api",
        "oauth2-client-credentials",
    ),
    ("Telematics platform", "api", "oauth2"),
    ("Twilio", "saas", "api-key"),
    ("Contract repository", "file-store", "sas-token"),
    ("Route optimisation API", "api", "api-key"),
    ("Orders database", "database", "iam-role"),
    ("Data lake", "file-store", "iam-role"),
    ("ServiceNow", "saas", "oauth2"),
    ("Workday", "saas", "oauth2"),
    ("Jira", "saas", "api-token"),
    ("Payment gateway", "api", "mtls"),
    ("Feature store", "database", "service-token"),
    ("Model registry", "api", "service-token"),
    ("Identity provider", "api", "oauth2-client-credentials"),
    ("Pricing engine", "api", "mtls"),
    ("Billing system", "api", "oauth2-client-credentials"),
    ("Customs broker API", "api", "api-key"),
    ("Carrier EDI hub", "file-store", "sftp-key"),
    ("Returns portal", "api", "oauth2"),
    ("Web analytics", "saas", "api-key"),
    ("Document management system", "file-store", "oauth2"),
    ("Yard management system", "api", "oauth2-client-credentials"),
    (
        "Transport management system",
        "api",
        "oauth2-client-credentials",
    ),
    ("Contact centre platform", "saas", "oauth2"),
    ("Email gateway", "api", "service-token"),
    ("Vector search service", "api", "service-token"),
    ("Labelling tool", "saas", "api-key"),
    ("Notification service", "queue", "sasl-oauthbearer"),
    ("Product information system", "database", "key-pair"),
    ("Supplier portal", "api", "oauth2"),
    ("Time-series metrics store", "database", "service-token"),
    ("Geocoding API", "api", "api-key"),
    ("Scheduling service", "api", "mtls"),
];

const REGIONS: &[(&str, &str)] = &[
    ("uk", "UK"),
    ("nl", "Netherlands"),
    ("de", "Germany"),
    ("fr", "France"),
    ("pl", "Poland"),
    ("es", "Spain"),
    ("it", "Italy"),
    ("be", "Belgium"),
    ("se", "Sweden"),
    ("us", "US"),
];

const SITES: &[&str] = &[
    "Daventry",
    "Swindon",
    "Venlo",
    "Tilburg",
    "Leeds",
    "Utrecht",
    "Duisburg",
    "Lyon",
    "Poznan",
    "Zaragoza",
    "Milan",
    "Antwerp",
    "Gothenburg",
    "Bristol",
    "Rotterdam",
    "Hamburg",
    "Lille",
    "Wroclaw",
    "Valencia",
    "Bologna",
];

/// (singular, plural)
const OBJECTS: &[(&str, &str)] = &[
    ("ticket", "tickets"),
    ("invoice", "invoices"),
    ("shipment", "shipments"),
    ("order", "orders"),
    ("claim", "claims"),
    ("return", "returns"),
    ("quote", "quotes"),
    ("lead", "leads"),
    ("contract", "contracts"),
    ("delivery", "deliveries"),
    ("pallet", "pallets"),
    ("route", "routes"),
    ("dock appointment", "dock appointments"),
    ("customs declaration", "customs declarations"),
    ("purchase order", "purchase orders"),
    ("supplier email", "supplier emails"),
    ("driver shift", "driver shifts"),
    ("support call", "support calls"),
    ("chat", "chats"),
    ("delivery photo", "delivery photos"),
    ("payment", "payments"),
    ("refund", "refunds"),
    ("job application", "job applications"),
    ("maintenance request", "maintenance requests"),
];

const TASKS: &[&str] = &[
    "triage",
    "classification",
    "extraction",
    "forecasting",
    "matching",
    "scoring",
    "routing",
    "summarisation",
    "anomaly detection",
    "deduplication",
    "prioritisation",
    "translation",
    "reply drafting",
    "scheduling",
    "optimisation",
    "validation",
];

const ARTIFACTS: &[&str] = &[
    "agent",
    "model",
    "assistant",
    "copilot",
    "pipeline",
    "service",
    "engine",
];

const QUALIFIERS: &[&str] = &[
    "Automated",
    "Real-time",
    "Proactive",
    "Multilingual",
    "Nightly",
    "Self-service",
];

const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

const ONCALL: &[&str] = &[
    "ML platform",
    "data platform",
    "integration engineering",
    "operations engineering",
    "platform SRE",
];

/// How a metric is measured and printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum UnitClass {
    PctHigh,
    PctLow,
    Ms,
    Minutes,
    Hours,
    Usd,
    Eur,
    PerHour,
    PerDay,
}

impl UnitClass {
    /// The unit as written after the number (`None` for `%`, glued).
    fn unit(self) -> &'static str {
        match self {
            UnitClass::PctHigh | UnitClass::PctLow => "%",
            UnitClass::Ms => "ms",
            UnitClass::Minutes => "min",
            UnitClass::Hours => "h",
            UnitClass::Usd => "USD",
            UnitClass::Eur => "EUR",
            UnitClass::PerHour => "per hour",
            UnitClass::PerDay => "per day",
        }
    }

    fn higher_is_better(self) -> bool {
        matches!(
            self,
            UnitClass::PctHigh | UnitClass::PerHour | UnitClass::PerDay
        )
    }

    /// Decimal places the values are printed with.
    fn decimals(self) -> u32 {
        match self {
            UnitClass::PctHigh | UnitClass::PctLow => 1,
            UnitClass::Usd | UnitClass::Eur => 3,
            UnitClass::Hours => 1,
            _ => 0,
        }
    }

    /// A plausible target, in ticks of `10^-decimals`.
    fn target(self, rng: &mut Rng) -> i64 {
        match self {
            UnitClass::PctHigh => rng.range(60, 97) * 10,
            UnitClass::PctLow => rng.range(3, 80),
            UnitClass::Ms => rng.range(2, 40) * 50,
            UnitClass::Minutes => rng.range(3, 60),
            UnitClass::Hours => rng.range(10, 480),
            UnitClass::Usd | UnitClass::Eur => {
                *rng.pick(&[5, 10, 20, 40, 50, 80, 100, 150, 250, 500, 1200])
            }
            UnitClass::PerHour => rng.range(20, 400),
            UnitClass::PerDay => rng.range(10, 900),
        }
    }

    fn format(self, ticks: i64) -> String {
        let d = self.decimals();
        let scale = 10i64.pow(d);
        let mut number = if d == 0 {
            ticks.to_string()
        } else {
            let s = format!(
                "{}.{:0width$}",
                ticks / scale,
                ticks % scale,
                width = d as usize
            );
            let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
            if s.is_empty() { "0".to_string() } else { s }
        };
        match self {
            UnitClass::PctHigh | UnitClass::PctLow => number.push('%'),
            _ => {
                number.push(' ');
                number.push_str(self.unit());
            }
        }
        number
    }

    /// Largest meaningful value (100% for percentages).
    fn max(self) -> i64 {
        match self {
            UnitClass::PctHigh | UnitClass::PctLow => 1000,
            _ => i64::MAX / 4,
        }
    }
}

/// (id pattern, title pattern, unit class, definition)
const METRIC_KINDS: &[(&str, &str, UnitClass, &str)] = &[
    (
        "{o}-accuracy",
        "{O} accuracy",
        UnitClass::PctHigh,
        "Share of {os} in the weekly QA sample where the pilot's output matches the label a trained reviewer assigns without seeing it. Reviewers label a random sample every week; the figure is the four-week rolling share.",
    ),
    (
        "{o}-recall",
        "{O} recall",
        UnitClass::PctHigh,
        "Share of {os} that a reviewer later marks as relevant which the pilot had already flagged. Measured on a lagged sample because the ground truth arrives weeks after the event.",
    ),
    (
        "{o}-automation-rate",
        "{O} automation rate",
        UnitClass::PctHigh,
        "Share of {os} handled end to end without a person touching them, out of all {os} in scope. Items a person reopens within seven days count as not automated.",
    ),
    (
        "{o}-error-rate",
        "{O} error rate",
        UnitClass::PctLow,
        "Share of {os} where the pilot's output had to be corrected afterwards, as recorded in the correction log. Counted weekly over all {os} the pilot touched.",
    ),
    (
        "{o}-p95-latency",
        "{O} p95 latency",
        UnitClass::Ms,
        "95th percentile of the time from a {o} reaching the pilot's service to its output being written back, taken from OpenTelemetry traces over a seven-day window.",
    ),
    (
        "{o}-handle-time",
        "{O} handle time",
        UnitClass::Minutes,
        "Median time a person spends on one {o}, from opening it to closing it, as logged by the work queue. Idle time longer than ten minutes is excluded.",
    ),
    (
        "{o}-turnaround",
        "{O} turnaround",
        UnitClass::Hours,
        "Median elapsed time from a {o} arriving to it being fully processed, in hours, including waiting time in queues and for approvals.",
    ),
    (
        "cost-per-{o}",
        "Cost per {o}",
        UnitClass::Usd,
        "Total running cost of the pilot (model calls, hosting, third-party fees) divided by the number of {os} it processed in the month, in US dollars.",
    ),
    (
        "{o}-unit-cost",
        "{O} unit cost",
        UnitClass::Eur,
        "Fully loaded processing cost of one {o}, including staff time at the standard hourly rate, in euros. Finance recomputes it monthly.",
    ),
    (
        "{o}-throughput",
        "{O} throughput",
        UnitClass::PerHour,
        "Number of {os} processed per staffed hour across the sites in scope, from the work queue's completion events.",
    ),
    (
        "{o}-daily-volume",
        "{O} daily volume",
        UnitClass::PerDay,
        "Number of {os} completed per working day in the pilot's scope, averaged over the last four weeks.",
    ),
];

/// Notes a metric's definition gains over time (history mode).
const METRIC_DEFINITION_NOTES: &[&str] = &[
    "Test traffic and items created by the QA team are excluded.",
    "Public holidays are left out of the weekly figure.",
    "Figures before the definition changed have been restated on the new basis.",
    "The dashboard shows the figure per site and per week.",
    "Finance and operations agreed this definition in the quarterly review.",
    "Items reopened within seven days count against the figure.",
    "The sample is stratified by site so that small sites are not drowned out.",
    "Outliers are kept: the figure is meant to show the bad days too.",
];

const AUTHS: &[&str] = &[
    "oauth2",
    "oauth2-client-credentials",
    "service-token",
    "api-key",
    "mtls",
    "key-pair",
    "iam-role",
];

// ---------------------------------------------------------------------------
// The plan: every entity, sequentially from one stream
// ---------------------------------------------------------------------------

struct Person {
    id: String,
    name: String,
    team: usize,
    role: String,
}

struct Metric {
    id: String,
    title: String,
    class: UnitClass,
    definition: String,
    object: usize,
}

struct System {
    id: String,
    title: String,
    kind: &'static str,
    auth: &'static str,
    owner: usize,
    region: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Status {
    Proposed,
    Pilot,
    Go,
    NoGo,
    Production,
    Retired,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Pilot => "pilot",
            Status::Go => "go",
            Status::NoGo => "no-go",
            Status::Production => "production",
            Status::Retired => "retired",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Defect {
    None,
    MissingRollback,
    EmptyMonitoring,
    UndefinedOwner,
    BadTarget,
    MissingActual,
}

struct MetricUse {
    metric: usize,
    comparator: &'static str,
    target: i64,
    baseline: Option<i64>,
    actual: Option<i64>,
}

struct Milestone {
    name: String,
    due: i32,
    done: Option<i32>,
}

struct PilotPlan {
    id: String,
    title: String,
    status: Status,
    owner: usize,
    object: usize,
    task: usize,
    started: Option<i32>,
    decision: i32,
    metrics: Vec<MetricUse>,
    integrations: Vec<usize>,
    depends_pilots: Vec<usize>,
    depends_systems: Vec<usize>,
    milestones: Vec<Milestone>,
    /// Index of the go/no-go review in `milestones` (its due is `decision`).
    review: usize,
    defect: Defect,
    /// Heading for the first section (`Success metrics`, or an alias).
    metrics_heading: &'static str,
    numbered_headings: bool,
}

/// Parts of a pilot's body that history edits one at a time: the intro and
/// the nine sections.
const SECTIONS: usize = 10;

/// What can differ between versions of one pilot document.
#[derive(Clone, PartialEq, Eq, Debug)]
struct PilotView {
    id: String,
    title: String,
    status: Status,
    /// Target of each metric, in ticks.
    targets: Vec<i64>,
    /// Whether the plan's actuals are written yet.
    actuals: bool,
    /// Due and done date of each milestone.
    dues: Vec<i32>,
    dones: Vec<Option<i32>>,
    /// Edit count of each body part: 0 is the text without history.
    variants: [u32; SECTIONS],
}

impl PilotPlan {
    fn last_due(&self) -> i32 {
        self.milestones
            .last()
            .map(|m| m.due)
            .unwrap_or(self.decision)
    }
}

struct Corpus {
    seed: u64,
    /// Put before every id (`--id-prefix`).
    prefix: String,
    people: Vec<Person>,
    metrics: Vec<Metric>,
    systems: Vec<System>,
    pilots: Vec<PilotPlan>,
    /// metric indices per object
    metrics_by_object: HashMap<usize, Vec<usize>>,
}

impl Corpus {
    fn plan(n: usize, seed: u64, prefix: &str) -> Corpus {
        let mut rng = Rng::stream(seed, 1, 0);
        let people = plan_people(&mut rng, (n / 20).max(5), prefix);
        let metrics = plan_metrics(&mut rng, (n / 50).max(6), prefix);
        let systems = plan_systems(&mut rng, (n / 50).max(6), people.len(), prefix);
        let mut metrics_by_object: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, m) in metrics.iter().enumerate() {
            metrics_by_object.entry(m.object).or_default().push(i);
        }
        let mut corpus = Corpus {
            seed,
            prefix: prefix.to_string(),
            people,
            metrics,
            systems,
            pilots: Vec::with_capacity(n),
            metrics_by_object,
        };
        let mut ids = HashSet::new();
        for i in 0..n {
            let plan = corpus.plan_pilot(&mut rng, i, &mut ids);
            corpus.pilots.push(plan);
        }
        corpus
    }

    fn plan_pilot(&self, rng: &mut Rng, index: usize, ids: &mut HashSet<String>) -> PilotPlan {
        let t = today();
        let object = rng.below(OBJECTS.len());
        let task = rng.below(TASKS.len());
        let title = plan_title(rng, object, task);
        let id = unique(ids, format!("{}{}", self.prefix, slug(&title)));

        let status = match rng.weighted(&[14, 38, 10, 8, 22, 8]) {
            0 => Status::Proposed,
            1 => Status::Pilot,
            2 => Status::Go,
            3 => Status::NoGo,
            4 => Status::Production,
            _ => Status::Retired,
        };
        let owner = rng.below(self.people.len());
        let (started, decision) = plan_dates(rng, status, t);
        let (dues, pre) = plan_dues(rng, status, started, decision);
        let sites = rng.distinct(SITES.len(), 3);
        let mut milestones = Vec::with_capacity(dues.len());
        for (j, &(due, role)) in dues.iter().enumerate() {
            let name = milestone_name(rng, role, status, object, &sites, j);
            let done = if due < t {
                if role == 1 {
                    Some(due)
                } else {
                    Some((due + rng.range(-5, 8) as i32).min(t))
                }
            } else {
                None
            };
            milestones.push(Milestone { name, due, done });
        }
        let metrics = self.plan_metrics(rng, status, object);

        // Integrations and dependencies.
        let n_integrations = rng.range(1, 3) as usize;
        let integrations = rng.distinct(self.systems.len(), n_integrations);
        let ours = milestones.last().map(|m| m.due).unwrap_or(decision);
        let depends_pilots = self.plan_dependencies(rng, index, ours);
        // At most two `depends_on` entries in all: a system only beside 0–1 pilots.
        let depends_systems = if depends_pilots.len() < 2 && rng.chance(0.6) {
            vec![integrations[0]]
        } else {
            Vec::new()
        };
        let defect = plan_defect(rng, status);
        let metrics_heading = match rng.below(40) {
            0 => "Success criteria",
            1 => "KPIs",
            _ => "Success metrics",
        };
        PilotPlan {
            id,
            title,
            status,
            owner,
            object,
            task,
            started,
            decision,
            metrics,
            integrations,
            depends_pilots,
            depends_systems,
            milestones,
            review: pre,
            defect,
            metrics_heading,
            numbered_headings: rng.chance(0.05),
        }
    }

    /// Two to four metrics, mostly about the pilot's own object, with
    /// targets, baselines and actuals that fit its status.
    fn plan_metrics(&self, rng: &mut Rng, status: Status, object: usize) -> Vec<MetricUse> {
        let n_metrics = rng.range(2, 4) as usize;
        let mut chosen: Vec<usize> = Vec::with_capacity(n_metrics);
        // Mostly metrics about the pilot's own object, then any others.
        if let Some(own) = self.metrics_by_object.get(&object) {
            let k = rng.range(1, (n_metrics as i64 - 1).max(1)) as usize;
            chosen.extend(rng.distinct(own.len(), k).into_iter().map(|i| own[i]));
        }
        while chosen.len() < n_metrics.min(self.metrics.len()) {
            let m = rng.below(self.metrics.len());
            if !chosen.contains(&m) {
                chosen.push(m);
            }
        }
        let missing = if status == Status::NoGo {
            rng.below(chosen.len())
        } else {
            usize::MAX
        };
        chosen
            .iter()
            .enumerate()
            .map(|(j, &m)| {
                let class = self.metrics[m].class;
                let higher = class.higher_is_better();
                let comparator = match (higher, rng.chance(0.8)) {
                    (true, true) => ">=",
                    (true, false) => ">",
                    (false, true) => "<=",
                    (false, false) => "<",
                };
                let target = class.target(rng);
                let better = |rng: &mut Rng, by_pct: (i64, i64)| -> i64 {
                    let delta = (target * rng.range(by_pct.0, by_pct.1) / 100).max(1);
                    if higher {
                        (target + delta).min(class.max()).max(target + 1)
                    } else {
                        (target - delta).max(1)
                    }
                };
                let worse = |rng: &mut Rng, by_pct: (i64, i64)| -> i64 {
                    let delta = (target * rng.range(by_pct.0, by_pct.1) / 100).max(1);
                    if higher {
                        (target - delta).max(0)
                    } else {
                        (target + delta).min(class.max())
                    }
                };
                let baseline = if status != Status::Proposed || rng.chance(0.5) {
                    rng.chance(0.75).then(|| worse(rng, (8, 45)))
                } else {
                    None
                };
                let actual = match status {
                    Status::Proposed => None,
                    Status::Pilot => rng.chance(0.5).then(|| {
                        if rng.chance(0.6) {
                            better(rng, (1, 12))
                        } else {
                            worse(rng, (1, 15))
                        }
                    }),
                    Status::Go | Status::Production => Some(better(rng, (1, 15))),
                    Status::NoGo if j == missing => Some(worse(rng, (5, 30))),
                    Status::NoGo => Some(if rng.chance(0.5) {
                        better(rng, (1, 10))
                    } else {
                        worse(rng, (1, 20))
                    }),
                    Status::Retired => rng.chance(0.8).then(|| better(rng, (1, 10))),
                };
                // A target of 100% cannot be beaten; keep `>` satisfiable.
                let (comparator, actual) = match actual {
                    Some(a)
                        if higher
                            && a <= target
                            && matches!(status, Status::Go | Status::Production) =>
                    {
                        (">=", Some(target))
                    }
                    other => (comparator, other),
                };
                MetricUse {
                    metric: m,
                    comparator,
                    target,
                    baseline,
                    actual,
                }
            })
            .collect::<Vec<_>>()
    }

    /// Zero to two earlier pilots this one depends on: recent ones, not
    /// stopped, in production or done before `ours` (its last due date).
    fn plan_dependencies(&self, rng: &mut Rng, index: usize, ours: i32) -> Vec<usize> {
        let n_deps = match rng.weighted(&[50, 35, 15]) {
            0 => 0,
            1 => 1,
            _ => 2,
        };
        let mut depends_pilots = Vec::new();
        if index > 0 {
            for _ in 0..10 {
                if depends_pilots.len() >= n_deps {
                    break;
                }
                // Prefer recent pilots, as portfolios grow in clusters.
                let span = index.min(400);
                let j = index - 1 - rng.below(span);
                let other = &self.pilots[j];
                if matches!(other.status, Status::NoGo | Status::Retired)
                    || depends_pilots.contains(&j)
                {
                    continue;
                }
                if other.status == Status::Production || other.last_due() <= ours {
                    depends_pilots.push(j);
                }
            }
        }
        depends_pilots
    }
}

/// A pilot's title: object, task and artifact, sometimes qualified or for
/// a region.
fn plan_title(rng: &mut Rng, object: usize, task: usize) -> String {
    let mut title = String::new();
    if rng.chance(0.2) {
        title.push_str(rng.pick_str(QUALIFIERS));
        title.push(' ');
        title.push_str(OBJECTS[object].0);
    } else {
        title.push_str(&capitalise(OBJECTS[object].0));
    }
    title.push(' ');
    title.push_str(TASKS[task]);
    title.push(' ');
    title.push_str(rng.pick_str(ARTIFACTS));
    if rng.chance(0.25) {
        let region = rng.pick(REGIONS).1;
        title.push_str(" for ");
        title.push_str(region);
    }
    title
}

/// When the pilot started (if it has) and its go/no-go decision, relative
/// to today `t`.
fn plan_dates(rng: &mut Rng, status: Status, t: i32) -> (Option<i32>, i32) {
    match status {
        Status::Proposed => {
            let base = t + rng.range(7, 60) as i32;
            let started = if rng.chance(0.5) { Some(base) } else { None };
            (started, base + rng.range(60, 150) as i32)
        }
        Status::Pilot => {
            let started = t - rng.range(14, 300) as i32;
            let decision = (t + rng.range(7, 200) as i32).max(started + 60);
            (Some(started), decision)
        }
        Status::Go => {
            let decision = t - rng.range(3, 150) as i32;
            (Some(decision - rng.range(60, 200) as i32), decision)
        }
        Status::NoGo => {
            let decision = t - rng.range(3, 400) as i32;
            (Some(decision - rng.range(60, 200) as i32), decision)
        }
        Status::Production => {
            let decision = t - rng.range(150, 700) as i32;
            (Some(decision - rng.range(60, 200) as i32), decision)
        }
        Status::Retired => {
            let decision = t - rng.range(400, 1000) as i32;
            (Some(decision - rng.range(60, 200) as i32), decision)
        }
    }
}

/// The milestones' due dates and roles (0 before the review, 1 the review,
/// 2 after it, 3 the last), and how many come before the review.
fn plan_dues(
    rng: &mut Rng,
    status: Status,
    started: Option<i32>,
    decision: i32,
) -> (Vec<(i32, u8)>, usize) {
    let k = rng.range(2, 4) as usize;
    let post = match status {
        Status::Production | Status::Retired => rng.range(1, k as i64 - 1) as usize,
        Status::NoGo => rng.range(0, 1.min(k as i64 - 1)) as usize,
        _ => rng.range(0, k as i64 - 1) as usize,
    };
    let pre = k - 1 - post;
    let begin = started.unwrap_or(decision - 90) + 7;
    let mut dues: Vec<(i32, u8)> = Vec::with_capacity(k);
    let seg = ((decision - 3 - begin) / (pre as i32 + 1)).max(4);
    for j in 0..pre as i32 {
        let lo = begin + seg * j + seg / 4;
        let hi = begin + seg * j + (3 * seg) / 4;
        dues.push((rng.range(lo as i64, hi as i64) as i32, 0));
    }
    dues.push((decision, 1));
    let mut at = decision;
    for j in 0..post {
        let last = j + 1 == post;
        at += match status {
            Status::Production => rng.range(20, 60) as i32,
            Status::Retired if last => rng.range(150, 380) as i32,
            Status::Retired => rng.range(20, 60) as i32,
            _ => rng.range(20, 100) as i32,
        };
        dues.push((at, if last { 3 } else { 2 }));
    }
    (dues, pre)
}

/// The name of milestone `j`, of `role` (see [`plan_dues`]).
fn milestone_name(
    rng: &mut Rng,
    role: u8,
    status: Status,
    object: usize,
    sites: &[usize],
    j: usize,
) -> String {
    match role {
        0 => match rng.below(6) {
            0 => format!(
                "Offline evaluation on {} labelled {}",
                thousands(rng.range(5, 200) * 100),
                OBJECTS[object].1
            ),
            1 => format!(
                "Shadow mode on {}% of {}",
                rng.range(2, 20),
                OBJECTS[object].1
            ),
            2 => "Data protection impact assessment signed off".to_string(),
            3 => format!("Live at {} for one team", SITES[sites[0]]),
            4 => format!("Pilot users trained at {}", SITES[sites[0]]),
            _ => "Connectors tested against staging".to_string(),
        },
        1 => "Go/no-go review".to_string(),
        2 => match rng.below(3) {
            0 => format!("Live at {} and {}", SITES[sites[1]], SITES[sites[2]]),
            1 => "Legacy rules switched off".to_string(),
            _ => format!("Rolled out to all {} sites", rng.pick(REGIONS).1),
        },
        _ => match status {
            Status::Retired => "Decommissioned and access revoked".to_string(),
            Status::NoGo => "Pilot wound down and data deleted".to_string(),
            _ if j.is_multiple_of(2) => format!("Rolled out to all {} sites", rng.pick(REGIONS).1),
            _ => "General availability".to_string(),
        },
    }
}

/// About 2% of pilots carry one realistic defect.
fn plan_defect(rng: &mut Rng, status: Status) -> Defect {
    if rng.chance(0.02) {
        match rng.below(5) {
            0 => Defect::MissingRollback,
            1 => Defect::EmptyMonitoring,
            2 => Defect::UndefinedOwner,
            3 => Defect::BadTarget,
            _ if matches!(status, Status::Go | Status::NoGo | Status::Production) => {
                Defect::MissingActual
            }
            _ => Defect::MissingRollback,
        }
    } else {
        Defect::None
    }
}

fn plan_people(rng: &mut Rng, n: usize, prefix: &str) -> Vec<Person> {
    let mut ids = HashSet::new();
    (0..n)
        .map(|_| {
            let first = rng.pick(FIRST);
            let last = rng.pick(LAST);
            let name = format!("{first} {last}");
            let id = unique(&mut ids, format!("{prefix}{}", slug(&name)));
            let team = rng.below(TEAMS.len());
            let role = format!("{} {}", TEAMS[team].2, rng.pick(ROLE_LEVEL));
            Person {
                id,
                name,
                team,
                role,
            }
        })
        .collect()
}

fn plan_metrics(rng: &mut Rng, n: usize, prefix: &str) -> Vec<Metric> {
    // Every (kind, object) pair, in a seeded order; wrap with suffixes.
    let mut pairs: Vec<(usize, usize)> = (0..METRIC_KINDS.len())
        .flat_map(|k| (0..OBJECTS.len()).map(move |o| (k, o)))
        .collect();
    for i in (1..pairs.len()).rev() {
        let j = rng.below(i + 1);
        pairs.swap(i, j);
    }
    let mut ids = HashSet::new();
    (0..n)
        .map(|i| {
            let (k, o) = pairs[i % pairs.len()];
            let (id_pat, title_pat, class, def) = METRIC_KINDS[k];
            let (sg, pl) = OBJECTS[o];
            let id = unique(
                &mut ids,
                format!("{prefix}{}", slug(&id_pat.replace("{o}", sg))),
            );
            let title = capitalise(&title_pat.replace("{O}", sg).replace("{o}", sg));
            let definition = def.replace("{os}", pl).replace("{o}", sg);
            Metric {
                id,
                title,
                class,
                definition,
                object: o,
            }
        })
        .collect()
}

fn plan_systems(rng: &mut Rng, n: usize, people: usize, prefix: &str) -> Vec<System> {
    let mut ids = HashSet::new();
    (0..n)
        .map(|i| {
            let base = i % SYSTEMS.len();
            let (title, kind, auth) = SYSTEMS[base];
            let region = (i >= SYSTEMS.len()).then(|| ((i / SYSTEMS.len()) - 1) % REGIONS.len());
            let title = match region {
                Some(r) => format!("{title} ({})", REGIONS[r].1),
                None => title.to_string(),
            };
            let id = unique(&mut ids, format!("{prefix}{}", slug(&title)));
            System {
                id,
                title,
                kind,
                auth,
                owner: rng.below(people),
                region,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn access_of(kind: &str) -> &'static str {
    match kind {
        "database" => "database",
        "queue" => "event",
        "file-store" => "file",
        _ => "api",
    }
}

/// Pretty comparator for prose (`≥ 92%`).
fn pretty(comparator: &str) -> &'static str {
    match comparator {
        ">=" => "≥",
        ">" => ">",
        "<=" => "≤",
        _ => "<",
    }
}

impl Corpus {
    fn config_toml(&self) -> String {
        let prefix = match self.prefix.as_str() {
            "" => String::new(),
            p => format!(", ids prefixed `{p}`"),
        };
        format!(
            "# Synthetic portfolio generated by `cargo run -p pilotbook-bench --bin gen-corpus` \
             ({} pilots, seed {}{prefix}).\n# Dates are relative to 2026-11-25: check with \
             PILOTBOOK_TODAY=2026-11-25.\n\n[site]\ntitle = \"Synthetic pilots ({} pilots, seed {})\"\n\n\
             [kinds.pilot]\nsection_aliases = {{ \"Success metrics\" = [\"Success criteria\", \"KPIs\"] }}\n",
            self.pilots.len(),
            self.seed,
            self.pilots.len(),
            self.seed
        )
    }

    /// Person `i`; `edit` > 0 is a later version of the text (history mode).
    fn render_person(&self, i: usize, edit: u32) -> String {
        let p = &self.people[i];
        let mut rng = edit_stream(self.seed, 2, i, edit);
        let first = p.name.split(' ').next().unwrap_or(&p.name);
        let team = prose_name(TEAMS[p.team].1);
        let mut s = format!(
            "---\nname: {}\nemail: {}@northwind.example\nteam: {}\nrole: {}\n---\n\n",
            p.name,
            p.id.replace('-', "."),
            TEAMS[p.team].0,
            p.role
        );
        let sentences = [
            format!(
                "{first} works in {team} and has been with Northwind for {} years.",
                rng.range(2, 15)
            ),
            format!(
                "{first} runs the weekly {team} review where pilots in flight report on their metrics."
            ),
            format!(
                "Before joining, {first} spent several years in {} at a parcel carrier.",
                rng.pick(&[
                    "operations",
                    "analytics",
                    "product management",
                    "consulting",
                    "software engineering"
                ])
            ),
            format!(
                "{first} is the first contact for anything that touches {} in the {} sites.",
                OBJECTS[rng.below(OBJECTS.len())].1,
                rng.pick(REGIONS).1
            ),
            format!(
                "{first} signs off the monitoring and rollback plan of pilots owned by the team."
            ),
        ];
        let n = rng.range(2, 3) as usize;
        let picks = rng.distinct(sentences.len(), n);
        let text: Vec<&str> = picks.iter().map(|&k| sentences[k].as_str()).collect();
        s.push_str(&wrap(&text.join(" ")));
        s
    }

    /// Metric `i`; `edit` > 0 is a later version of the text (history mode).
    fn render_metric(&self, i: usize, edit: u32) -> String {
        let m = &self.metrics[i];
        let unit = m.class.unit();
        let unit = if unit == "%" {
            "\"%\"".to_string()
        } else {
            unit.to_string()
        };
        let direction = if m.class.higher_is_better() {
            "higher"
        } else {
            "lower"
        };
        let mut text = format!(
            "---\ntitle: {}\nunit: {unit}\ndirection: {direction}\n---\n\n{}",
            m.title,
            wrap(&m.definition)
        );
        if edit > 0 {
            // Later versions add a note on how the figure is computed.
            let mut rng = edit_stream(self.seed, 7, i, edit);
            let n = rng.range(1, 2) as usize;
            let notes: Vec<&str> = rng
                .distinct(METRIC_DEFINITION_NOTES.len(), n)
                .into_iter()
                .map(|k| METRIC_DEFINITION_NOTES[k])
                .collect();
            text.push('\n');
            text.push_str(&wrap(&notes.join(" ")));
        }
        text
    }

    /// System `i`; `edit` > 0 is a later version of the text (history mode).
    fn render_system(&self, i: usize, edit: u32) -> String {
        let s = &self.systems[i];
        let mut rng = edit_stream(self.seed, 3, i, edit);
        let owner = &self.people[s.owner];
        let scope = match s.region {
            Some(r) => format!("the {} entity", REGIONS[r].1),
            None => "every Northwind entity".to_string(),
        };
        let text = format!(
            "{} is the {} that {} relies on for {}. It is owned by {} and serves about {} requests a day. \
             Pilots integrate through {} access with a {} credential per pilot, scoped to what they act on; \
             each pilot gets an agreed share of the rate limit.",
            s.title,
            match s.kind {
                "saas" => "hosted service",
                "erp" => "system of record",
                "database" => "database",
                "queue" => "message broker",
                "file-store" => "file store",
                _ => "internal API",
            },
            scope,
            OBJECTS[rng.below(OBJECTS.len())].1,
            owner.name,
            thousands(rng.range(2, 900) * 1000),
            access_of(s.kind),
            s.auth,
        );
        format!(
            "---\ntitle: {}\nkind: {}\nowner: {}\nenvironment: production\n---\n\n{}",
            s.title,
            s.kind,
            owner.id,
            wrap(&text)
        )
    }

    fn render_pilot(&self, i: usize) -> String {
        self.render_pilot_view(i, &self.final_view(i))
    }

    /// The state of pilot `i` as the plan has it (the tree without history,
    /// and the last version of a pilot in a history that is never renamed).
    fn final_view(&self, i: usize) -> PilotView {
        let p = &self.pilots[i];
        PilotView {
            id: p.id.clone(),
            title: p.title.clone(),
            status: p.status,
            targets: p.metrics.iter().map(|m| m.target).collect(),
            actuals: true,
            dues: p.milestones.iter().map(|m| m.due).collect(),
            dones: p.milestones.iter().map(|m| m.done).collect(),
            variants: [0; SECTIONS],
        }
    }

    /// Render pilot `i` as it looks in state `v`. With the plan's own state
    /// ([`Corpus::final_view`]) this is the document of the tree without
    /// history; the history mode renders earlier states of the same pilot.
    fn render_pilot_view(&self, i: usize, v: &PilotView) -> String {
        let p = &self.pilots[i];
        let mut rng = Rng::stream(self.seed, 4, i as u64);
        let mut s = String::with_capacity(4096);
        self.write_front_matter(&mut s, p, v, &mut rng);

        // Body. Each part is drawn from the pilot's stream, so that the plan's
        // state renders exactly as without history; a part edited in history
        // (variant > 0) is drawn again from a stream of its own.
        let ctx = Ctx::new(self, p, v, &mut rng);
        let section = |rng: &mut Rng, k: usize, f: &dyn Fn(&mut Rng) -> String| -> String {
            let text = f(rng);
            if v.variants[k] == 0 {
                return text;
            }
            let mut alt = Rng::stream(
                self.seed,
                16 + k as u64,
                ((i as u64) << 20) ^ u64::from(v.variants[k]),
            );
            f(&mut alt)
        };
        let _ = writeln!(s, "# {}\n", v.title);
        s.push_str(&section(&mut rng, 0, &|rng| {
            wrap(&ctx.para(rng, INTRO, 2, 3))
        }));

        let mut number = 0;
        let mut heading = |s: &mut String, name: &str| {
            number += 1;
            if p.numbered_headings {
                let _ = write!(s, "\n## {number}. {name}\n\n");
            } else {
                let _ = write!(s, "\n## {name}\n\n");
            }
        };

        heading(&mut s, p.metrics_heading);
        s.push_str(&section(&mut rng, 1, &|rng| {
            self.metrics_section(&ctx, rng, p, v)
        }));

        heading(&mut s, "Integrations");
        s.push_str(&section(&mut rng, 2, &|rng| {
            self.integrations_section(&ctx, rng, p)
        }));

        heading(&mut s, "Ownership");
        s.push_str(&section(&mut rng, 3, &|rng| {
            wrap(&ctx.para(rng, OWNERSHIP, 2, 3))
        }));

        heading(&mut s, "Production path");
        s.push_str(&section(&mut rng, 4, &|rng| {
            wrap(&ctx.para(rng, PRODUCTION_PATH, 2, 3))
        }));

        heading(&mut s, "Monitoring");
        s.push_str(&section(&mut rng, 5, &|rng| {
            if p.defect == Defect::EmptyMonitoring {
                return "TBD\n".to_string();
            }
            let mut out = String::new();
            let n = rng.range(2, 3) as usize;
            for k in rng.distinct(MONITORING.len(), n) {
                let line = format!("- {}", ctx.fill(rng, MONITORING[k]));
                out.push_str(&wrap_item(&line));
            }
            out
        }));

        heading(&mut s, "Human review");
        s.push_str(&section(&mut rng, 6, &|rng| {
            wrap(&ctx.para(rng, HUMAN_REVIEW, 2, 3))
        }));

        heading(&mut s, "Escalation");
        s.push_str(&section(&mut rng, 7, &|rng| {
            wrap(&ctx.para(rng, ESCALATION, 2, 3))
        }));

        if p.defect != Defect::MissingRollback {
            heading(&mut s, "Rollback");
            s.push_str(&section(&mut rng, 8, &|rng| {
                wrap(&ctx.para(rng, ROLLBACK, 2, 3))
            }));
        }

        heading(&mut s, "Expansion criteria");
        s.push_str(&section(&mut rng, 9, &|rng| {
            let mut out = String::new();
            for k in rng.distinct(EXPANSION.len(), 2) {
                let line = format!("- {}", ctx.fill(rng, EXPANSION[k]));
                out.push_str(&wrap_item(&line));
            }
            out
        }));
        s
    }

    /// A pilot document's front matter in state `v`. The integrations'
    /// `auth` is drawn from `rng`.
    fn write_front_matter(&self, s: &mut String, p: &PilotPlan, v: &PilotView, rng: &mut Rng) {
        let owner = &self.people[p.owner];
        s.push_str("---\n");
        let _ = writeln!(s, "title: {}", v.title);
        let _ = writeln!(s, "status: {}", v.status.as_str());
        let owner_id = if p.defect == Defect::UndefinedOwner {
            let first = owner.name.split(' ').next().unwrap_or("owner");
            format!("{}{}", self.prefix, first.to_lowercase())
        } else {
            owner.id.clone()
        };
        let _ = writeln!(s, "owner: {owner_id}");
        let _ = writeln!(s, "team: {}", TEAMS[owner.team].0);
        if let Some(started) = p.started {
            let _ = writeln!(s, "started: {}", fmt_date(started));
        }
        let _ = writeln!(s, "decision: {}", fmt_date(v.dues[p.review]));
        s.push_str("metrics:\n");
        for (j, m) in p.metrics.iter().enumerate() {
            let class = self.metrics[m.metric].class;
            let _ = writeln!(s, "  - metric: {}", self.metrics[m.metric].id);
            if p.defect == Defect::BadTarget && j == 0 {
                let _ = writeln!(
                    s,
                    "    target: {}",
                    if class.higher_is_better() {
                        "as high as possible"
                    } else {
                        "TBD"
                    }
                );
            } else {
                let _ = writeln!(
                    s,
                    "    target: \"{} {}\"",
                    m.comparator,
                    class.format(v.targets[j])
                );
            }
            if let Some(b) = m.baseline {
                let _ = writeln!(s, "    baseline: \"{}\"", class.format(b));
            }
            if let Some(a) = m.actual
                && v.actuals
                && !(p.defect == Defect::MissingActual && j + 1 == p.metrics.len())
            {
                let _ = writeln!(s, "    actual: \"{}\"", class.format(a));
            }
        }
        s.push_str("integrations:\n");
        for &k in &p.integrations {
            let sys = &self.systems[k];
            let _ = writeln!(s, "  - system: {}", sys.id);
            let _ = writeln!(s, "    access: {}", access_of(sys.kind));
            let auth = if rng.chance(0.8) {
                sys.auth
            } else {
                rng.pick(AUTHS)
            };
            let _ = writeln!(s, "    auth: {auth}");
        }
        if !p.depends_pilots.is_empty() || !p.depends_systems.is_empty() {
            s.push_str("depends_on:\n");
            for &k in &p.depends_systems {
                let _ = writeln!(s, "  - system: {}", self.systems[k].id);
            }
            for &k in &p.depends_pilots {
                let _ = writeln!(s, "  - pilot: {}", self.pilots[k].id);
            }
        }
        s.push_str("production_path:\n");
        for (j, m) in p.milestones.iter().enumerate() {
            let _ = writeln!(s, "  - milestone: {}", m.name);
            let _ = writeln!(s, "    due: {}", fmt_date(v.dues[j]));
            if let Some(done) = v.dones[j] {
                let _ = writeln!(s, "    done: {}", fmt_date(done));
            }
        }
        s.push_str("---\n\n");
    }

    /// The body of the metrics section: one item per metric, with its
    /// baseline, the latest result if `v` shows it, and a note.
    fn metrics_section(&self, ctx: &Ctx, rng: &mut Rng, p: &PilotPlan, v: &PilotView) -> String {
        let mut out = String::new();
        let notes = rng.distinct(METRIC_NOTES.len(), p.metrics.len());
        for (j, (m, &note)) in p.metrics.iter().zip(&notes).enumerate() {
            let metric = &self.metrics[m.metric];
            let class = metric.class;
            let mut line = format!(
                "- **{} {} {}**",
                metric.title,
                pretty(m.comparator),
                class.format(v.targets[j])
            );
            if let Some(b) = m.baseline {
                let _ = write!(line, " (baseline {})", class.format(b));
            }
            line.push('.');
            if let Some(a) = m.actual {
                // Drawn whether shown or not, so the rest of the text
                // does not depend on when results came in.
                let lead = rng.pick(&["Currently", "Latest result:", "Measured at"]);
                if v.actuals {
                    let _ = write!(line, " {} {}.", lead, class.format(a));
                }
            }
            line.push(' ');
            line.push_str(&ctx.fill(rng, METRIC_NOTES[note]));
            out.push_str(&wrap_item(&line));
        }
        out
    }

    /// The body of the integrations section: one item per system, and now
    /// and then a closing paragraph.
    fn integrations_section(&self, ctx: &Ctx, rng: &mut Rng, p: &PilotPlan) -> String {
        let mut out = String::new();
        let notes = rng.distinct(INTEGRATION_NOTES.len(), p.integrations.len());
        for (&k, &note) in p.integrations.iter().zip(&notes) {
            let sys = &self.systems[k];
            let note = INTEGRATION_NOTES[note];
            let line = format!(
                "- **{}** ({}): {}",
                sys.title,
                access_of(sys.kind),
                ctx.fill(rng, note)
            );
            out.push_str(&wrap_item(&line));
        }
        if p.integrations.len() == 1 || rng.chance(0.3) {
            let closing = rng.pick_str(INTEGRATION_CLOSING);
            out.push('\n');
            out.push_str(&wrap(&ctx.fill(rng, closing)));
        }
        out
    }
}

/// Wrap a paragraph at 78 columns.
fn wrap(text: &str) -> String {
    wrap_with(text, "")
}

/// Wrap a list item, continuation lines indented by two spaces.
fn wrap_item(text: &str) -> String {
    wrap_with(text, "  ")
}

fn wrap_with(text: &str, indent: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut col = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let len = word.chars().count();
        if col > 0 && col + 1 + len > 78 {
            out.push('\n');
            out.push_str(indent);
            col = indent.len();
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += len;
    }
    out.push('\n');
    out
}

/// What the prose templates can refer to.
struct Ctx {
    owner: String,
    owner_first: String,
    team: String,
    object: &'static str,
    objects: &'static str,
    task: &'static str,
    sys1: String,
    sys2: String,
    metric: String,
    target: String,
    reviewer: String,
    sites: [&'static str; 3],
    region: &'static str,
    flag: String,
    dependency: Option<String>,
    status: Status,
    oncall: &'static str,
}

impl Ctx {
    fn new(corpus: &Corpus, p: &PilotPlan, v: &PilotView, rng: &mut Rng) -> Ctx {
        let owner = &corpus.people[p.owner];
        let sys1 = corpus.systems[p.integrations[0]].title.clone();
        let sys2 = match p.integrations.get(1) {
            Some(&k) => corpus.systems[k].title.clone(),
            None => corpus.systems[rng.below(corpus.systems.len())]
                .title
                .clone(),
        };
        let m = &p.metrics[0];
        let metric = &corpus.metrics[m.metric];
        let sites = rng.distinct(SITES.len(), 3);
        let (object, objects) = OBJECTS[p.object];
        let reviewer = &corpus.people
            [(p.owner + 1 + rng.below(corpus.people.len() - 1)) % corpus.people.len()];
        Ctx {
            owner: owner.name.clone(),
            owner_first: owner.name.split(' ').next().unwrap_or("").to_string(),
            team: prose_name(TEAMS[owner.team].1),
            object,
            objects,
            task: TASKS[p.task],
            sys1,
            sys2,
            metric: metric.title.to_lowercase(),
            target: format!(
                "{} {}",
                pretty(m.comparator),
                metric.class.format(v.targets[0])
            ),
            reviewer: reviewer.name.clone(),
            sites: [SITES[sites[0]], SITES[sites[1]], SITES[sites[2]]],
            region: rng.pick(REGIONS).1,
            flag: format!(
                "ai_{}_{}",
                slug(object).replace('-', "_"),
                slug(TASKS[p.task]).replace('-', "_")
            ),
            dependency: p
                .depends_pilots
                .first()
                .map(|&k| corpus.pilots[k].title.to_lowercase()),
            status: v.status,
            oncall: rng.pick_str(ONCALL),
        }
    }

    /// `lo..=hi` distinct sentences from `pool`, filled in, as one paragraph.
    fn para(&self, rng: &mut Rng, pool: &[&str], lo: i64, hi: i64) -> String {
        let n = rng.range(lo, hi) as usize;
        let mut picks = rng.distinct(pool.len(), n);
        // Keep the pool's order: templates are listed in an order that reads well.
        picks.sort_unstable();
        let mut out = String::new();
        for k in picks {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.fill(rng, pool[k]));
        }
        out
    }

    /// Replace `{name}` placeholders; numbers are drawn fresh each time.
    fn fill(&self, rng: &mut Rng, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let key = &after[..close];
            match key {
                "owner" => out.push_str(&self.owner),
                "owner_first" => out.push_str(&self.owner_first),
                "team" => out.push_str(&self.team),
                "object" => out.push_str(self.object),
                "objects" => out.push_str(self.objects),
                "Objects" => out.push_str(&capitalise(self.objects)),
                "task" => out.push_str(self.task),
                "sys1" => out.push_str(&self.sys1),
                "sys2" => out.push_str(&self.sys2),
                "metric" => out.push_str(&self.metric),
                "target" => out.push_str(&self.target),
                "reviewer" => out.push_str(&self.reviewer),
                "site" => out.push_str(self.sites[0]),
                "site2" => out.push_str(self.sites[1]),
                "site3" => out.push_str(self.sites[2]),
                "region" => out.push_str(self.region),
                "flag" => out.push_str(&self.flag),
                "dependency" => match &self.dependency {
                    Some(d) => out.push_str(d),
                    None => out.push_str("the shared data platform work"),
                },
                "stage" => out.push_str(match self.status {
                    Status::Proposed => "once the pilot starts",
                    Status::Pilot => "during the pilot",
                    Status::Go | Status::Production => "in production",
                    _ => "while it ran",
                }),
                "oncall" => out.push_str(self.oncall),
                "weekday" => out.push_str(rng.pick_str(WEEKDAYS)),
                "n" => {
                    let _ = write!(out, "{}", rng.range(2, 9));
                }
                "alert_pct" => {
                    let _ = write!(out, "{}%", rng.range(1, 5));
                }
                "pct" => {
                    let _ = write!(out, "{}%", rng.range(2, 35));
                }
                "k" => out.push_str(&thousands(rng.range(2, 250) * 100)),
                "weeks" => {
                    let _ = write!(out, "{}", rng.range(2, 8));
                }
                "hours" => {
                    let _ = write!(out, "{}", rng.range(2, 48));
                }
                "minutes" => {
                    let _ = write!(out, "{}", rng.range(5, 60));
                }
                "conf" => {
                    let _ = write!(out, "0.{}", rng.range(5, 9));
                }
                _ => {
                    out.push('{');
                    out.push_str(key);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

const INTRO: &[&str] = &[
    "Today {objects} are handled by hand by the {team} team, and about {pct} of them need a second touch because the first pass got something wrong.",
    "This pilot applies {task} to {objects} so that people only look at the cases that need judgement.",
    "The work started after a review of the {site} operation showed that {k} {objects} a month wait more than a day before anyone acts on them.",
    "The pilot reuses the {sys1} data the team already has and adds no new system of record.",
    "If it works, the same approach is meant to reach every {region} site within a year.",
    "The business case rests on {metric}: the pilot is worth running only if it reaches {target}.",
    "It grew out of a hackathon prototype that {owner_first} took to the {team} leadership in the spring.",
    "Nothing the pilot produces is final until a person has seen it, at least {stage}.",
];

const METRIC_NOTES: &[&str] = &[
    "Measured weekly on a blind sample reviewed by the {team} team.",
    "The figure is a four-week rolling value, so one bad week does not decide anything.",
    "This is the number the go/no-go review turns on.",
    "Agreed with the finance partner before the pilot started.",
    "Tracked on the shared dashboard next to the figures of the manual process.",
    "Below this level the manual process is cheaper once review time is counted.",
    "Reported separately for {site} and {site2} because their volumes differ a lot.",
    "A guardrail rather than a goal: the pilot stops if it is breached for two weeks.",
];

const INTEGRATION_NOTES: &[&str] = &[
    "reads new {objects} as they arrive and writes the result back to the same record.",
    "the source of the history the model was trained on; read only, through a dedicated service account.",
    "receives the pilot's output; writes stay within an agreed budget of {k} requests a day.",
    "used for lookups only, cached for {minutes} minutes to stay within the rate limit.",
    "all calls go through a per-pilot credential scoped to the {site} data.",
    "consumes change events and publishes one result event per {object}.",
    "the pilot never deletes anything here; every write carries the pilot's name for audit.",
];

const INTEGRATION_CLOSING: &[&str] = &[
    "No other system is read or written; a new integration needs a review by the {oncall} team first.",
    "Every integration uses its own credential, so that one can be revoked without stopping the others.",
    "Test traffic runs against the staging tenants; production credentials are only issued after the security review.",
    "Rate limits and data-sharing terms were agreed with each system's owner before the pilot started.",
];

const OWNERSHIP: &[&str] = &[
    "{owner} is accountable for the pilot and makes the go/no-go call with the {team} leadership.",
    "{owner_first} chairs a short pilot stand-up every {weekday}.",
    "The {oncall} team operates the service and owns the prompts and evaluation set.",
    "{reviewer} is consulted on every change that affects the {sys1} integration.",
    "Day-to-day users are the {team} team leads at {site}, who report problems in the pilot channel.",
    "The accountable owner does not change when the pilot moves to production; support moves to the {oncall} team.",
];

const PRODUCTION_PATH: &[&str] = &[
    "The pilot starts in shadow mode, where its output is logged but not used, for {weeks} weeks.",
    "Each stage moves on only after two consecutive weeks at {target} on {metric}.",
    "{site} goes first because its volume is large enough to measure within a month; {site2} and {site3} follow.",
    "The first milestone slipped by {n} days while access to {sys1} was approved, which is recorded here.",
    "The go/no-go review compares the pilot's figures with the manual process over the same weeks.",
    "Work on the {sys2} connector runs in parallel, so that it is ready when the decision is taken.",
    "The plan depends on {dependency} being live first, and the dates here follow its schedule.",
    "Rollout to the rest of the {region} network is planned site by site, never more than one site a week.",
];

const MONITORING: &[&str] = &[
    "{Objects} processed per hour and error rate, with an alert to the {oncall} on-call above {alert_pct} errors for an hour.",
    "Weekly {metric} from the reviewed sample, posted to the pilot channel every {weekday}.",
    "Latency and spend per day on the shared platform dashboard.",
    "Drift in the input mix: an alert when any category's share moves more than three standard deviations from its four-week norm.",
    "Overrides by reviewers per site and per day, to find the patterns the model misses.",
    "{sys1} API errors and timeouts, alerting above {alert_pct} in a quarter of an hour.",
];

const HUMAN_REVIEW: &[&str] = &[
    "Any output below {conf} confidence is held for a person to confirm before it takes effect.",
    "Team leads review a sample of {n}0 {objects} a week without seeing the pilot's answer, which also measures accuracy.",
    "Nothing that affects a customer's money is applied without a person approving it.",
    "Reviewers can correct an output with one click; corrections feed the next evaluation set.",
    "About {pct} of volume goes to review today, and the goal is to halve that without losing accuracy.",
    "{Objects} for key accounts always go to a person, whatever the confidence.",
];

const ESCALATION: &[&str] = &[
    "Service incidents page the {oncall} on-call through PagerDuty.",
    "Wrong outputs that reach a customer go to the {team} duty manager, who can pause the pilot for one site.",
    "{owner_first} is told of any pause within the same business day.",
    "Problems with {sys1} are raised with its owner, and with the vendor if they last more than {hours} hours.",
    "Outside office hours the pilot is paused rather than fixed; the manual process picks up the work.",
];

const ROLLBACK: &[&str] = &[
    "The pilot is behind the `{flag}` feature flag; switching it off returns every {object} to the manual process within minutes.",
    "Outputs already written stay in place and are listed in a saved view so they can be re-checked.",
    "No data migration is needed: the pilot adds fields and never changes existing ones.",
    "The legacy rules stay in place until {weeks} weeks after general availability, so rollback needs no rebuild.",
    "Rollback was rehearsed at {site} and took under {minutes} minutes end to end.",
];

const EXPANSION: &[&str] = &[
    "A new site joins after {weeks} weeks of shadow mode at {target} on {metric}.",
    "New kinds of {object} need {k} labelled examples and a separate offline evaluation first.",
    "Other {region} sites follow one at a time, after the previous one has run for a month without a pause.",
    "Acting without review on any {object} is a separate decision with its own go/no-go review.",
    "Languages other than English are in scope once the weekly sample shows the same accuracy per language.",
];

// ---------------------------------------------------------------------------
// History: a git repository whose commits build the portfolio over time
// ---------------------------------------------------------------------------

/// `--commits C`: the same portfolio, built commit by commit.
///
/// Every pilot gets a timeline planned from its final state: it is added as
/// `proposed` some weeks before it starts, moves through `pilot`, `go`/`no-go`,
/// `production` and `retired` on the plan's dates, has some metric targets
/// retargeted (mostly before it starts, rarely after: "moved goalposts"),
/// some milestones rescheduled later before they fall due, `done:` dates
/// added as milestones are reached, and results recorded around the
/// decision. The C commits are spread over 2023-05-01 … 2026-11-19 with
/// strictly increasing dates; each commit applies what is due by its date to
/// 1–3 documents, and commits with nothing due edit a paragraph of the body
/// of an active pilot instead. About 1% of document commits rename a pilot
/// file (delete + add of a slightly edited document, in one commit), and
/// about 2% of all commits are `--no-ff` merges of a short side branch.
///
/// The commits are streamed into `git fast-import`, which builds the trees,
/// so nothing holds more than the current version of each document.
mod history {
    use super::*;
    use std::collections::{BTreeMap, VecDeque};
    use std::io::{BufWriter, Write as _};
    use std::process::{Child, ChildStdin, Command, Stdio};

    const DAY: i64 = 86_400;
    /// The first commit's day.
    const START: (i32, u32, u32) = (2023, 5, 1);
    /// The last commit is on this day, before 2026-11-20.
    const END: (i32, u32, u32) = (2026, 11, 19);
    /// Code files are added in commits of at most this many files.
    const CODE_CHUNK: usize = 1000;
    /// Code files per `src/module_NNN/` folder.
    const CODE_PER_MODULE: usize = 40;
    /// Share of document commits that rename a pilot.
    const RENAME_SHARE: f64 = 0.01;
    /// Share of all commits that are merges.
    const MERGE_SHARE: f64 = 0.02;
    /// Commit times: this share is spread evenly over the years, the rest
    /// follows the pilots' events (see `stream`).
    const EVEN_SHARE: f64 = 0.35;
    /// The temporary side branch (deleted when done).
    const TOPIC_REF: &str = "refs/heads/topic";

    fn people_docs(n: usize) -> usize {
        (n / 20).max(5) + 2 * (n / 50).max(6)
    }

    fn setup_commits(args: &Args) -> u64 {
        args.code_files.div_ceil(CODE_CHUNK) as u64 + people_docs(args.pilots).div_ceil(3) as u64
    }

    /// The fewest commits that can hold the setup and one commit per 3 pilots.
    pub fn min_commits(args: &Args) -> u64 {
        setup_commits(args) + args.pilots.div_ceil(3) as u64 + 1
    }

    /// A document's state change at a moment of its timeline.
    #[derive(Clone, Copy, Debug)]
    enum Ev {
        Create,
        Status(Status),
        Target(usize, i64),
        Actuals,
        Due(usize, i32),
        Done(usize),
    }

    impl Ev {
        /// Events of the same field keep their order when times are clamped.
        fn field(self) -> usize {
            match self {
                Ev::Create => 0,
                Ev::Status(_) => 1,
                Ev::Actuals => 2,
                Ev::Target(j, _) => 10 + j,
                Ev::Due(j, _) => 100 + j,
                Ev::Done(j) => 200 + j,
            }
        }
    }

    /// The planned history of one pilot.
    struct Timeline {
        initial: PilotView,
        /// Sorted by time; the first is `Create`.
        events: Vec<(i64, Ev)>,
        /// Owner first, then a few colleagues: the pilot's commit authors.
        contributors: Vec<usize>,
        /// Until when the pilot is worked on (body edits prefer active pilots).
        active_until: i64,
    }

    /// A document the generator can touch, as a lock key: kind << 32 | index.
    const PILOT: u64 = 0;
    const PERSON: u64 = 1;
    const METRIC: u64 = 2;
    const SYSTEM: u64 = 3;
    const CODE: u64 = 4;

    fn key(kind: u64, index: usize) -> u64 {
        (kind << 32) | index as u64
    }

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Branch {
        Main,
        Side,
    }

    /// A side branch in progress.
    struct Episode {
        side_left: usize,
        main_left: usize,
        /// The main commit the side branch starts from.
        base: u64,
        /// The side branch's last commit.
        tip: Option<u64>,
        /// Pilot paths at the branch point, for the pilots the side changed.
        base_paths: BTreeMap<usize, Option<String>>,
        /// Documents and code files each branch touched.
        locks: BTreeMap<u64, Branch>,
        name: Option<String>,
    }

    /// What the current version of a pilot is.
    struct PilotNow {
        view: PilotView,
        created: bool,
        /// Events applied so far.
        applied: usize,
        path: String,
        content: String,
        renames: u32,
    }

    /// One commit being assembled.
    #[derive(Default)]
    struct CommitBuf {
        ops: Vec<u8>,
        phrases: Vec<String>,
        author: Option<usize>,
        docs: usize,
    }

    impl CommitBuf {
        fn put(&mut self, path: &str, content: &[u8]) {
            let _ = write!(self.ops, "M 100644 inline {path}\ndata {}\n", content.len());
            self.ops.extend_from_slice(content);
            self.ops.push(b'\n');
        }

        fn delete(&mut self, path: &str) {
            let _ = writeln!(self.ops, "D {path}");
        }
    }

    struct Stats {
        commits: u64,
        merges: u64,
        renames: u64,
        doc_changes: u64,
        max_backlog: usize,
    }

    struct Gen<'a> {
        corpus: &'a Corpus,
        seed: u64,
        rng: Rng,
        out: BufWriter<ChildStdin>,
        timelines: Vec<Timeline>,
        pilots: Vec<PilotNow>,
        /// Pilots created so far, in creation order.
        created: Vec<usize>,
        /// Per person, the created pilots they are a contributor of.
        works_on: Vec<Vec<usize>>,
        /// Pilots some other pilot depends on: never renamed.
        depended_on: Vec<bool>,
        person_edits: Vec<u32>,
        metric_edits: Vec<u32>,
        system_edits: Vec<u32>,
        code_versions: Vec<u32>,
        /// (time, pilot) of every event, sorted; `next_event` is the first not yet due.
        events: Vec<(i64, u32)>,
        next_event: usize,
        /// Pilots with events due and not applied, oldest first.
        pending: VecDeque<usize>,
        in_pending: Vec<bool>,
        ids: HashSet<String>,
        mark: u64,
        main_tip: Option<u64>,
        episode: Option<Episode>,
        tz: Vec<i32>,
        stats: Stats,
    }

    pub fn run(args: &Args) -> Result<(), String> {
        let start = Instant::now();
        let corpus = Corpus::plan(args.pilots, args.seed, &args.id_prefix);
        fs::create_dir_all(&args.out)
            .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
        let home = std::env::temp_dir().join(format!("gen-corpus-home-{}", std::process::id()));
        fs::create_dir_all(&home).map_err(|e| format!("cannot create {}: {e}", home.display()))?;
        let result = generate(args, &corpus, &home, start);
        let _ = fs::remove_dir_all(&home);
        result
    }

    /// `git` with a clean environment: no system or global config, a private HOME.
    fn git(home: &Path, dir: &Path) -> Command {
        let mut cmd = Command::new("git");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("LC_ALL", "C")
            .current_dir(dir);
        cmd
    }

    fn run_git(home: &Path, dir: &Path, args: &[&str]) -> Result<(), String> {
        let status = git(home, dir)
            .args(args)
            .status()
            .map_err(|e| format!("cannot run git (is it installed?): {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`git {}` failed ({status})", args.join(" ")))
        }
    }

    fn generate(args: &Args, corpus: &Corpus, home: &Path, start: Instant) -> Result<(), String> {
        run_git(
            home,
            &args.out,
            &["init", "-q", "--initial-branch=main", "."],
        )?;
        let mut child: Child = git(home, &args.out)
            .args(["fast-import", "--quiet", "--done"])
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git fast-import: {e}"))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let mut g = Gen::new(corpus, args, BufWriter::with_capacity(1 << 20, stdin));
        let streamed = g.stream(args).and_then(|()| {
            g.out
                .write_all(b"done\n")
                .and_then(|()| g.out.flush())
                .map_err(|e| e.to_string())
        });
        let stats = std::mem::replace(
            &mut g.stats,
            Stats {
                commits: 0,
                merges: 0,
                renames: 0,
                doc_changes: 0,
                max_backlog: 0,
            },
        );
        drop(g);
        let status = child.wait().map_err(|e| format!("git fast-import: {e}"))?;
        if !status.success() {
            return Err(format!("git fast-import failed ({status})"));
        }
        streamed.map_err(|e| format!("writing to git fast-import: {e}"))?;
        let imported = start.elapsed().as_secs_f64();
        if stats.merges > 0 {
            run_git(home, &args.out, &["update-ref", "-d", TOPIC_REF])?;
        }
        run_git(home, &args.out, &["reset", "--hard", "-q"])?;
        eprintln!(
            "gen-corpus: wrote {} pilots, {} commits ({} merges, {} renames, {} document changes, {} code files) to {} in {:.1} s ({:.1} s to import, {:.1} s to check out)",
            corpus.pilots.len(),
            stats.commits,
            stats.merges,
            stats.renames,
            stats.doc_changes,
            args.code_files,
            args.out.display(),
            start.elapsed().as_secs_f64(),
            imported,
            start.elapsed().as_secs_f64() - imported,
        );
        if stats.max_backlog > 50 {
            eprintln!(
                "gen-corpus: note: up to {} pilots waited for a commit (few commits for the pilots)",
                stats.max_backlog
            );
        }
        Ok(())
    }

    fn code_path(c: usize) -> String {
        format!(
            "src/module_{:03}/file_{:02}.rs",
            c / CODE_PER_MODULE,
            c % CODE_PER_MODULE
        )
    }

    fn code_text(seed: u64, c: usize, version: u32) -> String {
        let mut rng = Rng::stream(seed, 50, ((c as u64) << 20) ^ u64::from(version));
        let (m, f) = (c / CODE_PER_MODULE, c % CODE_PER_MODULE);
        format!(
            "//! module_{m:03}::file_{f:02} (synthetic code beside the documents, revision {version}).\n\n\
             /// Mixes `input` into a bucket.\n\
             pub fn bucket_{f:02}(input: u64) -> u64 {{\n    \
             input.wrapping_mul(0x{:x}).rotate_left({}) ^ 0x{:x}\n}}\n\n\
             pub const LIMIT_{f:02}: usize = {};\n",
            rng.next() | 1,
            rng.range(1, 63),
            rng.next() >> 16,
            rng.range(1, 10_000),
        )
    }

    /// Apply event `ev` (other than its side effects on the generator) to
    /// the state `v` of pilot `p`; the phrase for the commit message.
    fn apply_event(corpus: &Corpus, p: &PilotPlan, v: &mut PilotView, ev: Ev) -> String {
        match ev {
            Ev::Create => format!("Propose {}", v.id),
            Ev::Status(s) => {
                let phrase = format!("{}: {} → {}", v.id, v.status.as_str(), s.as_str());
                v.status = s;
                phrase
            }
            Ev::Target(j, x) => {
                let m = &corpus.metrics[p.metrics[j].metric];
                v.targets[j] = x;
                format!(
                    "{}: retarget {} to {} {}",
                    v.id,
                    m.id,
                    p.metrics[j].comparator,
                    m.class.format(x)
                )
            }
            Ev::Actuals => {
                v.actuals = true;
                format!("{}: record results", v.id)
            }
            Ev::Due(j, d) => {
                v.dues[j] = d;
                format!(
                    "{}: move '{}' to {}",
                    v.id,
                    p.milestones[j].name,
                    fmt_date(d)
                )
            }
            Ev::Done(j) => {
                v.dones[j] = p.milestones[j].done;
                format!("{}: '{}' done", v.id, p.milestones[j].name)
            }
        }
    }

    /// A new title and a new, unique id for a renamed pilot: a title whose
    /// id is free is preferred over a `-2` suffix.
    fn rename(
        rng: &mut Rng,
        ids: &mut HashSet<String>,
        prefix: &str,
        title: &str,
    ) -> (String, String) {
        let id_of = |title: &str| format!("{prefix}{}", slug(title));
        let mut renamed = renamed_title(rng, title);
        for _ in 0..4 {
            if !ids.contains(&id_of(&renamed)) {
                break;
            }
            renamed = renamed_title(rng, title);
        }
        let id = unique(ids, id_of(&renamed));
        (renamed, id)
    }

    /// A slightly different title for a renamed pilot.
    fn renamed_title(rng: &mut Rng, title: &str) -> String {
        if let Some((base, _)) = title.split_once(" for ") {
            if rng.chance(0.5) {
                return base.to_string();
            }
            return format!("{base} for {}", rng.pick(REGIONS).1);
        }
        let words: Vec<&str> = title.split(' ').collect();
        if rng.chance(0.5)
            && let Some(last) = words.last()
            && ARTIFACTS.contains(last)
        {
            let mut other = rng.pick_str(ARTIFACTS);
            while other == *last {
                other = rng.pick_str(ARTIFACTS);
            }
            let mut out = words[..words.len() - 1].join(" ");
            out.push(' ');
            out.push_str(other);
            return out;
        }
        format!("{title} for {}", rng.pick(REGIONS).1)
    }

    impl Corpus {
        /// Plan the history of pilot `i`, with commit times in `first..=last`.
        /// `squeeze`: events after `last - squeeze` are spread over the last
        /// `squeeze` seconds, so the last commits are not crowded.
        fn timeline(&self, i: usize, first: i64, last: i64, squeeze: i64) -> Timeline {
            let p = &self.pilots[i];
            let mut rng = Rng::stream(self.seed, 6, i as u64);
            let t = today();
            let last_day = (last / DAY) as i32;
            let clock = Clock { last, squeeze };
            let started = p.started;
            let created_day = match (p.status, started) {
                (Status::Proposed, _) | (_, None) => t - rng.range(3, 250) as i32,
                (_, Some(s)) => s - rng.range(14, 90) as i32,
            };
            let created = clock.at(&mut rng, created_day).clamp(first, last);
            let created_day = (created / DAY) as i32;
            let mut events: Vec<(i64, Ev)> = vec![(created, Ev::Create)];

            let begin = started.unwrap_or(p.decision - 60);
            for (day, status) in status_path(&mut rng, p, begin) {
                events.push((clock.at(&mut rng, day), Ev::Status(status)));
            }
            let days = (begin, created_day, last_day);
            let targets = self.retargets(&mut rng, p, clock, days, &mut events);

            // Results come in around the decision (or during the pilot).
            let has_actuals = p.metrics.iter().any(|m| m.actual.is_some());
            if has_actuals {
                let day = match p.status {
                    Status::Proposed => None,
                    Status::Pilot => Some(rng.range(i64::from(begin) + 14, i64::from(t)) as i32),
                    _ => Some((p.decision - rng.range(1, 10) as i32).max(begin + 1)),
                };
                if let Some(day) = day {
                    events.push((clock.at(&mut rng, day), Ev::Actuals));
                }
            }
            let dues = slipped_dues(&mut rng, p, clock, (created_day, last_day), &mut events);

            // Events of one field keep their order; all come after the creation.
            let mut last_of: HashMap<usize, i64> = HashMap::new();
            for (time, ev) in events.iter_mut().skip(1) {
                let floor = last_of.get(&ev.field()).map_or(created + 60, |&t| t + 60);
                *time = (*time).max(floor);
                last_of.insert(ev.field(), *time);
            }
            events.sort_by_key(|&(time, _)| time);
            let contributors = self.contributors(&mut rng, p.owner);
            let active_until = events.last().map_or(created, |e| e.0) + 60 * DAY;
            Timeline {
                initial: PilotView {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    status: Status::Proposed,
                    targets,
                    actuals: !has_actuals,
                    dues,
                    dones: vec![None; p.milestones.len()],
                    variants: [0; SECTIONS],
                },
                events,
                contributors,
                active_until,
            }
        }

        /// The targets a pilot starts with: retargeted before the start
        /// now and then, rarely after it (events in `events`). `days`: the
        /// pilot's begin, its creation and the last day of history.
        fn retargets(
            &self,
            rng: &mut Rng,
            p: &PilotPlan,
            clock: Clock,
            (begin, created_day, last_day): (i32, i32, i32),
            events: &mut Vec<(i64, Ev)>,
        ) -> Vec<i64> {
            let (started, decision) = (p.started, p.decision);
            let mut targets: Vec<i64> = p.metrics.iter().map(|m| m.target).collect();
            let moved = (p.status != Status::Proposed && rng.chance(0.04))
                .then(|| rng.below(p.metrics.len()));
            for (j, m) in p.metrics.iter().enumerate() {
                if p.defect == Defect::BadTarget && j == 0 {
                    continue;
                }
                let class = self.metrics[m.metric].class;
                let alt = |rng: &mut Rng, x: i64| -> i64 {
                    let delta = (x * rng.range(3, 20) / 100).max(1);
                    let easier = rng.chance(0.6) == class.higher_is_better();
                    let y = if easier { x + delta } else { x - delta };
                    let y = y.clamp(1, class.max());
                    if y == x {
                        if x > 1 { x - 1 } else { x + 1 }
                    } else {
                        y
                    }
                };
                let mut cur = m.target;
                if moved == Some(j) {
                    let s = started.unwrap_or(begin);
                    let hi = decision.min(last_day);
                    if hi > s + 2 {
                        let day = rng.range(i64::from(s) + 1, i64::from(hi)) as i32;
                        events.push((clock.at(rng, day), Ev::Target(j, cur)));
                        cur = alt(rng, cur);
                    }
                }
                if rng.chance(0.25) {
                    let hi = match started {
                        Some(s) if s <= last_day => s - 1,
                        _ => last_day,
                    };
                    if hi > created_day + 2 {
                        let day = rng.range(i64::from(created_day) + 1, i64::from(hi)) as i32;
                        events.push((clock.at(rng, day), Ev::Target(j, cur)));
                        cur = alt(rng, cur);
                    }
                }
                targets[j] = cur;
            }
            targets
        }

        /// The owner and one to three other people who work on a pilot.
        fn contributors(&self, rng: &mut Rng, owner: usize) -> Vec<usize> {
            let mut contributors = vec![owner];
            let others = rng.range(1, 4) as usize;
            for _ in 0..others * 3 {
                if contributors.len() > others {
                    break;
                }
                let k = rng.below(self.people.len());
                if !contributors.contains(&k) {
                    contributors.push(k);
                }
            }
            contributors
        }
    }

    /// When things happen: a time on a day in working hours; events after
    /// `last - squeeze` are spread over the last `squeeze` seconds.
    #[derive(Clone, Copy)]
    struct Clock {
        last: i64,
        squeeze: i64,
    }

    impl Clock {
        fn at(self, rng: &mut Rng, day: i32) -> i64 {
            let (last, squeeze) = (self.last, self.squeeze);
            let x = i64::from(day) * DAY + 7 * 3600 + rng.below(10 * 3600) as i64;
            if x > last - squeeze {
                last - squeeze + rng.below(squeeze as usize) as i64
            } else {
                x
            }
        }
    }

    /// The statuses a pilot passed through on its way to its own, by day.
    fn status_path(rng: &mut Rng, p: &PilotPlan, begin: i32) -> Vec<(i32, Status)> {
        let t = today();
        let decision = p.decision;
        let after_review = p.milestones.get(p.review + 1);
        let prod_day = after_review
            .and_then(|m| m.done)
            .unwrap_or(decision + rng.range(14, 45) as i32);
        match p.status {
            Status::Proposed => vec![],
            Status::Pilot => vec![(begin, Status::Pilot)],
            Status::Go => vec![(begin, Status::Pilot), (decision, Status::Go)],
            Status::NoGo => vec![(begin, Status::Pilot), (decision, Status::NoGo)],
            Status::Production => vec![
                (begin, Status::Pilot),
                (decision, Status::Go),
                (prod_day, Status::Production),
            ],
            Status::Retired => {
                let retire = p
                    .milestones
                    .last()
                    .and_then(|m| m.done)
                    .unwrap_or(t - rng.range(1, 30) as i32)
                    .max(prod_day + 7);
                vec![
                    (begin, Status::Pilot),
                    (decision, Status::Go),
                    (prod_day, Status::Production),
                    (retire, Status::Retired),
                ]
            }
        }
    }

    /// The milestones' first due dates: some are rescheduled later before
    /// they fall due (events in `events`); each is done when reached.
    /// `days`: the pilot's creation and the last day of history.
    fn slipped_dues(
        rng: &mut Rng,
        p: &PilotPlan,
        clock: Clock,
        (created_day, last_day): (i32, i32),
        events: &mut Vec<(i64, Ev)>,
    ) -> Vec<i32> {
        let mut dues: Vec<i32> = p.milestones.iter().map(|m| m.due).collect();
        for (j, m) in p.milestones.iter().enumerate() {
            let slips = match rng.weighted(&[78, 17, 5]) {
                0 => 0,
                1 => 1,
                _ => 2,
            };
            if slips > 0 {
                // Due dates from the first plan to the final one.
                let mut seq = vec![m.due];
                for _ in 0..slips {
                    let prev = *seq.last().unwrap_or(&m.due);
                    seq.push(prev - rng.range(7, 45) as i32);
                }
                seq.reverse();
                let lo = created_day + 1;
                let hi = (seq[0] - 1).min(last_day);
                if hi - lo > slips {
                    let mut days: Vec<i32> = (0..slips)
                        .map(|_| rng.range(i64::from(lo), i64::from(hi)) as i32)
                        .collect();
                    days.sort_unstable();
                    for (k, day) in days.into_iter().enumerate() {
                        events.push((clock.at(rng, day), Ev::Due(j, seq[k + 1])));
                    }
                    dues[j] = seq[0];
                }
            }
            if let Some(done) = m.done {
                events.push((clock.at(rng, done), Ev::Done(j)));
            }
        }
        dues
    }

    /// Minutes east of UTC for a person's commits.
    fn offset_of(seed: u64, person: usize) -> i32 {
        let mut rng = Rng::stream(seed, 9, person as u64);
        *rng.pick(&[0, 60, 60, 60, 120, 120, -300, -240, 330, 540])
    }

    impl<'a> Gen<'a> {
        fn new(corpus: &'a Corpus, args: &Args, out: BufWriter<ChildStdin>) -> Gen<'a> {
            let n = corpus.pilots.len();
            let mut depended_on = vec![false; n];
            for p in &corpus.pilots {
                for &k in &p.depends_pilots {
                    depended_on[k] = true;
                }
            }
            Gen {
                corpus,
                seed: args.seed,
                rng: Rng::stream(args.seed, 8, 0),
                out,
                timelines: Vec::new(),
                pilots: Vec::new(),
                created: Vec::new(),
                works_on: vec![Vec::new(); corpus.people.len()],
                depended_on,
                person_edits: vec![0; corpus.people.len()],
                metric_edits: vec![0; corpus.metrics.len()],
                system_edits: vec![0; corpus.systems.len()],
                code_versions: vec![0; args.code_files],
                events: Vec::new(),
                next_event: 0,
                pending: VecDeque::new(),
                in_pending: vec![false; n],
                ids: corpus.pilots.iter().map(|p| p.id.clone()).collect(),
                mark: 0,
                main_tip: None,
                episode: None,
                tz: (0..corpus.people.len())
                    .map(|k| offset_of(args.seed, k))
                    .collect(),
                stats: Stats {
                    commits: 0,
                    merges: 0,
                    renames: 0,
                    doc_changes: 0,
                    max_backlog: 0,
                },
            }
        }

        fn person_email(&self, k: usize) -> String {
            format!(
                "{}@northwind.example",
                self.corpus.people[k].id.replace('-', ".")
            )
        }

        /// Write one commit to fast-import.
        fn emit(
            &mut self,
            branch: Branch,
            time: i64,
            buf: CommitBuf,
            message: &str,
            merge: Option<u64>,
        ) -> std::io::Result<u64> {
            self.mark += 1;
            let mark = self.mark;
            let author = buf.author.unwrap_or(0);
            let name = &self.corpus.people[author].name;
            let email = self.person_email(author);
            let tz = self.tz[author];
            let sign = if tz < 0 { '-' } else { '+' };
            let tz = format!("{sign}{:02}{:02}", tz.abs() / 60, tz.abs() % 60);
            let refname = match branch {
                Branch::Main => "refs/heads/main",
                Branch::Side => TOPIC_REF,
            };
            let mut head = String::with_capacity(256);
            let _ = write!(
                head,
                "commit {refname}\nmark :{mark}\nauthor {name} <{email}> {time} {tz}\ncommitter {name} <{email}> {time} {tz}\ndata {}\n{message}\n",
                message.len() + 1
            );
            // The first commit of a side branch starts from the branch point.
            if let (Branch::Side, Some(ep)) = (branch, &self.episode)
                && ep.tip.is_none()
            {
                let _ = writeln!(head, "from :{}", ep.base);
            }
            if let Some(m) = merge {
                let _ = writeln!(head, "merge :{m}");
            }
            self.out.write_all(head.as_bytes())?;
            self.out.write_all(&buf.ops)?;
            self.out.write_all(b"\n")?;
            self.stats.commits += 1;
            self.stats.doc_changes += buf.docs as u64;
            match branch {
                Branch::Main => self.main_tip = Some(mark),
                Branch::Side => {
                    if let Some(ep) = &mut self.episode {
                        ep.tip = Some(mark);
                    }
                }
            }
            Ok(mark)
        }

        fn stream(&mut self, args: &Args) -> Result<(), String> {
            let io = |e: std::io::Error| e.to_string();
            let first = i64::from(days_from_civil(START.0, START.1, START.2)) * DAY + 8 * 3600;
            // Noon UTC: still 2026-11-19 in every author's time zone.
            let last = i64::from(days_from_civil(END.0, END.1, END.2)) * DAY + 12 * 3600;
            let time = self.setup(args, first).map_err(io)?;

            // --- The pilots' timelines.
            let setup = self.stats.commits;
            let slots = (args.commits - setup) as usize;
            let base = time + DAY;
            let gap = (last - base) as f64 / slots as f64;
            let squeeze = ((40.0 * gap) as i64).max(3 * DAY).min(last - base);
            self.plan_timelines(base, last, squeeze);
            self.main_phase(args, slots, (base, last))
        }

        /// The first commits, from `first`: the code, then the config with
        /// people, metrics and systems. The time of the next commit.
        fn setup(&mut self, args: &Args, first: i64) -> std::io::Result<i64> {
            let mut time = first;
            let people = self.corpus.people.len();
            for (n, chunk) in (0..args.code_files)
                .collect::<Vec<_>>()
                .chunks(CODE_CHUNK)
                .enumerate()
            {
                let mut buf = CommitBuf::default();
                for &c in chunk {
                    buf.put(&code_path(c), code_text(self.seed, c, 0).as_bytes());
                }
                buf.author = Some(self.rng.below(people));
                let lo = chunk[0] / CODE_PER_MODULE;
                let hi = chunk[chunk.len() - 1] / CODE_PER_MODULE;
                let message = if n == 0 {
                    format!("Import the service code (module_{lo:03}–module_{hi:03})")
                } else {
                    format!("Import module_{lo:03}–module_{hi:03}")
                };
                self.emit(Branch::Main, time, buf, &message, None)?;
                time += 600;
            }
            let mut small: Vec<(u64, usize)> = Vec::new();
            small.extend((0..people).map(|k| (PERSON, k)));
            small.extend((0..self.corpus.metrics.len()).map(|k| (METRIC, k)));
            small.extend((0..self.corpus.systems.len()).map(|k| (SYSTEM, k)));
            let mut at = 0;
            let mut first_doc_commit = true;
            while at < small.len() {
                let n = [1, 2, 3][self.rng.weighted(&[40, 35, 25])].min(small.len() - at);
                let mut buf = CommitBuf::default();
                if first_doc_commit {
                    buf.put("pilotbook.toml", self.corpus.config_toml().as_bytes());
                }
                let mut names = Vec::new();
                for &(kind, k) in &small[at..at + n] {
                    let (path, text, name) = self.small_doc(kind, k, 0);
                    buf.put(&path, text.as_bytes());
                    buf.docs += 1;
                    names.push(name);
                }
                let kind = small[at].0;
                buf.author = Some(match kind {
                    SYSTEM => self.corpus.systems[small[at].1].owner,
                    _ => self.rng.below(people),
                });
                let what = match kind {
                    PERSON => "Add people",
                    METRIC => "Define metrics",
                    _ => "Add systems",
                };
                let message = if first_doc_commit {
                    format!("Set up the pilot portfolio; add {}", names.join(", "))
                } else {
                    format!("{what}: {}", names.join(", "))
                };
                first_doc_commit = false;
                self.emit(Branch::Main, time, buf, &message, None)?;
                time += 600;
                at += n;
            }
            Ok(time)
        }

        /// Every pilot's timeline, its state before the first event, and
        /// all events in time order.
        fn plan_timelines(&mut self, base: i64, last: i64, squeeze: i64) {
            let corpus = self.corpus;
            self.timelines = (0..corpus.pilots.len())
                .into_par_iter()
                .map(|i| corpus.timeline(i, base, last, squeeze))
                .collect();
            self.pilots = self
                .timelines
                .iter()
                .map(|tl| PilotNow {
                    view: tl.initial.clone(),
                    created: false,
                    applied: 0,
                    path: String::new(),
                    content: String::new(),
                    renames: 0,
                })
                .collect();
            self.events = self
                .timelines
                .iter()
                .enumerate()
                .flat_map(|(i, tl)| tl.events.iter().map(move |&(t, _)| (t, i as u32)))
                .collect();
            self.events.sort_unstable();
        }

        /// One commit per slot between `base` and `last`: documents as
        /// their events fall due, code-only commits, merge episodes.
        fn main_phase(
            &mut self,
            args: &Args,
            slots: usize,
            (base, last): (i64, i64),
        ) -> Result<(), String> {
            let io = |e: std::io::Error| e.to_string();
            let code_share = f64::from(args.code_share) / 100.0;
            let doc_share = (1.0 - code_share).max(0.01);
            // Merge episodes take about 6.5 slots (3 side, 2.5 main, 1 merge).
            let episode_chance = 1.0 / (1.0 / MERGE_SHARE - 6.5);
            // Commits follow the work: as the portfolio grows, so does the
            // commit rate. Slot k is at quantile (k + jitter) / slots of a mix
            // of an even spread over the years and the events' own times.
            let event_times: Vec<i64> = self.events.iter().map(|e| e.0).collect();
            let quantile = |u: f64| -> i64 {
                let (mut lo, mut hi) = (base, last);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    let even = (mid - base) as f64 / (last - base) as f64;
                    let seen = event_times.partition_point(|&t| t <= mid) as f64
                        / event_times.len().max(1) as f64;
                    if EVEN_SHARE * even + (1.0 - EVEN_SHARE) * seen < u {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                hi
            };
            let mut prev = base - 1;
            for k in 0..slots {
                let jitter = (self.rng.below(1000) as f64) / 1000.0;
                let time = quantile((k as f64 + jitter) / slots as f64).max(prev + 1);
                prev = time;
                let final_slot = k + 1 == slots;
                let admit = if final_slot { i64::MAX } else { time };
                while self.next_event < self.events.len() && self.events[self.next_event].0 <= admit
                {
                    let i = self.events[self.next_event].1 as usize;
                    self.next_event += 1;
                    if !self.in_pending[i] {
                        self.in_pending[i] = true;
                        self.pending.push_back(i);
                    }
                }
                self.stats.max_backlog = self.stats.max_backlog.max(self.pending.len());

                // Which branch, and is it the merge?
                let left = slots - k;
                self.maybe_start_episode(final_slot, left, episode_chance);
                if self
                    .episode
                    .as_ref()
                    .is_some_and(|ep| ep.side_left == 0 && ep.main_left == 0)
                {
                    self.merge(time).map_err(io)?;
                    continue;
                }
                let branch = self.next_branch();

                let code_only = !final_slot && args.code_files > 0 && self.rng.chance(code_share);
                let buf = if code_only {
                    self.code_commit(branch)
                } else {
                    self.doc_buf(branch, time, final_slot, left, doc_share)
                };
                if buf.ops.is_empty() {
                    // Nothing could be changed (only possible on a tiny corpus): skip the slot.
                    continue;
                }
                let message = summary(&buf.phrases);
                self.emit(branch, time, buf, &message, None).map_err(io)?;
            }
            Ok(())
        }

        /// Now and then, with slots to spare, start a merge episode: a few
        /// commits on a side branch and on main, then the merge.
        fn maybe_start_episode(&mut self, final_slot: bool, left: usize, chance: f64) {
            if self.episode.is_none() && !final_slot && left > 12 && self.rng.chance(chance) {
                let side_left = self.rng.range(1, 5) as usize;
                let main_left = self.rng.range(0, 5) as usize;
                self.episode = Some(Episode {
                    side_left,
                    main_left,
                    base: self.main_tip.unwrap_or(0),
                    tip: None,
                    base_paths: BTreeMap::new(),
                    locks: BTreeMap::new(),
                    name: None,
                });
            }
        }

        /// The branch of the next commit: main, or during an episode the
        /// side branch or main as their commits remain.
        fn next_branch(&mut self) -> Branch {
            match &mut self.episode {
                None => Branch::Main,
                Some(ep) => {
                    let side = ep.main_left == 0
                        || (ep.side_left > 0
                            && self.rng.below(ep.side_left + ep.main_left) < ep.side_left);
                    if side {
                        ep.side_left -= 1;
                        Branch::Side
                    } else {
                        ep.main_left -= 1;
                        Branch::Main
                    }
                }
            }
        }

        /// A commit of documents: a rename now and then, else one to three
        /// pilots whose events are due, the backlog drained in the slots
        /// `left` for documents.
        fn doc_buf(
            &mut self,
            branch: Branch,
            time: i64,
            final_slot: bool,
            left: usize,
            doc_share: f64,
        ) -> CommitBuf {
            // Make sure the backlog drains in the slots left for documents.
            let doc_slots = ((left as f64) * doc_share).max(1.0) as usize;
            let cap = if final_slot {
                usize::MAX
            } else {
                3.max(self.pending.len().div_ceil(doc_slots))
            };
            let rename = !final_slot && self.rng.chance(RENAME_SHARE);
            let mut buf = CommitBuf::default();
            if rename {
                self.rename_one(branch, time, &mut buf);
            }
            if buf.docs == 0 {
                let want = [1, 2, 3][self.rng.weighted(&[60, 28, 12])];
                self.doc_commit(branch, time, want, cap, &mut buf);
            }
            buf
        }

        /// A commit that touches only code files.
        fn code_commit(&mut self, branch: Branch) -> CommitBuf {
            let mut buf = CommitBuf::default();
            let n = [1, 2, 3][self.rng.weighted(&[55, 30, 15])];
            let files = self.code_versions.len();
            let mut touched = Vec::new();
            for _ in 0..n * 4 {
                if touched.len() >= n {
                    break;
                }
                let c = self.rng.below(files);
                if touched.contains(&c) || !self.lock(branch, key(CODE, c)) {
                    continue;
                }
                touched.push(c);
            }
            touched.sort_unstable();
            for &c in &touched {
                self.code_versions[c] += 1;
                buf.put(
                    &code_path(c),
                    code_text(self.seed, c, self.code_versions[c]).as_bytes(),
                );
            }
            if let Some(&c) = touched.first() {
                let verb = self
                    .rng
                    .pick_str(&["Refactor", "Fix", "Tune", "Simplify", "Speed up"]);
                buf.phrases.push(format!(
                    "{verb} module_{:03}/file_{:02}",
                    c / CODE_PER_MODULE,
                    c % CODE_PER_MODULE
                ));
                buf.author = Some(self.rng.below(self.corpus.people.len()));
            }
            buf
        }

        /// Can `branch` touch `k`? If so, lock it for this branch until the merge.
        fn lock(&mut self, branch: Branch, k: u64) -> bool {
            match &mut self.episode {
                None => true,
                Some(ep) => match ep.locks.get(&k) {
                    Some(&b) => b == branch,
                    None => {
                        ep.locks.insert(k, branch);
                        true
                    }
                },
            }
        }

        fn locked_elsewhere(&self, branch: Branch, k: u64) -> bool {
            self.episode
                .as_ref()
                .and_then(|ep| ep.locks.get(&k))
                .is_some_and(|&b| b != branch)
        }

        /// Path, text and short name of a person, metric or system.
        fn small_doc(&self, kind: u64, k: usize, edit: u32) -> (String, String, String) {
            let c = self.corpus;
            match kind {
                PERSON => (
                    format!("people/{}.md", c.people[k].id),
                    c.render_person(k, edit),
                    c.people[k].name.clone(),
                ),
                METRIC => (
                    format!("metrics/{}.md", c.metrics[k].id),
                    c.render_metric(k, edit),
                    c.metrics[k].id.clone(),
                ),
                _ => (
                    format!("systems/{}.md", c.systems[k].id),
                    c.render_system(k, edit),
                    c.systems[k].title.clone(),
                ),
            }
        }

        /// Fill a document commit: due events first, then edits, `want` documents
        /// (more if the backlog needs it, up to `cap`).
        fn doc_commit(
            &mut self,
            branch: Branch,
            time: i64,
            want: usize,
            cap: usize,
            buf: &mut CommitBuf,
        ) {
            // Past the cap only when the backlog would not drain otherwise.
            let pressure = cap > 3;
            let target = if pressure {
                cap.min(self.pending.len()).max(want)
            } else {
                want
            };
            // Due events. The first pilot's people author the commit; other
            // pilots join it only if the author works on them too (unless
            // the backlog presses), so each pilot keeps a handful of authors.
            let mut skipped = Vec::new();
            let mut scanned = 0;
            while buf.docs < target && (pressure || scanned < 64) {
                let Some(i) = self.pending.pop_front() else {
                    break;
                };
                scanned += 1;
                let foreign = !pressure
                    && buf
                        .author
                        .is_some_and(|a| !self.timelines[i].contributors.contains(&a));
                if foreign || self.locked_elsewhere(branch, key(PILOT, i)) {
                    skipped.push(i);
                    continue;
                }
                self.in_pending[i] = false;
                self.touch_pilot(branch, i, time, Touch::Events, buf);
            }
            for i in skipped.into_iter().rev() {
                self.pending.push_front(i);
            }
            // Edits: mostly a paragraph of a pilot the author works on (an
            // active one if possible), now and then a person, metric or system.
            let mut tries = 0;
            while buf.docs < want && tries < 20 {
                tries += 1;
                if !self.created.is_empty() && !self.rng.chance(0.04) {
                    let mut pick = None;
                    for _ in 0..4 {
                        let i = match buf.author {
                            Some(a) if !self.works_on[a].is_empty() => {
                                self.works_on[a][self.rng.below(self.works_on[a].len())]
                            }
                            Some(_) => break,
                            None => self.created[self.rng.below(self.created.len())],
                        };
                        if self.locked_elsewhere(branch, key(PILOT, i))
                            || touched(buf, &self.pilots[i].path)
                        {
                            continue;
                        }
                        pick = Some(i);
                        if time <= self.timelines[i].active_until || self.rng.chance(0.15) {
                            break;
                        }
                    }
                    if let Some(i) = pick {
                        self.touch_pilot(branch, i, time, Touch::Edit, buf);
                        continue;
                    }
                }
                let kind = [PERSON, METRIC, SYSTEM][self.rng.weighted(&[50, 25, 25])];
                let n = match kind {
                    PERSON => self.person_edits.len(),
                    METRIC => self.metric_edits.len(),
                    _ => self.system_edits.len(),
                };
                // People edit their own profile.
                let k = match (kind, buf.author) {
                    (PERSON, Some(a)) => a,
                    _ => self.rng.below(n),
                };
                if self.locked_elsewhere(branch, key(kind, k))
                    || touched(buf, &self.small_doc(kind, k, 0).0)
                {
                    continue;
                }
                self.lock(branch, key(kind, k));
                self.edit_small(kind, k, buf);
            }
        }

        fn edit_small(&mut self, kind: u64, k: usize, buf: &mut CommitBuf) {
            let edits = match kind {
                PERSON => &mut self.person_edits[k],
                METRIC => &mut self.metric_edits[k],
                _ => &mut self.system_edits[k],
            };
            let before = *edits;
            *edits += 1;
            let after = *edits;
            let (path, text, name) = self.small_doc(kind, k, after);
            let (_, old, _) = self.small_doc(kind, k, before);
            if text == old {
                return;
            }
            buf.put(&path, text.as_bytes());
            buf.docs += 1;
            buf.phrases.push(match kind {
                PERSON => format!("people: update {name}"),
                METRIC => format!("metrics/{name}: clarify the definition"),
                _ => format!("systems: update {name}"),
            });
            if buf.author.is_none() {
                buf.author = Some(match kind {
                    PERSON => k,
                    SYSTEM => self.corpus.systems[k].owner,
                    _ => self.rng.below(self.corpus.people.len()),
                });
            }
        }

        /// Rename one pilot that nothing depends on, in a commit of its own.
        fn rename_one(&mut self, branch: Branch, time: i64, buf: &mut CommitBuf) {
            if self.created.is_empty() {
                return;
            }
            for _ in 0..20 {
                let i = self.created[self.rng.below(self.created.len())];
                if self.depended_on[i]
                    || self.pilots[i].renames >= 2
                    || self.locked_elsewhere(branch, key(PILOT, i))
                {
                    continue;
                }
                self.touch_pilot(branch, i, time, Touch::Rename, buf);
                if buf.docs > 0 {
                    self.stats.renames += 1;
                }
                return;
            }
        }

        /// Apply what is due for pilot `i` at `time`, plus an edit or a rename.
        fn touch_pilot(
            &mut self,
            branch: Branch,
            i: usize,
            time: i64,
            how: Touch,
            buf: &mut CommitBuf,
        ) {
            if !self.lock(branch, key(PILOT, i)) {
                return;
            }
            let corpus = self.corpus;
            let p = &corpus.pilots[i];
            let tl = &self.timelines[i];
            let before_path = self.pilots[i].created.then(|| self.pilots[i].path.clone());
            let now = &mut self.pilots[i];
            let mut phrases: Vec<String> = Vec::new();
            let final_slot_admits = how == Touch::Events;
            while now.applied < tl.events.len()
                && (tl.events[now.applied].0 <= time
                    || (final_slot_admits && self.next_event == self.events.len()))
            {
                let (_, ev) = tl.events[now.applied];
                now.applied += 1;
                if let Ev::Create = ev {
                    now.created = true;
                    self.created.push(i);
                    for &k in &tl.contributors {
                        self.works_on[k].push(i);
                    }
                }
                phrases.push(apply_event(corpus, p, &mut now.view, ev));
            }
            if !now.created {
                return;
            }
            match how {
                Touch::Events => {}
                Touch::Edit => {
                    let k = self.rng.below(SECTIONS);
                    now.view.variants[k] += 1;
                    phrases.push(format!(
                        "{}: {}",
                        now.view.id,
                        edit_phrase(&mut self.rng, k)
                    ));
                }
                Touch::Rename => {
                    let (title, id) = rename(
                        &mut self.rng,
                        &mut self.ids,
                        &corpus.prefix,
                        &now.view.title,
                    );
                    phrases.insert(0, format!("Rename {} to {}", now.view.id, id));
                    now.view.title = title;
                    now.view.id = id;
                    now.renames += 1;
                }
            }
            let mut text = corpus.render_pilot_view(i, &now.view);
            let mut retries = 0;
            while text == now.content && how == Touch::Edit && retries < 8 {
                let k = self.rng.below(SECTIONS);
                now.view.variants[k] += 1;
                text = corpus.render_pilot_view(i, &now.view);
                retries += 1;
            }
            let path = format!("pilots/{}.md", now.view.id);
            if text == now.content && path == now.path {
                return;
            }
            if let Some(old) = &before_path
                && *old != path
            {
                buf.delete(old);
            }
            buf.put(&path, text.as_bytes());
            buf.docs += 1;
            now.content = text;
            now.path = path;
            buf.phrases.extend(phrases);
            if buf.author.is_none() {
                let c = &tl.contributors;
                let who = if self.rng.chance(0.4) {
                    c[0]
                } else {
                    c[self.rng.below(c.len())]
                };
                buf.author = Some(who);
            }
            if let Some(ep) = &mut self.episode
                && branch == Branch::Side
            {
                ep.base_paths.entry(i).or_insert(before_path);
                if ep.name.is_none() {
                    ep.name = Some(self.pilots[i].view.id.clone());
                }
            }
        }

        /// The merge commit: main gets what the side branch changed.
        fn merge(&mut self, time: i64) -> std::io::Result<()> {
            let ep = self.episode.take().expect("an episode");
            let mut buf = CommitBuf::default();
            for (&k, &b) in &ep.locks {
                if b != Branch::Side {
                    continue;
                }
                let (kind, index) = (k >> 32, (k & 0xFFFF_FFFF) as usize);
                match kind {
                    PILOT => {
                        let now = &self.pilots[index];
                        if !now.created {
                            continue;
                        }
                        if let Some(Some(old)) = ep.base_paths.get(&index)
                            && *old != now.path
                        {
                            buf.delete(old);
                        }
                        buf.put(&now.path, now.content.as_bytes());
                    }
                    CODE => {
                        buf.put(
                            &code_path(index),
                            code_text(self.seed, index, self.code_versions[index]).as_bytes(),
                        );
                    }
                    _ => {
                        let edit = match kind {
                            PERSON => self.person_edits[index],
                            METRIC => self.metric_edits[index],
                            _ => self.system_edits[index],
                        };
                        let (path, text, _) = self.small_doc(kind, index, edit);
                        buf.put(&path, text.as_bytes());
                    }
                }
            }
            let Some(tip) = ep.tip else {
                // The side branch made no commit: nothing to merge.
                return Ok(());
            };
            buf.author = Some(self.rng.below(self.corpus.people.len()));
            let name = ep.name.clone().unwrap_or_else(|| "maintenance".to_string());
            let message = format!("Merge branch 'update/{name}'");
            // `emit` must not see the episode: the merge is on main.
            self.emit(Branch::Main, time, buf, &message, Some(tip))?;
            self.stats.merges += 1;
            Ok(())
        }
    }

    /// Does the commit already write `path`?
    fn touched(buf: &CommitBuf, path: &str) -> bool {
        let needle = format!("inline {path}\n");
        buf.ops
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Touch {
        Events,
        Edit,
        Rename,
    }

    fn edit_phrase(rng: &mut Rng, section: usize) -> String {
        let name = [
            "intro",
            "success metrics",
            "integrations",
            "ownership",
            "production path",
            "monitoring",
            "human review",
            "escalation",
            "rollback",
            "expansion criteria",
        ][section];
        let verb = rng.pick_str(&["update", "reword", "clarify", "expand", "tighten"]);
        format!("{verb} {name}")
    }

    /// The commit message's first line from what the commit did.
    fn summary(phrases: &[String]) -> String {
        match phrases {
            [] => "Update documents".to_string(),
            [one] => one.clone(),
            [first, rest @ ..] if first.len() > 72 => format!("{first} (+{} more)", rest.len()),
            _ => {
                let mut out = String::new();
                for (n, p) in phrases.iter().enumerate() {
                    if n > 0 && out.len() + p.len() > 100 {
                        let _ = write!(out, " (+{} more)", phrases.len() - n);
                        break;
                    }
                    if n > 0 {
                        out.push_str("; ");
                    }
                    out.push_str(p);
                }
                out
            }
        }
    }
}
