/** Your implementation: the factories of the layers you provide. */
export { makeRaft } from "./raft";
