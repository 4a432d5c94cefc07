// Settings (profile, export, sign out, delete the account) and the More menu.
import { api, dropCachedData, forgetMine, setOwner } from "./api.js";
import { field, fill, h, screen } from "./ui.js";
import { state } from "./state.js";
import { profileForm, targetText } from "./profile.js";


export function settingsScreen() {
  const saved = h("p", { role: "status", class: "hint" });
  const confirmBox = h("div");
  screen("Settings",
    profileForm({ submitLabel: "Save profile", onSaved: (p) => { saved.textContent = `Saved. ${targetText(p)}.`; } }), saved,
    h("div", { class: "card" }, h("h3", { text: "Your data" }),
      h("a", { class: "button secondary", href: "/api/v1/export/?format=json", download: true }, "Export everything (JSON)"),
      h("a", { class: "button secondary", href: "/api/v1/export/?format=csv", download: true }, "Export entries (CSV)"),
      h("button", { type: "button", class: "secondary", onclick: async () => { await api("auth/logout/", { method: "POST" }); await dropCachedData(); state.profile = null; setOwner(null); location.hash = "#/login"; } }, "Sign out"),
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
    state.profile = null;
    setOwner(null);
    location.hash = "#/register";
  } }, h("p", { text: "This deletes your account and everything you logged. It cannot be undone." }),
  ...field('Type "delete" to confirm', input), h("button", { type: "submit", class: "danger" }, "Delete everything")));
  input.focus();
}

// --- More ---------------------------------------------------------------------------------------------

export function moreScreen() {
  const link = (href, title, text) => h("li", {}, h("a", { href }, h("strong", { text: title }), h("span", { class: "hint", text })));
  screen("More", h("ul", { class: "menu" },
    link("#/insights", "Insights", "Your average, days on target, top foods, symptoms and intake"),
    link("#/health", "Health and labs", "Risk factors, medicines and their spacing, lab results"),
    link("#/reminders", "Reminders", "Push or email, on your own clock"),
    link("#/import", "Bring your history", "From Cronometer or a spreadsheet"),
    link("#/share", "Report for your doctor", "One page, a PDF, and a link that expires"),
    link("#/settings", "Settings", "About you, your data, sign out")));
}
