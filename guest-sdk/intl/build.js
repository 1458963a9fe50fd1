#!/usr/bin/env node
// Generates guest-sdk/js/intl-data.js, the tables guest-sdk/js/intl.js formats with, from the ICU of
// the Node that runs it (Node 20: the reference hookbox matches). For every supported locale and
// every combination of options intl.js knows, it asks Node for the pattern (formatToParts of a date
// whose fields are all different), the month, weekday and day-period names in that pattern's context,
// and resolvedOptions(); then it formats sample instants with intl.js over the new tables and with
// Node, and keeps a combination only where every sample agrees. Numbers: each style's patterns and
// every currency's symbols and fraction digits, checked against Node (every locale, currency,
// currencyDisplay and currencySign) before the tables are written. Usage: node guest-sdk/intl/build.js [out]
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");

const OUT = process.argv[2] || path.join(__dirname, "..", "js", "intl-data.js");
const LOCALES = ["en-US", "en-GB", "zh-CN", "ja-JP", "fr-FR", "de-DE"];
// The option lists intl.js indexes its tables by (one definition, there).
const intlSource = fs.readFileSync(path.join(__dirname, "..", "js", "intl.js"), "utf8");
const { COMPONENTS, HOUR12, DATE_STYLES, TIME_STYLES } = vm.runInNewContext(intlSource, {}, { filename: "intl.js" })({}, null).options;
// Base-64 digits per template id, and per offset into the templates' string.
const ID_WIDTH = 3;
const OFFSET_WIDTH = 4;
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// 2001-02-03T04:05:06Z: every field a different digit.
const PROBE = Date.UTC(2001, 1, 3, 4, 5, 6);
// Instants each kept combination must format exactly as Node does.
const SAMPLES = [
  PROBE,
  Date.UTC(2024, 0, 16, 3, 0, 0),
  Date.UTC(1999, 11, 31, 23, 59, 59),
  Date.UTC(2024, 9, 13, 12, 30, 45),
  Date.UTC(2030, 6, 1, 0, 0, 0),
  Date.UTC(2024, 1, 29, 13, 7, 9),
  Date.UTC(1970, 0, 1, 11, 59, 0),
];

const names = [];
const nameIndex = new Map();
function intern(list) {
  const key = JSON.stringify(list);
  if (!nameIndex.has(key)) {
    nameIndex.set(key, names.length);
    names.push(list);
  }
  return nameIndex.get(key);
}

const literals = [];
const literalIndex = new Map();
function internLiteral(text) {
  if (!literalIndex.has(text)) {
    literalIndex.set(text, literals.length);
    literals.push(text);
  }
  return literalIndex.get(text);
}

const templates = [];
const templateIndex = new Map();
function internTemplate(t) {
  const key = t.join("\t");
  if (!templateIndex.has(key)) {
    templateIndex.set(key, templates.length);
    templates.push(t);
  }
  return templateIndex.get(key) + 1; // 0 = unsupported
}

function partOf(fmt, ms, type) {
  const p = fmt.formatToParts(ms).find((x) => x.type === type);
  return p ? p.value : undefined;
}

const STYLE_CHAR = { numeric: "n", "2-digit": "2", long: "l", short: "s", narrow: "w" };
const CYCLE_CHAR = { h11: "1", h12: "2", h23: "3", h24: "4" };

// The template of one DateTimeFormat: its parts as tokens ("'lit", "y1",
// "Ml3" = month, long, name list 3, "h23" = hour, 2 digits, h23, …), or null
// where the pattern holds something intl.js does not render. What
// resolvedOptions() reports is read back from the tokens.
function template(fmt) {
  const tokens = [];
  const r = fmt.resolvedOptions();
  const style = (k) => (r[k] === undefined ? "x" : STYLE_CHAR[r[k]]);
  for (const p of fmt.formatToParts(PROBE)) {
    switch (p.type) {
      case "literal":
        // ICU's fallback for fields that have no pattern together
        // ("Saturday (second: 6)"): left out, so it throws in hookbox.
        if (/[(（]/.test(p.value) && /[:：]/.test(p.value)) return null;
        tokens.push("'" + internLiteral(p.value));
        break;
      case "year":
        if (p.value === "2001") tokens.push("y1");
        else if (p.value === "01") tokens.push("y2");
        else return null;
        break;
      case "month": {
        const list = [];
        for (let m = 0; m < 12; m++) list.push(partOf(fmt, Date.UTC(2001, m, 10, 4), "month"));
        tokens.push("M" + style("month") + intern(list));
        break;
      }
      case "weekday": {
        const list = [];
        // 2001-01-07 was a Sunday.
        for (let d = 0; d < 7; d++) list.push(partOf(fmt, Date.UTC(2001, 0, 7 + d, 4), "weekday"));
        tokens.push("E" + style("weekday") + intern(list));
        break;
      }
      case "day":
        if (p.value === "3") tokens.push("d1");
        else if (p.value === "03") tokens.push("d2");
        else return null;
        break;
      case "hour":
        if (p.value === "4") tokens.push("h1" + CYCLE_CHAR[r.hourCycle]);
        else if (p.value === "04") tokens.push("h2" + CYCLE_CHAR[r.hourCycle]);
        else return null;
        break;
      case "minute":
        if (p.value === "5") tokens.push("m1");
        else if (p.value === "05") tokens.push("m2");
        else return null;
        break;
      case "second":
        if (p.value === "6") tokens.push("s1");
        else if (p.value === "06") tokens.push("s2");
        else return null;
        break;
      case "dayPeriod":
        tokens.push("a" + intern([partOf(fmt, Date.UTC(2001, 1, 3, 4), "dayPeriod"), partOf(fmt, Date.UTC(2001, 1, 3, 16), "dayPeriod")]));
        break;
      default:
        return null;
    }
  }
  return tokens;
}

function encode(ids, width = ID_WIDTH) {
  let s = "";
  for (const id of ids) {
    if (id >= 64 ** width) throw new Error("a number past " + width + " base-64 digits: " + id);
    let chunk = "";
    let n = id;
    for (let i = 0; i < width; i++) {
      chunk = B64[n % 64] + chunk;
      n = Math.floor(n / 64);
    }
    s += chunk;
  }
  return s;
}

function componentCombos(visit) {
  const walk = (i, options) => {
    if (i === COMPONENTS.length) {
      for (const h12 of HOUR12) {
        if (options.hour === undefined && h12 !== undefined) {
          visit(options, h12, false);
          continue;
        }
        visit(options, h12, true);
      }
      return;
    }
    const [name, values] = COMPONENTS[i];
    for (const v of values) walk(i + 1, { ...options, [name]: v });
  };
  walk(0, {});
}

function withH12(options, h12) {
  const o = { timeZone: "UTC" };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;
  if (h12 !== undefined) o.hour12 = h12;
  return o;
}

const tables = {};
const wanted = {}; // locale -> [{kind, index, options}]
for (const locale of LOCALES) {
  const components = [];
  const wantedHere = [];
  componentCombos((options, h12, meaningful) => {
    if (!meaningful) {
      components.push(0);
      return;
    }
    const o = withH12(options, h12);
    const none = Object.values(options).every((v) => v === undefined);
    if (none) {
      components.push(0); // defaults are applied before the lookup
      return;
    }
    const t = template(new Intl.DateTimeFormat(locale, o));
    const id = t ? internTemplate(t) : 0;
    components.push(id);
    if (id) wantedHere.push({ kind: "components", index: components.length - 1, options: o });
  });
  const styles = [];
  for (const ds of DATE_STYLES) {
    for (const ts of TIME_STYLES) {
      for (const h12 of HOUR12) {
        if ((ts === undefined && h12 !== undefined) || (ds === undefined && ts === undefined)) {
          styles.push(0);
          continue;
        }
        const o = { timeZone: "UTC" };
        if (ds) o.dateStyle = ds;
        if (ts) o.timeStyle = ts;
        if (h12 !== undefined) o.hour12 = h12;
        const t = template(new Intl.DateTimeFormat(locale, o));
        const id = t ? internTemplate(t) : 0;
        styles.push(id);
        if (id) wantedHere.push({ kind: "styles", index: styles.length - 1, options: o });
      }
    }
  }
  tables[locale] = { components, styles };
  wanted[locale] = wantedHere;
}

// Locales: the full tags, and the language-only tags ("de") wherever their output is the full
// tag's for every kept combination (Node shows them as given in resolvedOptions().locale).
const locales = {};
for (const locale of LOCALES) {
  locales[locale.toLowerCase()] = [locale, locale];
  const short = locale.split("-")[0];
  if (locales[short]) continue;
  let same = new Intl.DateTimeFormat(short).resolvedOptions().locale === short;
  for (const w of wanted[locale]) {
    if (!same) break;
    const a = new Intl.DateTimeFormat(locale, w.options);
    const b = new Intl.DateTimeFormat(short, w.options);
    for (const ms of [PROBE, SAMPLES[3]]) if (a.format(ms) !== b.format(ms)) same = false;
  }
  if (same) locales[short] = [short, locale];
}

// Intl.NumberFormat's tags: the same, until regional locales are added below (dates and numbers
// apart).
const numberLocales = { ...locales };

// Time zones Node knows: every name in the system's zoneinfo and Node's own list, to Node's
// canonical name.
const zones = {};
function zoneNames(dir, prefix) {
  let out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (["posix", "right", "SystemV"].includes(entry.name)) continue;
    const name = prefix ? prefix + "/" + entry.name : entry.name;
    if (entry.isDirectory()) out = out.concat(zoneNames(path.join(dir, entry.name), name));
    else if (/^[A-Z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) out.push(name);
  }
  return out;
}
const candidates = new Set(Intl.supportedValuesOf("timeZone"));
if (fs.existsSync("/usr/share/zoneinfo")) for (const z of zoneNames("/usr/share/zoneinfo", "")) candidates.add(z);
for (const z of ["UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z"]) candidates.add(z);
for (const z of [...candidates].sort()) {
  try {
    zones[z.toLowerCase()] = new Intl.DateTimeFormat("en-US", { timeZone: z }).resolvedOptions().timeZone;
  } catch (_) {
    // Node does not know it: neither does hookbox.
  }
}

function render(idWidthTables) {
  const out = {};
  for (const [locale, t] of Object.entries(idWidthTables)) {
    out[locale] = { components: encode(t.components), styles: encode(t.styles) };
  }
  return out;
}

function offsetsOf(list) {
  const out = [];
  let at = 0;
  for (const t of list) {
    out.push(at);
    at += t.join("\t").length + 1;
  }
  return out;
}

// Each locale's number symbols: [group, decimal, minus sign, infinity, NaN].
const numbers = {};
for (const locale of LOCALES) {
  const f = new Intl.NumberFormat(locale);
  const part = (x, type) => f.formatToParts(x).find((p) => p.type === type).value;
  numbers[locale] = [part(1234567.5, "group"), part(1.5, "decimal"), part(-1, "minusSign"), part(Infinity, "infinity"), part(NaN, "nan")];
}

// Number patterns: each style's positive and negative forms, as tokens ("#" the number, "¤" the
// currency, "-X" a minus sign X, "%X" a percent sign X, "'X" literal X), read from
// formatToParts. Interned: `numberPatterns[id]` is the tokens of [a positive number, a negative
// one, +Infinity (and NaN), -Infinity].
const numberPatterns = [];
const numberPatternIndex = new Map();
const NUMBER_BODY = new Set(["integer", "group", "decimal", "fraction"]);
function patternTokens(fmt, x, symbol) {
  const out = [];
  for (const p of fmt.formatToParts(x)) {
    if (NUMBER_BODY.has(p.type) || p.type === "infinity") {
      if (out[out.length - 1] !== "#") out.push("#");
    } else if (p.type === "literal") out.push("'" + p.value);
    else if (p.type === "minusSign") out.push("-" + p.value);
    else if (p.type === "percentSign") out.push("%" + p.value);
    else if (p.type === "currency" && p.value === symbol) out.push("¤");
    else throw new Error(`a number part intl.js does not draw: ${JSON.stringify(p)} in ${JSON.stringify(fmt.resolvedOptions())}`);
  }
  return out;
}
function numberPattern(fmt, symbol) {
  // ICU's currency spacing (the space in "AED 1.00") stands only next to a digit: "AED∞".
  const pair = [1234.5, -1234.5, Infinity, -Infinity].map((x) => patternTokens(fmt, x, symbol));
  const key = JSON.stringify(pair);
  if (!numberPatternIndex.has(key)) {
    numberPatternIndex.set(key, numberPatterns.length);
    numberPatterns.push(pair);
  }
  return numberPatternIndex.get(key);
}
const symbolOf = (fmt) => fmt.formatToParts(1).find((p) => p.type === "currency").value;

// Currencies: every ISO 4217 code Node lists, and every other three-letter code whose ICU data
// formats differently from a code ICU does not know (historic ones: DEM, FRF, ...).
const CURRENCY_DISPLAYS = ["symbol", "narrowSymbol", "code"];
const CURRENCY_SIGNS = ["standard", "accounting"];
const UNKNOWN_CURRENCY = "QQQ";
const currencyCodes = new Set(Intl.supportedValuesOf("currency"));
{
  const sample = (locale, code, display, sign) =>
    new Intl.NumberFormat(locale, { style: "currency", currency: code, currencyDisplay: display, currencySign: sign })
      .format(-1234.5).replace(code, "@");
  const fallback = {};
  for (const locale of LOCALES) for (const d of CURRENCY_DISPLAYS) for (const s of CURRENCY_SIGNS) fallback[locale + d + s] = sample(locale, UNKNOWN_CURRENCY, d, s);
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const a of A) for (const b of A) for (const c of A) {
    const code = a + b + c;
    if (currencyCodes.has(code)) continue;
    search: for (const locale of LOCALES) for (const d of ["symbol", "narrowSymbol"]) for (const s of CURRENCY_SIGNS) {
      if (sample(locale, code, d, s) !== fallback[locale + d + s]) {
        currencyCodes.add(code);
        break search;
      }
    }
  }
}
const currencyList = [...currencyCodes].sort();
// Fraction digits where not 2 (the same in every locale: ICU's supplemental data).
const currencyDigits = {};
for (const code of currencyList) {
  const ds = LOCALES.map((l) => new Intl.NumberFormat(l, { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits);
  if (new Set(ds).size !== 1) throw new Error(`${code}'s fraction digits differ by locale: ${ds}`);
  if (ds[0] !== 2) currencyDigits[ds[0]] = (currencyDigits[ds[0]] ? currencyDigits[ds[0]] + " " : "") + code;
}
if (new Intl.NumberFormat("en", { style: "currency", currency: UNKNOWN_CURRENCY }).resolvedOptions().maximumFractionDigits !== 2) {
  throw new Error("an unknown currency code does not have 2 fraction digits");
}
// Per locale, style "decimal" and "percent": a pattern id each. Per locale and currencyDisplay:
// [symbol table id, a code's pattern id for each currencySign, {code: [pattern ids]} where a
// known code's pattern differs]. Symbol tables {code: symbol} (where not the code itself) are
// shared between locales that agree.
const symbolTables = [];
const symbolTableIndex = new Map();
const numberStyles = {};
for (const locale of LOCALES) {
  const here = {
    decimal: numberPattern(new Intl.NumberFormat(locale)),
    percent: numberPattern(new Intl.NumberFormat(locale, { style: "percent" })),
  };
  for (const display of CURRENCY_DISPLAYS) {
    const fmt = (code, sign) => new Intl.NumberFormat(locale, { style: "currency", currency: code, currencyDisplay: display, currencySign: sign });
    const defaults = CURRENCY_SIGNS.map((s) => numberPattern(fmt(UNKNOWN_CURRENCY, s), UNKNOWN_CURRENCY));
    const symbols = {};
    const exceptions = {};
    for (const code of currencyList) {
      const symbol = symbolOf(fmt(code, "standard"));
      if (symbol !== code) symbols[code] = symbol;
      const ids = CURRENCY_SIGNS.map((s) => numberPattern(fmt(code, s), symbol));
      if (ids.some((id, i) => id !== defaults[i])) exceptions[code] = ids;
    }
    const key = JSON.stringify(symbols);
    if (!symbolTableIndex.has(key)) {
      symbolTableIndex.set(key, symbolTables.length);
      symbolTables.push(symbols);
    }
    here[display] = [symbolTableIndex.get(key), ...defaults, exceptions];
  }
  numberStyles[locale] = here;
}

// Collation of printable ASCII, as ICU's root order (which the six locales
// keep for ASCII): each character's primary weight (equal for letters that
// differ only in case) and tertiary weight (lower case first). Checked
// against Node on random strings below; where it disagreed, hookbox throws.
const ASCII = [];
for (let c = 32; c < 127; c++) ASCII.push(String.fromCharCode(c));
const base = new Intl.Collator("en", { sensitivity: "base" });
const full = new Intl.Collator("en");
const byBase = [...ASCII].sort((a, b) => base.compare(a, b) || full.compare(a, b));
const collation = { primary: {}, tertiary: {} };
let weight = 0;
for (let i = 0; i < byBase.length; i++) {
  if (i === 0 || base.compare(byBase[i - 1], byBase[i]) !== 0) weight++;
  collation.primary[byBase[i]] = weight;
  collation.tertiary[byBase[i]] = byBase[i] === byBase[i].toLowerCase() ? 0 : 1;
}
const collationString = (table) => ASCII.map((c) => String.fromCharCode(48 + table[c])).join("");

function dataObject() {
  return {
    defaultLocale: "en-US",
    numbers,
    numberPatterns,
    numberStyles,
    currencies: { digits: currencyDigits, symbols: symbolTables },
    // Per printable ASCII character (code - 32): its weight + 48, as a character.
    collation: { primary: collationString(collation.primary), tertiary: collationString(collation.tertiary) },
    idWidth: ID_WIDTH,
    locales,
    // [shown tag, table key] by lower-case tag: Intl.DateTimeFormat's, then Intl.NumberFormat's.
    numberLocales,
    zones,
    names,
    literals,
    // Every template, ASCII: tokens separated by a tab, templates by a
    // newline; `offsets` holds where each starts, idWidth base-64 digits each.
    templates: templates.map((t) => t.join("\t")).join("\n"),
    offsetWidth: OFFSET_WIDTH,
    offsets: encode(offsetsOf(templates), OFFSET_WIDTH),
    tables: render(tables),
  };
}

// Check every kept combination against Node, through intl.js itself.
function nodeOffset(zone, ms) {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((local - (ms - (ms % 1000))) / 1000);
}
let dropped = 0;
let droppedInAll = 0;
for (let pass = 0; pass < 2; pass++) {
  const ours = vm.runInNewContext(intlSource, {}, { filename: "intl.js" })(dataObject(), nodeOffset);
  dropped = 0;
  for (const locale of LOCALES) {
    for (const w of wanted[locale]) {
      const table = tables[locale][w.kind];
      if (!table[w.index]) continue;
      let ok = true;
      try {
        const a = new ours.DateTimeFormat(locale, w.options);
        const b = new Intl.DateTimeFormat(locale, w.options);
        for (const ms of SAMPLES) {
          if (a.format(ms) !== b.format(ms)) ok = false;
        }
        if (JSON.stringify(a.resolvedOptions()) !== JSON.stringify(b.resolvedOptions())) ok = false;
      } catch (e) {
        ok = false;
      }
      if (!ok) {
        table[w.index] = 0;
        dropped++;
        if (process.env.INTL_DEBUG && dropped < 5) {
          const a = new ours.DateTimeFormat(locale, w.options);
          const b = new Intl.DateTimeFormat(locale, w.options);
          console.error(locale, JSON.stringify(w.options), SAMPLES.map((ms) => [a.format(ms), b.format(ms)]), JSON.stringify(a.resolvedOptions()), JSON.stringify(b.resolvedOptions()));
        }
      }
    }
  }
  droppedInAll += dropped;
  if (dropped === 0) break;
}

// Regional locales (and Chinese script forms) of the supported languages that Node's ICU knows
// apart from their language ("de-AT" resolves to itself, "de-XX" to "de"): each is answered with
// the tables of a supported locale of its language where Node formats it the same way as that one,
// for every kept template (dates) and for every number format the check below makes (numbers), so
// that hookbox's answer for it is Node's. Dates and numbers are decided apart (`locales`,
// `numberLocales`). Every other tag falls back to the default, visibly.
const NUMBER_VALUES = [1234.5, -1234.5, 0, -0, 0.005, -0.001, 0.125, 7, 1234567.891, 1e21, -1e-7, 0.07, Infinity, -Infinity, NaN];
const NUMBER_OPTIONS = [
  {}, { maximumFractionDigits: 0 }, { minimumFractionDigits: 3 }, { maximumFractionDigits: 1 },
  { useGrouping: false }, { useGrouping: "min2" }, { minimumIntegerDigits: 4 },
];
const numberCases = [];
for (const extra of NUMBER_OPTIONS) numberCases.push(extra, { style: "percent", ...extra });
for (const code of [...currencyList, UNKNOWN_CURRENCY]) {
  for (const currencyDisplay of CURRENCY_DISPLAYS) {
    for (const currencySign of CURRENCY_SIGNS) numberCases.push({ style: "currency", currency: code, currencyDisplay, currencySign });
  }
}
for (const extra of NUMBER_OPTIONS) for (const currency of ["USD", "JPY", "KWD", "CLF"]) numberCases.push({ style: "currency", currency, ...extra });
const withoutLocale = (resolved) => JSON.stringify({ ...resolved, locale: undefined });
// Node's answers for a supported locale, computed once: per kept template (styles first, as they
// tell most locales apart at once), and per number format.
const dateAnswers = new Map();
function datesOf(base, tag) {
  const out = [];
  const order = wanted[base].filter((w) => w.kind === "styles").concat(wanted[base].filter((w) => w.kind !== "styles"));
  for (const w of order) {
    if (!tables[base][w.kind][w.index]) continue;
    const f = new Intl.DateTimeFormat(tag, w.options);
    out.push(SAMPLES.map((ms) => f.format(ms)).join("\n") + "\n" + withoutLocale(f.resolvedOptions()));
  }
  return out;
}
function datesAgree(regional, base) {
  if (!dateAnswers.has(base)) dateAnswers.set(base, datesOf(base, base));
  const want = dateAnswers.get(base);
  const order = wanted[base].filter((w) => w.kind === "styles").concat(wanted[base].filter((w) => w.kind !== "styles"));
  let i = 0;
  for (const w of order) {
    if (!tables[base][w.kind][w.index]) continue;
    const f = new Intl.DateTimeFormat(regional, w.options);
    if (SAMPLES.map((ms) => f.format(ms)).join("\n") + "\n" + withoutLocale(f.resolvedOptions()) !== want[i++]) return false;
  }
  return true;
}
const numberAnswers = new Map();
function numberOf(tag, options) {
  const f = new Intl.NumberFormat(tag, options);
  return withoutLocale(f.resolvedOptions()) + JSON.stringify(NUMBER_VALUES.map((x) => f.formatToParts(x)));
}
function numbersAgree(regional, base) {
  if (!numberAnswers.has(base)) numberAnswers.set(base, numberCases.map((o) => numberOf(base, o)));
  const want = numberAnswers.get(base);
  return numberCases.every((o, i) => numberOf(regional, o) === want[i]);
}
{
  const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const REGIONS = [];
  for (const a of LETTERS) for (const b of LETTERS) REGIONS.push(a + b);
  for (let n = 1; n < 1000; n++) REGIONS.push(String(n).padStart(3, "0"));
  const candidates = [];
  for (const language of [...new Set(LOCALES.map((l) => l.split("-")[0]))]) {
    const prefixes = language === "zh" ? ["zh", "zh-Hans", "zh-Hant"] : [language];
    for (const prefix of prefixes) {
      if (prefix !== language) candidates.push(prefix);
      for (const region of REGIONS) candidates.push(prefix + "-" + region);
    }
  }
  const mapped = { dates: [], numbers: [] };
  let others = 0;
  for (const tag of candidates) {
    if (locales[tag.toLowerCase()]) continue;
    const dateKnown = new Intl.DateTimeFormat(tag).resolvedOptions().locale === tag;
    const numberKnown = new Intl.NumberFormat(tag).resolvedOptions().locale === tag;
    if (!dateKnown && !numberKnown) continue;
    const bases = LOCALES.filter((l) => l.split("-")[0] === tag.split("-")[0]);
    const dateBase = dateKnown && bases.find((b) => datesAgree(tag, b));
    const numberBase = numberKnown && bases.find((b) => numbersAgree(tag, b));
    if (dateBase) {
      locales[tag.toLowerCase()] = [tag, dateBase];
      mapped.dates.push(tag + "→" + dateBase);
    }
    if (numberBase) {
      numberLocales[tag.toLowerCase()] = [tag, numberBase];
      mapped.numbers.push(tag + "→" + numberBase);
    }
    if (!dateBase || !numberBase) others++;
  }
  console.error(
    `intl-data: regional locales answered as Node does: dates ${mapped.dates.join(", ") || "none"}; ` +
      `numbers ${mapped.numbers.join(", ") || "none"}; ${others} others fall back to the default in dates or numbers`,
  );
}

// The collation, against Node on random ASCII strings in every locale.
{
  const ours = vm.runInNewContext(intlSource, {}, { filename: "intl.js" })(dataObject(), nodeOffset);
  let seed = 7;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const pick = () => {
    let t = "";
    const len = rand(6);
    for (let i = 0; i < len; i++) t += ASCII[rand(4) === 0 ? rand(95) : 33 + rand(26) + (rand(2) ? 32 : 0)];
    return t;
  };
  for (let i = 0; i < 200000; i++) {
    const a = pick();
    const b = rand(3) === 0 ? a.toUpperCase() : pick();
    const locale = LOCALES[rand(LOCALES.length)];
    const want = Math.sign(a.localeCompare(b, locale));
    const got = Math.sign(ours.localeCompare.call(a, b, locale));
    if (want !== got) throw new Error(`collation differs from Node for ${JSON.stringify(a)} vs ${JSON.stringify(b)} in ${locale}: ${got} vs ${want}`);
  }
}

// The regional date tags, through intl.js: each style combination (resolvedOptions().locale too).
{
  const ours = vm.runInNewContext(intlSource, {}, { filename: "intl.js" })(dataObject(), nodeOffset);
  for (const [tag, base] of Object.values(locales)) {
    if (LOCALES.includes(tag) || tag === base.split("-")[0]) continue;
    for (const w of wanted[base]) {
      if (w.kind !== "styles" || !tables[base].styles[w.index]) continue;
      const a = new ours.DateTimeFormat(tag, w.options);
      const b = new Intl.DateTimeFormat(tag, w.options);
      const got = JSON.stringify([SAMPLES.map((ms) => a.format(ms)), a.resolvedOptions()]);
      const want = JSON.stringify([SAMPLES.map((ms) => b.format(ms)), b.resolvedOptions()]);
      if (got !== want) throw new Error(`Intl.DateTimeFormat(${tag}, ${JSON.stringify(w.options)}) differs from Node:\n  ${got}\n  ${want}`);
    }
  }
}

// Numbers, against Node: every locale tag the tables answer for, style, currency (each code carried
// and some ICU does not know), currencyDisplay and currencySign, on values that reach every part.
{
  const ours = vm.runInNewContext(intlSource, {}, { filename: "intl.js" })(dataObject(), nodeOffset);
  const VALUES = [1234.5, -1234.5, 0, -0, 0.005, -0.001, 0.125, 7, 1234567.891, 1e21, -1e-7, 0.07, Infinity, -Infinity, NaN];
  const OPTIONS = [
    {}, { maximumFractionDigits: 0 }, { minimumFractionDigits: 3 }, { maximumFractionDigits: 1 },
    { useGrouping: false }, { useGrouping: "min2" }, { minimumIntegerDigits: 4 },
  ];
  const same = (locale, options, values) => {
    const a = new ours.Intl.NumberFormat(locale, options);
    const b = new Intl.NumberFormat(locale, options);
    const want = JSON.stringify([b.resolvedOptions(), values.map((x) => [b.format(x), b.formatToParts(x)])]);
    const got = JSON.stringify([a.resolvedOptions(), values.map((x) => [a.format(x), a.formatToParts(x)])]);
    if (got !== want) throw new Error(`Intl.NumberFormat(${JSON.stringify(locale)}, ${JSON.stringify(options)}) differs from Node:\n  ${got}\n  ${want}`);
  };
  const tags = Object.values(numberLocales).map((l) => l[0]);
  let checked = 0;
  for (const locale of tags) {
    for (const extra of OPTIONS) {
      same(locale, extra, VALUES);
      same(locale, { style: "percent", ...extra }, VALUES);
      checked += 2;
    }
    for (const code of [...currencyList, UNKNOWN_CURRENCY, "XYZ", "ABC", "usd"]) {
      for (const currencyDisplay of ["symbol", "narrowSymbol", "code"]) {
        for (const currencySign of CURRENCY_SIGNS) {
          same(locale, { style: "currency", currency: code, currencyDisplay, currencySign }, VALUES);
          checked++;
        }
      }
    }
    for (const extra of OPTIONS) {
      for (const currency of ["USD", "JPY", "KWD", "CLF"]) same(locale, { style: "currency", currency, ...extra }, VALUES);
    }
  }
  console.error(`intl-data: ${checked} number formats agree with Node`);
}

const body =
  "// GENERATED by guest-sdk/intl/build.js from the ICU of Node " + process.version +
  " (ICU " + process.versions.icu + ", CLDR " + process.versions.cldr + ", tz " + process.versions.tz + ").\n" +
  "// Do not edit: run `make intl-data`. Unicode CLDR data: Unicode License v3.\n" +
  "(" + JSON.stringify(dataObject()) + ")\n";
fs.writeFileSync(OUT, body);
const kept = Object.values(tables).reduce((n, t) => n + t.components.filter(Boolean).length + t.styles.filter(Boolean).length, 0);
console.error(
  `intl-data: ${templates.length} templates, ${names.length} name lists, ${Object.keys(zones).length} zone names, ` +
  `${kept} combinations kept, ${droppedInAll} dropped after the check against Node; ${body.length} bytes -> ${OUT}`,
);
