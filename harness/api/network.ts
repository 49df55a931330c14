/**
 * What graded code sees of the simulated network: a client end to call a peer, and the per-clerk
 * client that names servers. Both resolve to the reply, or to `null` when there was no reply
 * (request or reply dropped, peer unreachable or crashed) — the `false` of Go's `Call`.
 */

export interface ClientEnd {
  /**
   * Calls `"Service.method"` on the peer with a copy of `args` and resolves to a fresh copy of the
   * handler's reply, or `null` if no reply came back. Never rejects for network reasons.
   */
  call<Reply = unknown>(serviceMethod: string, args?: unknown): Promise<Reply | null>;
}

/** A clerk's view of the network (tester1's `Clnt`): servers are addressed by name. */
export interface Clnt {
  call<Reply = unknown>(serverName: string, serviceMethod: string, args?: unknown): Promise<Reply | null>;
}
