import { expect } from "chai";
import { Channel } from "../api/channel";
import { runSimulation } from "../sim/world";

/** Lets every pending promise continuation run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, and how. */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe("Channel", () => {
  describe("unbuffered", () => {
    it("send waits until a receiver takes the value", async () => {
      const ch = new Channel<number>();
      const sent = watch(ch.send(1));
      await flush();
      expect(sent.settled).to.equal(false);
      expect(await ch.recv()).to.deep.equal({ value: 1, ok: true });
      await flush();
      expect(sent.settled).to.equal(true);
      expect(ch.length).to.equal(0);
    });

    it("a waiting receiver gets the value at once", async () => {
      const ch = new Channel<string>();
      const got = ch.recv();
      await ch.send("x");
      expect(await got).to.deep.equal({ value: "x", ok: true });
    });

    it("serves blocked senders and receivers first come, first served", async () => {
      const ch = new Channel<number>();
      const order: number[] = [];
      const senders = [1, 2, 3].map((v) => ch.send(v).then(() => order.push(v)));
      const values = [(await ch.recv()).value, (await ch.recv()).value, (await ch.recv()).value];
      await Promise.all(senders);
      expect(values).to.deep.equal([1, 2, 3]);
      expect(order).to.deep.equal([1, 2, 3]);

      const receivers = [ch.recv(), ch.recv(), ch.recv()];
      for (const v of [10, 20, 30]) await ch.send(v);
      expect((await Promise.all(receivers)).map((r) => r.value)).to.deep.equal([10, 20, 30]);
    });

    it("trySend and tryRecv never wait", async () => {
      const ch = new Channel<number>();
      expect(ch.trySend(1)).to.equal(false);
      expect(ch.tryRecv()).to.equal(undefined);
      const got = ch.recv();
      expect(ch.trySend(2)).to.equal(true);
      expect(await got).to.deep.equal({ value: 2, ok: true });
      const sent = watch(ch.send(3));
      expect(ch.tryRecv()).to.deep.equal({ value: 3, ok: true });
      await flush();
      expect(sent.settled).to.equal(true);
    });
  });

  describe("buffered", () => {
    it("holds up to capacity values, then blocks the next sender", async () => {
      const ch = new Channel<number>(2);
      await ch.send(1);
      await ch.send(2);
      expect(ch.length).to.equal(2);
      const third = watch(ch.send(3));
      expect(ch.trySend(4)).to.equal(false);
      await flush();
      expect(third.settled).to.equal(false);
      expect(await ch.recv()).to.deep.equal({ value: 1, ok: true });
      await flush();
      expect(third.settled).to.equal(true); // it took the freed slot
      expect(ch.length).to.equal(2);
      expect([ch.tryRecv()?.value, ch.tryRecv()?.value, ch.tryRecv()]).to.deep.equal([2, 3, undefined]);
    });

    it("keeps many values in order", async () => {
      const ch = new Channel<number>(5000);
      for (let i = 0; i < 5000; i++) expect(ch.trySend(i)).to.equal(true);
      for (let i = 0; i < 5000; i++) expect(ch.tryRecv()).to.deep.equal({ value: i, ok: true });
      expect(ch.length).to.equal(0);
    });

    it("rejects a negative or fractional capacity", () => {
      expect(() => new Channel(-1, "bad")).to.throw(
        RangeError,
        "channel bad: capacity must be a non-negative integer, got -1",
      );
      expect(() => new Channel(1.5)).to.throw(RangeError);
    });
  });

  describe("close", () => {
    it("lets receivers drain the buffer, then reports ok false", async () => {
      const ch = new Channel<number>(3);
      await ch.send(1);
      await ch.send(2);
      ch.close();
      expect(await ch.recv()).to.deep.equal({ value: 1, ok: true });
      expect(ch.tryRecv()).to.deep.equal({ value: 2, ok: true });
      expect(await ch.recv()).to.deep.equal({ value: undefined, ok: false });
      expect(ch.tryRecv()).to.deep.equal({ value: undefined, ok: false });
    });

    it("wakes blocked receivers with ok false", async () => {
      const ch = new Channel<number>();
      const waiting = [ch.recv(), ch.recv()];
      ch.close();
      expect(await Promise.all(waiting)).to.deep.equal([
        { value: undefined, ok: false },
        { value: undefined, ok: false },
      ]);
    });

    it("throws on send after close and on a second close, naming the channel", async () => {
      const ch = new Channel<number>(1, "applyCh of server 2");
      ch.close();
      expect(() => ch.send(1)).to.throw(Error, "send on closed channel applyCh of server 2");
      expect(() => ch.trySend(1)).to.throw(Error, "send on closed channel applyCh of server 2");
      expect(() => ch.close()).to.throw(Error, "close of closed channel applyCh of server 2");
    });

    it("rejects senders blocked at close", async () => {
      const ch = new Channel<number>(0, "applyCh");
      const blocked = ch.send(1);
      ch.close();
      let error: unknown;
      await blocked.catch((e) => (error = e));
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.equal("send on closed channel applyCh");
    });
  });

  describe("async iteration", () => {
    it("yields values until closed", async () => {
      const ch = new Channel<number>();
      const seen: number[] = [];
      const reader = (async () => {
        for await (const v of ch) seen.push(v);
      })();
      for (const v of [1, 2, 3]) await ch.send(v);
      ch.close();
      await reader;
      expect(seen).to.deep.equal([1, 2, 3]);
    });

    it("stops early on break without losing later values", async () => {
      const ch = new Channel<number>(3);
      for (const v of [1, 2, 3]) await ch.send(v);
      for await (const v of ch) if (v === 1) break;
      expect(ch.tryRecv()).to.deep.equal({ value: 2, ok: true });
    });
  });

  describe("in a simulation", () => {
    it("a receive nobody will satisfy ends the run as a deadlock naming the channel", async () => {
      const result = await runSimulation({ seed: 1 }, async () => {
        const ch = new Channel<number>(0, "applyCh of server 1");
        await ch.recv();
      });
      expect(result.failure?.kind).to.equal("deadlock");
      expect(result.failure?.details).to.contain("receive on applyCh of server 1: nothing sent");
    });

    it("a send nobody will receive is named too, with the node that sends", async () => {
      const result = await runSimulation({ seed: 1 }, async (world) => {
        const ch = new Channel<number>(0, "applyCh-0");
        const node = world.startNode("server-0-0");
        await node.run(() => ch.send(1));
      });
      expect(result.failure?.kind).to.equal("deadlock");
      expect(result.failure?.details).to.contain("send on applyCh-0: no receiver (server-0-0#1)");
    });

    it("a handed-off operation no longer counts as a wait", async () => {
      const result = await runSimulation({ seed: 1 }, async (world) => {
        const ch = new Channel<number>(0, "applyCh");
        const got = ch.recv();
        await world.sleep(10);
        await ch.send(5);
        expect((await got).value).to.equal(5);
        expect(world.describeWaits()).to.deep.equal([]);
      });
      expect(result.failure, result.failure?.message).to.equal(undefined);
    });

    it("a send from a node that crashed is never delivered", async () => {
      const result = await runSimulation({ seed: 1 }, async (world) => {
        const ch = new Channel<number>(0, "applyCh-0");
        const node = world.startNode("server-0-0");
        const blocked = watch(node.run(() => ch.send(1)));
        world.crashNode(node);
        const late = watch(node.run(() => ch.send(2)));
        expect(node.run(() => ch.trySend(3))).to.equal(false);

        const got = watch(ch.recv());
        await world.sleep(1000);
        expect(got.settled).to.equal(false); // neither the blocked value nor the later one arrives
        expect(blocked.settled).to.equal(false); // the crashed thread never resumes
        expect(late.settled).to.equal(false);

        await ch.send(4); // the tester's own send still goes through
        expect(got.value).to.deep.equal({ value: 4, ok: true });
      });
      expect(result.failure, result.failure?.message).to.equal(undefined);
    });

    it("a receiver on a crashed node is skipped and gets nothing", async () => {
      const result = await runSimulation({ seed: 1 }, async (world) => {
        const ch = new Channel<string>(0, "applyCh-1");
        const node = world.startNode("server-0-1");
        const dead = watch(node.run(() => ch.recv()));
        const alive = ch.recv();
        world.crashNode(node);
        expect(watch(node.run(() => ch.recv())).settled).to.equal(false);
        expect(node.run(() => ch.tryRecv())).to.equal(undefined);
        await ch.send("for the living");
        expect(await alive).to.deep.equal({ value: "for the living", ok: true });
        ch.close();
        await world.sleep(10);
        expect(dead.settled).to.equal(false);
      });
      expect(result.failure, result.failure?.message).to.equal(undefined);
    });

    it("costs no virtual time", async () => {
      const result = await runSimulation({ seed: 1 }, async (world) => {
        const ch = new Channel<number>();
        const node = world.startNode("server-0-0");
        node.run(async () => {
          for (let i = 0; i < 100; i++) await ch.send(i);
          ch.close();
        });
        let sum = 0;
        for await (const v of ch) sum += v;
        expect(sum).to.equal(4950);
        expect(world.now()).to.equal(0);
      });
      expect(result.failure, result.failure?.message).to.equal(undefined);
    });
  });
});
