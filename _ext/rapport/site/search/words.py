"""The site's own words, for the search's "Menade du …?" (``pagefind/ordlista.json``).

Counted while Pagefind indexes (:mod:`rapport.site.search.indexer`), from the staged
pages that list everything (archive, registers, topics, timeline) and from the record
pages of the entries; the reports' long texts add few words of their own and were most
of the indexing time. Suggestions come from what readers find by default, so not from
the writer's guide.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable

#: words shown as suggestions: letters only, at least this long
MIN_WORD = 4
MAX_WORDS = 6000
#: the words, inside the primary bundle
WORDS_FILE = "ordlista.json"

_WORD_RE = re.compile(rf"[^\W\d_]{{{MIN_WORD},30}}")
_TAG_RE = re.compile(r"<[^>]*>")

#: lower case -> {form as written: count}
Forms = dict[str, dict[str, int]]


def count_words(text: str, counts: dict[str, int], forms: Forms) -> None:
    plain = html.unescape(_TAG_RE.sub(" ", text))
    for word in _WORD_RE.findall(plain):
        key = word.lower()
        counts[key] = counts.get(key, 0) + 1
        seen = forms.setdefault(key, {})
        seen[word] = seen.get(word, 0) + 1


def page_forms(text: str) -> Forms:
    """The words of one page: lower case -> {form as written: count}."""
    forms: Forms = {}
    count_words(text, {}, forms)
    return forms


def part_words(
    pages: Iterable[tuple[str, str]], record_pages: Iterable[str], known: dict[str, list], counted: dict[str, list]
) -> dict[str, list]:
    """A part's words: lower case -> [most common form, count].

    ``pages`` are (path in the site, staged text) of the pages whose words count. A
    page's words are counted again only when its staged text changed (``known``, from
    the last build; the registers and the timeline were 0.25 s of every edit's index);
    ``counted`` receives [digest, words] of every page, for the next build.
    """
    counts: dict[str, int] = {}
    forms: Forms = {}
    for relative, staged in pages:
        digest = hashlib.sha256(staged.encode("utf-8")).hexdigest()[:20]
        last = known.get(relative)
        page = last[1] if isinstance(last, list) and len(last) == 2 and last[0] == digest else page_forms(staged)
        counted[relative] = [digest, page]
        for key, written in page.items():
            seen = forms.setdefault(key, {})
            for form, n in written.items():
                seen[form] = seen.get(form, 0) + n
                counts[key] = counts.get(key, 0) + n
    for page_html in record_pages:
        count_words(page_html[page_html.find("<main") :], counts, forms)
    return {key: [max(forms[key].items(), key=lambda kv: (kv[1], kv[0]))[0], n] for key, n in counts.items()}


def word_list(parts: Iterable[dict[str, list]]) -> list[list]:
    """Every part's words together, the most frequent first: [[form, count], ...]."""
    words: dict[str, list] = {}
    for part in parts:
        for key, (form, count) in part.items():
            if key in words:
                words[key][1] += count
            else:
                words[key] = [form, count]
    return sorted(words.values(), key=lambda fc: (-fc[1], fc[0]))[:MAX_WORDS]
