/**
 * labrpc's own acceptance tests (labrpc/test_test.go), ported to the simulated network on virtual
 * time, plus the semantics raftgrade adds (crashed senders, deadness re-checks, clear errors).
 */
import { expect } from "chai";
import { within } from "../tester/harness";
import { runSimulation, World, RunResult } from "../sim/world";
import { Network, SimServer } from "../sim/network";
import type { ClientEnd } from "../api/network";

/** labrpc's JunkServer: a handful of handlers with different argument and reply types. */
class JunkServer {
  log1: string[] = [];
  log2: number[] = [];
  handler1(args: string) {
    this.log1.push(args);
    return Number.parseInt(args, 10);
  }
  handler2(args: number) {
    this.log2.push(args);
    return `handler2-${args}`;
  }
  handler3(args: number) {
    // Sleeps 20 s (virtual) before answering.
    return new Promise((resolve) => setTimeout(() => resolve(-args), 20_000));
  }
  handler4(args: { x: number }) {
    return { x: `pointer-${args.x}` };
  }
  handler6(args: string) {
    return args.length;
  }
  handler7(args: number) {
    return "y".repeat(args);
  }
}

/** One network with one JunkServer "server99" and a connected, enabled end "end1-99". */
function setup(world: World) {
  const net = new Network(world);
  const end = net.makeEnd("end1-99");
  const junk = new JunkServer();
  const server = new SimServer();
  server.addService("JunkServer", junk);
  net.addServer("server99", server);
  net.connect("end1-99", "server99");
  net.enable("end1-99", true);
  return { net, end, junk, server };
}

/** Runs a body in a world and fails the mocha test with the run's own message if it failed. */
async function simulate(body: (world: World) => Promise<void>, seed = 1): Promise<RunResult> {
  const result = await runSimulation({ seed }, body);
  if (result.failure) throw new Error(`${result.failure.message}\n${result.failure.details}`);
  return result;
}

describe("network (labrpc acceptance tests)", () => {
  it("TestBasic: string, int and object arguments", () =>
    simulate(async (world) => {
      const { end, junk } = setup(world);
      expect(await end.call("JunkServer.handler2", 111)).to.equal("handler2-111");
      expect(await end.call("JunkServer.handler1", "9099")).to.equal(9099);
      expect(await end.call("JunkServer.handler4", { x: 7 })).to.deep.equal({ x: "pointer-7" });
      expect(junk.log2).to.deep.equal([111]);
    }));

  it("TestTypes: the handler gets a copy, and the caller a fresh reply", () =>
    simulate(async (world) => {
      const { end, server } = setup(world);
      const seen: unknown[] = [];
      server.addService("Echo", { echo: (a: unknown) => (seen.push(a), a) });
      const args = { list: [1, 2, { deep: "x" }] };
      const reply = await end.call<typeof args>("Echo.echo", args);
      expect(reply).to.deep.equal(args);
      expect(reply).to.not.equal(args);
      expect(seen[0]).to.not.equal(args);
      (seen[0] as typeof args).list.push(99);
      expect(args.list).to.have.length(3);
    }));

  it("TestDisconnect: a disabled end gets no reply until enabled", () =>
    simulate(async (world) => {
      const { net, end, junk } = setup(world);
      net.enable("end1-99", false);
      expect(await end.call("JunkServer.handler2", 111)).to.equal(null);
      expect(junk.log2).to.deep.equal([]);
      net.enable("end1-99", true);
      expect(await end.call("JunkServer.handler1", "9099")).to.equal(9099);
    }));

  it("TestCounts: the server counts 17 incoming calls", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      for (let i = 0; i < 17; i++) expect(await end.call("JunkServer.handler2", i)).to.equal(`handler2-${i}`);
      expect(net.getCount("server99")).to.equal(17);
      expect(net.getTotalCount()).to.equal(17);
    }));

  it("TestBytes: request and reply bytes are counted", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      const args = "x".repeat(284);
      for (let i = 0; i < 17; i++) expect(await end.call("JunkServer.handler6", args)).to.equal(284);
      const n = net.getTotalBytes();
      expect(n).to.be.within(4828, 6000);
      for (let i = 0; i < 17; i++) expect(await end.call("JunkServer.handler7", 107)).to.have.length(107);
      expect(net.getTotalBytes() - n).to.be.within(1800, 2500);
    }));

  it("TestConcurrentMany: 20 clients with their own ends, 10 calls each", () =>
    simulate(async (world) => {
      const { net } = setup(world);
      const clients = Array.from({ length: 20 }, async (_, c) => {
        const end = net.makeEnd(`client-${c}`);
        net.connect(`client-${c}`, "server99");
        net.enable(`client-${c}`, true);
        let n = 0;
        for (let i = 0; i < 10; i++) if ((await end.call("JunkServer.handler2", i)) === `handler2-${i}`) n++;
        return n;
      });
      const counts = await Promise.all(clients);
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(200);
      expect(net.getCount("server99")).to.equal(200);
    }));

  it("TestUnreliable: 300 clients see some but not all calls succeed", () =>
    simulate(async (world) => {
      const { net } = setup(world);
      net.reliable = false;
      const results = await Promise.all(
        Array.from({ length: 300 }, async (_, c) => {
          const end = net.makeEnd(`client-${c}`);
          net.connect(`client-${c}`, "server99");
          net.enable(`client-${c}`, true);
          return (await end.call("JunkServer.handler2", c)) === `handler2-${c}`;
        }),
      );
      const ok = results.filter(Boolean).length;
      expect(ok).to.be.greaterThan(0);
      expect(ok).to.be.lessThan(300);
      // 10 % request drops then 10 % reply drops: about 81 % succeed.
      expect(ok).to.be.within(210, 270);
    }));

  it("TestConcurrentOne: many concurrent calls on one end all complete", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => end.call("JunkServer.handler2", i)));
      replies.forEach((r, i) => expect(r).to.equal(`handler2-${i}`));
      expect(net.getCount("server99")).to.equal(20);
    }));

  it("TestRegression1: calls made while disabled are never delivered later", () =>
    simulate(async (world) => {
      const { net, end, junk } = setup(world);
      net.enable("end1-99", false);
      const early = Array.from({ length: 20 }, (_, i) => end.call("JunkServer.handler2", i));
      await world.sleep(100);
      net.enable("end1-99", true);
      const t0 = world.now();
      expect(await end.call("JunkServer.handler2", 99)).to.equal("handler2-99");
      expect(world.now() - t0).to.be.lessThan(30);
      expect(await Promise.all(early)).to.deep.equal(new Array(20).fill(null));
      expect(junk.log2).to.deep.equal([99]);
      expect(net.getCount("server99")).to.equal(1);
    }));

  it("TestKilled: a slow handler's caller returns soon after the server is deleted", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      let returnedAt = -1;
      const pending = end.call("JunkServer.handler3", 99).then((r) => ((returnedAt = world.now()), r));
      await world.sleep(1100);
      expect(returnedAt, "the handler sleeps 20 s; the call must not return within 1.1 s").to.equal(-1);
      net.deleteServer("server99");
      const deletedAt = world.now();
      expect(await pending).to.equal(null);
      expect(returnedAt - deletedAt).to.be.at.most(100);
    }));

  it("TestLongDelays: toggling long delays while a call to a deleted server is pending", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      net.deleteServer("server99");
      net.longDelays = true;
      const slow = end.call("JunkServer.handler2", 1);
      net.longDelays = false;
      const fast = end.call("JunkServer.handler2", 2);
      expect(await Promise.all([slow, fast])).to.deep.equal([null, null]);
      expect(world.now()).to.be.below(7000);
    }));
});

describe("network (raftgrade semantics)", () => {
  it("unreachable peers fail after 0-99 ms, or 0-6999 ms with long delays", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      net.enable("end1-99", false);
      net.endCallsPerMs = Infinity; // measure labrpc's delays alone, without the per-end pacing
      // 200 concurrent calls each way: sequential ones with long delays would outlast the 120 s limit.
      const times = () =>
        Promise.all(
          Array.from({ length: 200 }, async (_, i) => {
            const t0 = world.now();
            expect(await end.call("JunkServer.handler2", i)).to.equal(null);
            return world.now() - t0;
          }),
        );
      const short = await times();
      expect(Math.max(...short)).to.be.below(100);
      net.longDelays = true;
      const long = await times();
      expect(Math.max(...long)).to.be.within(5000, 6999);
    }));

  it("long reordering delivers about 2/3 of replies 200-2199 ms late", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      net.longReordering = true;
      net.endCallsPerMs = Infinity; // measure labrpc's delays alone, without the per-end pacing
      const delays = await Promise.all(
        Array.from({ length: 900 }, async (_, i) => {
          const t0 = world.now();
          expect(await end.call("JunkServer.handler2", i)).to.equal(`handler2-${i}`);
          return world.now() - t0;
        }),
      );
      const late = delays.filter((d) => d > 0);
      expect(late.length).to.be.within(540, 660);
      expect(Math.min(...late)).to.be.at.least(200);
      expect(Math.max(...late)).to.be.below(2200);
    }));

  it("a reply from a server replaced while its handler ran is suppressed", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      const pending = end.call("JunkServer.handler3", 5);
      await world.sleep(50);
      const replacement = new SimServer();
      replacement.addService("JunkServer", new JunkServer());
      net.addServer("server99", replacement);
      expect(await pending).to.equal(null);
      expect(world.now()).to.equal(100); // noticed at the first 100 ms mark of the call
    }));

  it("an end disabled and re-enabled between two 100 ms checks still gets its reply", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      const pending = end.call("JunkServer.handler3", 5);
      await world.sleep(20);
      net.enable("end1-99", false);
      await world.sleep(30);
      net.enable("end1-99", true);
      expect(await pending).to.equal(-5);
      expect(world.now()).to.equal(20_000);
    }));

  it("an RPC retried at once, forever, lets virtual time advance: 10 calls per end per ms", () =>
    simulate(async (world) => {
      const { end, junk } = setup(world);
      let stop = false;
      void (async () => {
        while (!stop) await end.call("JunkServer.handler2", 1);
      })();
      await world.sleep(100);
      stop = true;
      expect(junk.log2.length).to.be.within(1000, 1010);
    }));

  it("a crashed node's calls and late replies go nowhere, even if it ignores kill()", () =>
    simulate(async (world) => {
      const { net } = setup(world);
      const node = world.startNode("server-0-0");
      const end = net.makeEnd("from-node", node);
      net.connect("from-node", "server99");
      net.enable("from-node", true);
      let settled = 0;
      node.run(() => {
        end.call("JunkServer.handler3", 1).then(() => settled++);
      });
      await world.sleep(10);
      world.crashNode(node);
      node.run(() => {
        end.call("JunkServer.handler2", 2).then(() => settled++);
      });
      await world.sleep(30_000);
      expect(settled).to.equal(0);
    }));

  it("unknown services and methods fail the run, naming what exists", async () => {
    const r1 = await runSimulation({ seed: 1 }, async (world) => {
      await setup(world).end.call("JunkServr.handler2", 1);
    });
    expect(r1.failure?.kind).to.equal("implementation");
    expect(r1.failure?.message).to.include('unknown service "JunkServr"').and.include("services there: JunkServer");
    const r2 = await runSimulation({ seed: 1 }, async (world) => {
      await setup(world).end.call("JunkServer.handler5", 1);
    });
    expect(r2.failure?.message)
      .to.include('unknown method "JunkServer.handler5"')
      .and.include("handler1, handler2, handler3, handler4, handler6, handler7");
  });

  it("a handler that throws or returns nothing fails the run with its name", async () => {
    const r1 = await runSimulation({ seed: 1 }, async (world) => {
      const { end, server } = setup(world);
      server.addService("Raft", {
        requestVote: () => {
          throw new Error("boom");
        },
      });
      await end.call("Raft.requestVote", {});
    });
    expect(r1.failure?.message).to.equal(
      "RPC handler Raft.requestVote on server99 threw: Error: boom (at harness/test/network.test.ts:310)",
    );
    expect(r1.failure?.details).to.include("boom");
    const r2 = await runSimulation({ seed: 1 }, async (world) => {
      const { end, server } = setup(world);
      server.addService("Raft", { appendEntries: () => undefined });
      await end.call("Raft.appendEntries", {});
    });
    expect(r2.failure?.message).to.include("returned undefined");
  });

  it("an argument that cannot be encoded fails the run with its field path", async () => {
    const r = await runSimulation({ seed: 1 }, async (world) => {
      await setup(world).end.call("JunkServer.handler4", { x: 1, entries: [{ command: () => 1 }] });
    });
    expect(r.failure?.kind).to.equal("implementation");
    expect(r.failure?.message).to.include("args.entries[0].command");
  });

  it("the end object handed to graded code exposes only call()", () =>
    simulate(async (world) => {
      const { end } = setup(world);
      expect(Object.keys(end)).to.deep.equal([]);
      expect(typeof (end as ClientEnd).call).to.equal("function");
    }));
});

describe("network: latency and the deviation scheduler (the parts beyond the lab)", () => {
  /** Each call's round-trip time in virtual ms, 200 calls one after another, and the trace's deviation lines. */
  async function roundTrips(seed: number, configure: (net: Network) => void) {
    const times: number[] = [];
    const result = await simulate(async (world) => {
      const { net, end } = setup(world);
      net.endCallsPerMs = Infinity; // the delays alone, without the per-end pacing
      configure(net);
      for (let i = 0; i < 200; i++) {
        const t0 = world.now();
        expect(await end.call("JunkServer.handler2", i)).to.equal(`handler2-${i}`);
        times.push(world.now() - t0);
      }
    }, seed);
    const deviations = (await traceOf(seed, configure)).filter((e) => e.kind === "deviation");
    return { times, deviations, hash: result.traceHash };
  }

  async function traceOf(seed: number, configure: (net: Network) => void) {
    const result = await runSimulation({ seed, traceAll: true }, async (world) => {
      const { net, end } = setup(world);
      net.endCallsPerMs = Infinity;
      configure(net);
      for (let i = 0; i < 200; i++) await end.call("JunkServer.handler2", i);
    });
    return result.trace ?? [];
  }

  it("latency: each request and each reply takes baseMs + 0..jitterMs, drawn from the seed", async () => {
    const fixed = await roundTrips(1, (net) => (net.latency = { baseMs: 5, jitterMs: 0 }));
    expect(new Set(fixed.times)).to.deep.equal(new Set([10]));
    const a = await roundTrips(7, (net) => (net.latency = { baseMs: 1, jitterMs: 15 }));
    expect(Math.min(...a.times)).to.be.at.least(2);
    expect(Math.max(...a.times)).to.be.at.most(32);
    expect(new Set(a.times).size).to.be.above(10); // jitter, not a constant
    const again = await roundTrips(7, (net) => (net.latency = { baseMs: 1, jitterMs: 15 }));
    expect(again.times).to.deep.equal(a.times);
    expect(again.hash).to.equal(a.hash);
    expect(a.deviations).to.deep.equal([]);
  });

  it("deviations: in each block of perCalls RPCs exactly one request or reply is held, for minHoldMs..maxHoldMs, the same on the same seed", async () => {
    const configure = (net: Network) => (net.deviations = { perCalls: 20, minHoldMs: 300, maxHoldMs: 900 });
    const a = await roundTrips(3, configure);
    const held = a.times.filter((t) => t > 0);
    expect(held).to.have.length(10);
    for (const t of held) expect(t).to.be.within(300, 900);
    expect(a.times.map((t, i) => (t > 0 ? Math.floor(i / 20) : -1)).filter((b) => b >= 0)).to.deep.equal([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    expect(a.deviations).to.have.length(10);
    expect(a.deviations[0].what).to.match(/^#\d+ JunkServer\.handler2: (request|reply) held \d+ ms$/);
    const again = await roundTrips(3, configure);
    expect(again.times).to.deep.equal(a.times);
    const other = await roundTrips(4, configure);
    expect(other.times).to.not.deep.equal(a.times);
  });

  it("neither is set by default: the lab's schedules draw nothing for them", async () => {
    const plain = await roundTrips(1, () => {});
    expect(new Set(plain.times)).to.deep.equal(new Set([0]));
  });

  it("onRequest: a request it holds reaches its handler when released; one whose server is gone by then is lost", () =>
    simulate(async (world) => {
      const { net, end } = setup(world);
      const released: (() => void)[] = [];
      const seen: string[] = [];
      net.onRequest = (rpc) => {
        seen.push(`${rpc.method} to ${rpc.server}`);
        return new Promise<void>((release) => released.push(release));
      };
      const first = end.call("JunkServer.handler2", 1);
      await world.sleep(500);
      expect(seen).to.deep.equal(["JunkServer.handler2 to server99"]);
      expect(await within(world, 0, first)).to.equal("timeout"); // still held, 500 ms on
      released.shift()!();
      expect(await first).to.equal("handler2-1");

      const second = end.call("JunkServer.handler2", 2);
      await world.sleep(10);
      net.deleteServer("server99");
      net.addServer("server99", new SimServer()); // the same name, another server
      released.shift()!();
      expect(await second).to.equal(null);
    }));
});
