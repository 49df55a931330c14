/** Loading implementations: each problem is named precisely, and the good case works. */
import { expect } from "chai";
import * as path from "node:path";
import { loadLayer, ImplementationLoadError } from "../run/load";
import { Rng, normalizeSeed } from "../sim/rng";

const fixture = (name: string) => path.join(__dirname, "fixtures", name);

describe("loading implementations", () => {
  it("loads the reference Raft factory", () => {
    expect(loadLayer("raft", "reference")).to.be.a("function");
  });

  it("names the missing export, its expected shape and what the module exports", () => {
    expect(() => loadLayer("raft", fixture("missing-export"))).to.throw(
      ImplementationLoadError,
      /does not export makeRaft, the raft layer: expected `export const makeRaft = \(peers, me, persister, applyCh\) => Raft`; it exports: makeRfat/,
    );
    expect(() => loadLayer("rsm", fixture("missing-export"))).to.throw(
      ImplementationLoadError,
      /does not export makeRsm, the rsm layer/,
    );
  });

  it("rejects an export of the wrong type", () => {
    expect(() => loadLayer("raft", fixture("wrong-shape"))).to.throw(
      ImplementationLoadError,
      /exports makeRaft as object; expected a function/,
    );
  });

  it("reports a module that throws while loading, with its stack", () => {
    expect(() => loadLayer("raft", fixture("throws-on-load"))).to.throw(
      ImplementationLoadError,
      /failed to load: Error: student module exploded at load time\n/,
    );
  });

  it("reports a folder that does not exist", () => {
    expect(() => loadLayer("raft", fixture("no-such-implementation"))).to.throw(
      ImplementationLoadError,
      /not found: .*no-such-implementation does not exist/,
    );
  });
});

describe("seeded PRNG", () => {
  it("is reproducible and seed-sensitive", () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(new Rng(seed)),
      );
    expect(draw(1)).to.deep.equal(draw(1));
    expect(draw(1)).to.not.deep.equal(draw(2));
  });

  it("int(n) stays in range and is roughly uniform", () => {
    const rng = new Rng(3);
    const counts = new Array(27).fill(0);
    for (let i = 0; i < 27_000; i++) counts[rng.int(27)]++;
    expect(Math.min(...counts)).to.be.above(850);
    expect(Math.max(...counts)).to.be.below(1150);
    expect(() => rng.int(0)).to.throw(RangeError);
  });

  it("parses the seeds users type, and refuses number-like text that is not a seed", () => {
    expect(normalizeSeed("42")).to.equal(42);
    expect(normalizeSeed("0x2a")).to.equal(42);
    expect(normalizeSeed("flaky-run")).to.equal(normalizeSeed("flaky-run"));
    for (const bad of ["-5", "1.5", "1e3", "99999999999999999999"])
      expect(() => normalizeSeed(bad), bad).to.throw(RangeError);
  });
});
