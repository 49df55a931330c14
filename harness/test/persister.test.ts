import { expect } from "chai";
import { SimPersister } from "../sim/persister";

const bytes = (...values: number[]) => new Uint8Array(values);
const list = (array: Uint8Array) => [...array];

describe("SimPersister", () => {
  it("starts empty", () => {
    const p = new SimPersister();
    expect(list(p.readRaftState())).to.deep.equal([]);
    expect(list(p.readSnapshot())).to.deep.equal([]);
    expect(p.raftStateSize()).to.equal(0);
    expect(p.snapshotSize()).to.equal(0);
  });

  it("saves both arrays together, and a missing snapshot as an empty one", () => {
    const p = new SimPersister();
    p.save(bytes(1, 2, 3), bytes(9));
    expect(list(p.readRaftState())).to.deep.equal([1, 2, 3]);
    expect(list(p.readSnapshot())).to.deep.equal([9]);
    expect(p.raftStateSize()).to.equal(3);
    expect(p.snapshotSize()).to.equal(1);
    p.save(bytes(4));
    expect(list(p.readSnapshot())).to.deep.equal([]);
    p.save(bytes(5), bytes(6, 7));
    p.save(bytes(5), null);
    expect(p.snapshotSize()).to.equal(0);
    expect(list(p.readRaftState())).to.deep.equal([5]);
  });

  it("copies on the way in: changing the saved arrays later changes nothing", () => {
    const p = new SimPersister();
    const state = bytes(1, 2);
    const snapshot = bytes(3, 4);
    p.save(state, snapshot);
    state[0] = 100;
    snapshot[0] = 100;
    expect(list(p.readRaftState())).to.deep.equal([1, 2]);
    expect(list(p.readSnapshot())).to.deep.equal([3, 4]);
  });

  it("copies on the way out: changing what was read changes nothing", () => {
    const p = new SimPersister();
    p.save(bytes(1, 2), bytes(3, 4));
    const state = p.readRaftState();
    const snapshot = p.readSnapshot();
    state[0] = 100;
    snapshot[0] = 100;
    expect(list(p.readRaftState())).to.deep.equal([1, 2]);
    expect(list(p.readSnapshot())).to.deep.equal([3, 4]);
    expect(p.readRaftState()).to.not.equal(p.readRaftState());
    p.readSnapshot()[1] = 0;
    expect(list(p.readSnapshot())).to.deep.equal([3, 4]);
  });

  it("stores only the viewed part of a Buffer or subarray, as a plain Uint8Array", () => {
    const p = new SimPersister();
    const big = Buffer.from([0, 1, 2, 3, 4, 5]);
    p.save(big.subarray(2, 4), new Uint8Array([7, 8, 9]).subarray(1));
    const state = p.readRaftState();
    expect(list(state)).to.deep.equal([2, 3]);
    expect(state.constructor).to.equal(Uint8Array);
    expect(list(p.readSnapshot())).to.deep.equal([8, 9]);
    big[2] = 42;
    expect(list(p.readRaftState())).to.deep.equal([2, 3]);
  });

  it("copy() is independent: writes to the old persister after copying are not seen", () => {
    const p = new SimPersister();
    p.save(bytes(1), bytes(2));
    const kept = p.copy();
    p.save(bytes(10, 11), bytes(12));
    expect(list(kept.readRaftState())).to.deep.equal([1]);
    expect(list(kept.readSnapshot())).to.deep.equal([2]);
    expect(kept.raftStateSize()).to.equal(1);
    kept.save(bytes(20));
    expect(list(p.readRaftState())).to.deep.equal([10, 11]);
    expect(list(p.readSnapshot())).to.deep.equal([12]);
    expect(kept.copy()).to.be.instanceOf(SimPersister);
    expect(new SimPersister().copy().raftStateSize()).to.equal(0);
  });

  it("rejects what is not a Uint8Array with a clear TypeError, storing nothing", () => {
    const p = new SimPersister();
    p.save(bytes(1), bytes(2));
    const save = (state: unknown, snapshot?: unknown) => () => p.save(state as Uint8Array, snapshot as Uint8Array);
    expect(save("state")).to.throw(
      TypeError,
      "Persister.save: raftState must be a Uint8Array (encode your state with encode() from harness/api), got string",
    );
    expect(save([1, 2])).to.throw(
      TypeError,
      "raftState must be a Uint8Array (encode your state with encode() from harness/api), got an array",
    );
    expect(save({ term: 1 })).to.throw(TypeError, "got a plain object");
    expect(save(undefined)).to.throw(TypeError, "got undefined");
    expect(save(new Uint16Array(2))).to.throw(TypeError, "got an instance of Uint16Array");
    expect(save(bytes(9), "snap")).to.throw(
      TypeError,
      "Persister.save: snapshot must be a Uint8Array (encode your state with encode() from harness/api), got string",
    );
    expect(list(p.readRaftState())).to.deep.equal([1]); // the failed saves changed nothing
    expect(list(p.readSnapshot())).to.deep.equal([2]);
  });
});
