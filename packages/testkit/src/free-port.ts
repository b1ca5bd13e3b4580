import { createServer } from "node:net";

/**
 * Asks the OS for a free TCP port on 127.0.0.1. There is a short window between closing the probe and the
 * caller binding it; callers that spawn a server on it should treat EADDRINUSE as "try again".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("freePort: the probe socket has no TCP address"));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

const PORT_CLASH = /EADDRINUSE|address already in use|BindException/i;

/**
 * Runs `start` again (up to `attempts` times) when it failed because another process took the port between
 * freePort() and the server binding it; any other failure is thrown at once.
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !(err instanceof Error) || !PORT_CLASH.test(err.message)) throw err;
    }
  }
}
