// The week: seven bars against the target line, the average and the days on target.
import { api } from "./api.js";
import { addDays, h, isCurrent, mg, screen } from "./ui.js";
import { state, today } from "./state.js";


export async function weekScreen(end) {
  const week = await api(end ? `summary/weekly/?end=${end}` : "summary/weekly/");
  if (!end) state.profile.today = week.end;
  const width = 340; const height = 200; const top = 20; const bottom = 30;
  const max = Math.max(week.target_mg * 1.2, ...week.days.map((d) => Number(d.total_mg)));
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const slot = width / 7;
  const chart = h("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `Magnesium per day, ${week.start} to ${week.end}` },
    ...week.days.map((d, i) => {
      const total = Number(d.total_mg);
      const label = new Date(`${d.date}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "short", timeZone: "UTC" });
      return h("g", {},
        h("rect", { class: `bar${total >= d.target_mg ? " met" : ""}`, x: i * slot + 8, y: y(total), width: slot - 16, height: Math.max(height - bottom - y(total), 0) },
          h("title", { text: `${d.date}: ${Math.round(total)} mg` })),
        h("text", { x: i * slot + slot / 2, y: height - 10, "text-anchor": "middle", text: label }));
    }),
    h("line", { class: "target", x1: 0, x2: width, y1: y(week.target_mg), y2: y(week.target_mg) }),
    h("text", { x: width - 4, y: y(week.target_mg) - 5, "text-anchor": "end", text: `target ${week.target_mg} mg` }));
  if (!isCurrent("week")) return;
  screen("Week",
    h("div", { class: "card" }, chart,
      h("p", { id: "week-average", text: `Average ${mg(week.average_mg)} a day · on target ${week.days_target_met} of 7 days` }),
      h("table", {}, h("tbody", {}, ...week.days.map((d) => h("tr", {}, h("th", { scope: "row", text: d.date }), h("td", { text: mg(d.total_mg) })))))),
    h("div", { class: "row" },
      h("a", { class: "button secondary", href: `#/week/${addDays(week.end, -7)}` }, "← Previous week"),
      week.end < today() ? h("a", { class: "button secondary", href: `#/week/${addDays(week.end, 7)}` }, "Next week →") : null));
}
