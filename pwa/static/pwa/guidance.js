// Guidance shared by the screens: red-flag messages (urgent first, shown until dismissed), the fixed
// lists the forms choose from, and the "not medical advice" line that goes with every piece of advice.
import { api } from "./api.js";
import { fill, h, sourceNames, toast } from "./ui.js";

let lists = null;

// Symptom kinds, body areas, conditions, medicines, aims and lab units, with the user's red flags and
// risk factors: one request, kept for the session (the red flags are re-read by each screen).
export async function guidanceLists(fresh = false) {
  if (!lists || fresh) lists = await api("guidance/");
  return lists;
}

export function disclaimer(text) {
  return h("p", { class: "disclaimer", text: text || "Not medical advice: this app does not diagnose. Talk to a doctor about your own health." });
}

// The red flags as cards: an urgent one is an alert with the strongest colours, a "see a doctor" one
// a status. Each can be dismissed; it comes back when a later entry raises it again.
// Flags dismissed in this session, by code and evidence: a screen whose data was read before the
// dismissal reached the server must not paint the flag again (a later entry has newer evidence).
const dismissed = new Map();
const stillShown = (flags) => flags.filter((flag) => dismissed.get(flag.code) !== flag.evidence_at);

export function redFlagBox(flags) {
  const box = h("div", { id: "red-flags" });
  const render = (current) => fill(box, ...stillShown(current).map((flag) => h("section", {
    class: `alert ${flag.level === "urgent" ? "urgent" : "doctor"}`,
    role: flag.level === "urgent" ? "alert" : "status",
    "aria-label": flag.title,
    "data-code": flag.code,
  },
  h("h3", { text: flag.title }),
  h("p", { text: sourceNames(flag.message) }),
  h("p", { class: "source", text: `Source: ${sourceNames(flag.source)}` }),
  disclaimer(),
  h("button", { type: "button", class: "small secondary", "aria-label": `Dismiss: ${flag.title}`, onclick: async () => {
    try {
      dismissed.set(flag.code, flag.evidence_at);
      const answer = await api("red-flags/dismiss/", { method: "POST", body: { code: flag.code } });
      render(answer.red_flags);
    } catch (error) {
      dismissed.delete(flag.code);
      toast("Could not dismiss while offline.");
    }
  } }, "Dismiss"))));
  render(flags);
  return box;
}

export async function currentRedFlags() {
  try { return stillShown((await api("red-flags/")).red_flags); } catch (error) { return []; }
}
