/** Polls until `condition` holds; the bound only says "it did not hang", it is not a timing claim. */
export async function eventually(condition: () => Promise<boolean>, what: string, boundMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > boundMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
