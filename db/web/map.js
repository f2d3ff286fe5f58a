// The traffic-safety map: intersections coloured by risk band with their latest index
// (/api/latest_indices), the history of the one clicked (/api/rpc/intersection_history), and the
// route diary's segments coloured by score (/api/rpc/segments). Plain SVG, no library: the map is
// an equirectangular projection of the API's own coordinates (no base map tiles, no network
// beyond this server). State for tests and scripts: <body data-state="ready|error">,
// data-intersections / data-segments = the number drawn.
"use strict";

const API = new URL("api/", document.baseURI).href;
// The bbox of the diary's segments layer: ?segments_bbox=west,south,east,north, else Center City
// Philadelphia (the demo data of `make up`). ?intersection=ID opens that intersection's history.
const PARAMS = new URLSearchParams(location.search);
const SEGMENTS_BBOX = PARAMS.get("segments_bbox") || "-75.185,39.935,-75.135,39.965";
const SVG_NS = "http://www.w3.org/2000/svg";
const BANDS = { low: "#2e9d4a", medium: "#f0b400", high: "#d7301f" };

const mapEl = document.getElementById("map");
const statusEl = document.getElementById("status");
const layers = { intersections: [], segments: [] };
let view = null;            // {lon, lat, scale: pixels per degree of latitude}
let selected = null;

async function getJSON(path) {
  const response = await fetch(API + path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${body.message || body.detail || ""}`);
  return body;
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function setStatus(text, error = false) {
  statusEl.textContent = text;
  statusEl.classList.toggle("error", error);
}

// Score 1 (unsafe) … 5 (safe) → red … green.
function scoreColour(score) {
  if (score === null || score === undefined) return "#999";
  const t = Math.max(0, Math.min(1, (Number(score) - 1) / 4));
  return `hsl(${Math.round(t * 120)}, 75%, 40%)`;
}

function coordsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === "LineString") return [geometry.coordinates];
  if (geometry.type === "MultiLineString") return geometry.coordinates;
  return [];
}

function extentOf(points) {
  if (!points.length) return null;
  const lons = points.map(p => p[0]), lats = points.map(p => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

function fit(extent) {
  if (!extent) return;
  const [w, s, e, n] = extent;
  const { width, height } = mapEl.getBoundingClientRect();
  const lat = (s + n) / 2, k = Math.cos(lat * Math.PI / 180);
  // Room for the labels right of the points.
  const scale = 0.65 * Math.min(height / Math.max(n - s, 1e-4), width / Math.max((e - w) * k, 1e-4), 1e6);
  view = { lon: (w + e) / 2 + 0.08 * width / (scale * k), lat, scale };
  render();
}

function project(lon, lat) {
  const { width, height } = mapEl.getBoundingClientRect();
  const k = Math.cos(view.lat * Math.PI / 180);
  return [width / 2 + (lon - view.lon) * k * view.scale, height / 2 - (lat - view.lat) * view.scale];
}

function render() {
  if (!view) return;
  const segG = document.getElementById("segments-layer");
  const ixG = document.getElementById("intersections-layer");
  segG.replaceChildren();
  ixG.replaceChildren();
  for (const s of layers.segments) {
    for (const line of coordsOf(s.geometry)) {
      const d = line.map((c, i) => (i ? "L" : "M") + project(c[0], c[1]).map(v => v.toFixed(1)).join(",")).join("");
      const path = el("path", { d, class: "segment", stroke: scoreColour(s.decayed_mean), "data-id": s.segment_id });
      path.appendChild(el("title", {}, `${s.segment_id} (${s.street}): score ${s.decayed_mean ?? "–"} of 5, confidence ${s.confidence ?? "–"}`));
      segG.appendChild(path);
    }
  }
  for (const ix of layers.intersections) {
    if (ix.latitude === null || ix.longitude === null) continue;
    const [x, y] = project(ix.longitude, ix.latitude);
    const band = ix.risk_band in BANDS ? ix.risk_band : "none";
    const g = el("g", { class: "intersection" + (selected === ix.intersection_id ? " selected" : ""),
                        "data-id": ix.intersection_id, "data-band": band, transform: `translate(${x.toFixed(1)},${y.toFixed(1)})` });
    g.appendChild(el("circle", { r: 8, class: `band-${band}` }));
    const index = ix.safety_index === null ? "–" : Number(ix.safety_index).toFixed(1);
    g.appendChild(el("text", { x: 11, y: 4 }, `${ix.intersection_name ?? ix.intersection_id}: ${index}`));
    g.appendChild(el("title", {}, `${ix.intersection_name} (${ix.intersection_id}): safety index ${index}, ${ix.risk_band ?? "no data"}`));
    g.addEventListener("click", () => select(ix));
    ixG.appendChild(g);
  }
}

function legend() {
  const rows = [["low", "low (< 60)"], ["medium", "medium (60–75)"], ["high", "high (> 75)"], ["none", "no data"]]
    .map(([band, label]) => `<div class="legend-row"><svg width="14" height="14"><circle cx="7" cy="7" r="6" class="band-${band}"/></svg>${label}</div>`);
  const scores = [1, 2, 3, 4, 5].map(s => `<span class="swatch" style="background:${scoreColour(s)}"></span> ${s}`).join(" ");
  document.getElementById("legend").innerHTML =
    `<strong>Safety index</strong> (0–100, higher = riskier)${rows.join("")}` +
    `<p><strong>Segment score</strong> (1 unsafe … 5 safe)<br>${scores}</p>`;
}

async function select(ix) {
  selected = ix.intersection_id;
  render();
  const details = document.getElementById("details");
  const chart = document.getElementById("chart");
  chart.replaceChildren();
  chart.removeAttribute("data-points");
  details.innerHTML = "";
  const h = document.createElement("h2");
  h.textContent = `${ix.intersection_name} (${ix.intersection_id})`;
  const p = document.createElement("p");
  p.textContent = ix.safety_index === null ? "No data yet." :
    `Safety index ${Number(ix.safety_index).toFixed(1)} (${ix.risk_band}), VRU ${Number(ix.vru_index).toFixed(1)}, ` +
    `vehicle ${Number(ix.vehicle_index).toFixed(1)}, ${ix.traffic_volume} vehicles in the minute of ${ix.last_updated}.`;
  details.append(h, p);
  if (!ix.last_updated) return;
  // The week up to the intersection's newest minute, hourly; the last two hours by the minute
  // when no hour is rolled up yet.
  const end = new Date(new Date(ix.last_updated).getTime() + 60000);
  const ask = (from, aggregation) => getJSON(`rpc/intersection_history?intersection_id=${ix.intersection_id}` +
    `&start_time=${encodeURIComponent(from.toISOString())}&end_time=${encodeURIComponent(end.toISOString())}&aggregation=${aggregation}`);
  try {
    let points = await ask(new Date(end.getTime() - 7 * 86400000), "hour");
    if (points.length < 2) points = await ask(new Date(end.getTime() - 2 * 3600000), "minute");
    if (selected !== ix.intersection_id) return;
    drawChart(points);
  } catch (e) {
    setStatus(String(e.message || e), true);
  }
}

function drawChart(points) {
  const chart = document.getElementById("chart");
  const W = 360, H = 200, L = 30, R = 8, T = 14, B = 24;
  const data = points.filter(p => p.safety_index !== null).map(p => [new Date(p.timestamp).getTime(), Number(p.safety_index)]);
  chart.setAttribute("data-points", data.length);
  if (!data.length) { chart.appendChild(el("text", { x: L, y: H / 2 }, "No history in the last week.")); return; }
  const t0 = data[0][0], t1 = Math.max(data[data.length - 1][0], t0 + 1);
  const x = t => L + (t - t0) / (t1 - t0) * (W - L - R);
  const y = v => T + (100 - v) / 100 * (H - T - B);
  chart.appendChild(el("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }));
  chart.appendChild(el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }));
  for (const [v, colour] of [[60, BANDS.medium], [75, BANDS.high]]) {
    chart.appendChild(el("line", { x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: colour, class: "threshold" }));
  }
  for (const v of [0, 50, 100]) chart.appendChild(el("text", { x: 4, y: y(v) + 3 }, String(v)));
  const fmt = t => new Date(t).toISOString().slice(0, 16).replace("T", " ");
  chart.appendChild(el("text", { x: L, y: H - 6 }, fmt(t0)));
  chart.appendChild(el("text", { x: W - R, y: H - 6, "text-anchor": "end" }, fmt(t1) + " UTC"));
  chart.appendChild(el("text", { x: L, y: 10 }, `safety index, ${points[0].aggregation}ly (${data.length} points)`));
  const d = data.map(([t, v], i) => (i ? "L" : "M") + x(t).toFixed(1) + "," + y(v).toFixed(1)).join("");
  chart.appendChild(el("path", { d, class: "line" }));
  if (data.length === 1) chart.appendChild(el("circle", { cx: x(data[0][0]), cy: y(data[0][1]), r: 3, fill: "#1f5fbf" }));
}

function focusLayer(name) {
  if (name === "segments") {
    fit(extentOf(layers.segments.flatMap(s => coordsOf(s.geometry).flat())) || SEGMENTS_BBOX.split(",").map(Number));
  } else {
    fit(extentOf(layers.intersections.filter(i => i.latitude !== null).map(i => [i.longitude, i.latitude])));
  }
}

// Pan by dragging, zoom with the wheel.
let drag = null;
mapEl.addEventListener("pointerdown", e => { drag = [e.clientX, e.clientY]; mapEl.setPointerCapture(e.pointerId); });
mapEl.addEventListener("pointerup", () => { drag = null; });
mapEl.addEventListener("pointermove", e => {
  if (!drag || !view) return;
  const k = Math.cos(view.lat * Math.PI / 180);
  view.lon -= (e.clientX - drag[0]) / (view.scale * k);
  view.lat += (e.clientY - drag[1]) / view.scale;
  drag = [e.clientX, e.clientY];
  render();
});
mapEl.addEventListener("wheel", e => {
  if (!view) return;
  e.preventDefault();
  view.scale *= e.deltaY < 0 ? 1.25 : 0.8;
  render();
}, { passive: false });
window.addEventListener("resize", render);
for (const radio of document.querySelectorAll('#layers input')) radio.addEventListener("change", () => focusLayer(radio.value));

async function main() {
  legend();
  try {
    const [intersections, segments] = await Promise.all([
      getJSON("latest_indices?order=intersection_id"),
      getJSON(`rpc/segments?bbox=${SEGMENTS_BBOX}&limit=1000`),
    ]);
    layers.intersections = intersections;
    layers.segments = segments;
    focusLayer(document.querySelector('#layers input:checked').value);
    const withIndex = intersections.filter(i => i.safety_index !== null).length;
    setStatus(`${intersections.length} intersections (${withIndex} with an index), ${segments.length} diary segments`);
    document.body.dataset.intersections = intersections.length;
    document.body.dataset.segments = segments.length;
    document.body.dataset.state = "ready";
    // ?intersection=ID: that intersection's history from the start (a link to it).
    const chosen = layers.intersections.find(i => String(i.intersection_id) === PARAMS.get("intersection"));
    if (chosen) select(chosen);
  } catch (e) {
    setStatus(String(e.message || e), true);
    document.body.dataset.state = "error";
  }
}

main();
