// The phone app: hash-routed screens over the REST API. No framework, no build step.
import { api, ApiError, dropCachedData, flush, forgetMine, logEntry, mine, onOutboxChange, setOwner } from "./api.js";
import { logScreen, MEALS, mealAt } from "./food.js";
import { currentRedFlags, disclaimer, redFlagBox } from "./guidance.js";
import { healthScreen } from "./health.js";
import { insightsScreen } from "./insights.js";
import { symptomsScreen } from "./symptoms.js";
import { errorsOf, field, fill, h, isCurrent, mg, registerScreens, screen, showErrors, toast } from "./ui.js";

const nav = document.getElementById("nav");
let profile = null;
let lastDoseAdvice = null; // what the server said about the dose just logged, shown once on Today

const today = () => profile?.today || new Date().toISOString().slice(0, 10);

// --- Sign in, sign up, first-run profile -----------------------------------------------------------------

function authScreen(mode) {
  nav.hidden = true;
  const isRegister = mode === "register";
  const errors = h("div");
  const form = h("form", { class: "card", novalidate: true },
    field("Username", h("input", { name: "username", autocomplete: "username", required: true })),
    isRegister ? field("Email", h("input", { name: "email", type: "email", autocomplete: "email", required: true }), "Reminders can come by email.") : null,
    field("Password", h("input", { name: "password", type: "password", autocomplete: isRegister ? "new-password" : "current-password", required: true })),
    errors,
    h("button", { type: "submit" }, isRegister ? "Create account" : "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      await api(isRegister ? "auth/register/" : "auth/login/", { method: "POST", body: data });
      await start(isRegister ? "#/setup" : "#/today");
    } catch (error) { showErrors(errors, error); }
  });
  screen(isRegister ? "Create your account" : "Sign in", form,
    h("p", {}, isRegister ? "Have an account? " : "New here? ",
      h("a", { href: isRegister ? "#/login" : "#/register", text: isRegister ? "Sign in" : "Create an account" })));
}

function profileForm({ submitLabel, onSaved }) {
  const firstRun = !profile.birth_date;
  const zone = firstRun ? Intl.DateTimeFormat().resolvedOptions().timeZone || profile.time_zone : profile.time_zone;
  const errors = h("div");
  const sex = h("select", { name: "sex", required: true },
    h("option", { value: "", text: "Choose…" }),
    ...[["female", "Female"], ["male", "Male"]].map(([v, t]) => h("option", { value: v, text: t, selected: profile.sex === v })));
  const stage = h("select", { name: "life_stage" },
    ...[["none", "Neither"], ["pregnant", "Pregnant"], ["lactating", "Breastfeeding"]].map(([v, t]) => h("option", { value: v, text: t, selected: profile.life_stage === v })));
  const override = h("input", { name: "target_override_mg", type: "number", inputmode: "numeric", min: 10, max: 2000, value: profile.target_override_mg ?? "" });
  const form = h("form", { class: "card" },
    field("Sex", sex),
    field("Birth date", h("input", { name: "birth_date", type: "date", required: true, value: profile.birth_date || "" })),
    field("Pregnancy or breastfeeding", stage),
    field("Time zone", h("input", { name: "time_zone", value: zone, required: true, autocomplete: "off" }), "Taken from this device; reminders follow it."),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "kidney_disease", checked: profile.kidney_disease }), "I have kidney disease"),
    field("Daily target set by my doctor (mg, optional)", override),
    errors,
    h("button", { type: "submit" }, submitLabel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = { ...data, kidney_disease: form.kidney_disease.checked, target_override_mg: data.target_override_mg ? Number(data.target_override_mg) : null };
    try {
      await api("profile/", { method: "PATCH", body });
      profile = await api("profile/"); // a GET, so the offline copy is the new profile too
      onSaved(profile);
    } catch (error) { showErrors(errors, error); }
  });
  return form;
}

function targetText(p) { return `${p.target_label}: ${p.daily_target_mg} mg a day`; }

function setupScreen() {
  nav.hidden = true;
  const result = h("div", { role: "status" });
  screen("About you", h("p", { class: "hint", text: "Your daily target depends on your age, sex and pregnancy or breastfeeding." }),
    profileForm({
      submitLabel: "Save",
      onSaved: (p) => {
        fill(result, h("div", { class: "card" },
          h("p", { class: "big", id: "target", text: `${p.daily_target_mg} mg a day` }),
          h("p", { id: "target-why", text: targetText(p) }),
          h("a", { class: "button", href: "#/today" }, "Start logging")));
      },
    }), result);
}

// --- Today ---------------------------------------------------------------------------------------------

function ring(total, target) {
  const r = 52; const c = 2 * Math.PI * r; const part = Math.min(total / target, 1);
  return h("svg", { width: 130, height: 130, viewBox: "0 0 130 130", role: "img", "aria-label": `${Math.round(total)} of ${target} mg` },
    h("circle", { cx: 65, cy: 65, r, fill: "none", stroke: "#e5e7eb", "stroke-width": 14 }),
    h("circle", { cx: 65, cy: 65, r, fill: "none", stroke: "#0f766e", "stroke-width": 14, "stroke-linecap": "round",
      "stroke-dasharray": `${part * c} ${c}`, transform: "rotate(-90 65 65)" }),
    h("text", { x: 65, y: 72, "text-anchor": "middle", class: "ring-percent", text: `${Math.round((total / target) * 100)}%` }));
}

async function todayScreen() {
  const summary = await api("summary/daily/"); // the server knows today in the user's zone
  const day = summary.date;
  profile.today = day;
  const [intakes, doses, waiting, flags] = await Promise.all([
    api(`intakes/?start=${day}&end=${day}&page_size=200`), api(`supplement-doses/?start=${day}&end=${day}&page_size=200`), mine(), currentRedFlags(),
  ]);
  const advice = lastDoseAdvice;
  lastDoseAdvice = null;
  const entryRow = (row) => h("li", {},
    h("span", {}, row.text, h("br"), h("strong", { text: mg(row.mg) })),
    h("span", { class: "actions" },
      row.kind === "intakes" ? h("button", { type: "button", class: "small secondary", "aria-label": `Again: ${row.text}`, onclick: () => logAgain(row) }, "Again") : null,
      h("button", { type: "button", class: "small secondary", "aria-label": `Delete ${row.text}`, onclick: () => removeEntry(row) }, "Delete")));
  const foods = intakes.results.map((e) => ({ kind: "intakes", id: e.id, meal: e.meal, at: e.consumed_at, text: `${e.food_name}${e.portion_label ? `, ${e.quantity} × ${e.portion_label}` : `, ${e.grams} g`}`, mg: e.magnesium_mg, payload: { food: e.food, portion: e.portion, quantity: e.portion ? e.quantity : null, grams: e.portion ? null : e.grams, consumed_at: e.consumed_at, meal: e.meal, note: e.note } }));
  const supplements = doses.results.map((d) => ({ kind: "supplement-doses", id: d.id, at: d.taken_at, text: d.form_name.includes("(") ? d.form_name : `${d.form_name} (supplement)`, mg: d.elemental_mg, payload: { form: d.form, ...(d.compound_mg ? { compound_mg: d.compound_mg } : { elemental_mg: d.elemental_mg }), taken_at: d.taken_at, note: d.note } }));
  const byTime = (a, b) => a.at.localeCompare(b.at);
  const meals = MEALS.map(([slot, title]) => {
    const entries = foods.filter((f) => f.meal === slot).sort(byTime);
    return h("section", { class: "meal", "aria-label": title },
      h("h3", { class: "meal-head" }, h("span", { text: title }), h("span", { class: "subtotal", id: `meal-${slot}`, text: mg(summary.meals[slot]) })),
      entries.length
        ? h("ul", { class: "entries" }, ...entries.map(entryRow))
        : h("button", { type: "button", class: "link", onclick: () => copyYesterday(slot, title, day) }, `Copy yesterday's ${title.toLowerCase()}`),
      entries.length ? h("button", { type: "button", class: "link", onclick: (event) => saveAsMeal(event.target, entries, title) }, `Save ${title.toLowerCase()} as a meal`) : null);
  });
  if (!isCurrent("today")) return;
  screen("Today",
    flags.length ? redFlagBox(flags) : null,
    h("section", { class: "card progress", "aria-label": "Progress" },
      ring(Number(summary.total_mg), summary.target_mg),
      h("ul", { class: "numbers" },
        h("li", {}, h("strong", { id: "total", text: mg(summary.total_mg) }), ` of ${summary.target_mg} mg`),
        h("li", { id: "remaining", text: `${mg(summary.remaining_mg)} to go` }),
        h("li", { text: `Food ${mg(summary.food_mg)} · Supplements ${mg(summary.supplement_mg)}` }),
        Number(summary.topical_mg) > 0 ? h("li", { id: "topical", class: "hint", text: `On the skin ${mg(summary.topical_mg)}, not counted` }) : null)),
    summary.supplement_over_limit ? h("p", { class: "warning", id: "limit-warning", role: "alert",
      text: summary.supplement_upper_limit_mg === null
        ? "Supplements for an infant: no upper limit is established. Ask a clinician."
        : `Supplements today: ${mg(summary.supplement_mg)}, above the ${summary.supplement_upper_limit_mg} mg upper limit for supplements. Too much from supplements can cause diarrhoea, nausea, muscle weakness, fatigue and confusion; talk to your doctor before taking more.` }) : null,
    advice ? h("section", { class: "card", id: "dose-advice", "aria-label": "About your last dose" },
      h("h3", { text: "About your last dose" }),
      h("ul", { class: "facts" }, ...advice.filter((a) => a.code !== "over_limit").map((a) => h("li", { class: a.level, text: a.message }))),
      disclaimer()) : null,
    h("p", { class: "hint", text: summary.target_label }),
    h("div", { class: "row" }, h("a", { class: "button", href: "#/log" }, "Log food"), h("a", { class: "button secondary", href: "#/supplement" }, "Log supplement")),
    waiting.length ? h("ul", { class: "entries", "aria-label": "Waiting to sync" },
      ...waiting.map((w) => h("li", { class: "pending" }, h("span", { text: `${w.label} — waiting to sync` }), h("span", { text: mg(w.mg) })))) : null,
    h("div", { class: "card", "aria-label": "Today's entries" }, ...meals,
      h("section", { class: "meal", "aria-label": "Supplements" },
        h("h3", { class: "meal-head" }, h("span", { text: "Supplements" }), h("span", { class: "subtotal", text: mg(summary.supplement_mg) })),
        supplements.length ? h("ul", { class: "entries" }, ...supplements.sort(byTime).map(entryRow)) : h("p", { class: "hint", text: "None today." }))));
}

async function logAgain(row) {
  try {
    await api(`intakes/${row.id}/log-again/`, { method: "POST", body: { id: crypto.randomUUID(), meal: mealAt() } });
    toast(`Logged ${row.text} again.`);
    route();
  } catch (error) { toast(errorsOf(error)[0]); }
}

async function copyYesterday(slot, title, day) {
  try {
    const result = await api("intakes/copy-meal/", { method: "POST", body: { from_date: addDays(day, -1), meal: slot, id: crypto.randomUUID() } });
    toast(`Copied yesterday's ${title.toLowerCase()}: ${result.entries.length} ${result.entries.length === 1 ? "food" : "foods"}.`);
    route();
  } catch (error) { toast(errorsOf(error)[0]); }
}

function saveAsMeal(button, entries, title) {
  const name = h("input", { name: "name", value: `My ${title.toLowerCase()}`, required: true });
  const errors = h("div");
  const form = h("form", { class: "inline-form", "aria-label": `Save ${title.toLowerCase()} as a meal` },
    ...field("Meal name", name), errors, h("button", { type: "submit" }, "Save meal"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("saved-meals/", { method: "POST", body: { name: name.value, from_entries: entries.map((e) => e.id) } });
      toast(`Saved "${name.value}": log it from Food in one tap.`);
      form.remove();
    } catch (error) { showErrors(errors, error); }
  });
  button.replaceWith(form);
  name.focus();
}

async function removeEntry(row) {
  try {
    await api(`${row.kind}/${row.id}/`, { method: "DELETE" });
    toast(`Deleted ${row.text}.`, { label: "Undo", run: async () => {
      try {
        await api(`${row.kind}/`, { method: "POST", body: { id: row.id, ...row.payload } });
      } catch (error) { toast(`Could not undo: ${errorsOf(error)[0]}`); }
      route();
    } });
    route();
  } catch (error) { toast(errorsOf(error)[0]); }
}

// --- Log supplement ------------------------------------------------------------------------------------

async function supplementScreen() {
  // intravenous forms are hospital treatments: not listed. The profile is read again: the aim may
  // have changed on the Health screen.
  const [forms, me] = await Promise.all([api("supplement-forms/"), api("profile/")]);
  profile = me;
  const select = h("select", { name: "form" }, ...forms.map((f) => h("option", { value: f.id, text: f.name })));
  const notes = h("div", { class: "hint", "aria-live": "polite" });
  const amount = h("input", { name: "amount", type: "number", inputmode: "decimal", min: "1", step: "any", required: true });
  const kind = h("fieldset", {}, h("legend", { text: "The amount is" }),
    h("label", { class: "check" }, h("input", { type: "radio", name: "kind", value: "elemental", checked: true }), "elemental magnesium (from the label)"),
    h("label", { class: "check" }, h("input", { type: "radio", name: "kind", value: "compound" }), "the compound's weight"));
  const preview = h("p", { class: "preview", "aria-live": "polite" });
  const errors = h("div");
  const current = () => forms.find((f) => String(f.id) === select.value);
  const update = () => {
    const f = current();
    fill(notes, h("p", { text: `Bioavailability: ${f.bioavailability}. Elemental magnesium: ${(f.elemental_fraction * 100).toFixed(1)}% of the compound.` }),
      f.best_for ? h("p", { text: `Best for: ${f.best_for}` }) : null, f.side_effects ? h("p", { text: `Side effects: ${f.side_effects}` }) : null,
      f.route === "topical" ? h("p", { class: "warning", text: "Absorption through the skin is not established: a topical dose is shown apart and not counted." }) : null,
      f.bioavailability === "low" && profile.supplement_aim === "correct_low_intake"
        ? h("p", { class: "warning", id: "low-bioavailability", text: `${f.name} is poorly absorbed and not ideal for correcting a deficiency; citrate, glycinate or malate are absorbed better.` }) : null);
    const value = Number(amount.value);
    const compound = form.querySelector("input[name=kind]:checked").value === "compound";
    preview.textContent = value > 0 ? `${mg(compound ? value * f.elemental_fraction : value)} elemental magnesium` : "";
  };
  const form = h("form", { class: "card" }, ...field("Form", select), notes, kind, ...field("Amount (mg)", amount), preview, errors, h("button", { type: "submit" }, "Save"), disclaimer());
  form.addEventListener("input", update); select.addEventListener("change", update);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const compound = form.querySelector("input[name=kind]:checked").value === "compound";
    const f = current();
    const payload = { form: f.id, [compound ? "compound_mg" : "elemental_mg"]: amount.value, taken_at: new Date().toISOString() };
    try {
      const elemental = compound ? Number(amount.value) * f.elemental_fraction : Number(amount.value);
      const { entry, queued } = await logEntry("supplement-doses/", payload, { label: `${f.name} (supplement)`, mg: elemental });
      const notable = (entry?.advice || []).filter((a) => a.level !== "info" || a.code === "topical");
      lastDoseAdvice = notable.length ? notable : null;
      if (entry?.day?.supplement_over_limit) toast(`Over the ${entry.day.supplement_upper_limit_mg} mg upper limit for supplements today.`);
      else toast(queued ? "Saved offline; it will be sent when you are back online." : `Logged ${f.name}.`);
      location.hash = "#/today";
    } catch (error) { showErrors(errors, error); }
  });
  if (!isCurrent("supplement")) return;
  screen("Log supplement", form);
  update();
}

// --- Week ----------------------------------------------------------------------------------------------

function addDays(iso, n) { const d = new Date(`${iso}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); }

async function weekScreen(end) {
  const week = await api(end ? `summary/weekly/?end=${end}` : "summary/weekly/");
  if (!end) profile.today = week.end;
  const width = 340; const height = 200; const top = 20; const bottom = 30;
  const max = Math.max(week.target_mg * 1.2, ...week.days.map((d) => Number(d.total_mg)));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const slot = width / 7;
  const chart = h("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Magnesium per day, ${week.start} to ${week.end}` },
    ...week.days.map((d, i) => {
      const total = Number(d.total_mg);
      const label = new Date(`${d.date}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "short", timeZone: "UTC" });
      return h("g", {},
        h("rect", { class: `bar${total >= d.target_mg ? " met" : ""}`, x: i * slot + 8, y: y(total), width: slot - 16, height: Math.max(height - bottom - y(total), 0) },
          h("title", { text: `${d.date}: ${Math.round(total)} mg` })),
        h("text", { x: i * slot + slot / 2, y: height - 10, "text-anchor": "middle", text: label }));
    }),
    h("line", { class: "target", x1: 0, x2: width, y1: y(week.target_mg), y2: y(week.target_mg) }),
    h("text", { x: width - 4, y: y(week.target_mg) - 5, "text-anchor": "end", text: `target ${week.target_mg} mg` }));
  if (!isCurrent("week")) return;
  screen("Week",
    h("div", { class: "card" }, chart,
      h("p", { id: "week-average", text: `Average ${mg(week.average_mg)} a day · on target ${week.days_target_met} of 7 days` }),
      h("table", {}, h("tbody", {}, ...week.days.map((d) => h("tr", {}, h("th", { scope: "row", text: d.date }), h("td", { text: mg(d.total_mg) })))))),
    h("div", { class: "row" },
      h("a", { class: "button secondary", href: `#/week/${addDays(week.end, -7)}` }, "← Previous week"),
      week.end < today() ? h("a", { class: "button secondary", href: `#/week/${addDays(week.end, 7)}` }, "Next week →") : null));
}

// --- Reminders -----------------------------------------------------------------------------------------

const KINDS = [["log_meals", "Log meals"], ["take_supplement", "Take supplement"], ["weekly_summary", "Weekly summary"]];
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function base64ToBytes(text) {
  const padded = (text + "=".repeat((4 - (text.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function enablePush(status) {
  try {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) throw new Error("This browser cannot receive push notifications.");
    if ((await Notification.requestPermission()) !== "granted") throw new Error("Notifications are blocked for this site.");
    const { public_key: key } = await api("push/public-key/");
    const registration = await navigator.serviceWorker.ready;
    const subscription = (await registration.pushManager.getSubscription())
      || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64ToBytes(key) }));
    await api("push/subscriptions/", { method: "POST", body: subscription.toJSON() });
    status.textContent = "Push notifications are on for this device.";
  } catch (error) {
    status.textContent = error instanceof ApiError ? errorsOf(error).join(" ") : error.message;
  }
}

function reminderForm(reminder, onDone) {
  const r = reminder || { kind: "log_meals", local_time: "19:00", weekdays: [0, 1, 2, 3, 4, 5, 6], channels: ["web_push", "email"], enabled: true };
  const errors = h("div");
  const form = h("form", { class: "card", "aria-label": reminder ? "Edit reminder" : "New reminder" },
    ...field("Reminder", h("select", { name: "kind" }, ...KINDS.map(([v, t]) => h("option", { value: v, text: t, selected: r.kind === v })))),
    ...field("Time", h("input", { name: "local_time", type: "time", value: r.local_time, required: true })),
    h("fieldset", {}, h("legend", { text: "Days" }), h("div", { class: "checks" },
      ...DAYS.map((d, i) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "weekdays", value: i, checked: r.weekdays.includes(i) }), d)))),
    h("fieldset", {}, h("legend", { text: "Send by" }), h("div", { class: "checks" },
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "channels", value: "web_push", checked: r.channels.includes("web_push") }), "Push"),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "channels", value: "email", checked: r.channels.includes("email") }), "Email"))),
    errors, h("button", { type: "submit" }, "Save reminder"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { kind: data.get("kind"), local_time: data.get("local_time"), weekdays: data.getAll("weekdays").map(Number), channels: data.getAll("channels") };
    try {
      await api(reminder ? `reminders/${reminder.id}/` : "reminders/", { method: reminder ? "PATCH" : "POST", body });
      onDone();
    } catch (error) { showErrors(errors, error); }
  });
  return form;
}

async function remindersScreen() {
  const [reminders, deliveries] = await Promise.all([api("reminders/"), api("reminders/deliveries/?page_size=10")]);
  const status = h("p", { class: "hint", role: "status" });
  const editor = h("div");
  const label = (r) => `${KINDS.find(([v]) => v === r.kind)[1]} at ${r.local_time}`;
  if (!isCurrent("reminders")) return;
  screen("Reminders",
    h("div", { class: "card" }, h("p", { text: "Get reminders on this phone:" }),
      h("button", { type: "button", id: "enable-push", onclick: () => enablePush(status) }, "Enable push notifications"), status),
    h("ul", { class: "entries", "aria-label": "Your reminders" }, ...reminders.results.map((r) => h("li", { class: "reminder" },
      h("span", { class: "what" }, h("strong", { text: label(r) }), " · ",
        h("small", { text: `${r.weekdays.length === 7 ? "every day" : r.weekdays.map((d) => DAYS[d]).join(" ")} · ${r.channels.map((c) => (c === "web_push" ? "push" : c)).join(", ")}` })),
      ...(r.spacing || []).map((note) => h("p", { class: `spacing ${note.level}`, text: note.message })),
      h("label", { class: "check" }, h("input", { type: "checkbox", checked: r.enabled, "aria-label": `${label(r)} on`,
        onchange: async (e) => { await api(`reminders/${r.id}/`, { method: "PATCH", body: { enabled: e.target.checked } }); } }), "On"),
      h("button", { type: "button", class: "small secondary", onclick: () => fill(editor, reminderForm(r, route)) }, "Edit"),
      h("button", { type: "button", class: "small secondary", onclick: async () => { await api(`reminders/${r.id}/test/`, { method: "POST" }); toast("Test reminder sent."); } }, "Test"),
      h("button", { type: "button", class: "small secondary", "aria-label": `Delete ${label(r)}`, onclick: async () => { await api(`reminders/${r.id}/`, { method: "DELETE" }); route(); } }, "Delete")))),
    h("button", { type: "button", class: "secondary", onclick: () => fill(editor, reminderForm(null, route)) }, "Add a reminder"),
    editor,
    h("h3", { text: "Recent deliveries" }),
    deliveries.results.length ? h("ul", { class: "entries" }, ...deliveries.results.map((d) => h("li", {},
      h("span", { text: `${d.local_date} ${d.slot.startsWith("test-") ? "test" : d.slot}: ${d.status}${d.reason ? ` (${d.reason})` : ""}` })))) : h("p", { class: "hint", text: "None yet." }));
}

// --- Settings ------------------------------------------------------------------------------------------

function settingsScreen() {
  const saved = h("p", { role: "status", class: "hint" });
  const confirmBox = h("div");
  screen("Settings",
    profileForm({ submitLabel: "Save profile", onSaved: (p) => { saved.textContent = `Saved. ${targetText(p)}.`; } }), saved,
    h("div", { class: "card" }, h("h3", { text: "Your data" }),
      h("a", { class: "button secondary", href: "/api/v1/export/?format=json", download: true }, "Export everything (JSON)"),
      h("a", { class: "button secondary", href: "/api/v1/export/?format=csv", download: true }, "Export entries (CSV)"),
      h("button", { type: "button", class: "secondary", onclick: async () => { await api("auth/logout/", { method: "POST" }); await dropCachedData(); profile = null; setOwner(null); location.hash = "#/login"; } }, "Sign out"),
      h("button", { type: "button", class: "danger", onclick: () => confirmDelete(confirmBox) }, "Delete my account"), confirmBox));
}

function confirmDelete(box) {
  const input = h("input", { name: "confirm", autocomplete: "off" });
  fill(box, h("form", { class: "warning", onsubmit: async (event) => {
    event.preventDefault();
    if (input.value.trim().toLowerCase() !== "delete") { input.setAttribute("aria-invalid", "true"); return; }
    await api("account/", { method: "DELETE" });
    await forgetMine();
    await dropCachedData();
    profile = null;
    setOwner(null);
    location.hash = "#/register";
  } }, h("p", { text: "This deletes your account and everything you logged. It cannot be undone." }),
  ...field('Type "delete" to confirm', input), h("button", { type: "submit", class: "danger" }, "Delete everything")));
  input.focus();
}

// --- More ---------------------------------------------------------------------------------------------

function moreScreen() {
  const link = (href, title, text) => h("li", {}, h("a", { href }, h("strong", { text: title }), h("span", { class: "hint", text })));
  screen("More", h("ul", { class: "menu" },
    link("#/insights", "Insights", "Your average, days on target, top foods, symptoms and intake"),
    link("#/health", "Health and labs", "Risk factors, medicines and their spacing, lab results"),
    link("#/reminders", "Reminders", "Push or email, on your own clock"),
    link("#/settings", "Settings", "About you, your data, sign out")));
}

// --- Routing and start-up ------------------------------------------------------------------------------

const SCREENS = {
  today: todayScreen, log: logScreen, supplement: supplementScreen, symptoms: symptomsScreen, week: weekScreen, more: moreScreen,
  insights: insightsScreen, health: healthScreen, reminders: remindersScreen, settings: settingsScreen, setup: setupScreen,
};
const UNDER_MORE = new Set(["insights", "health", "reminders", "settings"]);
registerScreens(Object.keys(SCREENS));

async function route() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  if (name === "login" || name === "register") return authScreen(name);
  if (!profile) return start(location.hash);
  const show = SCREENS[name] || todayScreen;
  nav.hidden = name === "setup";
  const tab = UNDER_MORE.has(name) ? "more" : SCREENS[name] ? name : "today";
  nav.querySelectorAll("a").forEach((a) => (a.dataset.screen === tab ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current")));
  try {
    await show(arg);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) { profile = null; location.hash = "#/login"; return; }
    screen("Not available offline", h("p", { text: "This screen has not been opened online yet, so there is no copy to show." }));
  }
}

async function start(target) {
  try {
    profile = await api("profile/");
  } catch (error) {
    profile = null;
    if (location.hash !== "#/register") location.hash = "#/login";
    return authScreen(location.hash === "#/register" ? "register" : "login");
  }
  setOwner(profile.username);
  flush();
  const next = !profile.birth_date || !profile.sex ? "#/setup" : (target && !/^#\/(login|register)?$/.test(target) ? target : "#/today");
  if (location.hash !== next) location.hash = next; else route();
}

function showSync(items) {
  const box = document.getElementById("sync-status");
  box.hidden = !items.length;
  box.textContent = items.length ? `${items.length} ${items.length === 1 ? "entry" : "entries"} waiting to sync` : "";
}

function showOnline() { document.getElementById("offline").hidden = navigator.onLine; }

onOutboxChange((items) => { showSync(items); if (!items.length && profile && location.hash.startsWith("#/today")) route(); });
window.addEventListener("hashchange", route);
window.addEventListener("online", () => { showOnline(); flush(); });
window.addEventListener("offline", showOnline);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "flush") flush();
    if (event.data?.type === "notification-shown") document.body.dataset.lastNotification = event.data.title;
  });
}
showOnline();
start(location.hash);
