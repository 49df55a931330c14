import { expect } from "chai";
import { CodecError, decode, encode } from "../sim/codec";

const roundTrip = <T>(value: T): T => decode<T>(encode(value));

/** Runs encode and returns the CodecError it throws (fails the test if it does not throw one). */
function encodeError(value: unknown, root = "args"): CodecError {
  try {
    encode(value, root);
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error("expected encode to throw a CodecError");
}

function decodeError(bytes: Uint8Array): CodecError {
  try {
    decode(bytes);
  } catch (e) {
    expect(e).to.be.instanceOf(CodecError);
    return e as CodecError;
  }
  throw new Error("expected decode to throw a CodecError");
}

describe("codec", () => {
  describe("round trips", () => {
    it("keeps null, booleans and top-level undefined", () => {
      expect(roundTrip(null)).to.equal(null);
      expect(roundTrip(true)).to.equal(true);
      expect(roundTrip(false)).to.equal(false);
      expect(roundTrip(undefined)).to.equal(undefined);
    });

    it("keeps integers across the whole safe range", () => {
      const ints = [
        0,
        1,
        -1,
        63,
        64,
        -64,
        -65,
        127,
        128,
        300,
        -300,
        2 ** 31 - 1,
        -(2 ** 31),
        2 ** 31,
        2 ** 32,
        -(2 ** 32) - 5,
      ];
      ints.push(2 ** 52, -(2 ** 52), 2 ** 52 + 1, -(2 ** 52) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
      for (const n of ints) expect(roundTrip(n), String(n)).to.equal(n);
    });

    it("keeps -0, NaN, infinities and fractions", () => {
      expect(Object.is(roundTrip(-0), -0)).to.equal(true);
      expect(Object.is(roundTrip(0), 0)).to.equal(true);
      expect(roundTrip(NaN)).to.be.NaN;
      expect(roundTrip(Infinity)).to.equal(Infinity);
      expect(roundTrip(-Infinity)).to.equal(-Infinity);
      expect(roundTrip(0.1)).to.equal(0.1);
      expect(roundTrip(-1e300)).to.equal(-1e300);
      expect(roundTrip(2 ** 53)).to.equal(2 ** 53);
      expect(roundTrip(Number.MIN_VALUE)).to.equal(Number.MIN_VALUE);
    });

    it("keeps bigints of any size and sign", () => {
      for (const n of [
        0n,
        1n,
        -1n,
        63n,
        -64n,
        2n ** 64n,
        -(2n ** 64n) - 1n,
        12345678901234567890123456789n,
        -(10n ** 40n),
      ]) {
        expect(roundTrip(n), String(n)).to.equal(n);
      }
    });

    it("keeps strings: empty, ASCII, unicode, astral, long", () => {
      const strings = [
        "",
        "a",
        "term",
        "héllo",
        "日本語",
        "emoji 🎉 and 𝄞",
        "x".repeat(40),
        "é".repeat(41),
        "🎉".repeat(100),
      ];
      // Long strings whose length prefix comes out shorter than the worst case reserved for it.
      strings.push("x".repeat(50), "a".repeat(5000), "b".repeat(10000), "c".repeat(50000));
      strings.push("mixed ".repeat(50) + "Ω≈ç√∫˜µ≤≥÷" + "🙂".repeat(20));
      for (const s of strings) expect(roundTrip(s)).to.equal(s);
    });

    it("keeps bytes, including a Buffer, which comes back as a plain Uint8Array", () => {
      const bytes = new Uint8Array([0, 1, 2, 254, 255]);
      const back = roundTrip(bytes);
      expect(back).to.be.instanceOf(Uint8Array);
      expect([...back]).to.deep.equal([0, 1, 2, 254, 255]);
      const fromBuffer = roundTrip(Buffer.from("hello"));
      expect(fromBuffer.constructor).to.equal(Uint8Array);
      expect(Buffer.from(fromBuffer).toString()).to.equal("hello");
      expect(roundTrip(new Uint8Array(0)).length).to.equal(0);
    });

    it("keeps nested arrays, objects and bytes", () => {
      const value = {
        term: 3,
        entries: [
          { term: 1, command: "x" },
          { term: 2, command: { key: "k", value: "v", version: 7 } },
          { term: 3, command: [1, [2, [3, null]]] },
        ],
        snapshot: new Uint8Array([9, 8, 7]),
        nested: { deeper: { bytes: [new Uint8Array([1]), new Uint8Array(300).fill(5)] } },
        empty: {},
        none: [],
      };
      expect(roundTrip(value)).to.deep.equal(value);
    });

    it("keeps field order, odd key names and objects with many fields", () => {
      const value: Record<string, number> = { z: 1, a: 2, "with space": 3, "": 4, ключ: 5, "0": 6, __proto__x: 7 };
      const back = roundTrip(value);
      expect(Object.keys(back)).to.deep.equal(Object.keys(value));
      expect(back).to.deep.equal(value);
      const wide: Record<string, number> = {};
      for (let i = 0; i < 300; i++) wide[`k${i}`] = i;
      expect(roundTrip(wide)).to.deep.equal(wide);
    });

    it("keeps a __proto__ field as a field, not a prototype", () => {
      const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
      for (let i = 0; i < 10; i++) {
        // Several times, so the decoder's compiled fast path for this shape is exercised too.
        const back = roundTrip(value);
        expect(Object.getPrototypeOf(back)).to.equal(Object.prototype);
        expect(Object.keys(back)).to.deep.equal(["__proto__", "a"]);
        expect(back.__proto__).to.deep.equal({ polluted: true });
      }
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it("decodes the same shape many times correctly (compiled fast path)", () => {
      for (let i = 0; i < 50; i++) {
        const value = {
          term: i,
          candidateId: i % 3,
          lastLogIndex: i * 1000,
          lastLogTerm: -i,
          note: i % 2 ? "odd" : null,
        };
        expect(roundTrip(value)).to.deep.equal(value);
      }
    });

    it("encodes a data-only class instance as a plain object", () => {
      class LogEntry {
        constructor(
          public term: number,
          public command: unknown,
        ) {}
      }
      class Tagged extends LogEntry {
        tag = "t";
      }
      const back = roundTrip({ entries: [new LogEntry(1, "a"), new Tagged(2, "b")] });
      expect(back).to.deep.equal({
        entries: [
          { term: 1, command: "a" },
          { term: 2, command: "b", tag: "t" },
        ],
      });
      expect(Object.getPrototypeOf(back.entries[0])).to.equal(Object.prototype);
    });

    it("accepts null-prototype objects and shared (non-cyclic) references", () => {
      const bare = Object.assign(Object.create(null), { x: 1 });
      expect(roundTrip({ bare })).to.deep.equal({ bare: { x: 1 } });
      const shared = { command: "same" };
      const back = roundTrip([shared, shared, { again: shared }]);
      expect(back).to.deep.equal([{ command: "same" }, { command: "same" }, { again: { command: "same" } }]);
      expect(back[0]).to.not.equal(back[1]); // encoded twice, like gob
    });

    it("accepts data nested deeply but not cyclically", () => {
      let deep: unknown = "bottom";
      for (let i = 0; i < 500; i++) deep = i % 2 ? { d: deep } : [deep];
      expect(roundTrip(deep)).to.deep.equal(deep);
    });
  });

  describe("fresh objects", () => {
    it("never shares memory with the encoded value or between decodes", () => {
      const value = { log: [{ term: 1 }], bytes: new Uint8Array([1, 2]) };
      const bytes = encode(value);
      const a = decode<typeof value>(bytes);
      const b = decode<typeof value>(bytes);
      expect(a).to.not.equal(b);
      expect(a.log).to.not.equal(b.log);
      a.log[0].term = 99;
      a.bytes[0] = 99;
      expect(b.log[0].term).to.equal(1);
      expect(b.bytes[0]).to.equal(1);
      expect(value.log[0].term).to.equal(1);
      expect(decode<typeof value>(bytes).bytes[0]).to.equal(1);
      expect(a.bytes.buffer).to.not.equal(bytes.buffer);
    });

    it("returns a new array from each encode, unaffected by later encodes", () => {
      const first = encode({ a: 1 });
      const copy = [...first];
      encode({ b: "something else entirely" });
      expect([...first]).to.deep.equal(copy);
    });

    it("decodes from a Buffer or a view into a larger buffer", () => {
      const bytes = encode({ key: "k", value: new Uint8Array([4, 5]) });
      const inBuffer = Buffer.concat([Buffer.from([7, 7, 7]), Buffer.from(bytes)]).subarray(3);
      const back = decode<{ key: string; value: Uint8Array }>(inBuffer);
      expect(back.key).to.equal("k");
      expect(back.value.constructor).to.equal(Uint8Array);
      back.value[0] = 0;
      expect(inBuffer[inBuffer.length - 2]).to.equal(4);
    });
  });

  describe("sizes", () => {
    it("encodes a 284-character ASCII string in 284 to 352 bytes", () => {
      const n = encode("x".repeat(284)).length;
      expect(n).to.be.within(284, 352);
    });

    it("encodes a 5000-character string in about 5003 bytes", () => {
      expect(encode("y".repeat(5000)).length).to.be.within(5000, 5006);
      expect(encode("y".repeat(5000)).length).to.equal(5003);
    });

    it("is compact for small integers and RPC-sized objects", () => {
      expect(encode(5).length).to.equal(2);
      expect(encode(-1).length).to.equal(2);
      const args = { term: 5, candidateId: 2, lastLogIndex: 100, lastLogTerm: 4 };
      expect(encode(args).length).to.be.below(Buffer.byteLength(JSON.stringify(args)));
    });
  });

  describe("errors name the field path", () => {
    it("functions", () => {
      const e = encodeError({ entries: [0, 1, 2, { term: 1, command: function apply() {} }] });
      expect(e.path).to.equal("args.entries[3].command");
      expect(e.message).to.match(/^cannot encode args\.entries\[3\]\.command: a function \(apply\)/);
    });

    it("symbols as values and as keys", () => {
      expect(encodeError({ tag: Symbol("x") }).message).to.equal(
        "cannot encode args.tag: a symbol (Symbol(x)) cannot be encoded; use a string",
      );
      const e = encodeError({ inner: { a: 1, [Symbol("id")]: 2 } });
      expect(e.path).to.equal("args.inner");
      expect(e.message).to.contain("symbol keys (Symbol(id))");
    });

    it("undefined fields and array elements, but not a top-level undefined", () => {
      const e = encodeError({ term: 1, votedFor: undefined });
      expect(e.message).to.equal(
        "cannot encode args.votedFor: it is undefined; it would be lost in transit — use null or omit the field",
      );
      expect(encodeError([1, undefined]).path).to.equal("args[1]");
      expect(encodeError({ a: [{ b: undefined }] }).path).to.equal("args.a[0].b");
      expect(() => encode(undefined)).to.not.throw();
    });

    it("holes in sparse arrays", () => {
      const sparse = [1, 2];
      sparse[4] = 5;
      const e = encodeError({ log: sparse });
      expect(e.path).to.equal("args.log[2]");
      expect(e.message).to.contain("hole in a sparse array");
    });

    it("class instances with methods, naming the class and its methods", () => {
      class LogEntry {
        constructor(public term: number) {}
        isCommitted() {
          return false;
        }
      }
      const e = encodeError({ entries: [{ term: 0 }, new LogEntry(1)] });
      expect(e.message).to.equal(
        "cannot encode args.entries[1]: class LogEntry has methods isCommitted; they would be lost — send plain data",
      );
      class WithGetter {
        x = 1;
        get double() {
          return 2;
        }
      }
      class Sub extends WithGetter {
        more() {}
      }
      expect(encodeError(new Sub()).message).to.contain("class Sub has methods more, get double");
      class Empty {}
      class Subclass extends Array {}
      expect(roundTrip(new Empty())).to.deep.equal({});
      expect(encodeError({ list: new Subclass() }).message).to.contain(
        "args.list: an instance of Subclass, a subclass of Array",
      );
    });

    it("built-in objects, each with a suggestion", () => {
      const cases: [unknown, string][] = [
        [new Map(), "a Map cannot be encoded; use a plain object or an array of pairs"],
        [new Set(), "a Set cannot be encoded; use an array"],
        [new Date(0), "a Date cannot be encoded; use a number"],
        [/re/, "a RegExp cannot be encoded"],
        [Promise.resolve(1), "a Promise cannot be encoded; await it"],
        [new WeakMap(), "a WeakMap cannot be encoded"],
        [new WeakSet(), "a WeakSet cannot be encoded"],
        [new Int32Array(2), "an Int32Array cannot be encoded; use a Uint8Array or an array of numbers"],
        [new Uint8ClampedArray(2), "a Uint8ClampedArray cannot be encoded"],
        [new Float64Array(2), "a Float64Array cannot be encoded"],
        [new ArrayBuffer(4), "an ArrayBuffer cannot be encoded; wrap it in a Uint8Array"],
        [new DataView(new ArrayBuffer(4)), "a DataView cannot be encoded"],
        [new Error("boom"), "an Error cannot be encoded; send its message as a string"],
        [new TypeError("boom"), "a TypeError cannot be encoded"],
        [Object(3), "a Number cannot be encoded; use the primitive value"],
      ];
      for (const [value, expected] of cases) {
        const e = encodeError({ reply: { field: value } });
        expect(e.path).to.equal("args.reply.field");
        expect(e.message).to.contain(`cannot encode args.reply.field: ${expected}`);
      }
    });

    it("cycles, naming both ends", () => {
      const a: Record<string, unknown> = {};
      const args = { a };
      a.b = a;
      expect(encodeError(args).message).to.equal("cannot encode args.a.b: it refers back to args.a (a cycle)");
      const list: unknown[] = [1];
      list.push({ back: [list] });
      expect(encodeError({ x: list }).message).to.equal(
        "cannot encode args.x[1].back[0]: it refers back to args.x (a cycle)",
      );
      const self: Record<string, unknown> = {};
      self.me = self;
      const e = encodeError(self, "reply");
      expect(e.message).to.equal("cannot encode reply.me: it refers back to reply (a cycle)");
      expect(e.path).to.equal("reply.me");
    });

    it("cycles that close deep down, and data nested absurdly deep", () => {
      const nodes = Array.from({ length: 40 }, () => ({}) as Record<string, unknown>);
      for (let i = 0; i < 39; i++) nodes[i].n = nodes[i + 1];
      nodes[39].n = nodes[35];
      const path = (depth: number) => "args" + ".n".repeat(depth);
      expect(encodeError(nodes[0]).message).to.equal(
        `cannot encode ${path(40)}: it refers back to ${path(35)} (a cycle)`,
      );
      let deep: unknown = 1;
      for (let i = 0; i < 1001; i++) deep = [deep];
      expect(encodeError(deep).message).to.match(
        /^cannot encode args(\[0\]){1000}: the value is nested more than 1000 levels deep$/,
      );
    });

    it("odd keys are quoted in the path, and the root defaults to value", () => {
      expect(encodeError({ "a b": { "0": undefined } }).path).to.equal('args["a b"]["0"]');
      try {
        encode({ f: () => 1 });
        expect.fail("should throw");
      } catch (e) {
        expect((e as CodecError).path).to.equal("value.f");
      }
    });

    it("strings with a lone surrogate, which would change in transit", () => {
      expect(encodeError({ s: "ab\ud800" }).message).to.contain(
        "args.s: the string has an unpaired UTF-16 surrogate at index 2",
      );
      expect(encodeError({ s: "x".repeat(100) + "\udc00" }).path).to.equal("args.s");
    });

    it("leaves the encoder usable after an error", () => {
      encodeError({ deep: [[[{ f: () => 1 }]]] });
      expect(roundTrip({ ok: [1, 2] })).to.deep.equal({ ok: [1, 2] });
      expect(encodeError({ g: undefined }).path).to.equal("args.g");
    });
  });

  describe("malformed input", () => {
    it("rejects empty, truncated and trailing bytes", () => {
      expect(decodeError(new Uint8Array(0)).message).to.match(/^malformed encoding: no bytes/);
      const good = encode({ term: 5, entries: ["abc", 1000000, 1.5] });
      for (let cut = 1; cut < good.length; cut++) {
        expect(decodeError(good.subarray(0, cut)).message, `cut at ${cut}`).to.match(/^malformed encoding: /);
      }
      const extra = new Uint8Array([...good, 0]);
      expect(decodeError(extra).message).to.equal("malformed encoding: 1 trailing bytes after the value");
    });

    it("rejects unknown tags, absurd lengths, bad UTF-8 and over-long varints", () => {
      expect(decodeError(new Uint8Array([99])).message).to.contain("unknown tag 99");
      expect(decodeError(new Uint8Array([9, 0xff, 0xff, 0xff, 0x0f])).message).to.contain("runs past the end");
      expect(decodeError(new Uint8Array([6, 2, 0xc3, 0x28])).message).to.contain("invalid UTF-8");
      expect(
        decodeError(new Uint8Array([4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).message,
      ).to.contain("varint too long");
      expect(decodeError(new Uint8Array([9, 1, 0])).message).to.match(/^malformed encoding: /); // nested undefined
    });

    it("rejects what is not a Uint8Array", () => {
      expect(decodeError("abc" as unknown as Uint8Array).message).to.equal(
        "malformed encoding: expected a Uint8Array, got string",
      );
      expect(decodeError([1, 2] as unknown as Uint8Array).message).to.contain("got Array");
    });

    it("gives CodecError an empty path for decoding errors", () => {
      expect(decodeError(new Uint8Array([99])).path).to.equal("");
      expect(decodeError(new Uint8Array([99])).name).to.equal("CodecError");
    });
  });
});
