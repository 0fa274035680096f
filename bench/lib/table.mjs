// Result tables that benchmark files return to bench/run.mjs, and their Markdown form.

/**
 * @typedef {object} Table
 * @property {string} title  heading printed above the table
 * @property {string[]} columns  column headers
 * @property {Array<Array<string | number>>} rows  one array of cells per row, in column order
 * @property {string[]} [notes]  lines printed under the table (method, versions, caveats)
 */

/** Formats a Table as a Markdown section: a level-2 heading, the table and its notes. */
export function formatTable(table) {
  const lines = [`## ${table.title}`, ""];
  lines.push(`| ${table.columns.join(" | ")} |`);
  lines.push(`|${table.columns.map(() => "---:").join("|")}|`);
  for (const row of table.rows) lines.push(`| ${row.map(String).join(" | ")} |`);
  if (table.notes && table.notes.length > 0) {
    lines.push("");
    for (const note of table.notes) lines.push(note);
  }
  return lines.join("\n") + "\n";
}

/** Formats a number with `digits` decimals, or "n/a" when it is missing or not finite. */
export function fixed(value, digits = 2) {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}
