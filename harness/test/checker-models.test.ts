/** The checker's models: each step rule of kv-versioned, kv-append and etcd-register, and what the search relies on. */
import { expect } from "chai";
import { etcdRegister, kvAppend, kvVersioned, MODELS, modelNamed } from "../checker/models";
import { appendState, type AppendInput, type AppendOutput } from "../checker/models/kv-append";
import type { VersionedInput, VersionedOutput } from "../checker/models/kv-versioned";
import type { Model, Operation } from "../checker/model";

/** The next state, or "rejected". */
function step<S, I, O>(model: Model<S, I, O>, state: S, input: I, output: O): S | "rejected" {
  const r = model.step(state, input, output);
  return r.legal ? r.next : "rejected";
}

const op = <I, O>(input: I, output: O, call = 0, ret = 1, clientId = 0): Operation<I, O> => ({
  clientId,
  input,
  output,
  call,
  return: ret,
});

describe("checker models", () => {
  it("are registered under their names, and an unknown name is an error listing them", () => {
    expect(Object.keys(MODELS)).to.have.members(["kv-versioned", "kv-append", "etcd-register"]);
    for (const [name, model] of Object.entries(MODELS)) expect(model.name).to.equal(name);
    expect(() => modelNamed("kv")).to.throw('unknown model "kv" (known: kv-versioned, kv-append, etcd-register)');
    expect(() => modelNamed("toString")).to.throw("unknown model");
  });

  describe("kv-versioned (the 6.5840 handout)", () => {
    const m = kvVersioned;
    const s = (value: string, version: number) => ({ value, version });

    it('starts at ("", 0); a Get must return the current value, whatever its version and error say', () => {
      expect(m.init()).to.deep.equal(s("", 0));
      const st = s("x", 3);
      expect(step(m, st, { op: "get", key: "k" }, { value: "x", version: 3, err: "OK" })).to.equal(st);
      expect(step(m, st, { op: "get", key: "k" }, { value: "x", version: 99, err: "ErrNoKey" })).to.equal(st);
      expect(step(m, st, { op: "get", key: "k" }, { value: "y", version: 3, err: "OK" })).to.equal("rejected");
      // A Get of a missing key ("" and ErrNoKey) matches the initial state.
      expect(step(m, m.init(), { op: "get", key: "k" }, { value: "", version: 0, err: "ErrNoKey" })).to.deep.equal(
        s("", 0),
      );
    });

    it("a Put with the current version must say OK or ErrMaybe, and installs the value at version + 1", () => {
      const put = { op: "put" as const, key: "k", value: "v", version: 2 };
      expect(step(m, s("x", 2), put, { err: "OK" })).to.deep.equal(s("v", 3));
      expect(step(m, s("x", 2), put, { err: "ErrMaybe" })).to.deep.equal(s("v", 3));
      expect(step(m, s("x", 2), put, { err: "ErrVersion" })).to.equal("rejected");
      expect(step(m, s("x", 2), put, { err: "ErrNoKey" })).to.equal("rejected");
      expect(step(m, m.init(), { op: "put", key: "k", value: "a", version: 0 }, { err: "OK" })).to.deep.equal(
        s("a", 1),
      );
    });

    it("a Put with another version must say ErrVersion or ErrMaybe, and changes nothing", () => {
      const put = { op: "put" as const, key: "k", value: "v", version: 1 };
      const st = s("x", 2);
      expect(step(m, st, put, { err: "ErrVersion" })).to.equal(st);
      expect(step(m, st, put, { err: "ErrMaybe" })).to.equal(st);
      expect(step(m, st, put, { err: "OK" })).to.equal("rejected");
      // The model has no "absent key": a Put with version 1 on a fresh key is refused with ErrVersion.
      expect(step(m, m.init(), put, { err: "ErrVersion" })).to.deep.equal(s("", 0));
    });

    it("reads: Gets and ErrVersion Puts; partitions by key; describes operations and states", () => {
      expect(m.isReadOnly!({ op: "get", key: "k" }, { value: "" })).to.equal(true);
      expect(m.isReadOnly!({ op: "put", key: "k", value: "v", version: 0 }, { err: "ErrVersion" })).to.equal(true);
      expect(m.isReadOnly!({ op: "put", key: "k", value: "v", version: 0 }, { err: "ErrMaybe" })).to.equal(false);
      // An ErrMaybe Put is read-only once the state's version has passed its own (versions only grow).
      const maybe = { op: "put" as const, key: "k", value: "v", version: 1 };
      expect(m.isReadOnlyFrom!(s("x", 2), maybe, { err: "ErrMaybe" })).to.equal(true);
      expect(m.isReadOnlyFrom!(s("x", 1), maybe, { err: "ErrMaybe" })).to.equal(false);
      expect(m.isReadOnlyFrom!(s("x", 2), maybe, { err: "OK" })).to.equal(false);
      const h: Operation<VersionedInput, VersionedOutput>[] = [
        op({ op: "put", key: "b", value: "1", version: 0 }, { err: "OK" }),
        op({ op: "get", key: "a" }, { value: "" }),
        op({ op: "get", key: "b" }, { value: "1" }),
      ];
      expect(m.partition!(h)).to.deep.equal([[1], [0, 2]]);
      expect(m.describePartition!(h, [0, 2])).to.equal('key "b"');
      expect(m.describeOperation({ op: "put", key: "k", value: "v", version: 2 }, { err: "ErrMaybe" })).to.equal(
        'put("k", "v", v2) → ErrMaybe',
      );
      expect(m.describeOperation({ op: "get", key: "k" }, { value: "x", version: 3, err: "OK" })).to.equal(
        'get("k") → "x" v3',
      );
      expect(m.describeState(s("x", 3))).to.equal('"x" v3');
    });
  });

  describe("kv-append (the 6.5840 handout)", () => {
    const m = kvAppend;
    const value = (st: ReturnType<typeof m.init> | "rejected") => (st === "rejected" ? st : st.value);

    it("get must return the current string; put replaces it; append extends it", () => {
      expect(m.init().value).to.equal("");
      const st = appendState("ab");
      expect(value(step(m, st, { op: "get", key: "k" }, { value: "ab" }))).to.equal("ab");
      expect(value(step(m, st, { op: "get", key: "k" }, { value: "a" }))).to.equal("rejected");
      expect(value(step(m, st, { op: "put", key: "k", value: "z" }, {}))).to.equal("z");
      expect(value(step(m, st, { op: "append", key: "k", value: "c" }, {}))).to.equal("abc");
    });

    it('a get without a value returned ""; an unknown outcome fits any state', () => {
      expect(value(step(m, m.init(), { op: "get", key: "k" }, {}))).to.equal("");
      expect(value(step(m, appendState("q"), { op: "get", key: "k" }, {}))).to.equal("rejected");
      expect(value(step(m, appendState("q"), { op: "get", key: "k" }, { unknown: true }))).to.equal("q");
    });

    it("an append's hash is the hash of the whole string, however it was built", () => {
      let st = m.init();
      for (const piece of ["x 1 0 y", "x 2 0 y", "", "x 3 1 y"])
        st = (m.step(st, { op: "append", key: "k", value: piece }, {}) as { next: typeof st }).next;
      const direct = appendState("x 1 0 yx 2 0 yx 3 1 y");
      expect(m.hash(st)).to.equal(m.hash(direct));
      expect(m.equal(st, direct)).to.equal(true);
      expect(m.equal(st, appendState("x 1 0 y"))).to.equal(false);
    });

    it("partitions by key and describes operations", () => {
      const h: Operation<AppendInput, AppendOutput>[] = [
        op({ op: "append", key: "2", value: "a" }, {}),
        op({ op: "get", key: "1" }, { value: "" }),
        op({ op: "put", key: "2", value: "b" }, {}),
      ];
      expect(m.partition!(h)).to.deep.equal([[1], [0, 2]]);
      expect(m.describeOperation({ op: "get", key: "1" }, { value: "ab" })).to.equal('get("1") → "ab"');
      expect(m.describeOperation({ op: "append", key: "1", value: "c" }, {})).to.equal('append("1", "c")');
      expect(m.describeState(appendState('say "hi"'))).to.equal('"say \\"hi\\""');
    });
  });

  describe("etcd-register (docs/history-format.md)", () => {
    const m = etcdRegister;

    it("read: must see the value, or nil when unset; a timed-out read fits anything", () => {
      expect(m.init()).to.equal(null);
      expect(step(m, null, { op: "read" }, { exists: false })).to.equal(null);
      expect(step(m, null, { op: "read" }, { exists: true, value: 0 })).to.equal("rejected");
      expect(step(m, 0, { op: "read" }, { exists: false })).to.equal("rejected");
      expect(step(m, 3, { op: "read" }, { exists: true, value: 3 })).to.equal(3);
      expect(step(m, 3, { op: "read" }, { exists: true, value: 2 })).to.equal("rejected");
      expect(step(m, 3, { op: "read" }, { unknown: true })).to.equal(3);
    });

    it("write: always accepted, known outcome or not", () => {
      expect(step(m, null, { op: "write", value: 4 }, {})).to.equal(4);
      expect(step(m, 1, { op: "write", value: 0 }, { unknown: true })).to.equal(0);
    });

    it("cas: swaps when the value matches (never when unset); the reported outcome must agree unless unknown", () => {
      const cas = { op: "cas" as const, from: 1, to: 2 };
      expect(step(m, 1, cas, { ok: true })).to.equal(2);
      expect(step(m, 1, cas, { ok: false })).to.equal("rejected");
      expect(step(m, 3, cas, { ok: false })).to.equal(3);
      expect(step(m, 3, cas, { ok: true })).to.equal("rejected");
      expect(step(m, null, cas, { ok: false })).to.equal(null);
      expect(step(m, 1, cas, { unknown: true })).to.equal(2);
      expect(step(m, 3, cas, { unknown: true })).to.equal(3);
      expect(step(m, 0, { op: "cas", from: 0, to: 1 }, { ok: true })).to.equal(1); // 0 is a value, not nil
    });

    it("reads are reads and failed cas are reads; one partition; descriptions", () => {
      expect(m.isReadOnly!({ op: "read" }, { unknown: true })).to.equal(true);
      expect(m.isReadOnly!({ op: "cas", from: 1, to: 2 }, { ok: false })).to.equal(true);
      expect(m.isReadOnly!({ op: "cas", from: 1, to: 2 }, { unknown: true })).to.equal(false);
      expect(m.isReadOnly!({ op: "write", value: 1 }, {})).to.equal(false);
      expect(m.partition).to.equal(undefined);
      expect(m.describeOperation({ op: "cas", from: 1, to: 2 }, { ok: false })).to.equal("cas(1, 2) → fail");
      expect(m.describeOperation({ op: "read" }, { exists: false })).to.equal("read() → nil");
      expect(m.describeOperation({ op: "write", value: 3 }, { unknown: true })).to.equal("write(3) → ?");
      expect(m.describeState(null)).to.equal("nil");
    });
  });

  it("hold what the search relies on: equal states hash equally, and a read-only operation never changes a state it is legal in", () => {
    const cases: [Model, unknown[], [unknown, unknown][]][] = [
      [
        etcdRegister,
        [null, 0, 1, 2],
        [
          [{ op: "read" }, { exists: true, value: 1 }],
          [{ op: "read" }, { exists: false }],
          [{ op: "read" }, { unknown: true }],
          [{ op: "cas", from: 1, to: 2 }, { ok: false }],
          [{ op: "cas", from: 0, to: 1 }, { ok: true }],
          [{ op: "write", value: 2 }, {}],
        ],
      ],
      [
        kvAppend,
        ["", "a", "ab", "b"].map(appendState),
        [
          [{ op: "get", key: "k" }, { value: "ab" }],
          [{ op: "append", key: "k", value: "b" }, {}],
          [{ op: "put", key: "k", value: "a" }, {}],
        ],
      ],
      [
        kvVersioned,
        [
          { value: "", version: 0 },
          { value: "a", version: 1 },
          { value: "b", version: 2 },
        ],
        [
          [{ op: "get", key: "k" }, { value: "a" }],
          [{ op: "put", key: "k", value: "b", version: 1 }, { err: "OK" }],
          [{ op: "put", key: "k", value: "b", version: 1 }, { err: "ErrVersion" }],
          [{ op: "put", key: "k", value: "c", version: 2 }, { err: "ErrMaybe" }],
        ],
      ],
    ];
    for (const [model, states, ops] of cases) {
      for (const s of states) {
        for (const [input, output] of ops) {
          const r = model.step(s, input, output);
          if (!r.legal) continue;
          expect(model.hash(r.next)).to.equal(
            model.hash(structuredClone(r.next)),
            `${model.name}: hash is a function of the value`,
          );
          expect(model.equal(r.next, structuredClone(r.next)), `${model.name}: equal compares values`).to.equal(true);
          if (model.isReadOnly?.(input, output))
            expect(
              model.equal(r.next, s),
              `${model.name}: ${model.describeOperation(input, output)} is read-only`,
            ).to.equal(true);
        }
      }
    }
  });
});
