// The phone app: hash-routed screens over the REST API. No framework, no build step. This module only
// routes and starts; each screen lives in its own module, the shared pieces in api.js (requests and
// the offline outbox), ui.js (DOM and forms), state.js (the profile) and guidance.js.
import { api, ApiError, flush, onOutboxChange, onSynced, setOwner } from "./api.js";
import { answerScreen } from "./answer.js";
import { importScreen } from "./imports.js";
import { shareScreen } from "./share.js";
import { logScreen, warmQuickFoods } from "./food.js";
import { healthScreen } from "./health.js";
import { insightsScreen } from "./insights.js";
import { authScreen, setupScreen } from "./profile.js";
import { remindersScreen } from "./reminders.js";
import { moreScreen, settingsScreen } from "./settings.js";
import { hooks, state } from "./state.js";
import { supplementScreen } from "./supplement.js";
import { symptomsScreen } from "./symptoms.js";
import { todayScreen } from "./today.js";
import { h, nav, registerScreens, screen, toast } from "./ui.js";
import { monthScreen, trendScreen, weekScreen } from "./week.js";

const SCREENS = {
  today: todayScreen, log: logScreen, supplement: supplementScreen, symptoms: symptomsScreen, week: weekScreen, more: moreScreen,
  month: monthScreen, trend: trendScreen,
  insights: insightsScreen, health: healthScreen, reminders: remindersScreen, settings: settingsScreen, setup: setupScreen,
  answer: answerScreen, import: importScreen, share: shareScreen,
};
const UNDER_MORE = new Set(["insights", "health", "reminders", "settings", "answer", "import", "share"]);
registerScreens(Object.keys(SCREENS));

async function route() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  if (name === "login" || name === "register") return authScreen(name);
  if (!state.profile) return start(location.hash);
  const show = SCREENS[name] || todayScreen;
  nav.hidden = name === "setup";
  const tab = UNDER_MORE.has(name) ? "more" : ["month", "trend"].includes(name) ? "week" : SCREENS[name] ? name : "today";
  nav.querySelectorAll("a").forEach((a) => (a.dataset.screen === tab ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current")));
  try {
    await show(arg);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) { state.profile = null; location.hash = "#/login"; return; }
    screen("Not available offline", h("p", { text: "This screen has not been opened online yet, so there is no copy to show." }));
  }
}

async function start(target) {
  // auth/session/ answers 200 before sign-in too: no 401 in the console on every first visit
  const session = await api("auth/session/").catch(() => ({ authenticated: false, profile: null }));
  state.profile = session.profile;
  if (!session.authenticated) {
    if (location.hash !== "#/register") location.hash = "#/login";
    return authScreen(location.hash === "#/register" ? "register" : "login");
  }
  setOwner(state.profile.username);
  flush();
  // kept for offline: the supplement forms and the profile, so that logging a dose works offline even
  // if that screen was never opened online
  if (navigator.onLine) Promise.all([api("supplement-forms/"), api("profile/")]).catch(() => {});
  const next = !state.profile.birth_date || !state.profile.sex ? "#/setup" : (target && !/^#\/(login|register)?$/.test(target) ? target : "#/today");
  if (location.hash !== next) location.hash = next; else route();
}
hooks.route = route;
hooks.start = start;

function showSync(items) {
  const box = document.getElementById("sync-status");
  box.hidden = !items.length;
  box.textContent = items.length ? `${items.length} ${items.length === 1 ? "entry" : "entries"} waiting to sync` : "";
}

function showOnline() { document.getElementById("offline").hidden = navigator.onLine; }

onOutboxChange((items) => {
  showSync(items);
  if (!items.length && state.profile && location.hash.startsWith("#/today")) route();
});
// Said only when a sync stored or refused something (not when the outbox empties for another reason).
onSynced(({ sent, rejected }) => {
  const parts = [];
  if (sent) parts.push(`Synced: ${sent} ${sent === 1 ? "entry" : "entries"} sent.`);
  if (rejected.length) parts.push(`Not stored: ${rejected.map((r) => `${r.label} (${r.message})`).join("; ")}.`);
  toast(parts.join(" "));
  if (sent) warmQuickFoods();
});
window.addEventListener("hashchange", route);
// answers given from notifications while offline wait in the service worker: a chance to send them
const flushAnswers = () => navigator.serviceWorker?.controller?.postMessage({ type: "flush-answers" });
window.addEventListener("online", () => { showOnline(); flush(); flushAnswers(); });
window.addEventListener("offline", showOnline);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "flush") flush();
    if (event.data?.type === "notification-shown") document.body.dataset.lastNotification = event.data.title;
    if (event.data?.type === "answered" && /^#\/(today|reminders|answer)/.test(location.hash)) route();
  });
  navigator.serviceWorker.ready.then(flushAnswers);
}
showOnline();
start(location.hash);
