/** Polls a condition until it holds; fails with the timeout rather than hanging the suite. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 4_000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
