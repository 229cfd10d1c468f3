// The command centre's dashboard: one province, redrawn from the live stream without reload.
import { drawTrend } from "./trend.js";

const province = new URLSearchParams(location.search).get("province") || "bac-kan";

// A token handed over in the address (#token=…, as a development silo prints it) is kept for this
// tab only and taken out of the address bar, so it is not bookmarked or shared by accident.
const handedOver = new URLSearchParams(location.hash.slice(1)).get("token");
if (handedOver) {
  sessionStorage.setItem("token", handedOver);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = () => sessionStorage.getItem("token");

// What the token reaches decides what the dashboard shows: the whole province for a token over it
// (or over everything), one district for a district's token. The server checks every request
// anyway; this only spares a district officer a page of refusals.
function scopes() {
  try {
    const payload = JSON.parse(atob(token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return [].concat(payload.scope ?? []);
  } catch {
    return [];
  }
}
const scoped = scopes();
const districtOnly = scoped.includes("*") || scoped.includes(province) ? null
  : scoped.map((s) => s.split("/")).find((p) => p[0] === province && p.length >= 2)?.slice(0, 2).join("/") ?? null;

const labels = {
  vi: {
    title: "Sẵn sàng chiến đấu", signin: "Nhập mã truy cập (bearer token)", signinGo: "Vào", updated: "Cập nhật", sequence: "sự kiện", districts: "Các đơn vị trực thuộc tỉnh",
    postsNotManned: "Trực chưa đủ quân số", openAlerts: "Cảnh báo", exercisesUnderWay: "Diễn tập đang diễn ra",
    belowR2: "Đơn vị dưới mức R2", yearFigures: "Kết quả năm", exercisesChart: "Diễn tập theo cấp và kết quả",
    awardsChart: "Khen thưởng theo hình thức", trend: "Số đơn vị theo mức, 26 tuần qua", stale: "Quá hạn báo cáo", lastReport: "báo cáo gần nhất", dueBy: "hạn báo cáo", none: "Không có", units: "đơn vị", strength: "Quân số",
    communes: "Các xã, phường, thị trấn", provinceOnly: "Kết quả năm của tỉnh cần mã truy cập cấp tỉnh.",
    secondsAgo: "giây trước", notManned: "chưa trực", staff: "quân số", due: "hạn giao ca", overdue: "quá hạn giao ca từ",
    outreach: "Tuyên truyền (lần)", attendances: "Lượt người tham gia", pupils: "Học sinh, sinh viên được GDQP-AN",
    cadres: "Cán bộ được bồi dưỡng", partyCells: "Chi bộ quân sự", conscription: "Giao quân / chỉ tiêu",
    duty: "Thời gian trực đủ quân số", exercises: "Diễn tập", commune: "Xã, phường, thị trấn", level: "Mức",
    setBy: "Quyết định bởi", recorded: "ghi nhận", area: { Personnel: "Quân số", Training: "Huấn luyện", Duty: "Trực", Assessment: "Đánh giá của chỉ huy", EquipmentOnHand: "VKTBKT hiện có", EquipmentServiceable: "VKTBKT sử dụng được" },
    missions: "Sẵn sàng thực hiện nhiệm vụ", mission: { CombatReadinessDuty: "Trực SSCĐ", SearchAndRescue: "Cứu hộ, cứu nạn", Mobilisation: "Động viên" },
    answer: { Yes: "Có", Qualified: "Có điều kiện", No: "Không" }, notAssessed: "Chưa đánh giá", flagged: "Mâu thuẫn", byDistrict: "Theo đơn vị trực thuộc",
    equipment: "Vũ khí, trang bị kỹ thuật", category: { Weapons: "Vũ khí", Communications: "Thông tin liên lạc", Vehicles: "Xe, phương tiện", RescueEquipment: "Trang bị cứu hộ" },
    authorised: "Biên chế", onHand: "Hiện có", serviceable: "Sử dụng được", underRepair: "Đang sửa chữa", unserviceable: "Hỏng",
    echelon: { MilitaryRegion: "Quân khu", Province: "Tỉnh", District: "Huyện", RegionalDefence: "Phòng thủ khu vực", Commune: "Xã", ForceUnit: "Đơn vị" },
    chain: "Hệ thống chỉ huy", chainOn: "ngày", since: "từ", byOrder: "theo",
    formerly: (names) => `trước đây: ${names}`, mergedFrom: (names) => `sáp nhập từ ${names}`,
    predecessors: (names) => `Sáp nhập vào tỉnh: ${names}`, reform: (day, orders) => `Tổ chức lại ${day}: ${orders}`,
    grade: { Excellent: "Xuất sắc", Good: "Khá", Pass: "Đạt", Fail: "Không đạt" },
    exerciseLevel: { Province: "Cấp tỉnh", District: "Cấp huyện", Commune: "Cấp xã" },
    award: {
      MeritCertificateProvincialCommittee: "Bằng khen UBND tỉnh", CommendationCertificateProvinceCommand: "Giấy khen Bộ CHQS tỉnh",
      AdvancedUnit: "Đơn vị tiên tiến", GrassrootsEmulationSoldier: "Chiến sĩ thi đua cơ sở", AdvancedSoldier: "Chiến sĩ tiên tiến",
    },
    recipient: { Collective: "tập thể", Individual: "cá nhân" }, evidence: "Căn cứ", children: "Đơn vị trực thuộc",
    explain: {
      Personnel: (m) => `Quân số thực tế đạt ${m} biên chế`,
      Training: (m) => `Hoàn thành ${m} nội dung huấn luyện, diễn tập yêu cầu trong chu kỳ`,
      Duty: (m) => `Trực đủ quân số ${m} thời gian 30 ngày qua`,
      EquipmentOnHand: (m) => `Loại thấp nhất hiện có ${m} biên chế`,
      EquipmentServiceable: (m) => `Loại thấp nhất sử dụng được ${m} số hiện có`,
      none: "Không áp dụng",
    },
  },
  en: {
    title: "Combat readiness", signin: "Enter an access token (bearer token)", signinGo: "Sign in", updated: "Updated", sequence: "event", districts: "Commands under the province",
    postsNotManned: "Duty posts not manned", openAlerts: "Alerts", exercisesUnderWay: "Exercises under way",
    belowR2: "Units below R2", yearFigures: "The year's figures", exercisesChart: "Exercises by level and grade",
    awardsChart: "Awards by kind", trend: "Units by level, the last 26 weeks", stale: "Overdue reports", lastReport: "last report", dueBy: "due by", none: "None", units: "units", strength: "Strength",
    communes: "Communes, wards and towns", provinceOnly: "The province's year figures need a token for the province.",
    secondsAgo: "s ago", notManned: "no shift on", staff: "staff", due: "handover due", overdue: "handover overdue since",
    outreach: "Outreach sessions", attendances: "Attendances", pupils: "Pupils and students educated",
    cadres: "Cadres trained", partyCells: "Military party cells", conscription: "Handed over / quota",
    duty: "Duty manned at strength", exercises: "Exercises", commune: "Commune", level: "Level",
    setBy: "Set by", recorded: "recorded", area: { Personnel: "Personnel", Training: "Training", Duty: "Duty", Assessment: "Commander's assessment", EquipmentOnHand: "Equipment on hand", EquipmentServiceable: "Equipment serviceable" },
    missions: "Ready for which mission", mission: { CombatReadinessDuty: "Combat-readiness duty", SearchAndRescue: "Search and rescue", Mobilisation: "Mobilisation" },
    answer: { Yes: "Yes", Qualified: "Qualified", No: "No" }, notAssessed: "Not assessed", flagged: "Contradicted", byDistrict: "By command under the province",
    equipment: "Weapons and equipment", category: { Weapons: "Weapons", Communications: "Communications", Vehicles: "Vehicles", RescueEquipment: "Rescue equipment" },
    authorised: "Authorised", onHand: "On hand", serviceable: "Serviceable", underRepair: "Under repair", unserviceable: "Unserviceable",
    echelon: { MilitaryRegion: "Military region", Province: "Province", District: "District", RegionalDefence: "Regional defence command", Commune: "Commune", ForceUnit: "Unit" },
    chain: "Chain of command", chainOn: "on", since: "since", byOrder: "by order",
    formerly: (names) => `formerly ${names}`, mergedFrom: (names) => `merged from ${names}`,
    predecessors: (names) => `Merged into the province: ${names}`, reform: (day, orders) => `Reorganised ${day}: ${orders}`,
    grade: { Excellent: "Excellent", Good: "Good", Pass: "Pass", Fail: "Fail" },
    exerciseLevel: { Province: "Province", District: "District", Commune: "Commune" },
    award: {
      MeritCertificateProvincialCommittee: "Certificate of merit, People's Committee", CommendationCertificateProvinceCommand: "Commendation, province command",
      AdvancedUnit: "Advanced unit", GrassrootsEmulationSoldier: "Grassroots emulation soldier", AdvancedSoldier: "Advanced soldier",
    },
    recipient: { Collective: "collectives", Individual: "individuals" }, evidence: "Rests on", children: "Units under it",
    explain: null,
  },
};

let lang = localStorage.getItem("lang") || "vi";
let view = null;
let summary = null;
let missions = null;
let updatedAt = null;
const t = (key) => key.split(".").reduce((o, k) => o?.[k], labels[lang]) ?? key;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const number = (n) => new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB").format(n);
// A late report (kept in a commune's outbox while the silo was unreachable) says when it reached the record too.
const late = (e) => e.recordedAt && new Date(e.recordedAt) - new Date(e.occurredAt) > 3_600_000;
const time = (iso) => new Date(iso).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { hour12: false });
const percent = (m) => `${(100 * m).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 1 })} %`;
// The server explains in English; in Vietnamese the dashboard says the same from the area and its measure.
function explain(area, measure, english, named = true) {
  const vi = labels[lang].explain;
  if (!vi || area === "Assessment") return english;
  if (measure == null) return vi.none;
  return named ? `${t(`area.${area}`)}: ${vi[area](percent(measure))}` : vi[area](percent(measure));
}
const level = (l) => `<span class="level ${l ?? ""}">${l ?? "–"}</span>`;
const api = async (path) => {
  const response = await fetch(path, { headers: { accept: "application/json", authorization: `Bearer ${token()}` } });
  if (response.status === 401) askForToken();
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
};

function askForToken() {
  $("signin").hidden = false;
  $("token").focus();
}

function bar(units) {
  const total = units.r1 + units.r2 + units.r3 + units.r4 || 1;
  return `<div class="bar">${["r1", "r2", "r3", "r4"].map((k) => `<span class="${k}" style="width:${(100 * units[k]) / total}%"></span>`).join("")}</div>`;
}

function list(id, items, render) {
  $(id).innerHTML = items.length ? items.map((i) => `<li>${render(i)}</li>`).join("") : `<li class="empty">${t("none")}</li>`;
}

function renderProvince(changed = ["all"]) {
  if (!view) return;
  $("province-name").textContent = view.name;
  $("province-level").className = `level ${view.level ?? ""}`;
  $("province-level").textContent = view.level ?? "–";
  for (const k of ["r1", "r2", "r3", "r4"]) $(`count-${k}`).textContent = view.units[k];
  $("sequence").textContent = view.sequence;
  $("districts").innerHTML = view.districts.map((d) => `
    <article class="card${changed.includes(`district:${d.id}`) ? " changed" : ""}" tabindex="0" data-testid="district" data-id="${esc(d.id)}">
      <h3><span>${esc(d.name)}</span>${level(d.level)}</h3>
      ${bar(d.units)}
      <div class="meta">${d.units.total} ${t("units")} · R1 ${d.units.r1} · R2 ${d.units.r2} · R3 ${d.units.r3} · R4 ${d.units.r4}</div>
      <div class="meta">${t("strength")} <span data-testid="district-strength">${number(d.actualStrength)}</span>/${number(d.authorisedStrength)}${districtOnly || !d.communes.some((c) => c.id !== d.id) ? "" : ` · ${d.communes.length} ${t("commune").toLowerCase()}`}</div>
    </article>`).join("");
  for (const card of document.querySelectorAll("[data-testid=district]")) {
    card.onclick = card.onkeydown = (e) => (e.type === "click" || e.key === "Enter") && openDistrict(card.dataset.id);
  }
  const post = (p) => `${esc(p.name)} <span class="meta">${p.onDuty ? `${t("staff")} ${p.staffPresent}/${p.staffRequired}` : t("notManned")}</span>`;
  list("posts", view.postsNotManned, post);
  list("alerts", view.openAlerts, (p) => `${esc(p.name)} <span class="meta">${t("overdue")} ${time(p.handoverDueAt)}</span>`);
  list("exercises", view.exercisesUnderWay, (e) => `${esc(e.name)} <span class="meta">${t(`exerciseLevel.${e.level}`)}</span>`);
  list("concerns", view.belowR2, (c) => `${level(c.level)} <a href="#" data-unit="${esc(c.unitId)}">${esc(c.name)}</a> <span class="meta">${esc(explain(c.setBy, c.measure, c.explanation))}</span>`);
  for (const a of document.querySelectorAll("#concerns a")) a.onclick = (e) => { e.preventDefault(); openUnit(a.dataset.unit); };
  // Units silent past their reporting interval: their figures may no longer be true, so they stand out.
  list("stale", view.stale ?? [], (u) => `<span class="stale-mark">●</span> <a href="#" data-unit="${esc(u.unitId)}" data-testid="stale-unit">${esc(u.name)}</a> <span class="meta">${t("lastReport")} ${u.lastReportedAt ? time(u.lastReportedAt) : "–"}</span>`);
  for (const a of document.querySelectorAll("#stale a")) a.onclick = (e) => { e.preventDefault(); openUnit(a.dataset.unit); };
}

function hbars(rows) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return rows.map((r) => `<div class="hbar"><span>${esc(r.label)}</span><div class="track"><div class="fill" style="width:${(100 * r.value) / max}%"></div></div><b>${number(r.value)}</b></div>`).join("")
    || `<div class="empty">${t("none")}</div>`;
}

function renderSummary() {
  if (districtOnly) {
    $("figures").innerHTML = `<div class="empty" data-testid="province-only">${t("provinceOnly")}</div>`;
    return;
  }
  if (!summary) return;
  const s = summary;
  const figure = (key, value, testid) => `<div class="figure" data-testid="${testid}"><b>${value}</b>${t(key)}</div>`;
  $("figures").innerHTML = [
    figure("outreach", number(s.outreachSessions), "outreach-sessions"),
    figure("attendances", number(s.outreachAttendances), "outreach-attendances"),
    figure("pupils", number(s.pupilsAndStudentsEducated), "pupils"),
    figure("cadres", number(s.cadresEducated), "cadres"),
    figure("partyCells", number(s.partyCellsActiveAtYearEnd), "party-cells"),
    figure("conscription", `${number(s.conscription.handedOver)}/${number(s.conscription.quota)}`, "conscription"),
    figure("exercises", number(s.exercises.reduce((n, e) => n + e.count, 0)), "exercises-total"),
    figure("duty", `${(100 * s.duty.coverage).toFixed(1)} %`, "duty-coverage"),
  ].join("");
  $("chart-exercises").innerHTML = hbars(s.exercises.map((e) => ({ label: `${t(`exerciseLevel.${e.level}`)} · ${t(`grade.${e.grade}`)}`, value: e.count })));
  $("chart-awards").innerHTML = hbars(s.awards.map((a) => ({ label: `${t(`award.${a.kind}`)} (${t(`recipient.${a.recipientKind}`)})`, value: a.count })));
}

// Missions: per mission, how many units answer Yes, Qualified or No, how many are not assessed, and
// how many answers the units' own figures contradict; then the same by district, then the contradictions.
function renderMissions() {
  if (!missions) return;
  const head = `<tr><th></th><th class="yes">${t("answer.Yes")}</th><th class="qualified">${t("answer.Qualified")}</th><th class="no">${t("answer.No")}</th><th>${t("notAssessed")}</th><th>${t("flagged")}</th></tr>`;
  const row = (m) => `<tr data-testid="mission-row" data-mission="${esc(m.mission)}"><td>${t(`mission.${m.mission}`)}</td>
    <td class="yes">${m.yes}</td><td class="qualified">${m.qualified}</td><td class="no">${m.no}</td><td>${m.notAssessed}</td><td>${m.flagged}</td></tr>`;
  const districts = missions.districts ?? [];
  const ready = (m) => `${m.yes + m.qualified}/${m.assigned}`;
  const byDistrict = districts.length ? `<details open><summary>${t("byDistrict")}</summary><table>
      <tr><th></th>${missions.missions.map((m) => `<th>${t(`mission.${m.mission}`)}</th>`).join("")}</tr>
      ${districts.map((d) => `<tr data-testid="mission-district" data-district="${esc(d.id)}"><td>${esc(d.name)}</td>${d.missions.map((m) => `<td>${ready(m)}</td>`).join("")}</tr>`).join("")}
    </table></details>` : "";
  const flags = missions.flagged.map((f) => `<div class="flag" data-testid="mission-flag">⚠ <a href="#" data-unit="${esc(f.unitId)}">${esc(f.name)}</a> · ${t(`mission.${f.mission}`)}: ${esc(f.problem)}</div>`).join("");
  $("missions").innerHTML = `<table>${head}${missions.missions.map(row).join("")}</table>${byDistrict}${flags}`;
  for (const a of $("missions").querySelectorAll("a[data-unit]")) a.onclick = (e) => { e.preventDefault(); openUnit(a.dataset.unit); };
}

async function loadMissions() {
  missions = districtOnly
    ? await api(`/api/provinces/${province}/districts/${encodeURIComponent(districtOnly.split("/")[1])}/missions`)
    : await api(`/api/provinces/${province}/missions`);
  renderMissions();
}

async function loadSummary() {
  if (districtOnly) return renderSummary();
  summary = await api(`/api/provinces/${province}/summary/${$("year").value}`);
  renderSummary();
}

// Levels move slowly and each point is a view of the past: the trend is read at start and then every few minutes.
let trend = null;
// The moments the chain of command changed by an order, each with its orders, marked on the trend so
// that a step in the counts can be told from a reform. Read from today's tree once; null until read.
let reforms = null;
const renderTrend = () => drawTrend($("chart-trend"), trend, {
  none: t("none"), caption: t("trend"),
  day: (iso) => new Date(iso).toLocaleDateString(lang === "vi" ? "vi-VN" : "en-GB", { day: "numeric", month: "numeric" }),
  reform: (r) => t("reform")(day(r.at), r.orders.join(", ")),
}, reforms ?? []);
function reformsOf(tree) {
  const moments = new Map();
  for (const u of tree.units.filter((u) => u.order)) {
    const at = Date.parse(u.heldFrom);
    moments.set(at, (moments.get(at) ?? new Set()).add(u.order));
  }
  return [...moments].map(([at, orders]) => ({ at, orders: [...orders] }));
}
async function loadTrend() {
  trend = await api(districtOnly ? `/api/provinces/${province}/districts/${districtOnly.split("/")[1]}/trend?step=week` : `/api/provinces/${province}/trend?step=week`);
  // A district's token does not reach the province's tree; its trend goes without marks.
  if (!districtOnly && !reforms) reforms = await api(`/api/provinces/${province}/tree`).then(reformsOf).catch(() => null);
  renderTrend();
}

// The chain of command panel: the province's units as they stood on the chosen day, each under its
// parent then. A past day is read at its end, so that an order in force from that day shows; today
// and later are read as now, since the server refuses a moment ahead of it.
let chain = null;
let chainAsked = 0;
const day = (at) => new Date(at).toLocaleDateString(lang === "vi" ? "vi-VN" : "en-GB");
const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
async function loadChain() {
  const asked = ++chainAsked;
  const [y, m, d] = $("chain-date").value.split("-").map(Number);
  const end = new Date(y, m - 1, d + 1).getTime() - 1;
  const asOf = Number.isNaN(end) || end >= Date.now() ? "" : `?asOf=${encodeURIComponent(new Date(end).toISOString())}`;
  const response = await fetch(`/api/provinces/${province}/tree${asOf}`, { headers: { accept: "application/json", authorization: `Bearer ${token()}` } });
  if (response.status === 401) askForToken();
  if (response.status !== 404 && !response.ok) throw new Error(`tree: ${response.status}`);
  const body = await response.json();
  if (asked !== chainAsked) return;
  chain = response.ok ? { tree: body } : { problem: body.detail ?? body.title };
  renderChain();
}
// Built node by node with textContent: names and orders are whatever was registered.
function withText(tag, text, className) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}
function renderChain() {
  const problem = chain?.problem ?? null;
  $("chain-problem").hidden = problem === null;
  $("chain-problem").textContent = problem ?? "";
  $("chain").replaceChildren();
  const predecessors = chain?.tree?.predecessors ?? [];
  $("chain-predecessors").hidden = predecessors.length === 0;
  $("chain-predecessors").textContent = predecessors.length
    ? t("predecessors")(predecessors.map((p) => p.dissolvedAt ? `${p.name} (${day(p.dissolvedAt)})` : p.name).join(", ")) : "";
  if (!chain?.tree) return;
  const names = new Map([...chain.tree.units, ...predecessors].map((u) => [u.unitId, u.name]));
  const items = new Map();
  for (const u of chain.tree.units) {
    const item = document.createElement("li");
    item.dataset.testid = "tree-unit";
    item.dataset.unit = u.unitId;
    const own = document.createElement("div");
    own.dataset.testid = "tree-line";
    own.append(withText("b", u.name), " ", withText("span", t(`echelon.${u.echelon}`), "echelon"), " ",
      withText("span", `${t("since")} ${day(u.heldFrom)}${u.order ? ` · ${t("byOrder")} ${u.order}` : ""}`, "meta"));
    if (u.formerNames.length) own.append(" ", withText("span", t("formerly")(u.formerNames.join(", ")), "meta"));
    if (u.mergedFrom.length) own.append(" ", withText("span", t("mergedFrom")(u.mergedFrom.map((id) => names.get(id) ?? id).join(", ")), "meta"));
    item.append(own);
    items.set(u.unitId, item);
    const parent = items.get(u.parentId);
    if (!parent) {
      $("chain").append(item);
      continue;
    }
    if (!parent.lastElementChild || parent.lastElementChild.tagName !== "UL") parent.append(document.createElement("ul"));
    parent.lastElementChild.append(item);
  }
}

let summaryTimer = null;
function refreshSummarySoon() {
  clearTimeout(summaryTimer);
  summaryTimer = setTimeout(() => { loadSummary().catch(console.error); loadMissions().catch(console.error); }, 500);
}

// Drill down: district → commune → unit, each a step in the breadcrumb.
const crumbs = [];
function showDrill(title, html, onOpen) {
  const dialog = $("drill");
  crumbs.push({ title, html, onOpen });
  drawDrill();
  if (!dialog.open) dialog.showModal();
}
function drawDrill() {
  const top = crumbs[crumbs.length - 1];
  $("crumbs").innerHTML = crumbs.map((c, i) => i === crumbs.length - 1 ? `<b>${esc(c.title)}</b>` : `<a data-i="${i}">${esc(c.title)}</a><span>›</span>`).join("");
  for (const a of $("crumbs").querySelectorAll("a")) a.onclick = () => { crumbs.length = Number(a.dataset.i) + 1; drawDrill(); };
  $("drill-body").innerHTML = top.html;
  top.onOpen?.();
}

function unitRows(units) {
  return `<table><tr><th>${t("echelon.ForceUnit")}</th><th>${t("level")}</th><th>${t("setBy")}</th><th>${t("strength")}</th></tr>${units.map((u) => `
    <tr class="link" data-unit="${esc(u.id)}" data-testid="unit-row"><td>${esc(u.name)}</td><td>${level(u.level)}</td><td>${t(`area.${u.setBy}`)}</td><td>${u.actualStrength}/${u.authorisedStrength}</td></tr>`).join("")}</table>`;
}
const bindUnitRows = () => { for (const row of $("drill-body").querySelectorAll("tr[data-unit]")) row.onclick = () => openUnit(row.dataset.unit); };

async function openDistrict(id) {
  crumbs.length = 0;
  const units = await api(`/api/provinces/${province}/units?parent=${encodeURIComponent(id)}`);
  const district = view.districts.find((d) => d.id === id);
  showDrill(district?.name ?? id, `<p>${level(district?.level)} ${bar(district.units)}</p>${unitRows(units)}`, bindUnitRows);
}

async function openUnit(id) {
  if (!$("drill").open) crumbs.length = 0;
  const [unit, children] = await Promise.all([
    api(`/api/units/${id}`),
    api(`/api/provinces/${province}/units?parent=${encodeURIComponent(id)}`),
  ]);
  const areas = unit.rating.areas.map((a) => `
    <div class="area${a.area === unit.rating.setBy ? " decides" : ""}" data-testid="area">
      <b>${t(`area.${a.area}`)}</b> ${level(a.level)} <div>${esc(explain(a.area, a.measure, a.explanation, false))}</div>
      ${a.evidence.length ? `<ul class="evidence">${a.evidence.slice(-6).map((e) => `<li>${esc(e.event)} #${e.version} · ${time(e.occurredAt)}${late(e) ? ` (${t("recorded")} ${time(e.recordedAt)})` : ""}</li>`).join("")}</ul>` : ""}
    </div>`).join("");
  const decisive = unit.rating.areas.find((a) => a.area === unit.rating.setBy);
  const equipment = unit.equipment.length ? `<h2>${t("equipment")}</h2><table data-testid="equipment"><tr><th></th><th>${t("authorised")}</th><th>${t("onHand")}</th><th>${t("serviceable")}</th><th>${t("underRepair")}</th><th>${t("unserviceable")}</th></tr>
    ${unit.equipment.map((e) => `<tr><td>${t(`category.${e.category}`)}</td><td>${e.authorised}</td><td>${e.onHand}</td><td>${e.serviceable}</td><td>${e.underRepair}</td><td>${e.unserviceable}</td></tr>`).join("")}</table>` : "";
  const unitMissions = unit.missions.length ? `<h2>${t("missions")}</h2><table data-testid="unit-missions">${unit.missions.map((m) => `
    <tr><td>${t(`mission.${m.mission}`)}</td><td>${m.answer ? t(`answer.${m.answer}`) : t("notAssessed")}</td><td class="meta">${esc(m.reason ?? "")}${m.assessedBy ? ` (${esc(m.assessedBy)})` : ""}</td></tr>`).join("")}</table>
    ${unit.missionFlags.map((f) => `<div class="flag" data-testid="unit-mission-flag">⚠ ${t(`mission.${f.mission}`)}: ${esc(f.problem)}</div>`).join("")}` : "";
  const f = unit.freshness;
  const freshness = f ? `<p class="${f.stale ? "stale-mark" : "meta"}" data-testid="freshness">${f.stale ? "● " + t("stale") + " · " : ""}${t("lastReport")} ${f.lastReportedAt ? time(f.lastReportedAt) : "–"}${f.dueBy ? ` · ${t("dueBy")} ${time(f.dueBy)}` : ""}</p>` : "";
  showDrill(unit.name, `<p>${level(unit.level)} ${t("setBy")}: ${esc(explain(decisive.area, decisive.measure, unit.rating.explanation))}</p>${freshness}${areas}${equipment}${unitMissions}
    ${children.length ? `<h2>${t("children")}</h2>${unitRows(children)}` : ""}`, bindUnitRows);
}

// A district's view has its communes where the province's has districts, and no province-wide lists.
function asProvinceShape(district) {
  return {
    ...district,
    districts: district.communes.map((c) => ({ ...c, communes: [] })),
    openAlerts: [],
    exercisesUnderWay: [],
  };
}

async function pollDistrict() {
  const [, name] = districtOnly.split("/");
  try {
    const district = await api(`/api/provinces/${province}/districts/${encodeURIComponent(name)}`);
    $("live").className = "live on";
    if (!view || district.sequence !== view.sequence) {
      view = asProvinceShape(district);
      updatedAt = new Date(view.updatedAt);
      renderProvince(["all"]);
      tick();
      loadMissions().catch(console.error);
    }
  } catch (error) {
    $("live").className = "live off";
    console.error(error);
  }
  setTimeout(pollDistrict, 2000);
}

function connect() {
  if (!token()) return askForToken();
  if (districtOnly) {
    document.querySelector(".districts h2").dataset.i18n = "communes";
    // A district's view carries no alerts or exercises of its own, and the year's figures are the
    // province's: better nothing shown than "none" where the answer is not known.
    for (const hidden of [document.querySelector(".charts"), $("year"), $("alerts").parentElement, $("exercises").parentElement, document.querySelector(".chain")]) {
      hidden.style.display = "none";
    }
    applyLanguage();
    return pollDistrict();
  }
  streamProvince();
}

// The live stream is read with fetch rather than EventSource so that the token travels in the
// Authorization header: a token in an address ends up in proxy logs and browser history.
async function streamProvince() {
  let lastEventId = null;
  let wait = 1000;
  for (;;) {
    try {
      const headers = { accept: "text/event-stream", authorization: `Bearer ${token()}` };
      if (lastEventId) headers["last-event-id"] = lastEventId;
      const response = await fetch(`/api/provinces/${province}/live`, { headers, cache: "no-store" });
      if (response.status === 401 || response.status === 403) {
        $("live").className = "live off";
        return askForToken();
      }
      if (!response.ok || !response.body) throw new Error(`live: ${response.status}`);
      $("live").className = "live on";
      wait = 1000;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffered = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let end;
        while ((end = buffered.indexOf("\n\n")) >= 0) {
          const message = parseServerSentEvent(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (message.retry) wait = message.retry;
          if (message.id) lastEventId = message.id;
          if (message.event === "province" && message.data) showProvinceChange(JSON.parse(message.data));
        }
      }
    } catch (error) {
      console.error(error);
    }
    // The stream ended (a restart, a lapsed token, a dropped link): say so, then reconnect, carrying
    // the last event id so that nothing in between is missed.
    $("live").className = "live off";
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function parseServerSentEvent(block) {
  const message = { data: "" };
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") message.data += (message.data ? "\n" : "") + text;
    else if (field === "id") message.id = text;
    else if (field === "event") message.event = text;
    else if (field === "retry" && /^\d+$/.test(text)) message.retry = Number(text);
  }
  return message;
}

function showProvinceChange(message) {
  // The default province was merged into another by a reorganisation: the command centre watches the
  // command that carries it on. A province asked for by name is shown as it last stood.
  if (message.view.dissolvedAt && message.view.successorId && !new URLSearchParams(location.search).get("province")) {
    location.replace(`?province=${encodeURIComponent(message.view.successorId)}`);
    return;
  }
  view = message.view;
  updatedAt = new Date(view.updatedAt);
  renderProvince(message.changed);
  tick();
  if (message.changed.includes("figures") || message.changed.includes("all")) refreshSummarySoon();
}

function tick() {
  if (!updatedAt) return;
  const seconds = Math.max(0, Math.round((Date.now() - updatedAt) / 1000));
  $("updated").textContent = `${updatedAt.toLocaleTimeString(lang === "vi" ? "vi-VN" : "en-GB", { hour12: false })} (${seconds} ${t("secondsAgo")})`;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  $("lang").textContent = lang === "vi" ? "EN" : "VI";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  renderProvince();
  renderSummary();
  if (trend) renderTrend();
  renderMissions();
  renderChain();
  tick();
}

$("signin").onsubmit = (e) => {
  e.preventDefault();
  sessionStorage.setItem("token", $("token").value.trim());
  location.reload();
};
$("lang").onclick = () => { lang = lang === "vi" ? "en" : "vi"; localStorage.setItem("lang", lang); applyLanguage(); };
$("close").onclick = () => $("drill").close();
const thisYear = new Date().getFullYear();
$("year").innerHTML = Array.from({ length: 4 }, (_, i) => thisYear - i).map((y) => `<option${y === 2024 ? " selected" : ""}>${y}</option>`).join("");
$("year").onchange = () => loadSummary().catch(console.error);
$("chain-date").value = $("chain-date").max = isoDay(new Date());
$("chain-date").onchange = () => loadChain().catch(console.error);
applyLanguage();
connect();
if (!districtOnly) {
  loadSummary().catch(console.error);
  loadChain().catch(console.error);
}
loadTrend().catch(console.error);
setInterval(() => loadTrend().catch(console.error), 5 * 60_000);
if (token()) loadMissions().catch(console.error);
setInterval(tick, 1000);
