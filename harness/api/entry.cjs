"use strict";
// The package's entry point for JavaScript: require("raftgrade"). The API is TypeScript; unless
// something already compiles .ts files (raftgrade's own commands, ts-node), raftgrade's compiler
// hook is installed for it first.
if (!require.extensions[".ts"]) require("../../bin/register-ts").register();
module.exports = require("./index.ts");
