// The package's entry point for ES modules: import { Channel, OK, encode } from "raftgrade".
// The same objects as require("raftgrade"): one copy of the API in a process, whichever way it loads.
import { createRequire } from "node:module";

const api = createRequire(import.meta.url)("./entry.cjs");

export const {
  Channel,
  encode,
  decode,
  CodecError,
  OK,
  ErrNoKey,
  ErrVersion,
  ErrMaybe,
  ErrWrongLeader,
  ErrWrongGroup,
  LAYERS,
} = api;
export default api;
