import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput, HighlightStyle } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { yaml } from '@codemirror/lang-yaml';

/**
 * The rule editor's code editor (CodeMirror 6, YAML): loaded by dynamic import only when the
 * rules page opens, so people who never edit rules never download it.
 */
export interface CodeEditor {
  setText(text: string): void;
  /** The engine's problems as marks in the text (line and column are 1-based). */
  setIssues(issues: { line: number; column: number; message: string }[]): void;
  goTo(line: number, column: number): void;
  destroy(): void;
}

/** Colours that keep 4.5:1 contrast on the dark theme's card background (the default style is for light ones). */
const darkHighlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.bool, tags.null], color: '#c4b5fd' },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: '#93c5fd' },
  { tag: [tags.string, tags.special(tags.string)], color: '#86efac' },
  { tag: [tags.number], color: '#fcd34d' },
  { tag: [tags.comment, tags.lineComment], color: '#cbd5e1', fontStyle: 'italic' },
  { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace], color: '#e5e7eb' },
  { tag: [tags.meta, tags.labelName, tags.typeName, tags.atom], color: '#fda4af' },
]);

export function createEditor(parent: HTMLElement, label: string, onChange: (text: string) => void, dark = false): CodeEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        syntaxHighlighting(dark ? darkHighlight : defaultHighlightStyle),
        EditorView.theme({ '.cm-activeLine': { backgroundColor: dark ? '#273449' : '#eef2ff' }, '.cm-gutters': { backgroundColor: 'transparent', color: 'inherit' } }, { dark }),
        yaml(),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        // Wrapped lines and a page-length editor: no inner scroll region that a keyboard could not reach.
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  const offset = (line: number, column: number): number => {
    const doc = view.state.doc;
    const l = doc.line(Math.min(Math.max(1, line), doc.lines));
    return Math.min(l.from + Math.max(0, column - 1), l.to);
  };
  return {
    setText(text) {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setIssues(issues) {
      const diagnostics: Diagnostic[] = issues.map((i) => {
        const from = offset(i.line, i.column);
        return { from, to: Math.min(from + 1, view.state.doc.length), severity: 'error', message: i.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    goTo(line, column) {
      const at = offset(line, column);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}
