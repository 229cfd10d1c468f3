// The military region's dashboard: its provinces side by side, as the reports the region received and
// checked show them; a moment in the past reads them as the region knew them then.

const handedOver = new URLSearchParams(location.hash.slice(1)).get("token");
if (handedOver) {
  sessionStorage.setItem("token", handedOver);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = () => sessionStorage.getItem("token");

const labels = {
  vi: {
    title: "Quân khu: các tỉnh", signin: "Nhập mã truy cập (bearer token)", signinGo: "Vào", updated: "Cập nhật", asOf: "tại thời điểm", now: "Hiện tại",
    province: "Tỉnh", level: "Mức", report: "Báo cáo", made: "Lập lúc", received: "Nhận lúc", heads: "Đã chứng kiến", refused: "Bị từ chối", alarm: "Cảnh báo",
    trend: "Mức của các tỉnh theo báo cáo nhận được, 30 ngày qua", stale: "quá hạn báo cáo", none: "Chưa có báo cáo", noReports: "Chưa có báo cáo trong thời gian này",
    notRegion: "Máy chủ này không ở vai trò quân khu.", refusedToken: "Mã truy cập bị từ chối.", missions: "Nhiệm vụ",
    mission: { CombatReadinessDuty: "Trực SSCĐ", SearchAndRescue: "Cứu hộ, cứu nạn", Mobilisation: "Động viên" }, ready: "sẵn sàng",
  },
  en: {
    title: "Military region: the provinces", signin: "Enter an access token (bearer token)", signinGo: "Sign in", updated: "Updated", asOf: "as of", now: "Now",
    province: "Province", level: "Level", report: "Report", made: "Made", received: "Received", heads: "Heads witnessed", refused: "Refused", alarm: "Alarm",
    trend: "The provinces' levels from the reports received, the last 30 days", stale: "report overdue", none: "No report yet", noReports: "No report in this time",
    notRegion: "This silo is not in the region role.", refusedToken: "The access token was refused.", missions: "Missions",
    mission: { CombatReadinessDuty: "Combat-readiness duty", SearchAndRescue: "Search and rescue", Mobilisation: "Mobilisation" }, ready: "ready",
  },
};
let lang = localStorage.getItem("lang") || "vi";
const t = (key) => key.split(".").reduce((o, k) => o?.[k], labels[lang]) ?? key;
const time = (iso) => (iso ? new Date(iso).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { hour12: false }) : "–");
const number = (n) => new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-GB").format(n);

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

async function get(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (response.status === 401) {
    sessionStorage.removeItem("token");
    showSignin(t("refusedToken"));
    return null;
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    showProblem(response.status === 404 ? t("notRegion") : problem.detail ?? `${response.status}`);
    return null;
  }
  return response.json();
}

function showSignin(message) {
  document.getElementById("signin").hidden = false;
  if (message) showProblem(message);
}

function showProblem(message) {
  const problem = document.getElementById("problem");
  problem.textContent = message;
  problem.hidden = !message;
}

function asOf() {
  const value = document.getElementById("as-of").value;
  return value ? new Date(value).toISOString() : null;
}

function drawProvinces(provinces) {
  const rows = document.getElementById("rows");
  rows.replaceChildren(...provinces.map((p) => {
    const tr = document.createElement("tr");
    tr.dataset.testid = "province-" + p.id;
    tr.dataset.province = p.id;
    if (p.stale) {
      tr.classList.add("stale");
      tr.dataset.stale = t("stale");
    }
    const name = cell(p.name ?? p.id);
    name.dataset.stale = t("stale");
    const level = cell("");
    const chip = document.createElement("span");
    chip.className = "level " + (p.level ?? "");
    chip.textContent = p.level ?? "–";
    chip.dataset.testid = "level";
    level.append(chip);
    const units = p.units ?? { r1: 0, r2: 0, r3: 0, r4: 0 };
    // Each mission some unit holds: how many answered Yes (and Qualified) of those assigned it.
    const assigned = (p.missions ?? []).filter((m) => m.assigned > 0);
    const missions = cell(assigned.length === 0 ? "–"
      : assigned.map((m) => `${t("mission." + m.mission)}: ${m.yes}${m.qualified ? "+" + m.qualified : ""}/${m.assigned} ${t("ready")}`).join(" · "));
    missions.dataset.testid = "missions";
    const alarm = cell(p.alarm ?? "", "alarm");
    alarm.dataset.testid = "alarm";
    tr.append(name, level, cell(number(units.r1), "n"), cell(number(units.r2), "n"), cell(number(units.r3), "n"), cell(number(units.r4), "n"),
      cell(p.reportSequence == null ? t("none") : "#" + p.reportSequence), cell(time(p.generatedAt)), cell(time(p.receivedAt)),
      cell(number(p.headsWitnessed), "n"), cell(number(p.reportsRefused), "n"), missions, alarm);
    return tr;
  }));
}

function drawTrend(trends) {
  const trend = document.getElementById("trend");
  trend.replaceChildren(...trends.map((p) => {
    const row = document.createElement("div");
    row.className = "row";
    row.dataset.testid = "trend-" + p.id;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = p.name ?? p.id;
    row.append(name);
    if (p.points.length === 0) {
      const empty = document.createElement("span");
      empty.textContent = t("noReports");
      row.append(empty);
    }
    for (const point of p.points) {
      const mark = document.createElement("span");
      mark.className = "mark " + (point.level ?? "");
      mark.title = `#${point.reportSequence} · ${time(point.generatedAt)} · ${point.level ?? "–"} (R1 ${point.units.r1}, R2 ${point.units.r2}, R3 ${point.units.r3}, R4 ${point.units.r4})`;
      row.append(mark);
    }
    return row;
  }));
}

async function refresh() {
  if (!token()) {
    showSignin();
    return;
  }
  const at = asOf();
  const provinces = await get("/api/region/provinces" + (at ? `?asOf=${encodeURIComponent(at)}` : ""));
  if (!provinces) return;
  showProblem("");
  drawProvinces(provinces);
  const trends = await get("/api/region/trend" + (at ? `?to=${encodeURIComponent(at)}` : ""));
  if (trends) drawTrend(trends);
  document.getElementById("updated").textContent = time(new Date().toISOString());
}

function translate() {
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  document.getElementById("lang").textContent = lang === "vi" ? "EN" : "VI";
}

document.getElementById("lang").addEventListener("click", () => {
  lang = lang === "vi" ? "en" : "vi";
  localStorage.setItem("lang", lang);
  translate();
  refresh();
});
document.getElementById("signin").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("token", document.getElementById("token").value.trim());
  document.getElementById("signin").hidden = true;
  refresh();
});
document.getElementById("as-of").addEventListener("change", refresh);
document.getElementById("now").addEventListener("click", () => {
  document.getElementById("as-of").value = "";
  refresh();
});

translate();
refresh();
// The present moves on: reports arrive and provinces fall silent. The past does not.
setInterval(() => { if (!asOf()) refresh(); }, 5_000);
