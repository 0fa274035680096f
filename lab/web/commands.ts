// Jupyter's keyboard model. Command mode (no editor focused): Enter edits, A/B insert above or
// below, D D deletes, M/Y make Markdown or code, Up/Down or K/J move, Shift+Enter runs and
// moves on, Ctrl+Enter runs, Ctrl+S saves. Edit mode: Esc leaves, and the run and save keys work.
import { closeCompletion, completionStatus } from "@codemirror/autocomplete";
import type { KeyBinding } from "@codemirror/view";
import type { CellView } from "./cell.js";
import type { NotebookView } from "./notebook.js";

export function editKeys(notebook: NotebookView, cell: () => CellView): KeyBinding[] {
  return [
    { key: "Shift-Enter", run: () => (void notebook.runAndAdvance(), true) },
    {
      key: "Mod-Enter",
      run: () => {
        notebook.commandMode();
        void notebook.run(cell());
        return true;
      },
    },
    {
      key: "Escape",
      run: (view) => {
        if (completionStatus(view.state) !== null) return closeCompletion(view);
        notebook.commandMode();
        return true;
      },
    },
    { key: "Mod-s", run: () => (void notebook.save(), true), preventDefault: true },
  ];
}

let lastKey = "";

export function commandKeys(notebook: NotebookView, event: KeyboardEvent): void {
  if (event.target !== notebook.cellsElement) return;
  const key = event.key;
  const mod = event.ctrlKey || event.metaKey;
  const previous = lastKey;
  lastKey = key;
  const cell = notebook.activeCell();
  let handled = true;
  if (key === "Enter" && event.shiftKey) void notebook.runAndAdvance();
  else if (key === "Enter" && mod) {
    if (cell !== undefined) void notebook.run(cell);
  } else if (key === "s" && mod) void notebook.save();
  else if (mod || event.altKey) handled = false;
  else if (key === "Enter") cell?.edit();
  else if (key === "a") notebook.insertCell(notebook.active);
  else if (key === "b") notebook.insertCell(notebook.active + 1);
  else if (key === "d" && previous === "d") {
    notebook.deleteCell(notebook.active);
    lastKey = "";
  } else if (key === "m") notebook.changeType(notebook.active, "markdown");
  else if (key === "y") notebook.changeType(notebook.active, "code");
  else if (key === "ArrowUp" || key === "k") notebook.select(notebook.active - 1);
  else if (key === "ArrowDown" || key === "j") notebook.select(notebook.active + 1);
  else handled = key === "d";
  if (handled) event.preventDefault();
}
