// The reporting page: forms drawn from the command contracts (GET /api/commands), each report queued
// in the browser's outbox the moment it is made and sent when the link allows.
import { labels, groups } from "./labels.js";
import * as outbox from "./outbox.js";

// As on the dashboard: a token handed over in the address is kept for this tab only and taken out of the address bar.
const handedOver = new URLSearchParams(location.hash.slice(1)).get("token");
if (handedOver) {
  sessionStorage.setItem("token", handedOver);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = () => sessionStorage.getItem("token");
function claims() {
  try {
    return JSON.parse(atob(token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch {
    return {};
  }
}
const subject = () => claims().sub ?? "";
const scopes = () => [].concat(claims().scope ?? []);
// The server judges every report anyway; this spares the person a report bound to be refused.
const covers = (id) => scopes().some((s) => s === "*" || id === s || id.startsWith(`${s}/`));

let lang = localStorage.getItem("lang") || "vi";
const t = (key) => key.split(".").reduce((o, k) => o?.[k], labels[lang]) ?? key.split(".").reduce((o, k) => o?.[k], labels.en);
const words = (name) => name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
const fieldLabel = (name) => labels[lang].fields[name] ?? words(name).replace(/^./, (c) => c.toUpperCase());
const valueLabel = (value) => labels[lang].values[value] ?? words(value).replace(/^./, (c) => c.toUpperCase());
const formTitle = (d) => labels[lang].forms[d.name] ?? words(d.name).replace(/^./, (c) => c.toUpperCase());
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const time = (iso) => new Date(iso).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB", { hour12: false });
const waited = (from, to) => {
  const s = Math.max(0, Math.round((new Date(to) - new Date(from)) / 1000));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

// What the page keeps between visits is the contracts (the same for every reporter) and, per subject
// and scopes, the units the token reaches, so that it opens with no network.
const unitsKey = () => `report.units.${subject()}.${scopes().join(",")}`;
let commands = JSON.parse(localStorage.getItem("report.commands") ?? "null");
let units = JSON.parse(localStorage.getItem(unitsKey()) ?? "null");
let current = null;
let justMade = null;
let signedOut = false;

const api = async (path) => {
  const response = await fetch(path, { headers: { accept: "application/json", authorization: `Bearer ${token()}` } });
  if (response.status === 401) askForToken();
  if (!response.ok) throw Object.assign(new Error(`${path}: ${response.status}`), { status: response.status });
  return response.json();
};

function askForToken(again = false) {
  signedOut = true;
  $("signin").hidden = false;
  $("signin-again").hidden = !again;
}

async function loadCommands() {
  try {
    commands = (await api("/api/commands")).filter((d) => d.role === "reporter");
    localStorage.setItem("report.commands", JSON.stringify(commands));
  } catch {
    // Offline: the contracts kept from the last visit serve.
  }
}

// The units under each of the token's scopes, a few levels down; the scopes themselves when offline on a first visit.
async function loadUnits() {
  try {
    const found = [];
    const walk = async (id, depth) => {
      const province = id.split("/")[0];
      const children = await api(`/api/provinces/${encodeURIComponent(province)}/units?parent=${encodeURIComponent(id)}`);
      for (const child of children) {
        found.push({ id: child.id, name: child.name });
        if (child.children > 0 && depth < 2 && found.length < 300) await walk(child.id, depth + 1);
      }
    };
    for (const scope of scopes().filter((s) => s !== "*")) {
      const unit = await api(`/api/units/${scope}`);
      found.push({ id: unit.id, name: unit.name });
      await walk(scope, 0);
    }
    units = found.filter((u) => covers(u.id));
    localStorage.setItem(unitsKey(), JSON.stringify(units));
  } catch {
    units ??= scopes().filter((s) => s !== "*").map((id) => ({ id, name: id }));
  }
}

function translate() {
  document.documentElement.lang = lang;
  $("lang").textContent = lang === "vi" ? "EN" : "VI";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("network").textContent = navigator.onLine ? t("online") : t("offline");
  $("network").className = navigator.onLine ? "network on" : "network off";
}

function renderPicker() {
  if (!commands) {
    $("forms").innerHTML = `<p class="empty" data-testid="needs-network">${t("needsNetwork")}</p>`;
    return;
  }
  const known = new Set(Object.values(groups).flat());
  const option = (d) => `<option value="${esc(d.name)}">${esc(formTitle(d))}</option>`;
  const byName = new Map(commands.map((d) => [d.name, d]));
  $("form-picker").innerHTML = `<option value="">${esc(t("choose"))}</option>`
    + Object.entries(groups).map(([g, names]) => `<optgroup label="${esc(t(`groups.${g}`))}">${names.filter((n) => byName.has(n)).map((n) => option(byName.get(n))).join("")}</optgroup>`).join("")
    + `<optgroup label="${esc(t("other"))}">${commands.filter((d) => !known.has(d.name)).map(option).join("")}</optgroup>`;
  if (current) $("form-picker").value = current.name;
}

const unitOptions = (selected) => (units ?? []).map((u) => `<option value="${esc(u.id)}"${u.id === selected ? " selected" : ""}>${esc(u.name)} (${esc(u.id)})</option>`).join("");

function input(field, value) {
  const name = esc(field.name);
  const v = value ?? "";
  switch (field.type) {
    case "prose": return `<textarea name="${name}" rows="3">${esc(v)}</textarea>`;
    case "integer": return `<input name="${name}" type="number" step="1" inputmode="numeric" value="${esc(v)}">`;
    case "choice": return `<select name="${name}">${field.values.map((x) => `<option value="${esc(x)}"${x === v ? " selected" : ""}>${esc(valueLabel(x))}</option>`).join("")}</select>`;
    case "moment": return `<input name="${name}" type="datetime-local" value="${esc(v)}">`;
    case "list": return `<textarea name="${name}" rows="3">${esc([].concat(v).join("\n"))}</textarea>`;
    case "object": return `<textarea name="${name}" rows="3">${esc(v === "" ? "" : JSON.stringify(v))}</textarea>`;
    default: return `<input name="${name}" type="text" value="${esc(v)}">`;
  }
}

// An actor named by a unit and a name of its own (a post, an exercise): the unit is picked, the name typed.
const ownedName = (d) => (d.actor === "dutyPost" ? "sscd" : "");
const local = (iso) => { const d = new Date(iso); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };

function renderForm(d, values = {}, problem = null) {
  current = d;
  if (!d) {
    $("form").innerHTML = "";
    return;
  }
  const rows = d.fields.filter((f) => f.name !== "commandId").map((f) => {
    let control;
    if (f.name === d.actorField && d.actor === "unit") {
      control = `<select name="${esc(f.name)}" data-testid="unit-picker">${unitOptions(values[f.name])}</select>`;
    } else if (f.name === d.actorField) {
      const id = values[f.name] ?? "";
      const owner = (units ?? []).find((u) => id.startsWith(`${u.id}/`) && !id.slice(u.id.length + 1).includes("/"))?.id;
      control = `<span class="owned"><select name="${esc(f.name)}.owner" data-testid="unit-picker">${unitOptions(owner)}</select> / `
        + `<input name="${esc(f.name)}.name" type="text" value="${esc(id ? id.slice((owner?.length ?? -1) + 1) : ownedName(d))}"></span>`;
    } else if (f.name === "occurredAt") {
      control = `<input name="occurredAt" type="datetime-local" value="${esc(values.occurredAt ? local(values.occurredAt) : "")}"> <small>${esc(t("occurredHint"))}</small>`;
    } else {
      control = input(f, f.type === "moment" && values[f.name] ? local(values[f.name]) : values[f.name]);
    }
    return `<label class="field" data-field="${esc(f.name)}"><span>${esc(fieldLabel(f.name))}${f.required ? " *" : ""}</span>${control}`
      + `<small class="problem" data-testid="problem-${esc(f.name)}"></small></label>`;
  }).join("");
  // The server's summary is English: shown in English, or for a command the page has no words for yet.
  const summary = lang === "en" || !labels[lang].forms[d.name] ? d.summary : "";
  $("form").innerHTML = `<h2>${esc(formTitle(d))}</h2>${summary ? `<p class="meta">${esc(summary)}</p>` : ""}${rows}`
    + `<p class="problem" data-testid="problem-form"></p><button type="submit" data-testid="record">${esc(t("record"))}</button>`;
  $("form").dataset.command = d.name;
  if (problem) showProblem(d, problem);
}

// The refusal stands at the field it names (by its JSON name, or its name in words); otherwise under the form.
function fieldOf(d, detail) {
  let best = null;
  for (const f of d.fields.filter((x) => x.name !== "commandId")) {
    for (const needle of [f.name, words(f.name)]) {
      const at = detail.search(new RegExp(`\\b${needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "i"));
      if (at >= 0 && (!best || at < best.at)) best = { at, name: f.name };
    }
  }
  return best?.name ?? "form";
}

function showProblem(d, problem) {
  for (const el of document.querySelectorAll("#form .problem")) el.textContent = "";
  const target = document.querySelector(`#form [data-testid="problem-${fieldOf(d, problem.detail)}"]`) ?? document.querySelector("#form [data-testid=problem-form]");
  target.textContent = problem.detail;
  target.closest(".field")?.classList.add("refused");
}

function read(d) {
  const form = $("form");
  const command = { commandId: crypto.randomUUID() };
  let missing = null;
  for (const f of d.fields.filter((x) => x.name !== "commandId")) {
    let value;
    if (f.name === d.actorField && d.actor !== "unit") {
      const name = form.elements[`${f.name}.name`].value.trim();
      value = name ? `${form.elements[`${f.name}.owner`].value}/${name}` : "";
    } else {
      value = form.elements[f.name].value;
    }
    if (f.name === "occurredAt") {
      // Fixed the moment the report is made: a report sent hours later still says when it happened.
      command.occurredAt = (value ? new Date(value) : new Date()).toISOString();
      continue;
    }
    if (value === "") {
      if (f.required && f.type !== "list") missing ??= f.name;
      continue;
    }
    command[f.name] = f.type === "integer" ? Number(value)
      : f.type === "moment" ? new Date(value).toISOString()
      : f.type === "list" ? value.split("\n").map((s) => s.trim()).filter(Boolean)
      : f.type === "object" ? JSON.parse(value)
      : value;
  }
  return { command, missing };
}

async function submit(event) {
  event.preventDefault();
  const d = current;
  const { command, missing } = read(d);
  for (const el of document.querySelectorAll("#form .problem")) el.textContent = "";
  if (missing) {
    document.querySelector(`#form [data-testid="problem-${missing}"]`).textContent = t("required");
    return;
  }
  const actorId = command[d.actorField];
  if (!covers(actorId)) {
    document.querySelector(`#form [data-testid="problem-${d.actorField}"]`).textContent = t("outside");
    return;
  }
  // Cleared before the outbox is written, so that nothing typed meanwhile for the next report is lost.
  renderForm(d, { [d.actorField]: actorId });
  justMade = (await outbox.enqueue(subject(), d, command, actorId)).seq;
  await send();
}

async function send() {
  if (signedOut || !token()) return;
  const stopped = await outbox.sync(subject(), token());
  if (stopped === "token") askForToken(true);
}

// After a report is sent: "received, being counted" until its actor's own view has reached the version the answer gave.
const viewPath = { unit: "/api/units/", dutyPost: "/api/duty-posts/", exercise: "/api/exercises/" };
let watching = false;
async function watchCounted(list) {
  if (watching) return;
  watching = true;
  try {
    await countedOnes(list);
  } finally {
    watching = false;
  }
}
async function countedOnes(list) {
  for (const e of list.filter((x) => x.state === "sent" && !x.counted && viewPath[x.actor])) {
    try {
      const view = await api(viewPath[e.actor] + e.answer.streamId);
      if (view.version >= e.answer.version) {
        await outbox.counted(e.seq, { name: view.name, level: view.level ?? null, actualStrength: view.actualStrength ?? null, authorisedStrength: view.authorisedStrength ?? null });
      }
    } catch {
      return;
    }
  }
}

async function renderOutbox() {
  const list = await outbox.entries(subject());
  const now = new Date().toISOString();
  const title = (kind) => formTitle(commands?.find((d) => d.name === kind) ?? { name: kind });
  const status = (e) => e.state === "queued" ? `<b class="queued">${t("queued")}</b> · ${t("waited")} ${waited(e.queuedAt, now)}`
    : e.state === "refused" ? `<b class="refused">${t("refused")}</b> · <span data-testid="refusal">${esc(e.problem.detail)}</span> <button type="button" data-fix="${e.seq}">${t("fix")}</button>`
    : `<b class="sent">${t("sent")}</b> · ${t("waited")} ${waited(e.queuedAt, e.sentAt)} · `
      + (e.counted ? `<span data-testid="counted">${t("countedAs")}${e.view?.level ? ` · ${t("level")} ${esc(e.view.level)}` : ""}${e.view?.actualStrength != null ? ` · ${t("strength")} ${e.view.actualStrength}/${e.view.authorisedStrength}` : ""}</span>`
        : `<span data-testid="counting">${t("counting")}</span>`);
  $("outbox").innerHTML = list.length ? list.slice().reverse().map((e) => `<li data-testid="entry" data-state="${e.state}" data-command-id="${esc(e.commandId)}" data-occurred-at="${esc(e.occurredAt)}">
      <div><b>${esc(title(e.kind))}</b> · ${esc(e.label)} · ${esc(time(e.occurredAt))}</div><div class="meta">${status(e)}</div></li>`).join("")
    : `<li class="empty">${t("nothing")}</li>`;
  for (const b of document.querySelectorAll("[data-fix]")) {
    b.onclick = () => {
      const e = list.find((x) => String(x.seq) === b.dataset.fix);
      const d = commands?.find((x) => x.name === e.kind);
      if (d) { $("form-picker").value = d.name; renderForm(d, e.command, e.problem); }
    };
  }
  // A report just made in this tab and refused: its form comes back, filled, with the reason at its field.
  const refused = list.find((e) => e.seq === justMade && e.state === "refused");
  if (refused && current?.name === refused.kind) {
    justMade = null;
    renderForm(current, refused.command, refused.problem);
  }
  if (navigator.onLine) watchCounted(list);
}

// A duty post's day: who is on shift since when, and the next handover one press away.
async function showPost() {
  const id = `${$("post-owner").value}/${$("post-name").value.trim()}`;
  localStorage.setItem("report.post", id);
  try {
    const p = await api(`/api/duty-posts/${id}`);
    $("post-day").innerHTML = `<h3>${esc(p.name)}</h3>
      <p data-testid="post-shift">${p.onDuty ? `${t("onDuty")}: <b>${esc(p.commander)}</b> · ${t("staff")} ${p.staffPresent}/${p.staffRequired}` : t("notOnDuty")}</p>
      <p data-testid="post-handover">${t("lastHandover")}: ${p.shiftStartedAt ? esc(time(p.shiftStartedAt)) : "–"} · ${t("incidents")}: ${p.openIncidents.length}</p>
      <button type="button" id="next-handover" data-testid="next-handover">${t("nextHandover")}</button>`;
    $("next-handover").onclick = () => {
      const d = commands?.find((x) => x.name === (p.onDuty ? "HandOverDutyShift" : "StartDutyShift"));
      if (!d) return;
      $("form-picker").value = d.name;
      renderForm(d, { postId: p.postId, outgoingCommander: p.commander, staffPresent: p.staffRequired });
      $("form").scrollIntoView();
    };
  } catch {
    $("post-day").innerHTML = `<p class="empty">${t("noPost")}</p>`;
  }
}

function renderPost() {
  const saved = localStorage.getItem("report.post") ?? "";
  const owner = (units ?? []).find((u) => saved.startsWith(`${u.id}/`))?.id;
  $("post-owner").innerHTML = unitOptions(owner);
  $("post-name").value = owner ? saved.slice(owner.length + 1) : "sscd";
}

function renderAll() {
  translate();
  renderPicker();
  renderForm(current && commands?.find((d) => d.name === current.name));
  renderPost();
  renderOutbox();
}

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  $("lang").onclick = () => { lang = lang === "vi" ? "en" : "vi"; localStorage.setItem("lang", lang); renderAll(); };
  $("signin").onsubmit = (e) => {
    e.preventDefault();
    sessionStorage.setItem("token", $("token").value.trim());
    location.reload();
  };
  $("form-picker").onchange = () => renderForm(commands?.find((d) => d.name === $("form-picker").value));
  $("form").onsubmit = submit;
  $("post-show").onclick = showPost;
  addEventListener("online", () => { translate(); send(); });
  addEventListener("offline", translate);
  outbox.onChange(renderOutbox);
  if (!token()) askForToken();
  renderAll();
  if (token()) {
    await Promise.all([loadCommands(), loadUnits()]);
    renderAll();
    await send();
  }
  setInterval(() => { renderOutbox(); if (navigator.onLine) send(); }, 3000);
}

start();
