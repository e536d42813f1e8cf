// Polls a readiness condition (a port answering, a file appearing) until it holds or a deadline passes:
// readiness checks, not sleeps standing in for synchronization.
export async function waitFor(what: string, ready: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await ready()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
