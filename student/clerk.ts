/**
 * Your key/value clerk (labs 4B/4C): talks to the servers by name through clnt, retrying until a
 * server answers as leader. Interfaces in raftgrade's kv.ts.
 */
import type { Clerk, ClerkFactory, Clnt, Err, GetResult, Tversion } from "raftgrade";

function notImplemented(what: string): never {
  throw new Error(`not implemented yet: ${what} (student/clerk.ts)`);
}

class StudentClerk implements Clerk {
  constructor(
    readonly clnt: Clnt,
    readonly servers: string[],
  ) {
    // Your initialization code here (4B): remember which server last answered as leader.
  }

  get(key: string): Promise<GetResult> {
    return notImplemented(`Clerk.get(${JSON.stringify(key)})`);
  }

  put(key: string, value: string, version: Tversion): Promise<Err> {
    return notImplemented(`Clerk.put(${JSON.stringify(key)}, ${JSON.stringify(value)}, ${version})`);
  }
}

export const makeClerk: ClerkFactory = (clnt, servers) => new StudentClerk(clnt, servers);
