import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redactor } from "@serverless-openclaw/shared";
import { afterEach, describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/logger";
import { freeLoopbackPort, OpenClawSupervisor } from "../../src/supervisor";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("OpenClaw supervisor", () => {
  it("logs OpenClaw's last output (redacted) when it exits during start-up", async () => {
    const dir = await mkdtemp(join(tmpdir(), "supervisor-"));
    dirs.push(dir);
    // Stands in for `openclaw gateway run` refusing to start: a few lines, the last one the reason.
    const entry = join(dir, "openclaw.mjs");
    await writeFile(
      entry,
      `for (let i = 1; i <= 30; i++) console.log("line " + i);
console.error("Error: state lease held by another gateway (token sk-secret-token-123)");
process.exit(1);`,
    );
    const lines: string[] = [];
    const redactor = new Redactor();
    redactor.add("sk-secret-token-123");
    const logger = createJsonLogger({ redactor, level: "info", write: (l) => lines.push(l) });
    const supervisor = new OpenClawSupervisor({
      runtime: { home: dir, entry, node: process.execPath, binDir: undefined },
      port: await freeLoopbackPort(),
      env: { PATH: process.env.PATH ?? "" },
      cwd: dir,
      logger,
      redactor,
    });
    supervisor.start();
    await expect(supervisor.waitReady(60_000)).rejects.toThrow(/exited during start-up \(code 1/);
    const record = JSON.parse(lines.find((l) => l.includes("its last output")) ?? "{}");
    expect(record.level).toBe("error");
    expect(record.lines).toHaveLength(20);
    expect(record.lines.at(-1)).toBe("Error: state lease held by another gateway (token [redacted])");
    expect(lines.join("\n")).not.toContain("sk-secret-token-123");
  });
});
