/**
 * The linearizability checker: porcupine's verdicts on every shared history, agreement with a
 * brute-force search on random small histories, P-compositionality, the time and memory budgets,
 * and the linearizations it reports.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkOperations, type CheckResult } from "../checker/check";
import { readHistoryFile } from "../checker/history-file";
import { etcdRegister, kvAppend, kvVersioned, modelNamed } from "../checker/models";
import { accept, hashString, REJECTED, type Model, type Operation } from "../checker/model";
import { runSimulation } from "../sim/world";
import { earlierTwins } from "../checker/twins";
import { PartitionSearch } from "../checker/search";
import { Int32Arena } from "../checker/int32-arrays";

const HISTORIES = path.resolve(__dirname, "../../data/histories");

function historyFiles(): string[] {
  return fs.existsSync(HISTORIES)
    ? fs
        .readdirSync(HISTORIES)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
}

describe("checker: the shared histories", function () {
  this.timeout(60_000);

  if (!fs.existsSync(HISTORIES)) {
    it("finds the histories in data/histories", () => {
      expect.fail(`no folder ${HISTORIES}: the checker's tests need the histories of data/histories`);
    });
    return;
  }

  it("are the 109 of the README: 27 ok and 82 illegal", () => {
    const index = fs
      .readFileSync(path.join(HISTORIES, "index.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(historyFiles()).to.have.length(109);
    expect(index.filter((e) => e.expected === "ok")).to.have.length(27);
    expect(index.filter((e) => e.expected === "illegal")).to.have.length(82);
  });

  for (const file of historyFiles()) {
    it(`${file}: porcupine's verdict`, () => {
      const history = readHistoryFile(path.join(HISTORIES, file));
      const model = modelNamed(history.model!);
      const result = checkOperations(model, history.operations, { timeoutMs: 20_000 });
      expect(result.verdict, `${file} (${result.ms.toFixed(1)} ms)`).to.equal(history.expected);
      expectReportedOrdersValid(model, history.operations, result);
    });
  }
});

describe("checker: the search", function () {
  this.timeout(30_000);

  it("agrees with a brute-force search on random small histories of every model", () => {
    const rng = mulberry32(20_260_101);
    const counts = { ok: 0, illegal: 0 };
    for (const [model, generate] of GENERATORS) {
      for (let trial = 0; trial < 400; trial++) {
        const history = generate(rng, 1 + Math.floor(rng() * 7));
        const expected = bruteForce(model, history) ? "ok" : "illegal";
        const result = checkOperations(model, history);
        expect(result.verdict, `${model.name} trial ${trial}: ${JSON.stringify(history)}`).to.equal(expected);
        expectReportedOrdersValid(model, history, result);
        counts[expected]++;
      }
    }
    // Both verdicts are well represented, so agreement means something.
    expect(counts.ok).to.be.greaterThan(300);
    expect(counts.illegal).to.be.greaterThan(300);
  });

  it("takes an ErrMaybe Put whose version the state has passed as a read (20 clerks' first Puts: was out of time)", () => {
    // 200 operations of a 4C run: 19 of the 20 clerks' first Put(v0) stay pending for 560 ms and
    // end in ErrMaybe. Branching on each of them at every step entered 1.1 million configurations
    // in 3 s without a verdict; read-only once the version passed 0, the search needs a few hundred.
    const file = readHistoryFile(path.join(__dirname, "fixtures", "histories", "twenty-clients-first-puts.json"));
    const result = checkOperations(kvVersioned, file.operations, { timeoutMs: 10_000 });
    expect(result.verdict).to.equal("ok");
    expect(result.partitions[0].configurations).to.be.below(5_000);
  });

  it("tries first, among long operations, a pending one after which the first to return is legal (etcd_002: 14,914 configurations before)", function () {
    if (!fs.existsSync(HISTORIES)) this.skip();
    const file = readHistoryFile(path.join(HISTORIES, "etcd_002.json"));
    const result = checkOperations(etcdRegister, file.operations);
    expect(result.verdict).to.equal("ok");
    expect(result.partitions[0].configurations).to.be.below(200);
  });

  it("treats intervals as closed: touching operations are concurrent", () => {
    const w = (value: number, call: number, ret: number) => ({
      clientId: value,
      input: { op: "write" as const, value },
      output: {},
      call,
      return: ret,
    });
    const r = (value: number, call: number, ret: number) => ({
      clientId: 9,
      input: { op: "read" as const },
      output: { exists: true, value },
      call,
      return: ret,
    });
    // write(1) [0,10], write(2) [10,20]: touching, so write(2) may go first and read() may see 1.
    expect(checkOperations(etcdRegister, [w(1, 0, 10), w(2, 10, 20), r(1, 21, 22)]).verdict).to.equal("ok");
    expect(checkOperations(etcdRegister, [w(1, 0, 10), w(2, 11, 20), r(1, 21, 22)]).verdict).to.equal("illegal");
  });

  it("takes operations as interchangeable only when their input and output are the same plain data", () => {
    const op = (input: unknown, output: unknown, call: number) => ({ clientId: 0, input, output, call, return: 100 });
    const cycle = () => {
      const o: Record<string, unknown> = { op: "write" };
      o.self = o;
      return o;
    };
    const history: Operation[] = [
      op({ op: "write", value: 1 }, { unknown: true }, 0),
      op({ op: "write", value: 1 }, { unknown: true }, 1), // the same as 0
      op({ value: 1, op: "write" }, { unknown: true }, 2), // keys in another order
      op({ op: "write", value: 1.5 }, { unknown: true }, 3), // hashed as 1, yet different
      op({ op: "write", value: 1 }, { unknown: false }, 4),
      op(new Date(0), {}, 5),
      op(new Date(1), {}, 6), // no content JSON would not hide
      op(cycle(), {}, 7),
      op(cycle(), {}, 8), // too deep to compare
      op({ op: "write", value: 1 }, { unknown: true }, 9), // the same as 1, the latest earlier one
    ];
    const twin = new Int32Array(history.length);
    earlierTwins(history, new Int32Array(history.length).fill(1), twin);
    expect([...twin]).to.deep.equal([-1, 0, -1, -1, -1, -1, -1, -1, -1, 1]);
  });

  it("takes exactly the arena it asks for (a wrong size would cost a fresh buffer, silently)", () => {
    const op = (value: number, call: number) => ({
      clientId: 0,
      input: value < 0 ? { op: "read" as const } : { op: "write" as const, value },
      output: value < 0 ? { exists: true, value: -value } : {},
      call,
      return: call + 10,
    });
    const history = [op(1, 0), op(2, 5), op(-3, 20)]; // illegal: the search backtracks, which takes the rest
    const words = PartitionSearch.int32s(history.length);
    const arena = new Int32Arena(words);
    const search = new PartitionSearch(etcdRegister, history, { memoBytes: 2 ** 20 }, arena);
    expect(search.run(1_000)?.verdict).to.equal("illegal");
    expect(arena.asked).to.equal(words);
  });

  it("checks an empty history as ok, and refuses an operation that returns before its call", () => {
    const empty = checkOperations(kvAppend, []);
    expect(empty.verdict).to.equal("ok");
    expect(empty.partitions).to.deep.equal([]);
    expect(checkOperations(etcdRegister, []).partitions[0].linearization).to.deep.equal([]);
    const bad = [{ clientId: 0, input: { op: "read" as const }, output: {}, call: 5, return: 4 }];
    expect(() => checkOperations(etcdRegister, bad)).to.throw("operation 0: returns (4) before it is called (5)");
  });
});

describe("checker: P-compositionality", function () {
  this.timeout(30_000);

  it("finds the one illegal key, and says which", () => {
    const get = (key: string, value: string, call: number, ret: number) => ({
      clientId: 1,
      input: { op: "get" as const, key },
      output: { value },
      call,
      return: ret,
    });
    const append = (key: string, value: string, call: number, ret: number) => ({
      clientId: 2,
      input: { op: "append" as const, key, value },
      output: {},
      call,
      return: ret,
    });
    const history = [
      append("a", "x", 0, 1),
      get("a", "x", 2, 3),
      append("b", "y", 4, 5),
      get("b", "", 6, 7),
      get("c", "", 8, 9),
    ];
    const result = checkOperations(kvAppend, history, { allPartitions: true });
    expect(result.verdict).to.equal("illegal");
    expect(result.partitions.map((p) => [p.label, p.verdict])).to.deep.equal([
      ['key "a"', "ok"],
      ['key "b"', "illegal"],
      ['key "c"', "ok"],
    ]);
    const b = result.partitions[1];
    expect(b.ops).to.deep.equal([2, 3]);
    expect(b.partials).to.deep.equal([[2]]); // append("b", "y") fits; get("b") → "" cannot follow it
  });

  it("gives the verdict of the same model without partitions, on the shared kv_c01 histories and on random ones", () => {
    const rng = mulberry32(7);
    const cases: Operation[][] = [];
    if (fs.existsSync(HISTORIES))
      for (const f of ["kv_c01-ok.json", "kv_c01-bad.json"])
        cases.push(readHistoryFile(path.join(HISTORIES, f)).operations);
    for (let i = 0; i < 200; i++) cases.push(generateAppend(rng, 2 + Math.floor(rng() * 7), ["p", "q"]));
    for (const history of cases) {
      const whole = checkOperations(kvAppendWhole, history);
      const parts = checkOperations(kvAppend, history);
      expect(parts.verdict, JSON.stringify(history)).to.equal(whole.verdict);
      expect(whole.partitions).to.have.length(1);
    }
  });

  it("stops at the first illegal part by default, and marks the parts it left", function () {
    if (!fs.existsSync(HISTORIES)) this.skip();
    const history = readHistoryFile(path.join(HISTORIES, "kv_c50-bad.json"));
    const result = checkOperations(kvAppend, history.operations);
    expect(result.verdict).to.equal("illegal");
    expect(result.ms).to.be.lessThan(2_000);
    const reasons = new Set(result.partitions.filter((p) => p.verdict === "unknown").map((p) => p.reason));
    expect([...reasons]).to.deep.equal(["stopped"]);
  });
});

describe("checker: budgets", function () {
  this.timeout(30_000);
  /** One key of kv_c50-bad whose search explodes (millions of configurations). */
  const hard = () =>
    readHistoryFile(path.join(HISTORIES, "kv_c50-bad.json")).operations.filter(
      (op) => (op.input as { key: string }).key === "0",
    );

  before(function () {
    if (!fs.existsSync(HISTORIES)) this.skip();
  });

  it("ends a search that explodes as unknown at the deadline, never as ok", () => {
    const result = checkOperations(kvAppend, hard(), { timeoutMs: 100 });
    expect(result.verdict).to.equal("unknown");
    expect(result.reason).to.equal("timeout");
    expect(result.ms).to.be.within(100, 600);
    expect(result.partitions[0].partials[0].length).to.be.greaterThan(10); // the picture still has something to show
  });

  it("ends it as unknown when its memory passes the cap, with memory to spare", () => {
    const before = process.memoryUsage();
    const result = checkOperations(kvAppend, hard(), { timeoutMs: 60_000, maxMemoryBytes: 48 * 2 ** 20 });
    const after = process.memoryUsage();
    expect(result.verdict).to.equal("unknown");
    expect(result.reason).to.equal("memory");
    expect(after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers).to.be.lessThan(160 * 2 ** 20);
  });

  it("takes its clock as an option", () => {
    let now = 0;
    const result = checkOperations(kvAppend, hard(), { timeoutMs: 1_000, clock: () => (now += 100) });
    expect(result.verdict).to.equal("unknown");
    expect(result.reason).to.equal("timeout");
  });

  it("keeps real time inside a simulated run, where Date and performance are virtual", async () => {
    let result: CheckResult | undefined;
    const run = await runSimulation({ seed: 1 }, async () => {
      result = checkOperations(kvAppend, hard(), { timeoutMs: 100 });
    });
    expect(run.passed).to.equal(true);
    expect(result!.verdict).to.equal("unknown");
    expect(result!.ms).to.be.within(100, 600);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers: a brute-force reference, random histories, a whole-map model, and order validation.

/** Is there an order of all operations that respects real time and that the model accepts? */
function bruteForce(model: Model, history: readonly Operation[]): boolean {
  const parts = model.partition ? model.partition(history) : [history.map((_, i) => i)];
  return parts.every((part) => {
    const ops = part.map((i) => history[i]);
    const used = ops.map(() => false);
    const search = (state: unknown, count: number): boolean => {
      if (count === ops.length) return true;
      for (let i = 0; i < ops.length; i++) {
        if (used[i] || ops.some((o, j) => !used[j] && j !== i && o.return < ops[i].call)) continue;
        const step = model.step(state, ops[i].input, ops[i].output);
        if (!step.legal) continue;
        used[i] = true;
        if (search(step.next, count + 1)) return true;
        used[i] = false;
      }
      return false;
    };
    return search(model.init(), 0);
  });
}

/** A complete linearization (ok) or partial one (otherwise) must respect real time and replay. */
function expectReportedOrdersValid(model: Model, history: readonly Operation[], result: CheckResult): void {
  for (const part of result.partitions) {
    const orders = part.verdict === "ok" ? [part.linearization!] : part.partials;
    if (part.verdict === "ok") expect([...part.linearization!].sort((a, b) => a - b)).to.deep.equal(part.ops);
    for (const order of orders) {
      let state = model.init();
      order.forEach((id, k) => {
        const step = model.step(state, history[id].input, history[id].output);
        expect(step.legal, `step ${k} of a reported linearization`).to.equal(true);
        if (step.legal) state = step.next;
        for (const later of order.slice(k + 1))
          expect(history[later].return < history[id].call, "real-time order").to.equal(false);
      });
      // Nothing left out of a prefix had to come before something in it.
      const inside = new Set(order);
      for (const id of part.ops)
        if (!inside.has(id))
          for (const k of order)
            expect(history[id].return < history[k].call, "prefix closed under real time").to.equal(false);
    }
  }
}

type Rng = () => number;
function mulberry32(seed: number): Rng {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/**
 * Random timing for n operations by up to 3 clients, each client's operations one after another
 * (times are small integers, so touching intervals happen), and for each a true linearization
 * point inside it. Outputs come from replaying the true order, then some are corrupted.
 */
function timing(rng: Rng, n: number): { clientId: number; call: number; return: number; point: number }[] {
  const free = [0, 0, 0];
  const ops = [];
  for (let i = 0; i < n; i++) {
    const clientId = Math.floor(rng() * 3);
    const call = free[clientId] + Math.floor(rng() * 3);
    const ret = call + Math.floor(rng() * 6);
    free[clientId] = ret + 1;
    ops.push({ clientId, call, return: ret, point: call + rng() * (ret - call) });
  }
  return ops;
}
/** Operations in order of their true linearization point. */
const byPoint = <T extends { point: number }>(ops: T[]) => [...ops].sort((a, b) => a.point - b.point);
const strip = ({ clientId, input, output, call, return: ret }: Operation & { point?: number }): Operation => ({
  clientId,
  input,
  output,
  call,
  return: ret,
});

function generateRegister(rng: Rng, n: number): Operation[] {
  const ops = timing(rng, n).map((t) => ({
    ...t,
    input: pick(rng, [
      { op: "read" },
      { op: "write", value: pick(rng, [0, 1, 2]) },
      { op: "cas", from: pick(rng, [0, 1]), to: pick(rng, [1, 2]) },
    ]) as any,
    output: {} as any,
    pending: rng() < 0.25,
    happened: rng() < 0.5,
  }));
  let state: number | null = null;
  for (const op of byPoint(ops)) {
    if (op.pending && !op.happened) continue; // a timed-out write that did not take effect
    const step = etcdRegister.step(state, op.input, op.pending ? { unknown: true } : {});
    if (op.input.op === "read") op.output = { exists: state !== null, ...(state !== null ? { value: state } : {}) };
    if (op.input.op === "cas") op.output = { ok: state === op.input.from };
    if (step.legal) state = step.next;
  }
  const end = Math.max(...ops.map((o) => o.return)) + 1;
  let k = 0;
  for (const op of ops) {
    if (op.pending && op.input.op !== "read") Object.assign(op, { output: { unknown: true }, return: end + k++ });
    if (rng() < 0.15)
      op.output =
        op.input.op === "read"
          ? { exists: true, value: pick(rng, [0, 1, 2]) }
          : op.input.op === "cas"
            ? { ok: rng() < 0.5 }
            : op.output;
  }
  return ops.sort((a, b) => a.call - b.call).map(strip);
}

function generateAppend(rng: Rng, n: number, keys = ["k"]): Operation[] {
  const ops = timing(rng, n).map((t) => ({
    ...t,
    input: {
      op: pick(rng, ["get", "get", "append", "append", "put"]),
      key: pick(rng, keys),
      value: pick(rng, ["a", "b"]),
    } as any,
    output: {} as any,
  }));
  const state = new Map<string, string>();
  for (const op of byPoint(ops)) {
    const now = state.get(op.input.key) ?? "";
    if (op.input.op === "get") op.output = { value: now };
    if (op.input.op === "append") state.set(op.input.key, now + op.input.value);
    if (op.input.op === "put") state.set(op.input.key, op.input.value);
  }
  for (const op of ops) {
    if (op.input.op === "get") delete op.input.value;
    if (op.input.op === "get" && rng() < 0.2) op.output = { value: pick(rng, ["", "a", "ab", "ba", "b"]) };
  }
  return ops.sort((a, b) => a.call - b.call).map(strip);
}

function generateVersioned(rng: Rng, n: number): Operation[] {
  const ops = timing(rng, n).map((t) => ({
    ...t,
    input:
      rng() < 0.4
        ? { op: "get", key: "k" }
        : ({ op: "put", key: "k", value: pick(rng, ["a", "b"]), version: pick(rng, [0, 1, 2]) } as any),
    output: {} as any,
  }));
  let state = { value: "", version: 0 };
  for (const op of byPoint(ops)) {
    if (op.input.op === "get")
      op.output = { value: state.value, version: state.version, err: state.version === 0 ? "ErrNoKey" : "OK" };
    else if (op.input.version === state.version) {
      op.output = { err: rng() < 0.2 ? "ErrMaybe" : "OK" };
      state = { value: op.input.value, version: state.version + 1 };
    } else op.output = { err: rng() < 0.2 ? "ErrMaybe" : "ErrVersion" };
  }
  for (const op of ops) {
    if (rng() < 0.15)
      op.output =
        op.input.op === "get"
          ? { value: pick(rng, ["", "a", "b"]), err: "OK" }
          : { err: pick(rng, ["OK", "ErrVersion", "ErrMaybe"]) };
  }
  return ops.sort((a, b) => a.call - b.call).map(strip);
}

const GENERATORS: [Model, (rng: Rng, n: number) => Operation[]][] = [
  [etcdRegister, generateRegister],
  [kvAppend, (rng, n) => generateAppend(rng, n)],
  [kvAppend, (rng, n) => generateAppend(rng, n, ["k", "l"])],
  [kvVersioned, generateVersioned],
];

/** kv-append over the whole store, without partitions: the state is the sorted entries, as JSON. */
const kvAppendWhole: Model<string, { op: string; key: string; value?: string }, { value?: string }> = {
  name: "kv-append-whole",
  init: () => "[]",
  step(state, input, output) {
    const map = new Map<string, string>(JSON.parse(state));
    const now = map.get(input.key) ?? "";
    if (input.op === "get") return (output.value ?? "") === now ? accept(state) : REJECTED;
    map.set(input.key, input.op === "append" ? now + (input.value ?? "") : (input.value ?? ""));
    return accept(JSON.stringify([...map].sort()));
  },
  equal: (a, b) => a === b,
  hash: (s) => hashString(s),
  describeOperation: (input, output) => `${input.op}(${input.key}) ${output.value ?? ""}`,
  describeState: (s) => s,
};
