// Shared pieces of the screens: DOM building (text always as text, never as HTML), form fields,
// error messages, the toast, and the screen frame.
import { ApiError } from "./api.js";

export const main = document.getElementById("main");
export const nav = document.getElementById("nav");

// A local date (YYYY-MM-DD) moved by ``n`` days, on the calendar (no time zone involved).
export function addDays(iso, n) { const d = new Date(`${iso}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); }

export function h(tag, attrs = {}, ...children) {
  const el = document.createElementNS(
    ["svg", "rect", "line", "text", "circle", "g", "title", "path", "polyline"].includes(tag) ? "http://www.w3.org/2000/svg" : "http://www.w3.org/1999/xhtml",
    tag,
  );
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

// replaceChildren without the empty slots of conditional content
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

// The reference's source tags ([ODS], [S4]) as the sources' names, for people who have not read it.
const SOURCES = {
  ODS: "NIH Office of Dietary Supplements",
  CARD: "USDA values on the product card",
  S0: "article: How magnesium regulates muscle and nerve function",
  S1: "article: The role of magnesium in muscle and nerve function",
  S2: "article: Muscle spasms vs muscle twitching",
  S3: "article: Can low magnesium cause leg twitching",
  S4: "article: Magnesium and muscle jerks",
};
export function sourceNames(text) {
  return String(text ?? "").replace(/(\[(ODS|CARD|S[0-4])\])+/g, (tags) => `(${[...tags.matchAll(/\[([A-Z0-9]+)\]/g)].map((m) => SOURCES[m[1]]).join("; ")})`)
    .replace(/\( \(/g, "(").replace(/\(\(([^()]*)\)\)/g, "($1)");
}

export const mg = (value) => `${Math.round(Number(value))} mg`;
let uid = 0;
export const fieldId = (name) => `f-${name}-${++uid}`;

export function field(label, input, hint) {
  input.id = input.id || fieldId(input.name || "x");
  return [h("label", { for: input.id, text: label }), input, hint ? h("p", { class: "hint", text: hint }) : null];
}

export function errorsOf(error) {
  if (!(error instanceof ApiError)) return ["You seem to be offline. Try again when connected."];
  return Object.entries(error.body).flatMap(([key, messages]) =>
    (Array.isArray(messages) ? messages : [messages]).map((m) => (key === "non_field_errors" || key === "detail" ? m : `${key.replace(/_/g, " ")}: ${m}`)));
}

export function showErrors(box, error) {
  fill(box, ...errorsOf(error).map((m) => h("p", { class: "error", text: m })));
}

// Each field's messages next to that field (aria-invalid, aria-describedby), the rest in ``box``; the
// first field in error takes the focus.
export function showFieldErrors(form, box, error) {
  form.querySelectorAll(".field-error").forEach((p) => p.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); });
  if (!(error instanceof ApiError)) { showErrors(box, error); return; }
  const rest = {};
  let first = null;
  for (const [key, messages] of Object.entries(error.body)) {
    const target = form.elements[key];
    const el = target instanceof RadioNodeList ? target[0] : target;
    if (!el || !el.id) { rest[key] = messages; continue; }
    const note = h("p", { class: "error field-error", id: `${el.id}-error`, text: (Array.isArray(messages) ? messages : [messages]).join(" ") });
    el.setAttribute("aria-invalid", "true");
    el.setAttribute("aria-describedby", note.id);
    el.after(note);
    first = first || el;
  }
  showErrors(box, new ApiError(error.status, rest));
  first?.focus();
}

export function toast(message, action) {
  const box = document.getElementById("toast");
  fill(box, h("span", { text: message }));
  if (action) box.append(h("button", { type: "button", onclick: () => { box.hidden = true; action.run(); } }, action.label));
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// A screen that loaded its data after the user had already moved on must not paint over the new one.
const known = new Set();
export function registerScreens(names) { names.forEach((name) => known.add(name)); }
export function isCurrent(name) {
  const shown = location.hash.replace(/^#\/?/, "").split("/")[0];
  return (known.has(shown) ? shown : "today") === name;
}

// A new screen opens at its top with the focus on its heading (a screen reader starts there too).
export function screen(title, ...content) {
  const heading = h("h2", { text: title, tabindex: "-1" });
  fill(main, heading, ...content);
  window.scrollTo(0, 0);
  heading.focus({ preventScroll: true });
}

