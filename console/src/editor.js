// The code editor (CodeMirror 6): JavaScript highlighting, the server's
// compiler as the linter (an error is marked at the line and column the
// compiler names, before anything is saved), and the convention the source
// follows. Also a read-only diff of two versions, and small JSON editors.

import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { syntaxTree, ensureSyntaxTree } from "@codemirror/language";
import { MergeView } from "@codemirror/merge";
import { call } from "./api.js";
import { detectConvention } from "./convention.js";

// CodeMirror styles itself with one <style> element; the page's policy lets
// it in by the nonce the server put in the page for this load.
const nonce = document.querySelector('meta[name="hookbox-csp-nonce"]')?.content || "";
const csp = EditorView.cspNonce.of(nonce);

/** Position of 1-based `line`:`column` in `doc`, clamped into it. */
function offset(doc, line, column) {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

/**
 * Mounts a JavaScript editor in `parent`. `onChange(source)` on each edit;
 * `onCheck({status, message?, line?, column?})` after each compile check;
 * `onConvention(c)` with detectConvention's answer.
 */
export function codeEditor(parent, source, { onChange, onCheck, onConvention }) {
  const compileLint = linter(
    async (view) => {
      const sourceCode = view.state.doc.toString();
      let check;
      try {
        check = await call("POST", "/v1/compile", { sourceCode });
      } catch (e) {
        check = { status: "unchecked", message: e.message };
      }
      if (view.state.doc.toString() !== sourceCode) return [];
      onCheck && onCheck(check);
      if (check.status !== "failed") return [];
      const from = offset(view.state.doc, check.line, check.column);
      return [
        {
          from,
          to: Math.min(from + 1, view.state.doc.lineAt(from).to),
          severity: "error",
          source: "compiler",
          message: `${check.message} (line ${check.line}, column ${check.column})`,
        },
      ];
    },
    { delay: 400 },
  );
  const report = (state) => {
    const tree = ensureSyntaxTree(state, state.doc.length, 200) || syntaxTree(state);
    onConvention && onConvention(detectConvention(state, tree));
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: source,
      extensions: [
        csp,
        basicSetup,
        javascript(),
        lintGutter(),
        compileLint,
        EditorView.updateListener.of((u) => {
          if (!u.docChanged) return;
          onChange && onChange(u.state.doc.toString());
          report(u.state);
        }),
        EditorView.contentAttributes.of({ "aria-label": "function source" }),
      ],
    }),
  });
  report(view.state);
  forceLinting(view);
  return view;
}

/** Replaces an editor's whole text (a version loaded, a draft discarded). */
export function setSource(view, source) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: source } });
}

/** A small editor for a JSON value (the test's user, context, event). */
export function jsonEditor(parent, text, label, onChange) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        csp,
        basicSetup,
        json(),
        EditorView.contentAttributes.of({ "aria-label": label }),
        EditorView.updateListener.of((u) => u.docChanged && onChange && onChange(u.state.doc.toString())),
      ],
    }),
  });
}

/** A side-by-side, read-only diff of `older` (a) and `newer` (b). */
export function diffView(parent, older, newer) {
  const readOnly = [csp, basicSetup, javascript(), EditorState.readOnly.of(true), EditorView.editable.of(false)];
  return new MergeView({
    parent,
    a: { doc: older, extensions: readOnly },
    b: { doc: newer, extensions: readOnly },
    collapseUnchanged: { margin: 3, minSize: 6 },
    gutter: true,
  });
}
