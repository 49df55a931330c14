/**
 * The linearizability checker, for testers and tools:
 *
 *   const result = checkOperations(kvVersioned, operations, { timeoutMs: 1000 });
 *   if (result.verdict !== "ok") fs.writeFileSync(file, renderHtml(result, operations, kvVersioned, annotations));
 */
export { checkOperations, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_MEMORY_BYTES } from "./check";
export type { CheckOptions, CheckResult, PartitionResult, Verdict, UnknownReason } from "./check";
export { accept, REJECTED, partitionBy, hashString } from "./model";
export type { Model, Operation, Step } from "./model";
export { MODELS, modelNamed, kvVersioned, kvAppend, etcdRegister } from "./models";
export type { VersionedState, VersionedInput, VersionedOutput } from "./models/kv-versioned";
export type { AppendState, AppendInput, AppendOutput } from "./models/kv-append";
export type { RegisterState, RegisterInput, RegisterOutput } from "./models/etcd-register";
export { renderHtml } from "./html";
export type { Annotation, RenderOptions } from "./html";
export { readHistoryFile, parseHistory, HistoryFileError } from "./history-file";
export type { HistoryFile } from "./history-file";
export { realClock } from "./clock";
export type { Clock } from "./clock";
