// The network explorer: draws the view model the server computed (positions
// fixed, no physics), filters it in place, and explains a body in a side panel.
//
// Plain browser JavaScript, no build step. Data from the graph is only ever
// inserted with textContent / createElement, tooltips included: labels may hold markup.
"use strict";

(async () => {
  const DATA = JSON.parse(document.getElementById("page-data").textContent);
  // A scope's page fetches its view (preloaded by the page's head): parsed as JSON, not as
  // HTML first, it was ready 0.3-0.8 s sooner at 18 MB. Ego pages and saved files embed it.
  const T = DATA.messages;
  const VIEW = unpackView(DATA.view || (await loadView(DATA.view_url)));
  const LANG = DATA.lang;
  const STANDALONE = Boolean(DATA.standalone);
  const NATION = VIEW.scope === "nation";
  const PACT = "pact"; // partnergraph.explore.pacts.PACT_KIND
  const LAST_YEAR = VIEW.years.max;

  const $ = (id) => document.getElementById(id);
  const byId = new Map(VIEW.nodes.map((n) => [n.id, n]));
  const byIri = new Map(VIEW.nodes.map((n) => [n.iri, n]));
  const order = new Map(VIEW.nodes.map((n, i) => [n.id, i]));
  // At most this many lines are drawn (vis-network draws every line in every frame): the
  // ties between the most connected bodies first, then the ties in view of the path and of
  // the selected body. Filters, counts, search and paths still cover every tie.
  const MAX_DRAWN = DATA.max_drawn || Infinity;
  const ranked = rankEdges();

  /** The view the page draws; the stale note goes if the view turns out current. */
  async function loadView(url) {
    let response;
    try {
      response = await fetch(url);
    } catch (error) {
      failed(String(error));
      throw error;
    }
    if (!response.ok) {
      failed(String(response.status));
      throw new Error(`${url}: ${response.status}`);
    }
    if (!response.headers.get("Partnergraph-Stale")) {
      const note = document.getElementById("stale-notice");
      if (note) note.remove();
    }
    return response.json();
  }

  /** Say on the page that the view could not be had (the script stops there). */
  function failed(reason) {
    const counts = document.getElementById("counts");
    counts.textContent = (T.explore_load_failed || "").replace("{reason}", reason);
    counts.setAttribute("role", "alert");
    document.body.dataset.failed = "true";
  }

  /** The view with its packed nodes and edges rebuilt, as partnergraph.explore.packing.unpack. */
  function unpackView(view) {
    const packed = view.packed;
    if (!packed) return view;
    const base = view.base_iri || "";
    const absolute = (v) => (typeof v === "string" && !v.includes(":") ? base + v : v);
    // Per field: the rows that lack it, and the table its values index (few distinct values;
    // views saved by a server before node_tables existed have none).
    const tables = packed.node_tables || {};
    const names = packed.node_fields;
    const absent = names.map((name) => new Set(packed.node_absent[name] || []));
    const table = names.map((name) => tables[name] || null);
    const nodes = packed.node_rows.map((row, i) => {
      const node = {};
      for (let j = 0; j < names.length; j++) {
        if (absent[j].has(i)) continue;
        node[names[j]] = table[j] === null ? row[j] : table[j][row[j]];
      }
      return node;
    });
    const Edge = packedEdge(packed, absolute);
    const edges = packed.rows.map(([id, f, t, s, r]) => new Edge(id, nodes[f], nodes[t], s, r));
    const { packed: _, ...rest } = view;
    /** The details of a split view (/explore/details.json): its relations' rows and sources. */
    const withDetails = (details) => {
      if (details.revision !== view.revision) throw new Error(`revision ${details.revision}`);
      Edge.details(details);
      Object.assign(rest.sources, details.sources);
    };
    return { ...rest, nodes, edges, withDetails: packed.relations ? null : withDetails };
  }

  /** The class of a packed view's edges: each keeps its ends and the numbers of its style and
   * relation rows, and reads their fields (an IRI made absolute, a composed title) when asked.
   * Copying every field into 98,299 edge objects at 1 M triples took 0.2 s of the nationwide
   * page's first frame, and most fields are only read for the few edges a reader points at. */
  function packedEdge(packed, absolute) {
    class Edge {
      constructor(id, a, b, style, relation) {
        this.id = id;
        this.from = a.id;
        this.to = b.id;
        this.iri_from = a.iri;
        this.iri_to = b.iri;
        this._style = style;
        this._relation = relation;
        this._title = null;
      }
    }
    const styles = packed.styles;
    // A scope's page has each relation's year first and the rest of its row once the
    // details arrive (loadRelationDetails); until then those fields read undefined.
    const years = packed.relation_years;
    const rows = packed.relations || [];
    const iriFields = new Set(packed.iri_fields);
    const fields = Object.keys(styles[0] || {});
    for (const field of fields) {
      Object.defineProperty(Edge.prototype, field, {
        get() {
          return styles[this._style][field];
        },
        enumerable: true,
      });
    }
    packed.relation_fields.forEach((field, i) => {
      if (field === "title") return; // composed when missing: below
      if (field === "year" && years) {
        Object.defineProperty(Edge.prototype, field, {
          get() {
            return years[this._relation];
          },
          enumerable: true,
        });
        return;
      }
      const read = iriFields.has(field)
        ? (v) => (Array.isArray(v) ? v.map(absolute) : absolute(v))
        : (v) => v;
      Object.defineProperty(Edge.prototype, field, {
        get() {
          const row = rows[this._relation];
          return row === undefined ? undefined : read(row[i]);
        },
        enumerable: true,
      });
    });
    const at = packed.relation_fields.indexOf("title");
    Object.defineProperty(Edge.prototype, "title", {
      get() {
        const row = rows[this._relation];
        if (row === undefined) return undefined;
        const title = row[at];
        if (typeof title === "string") return title;
        if (this._title === null) {
          this._title = edgeTitle(this.name, this.type_label, this.start, packed.title_words);
        }
        return this._title;
      },
      enumerable: true,
    });
    Edge.details = (details) => {
      if (rows.length) return;
      for (const row of details.relations) rows.push(row);
    };
    return Edge;
  }

  /** As partnergraph.explore.style.edge_title: the name, then the type and the start. */
  function edgeTitle(name, typeLabel, start, words) {
    const when = start ? String(start).slice(0, 10) : words.unknown_start;
    return [name, `${typeLabel}${words.separator}${when}`].filter(Boolean).map(String).join("\n");
  }

  /** Edges by the lesser degree of their two ends, highest first (then in the view's order). */
  function rankEdges() {
    const edges = VIEW.edges;
    if (edges.length <= MAX_DRAWN) return edges;
    // Scores and positions in typed arrays, not pairs and maps: 0.11-0.14 s -> 0.05 s for the
    // 98,299 edges of the nationwide page at 1 M triples.
    const degree = new Map(VIEW.nodes.map((n) => [n.id, n.measures.degree || 0]));
    const score = new Float64Array(edges.length);
    edges.forEach((e, i) => {
      score[i] = Math.min(degree.get(e.from), degree.get(e.to));
    });
    const at = new Uint32Array(edges.length).map((_, i) => i);
    at.sort((a, b) => score[b] - score[a] || a - b);
    return Array.from(at, (i) => edges[i]);
  }

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

  /** A link; href is built by us from ids, the text is data. */
  function link(href, text) {
    const a = el("a", null, text);
    a.href = href;
    return a;
  }

  // ---------------------------------------------------------------- state

  const TYPES = VIEW.legend.types.map((t) => t.type);
  const state = {
    layout: VIEW.default_layout,
    size: "degree",
    color: "kind",
    types: new Set(TYPES),
    year: LAST_YEAR,
    pref: "",
    kind: "",
    focus: null,
    path: [],
  };

  /** State from the URL (or, in a saved file, from the state saved with it). */
  function readState() {
    const params = STANDALONE
      ? new URLSearchParams(DATA.state || {})
      : new URLSearchParams(window.location.search);
    if (["force", "geo"].includes(params.get("layout"))) state.layout = params.get("layout");
    if (["degree", "pagerank", "betweenness", "none"].includes(params.get("size"))) {
      state.size = params.get("size");
    }
    if (["kind", "community"].includes(params.get("color"))) state.color = params.get("color");
    if (params.has("types")) {
      state.types = new Set(params.get("types").split(",").filter((t) => TYPES.includes(t)));
    }
    const year = parseInt(params.get("year"), 10);
    if (!Number.isNaN(year) && LAST_YEAR !== null) {
      state.year = Math.min(Math.max(year, VIEW.years.min), LAST_YEAR);
    }
    state.pref = params.get("pref") || "";
    state.kind = params.get("kind") || "";
    state.focus = byId.has(params.get("focus")) ? params.get("focus") : null;
    const path = (params.get("path") || "").split(",").filter((id) => byId.has(id));
    state.path = path.slice(0, 2);
  }

  /** The state as URL parameters, defaults left out. */
  function stateParams() {
    const params = new URLSearchParams();
    if (state.layout !== VIEW.default_layout) params.set("layout", state.layout);
    if (state.size !== "degree") params.set("size", state.size);
    if (state.color !== "kind") params.set("color", state.color);
    if (state.types.size !== TYPES.length) params.set("types", [...state.types].join(","));
    if (state.year !== LAST_YEAR) params.set("year", String(state.year));
    if (state.pref) params.set("pref", state.pref);
    if (state.kind) params.set("kind", state.kind);
    if (state.focus) params.set("focus", state.focus);
    if (state.path.length) params.set("path", state.path.join(","));
    return params;
  }

  /** Keep the URL in step with the view (shareable), without adding history entries. */
  function writeState() {
    if (STANDALONE) return;
    const params = new URLSearchParams(window.location.search);
    for (const key of ["layout", "size", "color", "types", "year", "pref", "kind", "focus", "path"]) {
      params.delete(key);
    }
    for (const [key, value] of stateParams()) params.set(key, value);
    const query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? `?${query}` : ""));
  }

  // ---------------------------------------------------------------- filters
  // The same rules as partnergraph.explore.apply_filters.

  function nodeKept(node) {
    if (state.kind && node.kind !== state.kind) return false;
    if (state.pref) return node.prefecture_code === state.pref;
    return true;
  }

  function floating(node) {
    const kindOk = !state.kind || node.kind === state.kind;
    return kindOk && !node.prefecture_code && node.kind !== "foreign-local-government";
  }

  function edgeKept(edge) {
    if (!state.types.has(edge.type)) return false;
    if (LAST_YEAR === null) return true;
    if (edge.year === null) return state.year >= LAST_YEAR;
    return edge.year <= state.year;
  }

  /** {nodes: Set of ids, edges: Set of ids} shown under the current filters. */
  function visible() {
    const kept = new Set(VIEW.nodes.filter(nodeKept).map((n) => n.id));
    let edges = VIEW.edges.filter(edgeKept);
    if (state.pref) {
      for (const e of edges) {
        for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) {
          if (kept.has(a) && !kept.has(b) && floating(byId.get(b))) kept.add(b);
        }
      }
    }
    edges = edges.filter((e) => kept.has(e.from) && kept.has(e.to));
    if (!NATION) {
      const tied = new Set(edges.flatMap((e) => [e.from, e.to]));
      for (const id of [...kept]) if (!tied.has(id) && id !== VIEW.center) kept.delete(id);
    }
    return { nodes: kept, edges: new Set(edges.map((e) => e.id)) };
  }

  // ---------------------------------------------------------------- network

  function darker(hex) {
    const c = [1, 3, 5].map((i) => Math.floor(parseInt(hex.slice(i, i + 2), 16) * 0.7));
    return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
  }

  function nodeItem(node, shown, onPath) {
    const [x, y] = node.positions[state.layout];
    const colour = node.colors[state.color];
    const faded = state.path.length === 2 && pathNodes.size > 0 && !onPath;
    return {
      id: node.id,
      label: labelled.has(node.id) ? node.label : "",
      // Only a labelled body needs its label's font: giving each of the nationwide page's 9,581
      // bodies its own made vis-network parse as many font options, on the way to a first frame.
      ...(labelled.has(node.id) ? { font: labelFont() } : {}),
      shape: node.shape,
      x,
      y,
      size: node.sizes[state.size],
      color: {
        background: faded ? "#e3e6ea" : colour,
        border: onPath ? "#111111" : darker(colour),
        highlight: { background: colour, border: "#111111" },
      },
      borderWidth: onPath ? 4 : 1,
      hidden: !shown,
    };
  }

  /** The ids of the edges to draw: every one shown, or MAX_DRAWN of them (see above). */
  function drawnEdges() {
    if (shown.edges.size <= MAX_DRAWN) return shown.edges;
    const drawn = new Set(pathEdges);
    if (state.focus) {
      for (const e of VIEW.edges) {
        if (shown.edges.has(e.id) && (e.from === state.focus || e.to === state.focus)) {
          drawn.add(e.id);
        }
      }
    }
    for (const e of ranked) {
      if (drawn.size >= MAX_DRAWN) break;
      if (shown.edges.has(e.id)) drawn.add(e.id);
    }
    return drawn;
  }

  // A multi-party pact (a diamond tied to each party, partnergraph.explore.pacts) is drawn
  // with its lines: one with none of them drawn would float among the bodies unexplained. The
  // nationwide page at 1 M triples had 7,511 pacts among its 9,581 nodes, none of their lines
  // among the 4,000 drawn, and vis-network built every one of them before its first frame.
  const BODIES = VIEW.nodes.filter((n) => n.kind !== PACT).map((n) => n.id);

  /** The ids vis-network holds: every body; a pact while one of its lines is drawn, or
   * while it is selected or on the path. */
  function canvasIds() {
    const ids = new Set(BODIES);
    for (const e of VIEW.edges) {
      if (drawn.has(e.id)) {
        ids.add(e.from);
        ids.add(e.to);
      }
    }
    if (state.focus) ids.add(state.focus);
    for (const id of pathNodes) ids.add(id);
    return ids;
  }

  /** Bring vis-network's nodes in step with canvasIds(): pacts come and go with their lines. */
  function placeNodes() {
    const next = canvasIds();
    const gone = [...inCanvas].filter((id) => !next.has(id));
    if (gone.length) nodes.remove(gone);
    const come = VIEW.nodes.filter((n) => next.has(n.id) && !inCanvas.has(n.id));
    inCanvas = next;
    if (come.length) {
      nodes.add(come.map((n) => nodeItem(n, shown.nodes.has(n.id), pathNodes.has(n.id))));
    }
  }

  /** Put exactly the drawn edges into vis-network's data set, each in its current look. */
  function drawEdges() {
    drawn = drawnEdges();
    placeNodes();
    const gone = edges.getIds().filter((id) => !drawn.has(id));
    if (gone.length) edges.remove(gone);
    edges.update(
      VIEW.edges.filter((e) => drawn.has(e.id)).map((e) => edgeItem(e, true, pathEdges.has(e.id))),
    );
    showDrawn();
  }

  function showDrawn() {
    const note = $("drawn-note");
    document.body.dataset.drawn = String(drawn.size);
    if (!note) return;
    note.hidden = drawn.size >= shown.edges.size;
    note.textContent = note.hidden
      ? ""
      : msg("explore_drawn", { drawn: drawn.size, edges: shown.edges.size });
  }

  function edgeItem(edge, shown, onPath) {
    const faded = state.path.length === 2 && pathEdges.size > 0 && !onPath;
    return {
      id: edge.id,
      from: edge.from,
      to: edge.to,
      dashes: edge.dashes,
      arrows: edge.arrows,
      width: onPath ? 5 : edge.width,
      color: faded ? { color: "#e3e6ea", opacity: 0.6 } : edge.color,
      hidden: !shown,
    };
  }

  // ---------------------------------------------------------------- labels
  // Labels are drawn LABEL_PX high on screen whatever the zoom, outlined in white (a halo)
  // so that they stay legible over the lines beneath. Only the bodies whose label fits are
  // labelled: the most connected first, each label kept clear of the labels placed before it,
  // of the labelled bodies' marks and of every mark large enough to tell apart (MARK_PX),
  // inside the canvas. A label may cover the pinpoint dots of a dense cluster, else the
  // busiest bodies, drawn in the middle of everything, would never get a name. Zooming in
  // makes room for more.

  const LABEL_PX = 13;
  const LABEL_GAP = 4;
  const HALO_PX = 3;
  const HALO = "#ffffff";
  const MARK_PX = 4;
  let labelled = new Set();
  let labelSize = LABEL_PX;
  let haloSize = HALO_PX;
  const measure = document.createElement("canvas").getContext("2d");

  const widths = new Map();

  /** A label's width in pixels at LABEL_PX (kept: labels do not change, zooms re-plan). */
  function labelWidth(text) {
    let width = widths.get(text);
    if (width === undefined) {
      width = measure.measureText(text).width;
      widths.set(text, width);
    }
    return width;
  }

  /** Screen boxes {left, top, right, bottom} overlap (with a gap)? */
  function overlaps(a, b) {
    return !(
      a.right + LABEL_GAP <= b.left ||
      b.right + LABEL_GAP <= a.left ||
      a.bottom + LABEL_GAP <= b.top ||
      b.bottom + LABEL_GAP <= a.top
    );
  }

  // Boxes filed by the GRID_PX squares they reach (with the gap), so that a box is checked
  // against its neighbours only: comparing each label with every mark took 0.8 s for the
  // 9,581 bodies of a nationwide graph, at every zoom.
  const GRID_PX = 64;

  function boxGrid() {
    const cells = new Map();
    const each = (b, visit) => {
      const x0 = Math.floor((b.left - LABEL_GAP) / GRID_PX);
      const x1 = Math.floor((b.right + LABEL_GAP) / GRID_PX);
      const y0 = Math.floor((b.top - LABEL_GAP) / GRID_PX);
      const y1 = Math.floor((b.bottom + LABEL_GAP) / GRID_PX);
      for (let x = x0; x <= x1; x++) {
        for (let y = y0; y <= y1; y++) if (visit(`${x},${y}`)) return true;
      }
      return false;
    };
    return {
      add(b) {
        each(b, (key) => {
          if (!cells.has(key)) cells.set(key, []);
          cells.get(key).push(b);
        });
      },
      /** Whether a box filed here, other than `skip`, overlaps `b`. */
      hits(b, skip) {
        return each(b, (key) => (cells.get(key) || []).some((o) => o !== skip && overlaps(o, b)));
      },
    };
  }

  /** The set of node ids to label at the network's present zoom and pan. */
  function planLabels(network) {
    const scale = network.getScale();
    const box = $("network").getBoundingClientRect();
    measure.font = `${LABEL_PX}px sans-serif`;
    const items = [];
    for (const node of VIEW.nodes) {
      if (!shown.nodes.has(node.id) || !inCanvas.has(node.id)) continue;
      const [x, y] = node.positions[state.layout];
      const at = network.canvasToDOM({ x, y });
      const r = node.sizes[state.size] * scale;
      const top = at.y + r + 2;
      items.push({
        id: node.id,
        label: node.label,
        rank: node.measures.degree,
        mark: { left: at.x - r, right: at.x + r, top: at.y - r, bottom: at.y + r },
        large: r >= MARK_PX,
        x: at.x,
        top,
        bottom: top + LABEL_PX * 1.4,
      });
    }
    items.sort((a, b) => b.rank - a.rank || order.get(a.id) - order.get(b.id));
    const marks = boxGrid();
    for (const item of items) if (item.large) marks.add(item.mark);
    const placed = boxGrid();
    const kept = boxGrid();
    const chosen = new Set();
    for (const item of items) {
      // The checks that need no label width first: measuring every label took 0.1 s of the
      // nationwide page's first frame, and most bodies there are ruled out before it.
      if (item.top < 0 || item.bottom > box.height || placed.hits(item.mark)) continue;
      const w = labelWidth(item.label) + 4;
      const b = { left: item.x - w / 2, right: item.x + w / 2, top: item.top, bottom: item.bottom };
      if (b.left < 0 || b.right > box.width) continue;
      if (placed.hits(b)) continue;
      if (kept.hits(b)) continue;
      if (marks.hits(b, item.mark)) continue;
      placed.add(b);
      kept.add(item.mark);
      chosen.add(item.id);
    }
    return { chosen, size: LABEL_PX / scale, halo: HALO_PX / scale };
  }

  /** The label font at the present zoom: LABEL_PX on screen, with its halo. */
  function labelFont() {
    return { size: labelSize, strokeWidth: haloSize, strokeColor: HALO };
  }

  /** Run `work` (data and view changes) with vis-network's redraws held back, then draw once.
   * vis-network draws the whole canvas at once on every data change (a `_redraw` on its
   * internal emitter): the nationwide page's 9,581 bodies were drawn three times, 0.1-0.2 s
   * each, before its first frame could be shown; now once. `_blockRedraw` and
   * `_allowRedraw` are how vis-network itself holds drawing back while it stabilises; if a
   * later version lacks them, nothing is held back and the page only draws more often. */
  function drawOnce(network, work) {
    const emitter = network.body && network.body.emitter;
    if (emitter) emitter.emit("_blockRedraw");
    try {
      work();
    } finally {
      if (emitter) emitter.emit("_allowRedraw");
    }
    network.redraw();
  }

  /** Label the planned nodes. Only the nodes whose label or label size changes are updated:
   * updating all 9,581 of a nationwide graph took half a second at every zoom. */
  function applyLabels(network) {
    const plan = planLabels(network);
    const before = labelled;
    const resized = plan.size !== labelSize || plan.halo !== haloSize;
    labelled = plan.chosen;
    labelSize = plan.size;
    haloSize = plan.halo;
    const changed = VIEW.nodes.filter((n) => {
      if (!inCanvas.has(n.id)) return false; // gone with its lines
      return labelled.has(n.id) ? resized || !before.has(n.id) : before.has(n.id);
    });
    nodes.update(
      changed.map((n) => ({
        id: n.id,
        label: labelled.has(n.id) ? n.label : "",
        font: labelFont(),
      })),
    );
    document.body.dataset.labels = String(labelled.size);
  }

  let pathNodes = new Set();
  let pathEdges = new Set();
  readState();
  let shown = visible(); // once, after the state is read: 98,299 ties in a nationwide view
  computePath();
  let drawn = drawnEdges();
  let inCanvas = canvasIds();

  const nodes = new vis.DataSet(
    VIEW.nodes
      .filter((n) => inCanvas.has(n.id))
      .map((n) => nodeItem(n, shown.nodes.has(n.id), pathNodes.has(n.id))),
  );
  const edges = new vis.DataSet(
    VIEW.edges.filter((e) => drawn.has(e.id)).map((e) => edgeItem(e, true, pathEdges.has(e.id))),
  );
  const network = new vis.Network(
    $("network"),
    {},
    {
      physics: false,
      layout: { improvedLayout: false, randomSeed: 42 },
      edges: { smooth: false, selectionWidth: 2 },
      nodes: { font: { size: 14, face: "sans-serif" }, borderWidth: 1 },
      interaction: {
        hover: true,
        tooltipDelay: 120,
        hideEdgesOnDrag: NATION,
        hideEdgesOnZoom: NATION,
      },
    },
  );

  // First frame: navigation start → first drawing, for the benchmark.
  network.once("afterDrawing", () => {
    window.__firstFrameMs = performance.now();
    document.body.dataset.firstFrame = String(Math.round(window.__firstFrameMs));
  });
  // Data, fit and labels in one go, drawn once, so that the first frame already carries them.
  drawOnce(network, () => {
    network.setData({ nodes, edges });
    network.fit({ animation: false });
    applyLabels(network);
  });
  if (VIEW.withDetails) loadRelationDetails();
  else document.body.dataset.details = "loaded";
  let relabel = 0;
  const scheduleLabels = () => {
    cancelAnimationFrame(relabel);
    relabel = requestAnimationFrame(() => applyLabels(network));
  };
  network.on("zoom", scheduleLabels);
  network.on("dragEnd", scheduleLabels);
  window.addEventListener("resize", scheduleLabels);

  // ---------------------------------------------------------------- tooltips
  // A body's or a tie's text when pointed at, shown in one element of our own rather than
  // handed to vis-network as every node's and edge's `title`: that made an element for each
  // of the nationwide page's 9,581 bodies before its first frame, for the few ever pointed
  // at. The text goes in with textContent: labels may hold markup.

  const TIP_DELAY_MS = 120;
  const tip = el("div", "explore-tip");
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  $("network").append(tip);
  let tipTimer = 0;
  let edgeById = null;

  function showTip(text, pointer) {
    clearTimeout(tipTimer);
    if (!text) {
      tip.hidden = true;
      return;
    }
    tipTimer = setTimeout(() => {
      tip.textContent = text;
      tip.hidden = false;
      const box = $("network").getBoundingClientRect();
      const x = Math.min(pointer.DOM.x + 12, box.width - tip.offsetWidth - 4);
      const y = Math.min(pointer.DOM.y + 12, box.height - tip.offsetHeight - 4);
      tip.style.left = `${Math.max(0, x)}px`;
      tip.style.top = `${Math.max(0, y)}px`;
    }, TIP_DELAY_MS);
  }

  function hideTip() {
    clearTimeout(tipTimer);
    tip.hidden = true;
  }

  network.on("hoverNode", (params) => showTip(byId.get(params.node)?.title, params.pointer));
  network.on("hoverEdge", (params) => {
    edgeById = edgeById || new Map(VIEW.edges.map((e) => [e.id, e]));
    showTip(edgeById.get(params.edge)?.title, params.pointer);
  });
  for (const event of ["blurNode", "blurEdge", "dragStart", "zoom"]) network.on(event, hideTip);

  /** Update every node and edge to the state (filters, layout, overlays). */
  function redraw() {
    shown = visible();
    computePath();
    drawOnce(network, () => {
      drawEdges(); // and the pacts with them
      nodes.update(
        VIEW.nodes
          .filter((n) => inCanvas.has(n.id))
          .map((n) => nodeItem(n, shown.nodes.has(n.id), pathNodes.has(n.id))),
      );
    });
    scheduleLabels();
    showCounts();
    showCommunities();
    writeState();
  }

  function showCounts() {
    document.body.dataset.nodes = String(shown.nodes.size);
    document.body.dataset.edges = String(shown.edges.size);
    $("counts").textContent = msg("explore_counts", {
      nodes: shown.nodes.size,
      edges: shown.edges.size,
    });
  }

  // ---------------------------------------------------------------- path

  /** Breadth-first search over the ties shown; ties broken by the view's node order. */
  function shortestPath(source, target) {
    const adjacent = new Map();
    for (const e of VIEW.edges) {
      if (!shown.edges.has(e.id)) continue;
      for (const [a, b] of [[e.from, e.to], [e.to, e.from]]) {
        if (!adjacent.has(a)) adjacent.set(a, new Set());
        adjacent.get(a).add(b);
      }
    }
    const previous = new Map([[source, null]]);
    const queue = [source];
    while (queue.length) {
      const current = queue.shift();
      if (current === target) break;
      const next = [...(adjacent.get(current) || [])].sort((a, b) => order.get(a) - order.get(b));
      for (const n of next) {
        if (!previous.has(n)) {
          previous.set(n, current);
          queue.push(n);
        }
      }
    }
    if (!previous.has(target)) return [];
    const path = [];
    for (let at = target; at !== null; at = previous.get(at)) path.unshift(at);
    return path;
  }

  function computePath() {
    pathNodes = new Set();
    pathEdges = new Set();
    if (state.path.length !== 2) return;
    const path = shortestPath(state.path[0], state.path[1]);
    pathNodes = new Set(path);
    const pairs = new Set();
    for (let i = 1; i < path.length; i++) {
      pairs.add(`${path[i - 1]}|${path[i]}`);
      pairs.add(`${path[i]}|${path[i - 1]}`);
    }
    for (const e of VIEW.edges) {
      if (shown.edges.has(e.id) && pairs.has(`${e.from}|${e.to}`)) pathEdges.add(e.id);
    }
    showPathStatus(path);
  }

  function showPathStatus(path) {
    const status = $("path-status");
    if (!status) return;
    $("path-clear").hidden = state.path.length === 0;
    if (state.path.length === 0) {
      status.textContent = T.explore_path_hint;
    } else if (state.path.length === 1) {
      status.textContent = `${byId.get(state.path[0]).label} → …`;
    } else {
      const ends = { from: byId.get(state.path[0]).label, to: byId.get(state.path[1]).label };
      status.textContent = path.length
        ? msg("explore_path_found", { ...ends, n: path.length - 1 })
        : msg("explore_path_none", ends);
    }
    document.body.dataset.path = path.join(",");
  }

  function setPathEnd(index, id) {
    const path = [...state.path];
    path[index] = id;
    state.path = path.filter(Boolean);
    if (state.path.length === 2 && state.path[0] === state.path[1]) state.path = [id];
    redraw();
  }

  // ---------------------------------------------------------------- panel

  function fact(list, term, value) {
    if (value === null || value === undefined || value === "") return;
    list.append(el("dt", null, term), el("dd", null, value));
  }

  function entityHref(node) {
    return STANDALONE ? node.iri : node.path || node.iri;
  }

  /** Open the side panel for a node: facts at once, then sources and partners. */
  function openPanel(id) {
    const node = byId.get(id);
    if (!node) return;
    const refocus = state.focus !== id;
    state.focus = id;
    writeState();
    if (refocus && drawn.size < shown.edges.size) drawEdges();
    $("panel").hidden = false;
    $("panel").dataset.node = id;
    $("panel-title").textContent = node.label;
    const other = LANG === "ja" ? node.name_en : node.name_ja;
    $("panel-subtitle").textContent = other || "";
    const facts = $("panel-facts");
    facts.replaceChildren();
    fact(facts, T.explore_kind_label, node.kind_label);
    fact(facts, T.explore_prefecture_label, node.prefecture);
    fact(facts, T.explore_code, node.code);
    fact(facts, T.explore_degree, node.measures.degree);
    fact(facts, "PageRank", node.measures.pagerank);
    fact(facts, T.explore_size_betweenness, node.measures.betweenness);
    const links = $("panel-links");
    links.replaceChildren(link(entityHref(node), T.explore_entity_page));
    if (!STANDALONE && node.kind !== PACT) {
      const key = encodeURIComponent(node.id);
      links.append(" · ", link(`${DATA.endpoints.organizations}/${key}`, T.explore_api));
      links.append(" · ", link(`/explore/${key}?lang=${LANG}`, T.explore_ego_link));
      const xlsx = link(
        `${DATA.endpoints.organizations}/${key}/partners?format=xlsx&lang=${LANG}`,
        T.explore_xlsx,
      );
      xlsx.id = "panel-xlsx";
      xlsx.setAttribute("download", "");
      links.append(" · ", xlsx);
    }
    $("panel-sources").replaceChildren(el("li", "muted", T.explore_loading));
    $("panel-partners").replaceChildren(el("li", "muted", T.explore_loading));
    $("panel-notice").hidden = true;
    loadDetails(node);
  }

  /** The rest of the relations (names, IRIs, sources, titles: packing.split), fetched once the
   * view is drawn; the lines' tooltips read them from then on. Failing, the page says so. */
  async function loadRelationDetails() {
    const url = `${DATA.details_url}&revision=${encodeURIComponent(VIEW.revision)}`;
    try {
      VIEW.withDetails(await fetchJson(url));
    } catch (error) {
      const note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "alert");
      note.textContent = msg("explore_details_failed", { reason: error.message });
      $("counts").parentElement.before(note);
      document.body.dataset.details = "failed";
      return;
    }
    document.body.dataset.details = "loaded";
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  async function loadDetails(node) {
    if (STANDALONE || node.kind === PACT) {
      showEmbedded(node, false); // a pact is no organization of the API: its parties, as drawn
      return;
    }
    const base = `${DATA.endpoints.organizations}/${encodeURIComponent(node.id)}`;
    try {
      const [detail, listing] = await Promise.all([fetchJson(base), fetchJson(`${base}/partners`)]);
      if ($("panel").dataset.node !== node.id) return;
      showSources($("panel-sources"), detail.sources || []);
      showPartners(listing.partners || []);
    } catch (error) {
      showEmbedded(node, true);
    }
  }

  function citationText(c) {
    const parts = [c.title || c.document];
    if (c.section) parts.push(`${T.explore_section}: ${c.section}`);
    if (c.page) parts.push(msg("explore_page", { n: c.page }));
    return parts.join(" · ");
  }

  function showSources(list, citations) {
    list.replaceChildren();
    for (const c of citations) {
      const item = el("li", "source", citationText(c));
      if (c.quote) item.append(el("q", null, c.quote));
      list.append(item);
    }
    if (!citations.length) list.append(el("li", "muted", "—"));
  }

  /** One entry per partner, its relations earliest first with their sources. */
  function showPartners(partners) {
    const list = $("panel-partners");
    list.replaceChildren();
    if (!partners.length) list.append(el("li", "muted", T.explore_partners_none));
    for (const p of partners) {
      const partner = byIri.get(p.partner.id);
      const name = (LANG === "ja" ? p.partner.name_ja : p.partner.name_en) || p.partner.name_ja || p.partner.id;
      const item = el("li", "partner");
      const head = el("div", "partner__name");
      if (partner) {
        const button = el("button", "link-button", name);
        button.type = "button";
        button.addEventListener("click", () => focusNode(partner.id));
        head.append(button);
      } else {
        head.textContent = name;
      }
      item.append(head);
      const relations = el("ul", "relations");
      for (const r of p.relations) relations.append(relationItem(r.title, r.type, r.start, r.sources));
      item.append(relations);
      list.append(item);
    }
  }

  function typeLabel(type) {
    const found = VIEW.legend.types.find((t) => t.type === type);
    return found ? found.label : type;
  }

  function relationItem(title, type, start, sources) {
    const item = el("li", "relation");
    item.dataset.type = type;
    item.append(el("span", "relation__title", title || typeLabel(type)));
    const when = start ? String(start).slice(0, 10) : T.explore_unknown_start;
    item.append(el("span", "relation__meta muted", ` ${typeLabel(type)} · ${when}`));
    const cites = el("ul", "relation__sources small");
    for (const s of sources || []) {
      cites.append(el("li", null, typeof s === "string" ? VIEW.sources[s] || s : citationText(s)));
    }
    item.append(cites);
    return item;
  }

  /** Partners and sources from the embedded edges (saved file, or the API unreachable). */
  function showEmbedded(node, offline) {
    if (offline) {
      $("panel-notice").textContent = T.explore_offline;
      $("panel-notice").hidden = false;
    }
    const grouped = new Map();
    for (const e of VIEW.edges) {
      if (e.from !== node.id && e.to !== node.id) continue;
      const other = e.from === node.id ? e.to : e.from;
      if (!grouped.has(other)) grouped.set(other, []);
      grouped.get(other).push(e);
    }
    const partners = [...grouped.entries()].map(([id, list]) => {
      const p = byId.get(id);
      const seen = new Set();
      const relations = list
        .filter((e) => !seen.has(e.via) && seen.add(e.via))
        .sort((a, b) => String(a.start || "9999").localeCompare(String(b.start || "9999")))
        .map((e) => ({ title: e.name, type: e.type, start: e.start, sources: e.sources }));
      return { partner: { id: p.iri, name_ja: p.name_ja, name_en: p.name_en }, relations };
    });
    $("panel-sources").replaceChildren(el("li", "muted", "—"));
    showPartners(partners);
  }

  function closePanel() {
    $("panel").hidden = true;
    delete $("panel").dataset.node;
    state.focus = null;
    writeState();
    if (drawn.size < shown.edges.size) drawEdges();
    else placeNodes();
  }

  /** Select a node, bring it into view and open its panel. */
  function focusNode(id) {
    if (!byId.has(id)) return;
    openPanel(id); // the focus: a pact none of whose lines is drawn comes into the canvas
    if (!inCanvas.has(id)) placeNodes();
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
  }

  // ---------------------------------------------------------------- search

  /** Names, codes and slugs in the network that contain the text (the saved file's search). */
  function localMatches(text) {
    const needle = text.trim().toLowerCase();
    return VIEW.nodes.filter((n) =>
      [n.name_ja, n.name_en, n.code, n.id].some((v) => v && String(v).toLowerCase().includes(needle)),
    );
  }

  async function search(text) {
    const status = $("search-status");
    status.textContent = "";
    if (!text.trim()) return;
    let found = [];
    if (!STANDALONE) {
      try {
        const url = `${DATA.endpoints.organizations}?q=${encodeURIComponent(text)}&limit=20`;
        const body = await fetchJson(url);
        found = body.items.map((item) => byIri.get(item.id)).filter(Boolean);
      } catch (error) {
        found = [];
      }
    }
    if (!found.length) found = localMatches(text);
    const target = found.find((n) => shown.nodes.has(n.id)) || found[0];
    if (!target) {
      status.textContent = msg("explore_search_none", { q: text });
      return;
    }
    focusNode(target.id);
  }

  // ---------------------------------------------------------------- legend

  function paintSwatches() {
    for (const swatch of document.querySelectorAll(".swatch[data-kind]")) {
      const kind = VIEW.legend.kinds.find((k) => k.kind === swatch.dataset.kind);
      if (kind) swatch.style.backgroundColor = kind.color;
    }
  }

  function showCommunities() {
    const group = $("legend-communities-group");
    group.hidden = state.color !== "community";
    const list = $("legend-communities");
    if (list.childElementCount) return;
    for (const c of VIEW.legend.communities) {
      const item = el("li");
      const swatch = el("span", "swatch swatch--dot");
      swatch.style.backgroundColor = c.color;
      item.append(swatch, `${msg("explore_community", { n: c.community })} (${c.size})`);
      list.append(item);
    }
  }

  // ---------------------------------------------------------------- downloads

  function download(href, name) {
    const a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  }

  function savePng() {
    const canvas = $("network").querySelector("canvas");
    if (canvas) download(canvas.toDataURL("image/png"), `partnergraph-${VIEW.scope}.png`);
  }

  function saveHtml() {
    if (STANDALONE) {
      const html = "<!doctype html>\n" + document.documentElement.outerHTML;
      download(URL.createObjectURL(new Blob([html], { type: "text/html" })), "partnergraph.html");
      return;
    }
    const query = stateParams().toString();
    window.location.href = DATA.endpoints.export + (query ? `&${query}` : "");
  }

  // ---------------------------------------------------------------- controls

  function syncControls() {
    for (const radio of document.querySelectorAll("input[name=layout]")) {
      radio.checked = radio.value === state.layout;
    }
    $("size").value = state.size;
    $("color").value = state.color;
    for (const box of document.querySelectorAll("input[name=type]")) {
      box.checked = state.types.has(box.value);
    }
    if ($("year")) {
      $("year").value = String(state.year);
      showYear();
    }
    $("prefecture").value = state.pref;
    $("kind").value = state.kind;
  }

  function showYear() {
    const year = Number($("year").value);
    $("year-value").textContent =
      year === LAST_YEAR ? msg("explore_year_all", { year }) : String(year);
  }

  function bindControls() {
    for (const radio of document.querySelectorAll("input[name=layout]")) {
      radio.addEventListener("change", () => {
        state.layout = radio.value;
        redraw();
        network.fit({ animation: false });
      });
    }
    $("size").addEventListener("change", () => {
      state.size = $("size").value;
      redraw();
    });
    $("color").addEventListener("change", () => {
      state.color = $("color").value;
      redraw();
    });
    for (const box of document.querySelectorAll("input[name=type]")) {
      box.addEventListener("change", () => {
        if (box.checked) state.types.add(box.value);
        else state.types.delete(box.value);
        redraw();
      });
    }
    if ($("year")) {
      $("year").addEventListener("input", () => {
        state.year = Number($("year").value);
        showYear();
        redraw();
      });
    }
    $("prefecture").addEventListener("change", () => {
      state.pref = $("prefecture").value;
      redraw();
    });
    $("kind").addEventListener("change", () => {
      state.kind = $("kind").value;
      redraw();
    });
    $("controls").addEventListener("submit", (event) => {
      event.preventDefault();
      search($("search").value);
    });
    $("path-clear").addEventListener("click", () => {
      state.path = [];
      redraw();
    });
    $("panel-close").addEventListener("click", closePanel);
    $("panel-path-from").addEventListener("click", () => setPathEnd(0, $("panel").dataset.node));
    $("panel-path-to").addEventListener("click", () => setPathEnd(1, $("panel").dataset.node));
    $("save-png").addEventListener("click", savePng);
    $("save-html").addEventListener("click", saveHtml);
    network.on("click", (params) => {
      if (params.nodes.length) openPanel(params.nodes[0]);
    });
  }

  // ---------------------------------------------------------------- start

  paintSwatches();
  syncControls();
  bindControls();
  showCounts();
  showDrawn();
  showCommunities();
  if (state.focus) focusNode(state.focus);

  /** For tests and the benchmark: what is drawn, and where. */
  window.explorer = {
    network,
    nodes,
    labelled: () => [...labelled],
    nodeCount: () => shown.nodes.size,
    canvasIds: () => [...inCanvas],
    edgeCount: () => shown.edges.size,
    drawnCount: () => drawn.size,
    visibleEdges: () => VIEW.edges.filter((e) => shown.edges.has(e.id)),
    viewNodes: () => VIEW.nodes,
    positions: (ids) => network.getPositions(ids),
    focus: focusNode,
    state: () => JSON.parse(JSON.stringify({ ...state, types: [...state.types] })),
  };
  // Narrow screens: the controls start folded above the network.
  if (window.matchMedia("(max-width: 62rem)").matches) $("controls-box").open = false;
  document.body.dataset.ready = "true";
})();
