// #/share: the report for a doctor, and read-only links to it that expire (1 to 30 days), revocable;
// each link shows when it was last opened and how often. A link's address is shown once, when made.
import { api } from "./api.js";
import { addDays, field, h, isCurrent, screen, showErrors, toast } from "./ui.js";
import { rerender, state } from "./state.js";

const when = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : "never");

function linkRow(link) {
  const status = link.revoked_at ? "revoked" : link.active ? `valid until ${when(link.expires_at)}` : "expired";
  return h("li", {},
    h("span", { class: "what" }, h("strong", { text: `${link.start} to ${link.end}` }), h("br"),
      h("small", { text: `${status} · opened ${link.open_count} ${link.open_count === 1 ? "time" : "times"}, last ${when(link.last_opened_at)}` })),
    link.active ? h("button", { type: "button", class: "small secondary", "aria-label": `Revoke the link to ${link.start} to ${link.end}`, onclick: async () => {
      await api(`share-links/${link.id}/`, { method: "DELETE" });
      toast("Link revoked: it shows “not available” from now on.");
      rerender();
    } }, "Revoke") : null);
}

export async function shareScreen() {
  const links = await api("share-links/?page_size=50");
  if (!isCurrent("share")) return;
  const today = state.profile.today || new Date().toISOString().slice(0, 10);
  const errors = h("div");
  const made = h("div", { role: "status" });
  const start = h("input", { type: "date", name: "start", value: addDays(today, -27), max: today, required: true });
  const end = h("input", { type: "date", name: "end", value: today, max: today, required: true });
  const days = h("input", { type: "number", name: "days_valid", value: 7, min: 1, max: 30, required: true, inputmode: "numeric" });
  const form = h("form", { class: "card", "aria-label": "Share the report" },
    h("p", { text: "A read-only link to the report of these days, for your doctor or dietitian: it opens the report and its PDF without an account, and shows nothing else." }),
    ...field("From", start), ...field("To", end), ...field("Link works for (days, 1 to 30)", days),
    errors, h("button", { type: "submit" }, "Make a link"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const link = await api("share-links/", { method: "POST", body: { start: start.value, end: end.value, days_valid: Number(days.value) } });
      const address = h("input", { type: "text", readonly: true, value: link.url, "aria-label": "The link", id: "share-url" });
      made.replaceChildren(h("div", { class: "card" }, h("p", { text: "The link (shown this once: copy it now):" }), address,
        h("button", { type: "button", class: "secondary", onclick: async () => { await navigator.clipboard?.writeText(link.url).catch(() => {}); address.select(); toast("Copied."); } }, "Copy")));
      errors.replaceChildren();
      const list = await api("share-links/?page_size=50");
      document.getElementById("share-links")?.replaceChildren(...list.results.map(linkRow));
      document.getElementById("no-links")?.remove();
    } catch (error) { showErrors(errors, error); }
  });
  screen("Report for your doctor",
    h("p", {}, h("a", { href: `/report/?end=${today}` }, "Open the report (last 28 days) →")),
    form, made,
    h("section", { class: "card", "aria-label": "Your links" }, h("h3", { text: "Your links" }),
      h("ul", { class: "entries", id: "share-links" }, ...links.results.map(linkRow)),
      links.results.length ? null : h("p", { class: "hint", id: "no-links", text: "None yet." })));
}
