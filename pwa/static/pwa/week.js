// Charts: the week (stacked bars of food and supplements against the target, the value on each bar,
// tap a day to open it), 30 days of bars, and a 90-day trend with its 7-day rolling average; the
// foods that gave the most in the period. One request each; a table of the same numbers under each.
import { api } from "./api.js";
import { daysTable, dayBars, legend, trendLine } from "./chart.js";
import { state, today } from "./state.js";
import { addDays, h, isCurrent, mg, screen } from "./ui.js";

const openDay = (date) => { location.hash = `#/today/${date}`; };

function tabs(current) {
  return h("nav", { class: "chips", "aria-label": "Period" }, ...[["week", "Week"], ["month", "30 days"], ["trend", "90 days"]].map(([name, label]) =>
    h("a", { class: "chip", href: `#/${name}`, "aria-current": name === current ? "page" : false }, label)));
}

function topFoods(foods) {
  if (!foods.length) return null;
  return h("section", { class: "card", "aria-label": "Top foods" }, h("h3", { text: "Foods that gave the most" }),
    h("ol", { id: "top-foods" }, ...foods.map((f) => h("li", { text: `${f.name}: ${mg(f.magnesium_mg)}` }))));
}

function averageText(body, days) {
  if (!body.days_with_data) return "No data in these days.";
  return `Average ${mg(body.average_mg)} a day · on target ${body.days_target_met} of ${body.days_with_data} ${body.days_with_data === 1 ? "day" : "days"}`
    + (body.days_over_limit ? ` · supplements over the upper limit on ${body.days_over_limit} ${body.days_over_limit === 1 ? "day" : "days"} (⚠)` : "")
    + (body.days_with_data < days ? ` (${days - body.days_with_data} ${days - body.days_with_data === 1 ? "day" : "days"} with nothing logged left out)` : "");
}

function pager(name, end, span) {
  return h("div", { class: "row" },
    h("a", { class: "button secondary", href: `#/${name}/${addDays(end, -span)}` }, "← Earlier"),
    end < today() ? h("a", { class: "button secondary", href: `#/${name}/${addDays(end, span)}` }, "Later →") : null);
}

export async function weekScreen(end) {
  const week = await api(end ? `summary/weekly/?end=${end}` : "summary/weekly/");
  if (!end) state.profile.today = week.end;
  if (!isCurrent("week")) return;
  screen("Week", tabs("week"),
    h("div", { class: "card" },
      dayBars({ days: week.days, target: week.target_mg, label: `Magnesium per day from ${week.start} to ${week.end}, food and supplements stacked; the table below lists each day`, onTap: openDay }),
      legend([["food", "Food"], ["supplement", "Supplements"], ["target", `Target ${week.target_mg} mg`], ...(week.days_over_limit ? [["over", "⚠ supplements over the limit"]] : []), ...(week.days.some((d) => d.complete) ? [["complete", "✓ marked complete"]] : [])]),
      h("p", { class: "hint", text: "Tap a day to open it." }),
      h("p", { id: "week-average", text: averageText(week, 7) }),
      daysTable(week.days)),
    h("div", { class: "row" },
      h("a", { class: "button secondary", href: `#/week/${addDays(week.end, -7)}` }, "← Previous week"),
      week.end < today() ? h("a", { class: "button secondary", href: `#/week/${addDays(week.end, 7)}` }, "Next week →") : null),
    h("p", {}, h("a", { href: "#/insights" }, "Insights: your usual gap and what would close it →")),
    h("p", {}, h("a", { href: `/report/?end=${week.end}`, id: "report-link" }, "A one-page report for your doctor (28 days, PDF) →")));
}

async function period(name, title, days, end, draw) {
  const body = await api(`summary/period/?days=${days}${end ? `&end=${end}` : ""}`);
  if (!isCurrent(name)) return;
  screen(title, tabs(name),
    h("div", { class: "card" }, draw(body),
      h("p", { id: `${name}-average`, text: averageText(body, days) }),
      h("details", {}, h("summary", { text: "Each day as a table" }), daysTable(body.days, { rolling: name === "trend" }))),
    topFoods(body.top_foods),
    pager(name, body.end, days));
}

export function monthScreen(end) {
  return period("month", "30 days", 30, end, (body) => h("div", {},
    dayBars({ days: body.days, target: body.target_mg, onTap: openDay, label: `Magnesium per day from ${body.start} to ${body.end}; the table below lists each day` }),
    legend([["food", "Food"], ["supplement", "Supplements"], ["target", `Target ${body.target_mg} mg`], ...(body.days_over_limit ? [["over", "⚠ supplements over the limit"]] : [])])));
}

export function trendScreen(end) {
  return period("trend", "90 days", 90, end, (body) => h("div", {},
    trendLine({ days: body.days, target: body.target_mg, label: `Daily magnesium and its 7-day rolling average from ${body.start} to ${body.end}; the table below lists each day` }),
    legend([["rolling", "7-day average"], ["daily", "Each day"], ["target", `Target ${body.target_mg} mg`]])));
}
