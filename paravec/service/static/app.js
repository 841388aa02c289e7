// paravec search page: plain DOM, no framework, no build step, no network beyond this server.
// Every piece of text from the server is inserted with textContent / text nodes, never as HTML,
// so document text, titles and tags cannot inject markup or script (XSS-safe by construction).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  const qInput = $("q");
  const modeSelect = $("mode");
  const expandBox = $("expand");
  const results = $("results");
  const summary = $("summary");
  const detail = $("detail");
  const status = $("status");
  const indexInfo = $("index-info");
  const examples = $("examples");
  const MODES = ["hybrid", "keyword", "vector", "document"];

  const initialSummary = summary.textContent;
  let lastSearchKey = null;
  let searchSeq = 0;
  let detailSeq = 0;

  // ---- small helpers --------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fmtScore(score) {
    return typeof score === "number" ? score.toFixed(3) : "–";
  }

  function showError(message) {
    status.textContent = message;
    status.className = "status error";
  }

  function clearStatus() {
    status.textContent = "";
    status.className = "status";
  }

  async function api(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, options));
    } catch (err) {
      throw new Error("the server cannot be reached (" + err.message + ")");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (!response.ok) {
      const detailText = body && typeof body.detail === "string" ? body.detail : response.statusText;
      throw new Error(detailText + " (HTTP " + response.status + ")");
    }
    return body;
  }

  const enc = encodeURIComponent;

  // ---- navigation state lives in the URL fragment: #q=..&mode=..&doc=.. or &word=.. -----

  function readState() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    return {
      q: params.get("q") || "",
      mode: params.get("mode") || "hybrid",
      expand: params.get("expand") === "1",
      doc: params.get("doc"),
      word: params.get("word"),
    };
  }

  function writeState(state) {
    const params = new URLSearchParams();
    if (state.q) {
      params.set("q", state.q);
      params.set("mode", state.mode || "hybrid");
      if (state.expand) params.set("expand", "1");
    }
    if (state.doc !== null && state.doc !== undefined) params.set("doc", state.doc);
    else if (state.word !== null && state.word !== undefined) params.set("word", state.word);
    const hash = "#" + params.toString();
    if (location.hash !== hash) location.hash = hash;
    else route();
  }

  function go(changes) {
    writeState(Object.assign(readState(), changes));
  }

  function docLink(tag, title) {
    return el("a", {
      class: "doc-link",
      href: "#",
      "data-tag": tag,
      onclick: (ev) => { ev.preventDefault(); go({ doc: tag, word: null }); },
    }, title || tag);
  }

  function wordChip(word, score) {
    return el("button", {
      type: "button",
      class: "word",
      "data-word": word,
      title: "score " + fmtScore(score),
      onclick: () => go({ word: word, doc: null }),
    }, word, el("span", { class: "chip-score" }, fmtScore(score)));
  }

  function docList(items) {
    if (!items.length) return el("p", { class: "muted" }, "none");
    return el("ol", { class: "doc-list" }, ...items.map((d) =>
      el("li", {}, docLink(d.tag, d.title), el("span", { class: "score" }, fmtScore(d.score)),
        d.title && d.title !== d.tag ? el("span", { class: "tag" }, d.tag) : null)));
  }

  function wordList(items) {
    if (!items.length) return el("p", { class: "muted" }, "none");
    return el("div", { class: "chips" }, ...items.map((w) => wordChip(w.word, w.score)));
  }

  // ---- search ---------------------------------------------------------------------------

  function renderHit(hit, rank) {
    const snippet = el("p", { class: "snippet" });
    for (const part of hit.snippet_parts) {
      snippet.append(part.match ? el("mark", {}, part.text) : document.createTextNode(part.text));
    }
    const ranks = [];
    if (hit.keyword_rank !== null) ranks.push("keyword #" + hit.keyword_rank);
    if (hit.vector_rank !== null) ranks.push("vector #" + hit.vector_rank);
    return el("li", { class: "hit", "data-tag": hit.tag },
      el("div", { class: "hit-head" },
        el("span", { class: "rank" }, String(rank) + "."),
        docLink(hit.tag, hit.title),
        el("span", { class: "why why-" + hit.why, title: "why it matched" }, hit.why),
        el("span", { class: "score", title: "score" }, fmtScore(hit.score))),
      snippet,
      el("div", { class: "hit-meta" },
        el("span", { class: "tag" }, hit.tag),
        ranks.length ? el("span", { class: "ranks" }, ranks.join(" · ")) : null));
  }

  function shortQuery(text) {
    const words = text.trim().split(/\s+/);
    return words.length > 12 ? words.slice(0, 12).join(" ") + "…" : text.trim();
  }

  async function runSearch(state) {
    const seq = ++searchSeq;
    summary.textContent = "Searching…";
    results.replaceChildren();
    examples.hidden = true;
    try {
      // A whole document is longer than a URL should be: document mode posts it.
      const data = state.mode === "document"
        ? await api("/api/similar", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ text: state.q, k: 20 }),
        })
        : await api("/api/search?q=" + enc(state.q) + "&mode=" + enc(state.mode) + "&k=20" +
          (state.expand ? "&expand=true" : ""));
      if (seq !== searchSeq) return;
      clearStatus();
      const what = data.mode === "document" ? "documents like “" + shortQuery(data.query) + "”"
        : "“" + data.query + "”";
      summary.textContent = data.hits.length + " result" + (data.hits.length === 1 ? "" : "s") +
        " for " + what + " (" + data.mode + ", " + data.took_ms + " ms)";
      results.replaceChildren(...data.hits.map((h, i) => renderHit(h, i + 1)));
    } catch (err) {
      if (seq !== searchSeq) return;
      summary.textContent = "";
      showError(err.message);
    }
  }

  // ---- details --------------------------------------------------------------------------

  function section(title, body) {
    return el("section", { class: "panel" }, el("h3", {}, title), body);
  }

  async function showDocument(tag) {
    const seq = ++detailSeq;
    detail.hidden = false;
    detail.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    try {
      const [doc, words, similar] = await Promise.all([
        api("/api/document?tag=" + enc(tag)),
        api("/api/documents/" + enc(tag) + "/words?k=15"),
        api("/api/documents/" + enc(tag) + "/similar?k=8"),
      ]);
      if (seq !== detailSeq) return;
      clearStatus();
      const text = el("p", { class: "doc-text" }, doc.text.length > 1200 ? doc.text.slice(0, 1200) + "…" : doc.text);
      if (doc.text.length > 1200) {
        text.append(" ", el("button", { type: "button", class: "link", onclick: (ev) => {
          ev.target.remove(); text.textContent = doc.text; } }, "show all"));
      }
      detail.replaceChildren(
        el("div", { class: "detail-head" },
          el("span", { class: "kind" }, "document"),
          el("h2", { id: "detail-title" }, doc.title || doc.tag),
          el("span", { class: "tag" }, doc.tag)),
        section("Nearest words", wordList(words.words)),
        section("Similar documents", docList(similar.documents)),
        section("Text", text));
      detail.setAttribute("data-kind", "document");
    } catch (err) {
      if (seq !== detailSeq) return;
      detail.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  async function showWord(word) {
    const seq = ++detailSeq;
    detail.hidden = false;
    detail.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    try {
      const [neighbors, docs] = await Promise.all([
        api("/api/words/" + enc(word) + "/neighbors?k=15"),
        api("/api/words/" + enc(word) + "/documents?k=8"),
      ]);
      if (seq !== detailSeq) return;
      clearStatus();
      detail.replaceChildren(
        el("div", { class: "detail-head" },
          el("span", { class: "kind" }, "word"),
          el("h2", { id: "detail-title" }, neighbors.word),
          el("button", { type: "button", class: "link", onclick: () => go({ q: neighbors.word, doc: null, word: null }) },
            "search for it")),
        section("Neighbour words", wordList(neighbors.words)),
        section("Documents near this word", docList(docs.documents)));
      detail.setAttribute("data-kind", "word");
    } catch (err) {
      if (seq !== detailSeq) return;
      detail.replaceChildren(el("p", { class: "error" }, err.message));
    }
  }

  // ---- explore --------------------------------------------------------------------------

  $("explore-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("explore-out");
    const text = $("explore-text").value;
    out.replaceChildren(el("p", { class: "muted" }, "Inferring…"));
    try {
      const data = await api("/api/explore", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ text: text, k: 10 }),
      });
      out.replaceChildren(section("Nearest words", wordList(data.words)),
        section("Nearest documents", docList(data.documents)));
    } catch (err) {
      out.replaceChildren(el("p", { class: "error" }, err.message));
    }
  });

  // ---- wiring ---------------------------------------------------------------------------

  function route() {
    const state = readState();
    qInput.value = state.q;
    modeSelect.value = MODES.includes(state.mode) ? state.mode : "hybrid";
    expandBox.checked = state.expand;
    const key = state.q ? JSON.stringify([state.q, state.mode, state.expand]) : null;
    if (key && key !== lastSearchKey) {
      lastSearchKey = key;
      runSearch(state);
    }
    if (state.doc !== null) showDocument(state.doc);
    else if (state.word !== null) showWord(state.word);
    else { detail.hidden = true; detail.replaceChildren(); }
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = qInput.value;
    if (!q.trim()) {
      showError("Type at least one word to search.");
      return;
    }
    lastSearchKey = null; // pressing Search again re-runs the same query
    writeState({ q: q, mode: modeSelect.value, expand: expandBox.checked, doc: null, word: null });
  });

  modeSelect.addEventListener("change", () => {
    if (qInput.value.trim()) form.requestSubmit();
  });

  $("home").addEventListener("click", (ev) => {
    ev.preventDefault();
    lastSearchKey = null;
    results.replaceChildren();
    summary.textContent = initialSummary;
    examples.hidden = !examples.childNodes.length;
    clearStatus();
    qInput.value = "";
    history.pushState(null, "", location.pathname);
    route();
    qInput.focus();
  });

  // ---- what is served: name, size, version, example queries --------------------------------

  async function showInfo() {
    try {
      const info = await api("/api/info");
      const parts = [
        el("strong", { id: "index-name" }, info.name),
        el("span", { id: "index-size" }, " · " + info.documents.toLocaleString("en") + " documents · " +
          info.words.toLocaleString("en") + " words"),
        el("span", { id: "index-version", class: "muted" }, " · version " + info.version),
      ];
      if (info.writable) parts.push(el("span", { class: "muted" }, " · writable"));
      indexInfo.replaceChildren(...parts);
      if (info.examples.length) {
        examples.replaceChildren("Try: ", ...info.examples.map((q, i) => [
          i ? ", " : "",
          el("a", { href: "#", class: "example", "data-query": q, onclick: (ev) => {
            ev.preventDefault(); go({ q: q, mode: modeSelect.value === "document" ? "hybrid" : modeSelect.value,
              doc: null, word: null }); } }, q),
        ]).flat());
        examples.hidden = Boolean(readState().q);
      }
    } catch (err) {
      indexInfo.textContent = "";
    }
  }

  window.addEventListener("hashchange", route);
  route();
  showInfo().then(() => document.body.setAttribute("data-ready", "1"));
})();
