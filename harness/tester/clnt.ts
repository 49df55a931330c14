/**
 * A clerk's client (tester1's `Clnt`, the 6.5840 handout): ends toward servers, made on first use and
 * enabled only if the server is allowed. Clerk connectivity is independent of the servers'
 * partition: a clerk reaches a server cut off from its peers unless the test restricts the clerk.
 */
import { World } from "../sim/world";
import { Network } from "../sim/network";
import { SimNode } from "../sim/node";
import type { ClientEnd, Clnt } from "../api/network";

export class TesterClnt implements Clnt {
  private readonly ends = new Map<string, { name: string; end: ClientEnd }>();
  /** Server names this client may reach; undefined: all of them. */
  private allowed: Set<string> | undefined;

  constructor(
    private readonly world: World,
    private readonly net: Network,
    /** The clerk's node: its timers and RPCs belong to it. */
    readonly node: SimNode,
    allowed?: string[],
  ) {
    this.allowed = allowed && new Set(allowed);
  }

  call<Reply = unknown>(serverName: string, serviceMethod: string, args?: unknown): Promise<Reply | null> {
    if (typeof serverName !== "string")
      throw new TypeError(
        `clnt.call: the server must be a server name such as "server-0-0", got ${JSON.stringify(serverName)}`,
      );
    return this.endTo(serverName).call<Reply>(serviceMethod, args);
  }

  /** Enables every end and lifts the restriction. */
  connectAll(): void {
    this.allowed = undefined;
    for (const { name } of this.ends.values()) this.net.enable(name, true);
  }

  /** Disables every end; nothing is allowed until the next connect. */
  disconnectAll(): void {
    this.allowed = new Set();
    for (const { name } of this.ends.values()) this.net.enable(name, false);
  }

  /** Restricts the client to `servers` and enables exactly their ends. */
  connectTo(servers: string[]): void {
    this.allowed = new Set(servers);
    for (const [server, { name }] of this.ends) this.net.enable(name, this.allowed.has(server));
  }

  /** Ends the client: its ends are deleted and its node stops. */
  delete(): void {
    for (const { name } of this.ends.values()) this.net.deleteEnd(name);
    this.ends.clear();
    this.world.crashNode(this.node);
  }

  private endTo(serverName: string): ClientEnd {
    let entry = this.ends.get(serverName);
    if (!entry) {
      const name = this.world.rng.string(20);
      entry = { name, end: this.net.makeEnd(name, this.node) };
      this.net.connect(name, serverName);
      this.net.enable(name, !this.allowed || this.allowed.has(serverName));
      this.ends.set(serverName, entry);
    }
    return entry.end;
  }
}
