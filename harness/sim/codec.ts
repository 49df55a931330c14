/**
 * The labgob equivalent. RPC arguments, replies and persisted state cross the network and the
 * persister only as encoded bytes, so caller and callee never share memory, and the byte counters
 * count the encoded length.
 *
 * The format is a small binary one (a tag byte, then varints, like a tiny msgpack):
 *
 *   0 undefined (top level only)   1 null   2 false   3 true
 *   4 integer: zigzag varint        5 float64, little-endian (NaN, ±Infinity, -0, fractions)
 *   6 string: varint byte length, UTF-8      7 bigint: zigzag varint of any length
 *   8 bytes: varint length, raw              9 array: varint count, then the items
 *  10 object: varint count, the keys (varint length, UTF-8 each), then the values in key order
 *
 * Keys come before values so that the decoder can recognise a set of field names it has seen
 * before (every RPC of a kind has the same ones) and build the object in one step.
 *
 * Anything that would silently change in transit (functions, undefined fields, holes, class
 * instances with methods, Maps, cycles, ...) is refused with a CodecError naming the field path,
 * because in a Raft such a loss shows up only much later, as a baffling divergence.
 */

/** Why a value cannot be encoded (path names the field) or why bytes cannot be decoded (path ""). */
export class CodecError extends Error {
  constructor(
    /** Where the problem is, e.g. "args.entries[3].command"; "" for decoding errors. */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "CodecError";
  }
}

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT = 4;
const FLOAT = 5;
const STRING = 6;
const BIGINT = 7;
const BYTES = 8;
const ARRAY = 9;
const OBJECT = 10;

/** Real data is a few levels deep; anything deeper is a runaway structure (and would overflow the stack). */
const MAX_DEPTH = 1000;
/**
 * A cycle makes the depth grow without bound, so searching the ancestors only from this depth on
 * still finds every cycle, and normal (shallow) data never pays for the search.
 */
const CYCLE_CHECK_DEPTH = 32;
/** Strings up to this length are encoded by hand: faster than a native call for field names. */
const SHORT_STRING = 40;
/** The scratch buffer shrinks back after a huge value, so one snapshot does not pin memory. */
const INITIAL_SCRATCH = 8 * 1024;
const MAX_KEPT_SCRATCH = 1024 * 1024;

export function encode(value: unknown, root = "value"): Uint8Array {
  // A getter could call encode() while we are encoding; it then gets an encoder of its own.
  const encoder = idleEncoder ?? new Encoder();
  idleEncoder = undefined;
  try {
    return encoder.run(value, root);
  } finally {
    idleEncoder = encoder;
  }
}

/**
 * Decodes into brand-new objects, never into an existing one, so labgob's "decoding into a
 * non-default variable" hazard cannot arise here.
 */
export function decode<T = unknown>(bytes: Uint8Array): T {
  if (!(bytes instanceof Uint8Array)) malformed(`expected a Uint8Array, got ${describeType(bytes)}`);
  if (bytes.length === 0) malformed("no bytes at all (nothing was saved? check for an empty array before decoding)");
  // A Buffer's slice() shares memory; a plain view makes every slice below a real copy.
  const plain =
    bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new Decoder(plain);
  const value = plain[0] === UNDEFINED ? ((decoder.pos = 1), undefined) : decoder.value();
  if (decoder.pos !== plain.length) malformed(`${plain.length - decoder.pos} trailing bytes after the value`);
  return value as T;
}

let idleEncoder: Encoder | undefined;

class Encoder {
  private buf = new Uint8Array(INITIAL_SCRATCH);
  private pos = 0;
  /** Containers enclosing the value being encoded; keys[i] is the key taken inside ancestors[i]. */
  private depth = 0;
  private readonly ancestors: object[] = [];
  private readonly keys: (string | number)[] = [];
  private root = "value";
  private floats = new DataView(this.buf.buffer);
  private text = Buffer.from(this.buf.buffer);

  run(value: unknown, root: string): Uint8Array {
    this.pos = 0;
    this.depth = 0;
    this.root = root;
    if (value === undefined) {
      this.ensure(1);
      this.buf[this.pos++] = UNDEFINED;
    } else {
      this.value(value);
    }
    const out = this.buf.slice(0, this.pos);
    if (this.buf.length > MAX_KEPT_SCRATCH) this.resize(INITIAL_SCRATCH);
    return out;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case "number":
        return this.number(v);
      case "string":
        this.ensure(1);
        this.buf[this.pos++] = STRING;
        return this.string(v);
      case "boolean":
        this.ensure(1);
        this.buf[this.pos++] = v ? TRUE : FALSE;
        return;
      case "object":
        if (v === null) {
          this.ensure(1);
          this.buf[this.pos++] = NULL;
          return;
        }
        return Array.isArray(v) ? this.array(v) : this.object(v);
      case "bigint":
        this.ensure(1);
        this.buf[this.pos++] = BIGINT;
        return this.bigVarint(v >= 0n ? v << 1n : (-v << 1n) - 1n);
      case "undefined":
        return this.fail("it is undefined; it would be lost in transit — use null or omit the field");
      case "function":
        return this.fail(`a function${v.name ? ` (${v.name})` : ""} cannot be encoded; send plain data`);
      case "symbol":
        return this.fail(`a symbol (${String(v)}) cannot be encoded; use a string`);
    }
  }

  private number(v: number): void {
    this.ensure(11);
    const buf = this.buf;
    if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
      buf[this.pos++] = INT;
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        buf[this.pos++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      buf[this.pos++] = z;
    } else if (Number.isSafeInteger(v) && v !== 0) {
      buf[this.pos++] = INT;
      // Above 2^52 the zigzag value may not be exact as a double; bigints take over there.
      if (Math.abs(v) > 2 ** 52) return this.bigVarint(v > 0 ? BigInt(v) << 1n : (BigInt(-v) << 1n) - 1n);
      let z = v > 0 ? v * 2 : -v * 2 - 1;
      while (z >= 0x80) {
        buf[this.pos++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
      buf[this.pos++] = z;
    } else {
      buf[this.pos++] = FLOAT;
      this.floats.setFloat64(this.pos, v, true);
      this.pos += 8;
    }
  }

  private uint(n: number): void {
    this.ensure(5);
    this.putUint(n);
  }

  /** Writes a varint into space already ensured. */
  private putUint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  private bigVarint(z: bigint): void {
    while (z >= 0x80n) {
      this.ensure(1);
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.ensure(1);
    this.buf[this.pos++] = Number(z);
  }

  /** Length and UTF-8 bytes (no tag: object keys use this too). */
  private string(s: string): void {
    const length = s.length;
    if (length > SHORT_STRING) return this.longString(s);
    this.ensure(1 + 3 * length); // at most 120 bytes, so the length fits one varint byte
    const buf = this.buf;
    const start = this.pos;
    let p = start + 1;
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      } else {
        const next = s.charCodeAt(i + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) this.loneSurrogate(s);
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        buf[p++] = 0xf0 | (cp >> 18);
        buf[p++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[p++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[p++] = 0x80 | (cp & 0x3f);
        i++;
      }
    }
    buf[start] = p - start - 1;
    this.pos = p;
  }

  private longString(s: string): void {
    if (!isWellFormed(s)) this.loneSurrogate(s);
    const max = 3 * s.length;
    const reserved = varintSize(max);
    this.ensure(reserved + max);
    const written = this.text.write(s, this.pos + reserved, max, "utf8");
    const needed = varintSize(written);
    // The length prefix was sized for the worst case; close the gap if it came out shorter.
    if (needed < reserved) this.buf.copyWithin(this.pos + needed, this.pos + reserved, this.pos + reserved + written);
    this.putUint(written);
    this.pos += written;
  }

  private array(arr: unknown[]): void {
    if (Object.getPrototypeOf(arr) !== Array.prototype) {
      const name = Object.getPrototypeOf(arr)?.constructor?.name || "(anonymous)";
      this.fail(`an instance of ${name}, a subclass of Array, cannot be encoded; send a plain array`);
    }
    const d = this.enter(arr);
    const length = arr.length;
    this.ensure(1);
    this.buf[this.pos++] = ARRAY;
    this.uint(length);
    const keys = this.keys;
    for (let i = 0; i < length; i++) {
      const item = arr[i];
      keys[d] = i;
      if (item === undefined && !(i in arr)) {
        this.fail("it is a hole in a sparse array; it would be lost in transit — fill every index (null if need be)");
      }
      this.value(item);
    }
    this.depth = d;
  }

  private object(obj: object): void {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      if (obj instanceof Uint8Array) return this.bytes(obj); // a Buffer too
      const problem = classProblem(proto);
      if (problem) this.fail(problem);
    }
    // Symbol-keyed fields would vanish in transit. Asking costs a native call per object (the
    // largest part of encoding an object), the price of saying so instead.
    const symbols = Object.getOwnPropertySymbols(obj);
    if (symbols.length > 0) {
      this.fail(`the object has symbol keys (${symbols.map(String).join(", ")}); they would be lost — use string keys`);
    }
    const d = this.enter(obj);
    this.ensure(2);
    this.buf[this.pos++] = OBJECT;
    // The count is only known after the keys (for-in is much faster than Object.keys here), so one
    // byte is reserved for it: enough for up to 127 fields, widened in place beyond that.
    const countAt = this.pos++;
    let count = 0;
    const keys = this.keys;
    // Plain objects and checked data classes have no enumerable inherited keys, so for-in gives
    // exactly the own enumerable string keys, in insertion order.
    for (const name in obj) {
      keys[d] = name;
      this.string(name);
      count++;
    }
    if (count < 0x80) this.buf[countAt] = count;
    else this.widenCount(countAt, count);
    for (const name in obj) {
      keys[d] = name;
      this.value((obj as Record<string, unknown>)[name]);
    }
    this.depth = d;
  }

  /** Makes room for a multi-byte field count at `at`, shifting the keys already written. */
  private widenCount(at: number, count: number): void {
    const extra = varintSize(count) - 1;
    this.ensure(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    this.pos += extra;
    const end = this.pos;
    this.pos = at;
    this.putUint(count);
    this.pos = end;
  }

  private bytes(bytes: Uint8Array): void {
    this.ensure(1);
    this.buf[this.pos++] = BYTES;
    this.uint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Pushes a container; returns its depth. Ancestors are searched only when unusually deep. */
  private enter(container: object): number {
    const d = this.depth;
    if (d >= CYCLE_CHECK_DEPTH) {
      if (this.ancestors.lastIndexOf(container, d - 1) >= 0) this.cycle(container);
      if (d >= MAX_DEPTH) this.fail(`the value is nested more than ${MAX_DEPTH} levels deep`);
    }
    this.ancestors[d] = container;
    this.depth = d + 1;
    return d;
  }

  /** Reports the first place on the current path that refers back to an ancestor. */
  private cycle(container: object): never {
    const chain = [...this.ancestors.slice(0, this.depth), container];
    const firstSeen = new Map<object, number>();
    for (let j = 0; j < chain.length; j++) {
      const i = firstSeen.get(chain[j]);
      if (i !== undefined) {
        this.depth = j;
        return this.fail(`it refers back to ${formatPath(this.root, this.keys, i)} (a cycle)`);
      }
      firstSeen.set(chain[j], j);
    }
    throw new Error("codec bug: cycle reported but not found");
  }

  private loneSurrogate(s: string): never {
    const at = s.search(LONE_SURROGATE);
    return this.fail(`the string has an unpaired UTF-16 surrogate at index ${at}; it would be changed in transit`);
  }

  /** Builds the path only now that it is needed: keys[0..depth) lead to the failing value. */
  private fail(reason: string): never {
    const path = formatPath(this.root, this.keys, this.depth);
    throw new CodecError(path, `cannot encode ${path}: ${reason}`);
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.resize(Math.max(2 * this.buf.length, this.pos + n));
  }

  private resize(size: number): void {
    const old = this.buf;
    this.buf = new Uint8Array(size);
    this.buf.set(old.subarray(0, Math.min(this.pos, size)));
    this.floats = new DataView(this.buf.buffer);
    this.text = Buffer.from(this.buf.buffer);
  }
}

class Decoder {
  pos = 0;
  private depth = 0;
  private floats: DataView | undefined;

  constructor(private readonly bytes: Uint8Array) {}

  /** Public only for compiled shapes. */
  value(): unknown {
    const tag = this.bytes[this.pos++];
    switch (tag) {
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INT:
        return this.int();
      case FLOAT:
        return this.float();
      case STRING:
        return this.string();
      case BIGINT: {
        const z = this.bigVarint();
        return z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
      }
      case BYTES: {
        const length = this.length(1);
        return this.bytes.slice(this.pos, (this.pos += length));
      }
      case ARRAY:
        return this.array();
      case OBJECT:
        return this.object();
      case undefined:
        return malformed("truncated (ends where a value should start)");
      default:
        return malformed(`unknown tag ${tag} at byte ${this.pos - 1}`);
    }
  }

  private int(): number {
    const start = this.pos;
    const z = this.uint();
    if (z <= 0xffffffff) return (z >>> 1) ^ -(z & 1);
    if (z <= Number.MAX_SAFE_INTEGER) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    // Too big to be exact as a double: read it again exactly.
    this.pos = start;
    const big = this.bigVarint();
    const n = Number(big & 1n ? -((big + 1n) >> 1n) : big >> 1n);
    if (!Number.isSafeInteger(n)) malformed(`integer out of range at byte ${start}`);
    return n;
  }

  private float(): number {
    if (this.pos + 8 > this.bytes.length) malformed("truncated float");
    this.floats ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const v = this.floats.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  private uint(): number {
    const bytes = this.bytes;
    const b = bytes[this.pos++];
    if (b < 0x80) return b; // an out-of-range read gives undefined, which fails this test
    let n = 0;
    let scale = 1;
    for (let i = this.pos - 1; ; i++) {
      const byte = bytes[i];
      if (byte === undefined) malformed("truncated varint");
      if (i - this.pos >= 7) malformed(`varint too long at byte ${this.pos - 1}`);
      n += (byte & 0x7f) * scale;
      scale *= 0x80;
      if (byte < 0x80) {
        this.pos = i + 1;
        return n;
      }
    }
  }

  private bigVarint(): bigint {
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) malformed("truncated varint");
      z |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return z;
    }
  }

  /** A count or byte length, checked against what is left (each unit takes at least `unit` bytes). */
  private length(unit: number): number {
    const n = this.uint();
    if (n * unit > this.bytes.length - this.pos) malformed(`length ${n} at byte ${this.pos} runs past the end`);
    return n;
  }

  private string(): string {
    const length = this.length(1);
    const start = this.pos;
    this.pos += length;
    return length <= 16 ? shortString(this.bytes, start, start + length) : utf8(this.bytes, start, start + length);
  }

  private array(): unknown[] {
    const count = this.length(1);
    if (++this.depth > MAX_DEPTH) malformed("nested too deep");
    const arr: unknown[] = [];
    for (let i = 0; i < count; i++) arr.push(this.value());
    this.depth--;
    return arr;
  }

  private object(): Record<string, unknown> {
    const count = this.length(2);
    if (count === 0) return {};
    if (++this.depth > MAX_DEPTH) malformed("nested too deep");
    const shape = this.shape(count);
    const obj = shape.make ? shape.make(this) : this.fields(shape.keys);
    this.depth--;
    return obj;
  }

  /** Reads the keys of an object, reusing the shape last seen with exactly these key bytes. */
  private shape(count: number): Shape {
    const bytes = this.bytes;
    const start = this.pos;
    // A few bytes from the start of the first keys are enough to tell the shapes of a program apart.
    const sample = start + 7 < bytes.length ? bytes[start + 1] * 7 + bytes[start + 2] * 131 + bytes[start + 7] : 0;
    const slot = (count * 31 + sample) & (SHAPE_SLOTS - 1);
    const cached = shapes[slot];
    // A run of `count` length-prefixed keys delimits itself, so equal bytes mean equal keys.
    if (cached !== undefined && cached.keys.length === count && sameBytes(cached.bytes, bytes, start)) {
      this.pos = start + cached.bytes.length;
      if (cached.make === undefined && ++cached.uses === COMPILE_AFTER_USES) cached.make = compileShape(cached.keys);
      return cached;
    }
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push(this.string());
    if (count > MAX_SHAPE_FIELDS || this.pos - start > MAX_SHAPE_BYTES) return new Shape(NO_BYTES, keys);
    return (shapes[slot] = new Shape(bytes.slice(start, this.pos), keys));
  }

  /** Builds an object field by field (for shapes not compiled yet). Public for compiled shapes. */
  fields(keys: readonly string[]): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (const key of keys) {
      const value = this.value();
      // Plain assignment to "__proto__" would set the prototype instead of making a field.
      if (key === "__proto__")
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      else obj[key] = value;
    }
    return obj;
  }
}

/** The field names of one kind of object, and once it is common, a function that builds it. */
class Shape {
  uses = 1;
  make: ((decoder: Decoder) => Record<string, unknown>) | undefined;
  constructor(
    readonly bytes: Uint8Array,
    readonly keys: readonly string[],
  ) {}
}

const SHAPE_SLOTS = 256;
const MAX_SHAPE_FIELDS = 32;
const MAX_SHAPE_BYTES = 512;
/** Compiling costs tens of µs, so only shapes that keep coming back get a builder. */
const COMPILE_AFTER_USES = 8;
const shapes: (Shape | undefined)[] = new Array(SHAPE_SLOTS).fill(undefined);

const NO_BYTES = new Uint8Array(0);

function sameBytes(a: Uint8Array, bytes: Uint8Array, start: number): boolean {
  if (start + a.length > bytes.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== bytes[start + i]) return false;
  return true;
}

/**
 * An object literal with fixed names builds objects far faster than adding fields one by one.
 * The names are JSON-quoted, so no key can inject code; a computed "__proto__" makes a field
 * rather than setting the prototype. Values are decoded in order, as literal fields evaluate.
 */
function compileShape(keys: readonly string[]): Shape["make"] {
  const fields = keys.map((key) => `${key === "__proto__" ? `["__proto__"]` : JSON.stringify(key)}: d.value()`);
  try {
    return new Function("d", `return { ${fields.join(", ")} };`) as Shape["make"];
  } catch {
    return (decoder) => decoder.fields(keys); // code generation disabled (--disallow-code-generation-from-strings)
  }
}

/** Short strings are cheaper to build by hand than through TextDecoder, when they are ASCII. */
function shortString(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c >= 0x80) return utf8(bytes, start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function utf8(bytes: Uint8Array, start: number, end: number): string {
  try {
    return utf8Decoder.decode(bytes.subarray(start, end));
  } catch {
    return malformed(`invalid UTF-8 in the string at byte ${start}`);
  }
}

function malformed(what: string): never {
  throw new CodecError("", `malformed encoding: ${what}`);
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

const nativeIsWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isWellFormed(s: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatPath(root: string, keys: readonly (string | number)[], length: number): string {
  let path = root;
  for (let i = 0; i < length; i++) {
    const key = keys[i];
    path += typeof key === "number" ? `[${key}]` : IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return path;
}

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return Object.getPrototypeOf(v)?.constructor?.name ?? "object";
  return typeof v;
}

/** Built-ins that hold state the encoder cannot see, each with what to send instead. */
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Int8Array.prototype) as object;
const BUILTINS = new Map<object, string>([
  [Map.prototype, "use a plain object or an array of pairs"],
  [Set.prototype, "use an array"],
  [WeakMap.prototype, "send plain data"],
  [WeakSet.prototype, "send plain data"],
  [WeakRef.prototype, "send plain data"],
  [Date.prototype, "use a number (ms since the epoch)"],
  [RegExp.prototype, "send its source as a string"],
  [Promise.prototype, "await it and send the result"],
  [Error.prototype, "send its message as a string"],
  [ArrayBuffer.prototype, "wrap it in a Uint8Array"],
  [SharedArrayBuffer.prototype, "copy it into a Uint8Array"],
  [DataView.prototype, "use a Uint8Array"],
  [TYPED_ARRAY_PROTOTYPE, "use a Uint8Array or an array of numbers"],
  [Number.prototype, "use the primitive value"],
  [String.prototype, "use the primitive value"],
  [Boolean.prototype, "use the primitive value"],
  [BigInt.prototype, "use the primitive value"],
  [Symbol.prototype, "use a string"],
]);

/** Verdict per prototype: undefined if instances are plain data, else why they cannot be sent. */
const classVerdicts = new WeakMap<object, string | null>();

function classProblem(proto: object): string | undefined {
  let verdict = classVerdicts.get(proto);
  if (verdict === undefined) {
    verdict = judgeClass(proto);
    classVerdicts.set(proto, verdict);
  }
  return verdict ?? undefined;
}

/** A data-only class (fields, no methods below Object.prototype) is fine: it encodes as a plain object. */
function judgeClass(proto: object): string | null {
  const ctor: unknown = Object.hasOwn(proto, "constructor")
    ? (proto as { constructor: unknown }).constructor
    : undefined;
  const name = typeof ctor === "function" && ctor.name ? ctor.name : "";
  const methods: string[] = [];
  const fields: string[] = [];
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const builtin = BUILTINS.get(p);
    if (builtin) {
      const what = name || (p as { constructor: { name: string } }).constructor.name;
      return `${/^[AEIO]/.test(what) ? "an" : "a"} ${what} cannot be encoded; ${builtin}`;
    }
    for (const key of Reflect.ownKeys(p)) {
      if (key === "constructor") continue;
      const desc = Object.getOwnPropertyDescriptor(p, key)!;
      const label = typeof key === "symbol" ? `[${String(key)}]` : key;
      if (desc.get || desc.set) methods.push(`${desc.get ? "get" : "set"} ${label}`);
      else if (typeof desc.value === "function") methods.push(label);
      else fields.push(label);
    }
  }
  const owner = name ? `class ${name}` : "the object's prototype";
  if (methods.length > 0) return `${owner} has methods ${methods.join(", ")}; they would be lost — send plain data`;
  if (fields.length > 0)
    return `${name ? `class ${name}` : "the object"} inherits fields ${fields.join(", ")} from its prototype; they would be lost — send plain data`;
  return null;
}
