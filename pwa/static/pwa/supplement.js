// Log a supplement: the form with its absorption and side effects, elemental mg or the compound's weight.
import { api, logEntry } from "./api.js";
import { disclaimer } from "./guidance.js";
import { field, fill, h, isCurrent, mg, screen, showErrors, toast } from "./ui.js";
import { state } from "./state.js";


export async function supplementScreen() {
  // intravenous forms are hospital treatments: not listed. The profile is read again: the aim may
  // have changed on the Health screen.
  const [forms, me] = await Promise.all([api("supplement-forms/"), api("profile/").catch(() => state.profile)]);
  state.profile = me;
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
      f.bioavailability === "low" && state.profile.supplement_aim === "correct_low_intake"
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
      const { entry, queued } = await logEntry("supplement-doses/", payload, { label: f.name.includes("(") ? f.name : `${f.name} (supplement)`, mg: elemental, counted: f.route === "oral" });
      state.lastDoseAdvice = entry?.advice?.length ? entry.advice : null; // Today shows what it says
      if (entry?.day?.supplement_over_limit) toast(`Over the ${entry.day.supplement_upper_limit_mg} mg upper limit for supplements today.`);
      else toast(queued ? "Saved offline; it will be sent when you are back online." : `Logged ${f.name}.`);
      location.hash = "#/today";
    } catch (error) { showErrors(errors, error); }
  });
  if (!isCurrent("supplement")) return;
  screen("Log supplement", form);
  update();
}
