/** Your implementation: the factory of each layer (the grader hands each layer the one below it). */
export { makeRaft } from "./raft";
export { makeRsm } from "./rsm";
export { startKVServer } from "./kv-server";
export { makeClerk } from "./clerk";
// The classic kvraft lab (Put/Append/Get), graded with --part classic:
export { startClassicKVServer } from "./classic-kv-server";
export { makeClassicClerk } from "./classic-clerk";
