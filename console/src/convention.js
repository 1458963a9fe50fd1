// Names the handler convention a source follows, from its syntax tree (the
// editor's own JavaScript parser), in the order the sandbox's prelude picks an
// entry point (guest-sdk/js/prelude.js, `run`): an Action's `exports.onExecute…`,
// a handler's `exports.handler`, a hook's `module.exports = function`, a
// database script's named function, then a pipe or rule function. It is a
// hint for the editor; the sandbox decides when the function runs.

const ACTION = /^on(Execute|Continue)([A-Z]\w*)$/;
const SCRIPTS = ["login", "getUser", "getByEmail", "create", "verify", "changePassword", "changeEmail", "deleteUser", "remove"];

function text(state, node) {
  return state.doc.sliceString(node.from, node.to);
}

function params(state, fn) {
  const list = fn.getChild("ParamList");
  return list ? text(state, list) : "()";
}

/**
 * `state` is a CodeMirror EditorState with the JavaScript language; `tree`
 * its syntax tree. Answers `{name, detail}` or null when nothing matches.
 */
export function detectConvention(state, tree) {
  const top = tree.topNode;
  const assigned = [];
  const functions = [];
  let expressionFunction = null;
  let statements = 0;
  for (let node = top.firstChild; node; node = node.nextSibling) {
    if (node.type.isSkipped || node.name === "LineComment" || node.name === "BlockComment") continue;
    statements++;
    if (node.name === "FunctionDeclaration") {
      const name = node.getChild("VariableDefinition");
      // `function (user, context, callback) {…}`: a rule, which the sandbox
      // compiles as an expression; the parser reads a nameless declaration.
      if (name) functions.push({ name: text(state, name), node });
      else expressionFunction = node;
    } else if (node.name === "ExpressionStatement") {
      const expr = node.firstChild;
      if (!expr) continue;
      if (expr.name === "AssignmentExpression") {
        const target = expr.firstChild;
        const value = target && target.nextSibling && target.nextSibling.nextSibling;
        assigned.push({ target: text(state, target).replace(/\s+/g, ""), value });
      } else if (/^(FunctionExpression|ArrowFunction|ParenthesizedExpression)$/.test(expr.name)) {
        expressionFunction = expr.name === "ParenthesizedExpression" ? expr.firstChild?.nextSibling : expr;
      }
    }
  }
  for (const a of assigned) {
    const m = /^(?:module\.)?exports\.(\w+)$/.exec(a.target);
    if (m && ACTION.test(m[1])) {
      const trigger = ACTION.exec(m[1])[2].replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());
      return { name: "Auth0 Action", detail: `exports.${m[1]} (trigger ${trigger})` };
    }
  }
  for (const a of assigned) {
    if (/^(?:module\.)?exports\.handler$/.test(a.target)) {
      const p = a.value ? params(state, a.value) : "";
      return { name: "Handler (FunctionGraph)", detail: `exports.handler = ${a.value?.name === "ArrowFunction" ? p + " =>" : "function " + p}` };
    }
  }
  for (const a of assigned) {
    if (a.target === "module.exports" && a.value && /Function/.test(a.value.name)) {
      return { name: "Auth0 Hook", detail: `module.exports = function ${params(state, a.value)}` };
    }
  }
  const pipe = functions.find((f) => f.name === "pipe");
  if (pipe) return { name: "Authing pipe function", detail: `function pipe${params(state, pipe.node)}` };
  // One function alone is compiled as an expression and called as a rule,
  // whatever its name (a lone `function login(…)` too, in a scene).
  if (expressionFunction && statements === 1) {
    return { name: "Auth0 Rule", detail: `function ${params(state, expressionFunction)}` };
  }
  if (functions.length === 1 && statements === 1) {
    return { name: "Auth0 Rule", detail: `function ${functions[0].name}${params(state, functions[0].node)}` };
  }
  // Helpers beside a template's function: a connection's script; in a
  // scene the sandbox finds no entry point in it.
  const script = functions.find((f) => SCRIPTS.includes(f.name));
  if (script) {
    return {
      name: "Custom database script",
      detail: `function ${script.name}${params(state, script.node)} (runs in a database connection, not in a scene)`,
    };
  }
  return null;
}
