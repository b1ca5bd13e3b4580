import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort, retryOnPortClash } from "../src/free-port";

describe("freePort", () => {
  it("returns a port that can be bound on 127.0.0.1", async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("retryOnPortClash", () => {
  it("tries again when the port was taken meanwhile", async () => {
    let calls = 0;
    const result = await retryOnPortClash(async () => {
      calls += 1;
      if (calls < 3) throw new Error("listen EADDRINUSE: address already in use 127.0.0.1:4568");
      return "started";
    });
    expect(result).toBe("started");
    expect(calls).toBe(3);
  });

  it("gives up after the last attempt, and throws other failures at once", async () => {
    let calls = 0;
    const clash = () =>
      retryOnPortClash(async () => {
        calls += 1;
        throw new Error("java.net.BindException: Address already in use");
      }, 2);
    await expect(clash()).rejects.toThrow(/BindException/);
    expect(calls).toBe(2);

    calls = 0;
    await expect(
      retryOnPortClash(async () => {
        calls += 1;
        throw new Error("java: not found");
      }),
    ).rejects.toThrow("java: not found");
    expect(calls).toBe(1);
  });
});
