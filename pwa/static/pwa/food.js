// The "Log food" screen: search as you type, scan or type a barcode, one tap for a saved meal, your own
// foods from a label, and the portion, amount and meal of what you ate.
import { api, ApiError, logEntry } from "./api.js";
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

function resultButton(food, box) {
  return h("li", {}, h("button", { type: "button", onclick: () => chooseFood(food, box) },
    h("span", { text: food.name }), h("span", { class: "hint", text: foodHint(food) })));
}

export async function logScreen() {
  const results = h("ul", { class: "results", "aria-label": "Foods found" });
  const chosen = h("div", { id: "chosen" });
  const search = h("input", { type: "search", name: "search", placeholder: "almonds, oatmeal, pizza…", autocomplete: "off" });
  let timer;
  let asked = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = search.value.trim();
      const mine = ++asked;
      if (!text) { fill(results); return; }
      try {
        const page = await api(`foods/?search=${encodeURIComponent(text)}&page_size=20`);
        if (mine !== asked) return; // a newer search answers instead
        fill(results, ...page.results.map((food) => resultButton(food, chosen)));
        if (!page.results.length) fill(results, h("li", { class: "hint", text: "No food matches. Add it from its label below." }));
      } catch (error) { fill(results, h("li", { class: "error", text: errorsOf(error)[0] })); }
    }, 150);
  });
  const meals = h("ul", { class: "entries", "aria-label": "Your saved meals" });
  const quick = h("div", { class: "chips", "aria-label": "Recent and frequent foods" });
  screen("Log food",
    h("div", { class: "card" }, ...field("Search foods", search), results,
      h("div", { class: "row" },
        h("button", { type: "button", class: "secondary", onclick: () => scanPanel(chosen) }, "Scan barcode"),
        h("button", { type: "button", class: "secondary", onclick: () => ownFoodForm(chosen, {}) }, "Add your own"))),
    chosen,
    h("h3", { text: "Your meals" }), meals,
    h("h3", { text: "Recent and frequent" }), quick);
  await Promise.all([showMeals(meals), showQuick(quick, chosen)]);
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

async function logMeal(meal) {
  try {
    const result = await api(`saved-meals/${meal.id}/log/`, { method: "POST", body: { id: crypto.randomUUID(), meal: mealAt() } });
    toast(`Logged ${meal.name}: ${mg(result.entries.reduce((sum, e) => sum + Number(e.magnesium_mg), 0))}.`);
    location.hash = "#/today";
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

async function showQuick(quick, chosen) {
  try {
    const recent = await api("intakes/?page_size=100");
    const counts = new Map();
    recent.results.forEach((e) => counts.set(e.food, { name: e.food_name, n: (counts.get(e.food)?.n || 0) + 1 }));
    const recentIds = [...new Set(recent.results.map((e) => e.food))].slice(0, 4);
    const frequentIds = [...counts.entries()].sort((a, b) => b[1].n - a[1].n).map(([id]) => id).slice(0, 4);
    const ids = [...new Set([...recentIds, ...frequentIds])].slice(0, 6);
    if (!isCurrent("log")) return;
    fill(quick, ...ids.map((id) => h("button", { type: "button", onclick: async () => chooseFood(await api(`foods/${id}/`), chosen) }, counts.get(id).name)));
    if (!ids.length) fill(quick, h("p", { class: "hint", text: "Foods you log appear here." }));
  } catch { fill(quick); }
}

export function chooseFood(food, box) {
  const GRAMS = "grams";
  const portion = h("select", { name: "portion" },
    ...food.portions.map((p) => h("option", { value: p.id, text: `${p.label} (${p.magnesium_mg} mg)` })),
    h("option", { value: GRAMS, text: "grams" }));
  const quantity = h("input", { name: "quantity", type: "number", inputmode: "decimal", min: "0.1", max: "5000", step: "any", value: food.portions.length ? "1" : "100" });
  const quantityLabel = h("label", { for: "quantity-input", text: "Quantity" });
  quantity.id = "quantity-input";
  const meal = mealSelect();
  const preview = h("p", { class: "preview", id: "preview", "aria-live": "polite" });
  const errors = h("div");
  const update = () => {
    const byGrams = portion.value === GRAMS;
    quantityLabel.textContent = byGrams ? "Grams" : "Quantity";
    const p = food.portions.find((x) => String(x.id) === portion.value);
    const q = Number(quantity.value);
    const grams = byGrams ? q : p ? p.grams * q : 0;
    preview.textContent = q > 0 ? `${mg((grams * food.magnesium_mg_per_100g) / 100)} of magnesium` : "Enter an amount above 0";
  };
  portion.addEventListener("change", () => { quantity.value = portion.value === GRAMS ? "100" : "1"; update(); });
  quantity.addEventListener("input", update);
  if (!food.portions.length) portion.value = GRAMS;
  update();
  const source = h("p", { class: "hint", text: food.own ? "Your own food" : [food.brand, food.origin_label, food.data_type_label].filter(Boolean).join(" · ") });
  const form = h("form", { class: "card", "aria-label": `Log ${food.name}` },
    h("h3", { text: food.name }), source, ...field("Portion", portion), quantityLabel, quantity, ...field("Meal", meal), preview, errors,
    h("button", { type: "submit" }, "Save"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const byGrams = portion.value === GRAMS;
    const p = food.portions.find((x) => String(x.id) === portion.value);
    const amount = byGrams ? { grams: quantity.value } : { portion: p.id, quantity: quantity.value };
    const payload = { food: food.id, ...amount, meal: meal.value, consumed_at: new Date().toISOString() };
    const grams = byGrams ? Number(quantity.value) : p.grams * Number(quantity.value);
    const label = byGrams ? `${food.name}, ${quantity.value} g` : `${food.name}, ${quantity.value} × ${p.label}`;
    try {
      const { queued } = await logEntry("intakes/", payload, { label, mg: (grams * food.magnesium_mg_per_100g) / 100 });
      toast(queued ? `Saved offline: ${food.name}. It will be sent when you are back online.` : `Logged ${food.name}.`);
      if (!queued) warmQuickFoods(); // so that "Recent and frequent" is there offline too
      location.hash = "#/today";
    } catch (error) { showErrors(errors, error); }
  });
  fill(box, form);
  form.scrollIntoView({ block: "start" });
  quantity.focus({ preventScroll: true });
}

// --- Barcodes ------------------------------------------------------------------------------------------

function scanPanel(box) {
  const code = h("input", { name: "barcode", inputmode: "numeric", autocomplete: "off", pattern: "[0-9]*", placeholder: "8 to 14 digits" });
  const status = h("div", { role: "status" });
  const video = h("video", { class: "scan", playsinline: true, muted: true, hidden: true });
  const form = h("form", { class: "card", "aria-label": "Barcode" },
    h("h3", { text: "Barcode" }), video, ...field("Barcode number", code, "Type the digits under the bars, or point the camera at them."), status,
    h("button", { type: "submit" }, "Look up"));
  form.addEventListener("submit", (event) => { event.preventDefault(); stopCamera(video); lookUp(code.value.trim(), box, status); });
  fill(box, form);
  startCamera(video, (found) => { code.value = found; lookUp(found, box, status); });
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

async function lookUp(code, box, status) {
  if (!code) return;
  fill(status, h("p", { class: "hint", text: "Looking up…" }));
  try {
    const result = await api(`foods/barcode/${encodeURIComponent(code)}/`);
    if (result.status === "found") { chooseFood(result.food, box); return; }
    noMagnesium(result, code, box);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) { noMagnesium(error.body, code, box); return; }
    fill(status, ...errorsOf(error).map((m) => h("p", { class: "error", text: m })));
  }
}

function noMagnesium(result, code, box) {
  const product = result.product || {};
  ownFoodForm(box, { name: product.name || "", brand: product.brand || "", barcode: code }, result.detail);
}

// --- Your own food, from its label --------------------------------------------------------------------

export function ownFoodForm(box, known, why) {
  const errors = h("div");
  const unit = h("select", { name: "unit" }, h("option", { value: "mg", text: "mg" }), h("option", { value: "dv", text: "% DV" }));
  const form = h("form", { class: "card", "aria-label": "Your own food", novalidate: true },
    h("h3", { text: "Your own food" }), why ? h("p", { class: "hint", text: why }) : null,
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
      toast(`Saved ${food.name} to your foods.`);
      chooseFood(food, box);
    } catch (error) { showErrors(errors, error); }
  });
  fill(box, form);
  form.scrollIntoView({ block: "start" });
}
