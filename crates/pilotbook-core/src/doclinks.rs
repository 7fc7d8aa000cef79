//! Where a relative link written in a document leads: the one reading of
//! `./other.md#rollback`, `../people/dana-kim.md`, `./eip-150` (no
//! extension) and `/docs/x.md` (from the root, as the forge reads it),
//! shared by the site, which rewrites such links to pages, and by anything
//! that checks them. Pure path arithmetic; no I/O.

/// A relative link, resolved against the document that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<'u> {
    /// The path it names, relative to the root, with `/`, normalised (no
    /// `.` or `..`); empty for the root itself.
    pub path: String,
    /// The fragment as written, without `#`.
    pub fragment: Option<&'u str>,
}

/// Resolve `url`, written in the document at `from` (a root-relative
/// path), to a root-relative path. `None` for what is not a relative link
/// to a path: a URL with a scheme (`https:`, `mailto:`), a
/// protocol-relative `//host`, a fragment of the same page (`#x`), or a
/// path that climbs out of the root.
pub fn resolve<'u>(from: &str, url: &'u str) -> Option<Resolved<'u>> {
    // Browsers drop tabs and newlines from a URL and trim control
    // characters (WHATWG URL): `java\tscript:` is `javascript:` to them,
    // so it is to this reading. Such a URL is not a path to resolve.
    let url = url.trim_matches(|c: char| c <= ' ');
    if url.contains(['\t', '\n', '\r']) {
        return None;
    }
    if url.is_empty() || url.starts_with('#') || url.starts_with("//") || has_scheme(url) {
        return None;
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (url, None),
    };
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    if path.is_empty() {
        return None;
    }
    // `my%20diagram.png` names `my diagram.png`, as on the forge.
    let decoded = percent_decoded(path);
    let path = decoded.as_deref().unwrap_or(path);
    let mut parts: Vec<&str> = Vec::new();
    if !path.starts_with('/') {
        parts.extend(from.split('/').filter(|p| !p.is_empty()));
        parts.pop(); // the document's own name
    }
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(Resolved {
        path: parts.join("/"),
        fragment,
    })
}

/// The document a resolved path names, if any: the path itself, the path
/// with `.md` added (`./eip-150` for `eip-150.md`, as forges accept), or a
/// folder's `README.md`.
pub fn document<T>(path: &str, lookup: impl Fn(&str) -> Option<T>) -> Option<T> {
    let trimmed = path.trim_end_matches('/');
    lookup(trimmed)
        .or_else(|| lookup(&format!("{trimmed}.md")))
        .or_else(|| lookup(&format!("{trimmed}/README.md")).filter(|_| !trimmed.is_empty()))
}

/// A link from the page at `from` to the page at `to`, both site-relative:
/// `../people/dana-kim.html` from `pilots/x.html`.
pub fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// `path` with `%XX` escapes decoded, when it has any and they decode to
/// UTF-8.
fn percent_decoded(path: &str) -> Option<String> {
    if !path.contains('%') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Whether `url` starts with a scheme (`[A-Za-z][A-Za-z0-9+.-]*:`).
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        && !scheme.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(from: &str, url: &str) -> Option<String> {
        resolve(from, url).map(|r| r.path)
    }

    #[test]
    fn relative_links_resolve_against_the_document() {
        assert_eq!(
            path("pilots/a.md", "./b.md").as_deref(),
            Some("pilots/b.md")
        );
        assert_eq!(path("pilots/a.md", "b.md").as_deref(), Some("pilots/b.md"));
        assert_eq!(
            path("pilots/a.md", "../people/dana.md").as_deref(),
            Some("people/dana.md")
        );
        assert_eq!(
            path("pilots/x/README.md", "/metrics/m.md").as_deref(),
            Some("metrics/m.md")
        );
        assert_eq!(
            path("pilots/a.md", "img/my%20flow.png").as_deref(),
            Some("pilots/img/my flow.png")
        );
        assert_eq!(
            path("pilots/a.md", "./img/flow.png?raw=true").as_deref(),
            Some("pilots/img/flow.png")
        );
        let r = resolve("pilots/a.md", "./b.md#Rollback").expect("resolves");
        assert_eq!(
            (r.path.as_str(), r.fragment),
            ("pilots/b.md", Some("Rollback"))
        );
    }

    #[test]
    fn what_is_not_a_relative_path_is_left_alone() {
        for url in [
            "https://x.org/a.md",
            "mailto:a@b",
            "#rollback",
            "//cdn/x.md",
            "",
            "../../../../etc/passwd",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
        ] {
            assert_eq!(path("pilots/a.md", url), None, "{url}");
        }
    }

    #[test]
    fn documents_are_found_with_or_without_md_or_as_a_folders_readme() {
        let docs = ["pilots/eip-150.md", "pilots/x/README.md"];
        let find = |p: &str| docs.iter().find(|d| **d == p).copied();
        assert_eq!(document("pilots/eip-150", find), Some("pilots/eip-150.md"));
        assert_eq!(
            document("pilots/eip-150.md", find),
            Some("pilots/eip-150.md")
        );
        assert_eq!(document("pilots/x/", find), Some("pilots/x/README.md"));
        assert_eq!(document("pilots/y", find), None);
    }

    #[test]
    fn pages_link_to_each_other_relatively() {
        assert_eq!(relative("pilots/a.html", "pilots/b.html"), "b.html");
        assert_eq!(
            relative("pilots/a.html", "people/d.html"),
            "../people/d.html"
        );
        assert_eq!(relative("index.html", "pilots/b.html"), "pilots/b.html");
        assert_eq!(relative("a/b/c.html", "a/d.html"), "../d.html");
    }
}
