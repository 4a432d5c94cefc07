// Sign in, sign up, and the profile form (first run and Settings): sex, birth date, pregnancy or
// breastfeeding, time zone, kidney disease and a doctor's target.
import { api } from "./api.js";
import { field, fill, h, nav, screen, showFieldErrors } from "./ui.js";
import { hooks, state } from "./state.js";


export function authScreen(mode) {
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
      await hooks.start(isRegister ? "#/setup" : "#/today");
    } catch (error) { showFieldErrors(form, errors, error); }
  });
  screen(isRegister ? "Create your account" : "Sign in", form,
    h("p", {}, isRegister ? "Have an account? " : "New here? ",
      h("a", { href: isRegister ? "#/login" : "#/register", text: isRegister ? "Sign in" : "Create an account" })));
}

export function profileForm({ submitLabel, onSaved }) {
  const firstRun = !state.profile.birth_date;
  const zone = firstRun ? Intl.DateTimeFormat().resolvedOptions().timeZone || state.profile.time_zone : state.profile.time_zone;
  const errors = h("div");
  const sex = h("select", { name: "sex", required: true },
    h("option", { value: "", text: "Choose…" }),
    ...[["female", "Female"], ["male", "Male"]].map(([v, t]) => h("option", { value: v, text: t, selected: state.profile.sex === v })));
  const stage = h("select", { name: "life_stage" },
    ...[["none", "Neither"], ["pregnant", "Pregnant"], ["lactating", "Breastfeeding"]].map(([v, t]) => h("option", { value: v, text: t, selected: state.profile.life_stage === v })));
  const override = h("input", { name: "target_override_mg", type: "number", inputmode: "numeric", min: 10, max: 2000, value: state.profile.target_override_mg ?? "" });
  const form = h("form", { class: "card" },
    field("Sex", sex),
    field("Birth date", h("input", { name: "birth_date", type: "date", required: true, value: state.profile.birth_date || "" })),
    field("Pregnancy or breastfeeding", stage),
    field("Time zone", h("input", { name: "time_zone", value: zone, required: true, autocomplete: "off", list: "zones", spellcheck: "false" }),
      "This device's zone is filled in; type to search the list. Reminders follow it."),
    zoneList(),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "kidney_disease", checked: state.profile.kidney_disease }), "I have kidney disease"),
    field("Daily target set by my doctor (mg, optional)", override),
    errors,
    h("button", { type: "submit" }, submitLabel));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = { ...data, kidney_disease: form.kidney_disease.checked, target_override_mg: data.target_override_mg ? Number(data.target_override_mg) : null };
    try {
      await api("profile/", { method: "PATCH", body });
      // a GET of the session (which holds the profile), so that the offline copy the app starts from
      // is the new profile too
      state.profile = (await api("auth/session/")).profile;
      onSaved(state.profile);
    } catch (error) { showFieldErrors(form, errors, error); }
  });
  return form;
}

// Every IANA zone the browser knows, searchable by typing in the field.
function zoneList() {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return h("datalist", { id: "zones" }, ...["UTC", ...zones.filter((z) => z !== "UTC")].map((z) => h("option", { value: z })));
}

export function targetText(p) { return `${p.target_label}: ${p.daily_target_mg} mg a day`; }

export function setupScreen() {
  nav.hidden = true;
  const result = h("div", { role: "status" });
  screen("About you", h("p", { class: "hint", text: "Your daily target depends on your age, sex and pregnancy or breastfeeding." }),
    profileForm({
      submitLabel: "Save",
      onSaved: (p) => {
        fill(result, h("div", { class: "card" },
          h("p", { class: "big", id: "target", tabindex: "-1", text: `${p.daily_target_mg} mg a day` }),
          h("p", { id: "target-why", text: targetText(p) }),
          h("a", { class: "button", href: "#/today" }, "Start logging")));
        // the result sits below the form: bring it into view, or the save looks like it did nothing
        result.scrollIntoView({ block: "center" });
        document.getElementById("target").focus({ preventScroll: true });
      },
    }), result);
}
