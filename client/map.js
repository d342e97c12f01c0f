// The map page, enhanced: the server's SVG map (which works without JavaScript) is replaced by a
// canvas that pans and zooms, its clusters computed in a worker (client/map.worker.js). Clicking a
// cluster zooms into it; clicking a spot that zooming cannot part lists what is there. Frames are
// timed with performance.measure ("vigil-map-frame"), the first full drawing marked
// "vigil-map-ready": bench/map.ts reads them.
/* global Path2D, performance, requestAnimationFrame, location, Worker */
import { clustersIn, decodeArc, isOneSpot, levelFor, MAX_CLUSTER_ZOOM, project, TILE_SIZE, unproject, zoomToFit } from "./map.core.js";

const RADIUS = 48;
const COLOURS = { sea: "#dfe8ef", land: "#f7f5ef", border: "#8a939c", inner: "#c3c8cd", cluster: "#a4161a", point: "#0b5cad", text: "#ffffff" };

function radiusOf(weight) {
  return Math.round(9 + 5 * Math.log10(Math.max(1, weight)));
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

/** Basemap arcs → Path2D in zoom-0 pixels (the world is 256 × 256), drawn under a scaling transform. */
function pathsOf(basemap) {
  const arcs = basemap.arcs.map((arc) => {
    const lonLat = decodeArc(arc, basemap.precision);
    const out = new Float64Array(lonLat.length);
    for (let i = 0; i < lonLat.length; i += 2) {
      const [x, y] = project(lonLat[i], lonLat[i + 1]);
      out[i] = x * TILE_SIZE;
      out[i + 1] = y * TILE_SIZE;
    }
    return out;
  });
  const land = new Path2D();
  for (const polygons of basemap.countries) {
    for (const rings of polygons) {
      for (const refs of rings) {
        let first = true;
        for (const ref of refs) {
          const arc = arcs[ref < 0 ? ~ref : ref];
          const points = arc.length / 2;
          for (let k = 0; k < points; k++) {
            const i = ref < 0 ? points - 1 - k : k;
            if (first) land.moveTo(arc[2 * i], arc[2 * i + 1]);
            else land.lineTo(arc[2 * i], arc[2 * i + 1]);
            first = false;
          }
        }
        land.closePath();
      }
    }
  }
  const inner = new Path2D();
  for (const index of basemap.internal) {
    const arc = arcs[index];
    inner.moveTo(arc[0], arc[1]);
    for (let i = 2; i < arc.length; i += 2) inner.lineTo(arc[i], arc[i + 1]);
  }
  return { land, inner };
}

function start(frame) {
  const labels = JSON.parse(frame.dataset.labels);
  const [startLon, startLat, startZoom] = JSON.parse(frame.dataset.view);
  const canvas = element("canvas", { class: "map-canvas", tabindex: "0", role: "img", "aria-label": labels.canvas });
  const status = element("p", { class: "visually-hidden", role: "status", "aria-live": "polite" }, labels.loading);
  const controls = element("div", { class: "map-controls" });
  const zoomIn = element("button", { type: "button", class: "small", "aria-label": labels.zoomIn }, "+");
  const zoomOut = element("button", { type: "button", class: "small", "aria-label": labels.zoomOut }, "−");
  controls.append(zoomIn, zoomOut);
  const panel = element("section", { class: "map-panel", hidden: "", "aria-labelledby": "map-panel-title" });

  const state = { x: 0, y: 0, zoom: startZoom, index: null, paths: null, drawn: [], ready: false, frame: 0 };
  const [cx, cy] = project(startLon, startLat);

  function size() {
    const rect = frame.getBoundingClientRect();
    return { width: Math.max(200, Math.round(rect.width)), height: Math.max(240, Math.round(Math.min(rect.width * 0.6, window.innerHeight * 0.7))) };
  }
  let { width, height } = size();
  const scale = () => TILE_SIZE * 2 ** state.zoom;
  function centreOn(x, y) {
    const s = scale();
    state.x = x - width / 2 / s;
    state.y = height / s >= 1 ? 0.5 - height / 2 / s : Math.max(0, Math.min(1 - height / s, y - height / 2 / s));
  }
  centreOn(cx, cy);

  function resize() {
    const ratio = window.devicePixelRatio || 1;
    const s = scale();
    const centre = [state.x + width / 2 / s, state.y + height / 2 / s];
    ({ width, height } = size());
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    centreOn(centre[0], centre[1]);
    schedule();
  }

  const context = canvas.getContext("2d");
  function draw() {
    state.frame = 0;
    const started = performance.now();
    const ratio = window.devicePixelRatio || 1;
    const s = scale();
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = COLOURS.sea;
    context.fillRect(0, 0, width, height);
    if (state.paths) {
      const k = s / TILE_SIZE;
      context.setTransform(ratio * k, 0, 0, ratio * k, -state.x * s * ratio, -state.y * s * ratio);
      context.fillStyle = COLOURS.land;
      context.fill(state.paths.land);
      context.lineWidth = 0.8 / k;
      context.strokeStyle = COLOURS.border;
      context.stroke(state.paths.land);
      if (state.zoom >= 2.5) {
        context.lineWidth = 0.6 / k;
        context.strokeStyle = COLOURS.inner;
        context.stroke(state.paths.inner);
      }
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
    }
    state.drawn = [];
    let incidents = 0;
    if (state.index) {
      const level = levelFor(state.index, state.zoom);
      const margin = RADIUS / s;
      const visible = clustersIn(level, state.x - margin, state.y - margin, state.x + width / s + margin, state.y + height / s + margin);
      context.font = "600 12px system-ui, sans-serif";
      context.textAlign = "center";
      context.textBaseline = "middle";
      for (const i of visible) {
        const px = (level.x[i] - state.x) * s;
        const py = (level.y[i] - state.y) * s;
        const weight = level.weight[i];
        const r = radiusOf(weight);
        context.beginPath();
        context.arc(px, py, r, 0, 2 * Math.PI);
        context.fillStyle = level.count[i] > 1 ? COLOURS.cluster : COLOURS.point;
        context.fill();
        context.fillStyle = COLOURS.text;
        context.fillText(weight > 9999 ? `${Math.round(weight / 1000)}k` : String(weight), px, py);
        state.drawn.push({ i, px, py, r });
        incidents += weight;
      }
      status.textContent = labels.shown.replace("{clusters}", String(state.drawn.length)).replace("{incidents}", String(incidents));
    }
    if (state.paths && canvas.hidden) {
      // The canvas takes the SVG's place once it has a map to show.
      frame.querySelector("svg")?.remove();
      canvas.hidden = false;
      controls.hidden = false;
      frame.classList.add("enhanced");
    }
    performance.measure("vigil-map-frame", { start: started, end: performance.now() });
    if (!state.ready && state.index && state.paths) {
      state.ready = true;
      performance.mark("vigil-map-ready");
      frame.dataset.state = "ready";
    }
  }
  function schedule() {
    if (!state.frame) state.frame = requestAnimationFrame(draw);
  }

  function zoomAt(zoom, px, py) {
    const s = scale();
    const wx = state.x + px / s;
    const wy = state.y + py / s;
    state.zoom = Math.max(0, Math.min(MAX_CLUSTER_ZOOM + 2, zoom));
    const s2 = scale();
    centreOn(wx - px / s2 + width / 2 / s2, wy - py / s2 + height / 2 / s2);
    schedule();
  }
  function panBy(dx, dy) {
    const s = scale();
    centreOn(state.x + (width / 2 + dx) / s, state.y + (height / 2 + dy) / s);
    schedule();
  }

  // Dragging pans; a press that does not move is a click on whatever cluster is under it.
  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag || drag.id !== e.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    drag.x = e.clientX;
    drag.y = e.clientY;
    panBy(-dx, -dy);
  });
  canvas.addEventListener("pointerup", (e) => {
    if (!drag || drag.id !== e.pointerId) return;
    const clicked = !drag.moved;
    drag = null;
    if (clicked) {
      const rect = canvas.getBoundingClientRect();
      open(e.clientX - rect.left, e.clientY - rect.top);
    }
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    zoomAt(state.zoom - Math.sign(e.deltaY) * 0.5, e.clientX - rect.left, e.clientY - rect.top);
  }, { passive: false });
  canvas.addEventListener("dblclick", (e) => {
    const rect = canvas.getBoundingClientRect();
    zoomAt(state.zoom + 1, e.clientX - rect.left, e.clientY - rect.top);
  });
  canvas.addEventListener("keydown", (e) => {
    const step = 80;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) panBy(...moves[e.key]);
    else if (e.key === "+" || e.key === "=") zoomAt(state.zoom + 1, width / 2, height / 2);
    else if (e.key === "-" || e.key === "_") zoomAt(state.zoom - 1, width / 2, height / 2);
    else return;
    e.preventDefault();
  });
  zoomIn.addEventListener("click", () => zoomAt(state.zoom + 1, width / 2, height / 2));
  zoomOut.addEventListener("click", () => zoomAt(state.zoom - 1, width / 2, height / 2));

  /** A click: zoom into a cluster that zooming can part, or list what is at a spot. */
  function open(px, py) {
    if (!state.index) return;
    const hit = state.drawn.find((d) => (d.px - px) ** 2 + (d.py - py) ** 2 <= (d.r + 3) ** 2);
    if (!hit) return;
    const level = levelFor(state.index, state.zoom);
    const i = hit.i;
    if (level.count[i] > 1 && !isOneSpot(level, i) && Math.floor(state.zoom) < MAX_CLUSTER_ZOOM) {
      const fit = zoomToFit(level.minX[i], level.minY[i], level.maxX[i], level.maxY[i], width * 0.7, height * 0.7, MAX_CLUSTER_ZOOM);
      state.zoom = Math.max(Math.floor(state.zoom) + 1, Math.floor(fit));
      centreOn((level.minX[i] + level.maxX[i]) / 2, (level.minY[i] + level.maxY[i]) / 2);
      schedule();
      return;
    }
    const [west, north] = unproject(level.minX[i], level.minY[i]);
    const [east, south] = unproject(level.maxX[i], level.maxY[i]);
    const pad = 0.00001;
    list([west - pad, south - pad, east + pad, north + pad].map((v) => v.toFixed(5)).join(","), null);
  }

  async function list(bbox, cursor) {
    const url = new URL(frame.dataset.list, location.href);
    url.searchParams.set("bbox", bbox);
    if (cursor) url.searchParams.set("cursor", cursor);
    if (!cursor) {
      panel.replaceChildren(element("h2", { id: "map-panel-title", tabindex: "-1" }, labels.listTitle), element("p", {}, labels.loading));
      panel.hidden = false;
    }
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      let items = panel.querySelector("ol");
      if (!cursor) {
        const close = element("button", { type: "button", class: "small" }, labels.close);
        close.addEventListener("click", () => {
          panel.hidden = true;
          canvas.focus();
        });
        items = element("ol", { class: "incident-list" });
        panel.replaceChildren(element("h2", { id: "map-panel-title", tabindex: "-1" }, labels.listTitle), items, close);
      }
      panel.querySelector(".more")?.remove();
      if (data.incidents.length === 0 && !cursor) items.replaceWith(element("p", {}, labels.none));
      for (const incident of data.incidents) {
        const li = element("li");
        const a = element("a", { href: `/records/${incident.id}`, dir: "auto" }, incident.caption);
        if (incident.captionLang) a.setAttribute("lang", incident.captionLang);
        const dates = incident.dates.map((d) => d.value).join(", ") || labels.noDate;
        const places = incident.places.map((p) => p.caption).join(", ");
        li.append(a, element("br"), element("span", { class: "hint", dir: "auto" }, [dates, places].filter(Boolean).join(" · ") + (incident.restricted ? ` · ${labels.restricted}` : "")));
        items?.append(li);
      }
      if (data.nextCursor) {
        const more = element("button", { type: "button", class: "small more" }, labels.more);
        more.addEventListener("click", () => list(bbox, data.nextCursor));
        panel.append(more);
      }
      if (!cursor) panel.querySelector("h2").focus();
    } catch {
      panel.replaceChildren(element("p", { role: "alert" }, labels.failed));
    }
  }

  // The server's SVG stays until the canvas has the basemap to draw (see draw).
  const worker = new Worker("/static/map.worker.js", { type: "module" });
  worker.addEventListener("message", (event) => {
    if (event.data.error) {
      status.textContent = labels.failed;
      return;
    }
    state.index = event.data.index;
    schedule();
  });
  worker.addEventListener("error", () => {
    status.textContent = labels.failed;
  });
  worker.postMessage({ url: new URL(frame.dataset.points, location.href).href, radius: RADIUS });

  fetch("/map/basemap.json", { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then((basemap) => {
      state.paths = pathsOf(basemap);
      schedule();
    })
    .catch(() => {
      status.textContent = labels.failed;
    });

  canvas.hidden = true;
  controls.hidden = true;
  frame.append(canvas, controls, status);
  frame.after(panel);
  window.addEventListener("resize", resize);
  resize();
}

const frame = document.getElementById("incident-map");
if (frame && typeof Worker === "function" && typeof Path2D === "function") start(frame);
