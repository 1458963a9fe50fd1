// hookbox Intl: `Intl.DateTimeFormat` and `Date.prototype.toLocale*String`
// with IANA time zones, `Intl.NumberFormat` and `Number.prototype.toLocaleString`
// (decimal, percent, currency), for the sandbox, where QuickJS has no ICU.
//
// A script whose completion value is a factory:
//   (data, zoneOffset) => { DateTimeFormat, toLocaleString, toLocaleDateString, toLocaleTimeString, Intl }
// `data` is `intl-data.js` (generated from Node 20's ICU by guest-sdk/intl/build.js): per locale, one
// template per supported combination of options, each checked against Node when it was generated;
// number patterns, currency symbols and digits, checked likewise.
// `zoneOffset(zone, ms)` answers the UTC offset in seconds of an IANA zone at an instant (the host's tz
// database). Anything the tables do not cover throws: hookbox never formats differently from Node
// without saying so.
(function (data, zoneOffset) {
  "use strict";

  const StringCtor = String;
  const NumberCtor = Number;
  const DateCtor = Date;
  const ArrayIsArray = Array.isArray;
  const hasOwn = Object.prototype.hasOwnProperty;
  const ReflectApply = Reflect.apply;
  const call = (fn, self, ...args) => ReflectApply(fn, self, args);
  const owns = (obj, key) => obj !== null && obj !== undefined && call(hasOwn, obj, key);
  const getUTC = {
    year: Date.prototype.getUTCFullYear,
    month: Date.prototype.getUTCMonth,
    day: Date.prototype.getUTCDate,
    weekday: Date.prototype.getUTCDay,
    hour: Date.prototype.getUTCHours,
    minute: Date.prototype.getUTCMinutes,
    second: Date.prototype.getUTCSeconds,
  };
  const dateValueOf = Date.prototype.valueOf;
  const dateNow = Date.now;
  const stringToLowerCase = String.prototype.toLowerCase;
  const stringToUpperCase = String.prototype.toUpperCase;
  const stringSlice = String.prototype.slice;
  const stringCharCodeAt = String.prototype.charCodeAt;
  const stringIndexOf = String.prototype.indexOf;
  const stringSplit = String.prototype.split;
  const stringReplace = String.prototype.replace;

  // Component options in the order of the tables' mixed-radix index.
  const COMPONENTS = [
    ["weekday", [undefined, "long", "short", "narrow"]],
    ["year", [undefined, "numeric", "2-digit"]],
    ["month", [undefined, "numeric", "2-digit", "long", "short", "narrow"]],
    ["day", [undefined, "numeric", "2-digit"]],
    ["hour", [undefined, "numeric", "2-digit"]],
    ["minute", [undefined, "numeric", "2-digit"]],
    ["second", [undefined, "numeric", "2-digit"]],
  ];
  const HOUR12 = [undefined, true, false];
  const DATE_STYLES = [undefined, "full", "long", "medium", "short"];
  const TIME_STYLES = [undefined, "medium", "short"];
  // Options Node knows that hookbox does not format: given, they throw.
  const UNSUPPORTED = ["era", "dayPeriod", "fractionalSecondDigits", "timeZoneName", "hourCycle", "calendar", "numberingSystem"];

  // The number at `index` of a table of fixed-width base-64 numbers.
  function tableNumber(table, index, width) {
    const w = width === undefined ? data.idWidth : width;
    let id = 0;
    for (let i = 0; i < w; i++) {
      const c = call(stringCharCodeAt, table, index * w + i);
      // Base64 digit value of c.
      id = id * 64 + (c >= 97 ? c - 71 : c >= 65 ? c - 65 : c >= 48 ? c + 4 : c === 43 ? 62 : 63);
    }
    return id;
  }

  // Template `n`'s tokens, cut out of the one string that holds them all.
  function templateTokens(n) {
    const start = tableNumber(data.offsets, n, data.offsetWidth);
    let end = call(stringIndexOf, data.templates, "\n", start);
    if (end < 0) end = data.templates.length;
    return call(stringSplit, call(stringSlice, data.templates, start, end), "\t");
  }

  function unsupported(what) {
    const e = new RangeError("hookbox: Intl.DateTimeFormat does not support " + what);
    e.code = "ERR_HOOKBOX_INTL_UNSUPPORTED";
    return e;
  }

  // ---------------------------------------------------------------- locales

  function canonicalTag(tag) {
    if (typeof tag !== "string" && (typeof tag !== "object" || tag === null)) {
      throw new TypeError("Language ID should be string or object.");
    }
    const text = StringCtor(tag);
    if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(text)) throw new RangeError("Incorrect locale information provided");
    return call(stringToLowerCase, text);
  }

  // The locale a list of tags resolves to in `table` (data.locales for dates,
  // data.numberLocales for numbers): [shown tag, table key]. A regional
  // locale is there where Node formats it as a supported one (`fr-BE`'s
  // numbers are `fr-FR`'s); any other tag falls back to the default, which
  // resolvedOptions().locale shows.
  function resolveLocale(locales, table) {
    let list;
    if (locales === undefined) list = [];
    else if (typeof locales === "string") list = [locales];
    else list = ArrayIsArray(locales) ? locales : [locales];
    for (let i = 0; i < list.length; i++) {
      // The common case without a regular expression (each costs ~10k fuel).
      if (typeof list[i] === "string") {
        const known = call(stringToLowerCase, list[i]);
        if (owns(table, known)) return table[known];
      }
      const tag = canonicalTag(list[i]);
      if (/-u-|-t-|-x-/.test(tag)) {
        throw unsupported("locale extensions (" + StringCtor(list[i]) + "): give the options instead");
      }
      if (owns(table, tag)) return table[tag];
    }
    return table[call(stringToLowerCase, data.defaultLocale)];
  }

  // ---------------------------------------------------------------- options

  function getOption(options, name, allowed) {
    const value = options[name];
    if (value === undefined) return undefined;
    const text = typeof value === "boolean" && allowed === HOUR12 ? value : StringCtor(value);
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === text) return text;
    throw new RangeError("Value " + StringCtor(value) + " out of range for Intl.DateTimeFormat options property " + name);
  }

  function resolveZone(value) {
    if (value === undefined) return "UTC";
    const name = StringCtor(value);
    const key = call(stringToLowerCase, name);
    if (!owns(data.zones, key)) throw new RangeError("Invalid time zone specified: " + name);
    return data.zones[key];
  }

  const DATE_FIELDS = ["weekday", "year", "month", "day"];
  const TIME_FIELDS = ["hour", "minute", "second"];

  // ECMA-402 ToDateTimeOptions / CreateDateTimeFormat's defaults, then the
  // table lookup. `required`/`defaults` are "any"/"date"/"time"/"all".
  function build(locales, options, required, defaults) {
    // (Index access, not destructuring: QuickJS destructures through iterators.)
    const resolvedLocale = resolveLocale(locales, data.locales);
    const shownLocale = resolvedLocale[0];
    const tableKey = resolvedLocale[1];
    const table = data.tables[tableKey];
    const opts = options === undefined ? {} : options;
    if (opts === null) throw new TypeError("Cannot convert undefined or null to object");
    for (let i = 0; i < UNSUPPORTED.length; i++) {
      if (opts[UNSUPPORTED[i]] !== undefined) throw unsupported("the option " + UNSUPPORTED[i]);
    }
    const matcher = opts.formatMatcher;
    if (matcher !== undefined && StringCtor(matcher) !== "best fit") throw unsupported("formatMatcher " + StringCtor(matcher));
    const hour12 = opts.hour12 === undefined ? undefined : !!opts.hour12;
    const timeZone = resolveZone(opts.timeZone);
    const chosen = {};
    let any = false;
    for (let i = 0; i < COMPONENTS.length; i++) {
      const name = COMPONENTS[i][0];
      chosen[name] = getOption(opts, name, COMPONENTS[i][1]);
      if (chosen[name] !== undefined) any = true;
    }
    const dateStyle = getOption(opts, "dateStyle", ["full", "long", "medium", "short"]);
    let timeStyle = opts.timeStyle === undefined ? undefined : StringCtor(opts.timeStyle);
    if (timeStyle !== undefined && timeStyle !== "full" && timeStyle !== "long" && timeStyle !== "medium" && timeStyle !== "short") {
      throw new RangeError("Value " + timeStyle + " out of range for Intl.DateTimeFormat options property timeStyle");
    }
    if (dateStyle !== undefined || timeStyle !== undefined) {
      if (any) {
        for (let i = 0; i < COMPONENTS.length; i++) {
          if (chosen[COMPONENTS[i][0]] !== undefined) {
            throw new TypeError("Can't set option " + COMPONENTS[i][0] + " when " + (dateStyle !== undefined ? "dateStyle" : "timeStyle") + " is used");
          }
        }
      }
      if (required === "date" && timeStyle !== undefined) throw new TypeError("Invalid option : timeStyle");
      if (required === "time" && dateStyle !== undefined) throw new TypeError("Invalid option : dateStyle");
      if (timeStyle === "full" || timeStyle === "long") throw unsupported("timeStyle " + timeStyle + " (it needs time zone names)");
      const index = (DATE_STYLES.indexOf(dateStyle) * TIME_STYLES.length + TIME_STYLES.indexOf(timeStyle)) * 3 +
        (timeStyle === undefined ? 0 : HOUR12.indexOf(hour12));
      const id = tableNumber(table.styles, index);
      if (id === 0) throw unsupported("this combination of options in " + shownLocale);
      return { locale: shownLocale, timeZone, template: templateTokens(id - 1), dateStyle, timeStyle };
    }
    let need = true;
    const fields = required === "date" ? DATE_FIELDS : required === "time" ? TIME_FIELDS : null;
    for (let i = 0; i < COMPONENTS.length; i++) {
      const name = COMPONENTS[i][0];
      if (chosen[name] === undefined) continue;
      if (fields === null || fields.indexOf(name) >= 0) need = false;
    }
    if (need) {
      if (defaults === "date" || defaults === "all") chosen.year = chosen.month = chosen.day = "numeric";
      if (defaults === "time" || defaults === "all") chosen.hour = chosen.minute = chosen.second = "numeric";
    }
    let index = 0;
    for (let i = 0; i < COMPONENTS.length; i++) {
      const allowed = COMPONENTS[i][1];
      index = index * allowed.length + allowed.indexOf(chosen[COMPONENTS[i][0]]);
    }
    index = index * 3 + (chosen.hour === undefined ? 0 : HOUR12.indexOf(hour12));
    const id = tableNumber(table.components, index);
    if (id === 0) throw unsupported("this combination of options in " + shownLocale);
    return { locale: shownLocale, timeZone, template: templateTokens(id - 1) };
  }

  // ---------------------------------------------------------------- formatting

  function pad(n, width) {
    let s = StringCtor(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function timeValue(date) {
    const x = date === undefined ? dateNow() : date instanceof DateCtor ? call(dateValueOf, date) : NumberCtor(date);
    if (!(x >= -8.64e15 && x <= 8.64e15)) throw new RangeError("Invalid time value");
    return x - (x % 1);
  }

  // The parts of `x` (ms since the epoch) under a built format.
  function parts(format, x) {
    const offset = format.timeZone === "UTC" ? 0 : zoneOffset(format.timeZone, x);
    const local = new DateCtor(x + offset * 1000);
    const year = call(getUTC.year, local);
    if (year < 1 || year > 9999) throw unsupported("years before 1 or after 9999");
    const tokens = format.template;
    const out = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const kind = t[0];
      const arg = call(stringSlice, t, 1);
      let type;
      let value;
      switch (kind) {
        case "'":
          type = "literal";
          value = data.literals[NumberCtor(arg)];
          break;
        case "y":
          type = "year";
          value = arg === "2" ? pad(year % 100, 2) : StringCtor(year);
          break;
        case "M":
          type = "month";
          value = data.names[NumberCtor(call(stringSlice, arg, 1))][call(getUTC.month, local)];
          break;
        case "E":
          type = "weekday";
          value = data.names[NumberCtor(call(stringSlice, arg, 1))][call(getUTC.weekday, local)];
          break;
        case "d":
          type = "day";
          value = pad(call(getUTC.day, local), NumberCtor(arg));
          break;
        case "h": {
          type = "hour";
          const h = call(getUTC.hour, local);
          const cycle = arg[1];
          const shown = cycle === "2" ? (h % 12 === 0 ? 12 : h % 12) : cycle === "1" ? h % 12 : cycle === "4" ? (h === 0 ? 24 : h) : h;
          value = pad(shown, NumberCtor(arg[0]));
          break;
        }
        case "m":
          type = "minute";
          value = pad(call(getUTC.minute, local), NumberCtor(arg));
          break;
        case "s":
          type = "second";
          value = pad(call(getUTC.second, local), NumberCtor(arg));
          break;
        case "a":
          type = "dayPeriod";
          value = data.names[NumberCtor(arg)][call(getUTC.hour, local) < 12 ? 0 : 1];
          break;
        default:
          throw unsupported("its own table (token " + t + ")");
      }
      out[out.length] = { type, value };
    }
    return out;
  }

  // V8 (Node 20) gives format() a plain space where ICU's pattern, and
  // formatToParts(), have U+202F NARROW NO-BREAK SPACE ("4 AM").
  function text(format, x) {
    const ps = parts(format, x);
    let s = "";
    for (let i = 0; i < ps.length; i++) s += ps[i].value;
    return call(stringReplace, s, /\u202f/g, " ");
  }

  const STYLE_NAMES = { n: "numeric", 2: "2-digit", l: "long", s: "short", w: "narrow" };
  const WIDTH_NAMES = { 1: "numeric", 2: "2-digit" };
  const CYCLES = { 1: "h11", 2: "h12", 3: "h23", 4: "h24" };
  const TOKEN_FIELDS = { y: "year", d: "day", m: "minute", s: "second" };

  // What resolvedOptions() reports, read from a template's tokens: the hour
  // cycle, and with `components` each field's width or style as drawn.
  function resolvedFields(tokens, components) {
    const out = {};
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      const kind = t[0];
      if (kind === "h") {
        out.hourCycle = CYCLES[t[2]];
        out.hour12 = t[2] === "1" || t[2] === "2";
        if (components) out.hour = WIDTH_NAMES[t[1]];
      } else if (!components) {
        continue;
      } else if (kind === "M") {
        out.month = STYLE_NAMES[t[1]];
      } else if (kind === "E") {
        out.weekday = STYLE_NAMES[t[1]];
      } else if (owns(TOKEN_FIELDS, kind)) {
        out[TOKEN_FIELDS[kind]] = WIDTH_NAMES[t[1]];
      }
    }
    return out;
  }

  const RESOLVED_ORDER = ["hourCycle", "hour12", "weekday", "year", "month", "day", "hour", "minute", "second"];

  class DateTimeFormat {
    constructor(locales, options) {
      const format = build(locales, options, "any", "date");
      Object.defineProperty(this, "_format", { value: format });
      const bound = (date) => text(format, timeValue(date));
      Object.defineProperty(this, "format", { value: bound, configurable: true, writable: true });
    }
    formatToParts(date) {
      return parts(this._format, timeValue(date));
    }
    resolvedOptions() {
      const f = this._format;
      const out = { locale: f.locale, calendar: "gregory", numberingSystem: "latn", timeZone: f.timeZone };
      const resolved = resolvedFields(f.template, f.dateStyle === undefined && f.timeStyle === undefined);
      for (let i = 0; i < RESOLVED_ORDER.length; i++) {
        const k = RESOLVED_ORDER[i];
        if (owns(resolved, k)) out[k] = resolved[k];
      }
      if (f.dateStyle !== undefined) out.dateStyle = f.dateStyle;
      if (f.timeStyle !== undefined) out.timeStyle = f.timeStyle;
      return out;
    }
    static supportedLocalesOf(locales) {
      const list = locales === undefined ? [] : typeof locales === "string" ? [locales] : locales;
      const out = [];
      for (let i = 0; i < list.length; i++) {
        const tag = canonicalTag(list[i]);
        if (owns(data.locales, tag)) out[out.length] = data.locales[tag][0];
      }
      return out;
    }
  }
  Object.defineProperty(DateTimeFormat.prototype, Symbol.toStringTag, { value: "Intl.DateTimeFormat", configurable: true });

  function localeString(required, defaults) {
    return function (locales, options) {
      const x = call(dateValueOf, this);
      if (x !== x) return "Invalid Date";
      return text(build(locales, options, required, defaults), x);
    };
  }

  const toLocaleString = localeString("any", "all");
  const toLocaleDateString = localeString("date", "date");
  const toLocaleTimeString = localeString("time", "time");

  function notSupported(name) {
    const f = function () {
      throw new TypeError("hookbox: Intl." + name + " is not supported in the sandbox");
    };
    Object.defineProperty(f, "name", { value: name });
    return f;
  }

  // ---------------------------------------------------------------- numbers
  //
  // Intl.NumberFormat's styles decimal, percent and currency: the locale's
  // separators and patterns, and the currencies' symbols and fraction digits
  // (all from Node's ICU, intl-data.js), grouping by thousands, and
  // ECMA-402's rounding (half away from zero, on the shortest decimal that
  // round-trips, as ICU does; percent scales that decimal by 100 exactly).
  // Any other style or option throws.

  const NUMBER_UNSUPPORTED = ["unit", "unitDisplay", "notation", "compactDisplay", "signDisplay", "minimumSignificantDigits", "maximumSignificantDigits", "roundingMode", "roundingPriority", "roundingIncrement", "trailingZeroDisplay", "numberingSystem"];
  const NUMBER_STYLES = ["decimal", "percent", "currency", "unit"];
  const CURRENCY_DISPLAYS = ["symbol", "narrowSymbol", "code", "name"];
  const CURRENCY_SIGNS = ["standard", "accounting"];
  const GROUPINGS = ["always", "auto", "min2"];

  function unsupportedNumber(what) {
    const e = new RangeError("hookbox: Intl.NumberFormat does not support " + what);
    e.code = "ERR_HOOKBOX_INTL_UNSUPPORTED";
    return e;
  }

  function numberOption(opts, name, allowed, fallback) {
    const value = opts[name];
    if (value === undefined) return fallback;
    const text = StringCtor(value);
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === text) return text;
    throw new RangeError("Value " + text + " out of range for Intl.NumberFormat options property " + name);
  }

  function digitsOption(opts, name, min, max, fallback) {
    const v = opts[name];
    if (v === undefined) return fallback;
    const n = NumberCtor(v);
    if (!(n >= min && n <= max)) throw new RangeError(name + " value is out of range.");
    return n - (n % 1);
  }

  // ECMA-402's useGrouping: true is "always", false-ish is false, "true"
  // and "false" are the default.
  function groupingOption(opts) {
    const value = opts.useGrouping;
    if (value === undefined || value === "true" || value === "false") return "auto";
    if (value === true) return "always";
    if (!value) return false;
    return numberOption(opts, "useGrouping", GROUPINGS, "auto");
  }

  // A currency's fraction digits: 2 unless intl-data.js lists it.
  function currencyDigits(code) {
    const lists = data.currencies.digits;
    for (const digits in lists) if (call(stringIndexOf, lists[digits], code) >= 0) return NumberCtor(digits);
    return 2;
  }

  function buildNumber(locales, options) {
    const resolvedLocale = resolveLocale(locales, data.numberLocales);
    const opts = options === undefined ? {} : options;
    if (opts === null) throw new TypeError("Cannot convert undefined or null to object");
    for (let i = 0; i < NUMBER_UNSUPPORTED.length; i++) {
      if (opts[NUMBER_UNSUPPORTED[i]] !== undefined) throw unsupportedNumber("the option " + NUMBER_UNSUPPORTED[i]);
    }
    const style = numberOption(opts, "style", NUMBER_STYLES, "decimal");
    if (style === "unit") throw unsupportedNumber("the style unit");
    let currency = opts.currency;
    if (currency !== undefined) {
      currency = StringCtor(currency);
      // Three ASCII letters (without a regular expression: each costs ~10k fuel).
      let wellFormed = currency.length === 3;
      for (let i = 0; wellFormed && i < 3; i++) {
        const c = call(stringCharCodeAt, currency, i) | 32;
        wellFormed = c >= 97 && c <= 122;
      }
      if (!wellFormed) throw new RangeError("Invalid currency code : " + currency);
      currency = call(stringToUpperCase, currency);
    }
    if (style === "currency" && currency === undefined) throw new TypeError("Currency code is required with currency style.");
    const currencyDisplay = numberOption(opts, "currencyDisplay", CURRENCY_DISPLAYS, "symbol");
    const currencySign = numberOption(opts, "currencySign", CURRENCY_SIGNS, "standard");
    if (style === "currency" && currencyDisplay === "name") throw unsupportedNumber("currencyDisplay name (plural currency names are not in the sandbox)");
    const minInt = digitsOption(opts, "minimumIntegerDigits", 1, 21, 1);
    const cd = style === "currency" ? currencyDigits(currency) : 0;
    const minDefault = cd;
    const maxDefault = style === "currency" ? cd : style === "percent" ? 0 : 3;
    let minFd = digitsOption(opts, "minimumFractionDigits", 0, 100, undefined);
    let maxFd = digitsOption(opts, "maximumFractionDigits", 0, 100, undefined);
    if (minFd === undefined && maxFd === undefined) {
      minFd = minDefault;
      maxFd = maxDefault;
    } else if (minFd === undefined) {
      minFd = minDefault < maxFd ? minDefault : maxFd;
    } else if (maxFd === undefined) {
      maxFd = maxDefault > minFd ? maxDefault : minFd;
    } else if (minFd > maxFd) {
      throw new RangeError("maximumFractionDigits value is out of range.");
    }
    const grouping = groupingOption(opts);
    const styles = data.numberStyles[resolvedLocale[1]];
    const f = { locale: resolvedLocale[0], symbols: data.numbers[resolvedLocale[1]], style, minInt, minFd, maxFd, grouping, scale: 0 };
    if (style === "currency") {
      // [symbol table, pattern per currencySign, {code: patterns} where they differ]
      const entry = styles[currencyDisplay];
      const symbols = data.currencies.symbols[entry[0]];
      const ids = owns(entry[3], currency) ? entry[3][currency] : [entry[1], entry[2]];
      f.currency = currency;
      f.currencyDisplay = currencyDisplay;
      f.currencySign = currencySign;
      f.symbol = owns(symbols, currency) ? symbols[currency] : currency;
      f.pattern = data.numberPatterns[ids[currencySign === "accounting" ? 1 : 0]];
    } else {
      f.pattern = data.numberPatterns[styles[style]];
      if (style === "percent") f.scale = 2;
    }
    return f;
  }

  // |x| × 10^scale as [integer digits, fraction digits], exactly as its
  // shortest decimal.
  function plainDecimal(abs, scale) {
    const text = StringCtor(abs);
    const e = call(stringIndexOf, text, "e");
    const mantissa = e < 0 ? text : call(stringSlice, text, 0, e);
    const exponent = (e < 0 ? 0 : NumberCtor(call(stringSlice, text, e + 1))) + scale;
    const dot = call(stringIndexOf, mantissa, ".");
    let intPart = dot < 0 ? mantissa : call(stringSlice, mantissa, 0, dot);
    let fracPart = dot < 0 ? "" : call(stringSlice, mantissa, dot + 1);
    if (exponent > 0) {
      while (fracPart.length < exponent) fracPart += "0";
      intPart += call(stringSlice, fracPart, 0, exponent);
      fracPart = call(stringSlice, fracPart, exponent);
    } else if (exponent < 0) {
      let lead = "";
      for (let i = 0; i < -exponent - intPart.length; i++) lead += "0";
      const all = lead + intPart;
      const cut = all.length + exponent;
      fracPart = call(stringSlice, all, cut) + fracPart;
      intPart = call(stringSlice, all, 0, cut) || "0";
    }
    return [intPart, fracPart];
  }

  // A finite |x| under a built format: [integer digits, fraction digits],
  // rounded and padded, not grouped.
  function roundedDigits(f, abs) {
    const split = plainDecimal(abs, f.scale);
    let intPart = split[0];
    let frac = split[1];
    if (frac.length > f.maxFd) {
      const up = call(stringCharCodeAt, frac, f.maxFd) >= 53; // '5'
      frac = call(stringSlice, frac, 0, f.maxFd);
      if (up) {
        // Add one unit in the last kept place, carrying leftwards.
        let digits = intPart + frac;
        let carried = "";
        let carry = 1;
        for (let i = digits.length - 1; i >= 0; i--) {
          let d = call(stringCharCodeAt, digits, i) - 48 + carry;
          carry = d === 10 ? 1 : 0;
          if (d === 10) d = 0;
          carried = StringCtor(d) + carried;
        }
        if (carry) carried = "1" + carried;
        digits = carried;
        intPart = call(stringSlice, digits, 0, digits.length - frac.length);
        frac = call(stringSlice, digits, digits.length - frac.length);
      }
    }
    while (frac.length > f.minFd && frac[frac.length - 1] === "0") frac = call(stringSlice, frac, 0, frac.length - 1);
    while (frac.length < f.minFd) frac += "0";
    while (intPart.length > 1 && intPart[0] === "0") intPart = call(stringSlice, intPart, 1);
    while (intPart.length < f.minInt) intPart = "0" + intPart;
    return [intPart, frac];
  }

  // Where the first group ends in `intPart`, or 0 when it is not grouped.
  function firstGroup(f, intPart) {
    if (f.grouping === false || intPart.length <= (f.grouping === "min2" ? 4 : 3)) return 0;
    return intPart.length % 3 || 3;
  }

  // The parts of `value` under a built format: its pattern (for a number or
  // for ∞ and NaN, each positive, or negative below zero and for -0) around
  // the number: integer, group, decimal and fraction parts, or nan/infinity.
  // The number a format is given, where it is exactly a double: Node formats
  // a BigInt, and a numeric string, exactly ("Intl mathematical value"), so
  // one past 2^53, or a string of more than 15 significant digits, throws
  // rather than lose digits silently.
  function numberOf(value) {
    if (typeof value === "bigint") {
      if (value <= 9007199254740992n && value >= -9007199254740992n) return NumberCtor(value);
      throw unsupportedNumber("a BigInt beyond 2^53 (it would lose digits)");
    }
    if (typeof value === "string") {
      const m = /^\s*[+-]?(?:0*)(\d*)(?:\.(\d*))?(?:[eE][+-]?\d+)?\s*$/.exec(value);
      if (m !== null) {
        const digits = (m[1] + (m[2] || "")).replace(/^0+/, "").replace(/0+$/, "");
        if (digits.length > 15) throw unsupportedNumber("a numeric string of more than 15 significant digits (it would lose digits)");
      }
    }
    return NumberCtor(value);
  }

  function numberParts(f, value) {
    const x = numberOf(value);
    const sym = f.symbols;
    const negative = x < 0 || (x === 0 && 1 / x < 0);
    const tokens = f.pattern[(negative && x === x ? 1 : 0) + (x - x === 0 ? 0 : 2)];
    const out = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === "#") {
        if (x !== x) {
          out[out.length] = { type: "nan", value: sym[4] };
        } else if (x === Infinity || x === -Infinity) {
          out[out.length] = { type: "infinity", value: sym[3] };
        } else {
          const digits = roundedDigits(f, negative ? -x : x);
          const intPart = digits[0];
          const first = firstGroup(f, intPart);
          if (first === 0) {
            out[out.length] = { type: "integer", value: intPart };
          } else {
            out[out.length] = { type: "integer", value: call(stringSlice, intPart, 0, first) };
            for (let j = first; j < intPart.length; j += 3) {
              out[out.length] = { type: "group", value: sym[0] };
              out[out.length] = { type: "integer", value: call(stringSlice, intPart, j, j + 3) };
            }
          }
          if (digits[1].length) {
            out[out.length] = { type: "decimal", value: sym[1] };
            out[out.length] = { type: "fraction", value: digits[1] };
          }
        }
      } else if (t === "¤") {
        out[out.length] = { type: "currency", value: f.symbol };
      } else {
        out[out.length] = { type: PATTERN_PARTS[t[0]], value: call(stringSlice, t, 1) };
      }
    }
    return out;
  }

  const PATTERN_PARTS = { "-": "minusSign", "%": "percentSign", "'": "literal" };

  // numberParts' values, joined (without building the parts).
  function formatNumber(f, value) {
    const x = numberOf(value);
    const sym = f.symbols;
    const negative = x < 0 || (x === 0 && 1 / x < 0);
    const tokens = f.pattern[(negative && x === x ? 1 : 0) + (x - x === 0 ? 0 : 2)];
    let s = "";
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === "#") {
        if (x !== x) {
          s += sym[4];
        } else if (x === Infinity || x === -Infinity) {
          s += sym[3];
        } else {
          const digits = roundedDigits(f, negative ? -x : x);
          const intPart = digits[0];
          const first = firstGroup(f, intPart);
          if (first === 0) {
            s += intPart;
          } else {
            s += call(stringSlice, intPart, 0, first);
            for (let j = first; j < intPart.length; j += 3) s += sym[0] + call(stringSlice, intPart, j, j + 3);
          }
          if (digits[1].length) s += sym[1] + digits[1];
        }
      } else if (t === "¤") {
        s += f.symbol;
      } else {
        s += call(stringSlice, t, 1);
      }
    }
    return s;
  }

  class NumberFormat {
    constructor(locales, options) {
      const f = buildNumber(locales, options);
      Object.defineProperty(this, "_format", { value: f });
      Object.defineProperty(this, "format", { value: (x) => formatNumber(f, x), configurable: true, writable: true });
    }
    formatToParts(x) {
      return numberParts(this._format, x);
    }
    resolvedOptions() {
      const f = this._format;
      const out = { locale: f.locale, numberingSystem: "latn", style: f.style };
      if (f.style === "currency") {
        out.currency = f.currency;
        out.currencyDisplay = f.currencyDisplay;
        out.currencySign = f.currencySign;
      }
      out.minimumIntegerDigits = f.minInt;
      out.minimumFractionDigits = f.minFd;
      out.maximumFractionDigits = f.maxFd;
      out.useGrouping = f.grouping;
      out.notation = "standard";
      out.signDisplay = "auto";
      out.roundingMode = "halfExpand";
      out.roundingIncrement = 1;
      out.trailingZeroDisplay = "auto";
      out.roundingPriority = "auto";
      return out;
    }
  }
  Object.defineProperty(NumberFormat.prototype, Symbol.toStringTag, { value: "Intl.NumberFormat", configurable: true });

  const numberValueOf = Number.prototype.valueOf;
  function numberToLocaleString(locales, options) {
    return formatNumber(buildNumber(locales, options), call(numberValueOf, this));
  }
  const bigintValueOf = BigInt.prototype.valueOf;
  // BigInt#toLocaleString is Intl.NumberFormat's, as in Node (QuickJS's own
  // ignores the locale).
  function bigintToLocaleString(locales, options) {
    return formatNumber(buildNumber(locales, options), call(bigintValueOf, this));
  }

  // String#toLocaleLowerCase and #toLocaleUpperCase. ICU cases every
  // language as the root locale does (String#toLowerCase's answer) except
  // Turkish, Azeri and Lithuanian, whose rules are Unicode's SpecialCasing.txt:
  // in `tr` and `az`, I lowers to dotless ı, İ to i, and i uppers to İ; in
  // `lt`, Ì, Í and Ĩ lower with an explicit dot. Where those rules look at
  // combining marks around a letter (an I before U+0307 in `tr`, an I, J or Į
  // before accents in `lt`, U+0307 after a soft-dotted letter when upper-casing
  // `lt`), hookbox has not their tables and throws instead of answering
  // otherwise than Node.
  const COMBINING_AFTER_I = /I\p{M}/u;
  const COMBINING_AFTER_IJ = /[IJ\u012E]\p{M}/u;
  const DOT_ABOVE = /\u0307/;
  const regexpTest = RegExp.prototype.test;

  // The language subtag of the locale `locales` asks for first ("" for the
  // default). As in Node (V8), only that first tag is checked.
  function caseLanguage(locales) {
    if (locales === undefined) return "";
    if (locales === null) throw new TypeError("Cannot convert undefined or null to object");
    if (typeof locales !== "string" && typeof locales !== "object") return "";
    const list = typeof locales === "string" ? [locales] : locales;
    if (!(list.length >>> 0)) return "";
    const first = canonicalTag(list[0]);
    const dash = call(stringIndexOf, first, "-");
    return dash < 0 ? first : call(stringSlice, first, 0, dash);
  }

  function unsupportedCasing(method, language) {
    const e = new RangeError(
      "hookbox: String.prototype." + method + " does not support combining marks after I, J or Į, or U+0307, in '" +
        language + "' (ICU's context rules are not in the sandbox)",
    );
    e.code = "ERR_HOOKBOX_INTL_UNSUPPORTED";
    return e;
  }

  function thisString(self, method) {
    if (self === null || self === undefined) throw new TypeError("String.prototype." + method + " called on null or undefined");
    return StringCtor(self);
  }

  function localeLowerCase(locales) {
    const text = thisString(this, "toLocaleLowerCase");
    const language = caseLanguage(locales);
    if (language === "tr" || language === "az") {
      if (call(regexpTest, COMBINING_AFTER_I, text)) throw unsupportedCasing("toLocaleLowerCase", language);
      return call(stringToLowerCase, call(stringReplace, text, /[I\u0130]/g, (c) => (c === "I" ? "\u0131" : "i")));
    }
    if (language === "lt") {
      if (call(regexpTest, COMBINING_AFTER_IJ, text)) throw unsupportedCasing("toLocaleLowerCase", language);
      const lower = call(stringToLowerCase, text);
      return call(stringReplace, lower, /[\u00EC\u00ED\u0129]/g, (c) =>
        c === "\u00EC" ? "i\u0307\u0300" : c === "\u00ED" ? "i\u0307\u0301" : "i\u0307\u0303",
      );
    }
    return call(stringToLowerCase, text);
  }

  function localeUpperCase(locales) {
    const text = thisString(this, "toLocaleUpperCase");
    const language = caseLanguage(locales);
    if (language === "tr" || language === "az") {
      return call(stringToUpperCase, call(stringReplace, text, /i/g, "\u0130"));
    }
    if (language === "lt" && call(regexpTest, DOT_ABOVE, text)) throw unsupportedCasing("toLocaleUpperCase", language);
    return call(stringToUpperCase, text);
  }

  const Intl = {
    DateTimeFormat,
    NumberFormat,
    getCanonicalLocales(locales) {
      const list = locales === undefined ? [] : typeof locales === "string" ? [locales] : locales;
      const out = [];
      for (let i = 0; i < list.length; i++) {
        const tag = canonicalTag(list[i]);
        out[out.length] = owns(data.locales, tag) ? data.locales[tag][0] : StringCtor(list[i]);
      }
      return out;
    },
  };
  const missing = ["Collator", "DisplayNames", "ListFormat", "Locale", "PluralRules", "RelativeTimeFormat", "Segmenter"];
  // ICU's collation is not here: a comparison QuickJS would make by code
  // units (`'a'.localeCompare('B')` is -1 in Node) throws instead.
  // ICU's root collation for printable ASCII (the tables of intl-data.js):
  // primary weights first (case-blind), then case (lower first). Strings with
  // other characters throw: QuickJS would compare code units, which is not
  // Node's answer (`'a'.localeCompare('B')` is -1 in Node).
  function localeCompare(that, locales, options) {
    const a = StringCtor(this);
    const b = StringCtor(that);
    if (options !== undefined) throw unsupportedCollation("options");
    if (locales !== undefined) resolveLocale(locales, data.locales);
    const primary = data.collation.primary;
    const tertiary = data.collation.tertiary;
    const weigh = (text, table) => {
      const out = [];
      for (let i = 0; i < text.length; i++) {
        const c = call(stringCharCodeAt, text, i);
        if (c < 32 || c > 126) throw unsupportedCollation("characters outside printable ASCII");
        out[out.length] = call(stringCharCodeAt, table, c - 32);
      }
      return out;
    };
    for (const table of [primary, tertiary]) {
      const x = weigh(a, table);
      const y = weigh(b, table);
      const n = x.length < y.length ? x.length : y.length;
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    }
    return 0;
  }
  function unsupportedCollation(what) {
    const e = new RangeError("hookbox: String.prototype.localeCompare does not support " + what + " (ICU collation is not in the sandbox)");
    e.code = "ERR_HOOKBOX_INTL_UNSUPPORTED";
    return e;
  }
  for (let i = 0; i < missing.length; i++) Intl[missing[i]] = notSupported(missing[i]);

  return {
    Intl,
    DateTimeFormat,
    toLocaleString,
    toLocaleDateString,
    toLocaleTimeString,
    numberToLocaleString,
    bigintToLocaleString,
    localeCompare,
    localeLowerCase,
    localeUpperCase,
    // The option lists the tables are indexed by, for guest-sdk/intl/build.js.
    options: { COMPONENTS, HOUR12, DATE_STYLES, TIME_STYLES },
  };
});
