// The query workbench: a SPARQL editor, a saved-query picker, a sortable results
// table, CSV/JSON downloads and a shareable link.
//
// Plain browser JavaScript, no build step. Data from the graph or the user is
// only ever inserted with textContent / createElement: labels may hold markup.
"use strict";

(() => {
  const DATA = JSON.parse(document.getElementById("page-data").textContent);
  const T = DATA.messages;
  const LANG = DATA.lang;
  const NAMESPACES = { ...DATA.prefixes, ...DATA.entityPrefixes };
  const SPARQL_JSON = "application/sparql-results+json";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMERIC_TYPES = new Set(
    [
      "integer", "decimal", "double", "float", "long", "int", "short", "byte",
      "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
      "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    ].map((t) => XSD + t),
  );
  const collator = new Intl.Collator("ja", { numeric: true, sensitivity: "base" });

  const $ = (id) => document.getElementById(id);
  const ui = {
    select: $("saved-select"),
    savedStatus: $("saved-status"),
    savedDetails: $("saved-details"),
    savedDescription: $("saved-description"),
    paramFields: $("saved-param-fields"),
    showSavedText: $("show-saved-text"),
    editorPanel: $("editor-panel"),
    insertPrefixes: $("insert-prefixes"),
    run: $("run"),
    runStatus: $("run-status"),
    rowCount: $("row-count"),
    truncated: $("truncated"),
    error: $("error"),
    errorDetail: $("error-detail"),
    placeholder: $("results-placeholder"),
    sortHint: $("sort-hint"),
    table: $("results-table"),
    csv: $("download-csv"),
    json: $("download-json"),
    shareLink: $("share-link"),
    shareCopy: $("share-copy"),
    results: $("results"),
  };

  const state = {
    saved: new Map(), // name -> saved-query description from the API
    result: null, // { vars, rows, boolean, truncated }
    sort: { column: null, descending: false },
    controller: null, // AbortController of the query in flight
  };

  // ---------------------------------------------------------------- helpers

  /** A catalogue message with {placeholders} filled in. */
  function msg(key, values = {}) {
    return (T[key] || key).replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }

  /** createElement with a class and text in one go. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /** A field of a saved-query description in the page language: {ja, en}, field_ja or plain. */
  function localized(obj, field) {
    const value = obj[field];
    if (value && typeof value === "object") return value[LANG] || value.ja || value.en || "";
    return obj[`${field}_${LANG}`] || value || obj[`${field}_ja`] || obj[`${field}_en`] || "";
  }

  /** "pg:Village" for an IRI under a known namespace (longest match), else the IRI itself. */
  function shortIri(iri) {
    let best = null;
    for (const [prefix, ns] of Object.entries(NAMESPACES)) {
      if (iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) {
        best = [prefix, ns];
      }
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
  }

  // ---------------------------------------------------------------- editor

  const editor = CodeMirror.fromTextArea($("query-editor"), {
    mode: "sparql",
    lineNumbers: true,
    lineWrapping: true,
    indentUnit: 2,
    tabSize: 2,
    screenReaderLabel: T.editor_label,
    extraKeys: {
      "Ctrl-Enter": () => run(),
      "Cmd-Enter": () => run(),
      "Ctrl-Space": (cm) => cm.showHint(),
    },
    hintOptions: {
      hint: sparqlHint,
      completeSingle: false,
      // ':' must not close the list: "pg:" continues into "pg:Village".
      closeCharacters: /[\s()[\]{};>,]/,
    },
  });

  /** The prefixed name being typed before the cursor, or null inside a variable/IRI/string. */
  function wordAtCursor(cm) {
    const cur = cm.getCursor();
    const line = cm.getLine(cur.line);
    let start = cur.ch;
    while (start > 0 && /[\w\-:]/.test(line.charAt(start - 1))) start--;
    if (start > 0 && /[?$"'<@#_]/.test(line.charAt(start - 1))) return null;
    const token = cm.getTokenAt(cur);
    if (token.type === "string" || token.type === "comment") return null;
    return { word: line.slice(start, cur.ch), from: CodeMirror.Pos(cur.line, start), to: cur };
  }

  /** Completion: prefix names ("pg:") first, then the graph's terms under that prefix. */
  function sparqlHint(cm) {
    const at = wordAtCursor(cm);
    if (!at) return null;
    const { word } = at;
    let list;
    if (!word.includes(":")) {
      list = Object.entries(NAMESPACES)
        .filter(([prefix]) => prefix.startsWith(word))
        .map(([prefix, ns]) => ({
          text: `${prefix}:`,
          detail: ns,
          hint: pickPrefix,
          render: renderHint,
        }));
    } else {
      list = DATA.terms
        .filter((term) => term.curie.startsWith(word) && term.curie !== word)
        .map((term) => ({
          text: term.curie,
          detail: term[LANG] || term.ja || term.en || "",
          hint: pickTerm,
          render: renderHint,
        }));
    }
    return list.length ? { list, from: at.from, to: at.to } : null;
  }

  /** A completion row: the name, then its namespace or label in grey (text only). */
  function renderHint(element, _data, completion) {
    element.append(el("span", "hint-name", completion.text));
    if (completion.detail) element.append(el("span", "hint-detail", completion.detail));
  }

  function pickPrefix(cm, data, completion) {
    cm.replaceRange(completion.text, data.from, data.to, "complete");
    ensurePrefixes([completion.text.slice(0, -1)]);
    setTimeout(() => cm.showHint(), 0); // go on to the terms under this prefix
  }

  function pickTerm(cm, data, completion) {
    cm.replaceRange(completion.text, data.from, data.to, "complete");
    ensurePrefixes([completion.text.split(":")[0]]);
  }

  /** Add the PREFIX lines the query lacks for the given prefixes, at the top. */
  function ensurePrefixes(prefixes) {
    const text = editor.getValue();
    const missing = prefixes.filter(
      (p) => NAMESPACES[p] && !new RegExp(`^\\s*PREFIX\\s+${p}:`, "im").test(text),
    );
    if (!missing.length) return;
    const lines = missing.map((p) => `PREFIX ${p}: <${NAMESPACES[p]}>\n`).join("");
    editor.replaceRange(lines, CodeMirror.Pos(0, 0));
  }

  // Open the completion list while a prefixed name is typed (not for keywords or variables).
  editor.on("inputRead", (cm, change) => {
    if (cm.state.completionActive || change.origin !== "+input") return;
    if (!/^[\w:-]$/.test(change.text.join(""))) return;
    const at = wordAtCursor(cm);
    if (at && (at.word.includes(":") || at.word.length >= 2)) cm.showHint();
  });

  editor.on("change", () => updateShareLink());

  ui.insertPrefixes.addEventListener("click", () => {
    ensurePrefixes(Object.keys(NAMESPACES));
    editor.focus();
  });

  // ---------------------------------------------------------------- saved queries

  async function loadSavedQueries() {
    try {
      const response = await fetch(DATA.endpoints.queries, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(await problemDetail(response));
      const body = await response.json();
      const items = Array.isArray(body) ? body : body.queries || body.items || [];
      for (const item of items) addSavedOption(item);
      ui.savedStatus.textContent = msg("saved_count", { n: items.length });
      ui.savedStatus.dataset.state = "loaded";
    } catch (error) {
      ui.savedStatus.textContent = `${T.saved_load_failed}: ${error.message}`;
      ui.savedStatus.dataset.state = "failed";
    }
  }

  function addSavedOption(item) {
    state.saved.set(item.name, item);
    const option = el("option", null, localized(item, "title") || item.name);
    option.value = item.name;
    ui.select.append(option);
  }

  function currentSaved() {
    return state.saved.get(ui.select.value) || null;
  }

  /** Show the chosen saved query's description and parameter fields (or the free editor). */
  function showSaved(values = {}) {
    const item = currentSaved();
    ui.savedDetails.hidden = !item;
    ui.editorPanel.hidden = Boolean(item);
    ui.paramFields.replaceChildren();
    if (item) {
      ui.savedDescription.textContent = localized(item, "description");
      const params = item.params || [];
      if (!params.length) ui.paramFields.append(el("p", "muted", T.params_none));
      for (const param of params) ui.paramFields.append(paramField(param, values[param.name]));
      ui.showSavedText.hidden = !savedText(item);
    } else {
      editor.refresh(); // CodeMirror measures wrong while hidden
    }
    updateShareLink();
  }

  function savedText(item) {
    return item.sparql || item.query || item.text || "";
  }

  /** One labelled form control per parameter, chosen by its type. */
  function paramField(param, given) {
    const id = `param-${param.name}`;
    const wrap = el("div", "field");
    const label = el("label", "field-label", localized(param, "label") || param.name);
    label.htmlFor = id;
    if (param.required) label.append(el("span", "required-mark", T.param_required));
    const value = given ?? (param.default === null || param.default === undefined ? "" : param.default);
    const control = param.type === "agreement-type" ? agreementSelect(param, value) : paramInput(param);
    control.id = id;
    control.name = param.name;
    control.dataset.param = param.name;
    control.required = Boolean(param.required);
    control.value = String(value);
    control.addEventListener("input", () => updateShareLink());
    wrap.append(label, control);
    return wrap;
  }

  function paramInput(param) {
    const input = document.createElement("input");
    const type = param.type;
    input.type = { year: "number", integer: "number", date: "date" }[type] || "text";
    if (type === "year") Object.assign(input, { min: 1, max: 9999, step: 1 });
    if (type === "integer") input.step = 1;
    if (type === "iri") input.inputMode = "url";
    const example = param.example === null || param.example === undefined ? "" : String(param.example);
    if (example) input.placeholder = msg("param_example", { value: example });
    else if (type === "organization") input.placeholder = T.param_org_placeholder;
    else if (type === "iri") input.placeholder = T.param_iri_placeholder;
    input.autocomplete = "off";
    return input;
  }

  /** A menu of agreement types, labelled in the page language; "(any)" unless one is required. */
  function agreementSelect(param, value) {
    const select = document.createElement("select");
    if (!param.required || !value) {
      const any = el("option", null, T.param_any);
      any.value = "";
      select.append(any);
    }
    const labels = new Map(DATA.agreementTypes.map((t) => [t.value, t[LANG] || t.ja || t.value]));
    const values = param.choices || DATA.agreementTypes.map((t) => t.value);
    for (const choice of value && !values.includes(value) ? [...values, value] : values) {
      const option = el("option", null, labels.get(choice) || choice);
      option.value = choice;
      select.append(option);
    }
    return select;
  }

  /** name -> value of the filled-in parameter fields (empty ones left out: the server's default). */
  function paramValues() {
    const values = {};
    for (const control of ui.paramFields.querySelectorAll("[data-param]")) {
      if (control.value !== "") values[control.dataset.param] = control.value;
    }
    return values;
  }

  ui.run.addEventListener("click", () => run());
  ui.select.addEventListener("change", () => showSaved());
  ui.showSavedText.addEventListener("click", () => {
    const item = currentSaved();
    ui.select.value = "";
    showSaved();
    editor.setValue(savedText(item));
    editor.focus();
  });
  ui.savedDetails.addEventListener("keydown", (event) => {
    // Plain Enter in a field runs the query (Ctrl+Enter is handled for the whole page below).
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && event.target.matches("input")) {
      event.preventDefault();
      run();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !editor.hasFocus()) {
      event.preventDefault();
      run();
    }
  });

  // ---------------------------------------------------------------- running

  /** Run the chosen saved query or the editor's text and show the answer. */
  async function run() {
    const item = currentSaved();
    if (item && !paramsValid()) return;
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    const url = item ? savedQueryUrl(item) : `${DATA.endpoints.sparql}?query=${encodeURIComponent(editor.getValue())}`;
    updateShareLink(true);
    setBusy(true);
    try {
      const response = await fetch(url, {
        headers: { Accept: item ? "application/json" : SPARQL_JSON },
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(await problemDetail(response));
      let body;
      try {
        body = await response.json();
      } catch {
        throw new Error(T.error_unexpected);
      }
      const truncated = response.headers.get("Partnergraph-Truncated") === "true" || body.truncated === true;
      showResult({ ...normalise(body), truncated, columns: item ? item.columns || {} : {} });
    } catch (error) {
      if (error.name !== "AbortError") showError(error.message);
    } finally {
      if (state.controller === controller) {
        state.controller = null;
        setBusy(false);
      }
    }
  }

  /** Let the browser point at the first required or ill-formed parameter, if any. */
  function paramsValid() {
    for (const control of ui.paramFields.querySelectorAll("[data-param]")) {
      if (!control.checkValidity()) {
        control.reportValidity();
        return false;
      }
    }
    return true;
  }

  function savedQueryUrl(item) {
    const search = new URLSearchParams(paramValues());
    search.set("format", "json");
    search.set("limit", String(DATA.pageSize)); // the largest page the API gives
    return `${DATA.endpoints.queries}/${encodeURIComponent(item.name)}?${search}`;
  }

  function setBusy(busy) {
    if (busy) ui.results.dataset.state = "running";
    ui.run.disabled = busy;
    ui.runStatus.textContent = busy ? T.running : "";
  }

  /** The text to show for a failed response: problem+json's detail, else the status. */
  async function problemDetail(response) {
    try {
      const problem = await response.json();
      if (problem && (problem.detail || problem.title)) return String(problem.detail || problem.title);
    } catch {
      /* not JSON: fall through */
    }
    return msg("error_status", { status: response.status });
  }

  /** SPARQL JSON, or a plain table ({columns, rows} / a list of objects), as vars + bindings. */
  function normalise(body) {
    if (typeof body.boolean === "boolean") return { boolean: body.boolean, vars: [], rows: [] };
    if (body.head && body.results) {
      return { vars: body.head.vars || [], rows: body.results.bindings || [] };
    }
    const records = Array.isArray(body) ? body : body.rows || body.results || [];
    let vars = body.columns || body.vars || [];
    if (!vars.length && records.length && !Array.isArray(records[0])) vars = Object.keys(records[0]);
    const rows = records.map((record) => {
      const row = {};
      vars.forEach((name, i) => {
        const value = Array.isArray(record) ? record[i] : record[name];
        if (value !== null && value !== undefined) row[name] = plainBinding(value);
      });
      return row;
    });
    return { vars, rows };
  }

  /** A SPARQL JSON binding for a plain JSON value (already a binding if it has a type). */
  function plainBinding(value) {
    if (value && typeof value === "object" && "type" in value && "value" in value) return value;
    if (typeof value === "number") {
      return { type: "literal", value: String(value), datatype: XSD + (Number.isInteger(value) ? "integer" : "decimal") };
    }
    const text = String(value);
    return /^https?:\/\/\S+$/.test(text) ? { type: "uri", value: text } : { type: "literal", value: text };
  }

  // ---------------------------------------------------------------- results

  function showError(detail) {
    state.result = null;
    ui.results.dataset.state = "error";
    ui.error.hidden = false;
    ui.errorDetail.textContent = detail;
    ui.table.hidden = true;
    ui.truncated.hidden = true;
    ui.sortHint.hidden = true;
    ui.placeholder.hidden = true;
    ui.rowCount.textContent = "";
    ui.csv.disabled = ui.json.disabled = true;
  }

  function showResult(result) {
    state.result = result;
    ui.results.dataset.state = "done";
    state.sort = { column: null, descending: false };
    ui.error.hidden = true;
    ui.truncated.hidden = !result.truncated;
    ui.csv.disabled = ui.json.disabled = false;
    if (result.boolean !== undefined) {
      ui.table.hidden = true;
      ui.sortHint.hidden = true;
      ui.placeholder.hidden = false;
      ui.placeholder.textContent = result.boolean ? T.ask_true : T.ask_false;
      ui.rowCount.textContent = "";
      return;
    }
    state.rows = mergeSources(result);
    ui.rowCount.textContent = msg("row_count", { n: state.rows.length.toLocaleString(LANG) });
    ui.placeholder.hidden = result.rows.length > 0;
    ui.placeholder.textContent = T.no_rows;
    ui.sortHint.hidden = result.rows.length < 2;
    ui.table.hidden = false;
    renderHead();
    renderBody();
  }

  // Columns that say where a fact comes from: rows differing only in these are one fact,
  // shown once with all its sources (the downloads keep one row per source).
  const SOURCE_COLUMNS = new Set(["document", "document_title", "url", "section", "page", "quote", "source", "source_title"]);

  /** The rows to show: rows equal outside the source columns merged, their sources listed. */
  function mergeSources(result) {
    const sources = result.vars.filter((name) => SOURCE_COLUMNS.has(name));
    if (!sources.length || sources.length === result.vars.length) return result.rows;
    const facts = result.vars.filter((name) => !SOURCE_COLUMNS.has(name));
    const merged = new Map();
    for (const row of result.rows) {
      const key = JSON.stringify(facts.map((name) => (row[name] ? [row[name].type, row[name].value] : null)));
      if (!merged.has(key)) {
        const first = { ...row };
        for (const name of sources) first[name] = { type: "list", values: [] };
        merged.set(key, first);
      }
      const target = merged.get(key);
      for (const name of sources) {
        const list = target[name].values;
        const term = row[name];
        if (term && !list.some((t) => t.value === term.value)) list.push(term);
      }
    }
    return [...merged.values()];
  }

  /** A column's heading: the saved query's heading in the page language, else the variable. */
  function heading(name) {
    const labels = (state.result.columns || {})[name];
    return labels ? labels[LANG] || labels.ja || name : name;
  }

  function renderHead() {
    const row = document.createElement("tr");
    for (const name of state.result.vars) {
      const th = el("th");
      th.scope = "col";
      const button = el("button", "sort-button");
      button.type = "button";
      const label = el("span", null, heading(name));
      if (label.textContent !== name) label.title = `?${name}`;
      button.append(label, el("span", "sort-mark"));
      button.addEventListener("click", () => sortBy(name));
      th.append(button);
      th.dataset.column = name;
      row.append(th);
    }
    ui.table.tHead.replaceChildren(row);
  }

  function renderBody() {
    const body = document.createDocumentFragment();
    for (const binding of state.rows) {
      const tr = document.createElement("tr");
      for (const name of state.result.vars) tr.append(cell(binding[name]));
      body.append(tr);
    }
    ui.table.tBodies[0].replaceChildren(body);
    for (const th of ui.table.tHead.querySelectorAll("th")) {
      const sorted = th.dataset.column === state.sort.column;
      th.setAttribute("aria-sort", sorted ? (state.sort.descending ? "descending" : "ascending") : "none");
      th.querySelector(".sort-mark").textContent = sorted ? (state.sort.descending ? "▼" : "▲") : "";
    }
  }

  /** One table cell for an RDF term: links for IRIs, language tags, numbers right-aligned. */
  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "list") {
      // One fact's sources: each on a line of its own.
      for (const item of term.values) {
        const line = el("div", "source-line");
        line.append(cell(item).firstChild || "");
        td.append(line);
      }
      return td;
    }
    if (term.type === "uri") {
      td.append(iriNode(term.value));
    } else if (term.type === "bnode") {
      td.append(el("span", "bnode", `_:${term.value}`));
    } else if (term.type === "triple") {
      td.textContent = `<< ${termText(term.value.subject)} ${termText(term.value.predicate)} ${termText(term.value.object)} >>`;
    } else {
      td.append(el("span", "literal", term.value));
      // The language tag or datatype is there on hover; inline it would clutter every row.
      if (term["xml:lang"]) td.title = `@${term["xml:lang"]}`;
      else if (term.datatype) td.title = shortIri(term.datatype);
      if (term.datatype && NUMERIC_TYPES.has(term.datatype)) td.className = "num";
    }
    return td;
  }

  /** A link for http(s) IRIs: same tab on this server, a new one elsewhere; text otherwise. */
  function iriNode(iri) {
    let url = null;
    try {
      url = new URL(iri);
    } catch {
      /* not a URL: shown as text */
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      const span = el("span", "iri", shortIri(iri));
      span.title = iri;
      return span;
    }
    const link = el("a", "iri", shortIri(iri));
    link.href = iri;
    link.title = iri;
    if (url.origin !== window.location.origin) {
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    return link;
  }

  /** The text a cell shows: short IRIs, literal values. Used for sorting too. */
  function termText(term) {
    if (!term) return "";
    if (term.type === "list") return term.values.map(termText).join(" ");
    if (term.type === "uri") return shortIri(term.value);
    if (term.type === "bnode") return `_:${term.value}`;
    if (term.type === "triple") return "<< >>";
    return term.value;
  }

  /** A number for sorting: a numeric datatype, or a plain literal that reads as one. */
  function isNumeric(term) {
    if (!term || term.type !== "literal") return false;
    if (term.datatype) return NUMERIC_TYPES.has(term.datatype);
    return /^-?\d+(\.\d+)?$/.test(term.value);
  }

  /** Sort the shown rows by a column: again on the same column reverses. */
  function sortBy(column) {
    const sort = state.sort;
    sort.descending = sort.column === column ? !sort.descending : false;
    sort.column = column;
    const rows = state.rows;
    const numeric = rows.every((row) => !row[column] || isNumeric(row[column]));
    const direction = sort.descending ? -1 : 1;
    rows.sort((a, b) => {
      const x = a[column];
      const y = b[column];
      if (!x || !y) return x ? -1 : y ? 1 : 0; // unbound cells last, either way
      const order = numeric ? Number(x.value) - Number(y.value) : collator.compare(termText(x), termText(y));
      return order * direction;
    });
    renderBody();
  }

  // ---------------------------------------------------------------- downloads

  /** One CSV field per RFC 4180; cells Excel would run as a formula get a leading quote. */
  function csvField(text) {
    let value = text;
    if (/^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value)) value = `'${value}`;
    return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }

  /** The shown table as CSV: UTF-8 with a BOM so Excel reads Japanese; full IRIs. */
  function toCsv(result) {
    if (result.boolean !== undefined) return `\ufeffboolean\r\n${result.boolean}\r\n`;
    const lines = [result.vars.map(csvField).join(",")];
    for (const row of result.rows) {
      lines.push(result.vars.map((name) => csvField(row[name] ? row[name].value : "")).join(","));
    }
    return `\ufeff${lines.join("\r\n")}\r\n`;
  }

  function toJson(result) {
    const doc =
      result.boolean !== undefined
        ? { head: {}, boolean: result.boolean }
        : { head: { vars: result.vars }, results: { bindings: result.rows } };
    return JSON.stringify(doc, null, 2);
  }

  function fileName(extension) {
    const item = currentSaved();
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    return `partnergraph-${item ? item.name : "query"}-${stamp}.${extension}`;
  }

  function download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = el("a");
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  ui.csv.addEventListener("click", () => {
    if (state.result) download(fileName("csv"), toCsv(state.result), "text/csv;charset=utf-8");
  });
  ui.json.addEventListener("click", () => {
    if (state.result) download(fileName("json"), toJson(state.result), SPARQL_JSON);
  });

  // ---------------------------------------------------------------- share link

  /** The page's URL for the current query: ?saved=name&p.param=value or ?q=text. */
  function shareParams() {
    const search = new URLSearchParams();
    const item = currentSaved();
    if (item) {
      search.set("saved", item.name);
      for (const [name, value] of Object.entries(paramValues())) search.set(`p.${name}`, value);
    } else {
      search.set("q", editor.getValue());
    }
    return search;
  }

  /** Refresh the share field and the language links; on a run, put the link in the address bar too. */
  function updateShareLink(intoHistory = false) {
    const search = shareParams();
    search.set("lang", LANG);
    const url = `${window.location.origin}${window.location.pathname}?${search}`;
    ui.shareLink.value = url;
    if (intoHistory) window.history.replaceState(null, "", url);
    for (const link of document.querySelectorAll(".lang-switch a[data-lang]")) {
      search.set("lang", link.dataset.lang);
      link.href = `${window.location.pathname}?${search}`;
    }
  }

  ui.shareCopy.addEventListener("click", async () => {
    ui.shareLink.select();
    try {
      await navigator.clipboard.writeText(ui.shareLink.value);
      ui.shareCopy.textContent = T.share_copied;
      setTimeout(() => (ui.shareCopy.textContent = T.share_copy), 2000);
    } catch {
      /* no clipboard permission: the text stays selected for Ctrl+C */
    }
  });

  // ---------------------------------------------------------------- start

  /** Restore a shared query from the URL, and run it so the link shows its answer. */
  async function start() {
    const search = new URLSearchParams(window.location.search);
    if (search.has("q")) editor.setValue(search.get("q"));
    updateShareLink();
    await loadSavedQueries();
    const saved = search.get("saved");
    if (saved && state.saved.has(saved)) {
      const values = {};
      for (const [key, value] of search) if (key.startsWith("p.")) values[key.slice(2)] = value;
      ui.select.value = saved;
      showSaved(values);
      run();
    } else if (search.has("q")) {
      run();
    }
  }

  start();
})();
