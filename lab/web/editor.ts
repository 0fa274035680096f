// CodeMirror 6 editors for cells: TypeScript or Markdown highlighting, completion through the
// kernel's complete_request, and an inspect tooltip through inspect_request.
import { autocompletion, completionKeymap, startCompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { markdown } from "@codemirror/lang-markdown";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState, Prec, StateEffect, StateField, type Extension } from "@codemirror/state";
import { EditorView, keymap, showTooltip, type KeyBinding, type Tooltip } from "@codemirror/view";

/** The notebook services a cell editor calls. */
export interface EditorHost {
  complete(code: string, cursor: number): Promise<{ matches: string[]; start: number; end: number } | undefined>;
  inspect(code: string, cursor: number): Promise<string | undefined>;
  /** Keys the notebook handles in edit mode (Shift+Enter, Ctrl+Enter, Esc, Ctrl+S). */
  keys: KeyBinding[];
  onChange(): void;
  onFocus(): void;
}

const setInspect = StateEffect.define<Tooltip | null>();

/** The inspect tooltip; any edit or cursor move closes it. */
const inspectField = StateField.define<Tooltip | null>({
  create: () => null,
  update(value, transaction) {
    for (const effect of transaction.effects) if (effect.is(setInspect)) return effect.value;
    return transaction.docChanged || transaction.selection ? null : value;
  },
  provide: (field) => showTooltip.from(field),
});

export function createEditor(parent: HTMLElement, text: string, language: "typescript" | "markdown", host: EditorHost): EditorView {
  const completionSource = async (context: CompletionContext): Promise<CompletionResult | null> => {
    if (!context.explicit && !context.matchBefore(/[\w$.]+$/)) return null;
    const reply = await host.complete(context.state.doc.toString(), context.pos);
    if (reply === undefined || reply.matches.length === 0) return null;
    return { from: reply.start, to: reply.end, options: reply.matches.map((label) => ({ label })), filter: false };
  };

  const tab = (view: EditorView): boolean => {
    const { head } = view.state.selection.main;
    const before = view.state.doc.sliceString(view.state.doc.lineAt(head).from, head);
    if (language === "markdown" || before.trim() === "" || !view.state.selection.main.empty) return indentMore(view);
    return startCompletion(view);
  };

  const shiftTab = (view: EditorView): boolean => {
    if (language === "markdown") return indentLess(view);
    const pos = view.state.selection.main.head;
    void host.inspect(view.state.doc.toString(), pos).then((text) => {
      if (text === undefined || text === "") return;
      const tooltip: Tooltip = {
        pos,
        above: false,
        create: () => {
          const dom = document.createElement("pre");
          dom.className = "inspect-tooltip";
          dom.textContent = text;
          return { dom };
        },
      };
      view.dispatch({ effects: setInspect.of(tooltip) });
    });
    return true;
  };

  const extensions: Extension[] = [
    Prec.highest(keymap.of([...host.keys, { key: "Tab", run: tab }, { key: "Shift-Tab", run: shiftTab }])),
    history(),
    indentOnInput(),
    bracketMatching(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    language === "typescript" ? javascript({ typescript: true }) : markdown(),
    autocompletion({ override: [completionSource], activateOnTyping: false, interactionDelay: 0 }),
    inspectField,
    keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
    EditorView.lineWrapping,
    EditorView.updateListener.of((update) => {
      if (update.docChanged) host.onChange();
      if (update.focusChanged && update.view.hasFocus) host.onFocus();
    }),
  ];
  return new EditorView({ state: EditorState.create({ doc: text, extensions }), parent });
}

/** Removes ANSI escape sequences from kernel text for plain tooltips. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}
