"""Writes DISTINCT different search paths that find products on a running aliscout.

Usage: searches.py APP_URL DISTINCT OUT_FILE

It starts from a few common words, learns more words from the titles it finds, and
asks each word's first page once to know how many pages it has; then it lists
(word, sort, page) searches within those pages until it has DISTINCT of them.
Only the words' first pages are asked here: the load script caches the rest.
"""
import json
import re
import sys
import urllib.parse
import urllib.request

app, want, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SORTS = ["relevance", "price_asc", "price_desc", "orders_desc", "rating_desc", "discount_desc",
         "commission_desc", "delivery_asc"]
MAX_PAGES = 5

def search(q):
    url = app + "/api/search?" + urllib.parse.urlencode({"q": q})
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)

words = ["phone", "case", "cable", "camera", "light", "watch", "lamp", "bag"]
seen = set(words)
paths = []
i = 0
while len(paths) < want and i < len(words):
    w = words[i]
    i += 1
    answer = search(w)
    pages = min(MAX_PAGES, -(-answer.get("total", 0) // max(answer.get("page_size", 20), 1)))
    for p in answer.get("products") or []:
        for t in re.findall(r"[a-z]{4,}", p["title"].lower()):
            if t not in seen:
                seen.add(t)
                words.append(t)
    for sort in SORTS:
        for page in range(1, pages + 1):
            paths.append("/api/search?" + urllib.parse.urlencode({"q": w, "sort": sort, "page": page}))
if len(paths) < want:
    sys.exit(f"searches.py: found only {len(paths)} distinct searches with products; {want} asked")
with open(out, "w") as f:
    f.write("\n".join(paths[:want]) + "\n")
