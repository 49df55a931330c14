"use strict";
/**
 * Compiles TypeScript on require (the harness, the specs, the graded code), like ts-node's
 * transpile-only mode, with an on-disk cache in node_modules/.cache/raftgrade/ts keyed by each
 * file's path and content: a grading run starts a process per worker, and compiling everything
 * anew in each would cost ~2 s of CPU per process; with the cache it is ~0.3 s. Stack traces point
 * at the .ts lines through inline source maps.
 */
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");

const ROOT = path.join(__dirname, "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "raftgrade", "ts");
let ts; // loaded only on a cache miss: requiring typescript alone takes ~0.3 s
let options;
let salt;

function compilerOptions() {
  ts ??= require("typescript");
  if (!options) {
    const file = path.join(ROOT, "tsconfig.json");
    const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT);
    // No outDir/rootDir: the source map must name the .ts file next to the compiled module.
    options = {
      ...parsed.options,
      outDir: undefined,
      rootDir: undefined,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: true,
      declaration: false,
      noEmit: false,
    };
  }
  return options;
}

function cacheSalt() {
  if (salt === undefined) {
    const tsVersion = require(require.resolve("typescript/package.json", { paths: [ROOT] })).version;
    salt = `${tsVersion}\0${fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")}\0${process.version}`;
  }
  return salt;
}

function compile(source, filename) {
  const key = crypto
    .createHash("sha256")
    .update(cacheSalt())
    .update("\0")
    .update(filename)
    .update("\0")
    .update(source)
    .digest("hex");
  const cached = path.join(CACHE, key.slice(0, 2), `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not cached yet
  }
  compilerOptions();
  const result = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: compilerOptions(),
    reportDiagnostics: false,
  });
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, result.outputText);
    fs.renameSync(tmp, cached); // atomic: parallel workers may compile the same file
  } catch {
    // an unwritable cache only costs time
  }
  return result.outputText;
}

/** What `require("raftgrade")` names in graded code: this installation's API, wherever the code lives. */
const API = path.join(ROOT, "harness", "api", "index.ts");

function register() {
  process.setSourceMapsEnabled(true);
  require.extensions[".ts"] = function (module, filename) {
    module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
  };
  // An implementation graded from any folder imports "raftgrade" and gets the API of the raftgrade
  // that grades it: one copy of the interfaces and the codec in the process, whether or not the
  // folder has raftgrade in its own node_modules (and whichever version it has there).
  const Module = require("node:module");
  const resolve = Module._resolveFilename;
  if (!resolve.raftgrade) {
    Module._resolveFilename = Object.assign(
      function (request, ...rest) {
        return request === "raftgrade" ? API : resolve.call(this, request, ...rest);
      },
      { raftgrade: true },
    );
  }
}

/** Puts one file into the cache (the sealed graded process may not be allowed to write it). */
function compileFile(filename) {
  compile(fs.readFileSync(filename, "utf8"), filename);
}

module.exports = { register, compileFile };
