// The desk's editor: CodeMirror 6 with line numbers, undo, search and Markdown.
import {EditorView, basicSetup} from "codemirror";
import {EditorState} from "@codemirror/state";
import {markdown} from "@codemirror/lang-markdown";
import {keymap} from "@codemirror/view";
import {indentWithTab} from "@codemirror/commands";
import {openSearchPanel} from "@codemirror/search";

const swedish = EditorState.phrases.of({
  "Find": "Sök", "Replace": "Ersätt", "next": "nästa", "previous": "föregående", "all": "alla",
  "match case": "skiftläge", "by word": "hela ord", "regexp": "reguljärt uttryck", "replace": "ersätt",
  "replace all": "ersätt alla", "close": "stäng", "Go to line": "Gå till rad", "go": "gå",
  "Folded lines": "Hopvikta rader", "Unfolded lines": "Utvikta rader", "to": "till",
  "folded code": "hopvikt kod", "unfold": "vik ut", "Fold line": "Vik rad", "Unfold line": "Vik ut rad",
  "Control character": "Styrtecken", "current match": "aktuell träff", "on line": "på rad",
  "replaced match on line $": "ersatte träffen på rad $", "replaced $ matches": "ersatte $ träffar",
  "Selection deleted": "Markeringen borttagen",
});

export function createEditor(parent, doc, options = {}) {
  const listeners = [];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        markdown(),
        swedish,
        keymap.of([indentWithTab]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({"aria-label": options.label || "Rapportens text", "lang": "sv", "tabindex": "0"}),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) for (const listener of listeners) listener(view.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    onChange(listener) { listeners.push(listener); },
    text() { return view.state.doc.toString(); },
    setText(text) {
      view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
    },
    goToLine(number) {
      const line = view.state.doc.line(Math.max(1, Math.min(number, view.state.doc.lines)));
      view.dispatch({selection: {anchor: line.from}, scrollIntoView: true});
      view.focus();
    },
    insert(text) {
      const range = view.state.selection.main;
      const line = view.state.doc.lineAt(range.from);
      // a block starts on a line of its own
      const before = line.from === range.from || range.from === line.to && line.length === 0 ? "" : "\n";
      const insertAt = before ? line.to : range.from;
      const insert = (before ? "\n\n" : "") + text;
      view.dispatch({changes: {from: insertAt, insert}, selection: {anchor: insertAt + insert.length}, scrollIntoView: true});
      view.focus();
    },
    cursorLine() { return view.state.doc.lineAt(view.state.selection.main.head).number; },
    search() { openSearchPanel(view); },
    focus() { view.focus(); },
  };
}
