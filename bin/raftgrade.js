#!/usr/bin/env node
"use strict";
// The raftgrade command: compiles the harness, the specs and the graded TypeScript on the fly.
const path = require("node:path");
require("ts-node").register({ project: path.join(__dirname, "..", "tsconfig.json"), transpileOnly: true });
require("../harness/cli/main").main(process.argv.slice(2));
