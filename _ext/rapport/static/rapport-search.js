/* Site search on Pagefind's JavaScript API (rapport.search, issue 5).
 *
 * Runs in the theme's search dialog (search button, Ctrl+K) and on search.html. The
 * index, pagefind.js and its WebAssembly are loaded from the site's own /pagefind/
 * folder, found relative to the page (data-content_root), so the site works from any
 * static server and at any depth; nothing is loaded from another host.
 *
 * Everything shown comes from the index and is inserted as text; the only markup is the
 * <mark> around the words searched for, made here element by element.
 *
 * Readers type questions ("vem är talesperson"), and Pagefind finds only pages that
 * have every word. So (issue 24):
 * - the small words of a question (Snowball's Swedish stop words, below) are left out
 *   of the search, unless the query has nothing else;
 * - when no page has every word that is left, the pages with the most of them are
 *   shown, and the status says so;
 * - a query that finds nothing offers a spelling from the site's own words that does
 *   find something ("Menade du …?");
 * - a hit shows the sentence with the most of the words, marked, instead of a window
 *   of words around the first one.
 */
(() => {
  "use strict";

  const MAX_QUERY = 200; // longer input is cut: no one remembers 200 characters
  const PAGE_SIZE = 10;
  const FIRST_BATCH = 4;
  const MAX_SUB_RESULTS = 3;
  const DEBOUNCE_MS = 80;
  const FILTER_ORDER = ["Typ", "År", "Organ"];
  const TYPE_ORDER = ["rapport", "beslut", "FAQ", "åtgärd", "sida", "skrivguide"];
  // the site calls its FAQ "Frågor och svar"; "FAQ" is only the index's facet value
  const TYPE_LABELS = {
    rapport: "Rapport",
    beslut: "Beslut",
    FAQ: "Frågor och svar",
    "åtgärd": "Åtgärd",
    sida: "Sida",
    skrivguide: "Skrivguide",
  };
  // the writer's guide is for writers: left out unless the reader ticks it under Typ
  const GUIDE_TYPE = "skrivguide";
  // A report is long and Pagefind's ranking favours short pages (an FAQ entry, an
  // action): a report's score counts this many times, so for "ambulink" the report
  // comes right after the FAQ entry about it, not below the topic and landing pages
  // (which count less already: their part of the index has a weight below 1).
  const REPORT_TYPE = "rapport";
  const REPORT_BOOST = 3;
  const SORTS = {
    relevans: { label: "Relevans", sort: null },
    nyast: { label: "Datum, nyast först", sort: { datum: "desc" } },
    aldst: { label: "Datum, äldst först", sort: { datum: "asc" } },
  };

  /* Swedish stop words: the Snowball project's list (snowballstem.org,
   * algorithms/swedish/stop.txt), chosen because Pagefind stems Swedish with Snowball's
   * Swedish stemmer, so the two agree on what a word is; it holds the question words
   * (vem, vad, när, hur, varför, vilken, vilka, vilket) and the function words.
   *
   * Copyright (c) 2001, Dr Martin Porter; Copyright (c) 2002, Richard Boulton. All rights
   * reserved. Redistribution and use in source and binary forms, with or without
   * modification, are permitted provided that the following conditions are met:
   * 1. Redistributions of source code must retain the above copyright notice, this list
   *    of conditions and the following disclaimer.
   * 2. Redistributions in binary form must reproduce the above copyright notice, this
   *    list of conditions and the following disclaimer in the documentation and/or other
   *    materials provided with the distribution.
   * 3. Neither the name of the copyright holder nor the names of its contributors may be
   *    used to endorse or promote products derived from this software without specific
   *    prior written permission.
   * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY
   * EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES
   * OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT
   * SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT,
   * INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED
   * TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR
   * BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
   * CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY
   * WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
   */
  const SNOWBALL_STOP_WORDS = `och det att i en jag hon som han på den med var sig för så till är men ett om hade
    de av icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde något från
    ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under någon eller allt mycket sedan
    ju denna själv detta åt utan varit hur ingen mitt ni bli blev oss din dessa några deras blir mina samma
    vilken er sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem vilket sitt sådana vart
    dina vars vårt våra ert era vilkas`;
  // Today's forms the 2001 list lacks: "ska" (for "skall"), and the rarer question words.
  const MORE_STOP_WORDS = "ska skall vems hurdan hurdant";
  const STOP_WORDS = new Set(`${SNOWBALL_STOP_WORDS} ${MORE_STOP_WORDS}`.split(/\s+/).filter(Boolean));
  // a hit's sentence is cut to about this many words around the marked ones
  const MAX_SENTENCE_WORDS = 40;
  // a longer query is not relaxed word by word (one search per word)
  const MAX_RELAXED_WORDS = 8;

  const rootUrl = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
  let pagefindPromise = null;

  /* The index is in parts (rapport.search): the newest year in pagefind/, every other
   * year and the site's other pages in pagefind/<del>/, listed in rapport-index.json
   * and merged here with Pagefind's multisite support (mergeIndex). A hit on a
   * navigation page counts less (the part's weight), so reports, decisions and FAQ
   * entries come first. */
  let manifest = { merge: [] };

  function loadPagefind() {
    if (!pagefindPromise) {
      const bundle = new URL("pagefind/", rootUrl);
      pagefindPromise = Promise.all([
        import(new URL("pagefind.js", bundle).href),
        fetch(new URL("rapport-index.json", bundle)).then((r) => (r.ok ? r.json() : null)).catch(() => null),
      ]).then(async ([pagefind, parts]) => {
        if (parts) manifest = parts;
        // result URLs are root-relative in the index; the site may live below a path
        const common = { baseUrl: rootUrl.pathname, excerptLength: 24 };
        await pagefind.options({ ...common, indexWeight: manifest.weight || 1 });
        for (const part of manifest.merge || []) {
          await pagefind.mergeIndex(new URL(part.path, bundle).pathname, { ...common, indexWeight: part.weight });
        }
        await pagefind.init();
        return pagefind;
      });
    }
    return pagefindPromise;
  }

  /* "Menade du …?": the site's own words (ordlista.json, most frequent first), loaded
   * only when a query finds nothing. A word of the query that is not among them is
   * replaced by the closest one (Damerau-Levenshtein, at most a quarter of its letters
   * apart), the more frequent first among equals. */
  let wordsPromise = null;

  function loadWords() {
    if (!wordsPromise) {
      wordsPromise = fetch(new URL(`pagefind/${manifest.words || "ordlista.json"}`, rootUrl))
        .then((r) => (r.ok ? r.json() : []))
        .catch(() => []);
    }
    return wordsPromise;
  }

  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    let prevPrev = null;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      let best = i;
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let value = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prevPrev && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, prevPrev[j - 2] + 1);
        row.push(value);
        best = Math.min(best, value);
      }
      if (best > limit) return limit + 1;
      prevPrev = prev;
      prev = row;
    }
    return prev[b.length];
  }

  async function suggest(query) {
    const words = await loadWords();
    if (!words.length) return null;
    const known = new Map(words.map(([form]) => [form.toLocaleLowerCase("sv"), form]));
    let changed = false;
    const out = query.split(/\s+/).map((word) => {
      const lower = word.toLocaleLowerCase("sv");
      if (lower.length < 3 || known.has(lower)) return known.get(lower) || word;
      const limit = Math.max(1, Math.floor(lower.length / 4));
      let best = null;
      let bestDistance = limit + 1;
      for (const [form] of words) {
        const d = distance(lower, form.toLocaleLowerCase("sv"), Math.min(limit, bestDistance));
        if (d < bestDistance) {
          best = form;
          bestDistance = d;
          if (d === 1) break; // words are ordered by frequency: the most used at distance 1
        }
      }
      if (!best) return word;
      changed = true;
      return best;
    });
    return changed ? out.join(" ") : null;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  /* Pagefind's excerpt is HTML-escaped text with <mark> around hits; it is parsed in
   * an inert document and rebuilt from its text, keeping only the marks. */
  function excerptNodes(excerpt) {
    const doc = new DOMParser().parseFromString(`<p>${excerpt || ""}</p>`, "text/html");
    const out = document.createDocumentFragment();
    const walk = (node) => {
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) out.append(document.createTextNode(child.textContent));
        else if (child.nodeName === "MARK") out.append(el("mark", { text: child.textContent }));
        else walk(child);
      }
    };
    walk(doc.body);
    return out;
  }

  /* A link target inside the site only. */
  function siteUrl(raw) {
    try {
      const url = new URL(raw, rootUrl);
      return url.origin === rootUrl.origin ? url.href : null;
    } catch {
      return null;
    }
  }

  /* A word as compared with the stop words: lower case, without the punctuation
   * around it ("Ambulink?" -> "ambulink"). */
  function normal(word) {
    return word.toLocaleLowerCase("sv").replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
  }

  /* A word's letters and digits only, lower case ("Samordnings-gruppen" ->
   * "samordningsgruppen"). */
  function letters(word) {
    return word.toLocaleLowerCase("sv").replace(/[^\p{L}\p{N}]+/gu, "");
  }

  /* What is searched for: the query without its stop words; as typed when it has
   * nothing else, or when it holds a "phrase" (Pagefind's exact search). */
  function queryPlan(q) {
    const words = q.split(/\s+/).filter(Boolean);
    if (q.includes('"')) return { text: q, terms: [q], dropped: [] };
    const kept = words.filter((word) => !STOP_WORDS.has(normal(word)));
    if (!kept.length || kept.length === words.length) return { text: q, terms: words, dropped: [] };
    return { text: kept.join(" "), terms: kept, dropped: words.filter((word) => STOP_WORDS.has(normal(word))) };
  }

  /* A result's data (its fragment), loaded once however often it is asked for. */
  function dataOf(result) {
    if (!result.rapportData) result.rapportData = result.data();
    return result.rapportData;
  }

  // abbreviations whose full stop does not end a sentence
  const ABBREVIATIONS = new Set(["bl.a.", "t.ex.", "m.m.", "d.v.s.", "dvs.", "s.k.", "o.s.v.", "osv.", "ca.", "kl.", "nr.", "jfr.", "resp.", "etc.", "fr.o.m.", "t.o.m."]);

  function endsSentence(word) {
    return /[.!?]["”’)\]]*$/.test(word) && !ABBREVIATIONS.has(word.toLocaleLowerCase("sv"));
  }

  /* The sentence that answers: of the sentences from word `from` on (Pagefind's words:
   * the text split at white space, as its `locations` count them), the one with the
   * most of the words searched for (`terms`; a hit counts for the term it shares the
   * longest beginning with: "leds" for "leder"), then the rarest of them in the text
   * ("leds" once before "samordningsgruppen" ten times), then the first. A sentence that only
   * repeats the hit's title (`title`) is passed over; when it was the only one with a
   * hit, the first other sentence stands for it (a record's answer, a section's first
   * sentence). A heading of a few words is shown with the sentence after it
   * ("Talesperson. Anders Kullbratt, …"). Cut to MAX_SENTENCE_WORDS around its hits;
   * the words searched for are marked. null when nothing fits. */
  function answerNodes(content, locations, from = 0, title = "", terms = []) {
    const words = (content || "").split(/[\r\n\s]+/g);
    const hits = [...new Set(locations || [])].filter((i) => i >= from && i < words.length).sort((a, b) => a - b);
    if (!hits.length) return null;
    const sentences = [];
    let start = from;
    for (let i = from; i < words.length; i++) {
      if (endsSentence(words[i])) {
        sentences.push([start, i + 1]);
        start = i + 1;
      }
    }
    if (start < words.length) sentences.push([start, words.length]);
    const keys = terms.map((term) => letters(term)).filter(Boolean);
    // Pagefind found the word for one of the terms (by its stem, or as part of a
    // compound): the term it shares the longest beginning with
    const termOf = (i) => {
      const word = letters(words[i]);
      let best = keys[0] || word;
      let longest = 0;
      for (const key of keys) {
        let n = 0;
        while (n < key.length && n < word.length && key[n] === word[n]) n++;
        if (n > longest) [best, longest] = [key, n];
      }
      return best;
    };
    const heading = normal(title.replace(/\s+/g, " "));
    const repeatsTitle = ([s, e]) => heading && heading.includes(normal(words.slice(s, e).join(" ")));
    // how often each term is found, outside the sentences that repeat the title
    const frequency = new Map();
    for (const sentence of sentences) {
      if (repeatsTitle(sentence)) continue;
      for (const i of hits) if (i >= sentence[0] && i < sentence[1]) frequency.set(termOf(i), (frequency.get(termOf(i)) || 0) + 1);
    }
    let best = null;
    let titleOnly = false;
    sentences.forEach(([s, e], index) => {
      const inside = hits.filter((i) => i >= s && i < e);
      if (!inside.length) return;
      if (repeatsTitle([s, e])) {
        titleOnly = true;
        return;
      }
      const found = new Set(inside.map(termOf));
      const distinct = found.size;
      const score = [...found].reduce((sum, term) => sum + 1 / frequency.get(term), 0);
      if (!best || distinct > best.distinct || (distinct === best.distinct && score > best.score)) {
        best = { index, inside, distinct, score };
      }
    });
    if (!best && titleOnly) {
      const index = sentences.findIndex((sentence) => !repeatsTitle(sentence));
      if (index >= 0) best = { index, inside: [], distinct: 0, score: 0 };
    }
    if (!best) return null;
    let [s, e] = sentences[best.index];
    if (e - s < 4 && best.index + 1 < sentences.length) e = sentences[best.index + 1][1];
    const whole = [s, e];
    if (e - s > MAX_SENTENCE_WORDS) {
      const around = best.inside.length ? best.inside : [s];
      const middle = Math.round((around[0] + around[around.length - 1]) / 2);
      s = Math.max(s, Math.min(middle - Math.floor(MAX_SENTENCE_WORDS / 2), e - MAX_SENTENCE_WORDS));
      e = s + MAX_SENTENCE_WORDS;
    }
    const out = document.createDocumentFragment();
    if (s > whole[0]) out.append("… ");
    const marked = new Set(hits);
    for (let i = s; i < e; i++) {
      if (i > s) out.append(" ");
      // the word is marked, not the punctuation around it ("Talesperson.")
      const parts = marked.has(i) && /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(words[i]);
      if (parts && parts[2]) out.append(parts[1], el("mark", { text: parts[2] }), parts[3]);
      else out.append(words[i]);
    }
    if (e < whole[1]) out.append(" …");
    return out;
  }

  class Search {
    constructor(root) {
      this.root = root;
      this.form = root.querySelector("form");
      this.input = root.querySelector("input[name=q]");
      this.isPage = root.hasAttribute("data-rapport-search-page");
      this.selected = {}; // filter name -> Set of values
      this.sortKey = "relevans";
      this.shown = 0;
      this.results = [];
      this.serial = 0;
      this.timer = null;
      this.allFilters = null;
      this.build();
      this.input.addEventListener("input", () => this.schedule());
      this.input.addEventListener("focus", () => this.warmUp(), { once: true });
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.run();
      });
      if (this.isPage) {
        const q = new URLSearchParams(window.location.search).get("q");
        if (q) this.input.value = q.slice(0, MAX_QUERY);
        this.input.focus();
        this.warmUp();
        if (q) this.run();
      }
    }

    build() {
      const id = (name) => `${this.isPage ? "rs-page" : "rs-dialog"}-${name}`;
      this.sortSelect = el("select", { id: id("sort"), class: "form-select form-select-sm" });
      for (const [key, spec] of Object.entries(SORTS)) this.sortSelect.append(el("option", { value: key, text: spec.label }));
      this.sortSelect.addEventListener("change", () => {
        this.sortKey = this.sortSelect.value;
        this.run();
      });
      this.status = el("p", { class: "rapport-search__status", role: "status", "aria-live": "polite" });
      this.facets = el("div", { class: "rapport-search__facets", role: "group", "aria-label": "Avgränsa sökningen" });
      // on a narrow screen the facets start folded, so the results are in view
      this.filterBox = el("details", { class: "rapport-search__filters" }, el("summary", { text: "Avgränsa" }), this.facets);
      const wide = window.matchMedia("(min-width: 641px)");
      this.filterBox.open = wide.matches;
      wide.addEventListener("change", () => {
        if (wide.matches) this.filterBox.open = true; // its summary is hidden there
      });
      this.list = el("ol", { class: "rapport-search__results", "aria-label": "Sökresultat" });
      this.more = el("button", { type: "button", class: "btn btn-sm btn-outline-secondary rapport-search__more", text: "Visa fler träffar" });
      this.more.hidden = true;
      this.more.addEventListener("click", () => this.showMore());
      const toolbar = el(
        "div",
        { class: "rapport-search__toolbar" },
        el("label", { for: id("sort"), text: "Sortera efter" }),
        this.sortSelect,
      );
      const main = el("div", { class: "rapport-search__main" }, this.status, this.list, this.more);
      this.panel = el("div", { class: "rapport-search__panel" }, toolbar, el("div", { class: "rapport-search__body" }, this.filterBox, main));
      this.panel.hidden = true;
      this.root.append(this.panel);
    }

    async warmUp() {
      try {
        // every facet's filter chunks: Pagefind counts a facet's values only when they
        // are loaded (without them År and Organ would not be offered)
        const pagefind = await loadPagefind();
        if (!this.allFilters) this.allFilters = await pagefind.filters();
      } catch (error) {
        this.status.textContent = "Sökningen kunde inte läsas in.";
        this.panel.hidden = false;
        console.warn("rapport-search:", error);
      }
    }

    query() {
      return this.input.value.slice(0, MAX_QUERY).trim();
    }

    filterArg() {
      const filters = {};
      for (const [name, values] of Object.entries(this.selected)) if (values.size) filters[name] = { any: [...values] };
      return filters;
    }

    /* The filters a search runs with: the writer's guide stays out unless chosen. */
    searchFilters(filters) {
      if (filters.Typ) return filters;
      return { ...filters, Typ: { none: [GUIDE_TYPE] } };
    }

    /* Relevance: reports and everything else searched apart, the reports' scores
     * raised (REPORT_BOOST), then merged by score. Several queries (the best-covered
     * word groups of a question, see relax) are merged the same way. */
    async rankedSearch(pagefind, queries, filters) {
      const chosen = filters.Typ ? filters.Typ.any : null;
      const others = chosen ? chosen.filter((type) => type !== REPORT_TYPE) : null;
      const merged = [];
      for (const q of queries) {
        const [reports, rest] = await Promise.all([
          !chosen || chosen.includes(REPORT_TYPE)
            ? pagefind.search(q, { filters: { ...filters, Typ: { any: [REPORT_TYPE] } } })
            : { results: [] },
          !others || others.length
            ? pagefind.search(q, { filters: { ...filters, Typ: others ? { any: others } : { none: [REPORT_TYPE, GUIDE_TYPE] } } })
            : { results: [] },
        ]);
        if (!reports || !rest) return null;
        for (const result of [...reports.results, ...rest.results]) result.rapportQuery = q;
        merged.push(...reports.results.map((result) => ({ result, score: result.score * REPORT_BOOST })));
        merged.push(...rest.results.map((result) => ({ result, score: result.score })));
      }
      merged.sort((a, b) => b.score - a.score);
      return merged.map((entry) => entry.result);
    }

    /* One Pagefind search per query, their results and facet counts together (the
     * queries of a relaxed question never find the same page, see relax). */
    async searchAll(pagefind, queries, options) {
      const parts = await Promise.all(queries.map((q) => pagefind.search(q, options)));
      if (parts.some((part) => part === null)) return null;
      parts.forEach((part, i) => part.results.forEach((result) => (result.rapportQuery = queries[i] || "")));
      const filters = {};
      for (const part of parts) {
        for (const [name, values] of Object.entries(part.filters || {})) {
          const sum = (filters[name] = filters[name] || {});
          for (const [value, n] of Object.entries(values)) sum[value] = (sum[value] || 0) + n;
        }
      }
      return { results: parts.flatMap((part) => part.results), filters };
    }

    /* No page has every word of the question: which pages have the most of them. One
     * search per word tells which words each page has; the pages with the most words
     * form groups by the words they have, and each group is one query (a page in two
     * groups would have more words than the most). */
    async relax(pagefind, terms, filters) {
      const each = await Promise.all(terms.map((term) => pagefind.search(term, { filters: this.searchFilters(filters) })));
      const has = new Map();
      each.forEach((found, i) => {
        for (const result of (found && found.results) || []) {
          if (!has.has(result.id)) has.set(result.id, new Set());
          has.get(result.id).add(i);
        }
      });
      const missing = terms.filter((_, i) => !each[i] || !each[i].results.length);
      if (!has.size) return { queries: [], matched: 0, missing };
      const matched = Math.max(...[...has.values()].map((words) => words.size));
      const groups = new Set();
      for (const words of has.values()) if (words.size === matched) groups.add([...words].sort((a, b) => a - b).join(","));
      const queries = [...groups].sort().map((key) => key.split(",").map((i) => terms[Number(i)]).join(" "));
      return { queries, matched, missing };
    }

    /* Sorted by date: Pagefind sorts within one part of the index, and each year lies
     * in one part, so the search goes year by year (newest or oldest first); merging
     * the parts by score would mix the years. */
    async sortedSearch(pagefind, queries, filters, sort) {
      if (!this.allFilters) this.allFilters = await pagefind.filters();
      const chosen = filters["År"] ? filters["År"].any : null;
      const years = Object.keys((this.allFilters && this.allFilters["År"]) || {})
        .filter((year) => !chosen || chosen.includes(year))
        .sort();
      const descending = sort[Object.keys(sort)[0]] === "desc";
      if (descending) years.reverse();
      const results = [];
      for (const year of years) {
        const options = { filters: this.searchFilters({ ...filters, "År": { any: [year] } }), sort };
        const part = await this.searchAll(pagefind, queries.length ? queries : [null], options);
        if (!part) return null;
        if (queries.length > 1) {
          // several queries' hits of one year, each list sorted: by the date they show
          const dated = await Promise.all(part.results.map(async (r) => [r, ((await dataOf(r)).meta || {}).datum || ""]));
          dated.sort((a, b) => (descending ? b[1].localeCompare(a[1]) : a[1].localeCompare(b[1])));
          results.push(...dated.map(([r]) => r));
        } else {
          results.push(...part.results);
        }
      }
      return { results };
    }

    schedule() {
      // Only the word as typed is searched, after a short pause: searching (or
      // preloading) its beginnings while the reader types fetched the index chunks of
      // every word with that beginning, which on the 520-report corpus took the first
      // query over 300 KB without making results appear sooner (measured both ways).
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
    }

    /* The search for one query: its words without the stop words, relaxed to the
     * best-covered groups of words when no page has them all; null after an error. */
    async find(pagefind, q, filters) {
      const plan = queryPlan(q);
      let queries = q ? [plan.text] : [null];
      let relaxed = null;
      let search = await this.searchAll(pagefind, queries, { filters: this.searchFilters(filters) });
      if (search && !search.results.length && plan.terms.length > 1 && plan.terms.length <= MAX_RELAXED_WORDS) {
        relaxed = await this.relax(pagefind, plan.terms, filters);
        if (relaxed.queries.length) {
          queries = relaxed.queries;
          search = await this.searchAll(pagefind, queries, { filters: this.searchFilters(filters) });
        }
      }
      if (q && search && search.results.length) {
        const ranked = await this.rankedSearch(pagefind, queries, filters);
        if (ranked) search = { ...search, results: ranked };
      }
      const sort = SORTS[this.sortKey].sort;
      if (sort && search) {
        // Pagefind leaves out pages without the sort key; undated pages (sida) are
        // listed after the dated ones, in order of relevance, instead of vanishing
        const sorted = await this.sortedSearch(pagefind, q ? queries : [], filters, sort);
        if (sorted) {
          const dated = new Set(sorted.results.map((r) => r.id));
          search = { ...search, results: [...sorted.results, ...search.results.filter((r) => !dated.has(r.id))] };
        }
      }
      return search && { search, plan, queries, relaxed };
    }

    async run() {
      clearTimeout(this.timer);
      const serial = ++this.serial;
      const q = this.query();
      const filters = this.filterArg();
      if (this.isPage) {
        const url = new URL(window.location.href);
        if (q) url.searchParams.set("q", q);
        else url.searchParams.delete("q");
        window.history.replaceState(null, "", url);
      }
      if (!q && !Object.keys(filters).length) {
        this.clear();
        return;
      }
      let pagefind, found;
      try {
        pagefind = await loadPagefind();
        if (!this.allFilters) this.allFilters = await pagefind.filters();
        found = await this.find(pagefind, q, filters);
      } catch (error) {
        if (serial !== this.serial) return;
        this.panel.hidden = false;
        this.status.textContent = "Sökningen kunde inte genomföras.";
        console.warn("rapport-search:", error);
        return;
      }
      if (serial !== this.serial || !found) return;
      const { search, plan, queries, relaxed } = found;
      // A group with a selection shows the counts without its own selection, so the
      // reader can add or switch values (the usual facet behaviour).
      const counts = { ...(search.filters || {}) };
      // Typ is always counted without its own selection, so "Skrivguide" is offered
      // even while the guide is left out
      for (const name of new Set([...Object.keys(filters), "Typ"])) {
        const others = { ...filters };
        delete others[name];
        try {
          const without = await this.searchAll(pagefind, queries, { filters: name === "Typ" ? others : this.searchFilters(others) });
          if (without && without.filters) counts[name] = without.filters[name] || {};
        } catch {
          /* keep the narrower counts */
        }
      }
      if (serial !== this.serial) return;
      this.results = search.results;
      this.shown = 0;
      this.list.replaceChildren();
      this.renderFacets(counts);
      this.panel.hidden = false;
      this.root.classList.add("rapport-search--active");
      this.panel.classList.toggle("rapport-search__panel--empty", !this.results.length);
      if (!this.results.length) {
        this.more.hidden = true;
        const suggestion = q ? await this.suggestion(pagefind, plan, filters) : null;
        if (serial !== this.serial) return;
        if (suggestion) {
          this.status.replaceChildren(`Inga träffar för ”${q}”. Menade du `, this.suggestionButton(suggestion), "?");
        } else {
          this.status.textContent = q
            ? `Inga träffar för ”${q}”. Kontrollera stavningen eller sök på ett annat ord.`
            : "Inga träffar.";
        }
      } else {
        const n = this.results.length;
        const count = n === 1 ? "1 träff" : `${n} träffar`;
        if (relaxed && relaxed.queries.length) {
          // the reader sees which words were found together, and a spelling that finds all
          const words = queries.map((query) => `”${query}”`).join(" eller ");
          const suggestion = relaxed.missing.length ? await this.suggestion(pagefind, plan, filters) : null;
          if (serial !== this.serial) return;
          const parts = [
            `Inga träffar har alla orden i ”${plan.text}”. ${count} med ${relaxed.matched} av ${plan.terms.length} ord: ${words}.`,
          ];
          if (suggestion) parts.push(" Menade du ", this.suggestionButton(suggestion), "?");
          this.status.replaceChildren(...parts);
        } else if (plan.dropped.length) {
          const quoted = plan.dropped.map((word) => `”${word}”`);
          const small = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} och ${quoted.at(-1)}` : quoted[0];
          this.status.textContent = `${count} för ”${plan.text}” (småord som ${small} räknas inte).`;
        } else {
          this.status.textContent = count;
        }
        // the first few hits go on screen as soon as their fragments are in; the rest
        // of the page follows (fragments of reports are the largest)
        await this.showMore(serial, FIRST_BATCH);
        if (serial !== this.serial) return;
        this.announce("rapport-search-visible", q);
        await this.showMore(serial, PAGE_SIZE - FIRST_BATCH);
        if (serial !== this.serial) return;
      }
      this.announce("rapport-search-visible", q);
      // for tests: every result of this query's first page is on screen
      this.announce("rapport-search-results", q);
    }

    /* "Menade du …?": the query's words spelt as the site spells them, offered only if
     * that finds something. */
    async suggestion(pagefind, plan, filters) {
      const spelt = await suggest(plan.text);
      if (!spelt) return null;
      try {
        const found = await pagefind.search(spelt, { filters: this.searchFilters(filters) });
        return found && found.results.length ? spelt : null;
      } catch {
        return null;
      }
    }

    suggestionButton(suggestion) {
      const button = el("button", { type: "button", class: "rapport-search__suggestion", text: suggestion });
      button.addEventListener("click", () => {
        this.input.value = suggestion;
        this.run();
        this.input.focus();
      });
      return button;
    }

    announce(name, q) {
      this.root.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: { query: q, count: this.results.length } }));
    }

    clear() {
      this.serial++;
      this.results = [];
      this.list.replaceChildren();
      this.facets.replaceChildren();
      this.status.textContent = "";
      this.more.hidden = true;
      this.panel.hidden = true;
      this.root.classList.remove("rapport-search--active");
    }

    async showMore(serial = this.serial, count = PAGE_SIZE) {
      const batch = this.results.slice(this.shown, this.shown + count);
      const data = await Promise.all(batch.map((result) => dataOf(result)));
      if (serial !== this.serial) return;
      // each hit with the words of the query that found it (a relaxed question has several)
      data.forEach((item, i) => this.list.append(this.renderResult(item, (batch[i].rapportQuery || "").split(/\s+/))));
      this.shown += batch.length;
      this.more.hidden = this.shown >= this.results.length;
    }

    renderResult(data, terms = []) {
      const meta = data.meta || {};
      const href = siteUrl(meta.url ? new URL(meta.url, rootUrl).href : data.url);
      const title = meta.title || data.url;
      const item = el("li", { class: "rapport-search__result" });
      const type = (data.filters && data.filters["Typ"] && data.filters["Typ"][0]) || "";
      const line = el("p", { class: "rapport-search__meta" });
      if (type) line.append(el("span", { class: "rapport-search__type", text: TYPE_LABELS[type] || type }));
      if (meta.datum) line.append(el("time", { datetime: meta.datum, text: meta.datumtext || meta.datum }));
      const organ = data.filters && data.filters["Organ"];
      if (organ && organ.length) line.append(el("span", { class: "rapport-search__organ", text: organ.join(", ") }));
      item.append(line);
      item.append(el("p", { class: "rapport-search__title" }, href ? el("a", { href, text: title }) : el("span", { text: title })));
      // the sentence that answers, else Pagefind's own excerpt
      const answer =
        answerNodes(data.content, data.locations, 0, title, terms) || excerptNodes(data.excerpt);
      item.append(el("p", { class: "rapport-search__excerpt" }, answer));
      // the page's own h1 comes back as a sub-result named like the page: not shown twice
      const subs = (data.sub_results || []).filter((sub) => sub.anchor && sub.url !== data.url && sub.title !== title);
      if (subs.length) {
        const best = [...subs].sort((a, b) => (b.locations || []).length - (a.locations || []).length).slice(0, MAX_SUB_RESULTS);
        const list = el("ul", { class: "rapport-search__subresults" });
        const shown = item.querySelector(".rapport-search__excerpt").textContent;
        for (const sub of subs.filter((s) => best.includes(s))) {
          const subHref = siteUrl(sub.url);
          const link = subHref ? el("a", { href: subHref, text: sub.title }) : el("span", { text: sub.title });
          const entry = el("li", {}, el("p", { class: "rapport-search__subtitle" }, link));
          const from = (sub.anchor && sub.anchor.location) || 0;
          const answer =
            answerNodes(data.content, sub.locations, from, sub.title, terms) || excerptNodes(sub.excerpt);
          // the section's link alone when its sentence is shown above already
          if (!shown.includes(answer.textContent)) entry.append(el("p", { class: "rapport-search__excerpt" }, answer));
          list.append(entry);
        }
        item.append(list);
      }
      return item;
    }

    renderFacets(available) {
      const names = Object.keys(this.allFilters || available).sort(
        (a, b) => FILTER_ORDER.indexOf(a) - FILTER_ORDER.indexOf(b),
      );
      this.facets.replaceChildren();
      for (const name of names) {
        const counts = available[name] || {};
        const selected = this.selected[name] || new Set();
        let values = Object.keys((this.allFilters || available)[name] || {}).filter((v) => counts[v] > 0 || selected.has(v));
        if (!values.length) continue;
        if (name === "Typ") values.sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
        else if (name === "År") values.sort((a, b) => b.localeCompare(a));
        else values.sort((a, b) => a.localeCompare(b, "sv"));
        const group = el("fieldset", { class: "rapport-search__facet" }, el("legend", { text: name }));
        for (const value of values) {
          const box = el("input", { type: "checkbox", value });
          box.checked = selected.has(value);
          box.addEventListener("change", () => {
            const set = (this.selected[name] = this.selected[name] || new Set());
            if (box.checked) set.add(value);
            else set.delete(value);
            this.run();
          });
          const label = name === "Typ" ? TYPE_LABELS[value] || value : value;
          const text = el("span", { text: `${label} ` }, el("span", { class: "rapport-search__count", text: `(${counts[value] || 0})` }));
          group.append(el("label", { class: "rapport-search__option" }, box, text));
        }
        this.facets.append(group);
      }
    }
  }

  function start() {
    for (const root of document.querySelectorAll("[data-rapport-search]")) {
      if (!root.rapportSearch) root.rapportSearch = new Search(root);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
