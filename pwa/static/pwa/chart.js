// Plain SVG charts, no library: stacked day bars against a target line, and a daily line with its
// 7-day rolling average. Each chart is an image with a text label; the screens put a table of the same
// numbers beside it for screen readers and keyboards (a tap on a bar is a shortcut, never the only way).
import { h } from "./ui.js";

const WIDTH = 340;

function scale(height, top, bottom, max) {
  return (v) => top + (height - top - bottom) * (1 - Math.min(v, max) / max);
}

export const weekday = (iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "short", timeZone: "UTC" });
const shortDate = (iso) => new Date(`${iso}T12:00:00Z`).toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });

// What the colours and lines mean (the target's value is written here, not over the bars).
export function legend(items) {
  return h("p", { class: "legend" }, ...items.map(([key, text]) => h("span", { class: "legend-item" }, h("span", { class: `key ${key}`, "aria-hidden": "true" }), text)));
}
const dayOfMonth = (iso) => String(Number(iso.slice(8, 10)));

// Bars of food (below) and supplements (above) per day, the target as a dashed line, the value on each
// bar when there is room, "no data" for a day before the account. ``onTap(date)`` opens a day.
export function dayBars({ days, target, label, showValues = days.length <= 10, onTap }) {
  const height = 220; const top = 22; const bottom = 26;
  const max = Math.max(target * 1.15, ...days.map((d) => Number(d.total_mg))) || 1;
  const y = scale(height, top, bottom, max);
  const slot = WIDTH / days.length;
  const gap = Math.max(1, Math.min(8, slot * 0.18));
  const base = height - bottom;
  const svg = h("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": label },
    ...days.map((d, i) => {
      const x = i * slot + gap; const w = slot - 2 * gap;
      const food = Number(d.food_mg); const supplements = Number(d.supplement_mg); const total = Number(d.total_mg);
      // a day the user marked complete carries a tick: its total is the day's, not a forgotten one
      const tick = days.length <= 10 ? `${weekday(d.date)}${d.complete ? "✓" : ""}` : (i % 5 === 0 || i === days.length - 1 ? dayOfMonth(d.date) : "");
      // a day whose supplements passed the upper limit is marked as such, whatever its total
      const over = Boolean(d.supplement_over_limit);
      return h("g", { class: `day${d.no_data ? " no-data" : ""}${total >= d.target_mg && !over ? " met" : ""}${over ? " over" : ""}`, "data-date": d.date },
        d.no_data
          ? h("rect", { class: "bar empty", x, y: base - 6, width: w, height: 6 })
          : [
            h("rect", { class: "bar food", x, y: y(food), width: w, height: Math.max(base - y(food), 0) }),
            supplements > 0 ? h("rect", { class: "bar supplement", x, y: y(total), width: w, height: Math.max(y(food) - y(total), 0) }) : null,
          ],
        showValues ? h("text", { class: "value", x: x + w / 2, y: d.no_data ? base - 10 : y(total) - 5, "text-anchor": "middle", text: d.no_data ? "no data" : `${over ? "⚠ " : ""}${Math.round(total)}` }) : null,
        over && !showValues ? h("text", { class: "value over-mark", x: x + w / 2, y: y(total) - 3, "text-anchor": "middle", text: "⚠" }) : null,
        tick ? h("text", { x: i * slot + slot / 2, y: height - 8, "text-anchor": "middle", text: tick }) : null);
    }),
    h("line", { class: "target", x1: 0, x2: WIDTH, y1: y(target), y2: y(target) }));
  if (onTap) {
    svg.addEventListener("click", (event) => {
      const box = svg.getBoundingClientRect();
      const index = Math.floor(((event.clientX - box.left) / box.width) * days.length);
      if (days[index]) onTap(days[index].date); // a day with nothing logged opens to be logged
    });
    svg.classList.add("tappable");
  }
  return svg;
}

// Each day's total as a thin line of dots, its 7-day rolling average as the bold line, the target
// dashed; days with no data are gaps.
export function trendLine({ days, target, label }) {
  const height = 200; const top = 16; const bottom = 24;
  const max = Math.max(target * 1.15, ...days.map((d) => Number(d.total_mg))) || 1;
  const y = scale(height, top, bottom, max);
  const step = WIDTH / Math.max(days.length - 1, 1);
  const segments = [];
  let current = [];
  days.forEach((d, i) => {
    if (d.rolling_7_day_mg === null) { if (current.length) segments.push(current); current = []; return; }
    current.push(`${(i * step).toFixed(1)},${y(Number(d.rolling_7_day_mg)).toFixed(1)}`);
  });
  if (current.length) segments.push(current);
  return h("svg", { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-label": label },
    ...days.map((d, i) => (d.no_data ? null : h("circle", { class: "daily", cx: i * step, cy: y(Number(d.total_mg)), r: 2 }))),
    ...segments.map((points) => h("polyline", { class: "rolling", points: points.join(" ") })),
    h("line", { class: "target", x1: 0, x2: WIDTH, y1: y(target), y2: y(target) }),
    ...[0, Math.floor(days.length / 2), days.length - 1].map((i) => h("text", { x: Math.min(Math.max(i * step, 20), WIDTH - 20), y: height - 6, "text-anchor": "middle", text: days[i].date.slice(5) })));
}

// The same numbers as a table, each day a link that opens it.
export function daysTable(days, { rolling = false } = {}) {
  return h("table", { class: "days" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Day" }), h("th", { scope: "col", text: "Food" }), h("th", { scope: "col", text: "Supplements" }),
      h("th", { scope: "col", text: "Total" }), rolling ? h("th", { scope: "col", text: "7-day average" }) : null)),
    h("tbody", {}, ...days.map((d) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/today/${d.date}`, text: shortDate(d.date) }), d.complete ? h("span", { class: "complete-mark", title: "marked complete", text: " ✓" }) : null),
      ...(d.no_data
        ? [h("td", { colspan: 3, text: "no data (nothing logged)", class: "muted" })]
        : d.complete && Number(d.total_mg) === 0 ? [h("td", { colspan: 3, text: "0 mg (marked complete)" })]
        : [h("td", { text: `${Math.round(Number(d.food_mg))} mg` }), h("td", { text: `${Math.round(Number(d.supplement_mg))} mg` }),
          h("td", { text: `${Math.round(Number(d.total_mg))} mg${d.supplement_over_limit ? " ⚠ supplements over the upper limit" : ""}` })]),
      // the 7-day average of the days logged around it: defined on a day with nothing logged too
      rolling ? h("td", { text: d.rolling_7_day_mg === null ? "" : `${Math.round(Number(d.rolling_7_day_mg))} mg` }) : null))));
}
