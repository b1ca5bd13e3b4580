import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redactor } from "@serverless-openclaw/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/logger";
import { EX_CONFIG, OpenClawHost } from "../../src/openclaw-host";

/**
 * A stand-in for `openclaw gateway run`: its first `fails` starts print what OpenClaw prints when its
 * config snapshot cannot be read and exit EX_CONFIG (78); later starts serve /readyz on --port.
 */
const FAKE_OPENCLAW = String.raw`
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
const [countFile, fails] = [process.env.FAKE_COUNT_FILE, Number(process.env.FAKE_FAILS)];
const starts = (existsSync(countFile) ? Number(readFileSync(countFile, "utf8")) : 0) + 1;
writeFileSync(countFile, String(starts));
if (starts <= fails) {
  if (process.env.FAKE_MODE === "validity-changed") {
    console.error("Refusing to run automatic gateway startup migrations because the selected config changed during startup (config validity changed). Retry startup so the new config can be validated.");
    process.exit(1);
  }
  if (process.env.FAKE_MODE === "other-exit-1") {
    console.error("Error: something else went wrong");
    process.exit(1);
  }
  console.error("OpenClaw config is invalid\nProblem:\n  - <root>: read failed: Error: database is locked");
  process.exit(78);
}
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
createServer((req, res) => res.writeHead(req.url === "/readyz" || req.url === "/healthz" ? 200 : 404).end()).listen(port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

describe("OpenClaw's start-up, when it refuses with EX_CONFIG", () => {
  let dir: string;
  let host: OpenClawHost | undefined;
  const lines: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "openclaw-retry-"));
    await writeFile(join(dir, "fake-openclaw.mjs"), FAKE_OPENCLAW);
    lines.length = 0;
  });
  afterEach(async () => {
    await host?.stop(2_000);
    await rm(dir, { recursive: true, force: true });
  });

  function hostFailing(fails: number, mode = "ex-config"): OpenClawHost {
    const redactor = new Redactor();
    host = new OpenClawHost({
      runtime: {
        home: dir,
        node: process.execPath,
        entry: join(dir, "fake-openclaw.mjs"),
        binDir: undefined,
      },
      workDir: join(dir, "work"),
      redactor,
      logger: createJsonLogger({ redactor, write: (line) => void lines.push(line) }),
      passEnv: { FAKE_COUNT_FILE: join(dir, "starts"), FAKE_FAILS: String(fails), FAKE_MODE: mode },
    });
    return host;
  }

  it("starts it once more, and a crash during start-up is not reported as a crash", async () => {
    const h = hostFailing(1);
    await h.writeConfig(undefined);
    const crashes: unknown[] = [];
    await h.startReady({}, (exit) => void crashes.push(exit), 60_000);
    expect(await h.alive()).toBe(true);
    expect(crashes).toEqual([]);
    expect(lines.some((l) => l.includes("EX_CONFIG") && l.includes(`"code":${EX_CONFIG}`))).toBe(true);
  });

  it("starts it once more when it exits 1 asking for a retry (its config read differently during start-up)", async () => {
    const h = hostFailing(1, "validity-changed");
    await h.writeConfig(undefined);
    await h.startReady({}, () => undefined, 60_000);
    expect(await h.alive()).toBe(true);
    expect(lines.some((l) => l.includes("asked for its start-up to be retried"))).toBe(true);
  });

  it("does not retry any other exit 1", async () => {
    const h = hostFailing(1, "other-exit-1");
    await h.writeConfig(undefined);
    await expect(h.startReady({}, () => undefined, 60_000)).rejects.toThrow(
      /exited during start-up \(code 1/,
    );
  });

  it("gives up after the second refusal, saying how OpenClaw exited", async () => {
    const h = hostFailing(2);
    await h.writeConfig(undefined);
    await expect(h.startReady({}, () => undefined, 60_000)).rejects.toThrow(
      /exited during start-up \(code 78/,
    );
  });
});
