/**
 * The raftgrade command line, on yargs. `grade` runs the lab specs (mocha) against the selected
 * implementation, prints mocha's report, writes a JSON report, and exits non-zero when any test fails.
 * `check-history` checks recorded histories for linearizability (harness/checker/cli.ts).
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { grade } from "../grader/grade";
import { PARTS } from "../../specs";
import { checkHistoryCommand } from "../checker/cli";
import { DEFAULT_TIMEOUT_MS } from "../checker/check";
import { MODELS } from "../checker/models";

/** Exit codes: 0 all passed, 1 some test failed, 2 bad usage, 3 the report could not be written. */
export async function main(argv: string[]): Promise<void> {
  const parser = yargs(argv)
    .scriptName("raftgrade")
    .usage("$0 <command> [options]")
    .command(
      "grade",
      "Run the lab specs against an implementation (exit status 1 if any test fails)",
      (y) =>
        y
          .option("impl", {
            type: "string",
            default: "reference",
            describe: "Implementation to grade: reference, student, or a path to a module folder exporting the layer factories",
          })
          .option("raft", { type: "string", describe: "Take the Raft layer from this implementation instead (reference, student or a path)" })
          .option("rsm", { type: "string", describe: "Take the rsm layer from this implementation instead" })
          .option("kv", { type: "string", describe: "Take the KV server layer from this implementation instead" })
          .option("clerk", { type: "string", describe: "Take the Clerk layer from this implementation instead" })
          .option("part", {
            type: "string",
            describe: `Comma-separated lab parts to run (${PARTS.map((p) => p.part).join(", ")}); default: every part that has specs`,
          })
          .option("grep", { type: "string", describe: "Only run tests whose full title (e.g. '3A TestInitialElection3A') matches this regular expression" })
          .option("seed", { type: "string", describe: "Seed for every selected test: a number, 0x-hex, or any text (default 1); a failing seed replays exactly" })
          .option("reports", { type: "string", default: "reports", describe: "Folder in which each run writes its report folder" })
          .option("invariants", {
            type: "boolean",
            default: true,
            describe: "Check Raft's safety invariants after every simulated event; --no-invariants runs the lab's checks only",
          })
          .option("check-determinism", {
            type: "boolean",
            default: false,
            describe: "Run each test twice on its seed and warn, naming the first differing event, when the traces differ",
          }),
      async (args) => {
        process.exitCode = await grade({
          impl: args.impl,
          layers: { raft: args.raft, rsm: args.rsm, kv: args.kv, clerk: args.clerk },
          parts: args.part,
          grep: args.grep,
          seed: args.seed,
          reportsDir: args.reports,
          invariants: args.invariants,
          checkDeterminism: args.checkDeterminism,
        });
      },
    )
    .command(
      "check-history <files..>",
      "Check histories (JSON, as in shared/histories) for linearizability: exit status 0 only if every file is ok, 1 if any is illegal or unknown, 2 if any cannot be read",
      (y) =>
        y
          .positional("files", { type: "string", array: true, demandOption: true, describe: "History files" })
          .option("model", { type: "string", describe: `Model to check against (${Object.keys(MODELS).join(", ")}); default: the one each file names` })
          .option("timeout", { type: "number", default: DEFAULT_TIMEOUT_MS, describe: "Time budget per file in ms; a search that runs out is unknown, never ok" })
          .option("json", { type: "boolean", default: false, describe: 'One JSON line per file: {"file","model","verdict","ms"}' })
          .option("html", { type: "string", describe: "Folder in which to write a picture (HTML) of each illegal or unknown history" }),
      (args) => {
        process.exitCode = checkHistoryCommand({ files: args.files as string[], model: args.model, timeoutMs: args.timeout, json: args.json, htmlDir: args.html });
      },
    )
    .demandCommand(1, "Name a command: grade or check-history")
    .strict()
    .help()
    .alias("h", "help")
    .version(false)
    .fail((message, error) => {
      if (error) throw error;
      console.error(`raftgrade: ${message}\n`);
      console.error("Run 'raftgrade --help' for the commands and 'raftgrade <command> --help' for their options.");
      process.exit(2);
    })
    .wrap(Math.min(110, process.stdout.columns || 100));
  await parser.parseAsync();
}
