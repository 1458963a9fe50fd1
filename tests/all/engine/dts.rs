//! `guest-sdk/js/hookbox.d.ts` lists exactly what a function finds (issue 13):
//! every Node built-in `require` serves, every global, and the members of
//! each, as the engine has them. The d.ts is read with the conventions its
//! "Node's surface" section states (interfaces delimited by `interface … {`
//! and `}`, one member a line at two spaces, `@surface EXPR` tags, `require`
//! overloads, `declare` lines for globals); one function then evaluates every
//! surface in the engine and the names are compared, per interface.

use crate::common::*;
use hookbox_engine::{Input, Limits, OutcomeKind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// ECMAScript's own globals as QuickJS has them (ES2025 and Annex B, plus
/// QuickJS's `InternalError`). The d.ts leaves these to TypeScript's `lib`;
/// every other name on `globalThis` must be declared in it.
const ECMASCRIPT_GLOBALS: &[&str] = &[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "AsyncDisposableStack",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Boolean",
    "DataView",
    "Date",
    "DisposableStack",
    "Error",
    "EvalError",
    "Float16Array",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "InternalError",
    "Intl",
    "Iterator",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "Number",
    "Object",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Set",
    "SharedArrayBuffer",
    "String",
    "SuppressedError",
    "Symbol",
    "SyntaxError",
    "TypeError",
    "URIError",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakSet",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "eval",
    "globalThis",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
    "undefined",
    "unescape",
];

/// Declared in the d.ts but a function's parameters (CommonJS wrapper), not globals.
const WRAPPER_PARAMETERS: &[&str] = &["module", "exports"];

/// One `interface` of the d.ts.
#[derive(Default)]
struct Interface {
    extends: Vec<String>,
    members: BTreeSet<String>,
    /// The `@surface` expression of its doc comment.
    surface: Option<String>,
}

/// What the d.ts declares.
struct Declared {
    interfaces: BTreeMap<String, Interface>,
    /// `require` overloads: module name -> interface name.
    modules: BTreeMap<String, String>,
    globals: BTreeSet<String>,
}

impl Declared {
    /// An interface's members with those of the interfaces it extends.
    fn members(&self, name: &str) -> BTreeSet<String> {
        let Some(i) = self.interfaces.get(name) else {
            panic!("hookbox.d.ts has no interface {name}");
        };
        let mut out = i.members.clone();
        for parent in &i.extends {
            if self.interfaces.contains_key(parent) {
                out.extend(self.members(parent));
            }
        }
        out
    }
}

/// The member a line of an interface's body declares: two spaces, then
/// `readonly `?, a name (identifier or `"quoted"`), then `?`, `(`, `<` or `:`.
fn member(line: &str) -> Option<String> {
    let rest = line.strip_prefix("  ")?;
    let rest = rest.strip_prefix("readonly ").unwrap_or(rest);
    let (name, after) = if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        (&rest[..end], &rest[end..])
    };
    let declares = !name.is_empty() && name != "new" && after.starts_with(['?', '(', '<', ':']);
    declares.then(|| name.to_string())
}

fn parse_dts(text: &str) -> Declared {
    let mut declared = Declared {
        interfaces: BTreeMap::new(),
        modules: BTreeMap::new(),
        globals: BTreeSet::new(),
    };
    let mut surface: Option<String> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(at) = line.find("@surface ") {
            let expr = line[at + "@surface ".len()..].trim();
            surface = Some(expr.trim_end_matches("*/").trim().to_string());
        } else if let Some(head) = line.strip_prefix("interface ") {
            let head = head.trim_end_matches('{').trim();
            let (name, extends) = match head.split_once(" extends ") {
                Some((n, e)) => (n, e),
                None => (head, ""),
            };
            let name = name.split('<').next().unwrap().trim().to_string();
            let extends = extends
                .split(',')
                .map(|e| e.split('<').next().unwrap().trim().to_string())
                .filter(|e| !e.is_empty())
                .collect();
            let mut interface = Interface {
                extends,
                surface: surface.take(),
                ..Interface::default()
            };
            for body in lines.by_ref() {
                if body == "}" {
                    break;
                }
                interface.members.extend(member(body));
            }
            declared.interfaces.insert(name, interface);
        } else if let Some(rest) = line.strip_prefix("declare function require(name: ") {
            let (names, ty) = rest.split_once("): ").expect("require(name: …): Type;");
            let ty = ty.trim_end_matches(';').trim();
            for quoted in names.split('|').map(str::trim) {
                if let Some(name) = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                    declared.modules.insert(name.to_string(), ty.to_string());
                }
            }
            declared.globals.insert("require".into());
        } else if let Some(rest) = [
            "declare const ",
            "declare var ",
            "declare let ",
            "declare function ",
            "declare class ",
        ]
        .iter()
        .find_map(|p| line.strip_prefix(p))
        {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            declared.globals.insert(rest[..end].to_string());
        } else if !line.starts_with(' ') && !line.starts_with("/**") && !line.is_empty() {
            // A tag belongs to the interface its doc comment precedes.
            surface = None;
        }
    }
    declared
}

/// The function that measures: for each (label, expression) the member names
/// of its value, or why it threw; each catalogue built-in's require outcome;
/// globalThis's names. Members follow the d.ts's definition.
const PROBE: &str = r#"
const INTRINSIC = new Set([Object.prototype, Function.prototype, Array.prototype, Error.prototype, Error,
  Uint8Array, Uint8Array.prototype, Object.getPrototypeOf(Uint8Array), Object.getPrototypeOf(Uint8Array.prototype)]);
function members(v) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return "not an object: " + String(v);
  const out = new Set();
  for (let o = v; o !== null && !INTRINSIC.has(o); o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) if (!/^[0-9]+$/.test(k)) out.add(k);
  }
  if (typeof v === "function") for (const k of ["length", "name", "prototype", "arguments", "caller"]) out.delete(k);
  out.delete("constructor");
  return [...out];
}
exports.handler = async () => {
  const surfaces = {};
  for (const [label, get] of SURFACES) {
    try { surfaces[label] = members(await get()); } catch (e) { surfaces[label] = "threw " + e; }
  }
  const builtins = {};
  for (const name of BUILTINS) {
    try { require(name); builtins[name] = "served"; } catch (e) { builtins[name] = String(e.code); }
  }
  return { surfaces, builtins, globals: Object.getOwnPropertyNames(globalThis) };
};
"#;

#[tokio::test]
async fn hookbox_d_ts_declares_exactly_the_surface_functions_get() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dts = std::fs::read_to_string(format!("{root}/guest-sdk/js/hookbox.d.ts")).unwrap();
    let catalogue: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/guest-sdk/js/catalogue.json")).unwrap(),
    )
    .unwrap();
    let builtins: Vec<String> = serde_json::from_value(catalogue["builtins"].clone()).unwrap();
    let declared = parse_dts(&dts);

    // label -> (JavaScript expression, interface)
    let mut surfaces: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (module, ty) in &declared.modules {
        let expr = format!("require({})", serde_json::to_string(module).unwrap());
        surfaces.insert(expr.clone(), (expr, ty.clone()));
    }
    for (name, i) in &declared.interfaces {
        if let Some(expr) = &i.surface {
            surfaces.insert(format!("{expr} ({name})"), (expr.clone(), name.clone()));
        }
    }
    assert!(
        declared.modules.len() >= 20 && surfaces.len() >= 60,
        "the d.ts parsed to {} modules and {} surfaces: has its layout changed?",
        declared.modules.len(),
        surfaces.len()
    );

    let list: Vec<String> = surfaces
        .iter()
        .map(|(label, (expr, _))| {
            format!(
                "[{}, () => ({expr})]",
                serde_json::to_string(label).unwrap()
            )
        })
        .collect();
    let source = format!(
        "const SURFACES = [{}];\nconst BUILTINS = {};\n{PROBE}",
        list.join(",\n"),
        serde_json::to_string(&builtins).unwrap()
    );
    let mut limits = Limits::default();
    limits.timeout(Duration::from_secs(60)).unwrap();
    limits.fuel(200_000_000_000).unwrap();
    let out = run_with(&source, &Input::default(), &limits).await;
    assert_eq!(out.outcome, OutcomeKind::Ok, "{out:?}");

    let mut wrong = Vec::new();
    for (label, (_, ty)) in &surfaces {
        let want = declared.members(ty);
        match &out.result["surfaces"][label] {
            Value::Array(names) => {
                let got: BTreeSet<String> = names
                    .iter()
                    .map(|n| n.as_str().unwrap().to_string())
                    .collect();
                let undeclared: Vec<_> = got.difference(&want).collect();
                let absent: Vec<_> = want.difference(&got).collect();
                if !undeclared.is_empty() || !absent.is_empty() {
                    wrong.push(format!(
                        "{label} as {ty}: has, undeclared {undeclared:?}; declared, absent {absent:?}"
                    ));
                }
            }
            other => wrong.push(format!("{label}: {other}")),
        }
    }
    for name in &builtins {
        let outcome = out.result["builtins"][name].as_str().unwrap_or("?");
        match (declared.modules.contains_key(name), outcome) {
            (true, "served") => {}
            (false, "MODULE_NOT_FOUND") if dts.contains(&format!("`{name}`")) => {}
            (false, "MODULE_NOT_FOUND") => wrong.push(format!(
                "built-in {name} is refused: list it among the refused"
            )),
            (false, "served") => {
                wrong.push(format!("built-in {name} is served: declare its require"))
            }
            (true, other) => wrong.push(format!(
                "built-in {name} is declared but require answers {other}"
            )),
            (false, other) => wrong.push(format!("built-in {name}: require answers {other}")),
        }
    }
    // The server accepts a dependency on exactly these built-ins and refuses
    // one on the others (catalogue.json's `provided`).
    let provided: BTreeSet<String> = serde_json::from_value(catalogue["provided"].clone()).unwrap();
    let served: BTreeSet<String> = builtins
        .iter()
        .filter(|name| out.result["builtins"][name.as_str()] == "served")
        .cloned()
        .collect();
    if provided != served {
        wrong.push(format!(
            "catalogue.json's provided built-ins {provided:?} are not those require serves {served:?}"
        ));
    }
    let got: BTreeSet<&str> = out.result["globals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .filter(|g| !ECMASCRIPT_GLOBALS.contains(g))
        .collect();
    let want: BTreeSet<&str> = declared
        .globals
        .iter()
        .map(String::as_str)
        .filter(|g| !WRAPPER_PARAMETERS.contains(g))
        .collect();
    let undeclared: Vec<_> = got.difference(&want).collect();
    let absent: Vec<_> = want.difference(&got).collect();
    if !undeclared.is_empty() || !absent.is_empty() {
        wrong.push(format!(
            "globals: has, undeclared {undeclared:?}; declared, absent {absent:?}"
        ));
    }
    assert!(
        wrong.is_empty(),
        "hookbox.d.ts differs from the engine:\n{}",
        wrong.join("\n")
    );
}
