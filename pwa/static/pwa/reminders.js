// Reminders: add, edit, switch on and off, test, and push on this phone.
import { api, ApiError } from "./api.js";
import { errorsOf, field, fill, h, isCurrent, screen, showErrors, sourceNames, toast } from "./ui.js";
import { rerender, state } from "./state.js";
import { adherenceText } from "./insights.js";


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

const MARKS = { taken: ["✓", "taken"], skipped: ["–", "skipped"], missed: ["✗", "missed"], pending: ["·", "still to come today"], not_scheduled: ["", "not due"] };

// A supplement reminder's last 14 days, one cell a day, and its streak and 30-day share.
function adherenceStrip(reminder, a) {
  const last = a.days.slice(-14);
  return h("div", { class: "adherence", id: `adherence-${reminder.id}` },
    h("p", { class: "hint", text: adherenceText(reminder, a, { time: false }) }),
    h("ol", { class: "strip", "aria-label": "The last 14 days" }, ...last.map((d) => {
      const [mark, words] = MARKS[d.status];
      const day = new Date(`${d.date}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "short", day: "numeric", timeZone: "UTC" });
      return h("li", { class: `cell ${d.status}`, title: `${day}: ${words}${d.by === "logged" ? " (logged by hand)" : ""}`, "aria-label": `${day}: ${words}` }, mark);
    })),
    h("p", { class: "hint legend-line", text: "Last 14 days: ✓ taken (or logged) · – skipped · ✗ missed · dashed: not due" }));
}

const ANSWERED = { taken: "taken", snoozed: "snoozed", skipped: "skipped", completed: "day marked complete" };

export async function remindersScreen() {
  const [reminders, deliveries] = await Promise.all([api("reminders/"), api("reminders/deliveries/?page_size=10")]);
  const adherence = Object.fromEntries(await Promise.all(reminders.results.filter((r) => r.kind === "take_supplement")
    .map((r) => api(`reminders/${r.id}/adherence/?days=30`).then((a) => [r.id, a]).catch(() => [r.id, null]))));
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
      ...(r.spacing || []).map((note) => h("p", { class: `spacing ${note.level}`, text: sourceNames(note.message) })),
      adherence[r.id] ? adherenceStrip(r, adherence[r.id]) : null,
      h("label", { class: "check" }, h("input", { type: "checkbox", checked: r.enabled, "aria-label": `${label(r)} on`,
        onchange: async (e) => { await api(`reminders/${r.id}/`, { method: "PATCH", body: { enabled: e.target.checked } }); } }), "On"),
      h("button", { type: "button", class: "small secondary", onclick: () => fill(editor, reminderForm(r, rerender)) }, "Edit"),
      h("button", { type: "button", class: "small secondary", onclick: async () => { await api(`reminders/${r.id}/test/`, { method: "POST" }); toast("Test reminder sent."); } }, "Test"),
      h("button", { type: "button", class: "small secondary", "aria-label": `Delete ${label(r)}`, onclick: async () => { await api(`reminders/${r.id}/`, { method: "DELETE" }); rerender(); } }, "Delete")))),
    h("button", { type: "button", class: "secondary", onclick: () => fill(editor, reminderForm(null, rerender)) }, "Add a reminder"),
    editor,
    h("h3", { text: "Recent deliveries" }),
    deliveries.results.length ? h("ul", { class: "entries" }, ...deliveries.results.map((d) => h("li", {},
      h("span", { text: `${d.local_date} ${d.slot.startsWith("test-") ? "test" : d.slot}: ${d.status}${d.reason ? ` (${d.reason})` : ""}${d.answer ? ` · ${ANSWERED[d.answer]}` : ""}` }),
      d.answers.length && !d.answer && d.status === "sent" && d.local_date === state.profile.today ? h("a", { class: "button small secondary", href: `#/answer/${d.id}` }, "Answer") : null))) : h("p", { class: "hint", text: "None yet." }));
}
