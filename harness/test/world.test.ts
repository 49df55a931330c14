/** The simulation core: virtual time, node timers, failures, deadlocks and determinism. */
import { expect } from "chai";
import { runSimulation } from "../sim/world";
import { Network, SimServer } from "../sim/network";
import { Rng } from "../sim/rng";
import { Channel } from "../api/channel";
import { RaftTester } from "../tester/raft-tester";
import { makeRaft } from "../../reference";

describe("world", () => {
  it("runs on virtual time: Date, performance and timers agree, and the real ones come back", async () => {
    const realDate = Date;
    const realRandom = Math.random;
    const result = await runSimulation({ seed: 7 }, async (world) => {
      expect(Date.now()).to.equal(0);
      await new Promise((r) => setTimeout(r, 3_600_000 / 2));
      expect(Date.now()).to.equal(1_800_000);
      expect(performance.now()).to.equal(1_800_000);
      expect(world.now()).to.equal(1_800_000);
    });
    expect(result.failure?.message).to.equal("test took longer than 120 seconds (virtual time)");
    expect(result.failure?.kind).to.equal("virtual-time-limit");
    expect(result.virtualMs).to.equal(120_000);
    expect(Date).to.equal(realDate);
    expect(Math.random).to.equal(realRandom);
  });

  it("feeds Math.random from the seed", async () => {
    const draws: number[][] = [];
    for (const seed of [5, 5, 6]) {
      await runSimulation({ seed }, async () => {
        draws.push([Math.random(), Math.random()]);
      });
    }
    expect(draws[0]).to.deep.equal(draws[1]);
    expect(draws[0]).to.not.deep.equal(draws[2]);
    const rng = new Rng(5);
    expect(draws[0][0]).to.equal(rng.float());
  });

  it("crashing a node cancels all its timers, even if the implementation ignores kill()", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      const node = world.startNode("server-0-0");
      let ticks = 0;
      let immediates = 0;
      node.run(() => {
        setInterval(() => ticks++, 100);
        const loop = () => {
          setTimeout(loop, 50);
          setImmediate(() => immediates++);
        };
        loop();
      });
      await world.sleep(1050);
      expect(ticks).to.equal(10);
      world.crashNode(node);
      const [t, i] = [ticks, immediates];
      node.run(() => setTimeout(() => ticks++, 1)); // a dead process schedules nothing
      await world.sleep(5000);
      expect([ticks, immediates]).to.deep.equal([t, i]);
      const restarted = world.startNode("server-0-0");
      expect(restarted.generation).to.equal(2);
    });
    expect(result.failure, result.failure?.message).to.equal(undefined);
  });

  it("timers keep their node across promise continuations", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      const node = world.startNode("n");
      let fired = 0;
      node.run(async () => {
        await Promise.resolve();
        await new Promise((r) => setTimeout(r, 10));
        setInterval(() => fired++, 10); // created after two awaits: still node n's
      });
      await world.sleep(100);
      world.crashNode(node);
      const before = fired;
      await world.sleep(100);
      expect(fired).to.equal(before);
      expect(before).to.be.greaterThan(5);
    });
    expect(result.failure, result.failure?.message).to.equal(undefined);
  });

  it("reports a deadlock, naming what is pending, instead of hanging", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      const net = new Network(world);
      const server = new SimServer();
      server.addService("Raft", { appendEntries: () => new Promise(() => {}) });
      net.addServer("server-0-1", server);
      const end = net.makeEnd("e");
      net.connect("e", "server-0-1");
      net.enable("e", true);
      await world.sleep(5);
      await end.call("Raft.appendEntries", { term: 1 });
    });
    expect(result.failure?.kind).to.equal("deadlock");
    expect(result.failure?.message).to.match(/^deadlock at 0\.005s/);
    expect(result.failure?.details).to.include("RPC #1 Raft.appendEntries to server-0-1: its handler has not returned");
  });

  it("reports a livelock: two tasks handing values back and forth without letting time advance", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      const ping = new Channel<number>(0, "ping");
      const pong = new Channel<number>(0, "pong");
      world.startNode("server-0-0").run(() => {
        void (async () => {
          for (;;) await pong.send(((await ping.recv()).value ?? 0) + 1);
        })();
      });
      void (async () => {
        for (let n = 0; ;) {
          await ping.send(n);
          n = (await pong.recv()).value ?? 0;
        }
      })();
      await world.sleep(1000);
    });
    expect(result.failure?.kind).to.equal("livelock");
    expect(result.failure?.message).to.match(/^livelock at 0\.000s \(virtual\): 200000 RPCs and channel operations/);
  });

  it("waitFor names what the test awaits in a deadlock report", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      await world.waitFor("rsm.submit(Inc) on server 2", new Promise(() => {}));
    });
    expect(result.failure?.details).to.include("rsm.submit(Inc) on server 2");
  });

  it("a throwing timer callback fails the run with the node and the error", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      world.startNode("server-0-2").run(() =>
        setTimeout(() => {
          throw new RangeError("index out of range");
        }, 10),
      );
      await world.sleep(1000);
    });
    expect(result.failure?.kind).to.equal("implementation");
    expect(result.failure?.message).to.equal(
      "a timeout callback on server-0-2#1 threw: RangeError: index out of range (at harness/test/world.test.ts:135)",
    );
    expect(result.failure?.details).to.include("world.test.ts");
  });

  it("an unhandled rejection fails the run", async () => {
    const result = await runSimulation({ seed: 1 }, async (world) => {
      world.startNode("s").run(() => {
        Promise.reject(new Error("forgot to catch"));
      });
      await world.sleep(10);
    });
    expect(result.failure?.message).to.include("forgot to catch");
  });

  it("the real-time watchdog ends a run that burns real time", async () => {
    const result = await runSimulation({ seed: 1, realTimeLimitMs: 50 }, async (world) => {
      const node = world.startNode("busy");
      node.run(() =>
        setInterval(() => {
          for (let i = 0; i < 2e5; i++);
        }, 1),
      );
      await world.sleep(100_000);
    });
    expect(result.failure?.kind).to.equal("watchdog");
  });

  it("a failed tester check reports its message", async () => {
    const result = await runSimulation({ seed: 1 }, async () => {
      throw new Error("expected one leader, got none");
    });
    expect(result.failure?.kind).to.equal("test");
    expect(result.failure?.message).to.equal("Error: expected one leader, got none");
  });

  it("runs cannot be nested", async () => {
    let nestedError = "";
    await runSimulation({ seed: 1 }, async () => {
      await runSimulation({ seed: 2 }, async () => {}).catch((e) => (nestedError = e.message));
    });
    expect(nestedError).to.include("cannot be nested");
  });
});

describe("determinism", () => {
  /** A busy unreliable network with crashes, to exercise every random choice. */
  const workload = (seed: number) =>
    runSimulation({ seed }, async (world) => {
      const net = new Network(world);
      net.reliable = false;
      net.longReordering = true;
      const nodes = [0, 1, 2].map((i) => world.startNode(`server-${i}`));
      nodes.forEach((node, i) => {
        const server = new SimServer(node);
        let n = 0;
        server.addService("Echo", { echo: (x: number) => ({ x, n: n++, r: Math.floor(Math.random() * 100) }) });
        net.addServer(`server-${i}`, server);
      });
      for (let from = 0; from < 3; from++) {
        for (let to = 0; to < 3; to++) {
          const name = `end-${from}-${to}`;
          const end = net.makeEnd(name, nodes[from]);
          net.connect(name, `server-${to}`);
          net.enable(name, true);
          nodes[from].run(() => {
            const loop = async () => {
              await end.call("Echo.echo", from * 10 + to);
              setTimeout(loop, Math.floor(Math.random() * 50));
            };
            void loop();
          });
        }
      }
      await world.sleep(5000);
      world.crashNode(nodes[1]);
      await world.sleep(5000);
    });

  it("the same seed gives the same trace hash; another seed a different one", async () => {
    const [a, b, c] = [await workload(42), await workload(42), await workload(43)];
    expect(a.failure, a.failure?.message).to.equal(undefined);
    expect(a.traceEvents).to.be.greaterThan(500);
    expect(a.traceHash).to.equal(b.traceHash);
    expect(a.traceEvents).to.equal(b.traceEvents);
    expect(a.traceHash).to.not.equal(c.traceHash);
  });
});

describe("determinism of a whole Raft run", () => {
  // An unreliable, reordering network with crashes, driving the reference Raft through the tester.
  const raftRun = (seed: number) =>
    runSimulation({ seed }, async (world) => {
      const ts = new RaftTester(world, 5, false, false, makeRaft);
      ts.net.longReordering = true;
      for (let i = 0; i < 10; i++) {
        await ts.one(ts.randCommand(), 1, true);
        const victim = world.rng.int(5);
        const up = ts.group.all().filter((j) => ts.group.isRunning(j)).length;
        if (!ts.group.isRunning(victim)) ts.restart(victim);
        else if (up > 3) ts.crash(victim); // keep a majority up
      }
    });

  it("replays bit for bit: same seed, same trace hash and event count", async () => {
    const [a, b] = [await raftRun(9), await raftRun(9)];
    expect(a.failure, a.failure?.message).to.equal(undefined);
    expect(a.traceHash).to.equal(b.traceHash);
    expect(a.traceEvents).to.equal(b.traceEvents);
    expect(a.virtualMs).to.equal(b.virtualMs);
    expect((await raftRun(10)).traceHash).to.not.equal(a.traceHash);
  });
});
