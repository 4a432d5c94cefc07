// #/import: bring a history from Cronometer (its "Food & Recipe Entries" export) or the CSV template.
// Upload → preview (what would be created, each refused line and why) → confirm → progress for a large
// file → done, with Undo. Imported days count like any other logged day.
import { api, upload } from "./api.js";
import { errorsOf, h, isCurrent, screen, showErrors, toast } from "./ui.js";
import { rerender } from "./state.js";

const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function previewCard(batch) {
  const p = batch.preview;
  const refused = p.refused || [];
  const nothing = !p.entries && !p.doses;
  return h("section", { class: "card", id: "import-preview", "aria-label": "Preview" },
    h("h3", { text: `${p.source} file: ${plural(p.rows_read, "row", "rows")} read` }),
    h("ul", { class: "facts" },
      p.first_date ? h("li", { text: `From ${p.first_date} to ${p.last_date} (${plural(p.days, "day", "days")})` }) : null,
      h("li", { text: `To create: ${plural(p.entries, "food entry", "food entries")} and ${plural(p.doses, "supplement dose", "supplement doses")}, ${Math.round(Number(p.magnesium_mg))} mg of magnesium in all` }),
      p.to_review ? h("li", { text: `${plural(p.to_review, "entry looks", "entries look")} like a magnesium supplement of a form not recognised: imported as food, marked "review"` }) : null,
      p.weight_unknown ? h("li", { text: `${plural(p.weight_unknown, "amount is", "amounts are")} not a weight (a cup, a serving): kept as written, with the file's magnesium` }) : null,
      p.already_imported ? h("li", { text: `${plural(p.already_imported, "row was", "rows were")} imported before: skipped` }) : null,
      refused.length ? h("li", { text: `${plural(p.refused_count, "line", "lines")} refused:` }) : null),
    refused.length ? h("ul", { class: "refused", "aria-label": "Refused lines" }, ...refused.slice(0, 20).map((r) => h("li", { text: `Line ${r.line}: ${r.reason}` })),
      p.refused_count > 20 ? h("li", { text: `and ${p.refused_count - 20} more` }) : null) : null,
    nothing ? h("p", { class: "hint", text: "Nothing new to import." }) : h("button", { type: "button", id: "confirm-import", onclick: () => confirmImport(batch) },
      `Import ${plural(p.entries + p.doses, "entry", "entries")}`));
}

async function confirmImport(batch) {
  try {
    let result = await api(`imports/${batch.id}/confirm/`, { method: "POST" });
    const box = document.getElementById("import-preview");
    while (["queued", "running"].includes(result.status) && isCurrent("import")) {
      if (box) box.replaceChildren(h("h3", { text: "Importing…" }), h("progress", { max: batch.preview.rows_read, value: result.progress, "aria-label": "Rows imported" }),
        h("p", { class: "hint", text: `${result.progress.toLocaleString()} of ${batch.preview.rows_read.toLocaleString()} rows` }));
      await new Promise((resolve) => { setTimeout(resolve, 1000); });
      result = await api(`imports/${batch.id}/`);
    }
    toast(result.status === "done" ? `Imported: ${plural(result.created.entries, "food entry", "food entries")}, ${plural(result.created.doses, "dose", "doses")}.` : `Import ${result.status}: ${result.error}`);
    rerender();
  } catch (error) { toast(errorsOf(error).join(" ")); }
}

function pastImports(list) {
  if (!list.length) return null;
  return h("section", { class: "card", "aria-label": "Your imports" }, h("h3", { text: "Your imports" }),
    h("ul", { class: "entries" }, ...list.map((b) => h("li", {},
      h("span", { class: "what" }, h("strong", { text: b.filename || `${b.source} file` }), h("br"),
        h("small", { text: `${b.created_at.slice(0, 10)} · ${b.status === "done" ? `${plural(b.created.entries || 0, "entry", "entries")}, ${plural(b.created.doses || 0, "dose", "doses")}` : b.status}` })),
      b.status === "done" ? h("button", { type: "button", class: "small secondary", "aria-label": `Undo the import of ${b.filename || b.source}`, onclick: async () => {
        await api(`imports/${b.id}/`, { method: "DELETE" });
        toast("Import undone: its entries are deleted.");
        rerender();
      } }, "Undo") : null))));
}

export async function importScreen() {
  const list = await api("imports/?page_size=20");
  if (!isCurrent("import")) return;
  const errors = h("div");
  const result = h("div");
  const file = h("input", { type: "file", name: "file", accept: ".csv,text/csv", required: true, "aria-label": "Export file (CSV)" });
  const form = h("form", { class: "card", "aria-label": "Upload" },
    h("p", { text: "Cronometer: on cronometer.com, More → Account → Export Data → “Food & Recipe Entries”, pick the range, and upload that CSV file here." }),
    h("p", {}, "Any other app or a spreadsheet: fill in ", h("a", { href: "/api/v1/imports/template/", download: true }, "the CSV template"),
      " (date, time, meal, food, amount, unit, magnesium_mg)."),
    h("p", { class: "hint", text: "MyFitnessPal's exports carry no magnesium, so they cannot be imported." }),
    file, errors, h("button", { type: "submit" }, "Read the file"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData();
    data.append("file", file.files[0]);
    try {
      const batch = await upload("imports/", data);
      result.replaceChildren(previewCard(batch));
      errors.replaceChildren();
    } catch (error) { showErrors(errors, error); }
  });
  screen("Bring your history", form, result, pastImports(list.results));
}
