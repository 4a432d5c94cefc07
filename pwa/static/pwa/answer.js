// #/answer/<delivery>: a reminder's choices on the screen a tap on its notification opens, for
// browsers that show no buttons on notifications (iPhone Safari, some desktops): Taken (logs the dose it
// named), Snooze 30 min, Skip today. A group (several reminders in one notification) lists each.
import { api } from "./api.js";
import { errorsOf, h, isCurrent, screen, toast } from "./ui.js";
import { rerender } from "./state.js";

const LABELS = { taken: "Taken", snoozed: "Snooze 30 min", skipped: "Skip today", completed: "I've logged everything today" };
const DONE = { taken: "Taken", snoozed: "Snoozed", skipped: "Skipped today", completed: "Day marked complete" };

function choices(delivery) {
  if (["taken", "skipped", "completed"].includes(delivery.answer)) {
    return h("p", { class: "done", text: `✓ ${DONE[delivery.answer]}${delivery.answered_at ? ` at ${new Date(delivery.answered_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}` : ""}` });
  }
  const answer = async (value) => {
    try {
      const result = await api(`reminders/deliveries/${delivery.id}/answer/`, { method: "POST", body: { answer: value } });
      toast(result.message);
      rerender();
    } catch (error) { toast(errorsOf(error).join(" ") || "Not recorded: offline?"); }
  };
  return h("div", { class: "answer-choices" },
    delivery.kind === "log_meals" ? h("a", { class: "button", href: "#/log" }, "Log food") : null,
    delivery.answer === "snoozed" ? h("p", { class: "hint", text: "Snoozed: it comes again 30 minutes after you snoozed it." }) : null,
    ...delivery.answers.map((value) => {
      if (value === "taken" && !delivery.offer) return h("a", { class: "button", href: "#/supplement" }, "Log the dose you took");
      const text = value === "taken" ? `Taken: log ${Number(delivery.offer.elemental_mg)} mg ${delivery.offer.form_name.toLowerCase()}` : LABELS[value];
      if (value === "snoozed" && delivery.answer === "snoozed") return null;
      return h("button", { type: "button", class: value === "taken" ? "" : "secondary", onclick: () => answer(value) }, text);
    }));
}

export async function answerScreen(id) {
  const delivery = await api(`reminders/deliveries/${id}/`);
  const members = delivery.group_leader ? (await api(`reminders/deliveries/?group=${delivery.group_leader}&page_size=50`)).results : [delivery];
  if (!isCurrent("answer")) return;
  screen(members.length > 1 ? `${members.length} reminders` : delivery.title || "Reminder",
    ...members.filter((d) => d.body).map((d) => h("section", { class: "card answer", "aria-label": d.title },
      members.length > 1 ? h("h3", { text: d.title }) : null,
      h("p", { text: d.body }),
      choices(d))),
    h("p", {}, h("a", { href: "#/today" }, "Today"), " · ", h("a", { href: "#/reminders" }, "Reminders")));
}
