// Insights over the last 1, 4 or 12 weeks of complete days: the average against the target, days on
// target, the share from supplements, the foods that gave the most, symptoms on low days against the
// others (counts, not causes), and foods that would close the usual gap. One request.
import { api } from "./api.js";
import { disclaimer } from "./guidance.js";
import { h, isCurrent, mg, screen } from "./ui.js";

const PERIODS = [[1, "1 week"], [4, "4 weeks"], [12, "12 weeks"]];

function chart(days) {
  const width = 340; const height = 160; const top = 12; const bottom = 18;
  const max = Math.max(1, ...days.map((d) => Math.max(Number(d.total_mg), d.target_mg) * 1.1));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const slot = width / Math.max(days.length, 1);
  const targetY = y(days.length ? days[days.length - 1].target_mg : 0);
  return h("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `Magnesium per day from ${days[0].date} to ${days[days.length - 1].date}; the table below lists each day` },
  ...days.map((d, i) => {
    const total = Number(d.total_mg);
    return h("g", {},
      d.logged ? h("rect", { class: `bar${d.supplement_over_limit ? " over" : total >= d.target_mg ? " met" : ""}`, x: i * slot + slot * 0.15, y: y(total), width: slot * 0.7, height: Math.max(height - bottom - y(total), 0) },
        h("title", { text: `${d.date}: ${Math.round(total)} mg${d.supplement_over_limit ? ", supplements over the upper limit" : ""}` })) : null,
      d.symptoms ? h("circle", { class: "symptom-dot", cx: i * slot + slot / 2, cy: height - 6, r: Math.min(4, slot / 3) }) : null);
  }),
  h("line", { class: "target", x1: 0, x2: width, y1: targetY, y2: targetY }));
}

// Each supplement reminder's adherence: the streak and the last 30 days' share (reminders.js has the days).
async function adherenceCard() {
  const reminders = (await api("reminders/").catch(() => ({ results: [] }))).results.filter((r) => r.kind === "take_supplement");
  if (!reminders.length) return null;
  const rows = await Promise.all(reminders.map((r) => api(`reminders/${r.id}/adherence/?days=30`).then((a) => [r, a]).catch(() => null)));
  return h("section", { class: "card", id: "insight-adherence", "aria-label": "Supplement reminders" },
    h("h3", { text: "Supplement reminders" }),
    h("ul", { class: "facts" }, ...rows.filter(Boolean).map(([r, a]) => h("li", { text: adherenceText(r, a) }))),
    h("p", {}, h("a", { href: "#/reminders" }, "Each day on the Reminders screen →")));
}

export function adherenceText(reminder, a, { time = true } = {}) {
  const share = a.share_percent === null ? "no due day yet" : `${a.taken_days} of ${a.counted_days} due days taken (${a.share_percent}%)`;
  const streak = `${time ? `${reminder.local_time}: streak` : "Streak"} ${a.streak} ${a.streak === 1 ? "day" : "days"}`;
  return `${streak} · last 30 days: ${share}`;
}

export async function insightsScreen(weeks) {
  const period = [1, 4, 12].includes(Number(weeks)) ? Number(weeks) : 4;
  const completeOnly = /\/complete$/.test(location.hash);
  const [data, adherence] = await Promise.all([api(`insights/?weeks=${period}${completeOnly ? "&complete_only=true" : ""}`), adherenceCard()]);
  if (!isCurrent("insights")) return;
  const picker = h("nav", { class: "chips", "aria-label": "Period" }, ...PERIODS.map(([n, label]) =>
    h("a", { class: "chip", href: `#/insights/${n}${completeOnly ? "/complete" : ""}`, "aria-current": n === period ? "page" : false }, label)),
    data.days_complete || completeOnly ? h("a", { class: "chip", id: "complete-only", href: `#/insights/${period}${completeOnly ? "" : "/complete"}`, "aria-pressed": String(completeOnly) },
      completeOnly ? `✓ Only days marked complete (${data.days_complete})` : `Only days marked complete (${data.days_complete})`) : null);
  if (!data.days_logged) {
    screen("Insights", picker, h("div", { class: "card" },
      h("p", { text: completeOnly ? "No day marked complete in these weeks: mark a day on Today (\u201cI've logged everything today\u201d)." : data.days_in_period ? "Nothing logged in these days yet: insights start with your first complete day." : "Insights start tomorrow, after your first complete day." })),
    adherence, disclaimer(data.disclaimer));
    return;
  }
  const s = data.symptoms;
  screen("Insights", picker,
    h("section", { class: "card", "aria-label": "Intake" },
      h("p", { class: "big", id: "insight-average", text: `${mg(data.average_mg)} a day` }),
      h("p", { text: `${data.average_percent_of_target}% of your ${mg(data.average_target_mg)} target on the ${data.days_logged} days ${completeOnly ? "marked complete" : "you logged"} (of ${data.days_in_period}).` }),
      h("p", { id: "insight-on-target", text: `On target ${data.days_on_target} of ${data.days_logged} days${data.supplement_share_percent === null ? "" : ` · ${data.supplement_share_percent}% from supplements`}` }),
      chart(data.days),
      h("p", { class: "hint", text: "Bars: days logged (green on target); dots: days with a symptom; dashed line: target." }),
      h("details", {}, h("summary", { text: "Each day as a table" }),
        h("table", {}, h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Day" }), h("th", { scope: "col", text: "Magnesium" }), h("th", { scope: "col", text: "Symptom" }))),
          h("tbody", {}, ...data.days.map((d) => h("tr", {}, h("th", { scope: "row", text: d.date }),
            h("td", { text: d.logged ? `${mg(d.total_mg)}${d.complete ? " ✓ complete" : ""}${d.supplement_over_limit ? " ⚠ supplements over the upper limit" : ""}` : completeOnly ? "not marked complete" : "not logged" }), h("td", { text: d.symptoms ? "yes" : "" }))))))),
    data.closing_foods.length ? h("section", { class: "card", "aria-label": "Closing the gap" },
      h("h3", { text: `To close your usual gap of ${mg(data.usual_gap_mg)}, any one of:` }),
      h("ul", { id: "closing-foods" }, ...data.closing_foods.map((c) => h("li", { text: c.text })))) : null,
    data.top_foods.length ? h("section", { class: "card", "aria-label": "Top foods" },
      h("h3", { text: "Foods that gave the most" }),
      h("ol", {}, ...data.top_foods.map((f) => h("li", { text: `${f.name}: ${mg(f.magnesium_mg)} (${f.share_of_food_percent}% of food)` })))) : null,
    h("section", { class: "card", "aria-label": "Symptoms and intake" },
      h("h3", { text: "Symptoms and low-intake days" }),
      h("p", { id: "insight-symptoms", text: s.summary })),
    adherence,
    disclaimer(data.disclaimer));
}
