// What raises your risk (conditions, medicines, age, kidneys) with what each means and its source,
// how your medicines and a supplement should be spaced, and serum magnesium results from the lab.
import { api } from "./api.js";
import { disclaimer, guidanceLists } from "./guidance.js";
import { field, fill, h, isCurrent, screen, showErrors, sourceNames, toast } from "./ui.js";

function riskList(factors) {
  if (!factors.length) return h("p", { class: "hint", id: "risk-factors", text: "None of the listed risk factors." });
  return h("ul", { class: "facts", id: "risk-factors" }, ...factors.map((f) => h("li", {},
    h("strong", { text: f.title }), h("span", { text: ` ${sourceNames(f.meaning)} ` }), h("small", { text: sourceNames(f.source) }))));
}

function healthForm(profile, lists, onSaved) {
  const errors = h("div");
  const mine = Object.fromEntries(profile.medicines.map((m) => [m.kind, m.times]));
  const conditions = h("fieldset", {}, h("legend", { text: "Conditions" }), ...lists.conditions.map((c) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "conditions", value: c.value, checked: profile.conditions.includes(c.value) }), c.label)));
  const medicines = h("fieldset", {}, h("legend", { text: "Medicines you take" }), ...lists.medicines.map((m) => {
    // up to four times (an antibiotic may be taken four times a day): two fields, more on demand
    const known = mine[m.value] || [];
    const timeInput = (i) => h("input", { type: "time", name: `time-${m.value}`, value: known[i] || "",
      "aria-label": i ? `Usual time ${i + 1} of ${m.label}` : `Usual time of ${m.label}` });
    const times = !m.spacing ? [] : Array.from({ length: Math.max(2, known.length) }, (_, i) => timeInput(i));
    const more = times.length && times.length < 4 ? h("button", { type: "button", class: "link", onclick: (event) => {
      const box = event.target.parentElement;
      const count = box.querySelectorAll("input").length;
      event.target.before(timeInput(count));
      if (count + 1 >= 4) event.target.remove();
    } }, "Another time") : null;
    return h("div", { class: "medicine" },
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "medicines", value: m.value, checked: m.value in mine }), m.label),
      m.examples ? h("p", { class: "hint", text: m.examples }) : null,
      m.spacing ? h("div", { class: "times" }, h("p", { class: "hint", text: "Usual times (optional): a supplement's time is checked against them" }), ...times, more) : null);
  }));
  const aim = h("select", { name: "supplement_aim" }, ...lists.supplement_aims.map((a) => h("option", { value: a.value, text: a.label, selected: profile.supplement_aim === a.value })));
  const form = h("form", { class: "card", "aria-label": "Risk factors and medicines" },
    conditions, h("label", { class: "check" }, h("input", { type: "checkbox", name: "kidney_disease", checked: profile.kidney_disease }), "Kidney disease"),
    medicines, ...field("Why you take a supplement", aim), errors, h("button", { type: "submit" }, "Save"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      conditions: data.getAll("conditions"),
      kidney_disease: form.kidney_disease.checked,
      medicines: data.getAll("medicines").map((kind) => ({ kind, times: data.getAll(`time-${kind}`).filter(Boolean) })),
      supplement_aim: data.get("supplement_aim"),
    };
    try {
      onSaved(await api("profile/", { method: "PATCH", body }));
      toast("Saved.");
    } catch (error) { showErrors(errors, error); }
  });
  return form;
}

function labForm(lists, onSaved) {
  const errors = h("div");
  const form = h("form", { class: "card", "aria-label": "Add a lab result" },
    h("h3", { text: "Add a serum magnesium result" }),
    ...field("Date of the test", h("input", { name: "taken_on", type: "date", required: true })),
    h("div", { class: "row" },
      h("div", {}, ...field("Serum magnesium", h("input", { name: "value", type: "number", inputmode: "decimal", step: "any", min: 0, required: true }))),
      h("div", {}, ...field("Unit", h("select", { name: "unit" }, ...lists.lab_units.map((u) => h("option", { value: u.value, text: u.label })))))),
    h("p", { class: "hint", text: "If your report prints a normal range, enter it: it is used instead of the general one." }),
    h("div", { class: "row" },
      h("div", {}, ...field("Range from (optional)", h("input", { name: "range_low", type: "number", inputmode: "decimal", step: "any", min: 0 }))),
      h("div", {}, ...field("Range to", h("input", { name: "range_high", type: "number", inputmode: "decimal", step: "any", min: 0 })))),
    errors, h("button", { type: "submit" }, "Save result"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = { taken_on: data.taken_on, value: data.value, unit: data.unit, range_low: data.range_low || null, range_high: data.range_high || null };
    try {
      onSaved(await api("labs/", { method: "POST", body }));
      form.reset();
      fill(errors);
    } catch (error) { showErrors(errors, error); }
  });
  return form;
}

const UNIT = { mg_dl: "mg/dL", mmol_l: "mmol/L", meq_l: "mEq/L" };

function labItem(lab) {
  return h("li", { class: "lab" },
    h("p", {}, h("strong", { text: `${lab.taken_on}: ${lab.value} ${UNIT[lab.unit]}` }), " ", h("span", { class: `badge ${lab.flag}`, text: lab.flag })),
    h("p", { class: "hint", text: `= ${lab.values.mg_dl} mg/dL · ${lab.values.mmol_l} mmol/L · ${lab.values.meq_l} mEq/L` }),
    h("p", { text: sourceNames(lab.message) }));
}

export async function healthScreen() {
  const [profile, lists, results] = await Promise.all([api("profile/"), guidanceLists(), api("labs/?page_size=50")]);
  if (!isCurrent("health")) return;
  const risks = h("div", {}, riskList(profile.risk_factors));
  const labs = h("ul", { class: "entries", id: "labs" }, ...results.results.map(labItem));
  screen("Health",
    h("p", { class: "hint", text: "What raises the chance of low magnesium, or of too much from supplements." }),
    healthForm(profile, lists, (saved) => fill(risks, riskList(saved.risk_factors))),
    h("section", { class: "card", "aria-label": "Your risk factors" }, h("h3", { text: "Your risk factors" }), risks),
    labForm(lists, (lab) => labs.prepend(labItem(lab))),
    h("h3", { text: "Lab results" }), labs,
    disclaimer(lists.disclaimer));
}
