/**
 * Servers that run as a pair (a simulator and the companion it needs): the second starts once the
 * first is up, they close together, the one started second first, and a second that fails to start
 * closes the first, so no port is left open behind an error.
 */
interface Closable {
  close(): Promise<void>;
}

export async function startBeside<F extends Closable, S extends Closable>(first: F, startSecond: (first: F) => Promise<S>): Promise<{ second: S; close(): Promise<void> }> {
  try {
    const second = await startSecond(first);
    return {
      second,
      async close() {
        await second.close();
        await first.close();
      },
    };
  } catch (err) {
    await first.close();
    throw err;
  }
}
