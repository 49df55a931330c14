/**
 * Your classic clerk (the 2020–2024 kvraft lab): Get/Put/Append, retried forever until a leader
 * answers, each performed exactly once. The ends come shuffled, one per server. Interfaces in
 * raftgrade's classic.ts.
 */
import type { ClassicClerk, ClassicClerkFactory, ClientEnd } from "raftgrade";

function notImplemented(what: string): never {
  throw new Error(`not implemented yet: ${what} (student/classic-clerk.ts)`);
}

class StudentClassicClerk implements ClassicClerk {
  constructor(readonly servers: ClientEnd[]) {
    // Your initialization code here: a client id, a sequence number, the last leader seen.
  }

  get(key: string): Promise<string> {
    return notImplemented(`Clerk.get(${JSON.stringify(key)})`);
  }

  put(key: string, value: string): Promise<void> {
    return notImplemented(`Clerk.put(${JSON.stringify(key)}, ${JSON.stringify(value)})`);
  }

  append(key: string, value: string): Promise<void> {
    return notImplemented(`Clerk.append(${JSON.stringify(key)}, ${JSON.stringify(value)})`);
  }
}

export const makeClassicClerk: ClassicClerkFactory = (servers) => new StudentClassicClerk(servers);
