/**
 * How many simulated RPCs the network sustains per real second (target: at least 100,000).
 * Prints figures; asserts nothing (timing belongs in benchmarks, not in unit tests).
 *
 *   npm run bench
 */
import { runSimulation, realMillis } from "../harness/sim/world";
import { Network, SimServer } from "../harness/sim/network";

interface Scenario {
  name: string;
  reliable: boolean;
  longReordering?: boolean;
  clients: number;
  callsPerClient: number;
  entries: number;
}

const scenarios: Scenario[] = [
  { name: "reliable, small args (RequestVote-sized)", reliable: true, clients: 50, callsPerClient: 4000, entries: 0 },
  { name: "reliable, AppendEntries with 10 entries", reliable: true, clients: 50, callsPerClient: 2000, entries: 10 },
  {
    name: "unreliable (delays + drops on virtual time)",
    reliable: false,
    clients: 200,
    callsPerClient: 500,
    entries: 0,
  },
  {
    name: "unreliable + long reordering",
    reliable: false,
    longReordering: true,
    clients: 200,
    callsPerClient: 200,
    entries: 0,
  },
];

async function measure(s: Scenario): Promise<{ rpcs: number; realMs: number; virtualMs: number; ok: number }> {
  let rpcs = 0;
  let ok = 0;
  const start = realMillis();
  const result = await runSimulation(
    { seed: 1, virtualTimeLimitMs: 10_000_000, livelockEvents: Infinity },
    async (world) => {
      const net = new Network(world);
      net.reliable = s.reliable;
      net.longReordering = s.longReordering ?? false;
      net.endCallsPerMs = Infinity; // measure the network itself, not the per-end pacing
      const servers = 5;
      for (let i = 0; i < servers; i++) {
        const node = world.startNode(`server-${i}`);
        const server = new SimServer(node);
        server.addService("Raft", {
          appendEntries: (a: { term: number; entries: unknown[] }) => ({
            term: a.term,
            success: true,
            conflictIndex: 0,
            conflictTerm: -1,
          }),
        });
        net.addServer(`server-${i}`, server);
      }
      const entries = Array.from({ length: s.entries }, (_, i) => ({ term: 3, command: 1000 + i }));
      await Promise.all(
        Array.from({ length: s.clients }, async (_, c) => {
          const node = world.startNode(`client-${c}`);
          const name = `end-${c}`;
          const end = net.makeEnd(name, node);
          net.connect(name, `server-${c % servers}`);
          net.enable(name, true);
          for (let k = 0; k < s.callsPerClient; k++) {
            const reply = await end.call("Raft.appendEntries", {
              term: 3,
              leaderId: 0,
              prevLogIndex: k,
              prevLogTerm: 3,
              entries,
              leaderCommit: k,
            });
            if (reply) ok++;
          }
        }),
      );
      rpcs = net.getTotalCount();
    },
  );
  if (result.failure) throw new Error(result.failure.message);
  return { rpcs, realMs: realMillis() - start, virtualMs: result.virtualMs, ok };
}

async function main() {
  console.log(`node ${process.version}; each scenario once after a warm-up run`);
  for (const s of scenarios) {
    await measure({ ...s, callsPerClient: Math.ceil(s.callsPerClient / 10) }); // warm-up (JIT)
    const { rpcs, realMs, virtualMs, ok } = await measure(s);
    const perSecond = Math.round(rpcs / (realMs / 1000));
    console.log(
      `${s.name.padEnd(46)} ${String(rpcs).padStart(7)} RPCs (${((100 * ok) / rpcs).toFixed(1)}% answered) ` +
        `in ${realMs.toFixed(0).padStart(5)} ms real, ${(virtualMs / 1000).toFixed(1).padStart(6)} s virtual: ` +
        `${perSecond.toLocaleString("en-US").padStart(9)} RPCs/s`,
    );
  }
}

void main();
