#!/usr/bin/env python3
"""Cross-check pilotbook's reading of real documents against cmark-gfm,
GitHub's own Markdown parser (issue 16 research, docs/real-repos.md).

    pip install cmarkgfm        # into a virtualenv; the only dependency
    python gfm-crosscheck.py REPO MEASURE_DIR KIND

MEASURE_DIR is the --out folder of scripts/real-repos-measure (it reads
export.json, links.json and measure.json there). Prints:

1. Outline: for each document, the H2 titles pilotbook's export lists
   (`sections`) against the top-level <h2>s cmark-gfm renders from the
   same file (front matter stripped; raw HTML omitted so it cannot unbalance
   the nesting count; H2s inside block quotes and lists left out, since
   pilotbook does not take those as sections). Every document that differs.
2. Anchors: every broken anchor (from links.json) against the slugs GitHub
   gives the headings (h1-h6) cmark-gfm renders from the target document's
   source (github-slugger's rule, as in real-repos-measure). `github-slug`:
   the link works on GitHub; `github-slug, other case`: it works there
   because GitHub's page script matches fragments case-insensitively;
   `broken on GitHub too` otherwise. This is an
   independent second reading of the site-based count in measure.json.
"""
import json, re, sys, html, os
import cmarkgfm


def strip_front_matter(text):
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            return text[end + 5:]
    return text


def plain(fragment):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def top_level_h2(rendered):
    out, depth = [], 0
    for m in re.finditer(r"<(/?)(blockquote|ul|ol)\b[^>]*>|<h2>(.*?)</h2>", rendered, flags=re.S):
        if m.group(2):
            depth += -1 if m.group(1) else 1
        elif depth == 0:
            out.append(plain(m.group(3)))
    return out


def github_slugs(texts):
    seen, slugs = {}, []
    for text in texts:
        base = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        slug, n = base, seen.get(base, 0)
        while slug in seen:
            n += 1
            slug = f"{base}-{n}"
        seen[base] = n
        seen.setdefault(slug, 0)
        slugs.append(slug)
    return slugs


def main():
    repo, measure, kind = sys.argv[1:4]
    export = json.load(open(os.path.join(measure, "export.json")))
    links = json.load(open(os.path.join(measure, "links.json")))
    docs = export[kind]
    rendered = {}
    for doc in docs:
        text = strip_front_matter(open(os.path.join(repo, doc["path"]), encoding="utf-8").read())
        rendered[doc["path"]] = cmarkgfm.github_flavored_markdown_to_html(text)
    differ = 0
    for doc in docs:
        g = top_level_h2(rendered[doc["path"]])
        p = [re.sub(r"\s+", " ", s["title"]).strip() for s in doc["sections"]]
        if [x.lower() for x in g] != [x.lower() for x in p]:
            differ += 1
            only_p = [x for x in p if x.lower() not in {y.lower() for y in g}]
            only_g = [x for x in g if x.lower() not in {y.lower() for y in p}]
            print(f"  outline differs: {doc['path']}: pilotbook only {only_p[:4]}; cmark-gfm only {only_g[:4]}")
    print(f"outline: {len(docs)} documents, {differ} whose top-level H2s differ from cmark-gfm's")
    by_page = {f"{kind}/{d['id']}.html": d["path"] for d in docs}
    counts, examples = {}, {}
    for it in links["broken_anchors"]:
        path = by_page.get(it["target"])
        if path is None:
            cls = "target not a document page"
        else:
            heads = [plain(h) for h in re.findall(r"<h[1-6]>(.*?)</h[1-6]>", rendered[path], flags=re.S)]
            frag = it["fragment"]
            slugs = set(github_slugs(heads))
            if frag in slugs:
                cls = "github-slug"
            elif frag.lower() in slugs:  # GitHub's page script matches any case
                cls = "github-slug, other case"
            else:
                cls = "broken on GitHub too"
        counts[cls] = counts.get(cls, 0) + 1
        examples.setdefault(cls, [])
        if len(examples[cls]) < 4:
            examples[cls].append(f"{by_page.get(it['page'], it['page'])} -> #{it['fragment']}")
    print(f"anchors: {len(links['broken_anchors'])} broken on the site: {json.dumps(counts)}")
    for cls, ex in examples.items():
        print(f"  {cls}: " + "; ".join(ex))


if __name__ == "__main__":
    main()
