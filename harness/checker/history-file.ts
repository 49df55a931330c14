/**
 * History files in the JSON format of docs/history-format.md: a name, a model name, an
 * optional expected verdict, and the operations. Errors name the file and what is wrong with it.
 */
import * as fs from "node:fs";
import type { Operation } from "./model";

export interface HistoryFile {
  name: string;
  model?: string;
  expected?: "ok" | "illegal";
  operations: Operation[];
}

export class HistoryFileError extends Error {}

export function readHistoryFile(file: string): HistoryFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HistoryFileError(
      code === "ENOENT" ? `${file}: no such file` : `${file}: cannot read (${(e as Error).message})`,
    );
  }
  let data: any;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new HistoryFileError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseHistory(data, file);
}

export function parseHistory(data: any, file: string): HistoryFile {
  const bad = (what: string) => new HistoryFileError(`${file}: ${what}`);
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw bad('expected a JSON object with an "operations" array');
  if (!Array.isArray(data.operations)) throw bad('missing the "operations" array');
  if (data.model !== undefined && typeof data.model !== "string") throw bad('"model" must be a string');
  data.operations.forEach((op: any, i: number) => {
    const where = `operation ${i}`;
    if (typeof op !== "object" || op === null) throw bad(`${where} is not an object`);
    for (const field of ["call", "return"]) {
      if (typeof op[field] !== "number" || !Number.isFinite(op[field]))
        throw bad(`${where}: "${field}" must be a number`);
    }
    if (op.return < op.call) throw bad(`${where}: returns (${op.return}) before it is called (${op.call})`);
    if (typeof op.input !== "object" || op.input === null) throw bad(`${where}: "input" must be an object`);
    if (typeof op.output !== "object" || op.output === null) throw bad(`${where}: "output" must be an object`);
  });
  const operations: Operation[] = data.operations.map((op: any) => ({
    clientId: typeof op.clientId === "number" ? op.clientId : 0,
    input: op.input,
    output: op.output,
    call: op.call,
    return: op.return,
  }));
  return {
    name: typeof data.name === "string" ? data.name : file,
    model: data.model,
    expected: data.expected,
    operations,
  };
}
