// Today: the ring of total against target, red flags, the last dose's advice, and the day's entries by
// meal with Again, delete and undo, copy yesterday's meal and save a meal.
import { api, discard, mine } from "./api.js";
import { MEALS, mealSelect } from "./food.js";
import { currentRedFlags, disclaimer, redFlagBox } from "./guidance.js";
import { addDays, errorsOf, field, h, isCurrent, mg, screen, showErrors, sourceNames, toast } from "./ui.js";
import { rerender, state } from "./state.js";


function ring(total, target) {
  const r = 52; const c = 2 * Math.PI * r; const part = Math.min(total / target, 1);
  return h("svg", { width: 130, height: 130, viewBox: "0 0 130 130", role: "img", "aria-label": `${Math.round(total)} of ${target} mg` },
    h("circle", { cx: 65, cy: 65, r, class: "ring-track", fill: "none", "stroke-width": 14 }),
    // nothing yet draws nothing: a round line cap would draw a dot at 0 %
    part > 0 ? h("circle", { cx: 65, cy: 65, r, class: "ring-part", fill: "none", "stroke-width": 14, "stroke-linecap": "round",
      "stroke-dasharray": `${part * c} ${c}`, transform: "rotate(-90 65 65)" }) : null,
    h("text", { x: 65, y: 72, "text-anchor": "middle", class: "ring-percent", text: `${Math.round((total / target) * 100)}%` }));
}

// #/today, or #/today/2026-11-20 for another day (opened from a chart).
export async function todayScreen(date) {
  const other = /^\d{4}-\d{2}-\d{2}$/.test(date || "") && date !== state.profile.today ? date : null;
  const localDay = new Intl.DateTimeFormat("en-CA", { timeZone: state.profile.time_zone });
  let summary = await api(other ? `summary/daily/?date=${other}` : "summary/daily/"); // the server knows today in the user's zone
  let fresh = true;
  if (!other && summary.date < localDay.format(new Date())) {
    // an offline copy from before midnight: today is a new day, empty but for what waits to be sent
    summary = await api(`summary/daily/?date=${localDay.format(new Date())}`).catch(() => emptyDay(localDay.format(new Date())));
    fresh = false;
  }
  const day = summary.date;
  if (!other) state.profile.today = day;
  const none = { results: [] };
  const before = addDays(day, -1);
  const [intakes, doses, waiting, flags, yesterday] = await Promise.all([
    api(`intakes/?start=${day}&end=${day}&page_size=200`).catch((error) => { if (fresh) throw error; return none; }),
    api(`supplement-doses/?start=${day}&end=${day}&page_size=200`).catch((error) => { if (fresh) throw error; return none; }),
    mine(), other ? [] : currentRedFlags(),
    api(`intakes/?start=${before}&end=${before}&page_size=200`).catch(() => none),
  ]);
  // "Copy yesterday's …" only for a meal that exists
  const yesterdayMeals = new Set(yesterday.results.map((e) => e.meal));
  const advice = state.lastDoseAdvice || [];
  state.lastDoseAdvice = null;
  // Entries waiting offline count on the day they were logged for, marked as waiting.
  const waitingToday = waiting.filter((w) => localDay.format(new Date(w.body.consumed_at || w.body.taken_at || Date.now())) === day);
  const waitingMg = (collection) => waitingToday.filter((w) => w.collection === collection && w.counted !== false).reduce((sum, w) => sum + Number(w.mg), 0);
  const pendingFood = waitingMg("intakes/");
  const pendingSupplements = waitingMg("supplement-doses/");
  const total = Number(summary.total_mg) + pendingFood + pendingSupplements;
  const remaining = Math.max(0, summary.target_mg - total);
  // the limit counts waiting oral doses too
  const supplementsToday = Number(summary.supplement_mg) + pendingSupplements;
  const limit = summary.supplement_upper_limit_mg;
  const overLimit = limit === null ? supplementsToday > 0 : supplementsToday > limit;
  const waitingIn = (slot) => waitingToday.filter((w) => w.collection === "intakes/" && w.body.meal === slot).reduce((sum, w) => sum + Number(w.mg), 0);
  // A compact row: the food and its amount, the mg; a tap opens it to edit (portion, amount, meal,
  // time), log it again or delete it.
  const entryRow = (row) => {
    const li = h("li", { class: "entry" },
      h("button", { type: "button", class: "entry-open", "aria-expanded": "false", "aria-label": `${row.text}, ${mg(row.mg)}: edit`, onclick: (event) => openEntry(li, row, event.currentTarget) },
        h("span", { class: "what", text: row.text }), h("strong", { text: mg(row.mg) })));
    return li;
  };
  const foods = intakes.results.map((e) => ({ kind: "intakes", id: e.id, day, name: e.food_name, meal: e.meal, at: e.consumed_at, text: `${e.food_name}${e.portion_label ? `, ${e.quantity} × ${e.portion_label}` : Number(e.grams) ? `, ${e.grams} g` : `, ${importedAmount(e.note)}`}`, mg: e.magnesium_mg, payload: { food: e.food, portion: e.portion, quantity: e.portion ? e.quantity : null, grams: e.portion ? null : e.grams, consumed_at: e.consumed_at, meal: e.meal, note: e.note } }));
  const supplements = doses.results.map((d) => ({ kind: "supplement-doses", id: d.id, day, name: d.form_name, at: d.taken_at, text: d.route === "oral" ? `${d.form_name} (supplement)` : `${d.form_name.replace(/ \((topical|intravenous)\)$/, "")} (${d.route === "topical" ? "on the skin" : "hospital record"}, not counted)`, mg: d.elemental_mg, payload: { form: d.form, ...(d.compound_mg ? { compound_mg: d.compound_mg } : { elemental_mg: d.elemental_mg }), taken_at: d.taken_at, note: d.note } }));
  const byTime = (a, b) => a.at.localeCompare(b.at);
  const meals = MEALS.map(([slot, title]) => {
    const entries = foods.filter((f) => f.meal === slot).sort(byTime);
    return h("section", { class: "meal", "aria-label": title },
      h("h3", { class: "meal-head" }, h("span", { text: title }), h("span", { class: "subtotal", id: `meal-${slot}`, text: mg(Number(summary.meals[slot]) + waitingIn(slot)) })),
      entries.length ? h("ul", { class: "entries" }, ...entries.map(entryRow)) : null,
      h("div", { class: "meal-actions" },
        h("a", { class: "button small", href: other ? `#/log/${slot}/${day}` : `#/log/${slot}`, "aria-label": `Add food to ${title.toLowerCase()}` }, "+ Add"),
        !entries.length && yesterdayMeals.has(slot)
          ? h("button", { type: "button", class: "link", onclick: () => copyYesterday(slot, title, day) }, `Copy ${other ? "the day before's" : "yesterday's"} ${title.toLowerCase()}`) : null,
        entries.length ? h("button", { type: "button", class: "link", "aria-label": `Save ${title.toLowerCase()} as a meal`, onclick: (event) => saveAsMeal(event.target, entries, title) }, "Save as a meal") : null));
  });
  const shownAdvice = advice.filter((a) => !(overLimit && a.code === "over_limit"));
  if (!isCurrent("today")) return;
  const heading = other ? new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }) : "Today";
  screen(heading,
    other ? h("p", {}, h("a", { href: "#/week" }, "← Week"), " · ", h("a", { href: "#/today" }, "Today")) : null,
    flags.length ? redFlagBox(flags) : null,
    h("section", { class: "card progress", "aria-label": "Progress" },
      ring(total, summary.target_mg),
      h("ul", { class: "numbers" },
        h("li", {}, h("strong", { id: "total", text: mg(total) }), ` of ${summary.target_mg} mg`),
        h("li", { id: "remaining", class: remaining > 0 ? null : "reached", text: remaining > 0 ? `${mg(remaining)} to go` : "Target reached" }),
        h("li", {}, h("span", { class: "nowrap", text: `Food ${mg(Number(summary.food_mg) + pendingFood)}` }), " · ", h("span", { class: "nowrap", text: `Supplements ${mg(supplementsToday)}` })),
        pendingFood + pendingSupplements > 0 ? h("li", { id: "waiting-total", class: "hint", text: `${mg(pendingFood + pendingSupplements)} of it waiting to sync` }) : null,
        Number(summary.topical_mg) > 0 ? h("li", { id: "topical", class: "hint", text: `On the skin ${mg(summary.topical_mg)}, not counted` }) : null,
        Number(summary.intravenous_mg) > 0 ? h("li", { id: "intravenous", class: "hint", text: `Intravenous (hospital record) ${mg(summary.intravenous_mg)}, not counted` }) : null)),
    overLimit ? h("p", { class: "warning", id: "limit-warning", role: "alert",
      text: limit === null
        ? "Supplements for an infant: no upper limit is established. Ask a clinician."
        : `Supplements today: ${mg(supplementsToday)}, above the ${limit} mg upper limit for supplements. Too much from supplements can cause diarrhoea, nausea, muscle weakness, fatigue and confusion; talk to your doctor before taking more.` }) : null,
    // what the dose answer's advice says (the limit itself is the warning above when it is passed)
    shownAdvice.length ? h("section", { class: "card", id: "dose-advice", "aria-label": "About your last dose" },
      h("h3", { text: "About your last dose" }),
      h("ul", { class: "facts" }, ...shownAdvice.map((a) => h("li", { class: a.level, text: sourceNames(a.message) }))),
      disclaimer()) : null,
    h("p", { class: "hint", text: summary.target_label }),
    h("div", { class: "row" }, h("a", { class: "button", href: "#/log" }, "Log food"), h("a", { class: "button secondary", href: "#/supplement" }, "Log supplement")),
    waitingToday.length ? h("ul", { class: "entries", "aria-label": "Waiting to sync" },
      ...waitingToday.map((w) => h("li", { class: "pending" },
        h("span", {}, w.label, h("br"), h("small", { text: "waiting to sync" })),
        h("span", { class: "actions" }, h("strong", { text: mg(w.mg) }),
          h("button", { type: "button", class: "small secondary", "aria-label": `Delete ${w.label} (waiting)`, onclick: async () => {
            try {
              await discard(w);
              toast(`Deleted ${w.label}.`);
            } catch (error) { toast(`Could not delete ${w.label}: ${errorsOf(error)[0]}`); }
            rerender();
          } }, "Delete"))))) : null,
    h("div", { class: "card", "aria-label": "Today's entries" }, ...meals,
      h("section", { class: "meal", "aria-label": "Supplements" },
        h("h3", { class: "meal-head" }, h("span", { text: "Supplements" }), h("span", { class: "subtotal", text: mg(supplementsToday) })),
        supplements.length ? h("ul", { class: "entries" }, ...supplements.sort(byTime).map(entryRow))
          : h("p", { class: "hint", text: pendingSupplements ? "Only what waits to sync (above)." : "None today." }))),
    completeCard(day, Boolean(summary.complete), Boolean(other)));
}

// "I've logged everything today": a complete day with little magnesium is a low day, not a forgotten
// one; the week, the charts and insights show it, and the day's meal reminders stop.
function completeCard(day, complete, other) {
  const mark = async (on) => {
    try {
      await api(`days/${day}/complete/`, { method: on ? "PUT" : "DELETE" });
      toast(on ? "Day marked complete." : "Day no longer marked complete.");
      rerender();
    } catch (error) { toast(`Not saved: ${errorsOf(error)[0] || "offline"}.`); }
  };
  return h("section", { class: "card complete-day", id: "complete-day", "aria-label": "Day complete" },
    complete
      ? h("p", { class: "done" }, h("strong", { text: "✓ Day marked complete" }), " ",
        h("button", { type: "button", class: "link", onclick: () => mark(false) }, "Undo"))
      : h("button", { type: "button", class: "secondary", onclick: () => mark(true) }, other ? "I logged everything this day" : "I've logged everything today"),
    complete ? null : h("p", { class: "hint", text: "Marked days count as complete: a low total is a low day, not a forgotten one. Meal reminders stop for the day." }));
}

// An imported serving whose weight is unknown ("1.00 full recipe"): the amount as the export wrote it.
function importedAmount(note) {
  return (note || "").replace(/^Imported from [^:]+: /, "").split(" · ")[0] || "amount as imported";
}

// A day with nothing known yet (offline past midnight), from the profile's target and limit.
function emptyDay(date) {
  const p = state.profile;
  return {
    date, food_mg: 0, supplement_mg: 0, total_mg: 0, topical_mg: 0, intravenous_mg: 0, target_mg: p.daily_target_mg,
    remaining_mg: p.daily_target_mg, target_label: p.target_label, supplement_upper_limit_mg: p.supplement_upper_limit_mg,
    supplement_over_limit: false, meals: { breakfast: 0, lunch: 0, dinner: 0, snack: 0 },
  };
}

// The entry opened under its row: portion, amount, meal and time, saved with PATCH; "Log again" lands in
// the meal chosen there (the entry's own by default), now; delete with undo.
async function openEntry(li, row, button) {
  const open = li.querySelector("form");
  if (open) { open.remove(); button.setAttribute("aria-expanded", "false"); return; }
  li.parentElement.querySelectorAll("form.entry-edit").forEach((f) => { f.previousElementSibling?.setAttribute("aria-expanded", "false"); f.remove(); });
  const errors = h("div");
  const form = h("form", { class: "entry-edit", "aria-label": `Edit ${row.text}` });
  if (row.kind === "intakes") {
    const food = await api(`foods/${row.payload.food}/`).catch(() => ({ portions: [] }));
    const portion = h("select", { name: "portion" },
      ...food.portions.map((p) => h("option", { value: p.id, text: p.label, selected: p.id === row.payload.portion })),
      h("option", { value: "grams", text: "grams", selected: !row.payload.portion }));
    const amount = h("input", { name: "amount", type: "number", inputmode: "decimal", min: "0.1", max: "5000", step: "any", value: row.payload.portion ? row.payload.quantity : row.payload.grams });
    portion.addEventListener("change", () => { amount.value = portion.value === "grams" ? "100" : "1"; });
    const meal = mealSelect(row.meal);
    const time = h("input", { name: "time", type: "time", value: localTime(row.at) });
    form.append(h("div", { class: "row" }, h("div", {}, ...field("Portion", portion)), h("div", {}, ...field("Amount", amount))),
      h("div", { class: "row" }, h("div", {}, ...field("Meal", meal)), h("div", {}, ...field("Time", time))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const byGrams = portion.value === "grams";
      const body = { ...(byGrams ? { portion: null, grams: amount.value } : { portion: Number(portion.value), quantity: amount.value, grams: null }), meal: meal.value, consumed_at: `${row.day}T${time.value}:00` };
      try {
        await api(`intakes/${row.id}/`, { method: "PATCH", body });
        toast(`Saved ${row.name}.`);
        rerender();
      } catch (error) { showErrors(errors, error); }
    });
    form.append(errors, h("div", { class: "row" }, h("button", { type: "submit" }, "Save"),
      h("button", { type: "button", class: "secondary", onclick: () => logAgain(row, meal.value) }, "Log again"),
      h("button", { type: "button", class: "danger", onclick: () => removeEntry(row) }, "Delete")));
  } else {
    form.append(errors, h("div", { class: "row" },
      h("button", { type: "button", class: "danger", onclick: () => removeEntry(row) }, "Delete")));
    form.addEventListener("submit", (event) => event.preventDefault());
  }
  li.append(form);
  button.setAttribute("aria-expanded", "true");
  form.querySelector("select, input, button")?.focus();
}

function localTime(iso) {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: state.profile.time_zone }).format(new Date(iso));
}

async function logAgain(row, meal) {
  try {
    await api(`intakes/${row.id}/log-again/`, { method: "POST", body: { id: crypto.randomUUID(), meal } });
    toast(`Logged ${row.name} again (${meal}).`);
    rerender();
  } catch (error) { toast(errorsOf(error)[0]); }
}

async function copyYesterday(slot, title, day) {
  try {
    const result = await api("intakes/copy-meal/", { method: "POST", body: { from_date: addDays(day, -1), meal: slot, id: crypto.randomUUID() } });
    toast(`Copied yesterday's ${title.toLowerCase()}: ${result.entries.length} ${result.entries.length === 1 ? "food" : "foods"}.`);
    rerender();
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
      rerender();
    } });
    rerender();
  } catch (error) { toast(errorsOf(error)[0]); }
}
