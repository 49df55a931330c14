/**
 * The raftgrade command line, on yargs: grade (worker processes, reports), list, replay, merge,
 * report (the HTML report again, harness/html/), init, and check-history (harness/checker/cli.ts).
 * The commands are in this folder, running runs in harness/run/, writing reports in harness/report/;
 * this file only declares the flags and hands them over.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import yargs, { Argv } from "yargs";
import { grade, DEFAULT_RUN_TIMEOUT_S, DEFAULT_WORKER_MEMORY_MB } from "./grade";
import { DEFAULT_LOAD_TIMEOUT_S } from "../run/config";
import { list } from "./list";
import { replay } from "./replay";
import { merge } from "./merge";
import { init } from "./init";
import { splitIds } from "../run/select";
import { UsageError } from "../run/errors";
import { PROJECT_ROOT } from "../run/load";
import { PARTS } from "../../specs";
import { checkHistoryCommand } from "../checker/cli";
import { DEFAULT_TIMEOUT_MS } from "../checker/check";
import { MODELS } from "../checker/models";
import { reportCommand, DEFAULT_HTML_PAGES } from "../html/report-pages";

/** --impl and the per-layer overrides, shared by grade and replay. */
function layerOptions<T>(y: Argv<T>) {
  return y
    .option("impl", {
      type: "string",
      default: "reference",
      describe:
        "Implementation to grade: reference, student, or a path to a module folder exporting the layer factories",
    })
    .option("raft", {
      type: "string",
      describe: "Take the Raft layer from this implementation instead (reference, student or a path)",
    })
    .option("rsm", { type: "string", describe: "Take the rsm layer from this implementation instead" })
    .option("kv", { type: "string", describe: "Take the KV server layer from this implementation instead" })
    .option("clerk", { type: "string", describe: "Take the Clerk layer from this implementation instead" })
    .option("invariants", {
      type: "boolean",
      default: true,
      describe:
        "Check Raft's safety invariants after every simulated event; --no-invariants runs the lab's checks only",
    })
    .option("strict-linearizability", {
      type: "boolean",
      default: false,
      describe:
        "Fail a test whose linearizability check timed out (the lab, and raftgrade by default, pass it with a warning)",
    });
}

/** This installation's version, from its package.json (`raftgrade --version`). */
function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).version;
}

/** Options that take a list (repeatable); every other option may be given once. */
const LIST_OPTIONS = new Set(["test", "dirs", "files"]);

/** Exit codes: 0 all passed, 1 some test failed, 2 bad usage, 3 a report could not be written, 130 interrupted. */
export async function main(argv: string[]): Promise<void> {
  // Output piped into `head` and closed: keep grading and writing the reports, just stop printing.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
    });
  const parser = yargs(argv)
    .scriptName("raftgrade")
    .usage("$0 <command> [options]")
    .command(
      "grade",
      "Run the lab specs against an implementation in worker processes and write the reports (exit status 1 if any run fails)",
      (y) =>
        layerOptions(y)
          .option("part", {
            type: "string",
            describe: `Comma-separated lab parts to run (${PARTS.map((p) => p.part).join(", ")}); default: every part that has specs`,
          })
          .option("grep", {
            type: "string",
            describe:
              "Only tests whose id (3A/TestInitialElection3A) or full title (3A TestInitialElection3A) matches this regular expression",
          })
          .option("test", {
            type: "string",
            array: true,
            describe: "Only these tests, by id (repeat or comma-separate): --test 3A/TestReElection3A",
          })
          .option("seed", {
            type: "string",
            describe:
              "Seed (the base seed with --seeds): a number, 0x-hex, or any text (default 1); a failing seed replays exactly",
          })
          .option("seeds", {
            type: "string",
            describe: "Run each test on N seeds: the base seed, then N-1 seeds derived from it",
          })
          .option("jobs", { alias: "j", type: "string", describe: "Worker processes (default: the number of CPUs)" })
          .option("shard", {
            type: "string",
            describe: "Run only shard i of n of the work items (i/n, e.g. 2/4); combine shards with 'raftgrade merge'",
          })
          .option("rubric", {
            type: "string",
            describe:
              'Points from this JSON file: {"parts": {"3A": 50}, "tests": {"3B/TestBackup3B": 20}} (default: 100 points per part, split evenly)',
          })
          .option("reports", {
            type: "string",
            default: "reports",
            describe: "Folder in which each run writes its report folder <run-id>/",
          })
          .option("out", {
            type: "string",
            describe: "Write the reports into exactly this folder instead of reports/<run-id>/",
          })
          .option("coverage", {
            type: "boolean",
            default: false,
            describe:
              "Measure the graded implementation's code coverage (nyc): HTML, lcov and a summary in <report>/coverage",
          })
          .option("reference-timing", {
            type: "boolean",
            default: true,
            describe:
              "Run the reference on the same seeds for the timing report (cached in node_modules/.cache/raftgrade); --no-reference-timing skips it",
          })
          .option("run-timeout", {
            type: "string",
            describe: `Real seconds one run may take before its worker is killed and the run fails (default ${DEFAULT_RUN_TIMEOUT_S}); sealed, counted from when the run's graded process has loaded (--load-timeout bounds that); the lab-only rerun after an invariant failure then has a limit of its own`,
          })
          .option("html-pages", {
            type: "string",
            describe: `Failing runs to replay (in child processes) for a page each in <report>/index.html: timeline, messages, log (default ${DEFAULT_HTML_PAGES}; 0: none)`,
          })
          .option("worker-memory", {
            type: "string",
            describe: `Memory limit in MiB of the graded code in each run (heap, and with buffers 1.5 times it) and of each worker; a run that needs more fails as out of memory (default ${DEFAULT_WORKER_MEMORY_MB})`,
          })
          .option("unsealed", {
            type: "boolean",
            default: false,
            describe:
              "Run the graded code in the worker itself: faster, but a submission can reach what judges it; for your own code on your own machine only",
          })
          .option("load-timeout", {
            type: "string",
            describe: `Real seconds the graded code may take to load, per run (default ${DEFAULT_LOAD_TIMEOUT_S})`,
          })
          .option("check-determinism", {
            type: "boolean",
            default: false,
            describe:
              "Run each test twice on its seed and warn, naming the first differing event, when the traces differ",
          }),
      async (args) => {
        process.exitCode = await grade({
          impl: args.impl,
          layers: { raft: args.raft, rsm: args.rsm, kv: args.kv, clerk: args.clerk },
          parts: args.part,
          grep: args.grep,
          tests: splitIds(args.test),
          seed: args.seed,
          seeds: args.seeds,
          jobs: args.jobs,
          shard: args.shard,
          rubric: args.rubric,
          reportsDir: args.reports,
          out: args.out,
          invariants: args.invariants,
          checkDeterminism: args.checkDeterminism,
          strictLinearizability: args.strictLinearizability,
          coverage: args.coverage,
          referenceTiming: args.referenceTiming,
          runTimeout: args.runTimeout,
          htmlPages: args.htmlPages,
          workerMemory: args.workerMemory,
          unsealed: args.unsealed,
          loadTimeout: args.loadTimeout,
        });
      },
    )
    .command(
      "list",
      "List the lab tests with their ids, parts and points",
      (y) =>
        y
          .option("part", {
            type: "string",
            describe: "Comma-separated lab parts (default: every part that has specs)",
          })
          .option("grep", {
            type: "string",
            describe: "Only tests whose id or full title matches this regular expression",
          })
          .option("rubric", { type: "string", describe: "Show the points of this rubric file" })
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print JSON: [{id, part, points, title, file}]",
          }),
      (args) => {
        process.exitCode = list({ parts: args.part, grep: args.grep, rubric: args.rubric, json: args.json });
      },
    )
    .command(
      "replay",
      "Re-run one test on one seed in this process: its output, the harness trace and the trace hash",
      (y) =>
        layerOptions(y)
          .option("test", { type: "string", demandOption: true, describe: "Test id, e.g. 3A/TestReElection3A" })
          .option("seed", { type: "string", demandOption: true, describe: "The seed of the run to replay" })
          .option("trace", {
            type: "string",
            default: "all",
            describe: "Trace events to print: all, none, or the last N",
          })
          .option("trace-server", {
            type: "string",
            describe: "Print only trace events of these servers (comma-separated node names, e.g. server-0-1)",
          })
          .option("trace-kind", {
            type: "string",
            describe: "Print only trace events of these kinds or kind prefixes (e.g. rpc,crash,nemesis)",
          })
          .option("trace-method", {
            type: "string",
            describe:
              "Print only RPC events of these methods (comma-separated, e.g. requestVote or Raft.appendEntries)",
          })
          .option("trace-from", { type: "string", describe: "Print only trace events from this virtual second on" })
          .option("trace-to", { type: "string", describe: "Print only trace events up to this virtual second" })
          .option("trace-timers", {
            type: "boolean",
            default: false,
            describe: "Also print timer firings (hidden by default: they are most of a long trace)",
          })
          .option("html", {
            type: "string",
            describe:
              "Also record the run in full and write its HTML page (timeline, messages, log) and run.json into this folder",
          })
          .option("unsealed", {
            type: "boolean",
            default: false,
            describe: "Replay a run graded with --unsealed (the graded code inside this process)",
          }),
      async (args) => {
        process.exitCode = await replay({
          unsealed: args.unsealed,
          impl: args.impl,
          layers: { raft: args.raft, rsm: args.rsm, kv: args.kv, clerk: args.clerk },
          test: args.test,
          seed: args.seed,
          invariants: args.invariants,
          strictLinearizability: args.strictLinearizability,
          trace: args.trace,
          traceFilter: {
            server: args.traceServer,
            kind: args.traceKind,
            method: args.traceMethod,
            from: args.traceFrom,
            to: args.traceTo,
            timers: args.traceTimers,
          },
          html: args.html,
        });
      },
    )
    .command(
      "merge <dirs..>",
      "Combine report folders (e.g. of --shard runs) into one: results, JUnit, Gradescope and timing, score recomputed",
      (y) =>
        y
          .positional("dirs", { type: "string", array: true, demandOption: true, describe: "Report folders" })
          .option("reports", {
            type: "string",
            default: "reports",
            describe: "Folder in which to write the merged report folder <run-id>/",
          })
          .option("out", { type: "string", describe: "Write the merged reports into exactly this folder" }),
      async (args) => {
        process.exitCode = await merge({ dirs: args.dirs as string[], reportsDir: args.reports, out: args.out });
      },
    )
    .command(
      "report <dir>",
      "Render the HTML report of a report folder again (index.html and the pages of the replayed failing runs) from its results.json and runs/*/run.json",
      (y) => y.positional("dir", { type: "string", demandOption: true, describe: "Report folder (reports/<run-id>)" }),
      (args) => {
        process.exitCode = reportCommand(args.dir as string);
      },
    )
    .command(
      "init <dir>",
      "Copy a fresh student skeleton (every layer, each method throwing 'not implemented yet') into a new or empty folder",
      (y) => y.positional("dir", { type: "string", demandOption: true, describe: "Folder to create" }),
      (args) => {
        process.exitCode = init(args.dir as string);
      },
    )
    .command(
      "check-history <files..>",
      "Check histories (JSON, docs/history-format.md) for linearizability: exit status 0 only if every file is ok, 1 if any is illegal or unknown, 2 if any cannot be read",
      (y) =>
        y
          .positional("files", { type: "string", array: true, demandOption: true, describe: "History files" })
          .option("model", {
            type: "string",
            describe: `Model to check against (${Object.keys(MODELS).join(", ")}); default: the one each file names`,
          })
          .option("timeout", {
            type: "number",
            default: DEFAULT_TIMEOUT_MS,
            describe: "Time budget per file in ms; a search that runs out is unknown, never ok",
          })
          .option("json", {
            type: "boolean",
            default: false,
            describe: 'One JSON line per file: {"file","model","verdict","ms"}',
          })
          .option("html", {
            type: "string",
            describe: "Folder in which to write a picture (HTML) of each illegal or unknown history",
          }),
      (args) => {
        process.exitCode = checkHistoryCommand({
          files: args.files as string[],
          model: args.model,
          timeoutMs: args.timeout,
          json: args.json,
          htmlDir: args.html,
        });
      },
    )
    .check((args) => {
      // yargs turns a repeated flag into an array; only the list-valued ones may take several.
      for (const [name, value] of Object.entries(args)) {
        if (Array.isArray(value) && !LIST_OPTIONS.has(name) && name.includes("-") === false && name !== "_") {
          throw new UsageError(
            `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} was given ${value.length} times (${value.join(", ")}); give it once${name === "part" ? " (comma-separate several parts)" : ""}`,
          );
        }
      }
      return true;
    })
    .demandCommand(1, "Name a command: grade, list, replay, merge, report, init or check-history")
    .strict()
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .fail((message, error) => {
      if (error && !(error instanceof UsageError)) throw error;
      console.error(`raftgrade: ${message}\n`);
      console.error("Run 'raftgrade --help' for the commands and 'raftgrade <command> --help' for their options.");
      process.exit(2);
    })
    .wrap(Math.min(110, process.stdout.columns || 100));
  await parser.parseAsync();
}
