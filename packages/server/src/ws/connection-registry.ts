/**
 * Open customer sockets on this node, counted per session and per client IP,
 * so one token or one address cannot hold thousands of connections. The caps
 * are per node: behind a load balancer a client reaching N nodes holds at
 * most N times the cap, which still bounds it.
 */
export class ConnectionRegistry {
  private readonly perSession = new Map<string, number>();
  private readonly perIp = new Map<string, number>();

  /** Token hashes that were disconnected for flooding, until when (ms since epoch). */
  private readonly coolingDown = new Map<string, number>();

  constructor(
    private readonly limits: { perSession: number; perIp: number; coolDownMs?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** After a disconnect for flooding: the same token is refused at the upgrade for a while. */
  coolDown(tokenHash: string): void {
    this.coolingDown.set(tokenHash, this.now() + (this.limits.coolDownMs ?? 10_000));
    // Bounded: expired entries go whenever a new one comes.
    for (const [key, until] of this.coolingDown) if (until <= this.now()) this.coolingDown.delete(key);
  }

  isCoolingDown(tokenHash: string): boolean {
    const until = this.coolingDown.get(tokenHash);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.coolingDown.delete(tokenHash);
    return false;
  }

  /** Whether another socket from this address may upgrade (checked before the upgrade). */
  ipHasRoom(ip: string): boolean {
    return (this.perIp.get(ip) ?? 0) < this.limits.perIp;
  }

  /**
   * Counts a connection's address, or returns null when it already holds its
   * maximum: upgrades that passed ipHasRoom together are counted here, one by one.
   */
  holdIp(ip: string): (() => void) | null {
    if (!this.ipHasRoom(ip)) return null;
    return this.hold(this.perIp, ip);
  }

  /** Counts a socket of a session, or returns null when the session already has its maximum. */
  holdSession(sessionId: string): (() => void) | null {
    if ((this.perSession.get(sessionId) ?? 0) >= this.limits.perSession) return null;
    return this.hold(this.perSession, sessionId);
  }

  private hold(counts: Map<string, number>, key: string): () => void {
    counts.set(key, (counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (counts.get(key) ?? 1) - 1;
      if (left <= 0) counts.delete(key);
      else counts.set(key, left);
    };
  }
}
