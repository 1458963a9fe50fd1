// The editor's convention names, under Node, for each convention the sandbox's
// prelude knows, including the cases where its order decides (an Action that
// also declares a helper function, a script that defines `pipe` beside others).
//
//     node console/test/convention.test.mjs    (make console-test runs it)
import { EditorState } from "@codemirror/state";
import { javascript } from "@codemirror/lang-javascript";
import { ensureSyntaxTree } from "@codemirror/language";
import { detectConvention } from "../src/convention.js";

const cases = [
  ["async function pipe(user, context, callback) { callback(null, user, context) }", "Authing pipe function", "function pipe(user, context, callback)"],
  ["function pipe(context, callback) {}", "Authing pipe function", "function pipe(context, callback)"],
  ["function (user, context, callback) {\n  callback(null, user, context);\n}", "Auth0 Rule", "function (user, context, callback)"],
  ["function addClaims(user, context, callback) { callback(null, user, context) }", "Auth0 Rule", "function addClaims(user, context, callback)"],
  ["module.exports = function (user, context, cb) { cb(null, { user }) };", "Auth0 Hook", "module.exports = function (user, context, cb)"],
  ["exports.onExecutePostLogin = async (event, api) => {};", "Auth0 Action", "exports.onExecutePostLogin (trigger post-login)"],
  [
    "const helper = () => 1;\nfunction unused() {}\nexports.onExecutePreUserRegistration = async (event, api) => {};",
    "Auth0 Action",
    "exports.onExecutePreUserRegistration (trigger pre-user-registration)",
  ],
  ["exports.onContinuePostLogin = async (event, api) => {};", "Auth0 Action", "exports.onContinuePostLogin (trigger post-login)"],
  ["exports.handler = async (event, context) => ({ ok: true });", "Handler (FunctionGraph)", "exports.handler = (event, context) =>"],
  ["module.exports.handler = function (event, context, callback) {};", "Handler (FunctionGraph)", "exports.handler = function (event, context, callback)"],
  ["function login(email, password, callback) { callback(null, null) }", "Auth0 Rule", "function login(email, password, callback)"],
  [
    "const x = 1;\nfunction getByEmail(email, callback) {}\nfunction helper() {}",
    "Custom database script",
    "function getByEmail(email, callback) (runs in a database connection, not in a scene)",
  ],
  ["const a = 1;\nconsole.log(a);", null, null],
  ["", null, null],
];

let failed = 0;
for (const [source, name, detail] of cases) {
  const state = EditorState.create({ doc: source, extensions: [javascript()] });
  const tree = ensureSyntaxTree(state, state.doc.length, 5000);
  const got = detectConvention(state, tree);
  const ok = name === null ? got === null : got && got.name === name && got.detail === detail;
  if (!ok) failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${JSON.stringify(source.slice(0, 60))} -> ${JSON.stringify(got)}`);
}
console.log(`${cases.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
