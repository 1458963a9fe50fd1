// Node 20's `util.inspect`, `util.format` and `util.formatWithOptions` for
// hookbox guests, so that `console.log` of an object reads as it would in
// Node. This is Node v20.20.2's lib/internal/util/inspect.js (MIT, Node.js
// contributors; the licence is in guest-sdk/npm/THIRD_PARTY.md), kept as
// Node has it below the line "Node v20.20.2 lib/internal/util/inspect.js",
// with "hookbox:" comments where it had to change. Above that line, the
// `primordials` and internal bindings it reads are rebuilt from what
// JavaScript can see, the way node-inspect-extracted (MIT) does for
// browsers; below the inspector, Node's `[util.inspect.custom]` methods of
// `URL`, `URLSearchParams` and `Buffer` (lib/internal/url.js, lib/buffer.js).
//
// What QuickJS cannot show from JavaScript, hookbox prints as unknown rather
// than guess: a promise's state (`Promise { <unknown> }`), the entries of a
// `WeakMap`/`WeakSet` even with `showHidden` and of a `Map`/`Set` iterator
// (`<items unknown>`); a `Proxy` is inspected through its traps (Node shows
// its target). QuickJS compiles a function without its source, so a class is
// told by its read-only `prototype`; a QuickJS stack holds only the frames, so
// an error's first line is built from its `name` and `message` as V8 would.
//
// This script evaluates to a factory:
//   (function (options) { ...; return { inspect, format, formatWithOptions,
//                                        stripVTControlCharacters, bufferInspect,
//                                        formatArgs }; })
// formatArgs(args) is format(...args) for an array (console.log's line).
// options = { URL, URLSearchParams, bufferModule, stackFrames }, all optional,
// read when used (so they may be set after the factory ran):
// - URL, URLSearchParams: the classes whose instances print as Node's do;
// - bufferModule: npm `buffer`'s exports (`INSPECT_MAX_BYTES`), for
//   `bufferInspect`, Node's `Buffer.prototype[util.inspect.custom]`;
// - stackFrames(stack): the QuickJS frames of an error's `stack` to print
//   (each "    at …"), or "" for none.
(function (options) {
  "use strict";

  // ------------------------------------------------------------ primordials
  // Every built-in the inspector uses, captured when this factory runs (at
  // snapshot time), so a script that replaces Array.prototype.join or
  // Map.prototype.get does not change what console.log prints.

  const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);
  const getter = (proto, name) => uncurryThis(Object.getOwnPropertyDescriptor(proto, name).get);
  const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);

  const ArrayIsArray = Array.isArray;
  const ArrayPrototypeFilter = uncurryThis(Array.prototype.filter);
  const ArrayPrototypeForEach = uncurryThis(Array.prototype.forEach);
  const ArrayPrototypeIncludes = uncurryThis(Array.prototype.includes);
  const ArrayPrototypeIndexOf = uncurryThis(Array.prototype.indexOf);
  const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
  const ArrayPrototypeMap = uncurryThis(Array.prototype.map);
  const ArrayPrototypePop = uncurryThis(Array.prototype.pop);
  const ArrayPrototypePush = uncurryThis(Array.prototype.push);
  const ArrayPrototypePushApply = (arr, items) => Reflect.apply(Array.prototype.push, arr, items);
  const ArrayPrototypeReduce = uncurryThis(Array.prototype.reduce);
  const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice);
  const ArrayPrototypeSplice = uncurryThis(Array.prototype.splice);
  const ArrayPrototypeSort = uncurryThis(Array.prototype.sort);
  const ArrayPrototypeUnshift = uncurryThis(Array.prototype.unshift);
  const ArrayBufferPrototypeGetByteLength = getter(ArrayBuffer.prototype, "byteLength");
  const SharedArrayBufferPrototypeGetByteLength =
    typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : null;
  const BigIntPrototypeValueOf = uncurryThis(BigInt.prototype.valueOf);
  const BooleanPrototypeValueOf = uncurryThis(Boolean.prototype.valueOf);
  const DataViewPrototypeGetByteLength = getter(DataView.prototype, "byteLength");
  const DatePrototypeGetTime = uncurryThis(Date.prototype.getTime);
  const DatePrototypeToISOString = uncurryThis(Date.prototype.toISOString);
  const DatePrototypeToString = uncurryThis(Date.prototype.toString);
  const ErrorPrototypeToString = uncurryThis(Error.prototype.toString);
  const FunctionPrototype = Function.prototype;
  const FunctionPrototypeBind = uncurryThis(Function.prototype.bind);
  const FunctionPrototypeCall = uncurryThis(Function.prototype.call);
  const FunctionPrototypeSymbolHasInstance = uncurryThis(Function.prototype[Symbol.hasInstance]);
  const FunctionPrototypeToString = uncurryThis(Function.prototype.toString);
  const JSONStringify = JSON.stringify;
  const MapPrototypeGetSize = getter(Map.prototype, "size");
  const MapPrototypeEntries = uncurryThis(Map.prototype.entries);
  const MathFloor = Math.floor;
  const MathMax = Math.max;
  const MathMin = Math.min;
  const MathRound = Math.round;
  const MathSqrt = Math.sqrt;
  const MathTrunc = Math.trunc;
  const NumberIsFinite = Number.isFinite;
  const NumberIsNaN = Number.isNaN;
  const NumberParseFloat = Number.parseFloat;
  const NumberParseInt = Number.parseInt;
  const NumberPrototypeToString = uncurryThis(Number.prototype.toString);
  const NumberPrototypeValueOf = uncurryThis(Number.prototype.valueOf);
  const ObjectAssign = Object.assign;
  const ObjectDefineProperty = Object.defineProperty;
  const ObjectFreeze = Object.freeze;
  const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
  const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const ObjectIs = Object.is;
  const ObjectKeys = Object.keys;
  const ObjectPrototype = Object.prototype;
  const ObjectPrototypeHasOwnProperty = uncurryThis(Object.prototype.hasOwnProperty);
  const ObjectPrototypePropertyIsEnumerable = uncurryThis(Object.prototype.propertyIsEnumerable);
  const ObjectPrototypeToString = uncurryThis(Object.prototype.toString);
  const ObjectSeal = Object.seal;
  const ObjectSetPrototypeOf = Object.setPrototypeOf;
  const PromiseCtor = Promise;
  const ReflectApply = Reflect.apply;
  const ReflectOwnKeys = Reflect.ownKeys;
  const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
  const RegExpPrototypeGetSource = getter(RegExp.prototype, "source");
  const RegExpPrototypeSymbolReplace = uncurryThis(RegExp.prototype[Symbol.replace]);
  const RegExpPrototypeSymbolSplit = uncurryThis(RegExp.prototype[Symbol.split]);
  const RegExpPrototypeToString = uncurryThis(RegExp.prototype.toString);
  const SetPrototypeGetSize = getter(Set.prototype, "size");
  const SetPrototypeValues = uncurryThis(Set.prototype.values);
  const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
  const StringPrototypeCodePointAt = uncurryThis(String.prototype.codePointAt);
  const StringPrototypeEndsWith = uncurryThis(String.prototype.endsWith);
  const StringPrototypeIncludes = uncurryThis(String.prototype.includes);
  const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
  const StringPrototypeLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
  const StringPrototypeNormalize = uncurryThis(String.prototype.normalize);
  const StringPrototypePadEnd = uncurryThis(String.prototype.padEnd);
  const StringPrototypePadStart = uncurryThis(String.prototype.padStart);
  const StringPrototypeRepeat = uncurryThis(String.prototype.repeat);
  const StringPrototypeReplace = uncurryThis(String.prototype.replace);
  const StringPrototypeReplaceAll = uncurryThis(String.prototype.replaceAll);
  const StringPrototypeSlice = uncurryThis(String.prototype.slice);
  const StringPrototypeSplit = uncurryThis(String.prototype.split);
  const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
  const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
  const StringPrototypeTrim = uncurryThis(String.prototype.trim);
  const StringPrototypeValueOf = uncurryThis(String.prototype.valueOf);
  const SymbolFor = Symbol.for;
  const SymbolIterator = Symbol.iterator;
  const SymbolPrototypeToString = uncurryThis(Symbol.prototype.toString);
  const SymbolPrototypeValueOf = uncurryThis(Symbol.prototype.valueOf);
  const SymbolToPrimitive = Symbol.toPrimitive;
  const SymbolToStringTag = Symbol.toStringTag;
  const TypedArrayPrototypeGetLength = getter(TypedArrayPrototype, "length");
  const TypedArrayPrototypeGetSymbolToStringTag = getter(TypedArrayPrototype, SymbolToStringTag);
  const WeakMapPrototypeHas = uncurryThis(WeakMap.prototype.has);
  const WeakSetPrototypeHas = uncurryThis(WeakSet.prototype.has);
  // The typed array constructors, by name (formatRaw rebuilds a typed array
  // whose prototype is null from its tag).
  const primordials = {
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  };

  // Node's SafeMap and SafeSet: a Map and a Set whose methods a script
  // cannot replace (their prototype is a frozen copy with no parent).
  function makeSafe(Unsafe, Safe) {
    const keys = ReflectOwnKeys(Unsafe.prototype);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== "constructor" && !ObjectPrototypeHasOwnProperty(Safe.prototype, keys[i])) {
        ObjectDefineProperty(Safe.prototype, keys[i], ObjectGetOwnPropertyDescriptor(Unsafe.prototype, keys[i]));
      }
    }
    ObjectSetPrototypeOf(Safe.prototype, null);
    ObjectFreeze(Safe.prototype);
    return ObjectFreeze(Safe);
  }
  const SafeMap = makeSafe(Map, class SafeMap extends Map {});
  const SafeSet = makeSafe(Set, class SafeSet extends Set {});

  // ------------------------------------------------- internalBinding('util')
  // What V8 tells Node's native binding, from what JavaScript can see.

  const ALL_PROPERTIES = 0;
  const ONLY_ENUMERABLE = 2;
  const kPending = 0;
  const kRejected = 2;
  // hookbox: QuickJS does not let JavaScript read a promise's state.
  const kUnknown = -1;

  const isArrayIndexKey = (key) => RegExpPrototypeExec(/^(0|[1-9][0-9]*)$/, key) !== null && +key < 4294967295;

  // The own keys of an array or typed array that are not indices (and its
  // symbols); OwnPropertyKeys lists the indices first, ascending.
  function getOwnNonIndexProperties(value, filter) {
    const names = filter === ONLY_ENUMERABLE ? ObjectKeys(value) : ObjectGetOwnPropertyNames(value);
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isArrayIndexKey(names[mid])) lo = mid + 1;
      else hi = mid;
    }
    const keys = lo === 0 ? names : ArrayPrototypeSlice(names, lo);
    const symbols = ObjectGetOwnPropertySymbols(value);
    for (let i = 0; i < symbols.length; i++) {
      if (filter !== ONLY_ENUMERABLE || ObjectPrototypePropertyIsEnumerable(value, symbols[i])) {
        ArrayPrototypePush(keys, symbols[i]);
      }
    }
    return keys;
  }

  // hookbox: the state is not visible from JavaScript (Node: [state, result]).
  const getPromiseDetails = () => [kUnknown, undefined];
  // hookbox: a Proxy cannot be told from its target in JavaScript; it is
  // inspected through its traps.
  const getProxyDetails = () => undefined;
  // hookbox: the entries of a WeakMap, WeakSet or of a Map/Set iterator are
  // not visible without consuming the iterator; null means unknown.
  const previewEntries = () => null;
  const getExternalValue = () => 0n;

  // V8's class name of an object whose prototype chain names no constructor.
  function internalGetConstructorName(value) {
    if (ArrayIsArray(value)) return "Array";
    if (typeof value === "function") return "Function";
    return StringPrototypeSlice(ObjectPrototypeToString(value), 8, -1);
  }

  // ------------------------------------------------- internal/util/types
  // Exact brand checks, tried only when the object's tag says it may be one,
  // so that inspecting an ordinary object throws and catches nothing. (An
  // object with no prototype has no tag from it, so it is always tried.)

  const classOf = (value) => StringPrototypeSlice(ObjectPrototypeToString(value), 8, -1);
  function mayBe(value, name) {
    const c = classOf(value);
    return c === name || (c === "Object" && ObjectGetPrototypeOf(value) === null);
  }
  function hasBrand(check, value, arg) {
    try {
      check(value, arg);
      return true;
    } catch {
      return false;
    }
  }
  const ownTag = (value) => typeof value[SymbolToStringTag] === "string";

  const isDate = (v) => classOf(v) === "Date" && hasBrand(DatePrototypeGetTime, v);
  const isRegExp = (v) => classOf(v) === "RegExp" && hasBrand(RegExpPrototypeGetSource, v);
  const isNativeError = (v) => classOf(v) === "Error" && !ownTag(v);
  const isArgumentsObject = (v) => classOf(v) === "Arguments" && !ownTag(v);
  const isNumberObject = (v) => classOf(v) === "Number" && hasBrand(NumberPrototypeValueOf, v);
  const isStringObject = (v) => classOf(v) === "String" && hasBrand(StringPrototypeValueOf, v);
  const isBooleanObject = (v) => classOf(v) === "Boolean" && hasBrand(BooleanPrototypeValueOf, v);
  const isBigIntObject = (v) => mayBe(v, "BigInt") && hasBrand(BigIntPrototypeValueOf, v);
  const isSymbolObject = (v) => mayBe(v, "Symbol") && hasBrand(SymbolPrototypeValueOf, v);
  const isBoxedPrimitive = (v) =>
    isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v);
  const isMap = (v) => mayBe(v, "Map") && hasBrand(MapPrototypeGetSize, v);
  const isSet = (v) => mayBe(v, "Set") && hasBrand(SetPrototypeGetSize, v);
  const isWeakMap = (v) => mayBe(v, "WeakMap") && hasBrand(WeakMapPrototypeHas, v, {});
  const isWeakSet = (v) => mayBe(v, "WeakSet") && hasBrand(WeakSetPrototypeHas, v, {});
  const isArrayBuffer = (v) => mayBe(v, "ArrayBuffer") && hasBrand(ArrayBufferPrototypeGetByteLength, v);
  const isAnyArrayBuffer = (v) =>
    isArrayBuffer(v) ||
    (SharedArrayBufferPrototypeGetByteLength !== null &&
      mayBe(v, "SharedArrayBuffer") &&
      hasBrand(SharedArrayBufferPrototypeGetByteLength, v));
  const isDataView = (v) => mayBe(v, "DataView") && hasBrand(DataViewPrototypeGetByteLength, v);
  const isTypedArray = (v) => TypedArrayPrototypeGetSymbolToStringTag(v) !== undefined;
  const isPromise = (v) => mayBe(v, "Promise") && v instanceof PromiseCtor;
  const isMapIterator = (v) => classOf(v) === "Map Iterator";
  const isSetIterator = (v) => classOf(v) === "Set Iterator";
  // hookbox: a function's code is CommonJS, so it never holds a module
  // namespace object; and QuickJS has no external values.
  const isModuleNamespaceObject = () => false;
  const isExternal = () => false;
  const isAsyncFunction = (v) => {
    const c = classOf(v);
    return typeof v === "function" && (c === "AsyncFunction" || c === "AsyncGeneratorFunction");
  };
  const isGeneratorFunction = (v) => {
    const c = classOf(v);
    return typeof v === "function" && (c === "GeneratorFunction" || c === "AsyncGeneratorFunction");
  };

  // ---------------------------------------------------------- internal/util

  const customInspectSymbol = SymbolFor("nodejs.util.inspect.custom");
  const isError = (e) => isNativeError(e) || e instanceof Error;
  const colorRegExp = /\u001b\[\d\d?m/g; // eslint-disable-line no-control-regex
  const removeColors = (str) => StringPrototypeReplace(str, colorRegExp, "");
  // Node joins by hand, faster than V8's join; QuickJS's own join is the
  // faster one here (the entries are strings, so the text is the same).
  const join = ArrayPrototypeJoin;

  // QuickJS's overflow error, as Node's isStackOverflowError learns V8's.
  let maxStackErrorName;
  let maxStackErrorMessage;
  function isStackOverflowError(err) {
    if (maxStackErrorMessage === undefined) {
      try {
        const overflowStack = () => overflowStack();
        overflowStack();
      } catch (e) {
        maxStackErrorMessage = e.message;
        maxStackErrorName = e.name;
      }
    }
    return err && err.name === maxStackErrorName && err.message === maxStackErrorMessage;
  }

  function assert(value, message) {
    if (!value) throw new Error(message || "Assertion failed");
  }

  // ------------------------------------------------ errors and validators
  // Node's ERR_INVALID_ARG_TYPE, for the few arguments inspect checks.

  function describeReceived(value) {
    if (value == null) return "" + value;
    if (typeof value === "function" && value.name) return `function ${value.name}`;
    if (typeof value === "object") {
      if (value.constructor && value.constructor.name) return `an instance of ${value.constructor.name}`;
      return inspect(value, { depth: -1 });
    }
    let inspected = inspect(value, { colors: false });
    if (inspected.length > 28) inspected = `${StringPrototypeSlice(inspected, 0, 25)}...`;
    return `type ${typeof value} (${inspected})`;
  }
  function invalidArgType(name, expected, actual) {
    const err = new TypeError(`The "${name}" argument must be of type ${expected}. Received ${describeReceived(actual)}`);
    err.code = "ERR_INVALID_ARG_TYPE";
    return err;
  }
  const kValidateObjectAllowArray = 1 << 1;
  function validateObject(value, name, flags = 0) {
    if (
      value === null ||
      ((flags & kValidateObjectAllowArray) === 0 && ArrayIsArray(value)) ||
      typeof value !== "object"
    ) {
      throw invalidArgType(name, "object", value);
    }
  }
  function validateString(value, name) {
    if (typeof value !== "string") throw invalidArgType(name, "string", value);
  }

  // hookbox: no node: core modules show in a stack, and there is no working
  // directory to mark in one.
  const BuiltinModule = { exists: () => false };
  const process = { cwd: () => { throw new Error("no working directory"); } };
  const pathToFileUrlHref = (path) => `file://${path}`;

  // lib/buffer.js's hexSlice, for ArrayBuffer contents.
  function hexSlice(bytes, start, end) {
    let out = "";
    for (let i = start; i < end; i++) {
      out += (bytes[i] < 16 ? "0" : "") + NumberPrototypeToString(bytes[i], 16);
    }
    return out;
  }

  // hookbox: URL instances are the ones of the class hookbox gives functions.
  function isURL(value) {
    const URLClass = options && options.URL;
    return typeof URLClass === "function" && typeof value.href === "string" && value instanceof URLClass;
  }

  // The global constructors V8 gives a fresh context (Node reads them off its
  // global object before it adds its own): their prototypes end the search
  // for user-defined prototype properties, and a `toString` inherited from
  // one of them makes `%s` inspect the value.
  const builtInObjects = new SafeSet([
    "Object", "Function", "Array", "Number", "Infinity", "NaN", "Boolean", "String", "Symbol", "Date", "Promise",
    "RegExp", "Error", "AggregateError", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError",
    "URIError", "JSON", "Math", "Intl", "ArrayBuffer", "Uint8Array", "Int8Array", "Uint16Array", "Int16Array",
    "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "Uint8ClampedArray", "BigUint64Array",
    "BigInt64Array", "DataView", "Map", "BigInt", "Set", "WeakMap", "WeakSet", "Proxy", "Reflect",
    "FinalizationRegistry", "WeakRef", "SharedArrayBuffer", "Atomics", "WebAssembly",
  ]);

  // hookbox: the functions QuickJS itself provides (the global constructors
  // and the hidden ones), which are not classes though their `prototype` is
  // read-only as a class's is.
  const nativeFunctions = new SafeSet();
  {
    const globalNames = ObjectGetOwnPropertyNames(globalThis);
    for (let i = 0; i < globalNames.length; i++) {
      const d = ObjectGetOwnPropertyDescriptor(globalThis, globalNames[i]);
      if (d && typeof d.value === "function") nativeFunctions.add(d.value);
    }
    nativeFunctions.add(ObjectGetPrototypeOf(Uint8Array));
    nativeFunctions.add(ObjectGetPrototypeOf(function* () {}).constructor);
    nativeFunctions.add(ObjectGetPrototypeOf(async function () {}).constructor);
    nativeFunctions.add(ObjectGetPrototypeOf(async function* () {}).constructor);
  }
  // hookbox: QuickJS compiles a function without its source, so Node's test
  // (its source begins with "class") cannot be made. A class is the function
  // whose `prototype` is read-only (ordinary functions' is writable).
  function isClassConstructor(fn) {
    const d = ObjectGetOwnPropertyDescriptor(fn, "prototype");
    return d !== undefined && d.writable === false && !nativeFunctions.has(fn);
  }

  // =====================================================================
  // Node v20.20.2 lib/internal/util/inspect.js, from its line 165.
  // =====================================================================

  // hookbox: hexSlice, pathToFileUrlHref, isURL and builtInObjects are
  // defined above.

  // https://tc39.es/ecma262/#sec-IsHTMLDDA-internal-slot
  const isUndetectableObject = (v) => typeof v === 'undefined' && v !== undefined;

  // These options must stay in sync with `getUserOptions`. So if any option will
  // be added or removed, `getUserOptions` must also be updated accordingly.
  const inspectDefaultOptions = ObjectSeal({
    showHidden: false,
    depth: 2,
    colors: false,
    customInspect: true,
    showProxy: false,
    maxArrayLength: 100,
    maxStringLength: 10000,
    breakLength: 80,
    compact: 3,
    sorted: false,
    getters: false,
    numericSeparator: false,
  });

  const kObjectType = 0;
  const kArrayType = 1;
  const kArrayExtrasType = 2;

  /* eslint-disable no-control-regex */
  const strEscapeSequencesRegExp = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const strEscapeSequencesReplacer = /[\x00-\x1f\x27\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  const strEscapeSequencesRegExpSingle = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const strEscapeSequencesReplacerSingle = /[\x00-\x1f\x5c\x7f-\x9f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
  /* eslint-enable no-control-regex */
  // hookbox: see strEscape.
  // eslint-disable-next-line no-control-regex
  const strNeedsNoEscapeRegExp = /^[^\x00-\x1f\x27\x5c\x7f-\x9f\ud800-\udfff]*$/;

  const keyStrRegExp = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const numberRegExp = /^(0|[1-9][0-9]*)$/;

  const coreModuleRegExp = /^ {4}at (?:[^/\\(]+ \(|)node:(.+):\d+:\d+\)?$/;

  const classRegExp = /^(\s+[^(]*?)\s*{/;
  // eslint-disable-next-line node-core/no-unescaped-regexp-dot
  const stripCommentsRegExp = /(\/\/.*?\n)|(\/\*(.|\n)*?\*\/)/g;

  const kMinLineLength = 16;

  // Constants to map the iterator state.
  const kWeak = 0;
  const kIterator = 1;
  const kMapEntries = 2;

  // Escaped control characters (plus the single quote and the backslash). Use
  // empty strings to fill up unused entries.
  const meta = [
    '\\x00', '\\x01', '\\x02', '\\x03', '\\x04', '\\x05', '\\x06', '\\x07', // x07
    '\\b', '\\t', '\\n', '\\x0B', '\\f', '\\r', '\\x0E', '\\x0F',           // x0F
    '\\x10', '\\x11', '\\x12', '\\x13', '\\x14', '\\x15', '\\x16', '\\x17', // x17
    '\\x18', '\\x19', '\\x1A', '\\x1B', '\\x1C', '\\x1D', '\\x1E', '\\x1F', // x1F
    '', '', '', '', '', '', '', "\\'", '', '', '', '', '', '', '', '',      // x2F
    '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',         // x3F
    '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',         // x4F
    '', '', '', '', '', '', '', '', '', '', '', '', '\\\\', '', '', '',     // x5F
    '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '',         // x6F
    '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '\\x7F',    // x7F
    '\\x80', '\\x81', '\\x82', '\\x83', '\\x84', '\\x85', '\\x86', '\\x87', // x87
    '\\x88', '\\x89', '\\x8A', '\\x8B', '\\x8C', '\\x8D', '\\x8E', '\\x8F', // x8F
    '\\x90', '\\x91', '\\x92', '\\x93', '\\x94', '\\x95', '\\x96', '\\x97', // x97
    '\\x98', '\\x99', '\\x9A', '\\x9B', '\\x9C', '\\x9D', '\\x9E', '\\x9F', // x9F
  ];

  // Regex used for ansi escape code splitting
  // Ref: https://github.com/chalk/ansi-regex/blob/f338e1814144efb950276aac84135ff86b72dc8e/index.js
  // License: MIT by Sindre Sorhus <sindresorhus@gmail.com>
  // Matches all ansi escape code sequences in a string
  const ansi = new RegExp(
    '[\\u001B\\u009B][[\\]()#;?]*' +
    '(?:(?:(?:(?:;[-a-zA-Z\\d\\/\\#&.:=?%@~_]+)*' +
    '|[a-zA-Z\\d]+(?:;[-a-zA-Z\\d\\/\\#&.:=?%@~_]*)*)?' +
    '(?:\\u0007|\\u001B\\u005C|\\u009C))' +
    '|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?' +
    '[\\dA-PR-TZcf-nq-uy=><~]))', 'g',
  );

  let getStringWidth;

  function getUserOptions(ctx, isCrossContext) {
    const ret = {
      stylize: ctx.stylize,
      showHidden: ctx.showHidden,
      depth: ctx.depth,
      colors: ctx.colors,
      customInspect: ctx.customInspect,
      showProxy: ctx.showProxy,
      maxArrayLength: ctx.maxArrayLength,
      maxStringLength: ctx.maxStringLength,
      breakLength: ctx.breakLength,
      compact: ctx.compact,
      sorted: ctx.sorted,
      getters: ctx.getters,
      numericSeparator: ctx.numericSeparator,
      ...ctx.userOptions,
    };

    // Typically, the target value will be an instance of `Object`. If that is
    // *not* the case, the object may come from another vm.Context, and we want
    // to avoid passing it objects from this Context in that case, so we remove
    // the prototype from the returned object itself + the `stylize()` function,
    // and remove all other non-primitives, including non-primitive user options.
    if (isCrossContext) {
      ObjectSetPrototypeOf(ret, null);
      for (const key of ObjectKeys(ret)) {
        if ((typeof ret[key] === 'object' || typeof ret[key] === 'function') &&
            ret[key] !== null) {
          delete ret[key];
        }
      }
      ret.stylize = ObjectSetPrototypeOf((value, flavour) => {
        let stylized;
        try {
          stylized = `${ctx.stylize(value, flavour)}`;
        } catch {
          // Continue regardless of error.
        }

        if (typeof stylized !== 'string') return value;
        // `stylized` is a string as it should be, which is safe to pass along.
        return stylized;
      }, null);
    }

    return ret;
  }

  /**
   * Echos the value of any input. Tries to print the value out
   * in the best way possible given the different types.
   * @param {any} value The value to print out.
   * @param {object} opts Optional options object that alters the output.
   */
  /* Legacy: value, showHidden, depth, colors */
  function inspect(value, opts) {
    // hookbox: plain data with the default options takes a shorter road to
    // the same text (see fastInspect).
    if (opts === undefined && arguments.length < 3) {
      const fast = fastInspect(value);
      if (fast !== undefined) return fast;
    }
    // Default options
    const ctx = {
      budget: {},
      indentationLvl: 0,
      seen: [],
      currentDepth: 0,
      stylize: stylizeNoColor,
      showHidden: inspectDefaultOptions.showHidden,
      depth: inspectDefaultOptions.depth,
      colors: inspectDefaultOptions.colors,
      customInspect: inspectDefaultOptions.customInspect,
      showProxy: inspectDefaultOptions.showProxy,
      maxArrayLength: inspectDefaultOptions.maxArrayLength,
      maxStringLength: inspectDefaultOptions.maxStringLength,
      breakLength: inspectDefaultOptions.breakLength,
      compact: inspectDefaultOptions.compact,
      sorted: inspectDefaultOptions.sorted,
      getters: inspectDefaultOptions.getters,
      numericSeparator: inspectDefaultOptions.numericSeparator,
    };
    if (arguments.length > 1) {
      // Legacy...
      if (arguments.length > 2) {
        if (arguments[2] !== undefined) {
          ctx.depth = arguments[2];
        }
        if (arguments.length > 3 && arguments[3] !== undefined) {
          ctx.colors = arguments[3];
        }
      }
      // Set user-specified options
      if (typeof opts === 'boolean') {
        ctx.showHidden = opts;
      } else if (opts) {
        const optKeys = ObjectKeys(opts);
        for (let i = 0; i < optKeys.length; ++i) {
          const key = optKeys[i];
          // TODO(BridgeAR): Find a solution what to do about stylize. Either make
          // this function public or add a new API with a similar or better
          // functionality.
          if (
            ObjectPrototypeHasOwnProperty(inspectDefaultOptions, key) ||
            key === 'stylize') {
            ctx[key] = opts[key];
          } else if (ctx.userOptions === undefined) {
            // This is required to pass through the actual user input.
            ctx.userOptions = opts;
          }
        }
      }
    }
    if (ctx.colors) ctx.stylize = stylizeWithColor;
    if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
    if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
    return formatValue(ctx, value, 0);
  }
  inspect.custom = customInspectSymbol;

  // hookbox: the common case of a log line, in a fraction of the fuel.
  // With the default options, a primitive, or a plain object (one
  // getConstructorName names "Object", see fastPlainPrototype) or array
  // (prototype Array.prototype) with no symbols, custom inspector, tag,
  // holes or cycle and at most maxArrayLength items, of such values, is
  // formatted here by the rules formatValue, formatRaw and
  // formatProperty apply to it, with Node's own formatPrimitive, strEscape
  // and reduceToSingleString; anything else returns undefined and takes
  // Node's road from the start. (QuickJS interprets each step V8 compiles;
  // what this skips is the general case's checks and its context object.)
  const fastCtx = {
    budget: {},
    indentationLvl: 0,
    seen: [],
    currentDepth: 0,
    stylize: stylizeNoColor,
    showHidden: false,
    depth: 2,
    colors: false,
    customInspect: true,
    showProxy: false,
    maxArrayLength: 100,
    maxStringLength: 10000,
    breakLength: 80,
    compact: 3,
    sorted: false,
    getters: false,
    numericSeparator: false,
  };
  // True while fastValue runs: a Proxy's trap that inspects again takes
  // the general road, so that the shared context is not reused under it.
  let fastBusy = false;
  // Per call: whether Array.prototype still makes an array print as Node's
  // plain "[ … ]" (undefined until an array is met), and the last prototype
  // found to make an object print as a plain one.
  let fastArrays;
  let fastObjectProto;
  const ArrayPrototype = Array.prototype;
  const ArrayCtor = Array;
  const lookupGetter = uncurryThis(ObjectPrototype.__lookupGetter__);
  const lookupSetter = uncurryThis(ObjectPrototype.__lookupSetter__);
  const BAIL = undefined;
  // Keys already tested against keyStrRegExp in this call (a log of a list
  // of records repeats its keys); bounded, past that keys are tested anew.
  const fastKeyNames = new SafeMap();
  const kFastKeyNamesMax = 1000;

  function fastInspect(value) {
    const d = inspectDefaultOptions;
    if (fastBusy || typeof value === 'function' ||
        d.showHidden !== false || d.depth !== 2 || d.colors !== false ||
        d.customInspect !== true || d.showProxy !== false ||
        d.maxArrayLength !== 100 || d.maxStringLength !== 10000 ||
        d.breakLength !== 80 || d.compact !== 3 || d.sorted !== false ||
        d.getters !== false || d.numericSeparator !== false) {
      return BAIL;
    }
    const ctx = fastCtx;
    ctx.indentationLvl = 0;
    if (typeof value !== 'object' || value === null) {
      return formatValue(ctx, value, 0);
    }
    // What every plain object inherits (own symbols are refused below).
    if (ObjectPrototype[customInspectSymbol] !== undefined ||
        ObjectPrototype[SymbolToStringTag] !== undefined) {
      return BAIL;
    }
    ctx.currentDepth = 0;
    fastArrays = undefined;
    fastObjectProto = undefined;
    fastBusy = true;
    try {
      return fastValue(ctx, value, 0);
    } finally {
      fastBusy = false;
    }
  }

  // Array.prototype's `constructor` is still Array (a data property, as
  // getConstructorName reads it), and it has no custom inspector or tag.
  function fastArraysAllowed() {
    return lookupGetter(ArrayPrototype, 'constructor') === undefined &&
      ArrayPrototype.constructor === ArrayCtor &&
      ArrayPrototype[customInspectSymbol] === undefined &&
      ArrayPrototype[SymbolToStringTag] === undefined;
  }

  // Whether an object whose prototype is `proto` is named "Object" by
  // getConstructorName, with no tag or custom inspector: each prototype up
  // to Object.prototype has neither a `constructor` of its own nor a symbol
  // (as the prototype hookbox gives `user`, under its helpers).
  function fastPlainPrototype(proto) {
    if (proto === fastObjectProto) return true;
    for (let p = proto; p !== ObjectPrototype; p = ObjectGetPrototypeOf(p)) {
      if (p === null ||
          ObjectPrototypeHasOwnProperty(p, 'constructor') ||
          ObjectGetOwnPropertySymbols(p).length !== 0) {
        return false;
      }
    }
    fastObjectProto = proto;
    return true;
  }

  // formatValue, for a value fastInspect takes. `p0`..`p2` are the objects
  // being formatted around it (ctx.seen: with depth 2 there are at most
  // three), for the circular check.
  function fastValue(ctx, value, recurseTimes, p0, p1, p2) {
    switch (typeof value) {
      case 'object':
        break;
      case 'number':
        return ObjectIs(value, -0) ? '-0' : '' + value;
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return 'undefined';
      case 'function':
        return BAIL;
      default:
        return formatPrimitive(stylizeNoColor, value, ctx);
    }
    if (value === null) {
      return 'null';
    }
    if (value === p0 || value === p1 || value === p2) {
      return BAIL;
    }
    // formatRaw's constructor name is "Object" (a well-known prototype) or
    // "Array" (Array.prototype's constructor).
    const proto = ObjectGetPrototypeOf(value);
    let isArray = false;
    if (proto === ArrayPrototype && ArrayIsArray(value)) {
      if (fastArrays === undefined) fastArrays = fastArraysAllowed();
      if (!fastArrays) return BAIL;
      isArray = true;
    } else if (proto !== ObjectPrototype &&
               (!fastPlainPrototype(proto) || ArrayIsArray(value))) {
      return BAIL;
    }
    // No own symbols: so no own custom inspector or tag either, and not an
    // arguments object (its Symbol.iterator is its own).
    if (ObjectPrototypeHasOwnProperty(value, 'constructor') ||
        ObjectGetOwnPropertySymbols(value).length !== 0) {
      return BAIL;
    }
    const keys = ObjectKeys(value);
    let length = keys.length;
    if (isArray) {
      // Only dense arrays without other keys: its keys are then exactly its
      // indices (they come first, ascending).
      length = value.length;
      if (length !== keys.length || length > ctx.maxArrayLength ||
          (length !== 0 && keys[length - 1] !== '' + (length - 1))) {
        return BAIL;
      }
      if (length === 0) return '[]';
    } else if (length === 0) {
      return '{}';
    }
    if (recurseTimes > ctx.depth) {
      return isArray ? '[Array]' : '[Object]';
    }
    recurseTimes += 1;
    ctx.currentDepth = recurseTimes;
    if (p0 === undefined) p0 = value;
    else if (p1 === undefined) p1 = value;
    else p2 = value;
    const output = [];
    for (let i = 0; i < length; i++) {
      const key = isArray ? i : keys[i];
      // formatProperty: an accessor is named, never called.
      const get = lookupGetter(value, key);
      const set = lookupSetter(value, key);
      let str;
      if (get !== undefined) {
        str = set !== undefined ? '[Getter/Setter]' : '[Getter]';
      } else if (set !== undefined) {
        str = '[Setter]';
      } else {
        ctx.indentationLvl += 2;
        str = fastValue(ctx, value[key], recurseTimes, p0, p1, p2);
        ctx.indentationLvl -= 2;
        if (str === BAIL) return BAIL;
      }
      if (isArray) {
        output[i] = str;
        continue;
      }
      let name = fastKeyNames.get(key);
      if (name === undefined) {
        if (key === '__proto__') {
          name = "['__proto__']";
        } else if (RegExpPrototypeExec(keyStrRegExp, key) !== null) {
          name = key;
        } else {
          name = strEscape(key);
        }
        if (fastKeyNames.size < kFastKeyNamesMax) fastKeyNames.set(key, name);
      }
      output[i] = name + ': ' + str;
    }
    // reduceToSingleString, for braces "{"/"[" and no base, compact 3.
    let entries = output;
    if (isArray && length > 6) {
      entries = groupArrayElements(ctx, output, value);
    }
    if (ctx.currentDepth - recurseTimes < ctx.compact && entries.length === length &&
        isBelowBreakLength(ctx, entries, entries.length + ctx.indentationLvl + 11, '')) {
      const joinedOutput = join(entries, ', ');
      if (!StringPrototypeIncludes(joinedOutput, '\n')) {
        return isArray ? '[ ' + joinedOutput + ' ]' : '{ ' + joinedOutput + ' }';
      }
    }
    const indentation = '\n' + StringPrototypeRepeat(' ', ctx.indentationLvl);
    return (isArray ? '[' : '{') + indentation + '  ' +
      join(entries, ',' + indentation + '  ') + indentation + (isArray ? ']' : '}');
  }

  ObjectDefineProperty(inspect, 'defaultOptions', {
    __proto__: null,
    get() {
      return inspectDefaultOptions;
    },
    set(options) {
      validateObject(options, 'options');
      return ObjectAssign(inspectDefaultOptions, options);
    },
  });

  // Set Graphics Rendition https://en.wikipedia.org/wiki/ANSI_escape_code#graphics
  // Each color consists of an array with the color code as first entry and the
  // reset code as second entry.
  const defaultFG = 39;
  const defaultBG = 49;
  inspect.colors = {
    __proto__: null,
    reset: [0, 0],
    bold: [1, 22],
    dim: [2, 22], // Alias: faint
    italic: [3, 23],
    underline: [4, 24],
    blink: [5, 25],
    // Swap foreground and background colors
    inverse: [7, 27], // Alias: swapcolors, swapColors
    hidden: [8, 28], // Alias: conceal
    strikethrough: [9, 29], // Alias: strikeThrough, crossedout, crossedOut
    doubleunderline: [21, 24], // Alias: doubleUnderline
    black: [30, defaultFG],
    red: [31, defaultFG],
    green: [32, defaultFG],
    yellow: [33, defaultFG],
    blue: [34, defaultFG],
    magenta: [35, defaultFG],
    cyan: [36, defaultFG],
    white: [37, defaultFG],
    bgBlack: [40, defaultBG],
    bgRed: [41, defaultBG],
    bgGreen: [42, defaultBG],
    bgYellow: [43, defaultBG],
    bgBlue: [44, defaultBG],
    bgMagenta: [45, defaultBG],
    bgCyan: [46, defaultBG],
    bgWhite: [47, defaultBG],
    framed: [51, 54],
    overlined: [53, 55],
    gray: [90, defaultFG], // Alias: grey, blackBright
    redBright: [91, defaultFG],
    greenBright: [92, defaultFG],
    yellowBright: [93, defaultFG],
    blueBright: [94, defaultFG],
    magentaBright: [95, defaultFG],
    cyanBright: [96, defaultFG],
    whiteBright: [97, defaultFG],
    bgGray: [100, defaultBG], // Alias: bgGrey, bgBlackBright
    bgRedBright: [101, defaultBG],
    bgGreenBright: [102, defaultBG],
    bgYellowBright: [103, defaultBG],
    bgBlueBright: [104, defaultBG],
    bgMagentaBright: [105, defaultBG],
    bgCyanBright: [106, defaultBG],
    bgWhiteBright: [107, defaultBG],
  };

  function defineColorAlias(target, alias) {
    ObjectDefineProperty(inspect.colors, alias, {
      __proto__: null,
      get() {
        return this[target];
      },
      set(value) {
        this[target] = value;
      },
      configurable: true,
      enumerable: false,
    });
  }

  defineColorAlias('gray', 'grey');
  defineColorAlias('gray', 'blackBright');
  defineColorAlias('bgGray', 'bgGrey');
  defineColorAlias('bgGray', 'bgBlackBright');
  defineColorAlias('dim', 'faint');
  defineColorAlias('strikethrough', 'crossedout');
  defineColorAlias('strikethrough', 'strikeThrough');
  defineColorAlias('strikethrough', 'crossedOut');
  defineColorAlias('hidden', 'conceal');
  defineColorAlias('inverse', 'swapColors');
  defineColorAlias('inverse', 'swapcolors');
  defineColorAlias('doubleunderline', 'doubleUnderline');

  // TODO(BridgeAR): Add function style support for more complex styles.
  // Don't use 'blue' not visible on cmd.exe
  inspect.styles = ObjectAssign({ __proto__: null }, {
    special: 'cyan',
    number: 'yellow',
    bigint: 'yellow',
    boolean: 'yellow',
    undefined: 'grey',
    null: 'bold',
    string: 'green',
    symbol: 'green',
    date: 'magenta',
    // "name": intentionally not styling
    // TODO(BridgeAR): Highlight regular expressions properly.
    regexp: 'red',
    module: 'underline',
  });

  function addQuotes(str, quotes) {
    if (quotes === -1) {
      return `"${str}"`;
    }
    if (quotes === -2) {
      return `\`${str}\``;
    }
    return `'${str}'`;
  }

  function escapeFn(str) {
    const charCode = StringPrototypeCharCodeAt(str);
    return meta.length > charCode ? meta[charCode] : `\\u${NumberPrototypeToString(charCode, 16)}`;
  }

  // Escape control characters, single quotes and the backslash.
  // This is similar to JSON stringify escaping.
  function strEscape(str) {
    // hookbox: most strings need no escaping; one pass of one character
    // class over the string tells, in a fraction of what the alternatives
    // below cost QuickJS (its regexps backtrack at every position). Any
    // string they would match fails it.
    if (str.length < 5000 && RegExpPrototypeExec(strNeedsNoEscapeRegExp, str) !== null) {
      return addQuotes(str, 39);
    }
    let escapeTest = strEscapeSequencesRegExp;
    let escapeReplace = strEscapeSequencesReplacer;
    let singleQuote = 39;

    // Check for double quotes. If not present, do not escape single quotes and
    // instead wrap the text in double quotes. If double quotes exist, check for
    // backticks. If they do not exist, use those as fallback instead of the
    // double quotes.
    if (StringPrototypeIncludes(str, "'")) {
      // This invalidates the charCode and therefore can not be matched for
      // anymore.
      if (!StringPrototypeIncludes(str, '"')) {
        singleQuote = -1;
      } else if (!StringPrototypeIncludes(str, '`') &&
                 !StringPrototypeIncludes(str, '${')) {
        singleQuote = -2;
      }
      if (singleQuote !== 39) {
        escapeTest = strEscapeSequencesRegExpSingle;
        escapeReplace = strEscapeSequencesReplacerSingle;
      }
    }

    // Some magic numbers that worked out fine while benchmarking with v8 6.0
    if (str.length < 5000 && RegExpPrototypeExec(escapeTest, str) === null)
      return addQuotes(str, singleQuote);
    if (str.length > 100) {
      str = RegExpPrototypeSymbolReplace(escapeReplace, str, escapeFn);
      return addQuotes(str, singleQuote);
    }

    let result = '';
    let last = 0;
    for (let i = 0; i < str.length; i++) {
      const point = StringPrototypeCharCodeAt(str, i);
      if (point === singleQuote ||
          point === 92 ||
          point < 32 ||
          (point > 126 && point < 160)) {
        if (last === i) {
          result += meta[point];
        } else {
          result += `${StringPrototypeSlice(str, last, i)}${meta[point]}`;
        }
        last = i + 1;
      } else if (point >= 0xd800 && point <= 0xdfff) {
        if (point <= 0xdbff && i + 1 < str.length) {
          const point = StringPrototypeCharCodeAt(str, i + 1);
          if (point >= 0xdc00 && point <= 0xdfff) {
            i++;
            continue;
          }
        }
        result += `${StringPrototypeSlice(str, last, i)}\\u${NumberPrototypeToString(point, 16)}`;
        last = i + 1;
      }
    }

    if (last !== str.length) {
      result += StringPrototypeSlice(str, last);
    }
    return addQuotes(result, singleQuote);
  }

  function stylizeWithColor(str, styleType) {
    const style = inspect.styles[styleType];
    if (style !== undefined) {
      const color = inspect.colors[style];
      if (color !== undefined)
        return `\u001b[${color[0]}m${str}\u001b[${color[1]}m`;
    }
    return str;
  }

  function stylizeNoColor(str) {
    return str;
  }

  // Return a new empty array to push in the results of the default formatter.
  function getEmptyFormatArray() {
    return [];
  }

  function isInstanceof(object, proto) {
    try {
      return object instanceof proto;
    } catch {
      return false;
    }
  }

  // Special-case for some builtin prototypes in case their `constructor` property has been tampered.
  const wellKnownPrototypes = new SafeMap();
  wellKnownPrototypes.set(ObjectPrototype, { name: 'Object', constructor: Object });
  wellKnownPrototypes.set(FunctionPrototype, { name: 'Function', constructor: Function });

  function getConstructorName(obj, ctx, recurseTimes, protoProps) {
    let firstProto;
    const tmp = obj;
    while (obj || isUndetectableObject(obj)) {
      const wellKnownPrototypeNameAndConstructor = wellKnownPrototypes.get(obj);
      if (wellKnownPrototypeNameAndConstructor != null) {
        const { name, constructor } = wellKnownPrototypeNameAndConstructor;
        if (FunctionPrototypeSymbolHasInstance(constructor, tmp)) {
          if (protoProps !== undefined && firstProto !== obj) {
            addPrototypeProperties(
              ctx, tmp, firstProto || tmp, recurseTimes, protoProps);
          }
          return name;
        }
      }
      const descriptor = ObjectGetOwnPropertyDescriptor(obj, 'constructor');
      if (descriptor !== undefined &&
          typeof descriptor.value === 'function' &&
          descriptor.value.name !== '' &&
          isInstanceof(tmp, descriptor.value)) {
        if (protoProps !== undefined &&
           (firstProto !== obj ||
           !builtInObjects.has(descriptor.value.name))) {
          addPrototypeProperties(
            ctx, tmp, firstProto || tmp, recurseTimes, protoProps);
        }
        return String(descriptor.value.name);
      }

      obj = ObjectGetPrototypeOf(obj);
      if (firstProto === undefined) {
        firstProto = obj;
      }
    }

    if (firstProto === null) {
      return null;
    }

    const res = internalGetConstructorName(tmp);

    if (recurseTimes > ctx.depth && ctx.depth !== null) {
      return `${res} <Complex prototype>`;
    }

    const protoConstr = getConstructorName(
      firstProto, ctx, recurseTimes + 1, protoProps);

    if (protoConstr === null) {
      return `${res} <${inspect(firstProto, {
        ...ctx,
        customInspect: false,
        depth: -1,
      })}>`;
    }

    return `${res} <${protoConstr}>`;
  }

  // This function has the side effect of adding prototype properties to the
  // `output` argument (which is an array). This is intended to highlight user
  // defined prototype properties.
  function addPrototypeProperties(ctx, main, obj, recurseTimes, output) {
    let depth = 0;
    let keys;
    let keySet;
    do {
      if (depth !== 0 || main === obj) {
        obj = ObjectGetPrototypeOf(obj);
        // Stop as soon as a null prototype is encountered.
        if (obj === null) {
          return;
        }
        // Stop as soon as a built-in object type is detected.
        const descriptor = ObjectGetOwnPropertyDescriptor(obj, 'constructor');
        if (descriptor !== undefined &&
            typeof descriptor.value === 'function' &&
            builtInObjects.has(descriptor.value.name)) {
          return;
        }
      }

      if (depth === 0) {
        keySet = new SafeSet();
      } else {
        ArrayPrototypeForEach(keys, (key) => keySet.add(key));
      }
      // Get all own property names and symbols.
      keys = ReflectOwnKeys(obj);
      ArrayPrototypePush(ctx.seen, main);
      for (const key of keys) {
        // Ignore the `constructor` property and keys that exist on layers above.
        if (key === 'constructor' ||
            ObjectPrototypeHasOwnProperty(main, key) ||
            (depth !== 0 && keySet.has(key))) {
          continue;
        }
        const desc = ObjectGetOwnPropertyDescriptor(obj, key);
        if (typeof desc.value === 'function') {
          continue;
        }
        const value = formatProperty(
          ctx, obj, recurseTimes, key, kObjectType, desc, main);
        if (ctx.colors) {
          // Faint!
          ArrayPrototypePush(output, `\u001b[2m${value}\u001b[22m`);
        } else {
          ArrayPrototypePush(output, value);
        }
      }
      ArrayPrototypePop(ctx.seen);
    // Limit the inspection to up to three prototype layers. Using `recurseTimes`
    // is not a good choice here, because it's as if the properties are declared
    // on the current object from the users perspective.
    } while (++depth !== 3);
  }

  function getPrefix(constructor, tag, fallback, size = '') {
    if (constructor === null) {
      if (tag !== '' && fallback !== tag) {
        return `[${fallback}${size}: null prototype] [${tag}] `;
      }
      return `[${fallback}${size}: null prototype] `;
    }

    if (tag !== '' && constructor !== tag) {
      return `${constructor}${size} [${tag}] `;
    }
    return `${constructor}${size} `;
  }

  // Look up the keys of the object.
  function getKeys(value, showHidden) {
    let keys;
    const symbols = ObjectGetOwnPropertySymbols(value);
    if (showHidden) {
      keys = ObjectGetOwnPropertyNames(value);
      if (symbols.length !== 0)
        ArrayPrototypePushApply(keys, symbols);
    } else {
      // This might throw if `value` is a Module Namespace Object from an
      // unevaluated module, but we don't want to perform the actual type
      // check because it's expensive.
      // TODO(devsnek): track https://github.com/tc39/ecma262/issues/1209
      // and modify this logic as needed.
      try {
        keys = ObjectKeys(value);
      } catch (err) {
        assert(isNativeError(err) && err.name === 'ReferenceError' &&
               isModuleNamespaceObject(value));
        keys = ObjectGetOwnPropertyNames(value);
      }
      if (symbols.length !== 0) {
        const filter = (key) => ObjectPrototypePropertyIsEnumerable(value, key);
        ArrayPrototypePushApply(keys, ArrayPrototypeFilter(symbols, filter));
      }
    }
    return keys;
  }

  function getCtxStyle(value, constructor, tag) {
    let fallback = '';
    if (constructor === null) {
      fallback = internalGetConstructorName(value);
      if (fallback === tag) {
        fallback = 'Object';
      }
    }
    return getPrefix(constructor, tag, fallback);
  }

  function formatProxy(ctx, proxy, recurseTimes) {
    if (recurseTimes > ctx.depth && ctx.depth !== null) {
      return ctx.stylize('Proxy [Array]', 'special');
    }
    recurseTimes += 1;
    ctx.indentationLvl += 2;
    const res = [
      formatValue(ctx, proxy[0], recurseTimes),
      formatValue(ctx, proxy[1], recurseTimes),
    ];
    ctx.indentationLvl -= 2;
    return reduceToSingleString(
      ctx, res, '', ['Proxy [', ']'], kArrayExtrasType, recurseTimes);
  }

  // Note: using `formatValue` directly requires the indentation level to be
  // corrected by setting `ctx.indentationLvL += diff` and then to decrease the
  // value afterwards again.
  function formatValue(ctx, value, recurseTimes, typedArray) {
    // Primitive types cannot have properties.
    if (typeof value !== 'object' &&
        typeof value !== 'function' &&
        !isUndetectableObject(value)) {
      return formatPrimitive(ctx.stylize, value, ctx);
    }
    if (value === null) {
      return ctx.stylize('null', 'null');
    }

    // Memorize the context for custom inspection on proxies.
    const context = value;
    // Always check for proxies to prevent side effects and to prevent triggering
    // any proxy handlers.
    const proxy = getProxyDetails(value, !!ctx.showProxy);
    if (proxy !== undefined) {
      if (proxy === null || proxy[0] === null) {
        return ctx.stylize('<Revoked Proxy>', 'special');
      }
      if (ctx.showProxy) {
        return formatProxy(ctx, proxy, recurseTimes);
      }
      value = proxy;
    }

    // Provide a hook for user-specified inspect functions.
    // Check that value is an object with an inspect function on it.
    if (ctx.customInspect) {
      let maybeCustom = value[customInspectSymbol];
      // hookbox: Node's URL and URLSearchParams have their own.
      if (maybeCustom === undefined) {
        maybeCustom = builtinCustomInspect(value);
      }
      if (typeof maybeCustom === 'function' &&
          // Filter out the util module, its inspect function is special.
          maybeCustom !== inspect &&
          // Also filter out any prototype objects using the circular check.
          !(value.constructor && value.constructor.prototype === value)) {
        // This makes sure the recurseTimes are reported as before while using
        // a counter internally.
        const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
        const isCrossContext =
          proxy !== undefined || !(context instanceof Object);
        const ret = FunctionPrototypeCall(
          maybeCustom,
          context,
          depth,
          getUserOptions(ctx, isCrossContext),
          inspect,
        );
        // If the custom inspection method returned `this`, don't go into
        // infinite recursion.
        if (ret !== context) {
          if (typeof ret !== 'string') {
            return formatValue(ctx, ret, recurseTimes);
          }
          return StringPrototypeReplaceAll(ret, '\n', `\n${StringPrototypeRepeat(' ', ctx.indentationLvl)}`);
        }
      }
    }

    // Using an array here is actually better for the average case than using
    // a Set. `seen` will only check for the depth and will never grow too large.
    // hookbox: ctx.seen's methods are the primordials, here and below, so
    // that a script's Array.prototype cannot change how its logs read.
    if (ArrayPrototypeIncludes(ctx.seen, value)) {
      let index = 1;
      if (ctx.circular === undefined) {
        ctx.circular = new SafeMap();
        ctx.circular.set(value, index);
      } else {
        index = ctx.circular.get(value);
        if (index === undefined) {
          index = ctx.circular.size + 1;
          ctx.circular.set(value, index);
        }
      }
      return ctx.stylize(`[Circular *${index}]`, 'special');
    }

    return formatRaw(ctx, value, recurseTimes, typedArray);
  }

  function formatRaw(ctx, value, recurseTimes, typedArray) {
    let keys;
    let protoProps;
    if (ctx.showHidden && (recurseTimes <= ctx.depth || ctx.depth === null)) {
      protoProps = [];
    }

    const constructor = getConstructorName(value, ctx, recurseTimes, protoProps);
    // Reset the variable to check for this later on.
    if (protoProps !== undefined && protoProps.length === 0) {
      protoProps = undefined;
    }

    let tag = value[SymbolToStringTag];
    // Only list the tag in case it's non-enumerable / not an own property.
    // Otherwise we'd print this twice.
    if (typeof tag !== 'string' ||
        (tag !== '' &&
        (ctx.showHidden ?
          ObjectPrototypeHasOwnProperty :
          ObjectPrototypePropertyIsEnumerable)(
          value, SymbolToStringTag,
        ))) {
      tag = '';
    }
    let base = '';
    let formatter = getEmptyFormatArray;
    let braces;
    let noIterator = true;
    let i = 0;
    const filter = ctx.showHidden ? ALL_PROPERTIES : ONLY_ENUMERABLE;

    let extrasType = kObjectType;

    // Iterators and the rest are split to reduce checks.
    // We have to check all values in case the constructor is set to null.
    // Otherwise it would not possible to identify all types properly.
    if (SymbolIterator in value || constructor === null) {
      noIterator = false;
      if (ArrayIsArray(value)) {
        // Only set the constructor for non ordinary ("Array [...]") arrays.
        const prefix = (constructor !== 'Array' || tag !== '') ?
          getPrefix(constructor, tag, 'Array', `(${value.length})`) :
          '';
        keys = getOwnNonIndexProperties(value, filter);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0 && protoProps === undefined)
          return `${braces[0]}]`;
        extrasType = kArrayExtrasType;
        formatter = formatArray;
      } else if (isSet(value)) {
        const size = SetPrototypeGetSize(value);
        const prefix = getPrefix(constructor, tag, 'Set', `(${size})`);
        keys = getKeys(value, ctx.showHidden);
        formatter = constructor !== null ?
          FunctionPrototypeBind(formatSet, null, value) :
          FunctionPrototypeBind(formatSet, null, SetPrototypeValues(value));
        if (size === 0 && keys.length === 0 && protoProps === undefined)
          return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isMap(value)) {
        const size = MapPrototypeGetSize(value);
        const prefix = getPrefix(constructor, tag, 'Map', `(${size})`);
        keys = getKeys(value, ctx.showHidden);
        formatter = constructor !== null ?
          FunctionPrototypeBind(formatMap, null, value) :
          FunctionPrototypeBind(formatMap, null, MapPrototypeEntries(value));
        if (size === 0 && keys.length === 0 && protoProps === undefined)
          return `${prefix}{}`;
        braces = [`${prefix}{`, '}'];
      } else if (isTypedArray(value)) {
        keys = getOwnNonIndexProperties(value, filter);
        let bound = value;
        let fallback = '';
        if (constructor === null) {
          fallback = TypedArrayPrototypeGetSymbolToStringTag(value);
          // Reconstruct the array information.
          bound = new primordials[fallback](value);
        }
        const size = TypedArrayPrototypeGetLength(value);
        const prefix = getPrefix(constructor, tag, fallback, `(${size})`);
        braces = [`${prefix}[`, ']'];
        if (value.length === 0 && keys.length === 0 && !ctx.showHidden)
          return `${braces[0]}]`;
        // Special handle the value. The original value is required below. The
        // bound function is required to reconstruct missing information.
        formatter = FunctionPrototypeBind(formatTypedArray, null, bound, size);
        extrasType = kArrayExtrasType;
      } else if (isMapIterator(value)) {
        keys = getKeys(value, ctx.showHidden);
        braces = getIteratorBraces('Map', tag);
        // Add braces to the formatter parameters.
        formatter = FunctionPrototypeBind(formatIterator, null, braces);
      } else if (isSetIterator(value)) {
        keys = getKeys(value, ctx.showHidden);
        braces = getIteratorBraces('Set', tag);
        // Add braces to the formatter parameters.
        formatter = FunctionPrototypeBind(formatIterator, null, braces);
      } else {
        noIterator = true;
      }
    }
    if (noIterator) {
      keys = getKeys(value, ctx.showHidden);
      braces = ['{', '}'];
      if (typeof value === 'function') {
        base = getFunctionBase(value, constructor, tag);
        if (keys.length === 0 && protoProps === undefined)
          return ctx.stylize(base, 'special');
      } else if (constructor === 'Object') {
        if (isArgumentsObject(value)) {
          braces[0] = '[Arguments] {';
        } else if (tag !== '') {
          braces[0] = `${getPrefix(constructor, tag, 'Object')}{`;
        }
        if (keys.length === 0 && protoProps === undefined) {
          return `${braces[0]}}`;
        }
      } else if (isRegExp(value)) {
        // Make RegExps say that they are RegExps
        base = RegExpPrototypeToString(
          constructor !== null ? value : new RegExp(value),
        );
        const prefix = getPrefix(constructor, tag, 'RegExp');
        if (prefix !== 'RegExp ')
          base = `${prefix}${base}`;
        if ((keys.length === 0 && protoProps === undefined) ||
            (recurseTimes > ctx.depth && ctx.depth !== null)) {
          return ctx.stylize(base, 'regexp');
        }
      } else if (isDate(value)) {
        // Make dates with properties first say the date
        base = NumberIsNaN(DatePrototypeGetTime(value)) ?
          DatePrototypeToString(value) :
          DatePrototypeToISOString(value);
        const prefix = getPrefix(constructor, tag, 'Date');
        if (prefix !== 'Date ')
          base = `${prefix}${base}`;
        if (keys.length === 0 && protoProps === undefined) {
          return ctx.stylize(base, 'date');
        }
      } else if (isError(value)) {
        base = formatError(value, constructor, tag, ctx, keys);
        if (keys.length === 0 && protoProps === undefined)
          return base;
      } else if (isAnyArrayBuffer(value)) {
        // Fast path for ArrayBuffer and SharedArrayBuffer.
        // Can't do the same for DataView because it has a non-primitive
        // .buffer property that we need to recurse for.
        const arrayType = isArrayBuffer(value) ? 'ArrayBuffer' :
          'SharedArrayBuffer';
        const prefix = getPrefix(constructor, tag, arrayType);
        if (typedArray === undefined) {
          formatter = formatArrayBuffer;
        } else if (keys.length === 0 && protoProps === undefined) {
          return prefix +
                `{ byteLength: ${formatNumber(ctx.stylize, value.byteLength, false)} }`;
        }
        braces[0] = `${prefix}{`;
        ArrayPrototypeUnshift(keys, 'byteLength');
      } else if (isDataView(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'DataView')}{`;
        // .buffer goes last, it's not a primitive like the others.
        ArrayPrototypeUnshift(keys, 'byteLength', 'byteOffset', 'buffer');
      } else if (isPromise(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'Promise')}{`;
        formatter = formatPromise;
      } else if (isWeakSet(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakSet')}{`;
        formatter = ctx.showHidden ? formatWeakSet : formatWeakCollection;
      } else if (isWeakMap(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'WeakMap')}{`;
        formatter = ctx.showHidden ? formatWeakMap : formatWeakCollection;
      } else if (isModuleNamespaceObject(value)) {
        braces[0] = `${getPrefix(constructor, tag, 'Module')}{`;
        // Special handle keys for namespace objects.
        formatter = formatNamespaceObject.bind(null, keys);
      } else if (isBoxedPrimitive(value)) {
        base = getBoxedBase(value, ctx, keys, constructor, tag);
        if (keys.length === 0 && protoProps === undefined) {
          return base;
        }
      } else if (isURL(value) && !(recurseTimes > ctx.depth && ctx.depth !== null)) {
        base = value.href;
        if (keys.length === 0 && protoProps === undefined) {
          return base;
        }
      } else {
        if (keys.length === 0 && protoProps === undefined) {
          if (isExternal(value)) {
            const address = getExternalValue(value).toString(16);
            return ctx.stylize(`[External: ${address}]`, 'special');
          }
          return `${getCtxStyle(value, constructor, tag)}{}`;
        }
        braces[0] = `${getCtxStyle(value, constructor, tag)}{`;
      }
    }

    if (recurseTimes > ctx.depth && ctx.depth !== null) {
      let constructorName = StringPrototypeSlice(getCtxStyle(value, constructor, tag), 0, -1);
      if (constructor !== null)
        constructorName = `[${constructorName}]`;
      return ctx.stylize(constructorName, 'special');
    }
    recurseTimes += 1;

    ArrayPrototypePush(ctx.seen, value);
    ctx.currentDepth = recurseTimes;
    let output;
    const indentationLvl = ctx.indentationLvl;
    try {
      output = formatter(ctx, value, recurseTimes);
      for (i = 0; i < keys.length; i++) {
        ArrayPrototypePush(
          output,
          formatProperty(ctx, value, recurseTimes, keys[i], extrasType),
        );
      }
      if (protoProps !== undefined) {
        ArrayPrototypePushApply(output, protoProps);
      }
    } catch (err) {
      if (!isStackOverflowError(err)) throw err;
      const constructorName = StringPrototypeSlice(getCtxStyle(value, constructor, tag), 0, -1);
      return handleMaxCallStackSize(ctx, err, constructorName, indentationLvl);
    }
    if (ctx.circular !== undefined) {
      const index = ctx.circular.get(value);
      if (index !== undefined) {
        const reference = ctx.stylize(`<ref *${index}>`, 'special');
        // Add reference always to the very beginning of the output.
        if (ctx.compact !== true) {
          base = base === '' ? reference : `${reference} ${base}`;
        } else {
          braces[0] = `${reference} ${braces[0]}`;
        }
      }
    }
    ArrayPrototypePop(ctx.seen);

    if (ctx.sorted) {
      const comparator = ctx.sorted === true ? undefined : ctx.sorted;
      if (extrasType === kObjectType) {
        ArrayPrototypeSort(output, comparator);
      } else if (keys.length > 1) {
        const sorted = ArrayPrototypeSort(ArrayPrototypeSlice(output, output.length - keys.length), comparator);
        ArrayPrototypeUnshift(sorted, output, output.length - keys.length, keys.length);
        ReflectApply(ArrayPrototypeSplice, null, sorted);
      }
    }

    const res = reduceToSingleString(
      ctx, output, base, braces, extrasType, recurseTimes, value);
    const budget = ctx.budget[ctx.indentationLvl] || 0;
    const newLength = budget + res.length;
    ctx.budget[ctx.indentationLvl] = newLength;
    // If any indentationLvl exceeds this limit, limit further inspecting to the
    // minimum. Otherwise the recursive algorithm might continue inspecting the
    // object even though the maximum string size (~2 ** 28 on 32 bit systems and
    // ~2 ** 30 on 64 bit systems) exceeded. The actual output is not limited at
    // exactly 2 ** 27 but a bit higher. This depends on the object shape.
    // This limit also makes sure that huge objects don't block the event loop
    // significantly.
    if (newLength > 2 ** 27) {
      ctx.depth = -1;
    }
    return res;
  }

  function getIteratorBraces(type, tag) {
    if (tag !== `${type} Iterator`) {
      if (tag !== '')
        tag += '] [';
      tag += `${type} Iterator`;
    }
    return [`[${tag}] {`, '}'];
  }

  function getBoxedBase(value, ctx, keys, constructor, tag) {
    let fn;
    let type;
    if (isNumberObject(value)) {
      fn = NumberPrototypeValueOf;
      type = 'Number';
    } else if (isStringObject(value)) {
      fn = StringPrototypeValueOf;
      type = 'String';
      // For boxed Strings, we have to remove the 0-n indexed entries,
      // since they just noisy up the output and are redundant
      // Make boxed primitive Strings look like such
      ArrayPrototypeSplice(keys, 0, value.length);
    } else if (isBooleanObject(value)) {
      fn = BooleanPrototypeValueOf;
      type = 'Boolean';
    } else if (isBigIntObject(value)) {
      fn = BigIntPrototypeValueOf;
      type = 'BigInt';
    } else {
      fn = SymbolPrototypeValueOf;
      type = 'Symbol';
    }
    let base = `[${type}`;
    if (type !== constructor) {
      if (constructor === null) {
        base += ' (null prototype)';
      } else {
        base += ` (${constructor})`;
      }
    }
    base += `: ${formatPrimitive(stylizeNoColor, fn(value), ctx)}]`;
    if (tag !== '' && tag !== constructor) {
      base += ` [${tag}]`;
    }
    if (keys.length !== 0 || ctx.stylize === stylizeNoColor)
      return base;
    return ctx.stylize(base, StringPrototypeToLowerCase(type));
  }

  function getClassBase(value, constructor, tag) {
    const hasName = ObjectPrototypeHasOwnProperty(value, 'name');
    const name = (hasName && value.name) || '(anonymous)';
    let base = `class ${name}`;
    if (constructor !== 'Function' && constructor !== null) {
      base += ` [${constructor}]`;
    }
    if (tag !== '' && constructor !== tag) {
      base += ` [${tag}]`;
    }
    if (constructor !== null) {
      const superName = ObjectGetPrototypeOf(value).name;
      if (superName) {
        base += ` extends ${superName}`;
      }
    } else {
      base += ' extends [null prototype]';
    }
    return `[${base}]`;
  }

  function getFunctionBase(value, constructor, tag) {
    // hookbox: see isClassConstructor.
    if (isClassConstructor(value)) {
      return getClassBase(value, constructor, tag);
    }
    const stringified = FunctionPrototypeToString(value);
    if (StringPrototypeStartsWith(stringified, 'class') && stringified[stringified.length - 1] === '}') {
      const slice = StringPrototypeSlice(stringified, 5, -1);
      const bracketIndex = StringPrototypeIndexOf(slice, '{');
      if (bracketIndex !== -1 &&
          (!StringPrototypeIncludes(StringPrototypeSlice(slice, 0, bracketIndex), '(') ||
          // Slow path to guarantee that it's indeed a class.
          RegExpPrototypeExec(classRegExp, RegExpPrototypeSymbolReplace(stripCommentsRegExp, slice)) !== null)
      ) {
        return getClassBase(value, constructor, tag);
      }
    }
    let type = 'Function';
    if (isGeneratorFunction(value)) {
      type = `Generator${type}`;
    }
    if (isAsyncFunction(value)) {
      type = `Async${type}`;
    }
    let base = `[${type}`;
    if (constructor === null) {
      base += ' (null prototype)';
    }
    if (value.name === '') {
      base += ' (anonymous)';
    } else {
      base += `: ${value.name}`;
    }
    base += ']';
    if (constructor !== type && constructor !== null) {
      base += ` ${constructor}`;
    }
    if (tag !== '' && constructor !== tag) {
      base += ` [${tag}]`;
    }
    return base;
  }

  function identicalSequenceRange(a, b) {
    for (let i = 0; i < a.length - 3; i++) {
      // Find the first entry of b that matches the current entry of a.
      const pos = ArrayPrototypeIndexOf(b, a[i]);
      if (pos !== -1) {
        const rest = b.length - pos;
        if (rest > 3) {
          let len = 1;
          const maxLen = MathMin(a.length - i, rest);
          // Count the number of consecutive entries.
          while (maxLen > len && a[i + len] === b[pos + len]) {
            len++;
          }
          if (len > 3) {
            return { len, offset: i };
          }
        }
      }
    }

    return { len: 0, offset: 0 };
  }

  function getStackString(error) {
    // hookbox: a QuickJS stack is only the frames ("    at f (function.js:2:9)\n");
    // V8's begins with the error's toString() line, which Node prints first.
    const stack = error.stack;
    if (typeof stack === 'string' && StringPrototypeStartsWith(stack, '    at ')) {
      const frames = options && typeof options.stackFrames === 'function' ?
        options.stackFrames(stack) :
        StringPrototypeReplace(stack, /\n$/, '');
      const head = ErrorPrototypeToString(error);
      return frames ? `${head}\n${frames}` : head;
    }
    return error.stack ? String(error.stack) : ErrorPrototypeToString(error);
  }

  function getStackFrames(ctx, err, stack) {
    const frames = StringPrototypeSplit(stack, '\n');

    let cause;
    try {
      ({ cause } = err);
    } catch {
      // If 'cause' is a getter that throws, ignore it.
    }

    // Remove stack frames identical to frames in cause.
    if (cause != null && isError(cause)) {
      const causeStack = getStackString(cause);
      const causeStackStart = StringPrototypeIndexOf(causeStack, '\n    at');
      if (causeStackStart !== -1) {
        const causeFrames = StringPrototypeSplit(StringPrototypeSlice(causeStack, causeStackStart + 1), '\n');
        const { len, offset } = identicalSequenceRange(frames, causeFrames);
        if (len > 0) {
          const skipped = len - 2;
          const msg = `    ... ${skipped} lines matching cause stack trace ...`;
          ArrayPrototypeSplice(frames, offset + 1, skipped, ctx.stylize(msg, 'undefined'));
        }
      }
    }
    return frames;
  }

  function improveStack(stack, constructor, name, tag) {
    // A stack trace may contain arbitrary data. Only manipulate the output
    // for "regular errors" (errors that "look normal") for now.
    let len = name.length;

    if (constructor === null ||
        (StringPrototypeEndsWith(name, 'Error') &&
        StringPrototypeStartsWith(stack, name) &&
        (stack.length === len || stack[len] === ':' || stack[len] === '\n'))) {
      let fallback = 'Error';
      if (constructor === null) {
        const start = RegExpPrototypeExec(/^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n {4}at)/, stack) ||
        RegExpPrototypeExec(/^([a-z_A-Z0-9-]*Error)$/, stack);
        fallback = (start && start[1]) || '';
        len = fallback.length;
        fallback = fallback || 'Error';
      }
      const prefix = StringPrototypeSlice(getPrefix(constructor, tag, fallback), 0, -1);
      if (name !== prefix) {
        if (StringPrototypeIncludes(prefix, name)) {
          if (len === 0) {
            stack = `${prefix}: ${stack}`;
          } else {
            stack = `${prefix}${StringPrototypeSlice(stack, len)}`;
          }
        } else {
          stack = `${prefix} [${name}]${StringPrototypeSlice(stack, len)}`;
        }
      }
    }
    return stack;
  }

  function removeDuplicateErrorKeys(ctx, keys, err, stack) {
    if (!ctx.showHidden && keys.length !== 0) {
      for (const name of ['name', 'message', 'stack']) {
        const index = ArrayPrototypeIndexOf(keys, name);
        // Only hide the property in case it's part of the original stack
        if (index !== -1 && StringPrototypeIncludes(stack, err[name])) {
          ArrayPrototypeSplice(keys, index, 1);
        }
      }
    }
  }

  function markNodeModules(ctx, line) {
    let tempLine = '';
    let lastPos = 0;
    let searchFrom = 0;

    while (true) {
      const nodeModulePosition = StringPrototypeIndexOf(line, 'node_modules', searchFrom);
      if (nodeModulePosition === -1) {
        break;
      }

      // Ensure it's a path segment: must have a path separator before and after
      const separator = line[nodeModulePosition - 1];
      const after = line[nodeModulePosition + 12]; // 'node_modules'.length === 12

      if ((after !== '/' && after !== '\\') || (separator !== '/' && separator !== '\\')) {
        // Not a proper segment; continue searching
        searchFrom = nodeModulePosition + 1;
        continue;
      }

      const moduleStart = nodeModulePosition + 13; // Include trailing separator

      // Append up to and including '/node_modules/'
      tempLine += StringPrototypeSlice(line, lastPos, moduleStart);

      let moduleEnd = StringPrototypeIndexOf(line, separator, moduleStart);
      if (line[moduleStart] === '@') {
        // Namespaced modules have an extra slash: @namespace/package
        moduleEnd = StringPrototypeIndexOf(line, separator, moduleEnd + 1);
      }

      const nodeModule = StringPrototypeSlice(line, moduleStart, moduleEnd);
      tempLine += ctx.stylize(nodeModule, 'module');

      lastPos = moduleEnd;
      searchFrom = moduleEnd;
    }

    if (lastPos !== 0) {
      line = tempLine + StringPrototypeSlice(line, lastPos);
    }
    return line;
  }

  function markCwd(ctx, line, workingDirectory) {
    let cwdStartPos = StringPrototypeIndexOf(line, workingDirectory);
    let tempLine = '';
    let cwdLength = workingDirectory.length;
    if (cwdStartPos !== -1) {
      if (StringPrototypeSlice(line, cwdStartPos - 7, cwdStartPos) === 'file://') {
        cwdLength += 7;
        cwdStartPos -= 7;
      }
      const start = line[cwdStartPos - 1] === '(' ? cwdStartPos - 1 : cwdStartPos;
      const end = start !== cwdStartPos && StringPrototypeEndsWith(line, ')') ? -1 : line.length;
      const workingDirectoryEndPos = cwdStartPos + cwdLength + 1;
      const cwdSlice = StringPrototypeSlice(line, start, workingDirectoryEndPos);

      tempLine += StringPrototypeSlice(line, 0, start);
      tempLine += ctx.stylize(cwdSlice, 'undefined');
      tempLine += StringPrototypeSlice(line, workingDirectoryEndPos, end);
      if (end === -1) {
        tempLine += ctx.stylize(')', 'undefined');
      }
    } else {
      tempLine += line;
    }
    return tempLine;
  }

  function safeGetCWD() {
    let workingDirectory;
    try {
      workingDirectory = process.cwd();
    } catch {
      return;
    }
    return workingDirectory;
  }

  function formatError(err, constructor, tag, ctx, keys) {
    const name = err.name != null ? String(err.name) : 'Error';
    let stack = getStackString(err);

    removeDuplicateErrorKeys(ctx, keys, err, stack);

    if ('cause' in err &&
        (keys.length === 0 || !ArrayPrototypeIncludes(keys, 'cause'))) {
      ArrayPrototypePush(keys, 'cause');
    }

    // Print errors aggregated into AggregateError
    if (ArrayIsArray(err.errors) &&
        (keys.length === 0 || !ArrayPrototypeIncludes(keys, 'errors'))) {
      ArrayPrototypePush(keys, 'errors');
    }

    stack = improveStack(stack, constructor, name, tag);

    // Ignore the error message if it's contained in the stack.
    let pos = (err.message && StringPrototypeIndexOf(stack, err.message)) || -1;
    if (pos !== -1)
      pos += err.message.length;
    // Wrap the error in brackets in case it has no stack trace.
    const stackStart = StringPrototypeIndexOf(stack, '\n    at', pos);
    if (stackStart === -1) {
      stack = `[${stack}]`;
    } else {
      let newStack = StringPrototypeSlice(stack, 0, stackStart);
      const stackFramePart = StringPrototypeSlice(stack, stackStart + 1);
      const lines = getStackFrames(ctx, err, stackFramePart);
      if (ctx.colors) {
        // Highlight userland code and node modules.
        const workingDirectory = safeGetCWD();
        let esmWorkingDirectory;
        for (let line of lines) {
          const core = RegExpPrototypeExec(coreModuleRegExp, line);
          if (core !== null && BuiltinModule.exists(core[1])) {
            newStack += `\n${ctx.stylize(line, 'undefined')}`;
          } else {
            newStack += '\n';

            line = markNodeModules(ctx, line);
            if (workingDirectory !== undefined) {
              let newLine = markCwd(ctx, line, workingDirectory);
              if (newLine === line) {
                esmWorkingDirectory ??= pathToFileUrlHref(workingDirectory);
                newLine = markCwd(ctx, line, esmWorkingDirectory);
              }
              line = newLine;
            }

            newStack += line;
          }
        }
      } else {
        newStack += `\n${ArrayPrototypeJoin(lines, '\n')}`;
      }
      stack = newStack;
    }
    // The message and the stack have to be indented as well!
    if (ctx.indentationLvl !== 0) {
      const indentation = StringPrototypeRepeat(' ', ctx.indentationLvl);
      stack = StringPrototypeReplaceAll(stack, '\n', `\n${indentation}`);
    }
    return stack;
  }

  function groupArrayElements(ctx, output, value) {
    let totalLength = 0;
    let maxLength = 0;
    let i = 0;
    let outputLength = output.length;
    if (ctx.maxArrayLength < output.length) {
      // This makes sure the "... n more items" part is not taken into account.
      outputLength--;
    }
    const separatorSpace = 2; // Add 1 for the space and 1 for the separator.
    const dataLen = new Array(outputLength);
    // Calculate the total length of all output entries and the individual max
    // entries length of all output entries. We have to remove colors first,
    // otherwise the length would not be calculated properly.
    for (; i < outputLength; i++) {
      const len = getStringWidth(output[i], ctx.colors);
      dataLen[i] = len;
      totalLength += len + separatorSpace;
      if (maxLength < len)
        maxLength = len;
    }
    // Add two to `maxLength` as we add a single whitespace character plus a comma
    // in-between two entries.
    const actualMax = maxLength + separatorSpace;
    // Check if at least three entries fit next to each other and prevent grouping
    // of arrays that contains entries of very different length (i.e., if a single
    // entry is longer than 1/5 of all other entries combined). Otherwise the
    // space in-between small entries would be enormous.
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength &&
        (totalLength / actualMax > 5 || maxLength <= 6)) {

      const approxCharHeights = 2.5;
      const averageBias = MathSqrt(actualMax - totalLength / output.length);
      const biasedMax = MathMax(actualMax - 3 - averageBias, 1);
      // Dynamically check how many columns seem possible.
      const columns = MathMin(
        // Ideally a square should be drawn. We expect a character to be about 2.5
        // times as high as wide. This is the area formula to calculate a square
        // which contains n rectangles of size `actualMax * approxCharHeights`.
        // Divide that by `actualMax` to receive the correct number of columns.
        // The added bias increases the columns for short entries.
        MathRound(
          MathSqrt(
            approxCharHeights * biasedMax * outputLength,
          ) / biasedMax,
        ),
        // Do not exceed the breakLength.
        MathFloor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        // Limit array grouping for small `compact` modes as the user requested
        // minimal grouping.
        ctx.compact * 4,
        // Limit the columns to a maximum of fifteen.
        15,
      );
      // Return with the original output if no grouping should happen.
      if (columns <= 1) {
        return output;
      }
      const tmp = [];
      const maxLineLength = [];
      for (let i = 0; i < columns; i++) {
        let lineMaxLength = 0;
        for (let j = i; j < output.length; j += columns) {
          if (dataLen[j] > lineMaxLength)
            lineMaxLength = dataLen[j];
        }
        lineMaxLength += separatorSpace;
        maxLineLength[i] = lineMaxLength;
      }
      let order = StringPrototypePadStart;
      if (value !== undefined) {
        for (let i = 0; i < output.length; i++) {
          if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
            order = StringPrototypePadEnd;
            break;
          }
        }
      }
      // Each iteration creates a single line of grouped entries.
      for (let i = 0; i < outputLength; i += columns) {
        // The last lines may contain less entries than columns.
        const max = MathMin(i + columns, outputLength);
        let str = '';
        let j = i;
        for (; j < max - 1; j++) {
          // Calculate extra color padding in case it's active. This has to be
          // done line by line as some lines might contain more colors than
          // others.
          const padding = maxLineLength[j - i] + output[j].length - dataLen[j];
          str += order(`${output[j]}, `, padding, ' ');
        }
        if (order === StringPrototypePadStart) {
          const padding = maxLineLength[j - i] +
                          output[j].length -
                          dataLen[j] -
                          separatorSpace;
          str += StringPrototypePadStart(output[j], padding, ' ');
        } else {
          str += output[j];
        }
        ArrayPrototypePush(tmp, str);
      }
      if (ctx.maxArrayLength < output.length) {
        ArrayPrototypePush(tmp, output[outputLength]);
      }
      output = tmp;
    }
    return output;
  }

  function handleMaxCallStackSize(ctx, err, constructorName, indentationLvl) {
    ArrayPrototypePop(ctx.seen);
    ctx.indentationLvl = indentationLvl;
    return ctx.stylize(
      `[${constructorName}: Inspection interrupted ` +
        'prematurely. Maximum call stack size exceeded.]',
      'special',
    );
  }

  function addNumericSeparator(integerString) {
    let result = '';
    let i = integerString.length;
    assert(i !== 0);
    const start = integerString[0] === '-' ? 1 : 0;
    for (; i >= start + 4; i -= 3) {
      result = `_${StringPrototypeSlice(integerString, i - 3, i)}${result}`;
    }
    return i === integerString.length ?
      integerString :
      `${StringPrototypeSlice(integerString, 0, i)}${result}`;
  }

  function addNumericSeparatorEnd(integerString) {
    let result = '';
    let i = 0;
    for (; i < integerString.length - 3; i += 3) {
      result += `${StringPrototypeSlice(integerString, i, i + 3)}_`;
    }
    return i === 0 ?
      integerString :
      `${result}${StringPrototypeSlice(integerString, i)}`;
  }

  const remainingText = (remaining) => `... ${remaining} more item${remaining > 1 ? 's' : ''}`;

  function formatNumber(fn, number, numericSeparator) {
    if (!numericSeparator) {
      // Format -0 as '-0'. Checking `number === -0` won't distinguish 0 from -0.
      if (ObjectIs(number, -0)) {
        return fn('-0', 'number');
      }
      return fn(`${number}`, 'number');
    }

    const numberString = String(number);
    const integer = MathTrunc(number);

    if (integer === number) {
      if (!NumberIsFinite(number) || StringPrototypeIncludes(numberString, 'e')) {
        return fn(numberString, 'number');
      }
      return fn(addNumericSeparator(numberString), 'number');
    }
    if (NumberIsNaN(number)) {
      return fn(numberString, 'number');
    }

    const decimalIndex = StringPrototypeIndexOf(numberString, '.');
    const integerPart = StringPrototypeSlice(numberString, 0, decimalIndex);
    const fractionalPart = StringPrototypeSlice(numberString, decimalIndex + 1);

    return fn(`${
      addNumericSeparator(integerPart)
    }.${
      addNumericSeparatorEnd(fractionalPart)
    }`, 'number');
  }

  function formatBigInt(fn, bigint, numericSeparator) {
    const string = String(bigint);
    if (!numericSeparator) {
      return fn(`${string}n`, 'bigint');
    }
    return fn(`${addNumericSeparator(string)}n`, 'bigint');
  }

  function formatPrimitive(fn, value, ctx) {
    if (typeof value === 'string') {
      let trailer = '';
      if (value.length > ctx.maxStringLength) {
        const remaining = value.length - ctx.maxStringLength;
        value = StringPrototypeSlice(value, 0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? 's' : ''}`;
      }
      if (ctx.compact !== true &&
          // We do not support handling unicode characters width with
          // the readline getStringWidth function as there are
          // performance implications.
          value.length > kMinLineLength &&
          value.length > ctx.breakLength - ctx.indentationLvl - 4) {
        return ArrayPrototypeJoin(
          ArrayPrototypeMap(
            RegExpPrototypeSymbolSplit(/(?<=\n)/, value),
            (line) => fn(strEscape(line), 'string'),
          ),
          ` +\n${StringPrototypeRepeat(' ', ctx.indentationLvl + 2)}`,
        ) + trailer;
      }
      return fn(strEscape(value), 'string') + trailer;
    }
    if (typeof value === 'number')
      return formatNumber(fn, value, ctx.numericSeparator);
    if (typeof value === 'bigint')
      return formatBigInt(fn, value, ctx.numericSeparator);
    if (typeof value === 'boolean')
      return fn(`${value}`, 'boolean');
    if (typeof value === 'undefined')
      return fn('undefined', 'undefined');
    // es6 symbol primitive
    return fn(SymbolPrototypeToString(value), 'symbol');
  }

  function formatNamespaceObject(keys, ctx, value, recurseTimes) {
    const output = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      try {
        output[i] = formatProperty(ctx, value, recurseTimes, keys[i],
                                   kObjectType);
      } catch (err) {
        assert(isNativeError(err) && err.name === 'ReferenceError');
        // Use the existing functionality. This makes sure the indentation and
        // line breaks are always correct. Otherwise it is very difficult to keep
        // this aligned, even though this is a hacky way of dealing with this.
        const tmp = { [keys[i]]: '' };
        output[i] = formatProperty(ctx, tmp, recurseTimes, keys[i], kObjectType);
        const pos = StringPrototypeLastIndexOf(output[i], ' ');
        // We have to find the last whitespace and have to replace that value as
        // it will be visualized as a regular string.
        output[i] = StringPrototypeSlice(output[i], 0, pos + 1) +
                    ctx.stylize('<uninitialized>', 'special');
      }
    }
    // Reset the keys to an empty array. This prevents duplicated inspection.
    keys.length = 0;
    return output;
  }

  // The array is sparse and/or has extra keys
  function formatSpecialArray(ctx, value, recurseTimes, maxLength, output, i) {
    const keys = ObjectKeys(value);
    let index = i;
    for (; i < keys.length && output.length < maxLength; i++) {
      const key = keys[i];
      const tmp = +key;
      // Arrays can only have up to 2^32 - 1 entries
      if (tmp > 2 ** 32 - 2) {
        break;
      }
      if (`${index}` !== key) {
        if (RegExpPrototypeExec(numberRegExp, key) === null) {
          break;
        }
        const emptyItems = tmp - index;
        const ending = emptyItems > 1 ? 's' : '';
        const message = `<${emptyItems} empty item${ending}>`;
        ArrayPrototypePush(output, ctx.stylize(message, 'undefined'));
        index = tmp;
        if (output.length === maxLength) {
          break;
        }
      }
      ArrayPrototypePush(output, formatProperty(ctx, value, recurseTimes, key, kArrayType));
      index++;
    }
    const remaining = value.length - index;
    if (output.length !== maxLength) {
      if (remaining > 0) {
        const ending = remaining > 1 ? 's' : '';
        const message = `<${remaining} empty item${ending}>`;
        ArrayPrototypePush(output, ctx.stylize(message, 'undefined'));
      }
    } else if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    return output;
  }

  function formatArrayBuffer(ctx, value) {
    let buffer;
    try {
      buffer = new Uint8Array(value);
    } catch {
      return [ctx.stylize('(detached)', 'special')];
    }
    let str = StringPrototypeTrim(RegExpPrototypeSymbolReplace(
      /(.{2})/g,
      hexSlice(buffer, 0, MathMin(ctx.maxArrayLength, buffer.length)),
      '$1 ',
    ));
    const remaining = buffer.length - ctx.maxArrayLength;
    if (remaining > 0)
      str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    return [`${ctx.stylize('[Uint8Contents]', 'special')}: <${str}>`];
  }

  function formatArray(ctx, value, recurseTimes) {
    const valLen = value.length;
    const len = MathMin(MathMax(0, ctx.maxArrayLength), valLen);

    const remaining = valLen - len;
    const output = [];
    for (let i = 0; i < len; i++) {
      // Special handle sparse arrays.
      if (!ObjectPrototypeHasOwnProperty(value, i)) {
        return formatSpecialArray(ctx, value, recurseTimes, len, output, i);
      }
      ArrayPrototypePush(output, formatProperty(ctx, value, recurseTimes, i, kArrayType));
    }
    if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    return output;
  }

  function formatTypedArray(value, length, ctx, ignored, recurseTimes) {
    const maxLength = MathMin(MathMax(0, ctx.maxArrayLength), length);
    const remaining = value.length - maxLength;
    const output = new Array(maxLength);
    const elementFormatter = value.length > 0 && typeof value[0] === 'number' ?
      formatNumber :
      formatBigInt;
    for (let i = 0; i < maxLength; ++i) {
      output[i] = elementFormatter(ctx.stylize, value[i], ctx.numericSeparator);
    }
    if (remaining > 0) {
      output[maxLength] = remainingText(remaining);
    }
    if (ctx.showHidden) {
      // .buffer goes last, it's not a primitive like the others.
      // All besides `BYTES_PER_ELEMENT` are actually getters.
      ctx.indentationLvl += 2;
      for (const key of [
        'BYTES_PER_ELEMENT',
        'length',
        'byteLength',
        'byteOffset',
        'buffer',
      ]) {
        const str = formatValue(ctx, value[key], recurseTimes, true);
        ArrayPrototypePush(output, `[${key}]: ${str}`);
      }
      ctx.indentationLvl -= 2;
    }
    return output;
  }

  function formatSet(value, ctx, ignored, recurseTimes) {
    const length = value.size;
    const maxLength = MathMin(MathMax(0, ctx.maxArrayLength), length);
    const remaining = length - maxLength;
    const output = [];
    ctx.indentationLvl += 2;
    let i = 0;
    for (const v of value) {
      if (i >= maxLength) break;
      ArrayPrototypePush(output, formatValue(ctx, v, recurseTimes));
      i++;
    }
    if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatMap(value, ctx, ignored, recurseTimes) {
    const length = value.size;
    const maxLength = MathMin(MathMax(0, ctx.maxArrayLength), length);
    const remaining = length - maxLength;
    const output = [];
    ctx.indentationLvl += 2;
    let i = 0;
    for (const { 0: k, 1: v } of value) {
      if (i >= maxLength) break;
      ArrayPrototypePush(
        output,
        `${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`,
      );
      i++;
    }
    if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    ctx.indentationLvl -= 2;
    return output;
  }

  function formatSetIterInner(ctx, recurseTimes, entries, state) {
    const maxArrayLength = MathMax(ctx.maxArrayLength, 0);
    const maxLength = MathMin(maxArrayLength, entries.length);
    const output = new Array(maxLength);
    ctx.indentationLvl += 2;
    for (let i = 0; i < maxLength; i++) {
      output[i] = formatValue(ctx, entries[i], recurseTimes);
    }
    ctx.indentationLvl -= 2;
    if (state === kWeak && !ctx.sorted) {
      // Sort all entries to have a halfway reliable output (if more entries than
      // retrieved ones exist, we can not reliably return the same output) if the
      // output is not sorted anyway.
      ArrayPrototypeSort(output);
    }
    const remaining = entries.length - maxLength;
    if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    return output;
  }

  function formatMapIterInner(ctx, recurseTimes, entries, state) {
    const maxArrayLength = MathMax(ctx.maxArrayLength, 0);
    // Entries exist as [key1, val1, key2, val2, ...]
    const len = entries.length / 2;
    const remaining = len - maxArrayLength;
    const maxLength = MathMin(maxArrayLength, len);
    const output = new Array(maxLength);
    let i = 0;
    ctx.indentationLvl += 2;
    if (state === kWeak) {
      for (; i < maxLength; i++) {
        const pos = i * 2;
        output[i] =
          `${formatValue(ctx, entries[pos], recurseTimes)} => ${formatValue(ctx, entries[pos + 1], recurseTimes)}`;
      }
      // Sort all entries to have a halfway reliable output (if more entries than
      // retrieved ones exist, we can not reliably return the same output) if the
      // output is not sorted anyway.
      if (!ctx.sorted)
        ArrayPrototypeSort(output);
    } else {
      for (; i < maxLength; i++) {
        const pos = i * 2;
        const res = [
          formatValue(ctx, entries[pos], recurseTimes),
          formatValue(ctx, entries[pos + 1], recurseTimes),
        ];
        output[i] = reduceToSingleString(
          ctx, res, '', ['[', ']'], kArrayExtrasType, recurseTimes);
      }
    }
    ctx.indentationLvl -= 2;
    if (remaining > 0) {
      ArrayPrototypePush(output, remainingText(remaining));
    }
    return output;
  }

  function formatWeakCollection(ctx) {
    return [ctx.stylize('<items unknown>', 'special')];
  }

  function formatWeakSet(ctx, value, recurseTimes) {
    const entries = previewEntries(value);
    if (entries === null) return formatWeakCollection(ctx); // hookbox: unknown
    return formatSetIterInner(ctx, recurseTimes, entries, kWeak);
  }

  function formatWeakMap(ctx, value, recurseTimes) {
    const entries = previewEntries(value);
    if (entries === null) return formatWeakCollection(ctx); // hookbox: unknown
    return formatMapIterInner(ctx, recurseTimes, entries, kWeak);
  }

  function formatIterator(braces, ctx, value, recurseTimes) {
    const preview = previewEntries(value, true);
    if (preview === null) return formatWeakCollection(ctx); // hookbox: unknown
    const { 0: entries, 1: isKeyValue } = preview;
    if (isKeyValue) {
      // Mark entry iterators as such.
      braces[0] = RegExpPrototypeSymbolReplace(/ Iterator] {$/, braces[0], ' Entries] {');
      return formatMapIterInner(ctx, recurseTimes, entries, kMapEntries);
    }

    return formatSetIterInner(ctx, recurseTimes, entries, kIterator);
  }

  function formatPromise(ctx, value, recurseTimes) {
    let output;
    const { 0: state, 1: result } = getPromiseDetails(value);
    if (state === kUnknown) {
      // hookbox: see getPromiseDetails.
      output = [ctx.stylize('<unknown>', 'special')];
    } else if (state === kPending) {
      output = [ctx.stylize('<pending>', 'special')];
    } else {
      ctx.indentationLvl += 2;
      const str = formatValue(ctx, result, recurseTimes);
      ctx.indentationLvl -= 2;
      output = [
        state === kRejected ?
          `${ctx.stylize('<rejected>', 'special')} ${str}` :
          str,
      ];
    }
    return output;
  }

  function formatProperty(ctx, value, recurseTimes, key, type, desc,
                          original = value) {
    let name, str;
    let extra = ' ';
    desc = desc || ObjectGetOwnPropertyDescriptor(value, key) ||
      { value: value[key], enumerable: true };
    if (desc.value !== undefined) {
      const diff = (ctx.compact !== true || type !== kObjectType) ? 2 : 3;
      ctx.indentationLvl += diff;
      str = formatValue(ctx, desc.value, recurseTimes);
      if (diff === 3 && ctx.breakLength < getStringWidth(str, ctx.colors)) {
        extra = `\n${StringPrototypeRepeat(' ', ctx.indentationLvl)}`;
      }
      ctx.indentationLvl -= diff;
    } else if (desc.get !== undefined) {
      const label = desc.set !== undefined ? 'Getter/Setter' : 'Getter';
      const s = ctx.stylize;
      const sp = 'special';
      if (ctx.getters && (ctx.getters === true ||
            (ctx.getters === 'get' && desc.set === undefined) ||
            (ctx.getters === 'set' && desc.set !== undefined))) {
        try {
          const tmp = FunctionPrototypeCall(desc.get, original);
          ctx.indentationLvl += 2;
          if (tmp === null) {
            str = `${s(`[${label}:`, sp)} ${s('null', 'null')}${s(']', sp)}`;
          } else if (typeof tmp === 'object') {
            str = `${s(`[${label}]`, sp)} ${formatValue(ctx, tmp, recurseTimes)}`;
          } else {
            const primitive = formatPrimitive(s, tmp, ctx);
            str = `${s(`[${label}:`, sp)} ${primitive}${s(']', sp)}`;
          }
          ctx.indentationLvl -= 2;
        } catch (err) {
          const message = `<Inspection threw (${err.message})>`;
          str = `${s(`[${label}:`, sp)} ${message}${s(']', sp)}`;
        }
      } else {
        str = ctx.stylize(`[${label}]`, sp);
      }
    } else if (desc.set !== undefined) {
      str = ctx.stylize('[Setter]', 'special');
    } else {
      str = ctx.stylize('undefined', 'undefined');
    }
    if (type === kArrayType) {
      return str;
    }
    if (typeof key === 'symbol') {
      const tmp = RegExpPrototypeSymbolReplace(
        strEscapeSequencesReplacer,
        SymbolPrototypeToString(key),
        escapeFn,
      );
      name = `[${ctx.stylize(tmp, 'symbol')}]`;
    } else if (key === '__proto__') {
      name = "['__proto__']";
    } else if (desc.enumerable === false) {
      const tmp = RegExpPrototypeSymbolReplace(
        strEscapeSequencesReplacer,
        key,
        escapeFn,
      );
      name = `[${tmp}]`;
    } else if (RegExpPrototypeExec(keyStrRegExp, key) !== null) {
      name = ctx.stylize(key, 'name');
    } else {
      name = ctx.stylize(strEscape(key), 'string');
    }
    return `${name}:${extra}${str}`;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    // Each entry is separated by at least a comma. Thus, we start with a total
    // length of at least `output.length`. In addition, some cases have a
    // whitespace in-between each other that is added to the total as well.
    // TODO(BridgeAR): Add unicode support. Use the readline getStringWidth
    // function. Check the performance overhead and make it an opt-in in case it's
    // significant.
    let totalLength = output.length + start;
    if (totalLength + output.length > ctx.breakLength)
      return false;
    for (let i = 0; i < output.length; i++) {
      if (ctx.colors) {
        totalLength += removeColors(output[i]).length;
      } else {
        totalLength += output[i].length;
      }
      if (totalLength > ctx.breakLength) {
        return false;
      }
    }
    // Do not line up properties on the same line if `base` contains line breaks.
    return base === '' || !StringPrototypeIncludes(base, '\n');
  }

  function reduceToSingleString(
    ctx, output, base, braces, extrasType, recurseTimes, value) {
    if (ctx.compact !== true) {
      if (typeof ctx.compact === 'number' && ctx.compact >= 1) {
        // Memorize the original output length. In case the output is grouped,
        // prevent lining up the entries on a single line.
        const entries = output.length;
        // Group array elements together if the array contains at least six
        // separate entries.
        if (extrasType === kArrayExtrasType && entries > 6) {
          output = groupArrayElements(ctx, output, value);
        }
        // `ctx.currentDepth` is set to the most inner depth of the currently
        // inspected object part while `recurseTimes` is the actual current depth
        // that is inspected.
        //
        // Example:
        //
        // const a = { first: [ 1, 2, 3 ], second: { inner: [ 1, 2, 3 ] } }
        //
        // The deepest depth of `a` is 2 (a.second.inner) and `a.first` has a max
        // depth of 1.
        //
        // Consolidate all entries of the local most inner depth up to
        // `ctx.compact`, as long as the properties are smaller than
        // `ctx.breakLength`.
        if (ctx.currentDepth - recurseTimes < ctx.compact &&
            entries === output.length) {
          // Line up all entries on a single line in case the entries do not
          // exceed `breakLength`. Add 10 as constant to start next to all other
          // factors that may reduce `breakLength`.
          const start = output.length + ctx.indentationLvl +
                        braces[0].length + base.length + 10;
          if (isBelowBreakLength(ctx, output, start, base)) {
            const joinedOutput = join(output, ', ');
            if (!StringPrototypeIncludes(joinedOutput, '\n')) {
              return `${base ? `${base} ` : ''}${braces[0]} ${joinedOutput}` +
                ` ${braces[1]}`;
            }
          }
        }
      }
      // Line up each entry on an individual line.
      const indentation = `\n${StringPrototypeRepeat(' ', ctx.indentationLvl)}`;
      return `${base ? `${base} ` : ''}${braces[0]}${indentation}  ` +
        `${join(output, `,${indentation}  `)}${indentation}${braces[1]}`;
    }
    // Line up all entries on a single line in case the entries do not exceed
    // `breakLength`.
    if (isBelowBreakLength(ctx, output, 0, base)) {
      return `${braces[0]}${base ? ` ${base}` : ''} ${join(output, ', ')} ` +
        braces[1];
    }
    const indentation = StringPrototypeRepeat(' ', ctx.indentationLvl);
    // If the opening "brace" is too large, like in the case of "Set {",
    // we need to force the first item to be on the next line or the
    // items will not line up correctly.
    const ln = base === '' && braces[0].length === 1 ?
      ' ' : `${base ? ` ${base}` : ''}\n${indentation}  `;
    // Line up each entry on an individual line.
    return `${braces[0]}${ln}${join(output, `,\n${indentation}  `)} ${braces[1]}`;
  }

  function hasBuiltInToString(value) {
    // Prevent triggering proxy traps.
    const getFullProxy = false;
    const proxyTarget = getProxyDetails(value, getFullProxy);
    if (proxyTarget !== undefined) {
      if (proxyTarget === null) {
        return true;
      }
      value = proxyTarget;
    }

    let hasOwnToString = ObjectPrototypeHasOwnProperty;
    let hasOwnToPrimitive = ObjectPrototypeHasOwnProperty;

    // Count objects without `toString` and `Symbol.toPrimitive` function as built-in.
    if (typeof value.toString !== 'function') {
      if (typeof value[SymbolToPrimitive] !== 'function') {
        return true;
      } else if (ObjectPrototypeHasOwnProperty(value, SymbolToPrimitive)) {
        return false;
      }
      hasOwnToString = returnFalse;
    } else if (ObjectPrototypeHasOwnProperty(value, 'toString')) {
      return false;
    } else if (typeof value[SymbolToPrimitive] !== 'function') {
      hasOwnToPrimitive = returnFalse;
    } else if (ObjectPrototypeHasOwnProperty(value, SymbolToPrimitive)) {
      return false;
    }

    // Find the object that has the `toString` property or `Symbol.toPrimitive` property
    // as own property in the prototype chain.
    let pointer = value;
    do {
      pointer = ObjectGetPrototypeOf(pointer);
    } while (!hasOwnToString(pointer, 'toString') &&
      !hasOwnToPrimitive(pointer, SymbolToPrimitive));

    // Check closer if the object is a built-in.
    const descriptor = ObjectGetOwnPropertyDescriptor(pointer, 'constructor');
    return descriptor !== undefined &&
      typeof descriptor.value === 'function' &&
      builtInObjects.has(descriptor.value.name);
  }

  function returnFalse() {
    return false;
  }

  const firstErrorLine = (error) => StringPrototypeSplit(error.message, '\n', 1)[0];
  let CIRCULAR_ERROR_MESSAGE;
  function tryStringify(arg) {
    try {
      return JSONStringify(arg);
    } catch (err) {
      // Populate the circular error message lazily
      if (!CIRCULAR_ERROR_MESSAGE) {
        try {
          const a = {};
          a.a = a;
          JSONStringify(a);
        } catch (circularError) {
          CIRCULAR_ERROR_MESSAGE = firstErrorLine(circularError);
        }
      }
      if (err.name === 'TypeError' &&
          firstErrorLine(err) === CIRCULAR_ERROR_MESSAGE) {
        return '[Circular]';
      }
      throw err;
    }
  }

  function format(...args) {
    return formatWithOptionsInternal(undefined, args);
  }

  function formatWithOptions(inspectOptions, ...args) {
    validateObject(inspectOptions, 'inspectOptions', kValidateObjectAllowArray);
    return formatWithOptionsInternal(inspectOptions, args);
  }

  function formatNumberNoColor(number, options) {
    return formatNumber(
      stylizeNoColor,
      number,
      options?.numericSeparator ?? inspectDefaultOptions.numericSeparator,
    );
  }

  function formatBigIntNoColor(bigint, options) {
    return formatBigInt(
      stylizeNoColor,
      bigint,
      options?.numericSeparator ?? inspectDefaultOptions.numericSeparator,
    );
  }

  function formatWithOptionsInternal(inspectOptions, args) {
    const first = args[0];
    let a = 0;
    let str = '';
    let join = '';

    if (typeof first === 'string') {
      if (args.length === 1) {
        return first;
      }
      let tempStr;
      let lastPos = 0;

      for (let i = 0; i < first.length - 1; i++) {
        if (StringPrototypeCharCodeAt(first, i) === 37) { // '%'
          const nextChar = StringPrototypeCharCodeAt(first, ++i);
          if (a + 1 !== args.length) {
            switch (nextChar) {
              case 115: { // 's'
                const tempArg = args[++a];
                if (typeof tempArg === 'number') {
                  tempStr = formatNumberNoColor(tempArg, inspectOptions);
                } else if (typeof tempArg === 'bigint') {
                  tempStr = formatBigIntNoColor(tempArg, inspectOptions);
                } else if (typeof tempArg !== 'object' ||
                           tempArg === null ||
                           !hasBuiltInToString(tempArg)) {
                  tempStr = String(tempArg);
                } else {
                  tempStr = inspect(tempArg, {
                    ...inspectOptions,
                    compact: 3,
                    colors: false,
                    depth: 0,
                  });
                }
                break;
              }
              case 106: // 'j'
                tempStr = tryStringify(args[++a]);
                break;
              case 100: { // 'd'
                const tempNum = args[++a];
                if (typeof tempNum === 'bigint') {
                  tempStr = formatBigIntNoColor(tempNum, inspectOptions);
                } else if (typeof tempNum === 'symbol') {
                  tempStr = 'NaN';
                } else {
                  tempStr = formatNumberNoColor(Number(tempNum), inspectOptions);
                }
                break;
              }
              case 79: // 'O'
                tempStr = inspect(args[++a], inspectOptions);
                break;
              case 111: // 'o'
                tempStr = inspect(args[++a], {
                  ...inspectOptions,
                  showHidden: true,
                  showProxy: true,
                  depth: 4,
                });
                break;
              case 105: { // 'i'
                const tempInteger = args[++a];
                if (typeof tempInteger === 'bigint') {
                  tempStr = formatBigIntNoColor(tempInteger, inspectOptions);
                } else if (typeof tempInteger === 'symbol') {
                  tempStr = 'NaN';
                } else {
                  tempStr = formatNumberNoColor(
                    NumberParseInt(tempInteger), inspectOptions);
                }
                break;
              }
              case 102: { // 'f'
                const tempFloat = args[++a];
                if (typeof tempFloat === 'symbol') {
                  tempStr = 'NaN';
                } else {
                  tempStr = formatNumberNoColor(
                    NumberParseFloat(tempFloat), inspectOptions);
                }
                break;
              }
              case 99: // 'c'
                a += 1;
                tempStr = '';
                break;
              case 37: // '%'
                str += StringPrototypeSlice(first, lastPos, i);
                lastPos = i + 1;
                continue;
              default: // Any other character is not a correct placeholder
                continue;
            }
            if (lastPos !== i - 1) {
              str += StringPrototypeSlice(first, lastPos, i - 1);
            }
            str += tempStr;
            lastPos = i + 1;
          } else if (nextChar === 37) {
            str += StringPrototypeSlice(first, lastPos, i);
            lastPos = i + 1;
          }
        }
      }
      if (lastPos !== 0) {
        a++;
        join = ' ';
        if (lastPos < first.length) {
          str += StringPrototypeSlice(first, lastPos);
        }
      }
    }

    while (a < args.length) {
      const value = args[a];
      str += join;
      if (typeof value === 'string') {
        str += value;
      } else {
        // hookbox: see fastInspect.
        const fast = inspectOptions === undefined ? fastInspect(value) : undefined;
        str += fast !== undefined ? fast : inspect(value, inspectOptions);
      }
      join = ' ';
      a++;
    }
    return str;
  }

  function isZeroWidthCodePoint(code) {
    return code <= 0x1F || // C0 control codes
      (code >= 0x7F && code <= 0x9F) || // C1 control codes
      (code >= 0x300 && code <= 0x36F) || // Combining Diacritical Marks
      (code >= 0x200B && code <= 0x200F) || // Modifying Invisible Characters
      // Combining Diacritical Marks for Symbols
      (code >= 0x20D0 && code <= 0x20FF) ||
      (code >= 0xFE00 && code <= 0xFE0F) || // Variation Selectors
      (code >= 0xFE20 && code <= 0xFE2F) || // Combining Half Marks
      (code >= 0xE0100 && code <= 0xE01EF); // Variation Selectors
  }

  // hookbox: Node 20 measures with ICU: ASCII by hand, then the rest in
  // ICU's columns. ICU is not here; the rest is measured with the table
  // Node uses when it is built without ICU (East Asian wide and full-width
  // characters are two columns, combining marks none).
  getStringWidth = function getStringWidth(str, removeControlChars = true) {
    let width = 0;

    if (removeControlChars) {
      str = stripVTControlCharacters(str);
    }
    for (let i = 0; i < str.length; i++) {
      const code = StringPrototypeCharCodeAt(str, i);
      if (code >= 127) {
        const rest = StringPrototypeNormalize(StringPrototypeSlice(str, i), 'NFC');
        for (let j = 0; j < rest.length; j++) {
          const point = StringPrototypeCodePointAt(rest, j);
          if (point > 0xffff) j++;
          if (isFullWidthCodePoint(point)) {
            width += 2;
          } else if (!isZeroWidthCodePoint(point)) {
            width++;
          }
        }
        break;
      }
      width += code >= 32 ? 1 : 0;
    }
    return width;
  };

  /**
   * Returns true if the character represented by a given
   * Unicode code point is full-width. Otherwise returns false.
   */
  const isFullWidthCodePoint = (code) => {
    // Code points are partially derived from:
    // https://www.unicode.org/Public/UNIDATA/EastAsianWidth.txt
    return code >= 0x1100 && (
      code <= 0x115f ||  // Hangul Jamo
      code === 0x2329 || // LEFT-POINTING ANGLE BRACKET
      code === 0x232a || // RIGHT-POINTING ANGLE BRACKET
      // CJK Radicals Supplement .. Enclosed CJK Letters and Months
      (code >= 0x2e80 && code <= 0x3247 && code !== 0x303f) ||
      // Enclosed CJK Letters and Months .. CJK Unified Ideographs Extension A
      (code >= 0x3250 && code <= 0x4dbf) ||
      // CJK Unified Ideographs .. Yi Radicals
      (code >= 0x4e00 && code <= 0xa4c6) ||
      // Hangul Jamo Extended-A
      (code >= 0xa960 && code <= 0xa97c) ||
      // Hangul Syllables
      (code >= 0xac00 && code <= 0xd7a3) ||
      // CJK Compatibility Ideographs
      (code >= 0xf900 && code <= 0xfaff) ||
      // Vertical Forms
      (code >= 0xfe10 && code <= 0xfe19) ||
      // CJK Compatibility Forms .. Small Form Variants
      (code >= 0xfe30 && code <= 0xfe6b) ||
      // Halfwidth and Fullwidth Forms
      (code >= 0xff01 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      // Kana Supplement
      (code >= 0x1b000 && code <= 0x1b001) ||
      // Enclosed Ideographic Supplement
      (code >= 0x1f200 && code <= 0x1f251) ||
      // Miscellaneous Symbols and Pictographs 0x1f300 - 0x1f5ff
      // Emoticons 0x1f600 - 0x1f64f
      (code >= 0x1f300 && code <= 0x1f64f) ||
      // CJK Unified Ideographs Extension B .. Tertiary Ideographic Plane
      (code >= 0x20000 && code <= 0x3fffd)
    );
  };


  /**
   * Remove all VT control characters. Use to estimate displayed string width.
   */
  function stripVTControlCharacters(str) {
    validateString(str, 'str');

    return RegExpPrototypeSymbolReplace(ansi, str, '');
  }

  // =====================================================================
  // Node v20.20.2's own [util.inspect.custom] methods of URL and
  // URLSearchParams (lib/internal/url.js) and Buffer (lib/buffer.js).
  // =====================================================================

  // lib/internal/util.js
  function getConstructorOf(obj) {
    while (obj) {
      const descriptor = ObjectGetOwnPropertyDescriptor(obj, 'constructor');
      if (descriptor !== undefined &&
          typeof descriptor.value === 'function' &&
          descriptor.value.name !== '') {
        return descriptor.value;
      }
      obj = ObjectGetPrototypeOf(obj);
    }
    return null;
  }

  // URL.prototype[inspect.custom]. hookbox: with showHidden, Node adds the
  // URL's internal context (a native object) under Symbol(context); there
  // is none here.
  function inspectURL(depth, opts) {
    if (typeof depth === 'number' && depth < 0)
      return this;

    const constructor = getConstructorOf(this) || options.URL;
    const obj = { __proto__: { constructor } };

    obj.href = this.href;
    obj.origin = this.origin;
    obj.protocol = this.protocol;
    obj.username = this.username;
    obj.password = this.password;
    obj.host = this.host;
    obj.hostname = this.hostname;
    obj.port = this.port;
    obj.pathname = this.pathname;
    obj.search = this.search;
    obj.searchParams = this.searchParams;
    obj.hash = this.hash;

    return `${constructor.name} ${inspect(obj, opts)}`;
  }

  // URLSearchParams.prototype[inspect.custom]; its list read through the
  // class's own iterator.
  function inspectURLSearchParams(recurseTimes, ctx) {
    if (typeof recurseTimes === 'number' && recurseTimes < 0)
      return ctx.stylize('[Object]', 'special');

    const separator = ', ';
    const innerOpts = { ...ctx };
    if (recurseTimes !== null) {
      innerOpts.depth = recurseTimes - 1;
    }
    const innerInspect = (v) => inspect(v, innerOpts);

    const list = [];
    const iterate = options.URLSearchParams.prototype[SymbolIterator];
    for (const { 0: name, 1: value } of { [SymbolIterator]: () => FunctionPrototypeCall(iterate, this) }) {
      ArrayPrototypePush(list, name, value);
    }
    const output = [];
    for (let i = 0; i < list.length; i += 2)
      ArrayPrototypePush(
        output,
        `${innerInspect(list[i])} => ${innerInspect(list[i + 1])}`);

    const length = ArrayPrototypeReduce(
      output,
      (prev, cur) => prev + removeColors(cur).length + separator.length,
      -separator.length,
    );
    if (length > ctx.breakLength) {
      return `${this.constructor.name} {\n` +
      `  ${ArrayPrototypeJoin(output, ',\n  ')} }`;
    } else if (output.length) {
      return `${this.constructor.name} { ` +
      `${ArrayPrototypeJoin(output, separator)} }`;
    }
    return `${this.constructor.name} {}`;
  }

  // hookbox: the custom inspector Node's class has, for an instance of
  // hookbox's URL or URLSearchParams (which have none of their own).
  function builtinCustomInspect(value) {
    const URLClass = options && options.URL;
    if (typeof URLClass === 'function' && value instanceof URLClass) return inspectURL;
    const ParamsClass = options && options.URLSearchParams;
    if (typeof ParamsClass === 'function' && value instanceof ParamsClass) return inspectURLSearchParams;
    return undefined;
  }

  // Buffer.prototype[inspect.custom] (also Buffer.prototype.inspect).
  // INSPECT_MAX_BYTES is read from the buffer module, as Node reads its own.
  function bufferInspect(recurseTimes, ctx) {
    const max = options.bufferModule.INSPECT_MAX_BYTES;
    const actualMax = MathMin(max, this.length);
    const remaining = this.length - max;
    let str = StringPrototypeTrim(RegExpPrototypeSymbolReplace(
      /(.{2})/g, hexSlice(this, 0, actualMax), '$1 '));
    if (remaining > 0)
      str += ` ... ${remaining} more byte${remaining > 1 ? 's' : ''}`;
    // Inspect special properties as well, if possible.
    if (ctx) {
      let extras = false;
      const filter = ctx.showHidden ? ALL_PROPERTIES : ONLY_ENUMERABLE;
      const obj = { __proto__: null };
      ArrayPrototypeForEach(getOwnNonIndexProperties(this, filter),
                            (key) => {
                              extras = true;
                              obj[key] = this[key];
                            });
      if (extras) {
        if (this.length !== 0)
          str += ', ';
        // '[Object: null prototype] {'.length === 26
        // This is guarded with a test.
        str += StringPrototypeSlice(inspect(obj, {
          ...ctx,
          breakLength: Infinity,
          compact: true,
        }), 27, -2);
      }
    }
    return `<${this.constructor.name} ${str}>`;
  }

  return {
    inspect,
    format,
    formatWithOptions,
    stripVTControlCharacters,
    bufferInspect,
    // console.log's line: util.format's text for an array of arguments.
    formatArgs: (args) => formatWithOptionsInternal(undefined, args),
  };
})
