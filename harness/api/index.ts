/**
 * Everything graded code may import: the interfaces to implement, the applyCh channel, the codec
 * for persistence, and the rpc error values.
 */
export * from "./raft";
export * from "./rsm";
export * from "./kv";
export * from "./classic";
export * from "./rpc";
export * from "./network";
export * from "./persister";
export * from "./implementation";
export { Channel } from "./channel";
export { encode, decode, CodecError } from "../sim/codec";
