// The symptom journal: record a symptom in a few taps, see the red flags it raises, set the day's
// context (caffeine, sleep, stress, exercise: other causes of twitching), and the last two weeks.
import { api } from "./api.js";
import { currentRedFlags, disclaimer, guidanceLists, redFlagBox } from "./guidance.js";
import { addDays, errorsOf, field, fill, h, isCurrent, screen, showErrors, toast } from "./ui.js";

const DURATIONS = [["", "Not sure"], ["1", "Under a minute"], ["5", "A few minutes"], ["60", "Up to an hour"], ["240", "A few hours"], ["1440", "All day"]];

function localNow() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

function symptomForm(lists, onSaved) {
  const errors = h("div");
  const severity = h("fieldset", { class: "scale" }, h("legend", { text: "How strong (1 mild, 5 severe)" }),
    h("div", { class: "checks" }, ...[1, 2, 3, 4, 5].map((n) => h("label", { class: "check" },
      h("input", { type: "radio", name: "severity", value: n, checked: n === 2 }), String(n)))));
  const form = h("form", { class: "card", "aria-label": "Record a symptom" },
    ...field("Symptom", h("select", { name: "kind" }, ...lists.symptom_kinds.map((k) => h("option", { value: k.value, text: k.label })))),
    ...field("Where", h("select", { name: "body_area" }, h("option", { value: "", text: "Not a particular place" }),
      ...lists.body_areas.map((a) => h("option", { value: a.value, text: a.label })))),
    severity,
    ...field("How long", h("select", { name: "duration_minutes" }, ...DURATIONS.map(([v, t]) => h("option", { value: v, text: t })))),
    ...field("When", h("input", { name: "occurred_at", type: "datetime-local", value: localNow(), required: true })),
    ...field("Note (optional)", h("input", { name: "note", maxlength: 500, autocomplete: "off" })),
    errors,
    h("button", { type: "submit" }, "Record symptom"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = {
      id: crypto.randomUUID(),
      kind: data.kind,
      body_area: data.body_area,
      severity: Number(data.severity),
      duration_minutes: data.duration_minutes ? Number(data.duration_minutes) : null,
      occurred_at: new Date(data.occurred_at).toISOString(),
      note: data.note,
    };
    try {
      const saved = await api("symptoms/", { method: "POST", body });
      toast(`Recorded ${saved.kind_label.toLowerCase()}.`);
      onSaved(saved);
    } catch (error) { showErrors(errors, error); }
  });
  return form;
}

const CONTEXT_LABELS = { caffeine_drinks: "caffeine drinks", sleep_hours: "hours of sleep", stress: "stress", intense_exercise: "exercise" };

async function saveContext(day, change, status) {
  try {
    await api(`context/${day}/`, { method: "PUT", body: change });
    status.textContent = `Saved: ${Object.keys(change).map((k) => CONTEXT_LABELS[k]).join(", ")}.`;
  } catch (error) { status.textContent = errorsOf(error).join(" "); }
}

function contextCard(day, context) {
  const status = h("p", { class: "hint", role: "status", id: "context-status" });
  let caffeine = context.caffeine_drinks ?? 0;
  const count = h("output", { id: "caffeine-count", text: String(caffeine) });
  const step = (delta) => { caffeine = Math.max(0, Math.min(30, caffeine + delta)); count.textContent = String(caffeine); saveContext(day, { caffeine_drinks: caffeine }, status); };
  // one tap: the usual night lengths (the API takes any value from 0 to 24 in half hours)
  const slept = context.sleep_hours === null || context.sleep_hours === undefined ? null : Number(context.sleep_hours);
  const sleep = h("fieldset", { class: "scale" }, h("legend", { text: "Hours of sleep last night" }),
    h("div", { class: "checks" }, ...[4, 5, 6, 7, 8, 9, 10].map((n) => h("label", { class: "check" },
      h("input", { type: "radio", name: "sleep_hours", value: n, checked: slept !== null && Math.round(slept) === n,
        onchange: () => saveContext(day, { sleep_hours: n }, status) }), n === 4 ? "≤4" : n === 10 ? "10+" : String(n)))));
  const stress = h("fieldset", { class: "scale" }, h("legend", { text: "Stress (1 calm, 5 very stressed)" }),
    h("div", { class: "checks" }, ...[1, 2, 3, 4, 5].map((n) => h("label", { class: "check" },
      h("input", { type: "radio", name: "stress", value: n, checked: context.stress === n, onchange: () => saveContext(day, { stress: n }, status) }), String(n)))));
  const exercise = h("label", { class: "check" }, h("input", { type: "checkbox", name: "intense_exercise", checked: context.intense_exercise === true,
    onchange: (event) => saveContext(day, { intense_exercise: event.target.checked }, status) }), "Intense exercise today");
  return h("section", { class: "card", "aria-label": "Today's context" },
    h("h3", { text: "Today's context" }),
    h("p", { class: "hint", text: "Caffeine, little sleep, stress and hard exercise also cause twitching." }),
    h("div", { class: "stepper" }, h("span", { text: "Caffeine drinks" }),
      h("button", { type: "button", class: "small secondary", "aria-label": "One caffeine drink fewer", onclick: () => step(-1) }, "−"),
      count,
      h("button", { type: "button", class: "small secondary", "aria-label": "One more caffeine drink", onclick: () => step(1) }, "+")),
    sleep,
    stress, exercise, status);
}

export async function symptomsScreen() {
  const profile = await api("profile/");
  const day = profile.today;
  const [lists, flags, recent, context] = await Promise.all([
    guidanceLists(), currentRedFlags(), api(`symptoms/?start=${addDays(day, -13)}&end=${day}&page_size=100`), api(`context/${day}/`),
  ]);
  const flagsHolder = h("div", {}, redFlagBox(flags));
  const list = h("ul", { class: "entries", "aria-label": "Recent symptoms" });
  const renderList = (rows) => fill(list, ...(rows.length ? rows.map((row) => h("li", {},
    h("span", { text: `${row.local_date} · ${row.kind_label}${row.body_area ? ` (${row.body_area_label.toLowerCase()})` : ""} · ${row.severity}/5${row.note ? ` · ${row.note}` : ""}` }),
    h("button", { type: "button", class: "small secondary", "aria-label": `Delete ${row.kind_label} of ${row.local_date}`, onclick: async () => {
      await api(`symptoms/${row.id}/`, { method: "DELETE" });
      rows.splice(rows.indexOf(row), 1);
      renderList(rows);
      fill(flagsHolder, redFlagBox(await currentRedFlags()));
    } }, "Delete"))) : [h("li", { class: "hint", text: "Nothing recorded in the last two weeks." })]));
  const rows = recent.results;
  renderList(rows);
  if (!isCurrent("symptoms")) return;
  screen("Symptoms",
    flagsHolder,
    symptomForm(lists, (saved) => {
      fill(flagsHolder, redFlagBox(saved.red_flags));
      if (saved.local_date >= addDays(day, -13)) { rows.unshift(saved); renderList(rows); }
      flagsHolder.scrollIntoView({ block: "start" });
    }),
    contextCard(day, context),
    h("h3", { text: "Last two weeks" }), list,
    disclaimer(lists.disclaimer));
}
