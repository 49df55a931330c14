/** `raftgrade check-history`: verdicts, JSON lines, pictures, and exit statuses. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkHistoryCommand, type CheckHistoryArgs } from "../checker/cli";

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "raftgrade.js");
const HISTORIES = path.resolve(__dirname, "../../data/histories");

function raftgrade(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command in this process, capturing what it prints. */
function run(args: Partial<CheckHistoryArgs> & { files: string[] }) {
  let stdout = "";
  let stderr = "";
  const status = checkHistoryCommand(
    { timeoutMs: 10_000, json: false, ...args },
    { write: (s: string) => (stdout += s) } as any,
    { write: (s: string) => (stderr += s) } as any,
  );
  return { status, stdout, stderr };
}

describe("raftgrade check-history", function () {
  this.timeout(60_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "raftgrade-check-"));
  const ok = path.join(HISTORIES, "kv_c01-ok.json");
  const illegal = path.join(HISTORIES, "etcd_000.json");
  const write = (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  };

  before(function () {
    if (!fs.existsSync(HISTORIES)) this.skip();
  });

  it("exits 0 when every file is ok, printing one verdict per file", () => {
    const r = raftgrade("check-history", ok, path.join(HISTORIES, "etcd_002.json"));
    expect(r.stderr).to.equal("");
    expect(r.status).to.equal(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^ok\s+[\d.]+ ms\s+\S*kv_c01-ok\.json\s+\(kv-append\)$/);
    expect(lines[1]).to.match(/^ok .*etcd_002\.json\s+\(etcd-register\)$/);
  });

  it("with --json, prints a JSON line per file; a file it cannot read names itself and makes the status 2", () => {
    const badJson = write("bad.json", "{ not json");
    const noModel = write("frob.json", JSON.stringify({ model: "frob", operations: [] }));
    const notHistory = write("list.json", "[1, 2]");
    const r = raftgrade(
      "check-history",
      "--json",
      ok,
      illegal,
      path.join(tmp, "missing.json"),
      badJson,
      noModel,
      notHistory,
    );
    expect(r.status).to.equal(2);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [path.basename(l.file), l.model, l.verdict])).to.deep.equal([
      ["kv_c01-ok.json", "kv-append", "ok"],
      ["etcd_000.json", "etcd-register", "illegal"],
      ["missing.json", null, "error"],
      ["bad.json", null, "error"],
      ["frob.json", null, "error"],
      ["list.json", null, "error"],
    ]);
    for (const l of lines) expect(l.ms).to.be.a("number");
    expect(r.stderr).to.include(`${path.join(tmp, "missing.json")}: no such file`);
    expect(r.stderr).to.include(`${badJson}: not valid JSON`);
    expect(r.stderr).to.include(`${noModel}: unknown model "frob" (known: kv-versioned, kv-append, etcd-register)`);
    expect(r.stderr).to.include(`${notHistory}: expected a JSON object`);
  });

  it("exits 1 for an illegal or unknown file, and writes their pictures with --html", () => {
    const history = JSON.parse(fs.readFileSync(path.join(HISTORIES, "kv_c50-bad.json"), "utf8"));
    history.operations = history.operations.filter((op: any) => op.input.key === "0"); // explodes
    const hard = write("hard.json", JSON.stringify(history));
    const pictures = path.join(tmp, "pictures");
    // The default budget for the files that finish (a busy machine must not turn "ok" into
    // "unknown"); the short one only for the history whose search explodes and can never finish.
    const decided = run({ files: [ok, illegal], htmlDir: pictures, json: true });
    const timedOut = run({ files: [hard], timeoutMs: 50, htmlDir: pictures, json: true });
    expect([decided.status, timedOut.status]).to.deep.equal([1, 1]);
    const lines = (decided.stdout + timedOut.stdout)
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.verdict)).to.deep.equal(["ok", "illegal", "unknown"]);
    expect(lines[2].reason).to.equal("timeout");
    expect(fs.readdirSync(pictures).sort()).to.deep.equal(["etcd_000.html", "hard.html"]);
    expect(fs.readFileSync(path.join(pictures, "etcd_000.html"), "utf8")).to.include("etcd_000: illegal");
  });

  it("checks against --model instead of the file's, and refuses an unknown one", () => {
    const bare = JSON.parse(fs.readFileSync(ok, "utf8"));
    delete bare.model;
    const file = write("bare.json", JSON.stringify(bare));
    expect(run({ files: [file] }).stderr).to.include(`${file}: names no model; pass --model`);
    const r = run({ files: [file], model: "kv-append" });
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/^ok .*bare\.json\s+\(kv-append\)\n$/);
    expect(run({ files: [file], model: "nope" })).to.deep.include({
      status: 2,
      stderr: 'raftgrade: --model: unknown model "nope" (known: kv-versioned, kv-append, etcd-register)\n',
    });
  });
});
