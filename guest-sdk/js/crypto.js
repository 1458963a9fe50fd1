// Node 20's `crypto` module and WebCrypto for hookbox guests, over the host's
// crypto ops (`hookbox.call`, see crates/hookbox-engine/src/crypto/mod.rs).
// This script evaluates to a factory:
//   (function (hostCall, Buffer) { ...; return { crypto, webcrypto }; })
// hostCall(string) -> string is the raw host call; Buffer is npm `buffer`'s.
// Hashing and signatures work on whole messages: `update` buffers,
// `digest`/`sign` send everything to the host at once. Ciphers stream as
// Node's do (see "ciphers" below).
// What is not supported throws an Error that names it; never a silent stand-in.
(function (hostCall, Buffer) {
  "use strict";

  // ------------------------------------------------------------ plumbing

  function codedError(Ctor, message, code) {
    const e = new Ctor(message);
    if (code) e.code = code;
    return e;
  }

  // A host error answer, thrown as Node throws the same failure.
  function hostError(message) {
    switch (message) {
      case "Invalid key length":
        return codedError(RangeError, message, "ERR_CRYPTO_INVALID_KEYLEN");
      case "Invalid initialization vector":
        return codedError(TypeError, message, "ERR_CRYPTO_INVALID_IV");
      default:
        return new Error(message);
    }
  }

  function call(request) {
    const answer = JSON.parse(hostCall(JSON.stringify(request)));
    if (answer.error !== undefined) throw hostError(answer.error);
    return answer;
  }

  const b64 = (buf) => buf.toString("base64");
  const fromB64 = (text) => Buffer.from(text, "base64");

  function describe(value) {
    if (value == null) return " Received " + value;
    if (typeof value === "function") return " Received function " + (value.name || "<anonymous>");
    if (typeof value === "object") {
      const name = value.constructor && value.constructor.name;
      return name ? " Received an instance of " + name : " Received " + String(value);
    }
    let shown = String(value);
    if (shown.length > 28) shown = shown.slice(0, 25) + "...";
    if (typeof value === "string") shown = "'" + shown + "'";
    return " Received type " + typeof value + " (" + shown + ")";
  }

  function invalidArgType(name, expected, value) {
    return codedError(
      TypeError,
      'The "' + name + '" argument must be ' + expected + "." + describe(value),
      "ERR_INVALID_ARG_TYPE",
    );
  }

  function isView(v) {
    return ArrayBuffer.isView(v);
  }

  // Bytes of a string (in `encoding`), Buffer, TypedArray, DataView or ArrayBuffer.
  function toBuffer(data, encoding, name) {
    if (typeof data === "string") return Buffer.from(data, encoding || "utf8");
    if (Buffer.isBuffer(data)) return data;
    if (isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    throw invalidArgType(
      name || "data",
      "of type string or an instance of Buffer, TypedArray, or DataView",
      data,
    );
  }

  function output(buf, encoding) {
    if (encoding === undefined || encoding === "buffer") return buf;
    return buf.toString(encoding);
  }

  const HASHES = ["md5", "sha1", "sha256", "sha384", "sha512"];
  // Node's (OpenSSL's) names for the hashes the host knows.
  function hashName(name) {
    if (typeof name !== "string") return null;
    let n = name.toLowerCase();
    if (n.startsWith("rsa-")) n = n.slice(4);
    if (n.startsWith("ecdsa-with-")) n = n.slice(11);
    n = n.replace(/^sha-/, "sha").replace(/^sha2-/, "sha");
    if (n === "sha-1") n = "sha1";
    return HASHES.indexOf(n) >= 0 ? n : null;
  }

  // ------------------------------------------------------------ Hash, Hmac

  class Hash {
    constructor(algorithm, options, chunks) {
      if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
      const hash = hashName(algorithm);
      if (!hash) throw new Error("Digest method not supported");
      if (options && options.outputLength !== undefined) {
        throw new Error("crypto: createHash's outputLength option is not supported");
      }
      this._hash = hash;
      this._chunks = chunks || [];
      this._done = false;
    }
    update(data, inputEncoding) {
      if (this._done) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      this._chunks.push(Buffer.from(toBuffer(data, inputEncoding)));
      return this;
    }
    digest(encoding) {
      if (this._done) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      this._done = true;
      const data = Buffer.concat(this._chunks);
      this._chunks = [];
      return output(fromB64(call({ op: "digest", hash: this._hash, data: b64(data) }).digest), encoding);
    }
    copy() {
      if (this._done) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      return new Hash(this._hash, undefined, this._chunks.slice());
    }
  }

  function secretBytes(key, encoding, name) {
    if (key instanceof KeyObject) {
      if (key.type !== "secret") {
        throw codedError(TypeError, "Invalid key object type " + key.type + ", expected secret.", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
      }
      return key._secret;
    }
    if (typeof key === "string" || Buffer.isBuffer(key) || isView(key) || key instanceof ArrayBuffer) {
      return toBuffer(key, encoding, name);
    }
    throw invalidArgType(
      name || "key",
      "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey",
      key,
    );
  }

  class Hmac {
    constructor(algorithm, key, options) {
      if (typeof algorithm !== "string") throw invalidArgType("hmac", "of type string", algorithm);
      const hash = hashName(algorithm);
      if (!hash) throw codedError(TypeError, "Invalid digest: " + algorithm, "ERR_CRYPTO_INVALID_DIGEST");
      this._hash = hash;
      this._key = Buffer.from(secretBytes(key, options && options.encoding));
      this._chunks = [];
      this._done = false;
    }
    update(data, inputEncoding) {
      if (this._done) throw codedError(Error, "Digest already called", "ERR_CRYPTO_HASH_FINALIZED");
      this._chunks.push(Buffer.from(toBuffer(data, inputEncoding)));
      return this;
    }
    digest(encoding) {
      // Node answers an empty digest when called twice on an Hmac.
      if (this._done) return output(Buffer.alloc(0), encoding);
      this._done = true;
      const answer = call({
        op: "hmac",
        hash: this._hash,
        key: b64(this._key),
        keyEncoding: "base64",
        data: b64(Buffer.concat(this._chunks)),
        dataEncoding: "base64",
        encoding: "base64",
      });
      this._chunks = [];
      return output(fromB64(answer.digest), encoding);
    }
  }

  // ------------------------------------------------------------ randomness

  const MAX_RANDOM = 65536; // the host's bound per request
  function randomFillBuffer(buf) {
    for (let at = 0; at < buf.length; at += MAX_RANDOM) {
      const n = Math.min(MAX_RANDOM, buf.length - at);
      fromB64(call({ op: "random", size: n }).bytes).copy(buf, at);
    }
    return buf;
  }

  function checkSize(size, name, max) {
    if (typeof size !== "number") throw invalidArgType(name, "of type number", size);
    if (!Number.isInteger(size) || size < 0 || size > max) {
      const rule = Number.isInteger(size) ? ">= 0 && <= " + max : "an integer";
      throw codedError(
        RangeError,
        'The value of "' + name + '" is out of range. It must be ' + rule + ". Received " + String(size),
        "ERR_OUT_OF_RANGE",
      );
    }
  }

  function later(fn) {
    Promise.resolve().then(fn);
  }

  function randomBytes(size, callback) {
    checkSize(size, "size", 2147483647);
    if (callback !== undefined && typeof callback !== "function") {
      throw invalidArgType("callback", "of type function", callback);
    }
    const buf = randomFillBuffer(Buffer.alloc(size));
    if (callback) {
      later(() => callback(null, buf));
      return undefined;
    }
    return buf;
  }

  function randomFillSync(buf, offset, size) {
    if (!isView(buf) && !(buf instanceof ArrayBuffer)) {
      throw invalidArgType("buf", "an instance of ArrayBuffer or ArrayBufferView", buf);
    }
    const bytes = toBuffer(buf);
    offset = offset === undefined ? 0 : offset;
    checkSize(offset, "offset", bytes.length);
    size = size === undefined ? bytes.length - offset : size;
    checkSize(size, "size", bytes.length - offset);
    randomFillBuffer(bytes.subarray(offset, offset + size));
    return buf;
  }

  function randomFill(buf, offset, size, callback) {
    if (typeof offset === "function") [offset, callback] = [undefined, offset];
    else if (typeof size === "function") [size, callback] = [undefined, size];
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
    randomFillSync(buf, offset, size);
    later(() => callback(null, buf));
  }

  function randomUUID(options) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw invalidArgType("options", "of type object", options);
    }
    const b = randomFillBuffer(Buffer.alloc(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.toString("hex");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // Node's algorithm: rejection sampling over 48 random bits.
  function randomInt(min, max, callback) {
    const minNotSpecified = typeof max === "undefined" || typeof max === "function";
    if (minNotSpecified) {
      callback = max;
      max = min;
      min = 0;
    }
    const isSync = typeof callback === "undefined";
    if (!isSync && typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
    if (!Number.isSafeInteger(min)) throw invalidArgType("min", "a safe integer", min);
    if (!Number.isSafeInteger(max)) throw invalidArgType("max", "a safe integer", max);
    if (max <= min) {
      throw codedError(
        RangeError,
        'The value of "max" is out of range. It must be greater than the value of "min" (' + min + "). Received " + max,
        "ERR_OUT_OF_RANGE",
      );
    }
    const range = max - min;
    const RAND_MAX = 0xffffffffffff;
    if (!(range <= RAND_MAX)) {
      throw codedError(
        RangeError,
        'The value of "max - min" is out of range. It must be <= ' + RAND_MAX + ". Received " + range,
        "ERR_OUT_OF_RANGE",
      );
    }
    const randLimit = RAND_MAX - (RAND_MAX % range);
    for (;;) {
      const x = randomFillBuffer(Buffer.alloc(6)).readUIntBE(0, 6);
      if (x < randLimit) {
        const n = (x % range) + min;
        if (isSync) return n;
        later(() => callback(null, n));
        return undefined;
      }
    }
  }

  function timingSafeEqual(a, b) {
    if (!isView(a) && !(a instanceof ArrayBuffer)) {
      throw invalidArgType("buf1", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", a);
    }
    if (!isView(b) && !(b instanceof ArrayBuffer)) {
      throw invalidArgType("buf2", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", b);
    }
    const x = toBuffer(a);
    const y = toBuffer(b);
    if (x.length !== y.length) {
      throw codedError(RangeError, "Input buffers must have the same byte length", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH");
    }
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
    return diff === 0;
  }

  // ------------------------------------------------------------ PBKDF2

  function pbkdf2Sync(password, salt, iterations, keylen, digest) {
    const pw = secretBytes(password, undefined, "password");
    const s = secretBytes(salt, undefined, "salt");
    if (typeof iterations !== "number") throw invalidArgType("iterations", "of type number", iterations);
    checkSize(iterations, "iterations", 2147483647);
    if (iterations < 1) {
      throw codedError(RangeError, 'The value of "iterations" is out of range. It must be >= 1 && <= 2147483647. Received ' + iterations, "ERR_OUT_OF_RANGE");
    }
    checkSize(keylen, "keylen", 2147483647);
    if (typeof digest !== "string") throw invalidArgType("digest", "of type string", digest);
    const hash = hashName(digest);
    if (!hash) throw codedError(TypeError, "Invalid digest: " + digest, "ERR_CRYPTO_INVALID_DIGEST");
    const answer = call({ op: "pbkdf2", password: b64(pw), salt: b64(s), iterations, keylen, hash });
    return fromB64(answer.bytes);
  }

  function pbkdf2(password, salt, iterations, keylen, digest, callback) {
    if (typeof digest === "function") {
      callback = digest;
      digest = undefined;
    }
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
    const key = pbkdf2Sync(password, salt, iterations, keylen, digest);
    later(() => callback(null, key));
  }

  // ------------------------------------------------------------ ciphers
  //
  // Cipheriv and Decipheriv stream as Node's (OpenSSL's) do: CBC's update
  // returns every whole block it can (a decipher with padding on holds the
  // last one back for final, which strips the padding), GCM's returns as many
  // bytes as it was given. The state lives here (CBC's chaining block and
  // unfinished block, GCM's position, AAD and ciphertext); each call asks the
  // host only for its AES (ops aesCbc, aesGcm, aesGcmTag), so the key never
  // leaves this object but the work runs natively.

  const CIPHERS = ["aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "aes-128-gcm", "aes-192-gcm", "aes-256-gcm"];
  const BLOCK = 16;
  const GCM_TAG_LENGTHS = [4, 8, 12, 13, 14, 15, 16];
  const GCM_AUTH_FAILED = "Unsupported state or unable to authenticate data";

  // Node's normalizeEncoding: the canonical name, or undefined.
  function normalizeEncoding(encoding) {
    if (encoding === undefined || encoding === null) return "utf8";
    const e = String(encoding).toLowerCase();
    switch (e) {
      case "utf8":
      case "utf-8":
      case "":
        return "utf8";
      case "ucs2":
      case "ucs-2":
      case "utf16le":
      case "utf-16le":
        return "utf16le";
      case "latin1":
      case "binary":
        return "latin1";
      case "base64":
      case "base64url":
      case "hex":
      case "ascii":
        return e;
      default:
        return undefined;
    }
  }

  // Node's StringDecoder, for a cipher's output encoding: a character (or,
  // in base64, a 3-byte group) split between two updates comes out whole.
  class StringDecoder {
    constructor(encoding) {
      const normalized = normalizeEncoding(encoding);
      if (normalized === undefined) throw codedError(TypeError, "Unknown encoding: " + encoding, "ERR_UNKNOWN_ENCODING");
      this.encoding = normalized;
      this._held = Buffer.alloc(0);
    }
    write(buf) {
      const data = this._held.length ? Buffer.concat([this._held, buf]) : buf;
      const keep = this._incomplete(data);
      this._held = Buffer.from(data.subarray(data.length - keep));
      return data.subarray(0, data.length - keep).toString(this.encoding);
    }
    end(buf) {
      const out = buf && buf.length ? this.write(buf) : "";
      const held = this._held;
      this._held = Buffer.alloc(0);
      if (!held.length) return out;
      // An odd UTF-16 byte is dropped; an unfinished UTF-8 character is U+FFFD.
      if (this.encoding === "utf16le") return out + held.subarray(0, held.length - (held.length % 2)).toString("utf16le");
      return out + held.toString(this.encoding);
    }
    // How many bytes at the end of `data` start a character (or group) that
    // is not complete yet: Node's string_decoder.cc rules.
    _incomplete(data) {
      const n = data.length;
      switch (this.encoding) {
        case "base64":
        case "base64url":
          return n % 3;
        case "utf16le": {
          let keep = n % 2;
          const hi = data[n - keep - 1];
          if (n - keep >= 2 && hi >= 0xd8 && hi <= 0xdb) keep += 2;
          return keep;
        }
        case "utf8": {
          if (n === 0 || !(data[n - 1] & 0x80)) return 0;
          for (let i = n - 1, count = 1; ; i--, count++) {
            const b = data[i];
            if ((b & 0xc0) === 0x80) {
              if (count >= 4 || i === 0) return 0;
              continue;
            }
            const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
            return count < need ? count : 0;
          }
        }
        default:
          return 0;
      }
    }
  }

  // update's input: a string in `encoding` (an unknown one is UTF-8, as in
  // Node), or a view.
  function cipherInput(data, encoding) {
    if (typeof data === "string") {
      const normalized = normalizeEncoding(encoding);
      if (normalized === "hex" && data.length % 2 !== 0) {
        throw codedError(
          TypeError,
          "The argument 'encoding' is invalid for data of length " + data.length + ". Received '" + encoding + "'",
          "ERR_INVALID_ARG_VALUE",
        );
      }
      return Buffer.from(data, normalized || "utf8");
    }
    if (isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
  }

  const invalidState = (operation) =>
    codedError(Error, "Invalid state for operation " + operation, "ERR_CRYPTO_INVALID_STATE");

  function opensslError(code, reason, text) {
    const e = codedError(Error, "error:" + text + ":Provider routines::" + reason, code);
    e.library = "Provider routines";
    e.reason = reason;
    return e;
  }
  const wrongFinalBlockLength = () =>
    opensslError("ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", "wrong final block length", "1C80006B");
  const badDecrypt = () => opensslError("ERR_OSSL_BAD_DECRYPT", "bad decrypt", "1C800064");

  function invalidAuthTagLength(length) {
    return codedError(TypeError, "Invalid authentication tag length: " + length, "ERR_CRYPTO_INVALID_AUTH_TAG");
  }

  // A cipher's state, out of the object's own names (as in Node, whose state
  // is native).
  const kCipher = Symbol("cipher");

  class CipherBase {
    constructor(decrypt, algorithm, key, iv, options) {
      if (typeof algorithm !== "string") throw invalidArgType("cipher", "of type string", algorithm);
      const name = algorithm.toLowerCase();
      if (CIPHERS.indexOf(name) < 0) {
        throw codedError(Error, "Unknown cipher", "ERR_CRYPTO_UNKNOWN_CIPHER");
      }
      const gcm = name.endsWith("-gcm");
      let tagLength;
      if (options && options.authTagLength !== undefined) {
        tagLength = options.authTagLength;
        if (typeof tagLength !== "number" || tagLength < 0 || tagLength > 0xffffffff || Math.floor(tagLength) !== tagLength) {
          throw codedError(
            TypeError,
            "The property 'options.authTagLength' is invalid. Received " +
              (typeof tagLength === "string" ? "'" + tagLength + "'" : String(tagLength)),
            "ERR_INVALID_ARG_VALUE",
          );
        }
        if (gcm && GCM_TAG_LENGTHS.indexOf(tagLength) < 0) throw invalidAuthTagLength(tagLength);
      }
      const keyBytes = Buffer.from(secretBytes(key, undefined, "key"));
      if (keyBytes.length !== Number(name.split("-")[1]) / 8) {
        throw codedError(RangeError, "Invalid key length", "ERR_CRYPTO_INVALID_KEYLEN");
      }
      if (iv === null || iv === undefined) throw codedError(TypeError, "Invalid initialization vector", "ERR_CRYPTO_INVALID_IV");
      const ivBytes = Buffer.from(secretBytes(iv, undefined, "iv"));
      if (gcm ? ivBytes.length === 0 : ivBytes.length !== BLOCK) {
        throw codedError(TypeError, "Invalid initialization vector", "ERR_CRYPTO_INVALID_IV");
      }
      const state = { decrypt, gcm, key: b64(keyBytes), done: false, decoder: null };
      if (gcm) {
        state.iv = b64(ivBytes);
        state.tagLength = tagLength;
        state.offset = 0; // bytes of the message processed
        state.aad = [];
        state.text = []; // the ciphertext so far, for the tag
        state.tag = null; // a decipher's expected tag
        state.tagOut = null; // a cipher's tag, after final
      } else {
        state.chain = ivBytes; // the previous ciphertext block
        state.pending = Buffer.alloc(0); // input not yet output
        state.padding = true;
      }
      Object.defineProperty(this, kCipher, { value: state });
    }
    update(data, inputEncoding, outputEncoding) {
      const state = this[kCipher];
      const bytes = cipherInput(data, inputEncoding);
      if (state.done) throw new Error("Trying to add data in unsupported state");
      return encodeOutput(state, state.gcm ? gcmUpdate(state, bytes) : cbcUpdate(state, bytes), outputEncoding, false);
    }
    final(outputEncoding) {
      const state = this[kCipher];
      if (state.done) throw codedError(Error, "Invalid state", "ERR_CRYPTO_INVALID_STATE");
      state.done = true;
      return encodeOutput(state, state.gcm ? gcmFinal(state) : cbcFinal(state), outputEncoding, true);
    }
    setAAD(buffer, options) {
      const state = this[kCipher];
      if (!state.gcm || state.done || state.offset > 0) throw invalidState("setAAD");
      state.aad.push(Buffer.from(toBuffer(buffer, options && options.encoding, "buffer")));
      return this;
    }
    setAutoPadding(autoPadding) {
      const state = this[kCipher];
      if (state.done) throw invalidState("setAutoPadding");
      // As Node: `!!autoPadding`, so setAutoPadding() turns padding off.
      if (!state.gcm) state.padding = !!autoPadding;
      return this;
    }
  }

  class Cipheriv extends CipherBase {
    constructor(algorithm, key, iv, options) {
      super(false, algorithm, key, iv, options);
    }
    getAuthTag() {
      const state = this[kCipher];
      if (!state.gcm || !state.tagOut) throw invalidState("getAuthTag");
      return Buffer.from(state.tagOut);
    }
  }

  class Decipheriv extends CipherBase {
    constructor(algorithm, key, iv, options) {
      super(true, algorithm, key, iv, options);
    }
    setAuthTag(tagbuf, encoding) {
      const state = this[kCipher];
      if (!state.gcm || state.done || state.tag) throw invalidState("setAuthTag");
      const tag = Buffer.from(toBuffer(tagbuf, encoding, "buffer"));
      const ok = state.tagLength === undefined ? GCM_TAG_LENGTHS.indexOf(tag.length) >= 0 : tag.length === state.tagLength;
      if (!ok) throw invalidAuthTagLength(tag.length);
      state.tag = tag;
      return this;
    }
  }

  // A string as Node makes it: one StringDecoder per cipher, so a character
  // split between two updates comes out whole.
  function encodeOutput(state, buf, encoding, last) {
    if (!encoding || encoding === "buffer") return buf;
    if (!state.decoder) {
      state.decoder = new StringDecoder(encoding);
    } else if (normalizeEncoding(encoding) !== state.decoder.encoding) {
      if (normalizeEncoding(encoding) === undefined) {
        throw codedError(TypeError, "Unknown encoding: " + encoding, "ERR_UNKNOWN_ENCODING");
      }
      throw codedError(
        Error,
        "Cannot change encoding\nThis is caused by either a bug in Node.js or incorrect usage of Node.js internals.\n" +
          "Please open an issue with this stack trace at https://github.com/nodejs/node/issues\n",
        "ERR_INTERNAL_ASSERTION",
      );
    }
    return last ? state.decoder.end(buf) : state.decoder.write(buf);
  }

  // CBC over whole blocks, chained from the previous call.
  function cbcBlocks(state, blocks) {
    const answer = call({ op: "aesCbc", decrypt: state.decrypt, key: state.key, iv: b64(state.chain), data: b64(blocks) });
    const out = fromB64(answer.data);
    state.chain = Buffer.from((state.decrypt ? blocks : out).subarray(blocks.length - BLOCK));
    return out;
  }

  function cbcUpdate(state, bytes) {
    const all = state.pending.length ? Buffer.concat([state.pending, bytes]) : bytes;
    let n = all.length - (all.length % BLOCK);
    // OpenSSL's decrypt keeps the last whole block for final (its padding).
    if (state.decrypt && state.padding && n === all.length && n > 0) n -= BLOCK;
    state.pending = Buffer.from(all.subarray(n));
    return n === 0 ? Buffer.alloc(0) : cbcBlocks(state, all.subarray(0, n));
  }

  function cbcFinal(state) {
    const rest = state.pending;
    state.pending = Buffer.alloc(0);
    if (!state.padding) {
      if (rest.length) throw wrongFinalBlockLength();
      return Buffer.alloc(0);
    }
    if (!state.decrypt) {
      const pad = BLOCK - rest.length;
      return cbcBlocks(state, Buffer.concat([rest, Buffer.alloc(pad, pad)]));
    }
    if (rest.length !== BLOCK) throw wrongFinalBlockLength();
    const plain = cbcBlocks(state, rest);
    const pad = plain[BLOCK - 1];
    let bad = pad < 1 || pad > BLOCK;
    for (let i = BLOCK - Math.min(pad, BLOCK); i < BLOCK; i++) bad = bad || plain[i] !== pad;
    if (bad) throw badDecrypt();
    return plain.subarray(0, BLOCK - pad);
  }

  function gcmUpdate(state, bytes) {
    if (!bytes.length) return Buffer.alloc(0);
    const answer = call({ op: "aesGcm", key: state.key, iv: state.iv, offset: state.offset, data: b64(bytes) });
    const out = fromB64(answer.data);
    state.offset += bytes.length;
    state.text.push(state.decrypt ? Buffer.from(bytes) : out);
    return out;
  }

  function gcmFinal(state) {
    const request = {
      op: "aesGcmTag",
      key: state.key,
      iv: state.iv,
      aad: b64(Buffer.concat(state.aad)),
      data: b64(Buffer.concat(state.text)),
    };
    state.text = [];
    if (state.decrypt) {
      if (!state.tag) throw new Error(GCM_AUTH_FAILED);
      request.tag = b64(state.tag);
      call(request);
    } else {
      state.tagOut = fromB64(call(request).tag).subarray(0, state.tagLength || BLOCK);
    }
    return Buffer.alloc(0);
  }

  // ------------------------------------------------------------ keys

  const kInfo = Symbol("keyInfo");

  function pemOf(der, label) {
    const lines = b64(der).match(/.{1,64}/g) || [];
    return "-----BEGIN " + label + "-----\n" + lines.join("\n") + "\n-----END " + label + "-----\n";
  }

  class KeyObject {
    constructor(type, handle) {
      if (type !== "secret" && type !== "public" && type !== "private") {
        throw codedError(TypeError, 'The argument \'type\' is invalid. Received ' + String(type), "ERR_INVALID_ARG_VALUE");
      }
      Object.defineProperty(this, "_type", { value: type });
      if (type === "secret") Object.defineProperty(this, "_secret", { value: Buffer.from(handle) });
      else Object.defineProperty(this, kInfo, { value: handle });
    }
    get type() {
      return this._type;
    }
    get symmetricKeySize() {
      return this._type === "secret" ? this._secret.length : undefined;
    }
    get asymmetricKeyType() {
      return this._type === "secret" ? undefined : this[kInfo].asymmetricKeyType;
    }
    get asymmetricKeyDetails() {
      if (this._type === "secret") return undefined;
      const info = this[kInfo];
      if (info.asymmetricKeyType === "ec") return { namedCurve: info.namedCurve };
      return { modulusLength: info.modulusLength, publicExponent: BigInt(info.publicExponent) };
    }
    export(options) {
      if (this._type === "secret") {
        if (options && options.format === "jwk") return { kty: "oct", k: this._secret.toString("base64url") };
        return Buffer.from(this._secret);
      }
      if (!options || typeof options !== "object") throw invalidArgType("options", "of type object", options);
      const info = this[kInfo];
      if (options.format === "jwk") return Object.assign({}, info.jwk);
      if (options.passphrase !== undefined || options.cipher !== undefined) {
        throw new Error("crypto: exporting encrypted private keys is not supported");
      }
      let der;
      let label;
      if (this._type === "public" && options.type === "spki") {
        der = fromB64(info.spki);
        label = "PUBLIC KEY";
      } else if (this._type === "private" && options.type === "pkcs8") {
        der = fromB64(info.pkcs8);
        label = "PRIVATE KEY";
      } else {
        throw new Error("crypto: exporting a " + this._type + " key as " + options.type + " is not supported (spki, pkcs8, jwk)");
      }
      if (options.format === "der") return der;
      if (options.format === "pem" || options.format === undefined) return pemOf(der, label);
      throw codedError(TypeError, "The property 'options.format' is invalid. Received " + String(options.format), "ERR_INVALID_ARG_VALUE");
    }
    equals(other) {
      if (!(other instanceof KeyObject)) throw invalidArgType("otherKeyObject", "an instance of KeyObject", other);
      if (other.type !== this.type) return false;
      if (this._type === "secret") return timingSafeEqual(this._secret, other._secret) && this._secret.length === other._secret.length;
      const a = this._type === "public" ? this[kInfo].spki : this[kInfo].pkcs8;
      const b = other._type === "public" ? other[kInfo].spki : other[kInfo].pkcs8;
      return a === b;
    }
    // The host's key form for sign/verify.
    _hostKey() {
      const info = this[kInfo];
      return this._type === "private" ? { der: info.pkcs8, format: "pkcs8" } : { der: info.spki, format: "spki" };
    }
  }

  // Node's key input: a PEM string or Buffer, or { key, format, type, encoding }.
  function hostKeySpec(key) {
    let format = "pem";
    let type;
    let data = key;
    if (key && typeof key === "object" && !Buffer.isBuffer(key) && !isView(key) && !(key instanceof ArrayBuffer)) {
      if (key.passphrase !== undefined) throw new Error("crypto: encrypted private keys (passphrase) are not supported");
      format = key.format || "pem";
      type = key.type;
      data = key.key;
      if (format === "jwk") {
        if (!data || typeof data !== "object") throw invalidArgType("key.key", "of type object", data);
        return { jwk: data };
      }
      if (typeof data === "string" && key.encoding) data = Buffer.from(data, key.encoding);
    }
    if (format === "pem") {
      if (typeof data !== "string") {
        if (Buffer.isBuffer(data) || isView(data)) data = toBuffer(data).toString("utf8");
        else throw invalidArgType("key", "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey", data);
      }
      if (data.indexOf("-----BEGIN") < 0) {
        throw codedError(Error, "error:1E08010C:DECODER routines::unsupported", "ERR_OSSL_UNSUPPORTED");
      }
      return { pem: data };
    }
    if (format === "der") {
      if (type !== "spki" && type !== "pkcs8") throw new Error("crypto: DER keys of type " + type + " are not supported (spki, pkcs8)");
      return { der: b64(toBuffer(data, undefined, "key.key")), format: type };
    }
    throw codedError(TypeError, "The property 'key.format' is invalid. Received " + String(format), "ERR_INVALID_ARG_VALUE");
  }

  function asymmetricKey(key, wantPublic) {
    if (key instanceof KeyObject) {
      if (key.type === "secret") {
        throw codedError(TypeError, "Invalid key object type secret, expected " + (wantPublic ? "public" : "private") + ".", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
      }
      if (wantPublic && key.type === "private") return new KeyObject("public", key[kInfo].publicInfo || publicInfo(key));
      return key;
    }
    if (key && typeof key === "object" && key.key instanceof KeyObject) return asymmetricKey(key.key, wantPublic);
    const info = call({ op: "keyInfo", key: hostKeySpec(key), public: !!wantPublic });
    return new KeyObject(info.type, info);
  }

  function publicInfo(privateKey) {
    return call({ op: "keyInfo", key: privateKey._hostKey(), public: true });
  }

  function createPublicKey(key) {
    return asymmetricKey(key, true);
  }

  function createPrivateKey(key) {
    if (key instanceof KeyObject) {
      throw invalidArgType("key", "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, or object", key);
    }
    const k = asymmetricKey(key, false);
    if (k.type !== "private") {
      throw codedError(Error, "error:1E08010C:DECODER routines::unsupported", "ERR_OSSL_UNSUPPORTED");
    }
    return k;
  }

  function createSecretKey(key, encoding) {
    if (typeof key !== "string" && !Buffer.isBuffer(key) && !isView(key) && !(key instanceof ArrayBuffer)) {
      throw invalidArgType("key", "of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView", key);
    }
    return new KeyObject("secret", toBuffer(key, encoding, "key"));
  }

  // ------------------------------------------------------------ signatures

  const constants = Object.freeze({
    RSA_PKCS1_PADDING: 1,
    RSA_NO_PADDING: 3,
    RSA_PKCS1_OAEP_PADDING: 4,
    RSA_X931_PADDING: 5,
    RSA_PKCS1_PSS_PADDING: 6,
    RSA_PSS_SALTLEN_DIGEST: -1,
    RSA_PSS_SALTLEN_MAX_SIGN: -2,
    RSA_PSS_SALTLEN_AUTO: -2,
    POINT_CONVERSION_COMPRESSED: 2,
    POINT_CONVERSION_UNCOMPRESSED: 4,
    POINT_CONVERSION_HYBRID: 6,
  });

  // The host request for a Node sign/verify: the algorithm follows the key.
  function signRequest(op, hash, keyInput, data, isPublic) {
    const key = asymmetricKey(keyInput, isPublic);
    const opts = keyInput && typeof keyInput === "object" && !Buffer.isBuffer(keyInput) && !isView(keyInput) && !(keyInput instanceof KeyObject) ? keyInput : {};
    const request = { op, hash, key: key._hostKey(), data: b64(data) };
    if (key.asymmetricKeyType === "ec") {
      request.algorithm = "ECDSA";
      if (opts.dsaEncoding !== undefined) {
        if (opts.dsaEncoding !== "der" && opts.dsaEncoding !== "ieee-p1363") {
          throw codedError(TypeError, "The property 'options.dsaEncoding' is invalid. Received " + String(opts.dsaEncoding), "ERR_INVALID_ARG_VALUE");
        }
        request.dsaEncoding = opts.dsaEncoding;
      }
    } else {
      const padding = opts.padding === undefined ? constants.RSA_PKCS1_PADDING : opts.padding;
      if (padding === constants.RSA_PKCS1_PSS_PADDING) {
        request.algorithm = "RSA-PSS";
        if (opts.saltLength !== undefined) request.saltLength = opts.saltLength;
      } else if (padding === constants.RSA_PKCS1_PADDING) {
        request.algorithm = "RSASSA-PKCS1-v1_5";
      } else {
        throw new Error("crypto: RSA padding " + padding + " is not supported for signatures (RSA_PKCS1_PADDING, RSA_PKCS1_PSS_PADDING)");
      }
    }
    return request;
  }

  function signHash(algorithm) {
    if (algorithm === null || algorithm === undefined) return "sha256";
    const hash = hashName(algorithm);
    if (!hash) throw codedError(TypeError, "Invalid digest", "ERR_CRYPTO_INVALID_DIGEST");
    return hash;
  }

  class Sign {
    constructor(algorithm) {
      if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
      this._hash = signHash(algorithm);
      this._chunks = [];
    }
    update(data, inputEncoding) {
      this._chunks.push(Buffer.from(toBuffer(data, inputEncoding)));
      return this;
    }
    sign(privateKey, outputEncoding) {
      if (!privateKey) throw codedError(Error, "No key provided to sign", "ERR_CRYPTO_SIGN_KEY_REQUIRED");
      const request = signRequest("sign", this._hash, privateKey, Buffer.concat(this._chunks), false);
      return output(fromB64(call(request).signature), outputEncoding);
    }
  }

  class Verify {
    constructor(algorithm) {
      if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
      this._hash = signHash(algorithm);
      this._chunks = [];
    }
    update(data, inputEncoding) {
      this._chunks.push(Buffer.from(toBuffer(data, inputEncoding)));
      return this;
    }
    verify(publicKey, signature, signatureEncoding) {
      const request = signRequest("verify", this._hash, publicKey, Buffer.concat(this._chunks), true);
      request.signature = b64(toBuffer(signature, signatureEncoding, "signature"));
      return call(request).valid;
    }
  }

  function oneShot(fn, callback) {
    if (callback === undefined) return fn();
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
    let result;
    try {
      result = fn();
    } catch (e) {
      later(() => callback(e));
      return undefined;
    }
    later(() => callback(null, result));
    return undefined;
  }

  function sign(algorithm, data, key, callback) {
    return oneShot(() => {
      const request = signRequest("sign", signHash(algorithm), key, toBuffer(data, undefined, "data"), false);
      return fromB64(call(request).signature);
    }, callback);
  }

  function verify(algorithm, data, key, signature, callback) {
    return oneShot(() => {
      const request = signRequest("verify", signHash(algorithm), key, toBuffer(data, undefined, "data"), true);
      request.signature = b64(toBuffer(signature, undefined, "signature"));
      return call(request).valid;
    }, callback);
  }

  // ------------------------------------------------------------ WebCrypto

  function domError(name, message) {
    const e = new Error(message);
    e.name = name;
    return e;
  }

  function normalize(algorithm) {
    if (typeof algorithm === "string") return { name: algorithm };
    if (algorithm && typeof algorithm === "object" && typeof algorithm.name === "string") return algorithm;
    throw codedError(TypeError, "Algorithm: Unrecognized name", "ERR_INVALID_ARG_TYPE");
  }

  const WEB_HASHES = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
  function webHash(hash) {
    const name = normalize(hash).name.toUpperCase();
    if (!WEB_HASHES[name]) throw domError("NotSupportedError", "Unrecognized algorithm name: " + normalize(hash).name);
    return name;
  }

  function bytes(data) {
    if (isView(data) || data instanceof ArrayBuffer) return Buffer.from(toBuffer(data));
    throw codedError(TypeError, "Failed to execute: argument is not an ArrayBuffer or ArrayBufferView", "ERR_INVALID_ARG_TYPE");
  }

  function arrayBuffer(buf) {
    const out = new ArrayBuffer(buf.length);
    new Uint8Array(out).set(buf);
    return out;
  }

  class CryptoKey {
    constructor(type, extractable, algorithm, usages, handle) {
      this.type = type;
      this.extractable = extractable;
      this.algorithm = algorithm;
      this.usages = usages;
      Object.defineProperty(this, "_handle", { value: handle });
    }
  }

  const SIGNERS = ["HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA"];
  function algorithmName(name) {
    const upper = name.toUpperCase();
    for (const n of SIGNERS) if (n.toUpperCase() === upper) return n;
    throw domError("NotSupportedError", "Unrecognized algorithm name: " + name);
  }

  function importKey(format, keyData, algorithm, extractable, usages) {
    const alg = normalize(algorithm);
    const name = algorithmName(alg.name);
    usages = Array.from(usages || []);
    if (name === "HMAC") {
      const hash = webHash(alg.hash);
      let raw;
      if (format === "raw") raw = bytes(keyData);
      else if (format === "jwk") raw = Buffer.from(keyData.k, "base64url");
      else throw domError("NotSupportedError", "Unsupported key format " + format + " for HMAC (raw, jwk)");
      const length = alg.length === undefined ? raw.length * 8 : alg.length;
      return new CryptoKey("secret", !!extractable, { name, hash: { name: hash }, length }, usages, new KeyObject("secret", raw));
    }
    let spec;
    if (format === "spki") spec = { der: b64(bytes(keyData)), format: "spki" };
    else if (format === "pkcs8") spec = { der: b64(bytes(keyData)), format: "pkcs8" };
    else if (format === "jwk") spec = { jwk: keyData };
    else throw domError("NotSupportedError", "Unsupported key format " + format + " for " + name + " (spki, pkcs8, jwk)");
    let info;
    try {
      info = call({ op: "keyInfo", key: spec });
    } catch (e) {
      throw domError("DataError", e.message);
    }
    const key = new KeyObject(info.type, info);
    let algOut;
    if (name === "ECDSA") {
      if (info.asymmetricKeyType !== "ec") throw domError("DataError", "Invalid key type");
      const curve = info.namedCurve === "prime256v1" ? "P-256" : "P-384";
      if (alg.namedCurve !== curve) throw domError("DataError", "Named curve mismatch");
      algOut = { name, namedCurve: curve };
    } else {
      if (info.asymmetricKeyType !== "rsa") throw domError("DataError", "Invalid key type");
      const e = fromB64(info.jwk.e.replace(/-/g, "+").replace(/_/g, "/"));
      algOut = { name, modulusLength: info.modulusLength, publicExponent: new Uint8Array(e), hash: { name: webHash(alg.hash) } };
    }
    return new CryptoKey(info.type, !!extractable, algOut, usages, key);
  }

  function checkKey(key, name, usage) {
    if (!(key instanceof CryptoKey)) throw codedError(TypeError, 'The "key" argument must be an instance of CryptoKey.', "ERR_INVALID_ARG_TYPE");
    if (key.algorithm.name !== name) throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
    if (key.usages.indexOf(usage) < 0) throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
  }

  function webSignRequest(op, algorithm, key, data) {
    const alg = normalize(algorithm);
    const name = algorithmName(alg.name);
    checkKey(key, name, op);
    if (name === "HMAC") return null;
    const request = { op, key: key._handle._hostKey(), data: b64(bytes(data)), algorithm: name };
    if (name === "ECDSA") {
      request.hash = WEB_HASHES[webHash(alg.hash)];
      request.dsaEncoding = "ieee-p1363";
    } else {
      request.hash = WEB_HASHES[key.algorithm.hash.name];
      if (name === "RSA-PSS") {
        if (typeof alg.saltLength !== "number") throw codedError(TypeError, "RsaPssParams: saltLength is required", "ERR_MISSING_OPTION");
        request.saltLength = alg.saltLength;
      }
    }
    return request;
  }

  function hmacOf(key, data) {
    const answer = call({
      op: "hmac",
      hash: WEB_HASHES[key.algorithm.hash.name],
      key: b64(key._handle._secret),
      keyEncoding: "base64",
      data: b64(bytes(data)),
      dataEncoding: "base64",
      encoding: "base64",
    });
    return fromB64(answer.digest);
  }

  const asPromise = (fn) => new Promise((resolve) => resolve(fn()));

  const subtle = {
    digest(algorithm, data) {
      return asPromise(() => {
        const hash = WEB_HASHES[webHash(algorithm)];
        return arrayBuffer(fromB64(call({ op: "digest", hash, data: b64(bytes(data)) }).digest));
      });
    },
    importKey(format, keyData, algorithm, extractable, usages) {
      return asPromise(() => importKey(format, keyData, algorithm, extractable, usages));
    },
    sign(algorithm, key, data) {
      return asPromise(() => {
        const request = webSignRequest("sign", algorithm, key, data);
        if (!request) return arrayBuffer(hmacOf(key, data));
        return arrayBuffer(fromB64(call(request).signature));
      });
    },
    verify(algorithm, key, signature, data) {
      return asPromise(() => {
        const request = webSignRequest("verify", algorithm, key, data);
        const sig = bytes(signature);
        if (!request) {
          const mac = hmacOf(key, data);
          return mac.length === sig.length && timingSafeEqual(mac, sig);
        }
        request.signature = b64(sig);
        return call(request).valid;
      });
    },
  };
  for (const name of ["encrypt", "decrypt", "generateKey", "deriveKey", "deriveBits", "exportKey", "wrapKey", "unwrapKey"]) {
    subtle[name] = () => Promise.reject(new Error("crypto.subtle." + name + " is not supported in hookbox"));
  }

  function getRandomValues(array) {
    const tag = Object.prototype.toString.call(array).slice(8, -1);
    const integer = /^(Big)?(Ui|I)nt(8|16|32|64)(Clamped)?Array$/.test(tag);
    if (!integer) throw domError("TypeMismatchError", "The data argument must be an integer-type TypedArray");
    if (array.byteLength > 65536) {
      throw domError("QuotaExceededError", "The ArrayBufferView's byte length (" + array.byteLength + ") exceeds the number of bytes of entropy available via this API (65536)");
    }
    randomFillBuffer(toBuffer(array));
    return array;
  }

  const webcrypto = { getRandomValues, randomUUID: () => randomUUID(), subtle, CryptoKey };

  // ------------------------------------------------------------ the module

  const unsupported = (name) => () => {
    throw new Error("crypto." + name + " is not supported in hookbox");
  };

  const crypto = {
    createHash: (algorithm, options) => new Hash(algorithm, options),
    createHmac: (algorithm, key, options) => new Hmac(algorithm, key, options),
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFill,
    randomFillSync,
    randomUUID,
    randomInt,
    timingSafeEqual,
    pbkdf2,
    pbkdf2Sync,
    createCipheriv: (algorithm, key, iv, options) => new Cipheriv(algorithm, key, iv, options),
    createDecipheriv: (algorithm, key, iv, options) => new Decipheriv(algorithm, key, iv, options),
    createSign: (algorithm) => new Sign(algorithm),
    createVerify: (algorithm) => new Verify(algorithm),
    sign,
    verify,
    createPublicKey,
    createPrivateKey,
    createSecretKey,
    KeyObject,
    Hash,
    Hmac,
    Sign,
    Verify,
    getHashes: () => ["RSA-MD5", "RSA-SHA1", "RSA-SHA256", "RSA-SHA384", "RSA-SHA512", "md5", "sha1", "sha256", "sha384", "sha512"],
    getCiphers: () => CIPHERS.slice(),
    getCurves: () => ["prime256v1", "secp384r1"],
    constants,
    webcrypto,
    subtle,
    getRandomValues,
    createCipher: unsupported("createCipher"),
    createDecipher: unsupported("createDecipher"),
    createDiffieHellman: unsupported("createDiffieHellman"),
    createECDH: unsupported("createECDH"),
    generateKeyPair: unsupported("generateKeyPair"),
    generateKeyPairSync: unsupported("generateKeyPairSync"),
    generateKey: unsupported("generateKey"),
    generateKeySync: unsupported("generateKeySync"),
    publicEncrypt: unsupported("publicEncrypt"),
    privateDecrypt: unsupported("privateDecrypt"),
    privateEncrypt: unsupported("privateEncrypt"),
    publicDecrypt: unsupported("publicDecrypt"),
    scrypt: unsupported("scrypt"),
    scryptSync: unsupported("scryptSync"),
    hkdf: unsupported("hkdf"),
    hkdfSync: unsupported("hkdfSync"),
  };

  return { crypto, webcrypto };
});
