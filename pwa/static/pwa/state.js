// What the screens share: the signed-in profile, the advice on the dose just logged (shown once on
// Today), and the router's hooks (a screen re-renders or restarts the app without importing app.js).
export const state = {
  profile: null,
  lastDoseAdvice: null,
};

export const hooks = { route: null, start: null };

export function rerender() { return hooks.route(); }

// The user's local today, as the server last said it (the device's date until then).
export const today = () => state.profile?.today || new Date().toISOString().slice(0, 10);
