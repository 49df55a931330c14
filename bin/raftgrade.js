#!/usr/bin/env node
"use strict";
// The raftgrade command: compiles the harness, the specs and the graded TypeScript on the fly
// (cached on disk, see register-ts.js). With the hidden first argument "__worker" it is one of the
// grader's worker processes instead.
require("./register-ts").register();
if (process.argv[2] === "__worker") require("../harness/run/worker").runWorker();
else if (process.argv[2] === "__graded")
  void require("../harness/sealed/graded-runtime").runGradedSide(process.argv[3], process.argv[4]);
else require("../harness/cli/main").main(process.argv.slice(2));
