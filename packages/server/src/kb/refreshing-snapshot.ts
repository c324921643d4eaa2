/**
 * An in-memory copy of something derived from the database (all chunk
 * vectors, the entity names) that is rebuilt only when a cheap version query
 * says the data changed — and that query runs at most once per `recheckMs`,
 * so a burst of searches costs one round trip, and writes by other nodes
 * show up within about that long.
 */
export class RefreshingSnapshot<T> {
  private value: { version: string; data: T } | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<T> | null = null;

  constructor(
    private readonly readVersion: () => Promise<string>,
    private readonly load: () => Promise<T>,
    private readonly options: { recheckMs?: number; now?: () => number } = {},
  ) {}

  get(): Promise<T> {
    const now = this.options.now?.() ?? Date.now();
    if (this.value && now - this.checkedAt < (this.options.recheckMs ?? 1000)) return Promise.resolve(this.value.data);
    // One refresh at a time; concurrent callers wait for the same one.
    this.refreshing ??= this.refresh(now).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(now: number): Promise<T> {
    // Read before loading: a write during the load changes the version again, so the next check reloads.
    const version = await this.readVersion();
    if (this.value?.version !== version) this.value = { version, data: await this.load() };
    this.checkedAt = now;
    return this.value.data;
  }
}
