// The trend panel: how many units stood at each level, week by week, as the views of each moment
// rated them (GET …/trend). A stacked area per level, R1 at the bottom; the newest point on the right.
const levels = ["r1", "r2", "r3", "r4"];

// Reforms ({ at, orders }) inside the trend's range are drawn as vertical marks whose title names the
// orders; the title is set as text, since an order is whatever an administrator typed.
export function drawTrend(container, trend, format, reforms = []) {
  const points = trend?.points ?? [];
  if (points.length === 0) {
    container.innerHTML = `<div class="empty">${format.none}</div>`;
    return;
  }
  const width = 640, height = 180, left = 36, bottom = 22, top = 8;
  const most = Math.max(1, ...points.map((p) => p.units.r1 + p.units.r2 + p.units.r3 + p.units.r4));
  const x = (i) => left + (points.length === 1 ? 0 : (i * (width - left - 8)) / (points.length - 1));
  const y = (n) => top + (height - top - bottom) * (1 - n / most);
  const below = points.map(() => 0);
  const areas = levels.map((level) => {
    const upper = points.map((p, i) => below[i] + p.units[level]);
    const path = [
      ...upper.map((n, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(n).toFixed(1)}`),
      ...below.map((n, i) => `L${x(i).toFixed(1)},${y(n).toFixed(1)}`).reverse(),
      "Z",
    ].join(" ");
    upper.forEach((n, i) => { below[i] = n; });
    return `<path class="area ${level}" d="${path}" data-testid="trend-${level}"><title>${level.toUpperCase()}</title></path>`;
  });
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  const ticks = points.map((p, i) => (i % labelEvery === 0)
    ? `<text x="${x(i).toFixed(1)}" y="${height - 6}" text-anchor="middle">${format.day(p.at)}</text>` : "").join("");
  const last = points[points.length - 1].units;
  container.innerHTML = `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${format.caption}" data-testid="trend-chart" data-points="${points.length}">
    <text x="4" y="${top + 10}">${most}</text><text x="4" y="${height - bottom}">0</text>
    ${areas.join("")}${ticks}
  </svg>
  <div class="meta" data-testid="trend-last">${levels.map((l) => `${l.toUpperCase()} ${last[l]}`).join(" · ")}</div>`;
  const svg = container.querySelector("svg");
  const first = Date.parse(points[0].at), newest = Date.parse(points[points.length - 1].at);
  for (const reform of reforms) {
    if (reform.at < first || reform.at > newest) continue;
    const at = (x(0) + (newest === first ? 0 : ((reform.at - first) * (x(points.length - 1) - x(0))) / (newest - first))).toFixed(1);
    const mark = svgElement("g", { class: "reform", "data-testid": "trend-reform" });
    const title = svgElement("title", {});
    title.textContent = format.reform(reform);
    mark.append(title, svgElement("line", { x1: at, x2: at, y1: top, y2: height - bottom }),
      svgElement("line", { class: "hit", x1: at, x2: at, y1: top, y2: height - bottom }));
    svg.append(mark);
  }
}

function svgElement(name, attributes) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}
