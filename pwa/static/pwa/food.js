// The "Log food" screen: a meal built in one go. Search as you type (or type a barcode), tap a food to add
// it to the meal (its first household portion; change the portion or amount in the tray), then log the
// whole meal in one request. Scan a barcode, one tap for a saved meal, your own foods from a label.
import { api, ApiError, logEntries } from "./api.js";
import { state } from "./state.js";
import { errorsOf, field, fill, h, isCurrent, mg, screen, showErrors, toast } from "./ui.js";

export const MEALS = [["breakfast", "Breakfast"], ["lunch", "Lunch"], ["dinner", "Dinner"], ["snack", "Snack"]];

// The server's rule (tracker/nutrition.py): the meal a time of day falls in when the user does not say.
export function mealAt(date = new Date()) {
  const hour = date.getHours();
  if (hour >= 4 && hour < 11) return "breakfast";
  if (hour >= 11 && hour < 15) return "lunch";
  if (hour >= 17 && hour < 21) return "dinner";
  return "snack";
}

export function mealSelect(selected = mealAt()) {
  return h("select", { name: "meal" }, ...MEALS.map(([v, t]) => h("option", { value: v, text: t, selected: v === selected })));
}

const SHORT_TYPES = {
  survey_fndds_food: "as eaten (USDA survey)",
  sr_legacy_food: "USDA SR Legacy",
  foundation_food: "USDA Foundation",
  agricultural_acquisition: "USDA sample",
  sub_sample_food: "USDA sample",
  branded_food: "branded",
};

function foodHint(food) {
  const portion = food.portions[0];
  const amount = portion ? `${portion.label}: ${portion.magnesium_mg} mg` : `100 g: ${Math.round(food.magnesium_mg_per_100g)} mg`;
  const where = food.own ? "yours" : food.brand || SHORT_TYPES[food.data_type] || (food.origin === "open_food_facts" ? "Open Food Facts" : "");
  return [amount, where].filter(Boolean).join(" · ");
}

// --- The meal being built -----------------------------------------------------------------------------
// The day and meal chosen stay chosen until changed (in this tab), and the foods added wait in the tray
// until "Log": a meal is searched, added and logged in one go, in one entries/batch/ request.
const CONTEXT_KEY = "log-context";
const MEAL_TIMES = { breakfast: "08:00:00", lunch: "12:30:00", snack: "16:00:00", dinner: "19:00:00" };
const context = (() => { try { return JSON.parse(sessionStorage.getItem(CONTEXT_KEY)) || {}; } catch { return {}; } })();
context.tray = Array.isArray(context.tray) ? context.tray : [];
function saveContext() { try { sessionStorage.setItem(CONTEXT_KEY, JSON.stringify(context)); } catch { /* private mode: memory only */ } }

// The meal and day a screen opened with (#/log/dinner/2026-11-20), else the last chosen, else now.
function openContext() {
  const [, meal, day] = location.hash.replace(/^#\/?/, "").split("/");
  if (MEALS.some(([slot]) => slot === meal)) context.meal = meal;
  if (/^\d{4}-\d{2}-\d{2}$/.test(day || "")) context.day = day < state.profile.today ? day : null;
  else if (meal) context.day = null;
  if (!context.meal) context.meal = mealAt();
  if (context.day && context.day >= state.profile.today) context.day = null;
  saveContext();
}

const mealTitle = (slot) => MEALS.find(([v]) => v === slot)[1];
// Today: now. Another day: that day at the meal's usual time, on the user's clock (the server reads a
// time without an offset in the user's zone).
const consumedAt = () => (context.day ? `${context.day}T${MEAL_TIMES[context.meal]}` : new Date().toISOString());
const itemGrams = (item) => {
  const p = item.food.portions.find((x) => x.id === item.portion);
  return p ? p.grams * item.quantity : item.quantity;
};
const itemMg = (item) => (itemGrams(item) * item.food.magnesium_mg_per_100g) / 100;
const itemLabel = (item) => {
  const p = item.food.portions.find((x) => x.id === item.portion);
  return p ? `${item.food.name}, ${item.quantity} × ${p.label}` : `${item.food.name}, ${item.quantity} g`;
};

function addToTray(food, tray) {
  const slim = { id: food.id, name: food.name, magnesium_mg_per_100g: food.magnesium_mg_per_100g, portions: food.portions.map(({ id, label, grams, magnesium_mg }) => ({ id, label, grams, magnesium_mg })) };
  context.tray.push({ key: crypto.randomUUID(), food: slim, portion: food.portions[0]?.id ?? "grams", quantity: food.portions.length ? 1 : 100 });
  saveContext();
  showTray(tray);
}

function trayItem(item, tray) {
  const portion = h("select", { name: "portion", "aria-label": `Portion of ${item.food.name}` },
    ...item.food.portions.map((p) => h("option", { value: p.id, text: p.label, selected: p.id === item.portion })),
    h("option", { value: "grams", text: "grams", selected: item.portion === "grams" }));
  const quantity = h("input", { name: "quantity", type: "number", inputmode: "decimal", min: "0.1", max: "5000", step: "any", value: item.quantity, "aria-label": `${item.portion === "grams" ? "Grams" : "Quantity"} of ${item.food.name}` });
  const amount = h("strong", { text: mg(itemMg(item)) });
  const changed = () => {
    const byGrams = portion.value === "grams";
    if (byGrams !== (item.portion === "grams")) quantity.value = byGrams ? "100" : "1";
    item.portion = byGrams ? "grams" : Number(portion.value);
    item.quantity = Number(quantity.value) || 0;
    quantity.setAttribute("aria-label", `${byGrams ? "Grams" : "Quantity"} of ${item.food.name}`);
    amount.textContent = mg(itemMg(item));
    saveContext();
    tray.querySelector(".tray-total").textContent = trayTotal();
  };
  portion.addEventListener("change", changed);
  quantity.addEventListener("input", changed);
  return h("li", { class: "tray-item" },
    h("div", { class: "line" }, h("span", { class: "name", text: item.food.name }), amount,
      h("button", { type: "button", class: "icon", "aria-label": `Remove ${item.food.name}`, onclick: () => {
        context.tray = context.tray.filter((x) => x.key !== item.key); saveContext(); showTray(tray);
      } }, "×")),
    h("div", { class: "line" }, portion, quantity));
}

const trayTotal = () => {
  const n = context.tray.length;
  return `${n} ${n === 1 ? "food" : "foods"} · ${mg(context.tray.reduce((sum, item) => sum + itemMg(item), 0))}`;
};

function showTray(tray) {
  const n = context.tray.length;
  const errors = h("div");
  fill(tray, n ? h("section", { class: "card tray", "aria-label": `This ${mealTitle(context.meal).toLowerCase()}` },
    h("h3", {}, h("span", { text: `This ${mealTitle(context.meal).toLowerCase()}` }), h("span", { class: "tray-total", role: "status", text: trayTotal() })),
    h("ul", { class: "entries" }, ...context.tray.map((item) => trayItem(item, tray))),
    errors,
    h("button", { type: "button", id: "log-tray", onclick: () => logTray(tray, errors) }, `Log ${n} ${n === 1 ? "food" : "foods"} to ${mealTitle(context.meal).toLowerCase()}`)) : null);
}

async function logTray(tray, errors) {
  const items = context.tray.filter((item) => item.quantity > 0);
  if (!items.length) return;
  const at = consumedAt();
  const title = mealTitle(context.meal).toLowerCase();
  try {
    const { queued } = await logEntries(items.map((item) => ({
      collection: "intakes/",
      payload: { food: item.food.id, ...(item.portion === "grams" ? { grams: item.quantity } : { portion: item.portion, quantity: item.quantity }), meal: context.meal, consumed_at: at },
      label: itemLabel(item),
      mg: itemMg(item),
    })));
    const total = items.reduce((sum, item) => sum + itemMg(item), 0);
    context.tray = []; saveContext();
    toast(queued ? `Saved offline: ${items.length} ${items.length === 1 ? "food" : "foods"} for ${title}. They will be sent when you are back online.`
      : `Logged ${title}: ${items.length} ${items.length === 1 ? "food" : "foods"}, ${mg(total)}.`);
    if (!queued) warmQuickFoods(); // so that "Recent and frequent" is there offline too
    location.hash = context.day ? `#/today/${context.day}` : "#/today";
  } catch (error) { showErrors(errors, error); }
}

function resultItem(food, tray) {
  const others = food.other_sources || [];
  return h("li", {},
    h("button", { type: "button", "aria-label": `Add ${food.name} (${foodHint(food)})`, onclick: () => { addToTray(food, tray); clearSearch(); } },
      h("span", { text: food.name }), h("span", { class: "hint", text: foodHint(food) })),
    others.length ? h("details", { class: "others" }, h("summary", { text: `${others.length} other ${others.length === 1 ? "source" : "sources"}` }),
      h("ul", { class: "results" }, ...others.map((o) => h("li", {}, h("button", { type: "button", "aria-label": `Add ${o.name} (${foodHint(o)})`, onclick: () => { addToTray(o, tray); clearSearch(); } },
        h("span", { text: `${[o.origin_label, o.data_type_label].filter(Boolean).join(" · ")}` }), h("span", { class: "hint", text: `${foodHint(o)} · ${Math.round(o.magnesium_mg_per_100g)} mg per 100 g` })))))) : null);
}

let clearSearch = () => {};
const GTIN = /^(\d{8}|\d{12,14})$/;

export async function logScreen() {
  openContext();
  const results = h("ul", { class: "results", "aria-label": "Foods found" });
  const chosen = h("div", { id: "chosen" });
  const tray = h("div", { id: "tray", "aria-live": "polite" });
  const search = h("input", { type: "search", name: "search", placeholder: "almonds, oatmeal, or a barcode…", autocomplete: "off", enterkeyhint: "search" });
  let timer;
  let asked = 0;
  clearSearch = () => { search.value = ""; fill(results); asked++; search.focus(); };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = search.value.trim();
      const mine = ++asked;
      if (!text) { fill(results); return; }
      if (GTIN.test(text)) { // a barcode typed (or pasted) into the search: look it up
        fill(results);
        lookUp(text, chosen, results, tray);
        return;
      }
      try {
        const page = await api(`foods/?search=${encodeURIComponent(text)}&page_size=20`);
        if (mine !== asked) return; // a newer search answers instead
        fill(results, ...page.results.map((food) => resultItem(food, tray)));
        if (!page.results.length) fill(results, h("li", { class: "hint", text: "No food matches. Add it from its label below." }));
      } catch (error) { fill(results, h("li", { class: "error", text: errorsOf(error)[0] })); }
    }, 150);
  });
  const meal = mealSelect(context.meal);
  const day = h("input", { type: "date", name: "day", value: context.day || state.profile.today, max: state.profile.today });
  meal.addEventListener("change", () => { context.meal = meal.value; saveContext(); showTray(tray); });
  day.addEventListener("change", () => { context.day = day.value && day.value < state.profile.today ? day.value : null; saveContext(); });
  const meals = h("ul", { class: "entries", "aria-label": "Your saved meals" });
  const quick = h("div", { class: "chips", role: "group", "aria-label": "Recent and frequent foods" });
  screen("Log food",
    h("div", { class: "card" }, ...field("Search foods or type a barcode", search), results,
      h("div", { class: "row meal-bar" }, h("div", {}, ...field("Meal", meal)), h("div", {}, ...field("Day", day))),
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", onclick: () => scanPanel(chosen, tray) }, "Scan barcode"),
        h("button", { type: "button", class: "secondary", onclick: () => ownFoodForm(chosen, {}, null, tray) }, "Add your own"))),
    chosen,
    tray,
    h("h3", { text: "Recent and frequent" }), quick,
    h("h3", { text: "Your meals" }), meals);
  showTray(tray);
  await Promise.all([showMeals(meals), showQuick(quick, tray)]);
}

async function showMeals(list) {
  try {
    const page = await api("saved-meals/?page_size=50");
    if (!isCurrent("log")) return;
    fill(list, ...page.results.map((meal) => h("li", {},
      h("span", {}, meal.name, h("br"), h("small", { class: "hint", text: meal.kind === "recipe" ? `recipe · ${mg(meal.magnesium_mg_per_serving)} a serving` : `${meal.items.length} ${meal.items.length === 1 ? "food" : "foods"} · ${mg(meal.magnesium_mg)}` })),
      h("button", { type: "button", class: "small", "aria-label": `Log ${meal.name}`, onclick: () => logMeal(meal) }, "Log"))));
    if (!page.results.length) fill(list, h("li", { class: "hint", text: "Save a meal from Today to log it here in one tap." }));
  } catch { fill(list); }
}

// A saved meal lands in the meal and day chosen above.
async function logMeal(meal) {
  try {
    const result = await api(`saved-meals/${meal.id}/log/`, { method: "POST", body: { id: crypto.randomUUID(), meal: context.meal, consumed_at: consumedAt() } });
    toast(`Logged ${meal.name} to ${mealTitle(context.meal).toLowerCase()}: ${mg(result.entries.reduce((sum, e) => sum + Number(e.magnesium_mg), 0))}.`);
    location.hash = context.day ? `#/today/${context.day}` : "#/today";
  } catch (error) { toast(error instanceof ApiError ? errorsOf(error)[0] : "Saved meals need a connection: try again online."); }
}

// Read (and so let the service worker keep) the recent entries and each quick food: "Recent and
// frequent" then opens offline with the last foods logged online. In the background, errors ignored.
export async function warmQuickFoods() {
  try {
    const recent = await api("intakes/?page_size=100");
    const ids = [...new Set(recent.results.map((e) => e.food))].slice(0, 8);
    await Promise.all(ids.map((id) => api(`foods/${id}/`).catch(() => null)));
  } catch { /* offline: the last copy stays */ }
}

async function showQuick(quick, tray) {
  try {
    const recent = await api("intakes/?page_size=100");
    const counts = new Map();
    recent.results.forEach((e) => counts.set(e.food, { name: e.food_name, n: (counts.get(e.food)?.n || 0) + 1 }));
    const recentIds = [...new Set(recent.results.map((e) => e.food))].slice(0, 4);
    const frequentIds = [...counts.entries()].sort((a, b) => b[1].n - a[1].n).map(([id]) => id).slice(0, 4);
    const ids = [...new Set([...recentIds, ...frequentIds])].slice(0, 6);
    if (!isCurrent("log")) return;
    fill(quick, ...ids.map((id) => h("button", { type: "button", "aria-label": `Add ${counts.get(id).name}`, onclick: async () => addToTray(await api(`foods/${id}/`), tray) }, counts.get(id).name)));
    if (!ids.length) fill(quick, h("p", { class: "hint", text: "Foods you log appear here." }));
  } catch { fill(quick); }
}

// --- Barcodes ------------------------------------------------------------------------------------------

function scanPanel(box, tray) {
  const code = h("input", { name: "barcode", inputmode: "numeric", autocomplete: "off", pattern: "[0-9]*", placeholder: "8 to 14 digits" });
  const status = h("div", { role: "status" });
  const video = h("video", { class: "scan", playsinline: true, muted: true, hidden: true });
  const form = h("form", { class: "card", "aria-label": "Barcode" },
    h("h3", { text: "Barcode" }), video, ...field("Barcode number", code, "Type the digits under the bars, or point the camera at them."), status,
    h("button", { type: "submit" }, "Look up"));
  form.addEventListener("submit", (event) => { event.preventDefault(); stopCamera(video); lookUp(code.value.trim(), box, status, tray); });
  fill(box, form);
  startCamera(video, (found) => { code.value = found; lookUp(found, box, status, tray); });
  code.focus();
}

async function startCamera(video, onCode) {
  // BarcodeDetector is in Chrome on Android; elsewhere the typed code is the way.
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return;
  try {
    const detector = new window.BarcodeDetector({ formats: ["ean_13", "ean_8", "upc_a", "upc_e"] });
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.hidden = false;
    await video.play();
    const tick = async () => {
      if (!video.srcObject) return;
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) { stopCamera(video); onCode(codes[0].rawValue); } else requestAnimationFrame(tick);
    };
    tick();
  } catch { video.hidden = true; }
}

function stopCamera(video) {
  video.srcObject?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
  video.hidden = true;
}

// Found: added to the meal. Anything else (unknown, no magnesium data, Open Food Facts unreachable or
// slow, offline) opens "Add your own" with the code filled in and why in one line; only a code that is
// no barcode at all stays here with its message.
async function lookUp(code, box, status, tray) {
  if (!code) return;
  fill(status, h("p", { class: "hint", text: "Looking up the barcode…" }));
  try {
    const result = await api(`foods/barcode/${encodeURIComponent(code)}/`);
    if (result.status === "found") { fill(status); fill(box); addToTray(result.food, tray); clearSearch(); toast(`Added ${result.food.name}.`); return; }
    fill(status);
    noMagnesium(result, code, box, tray);
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      fill(status, ...errorsOf(error).map((m) => h("p", { class: "error", text: m })));
      return;
    }
    fill(status);
    const why = !(error instanceof ApiError) ? "You seem to be offline, so the barcode could not be looked up: add the food from its label."
      : error.status === 404 ? "This barcode is unknown here and to Open Food Facts: add the food from its label."
        : "Open Food Facts could not be asked just now: add the food from its label (or try again later).";
    ownFoodForm(box, { barcode: code, ...(error.body?.product || {}) }, why, tray);
  }
}

function noMagnesium(result, code, box, tray) {
  const product = result.product || {};
  ownFoodForm(box, { name: product.name || "", brand: product.brand || "", barcode: code }, result.detail || "Known to Open Food Facts, but without its magnesium: add it from the label.", tray);
}

// --- Your own food, from its label --------------------------------------------------------------------

export function ownFoodForm(box, known, why, tray) {
  const errors = h("div");
  const unit = h("select", { name: "unit" }, h("option", { value: "mg", text: "mg" }), h("option", { value: "dv", text: "% DV" }));
  const form = h("form", { class: "card", "aria-label": "Your own food", novalidate: true },
    h("h3", { text: "Your own food" }), why ? h("p", { class: "notice", id: "own-food-why", text: why }) : null,
    ...field("Name", h("input", { name: "name", required: true, value: known.name || "" })),
    ...field("Brand (optional)", h("input", { name: "brand", value: known.brand || "" })),
    h("div", { class: "row" },
      h("div", {}, ...field("Serving", h("input", { name: "serving_label", placeholder: "1 bar", value: "" }))),
      h("div", {}, ...field("Serving (g)", h("input", { name: "serving_grams", type: "number", inputmode: "decimal", min: "0.1", step: "any", required: true })))),
    h("div", { class: "row" },
      h("div", {}, ...field("Magnesium", h("input", { name: "amount", type: "number", inputmode: "decimal", min: "0", step: "any", required: true }))),
      h("div", {}, ...field("Unit", unit))),
    ...field("Barcode (optional)", h("input", { name: "barcode", inputmode: "numeric", value: known.barcode || "" })),
    errors, h("button", { type: "submit" }, "Save food"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = { name: data.name, brand: data.brand, serving_label: data.serving_label, serving_grams: data.serving_grams || null, barcode: data.barcode };
    body[data.unit === "dv" ? "magnesium_percent_dv" : "magnesium_mg"] = data.amount === "" ? null : data.amount;
    try {
      const food = await api("my-foods/", { method: "POST", body });
      toast(`Saved ${food.name} to your foods and added it.`);
      fill(box);
      addToTray(food, tray);
      clearSearch();
    } catch (error) { showErrors(errors, error); }
  });
  fill(box, form);
  form.scrollIntoView({ block: "start" });
  form.elements[known.name ? "serving_grams" : "name"].focus({ preventScroll: true });
}
