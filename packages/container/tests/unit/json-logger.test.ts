import { Redactor } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/logger";

const part = (c: string) => c.repeat(24);
const JWT = `eyJ${part("x")}.${part("y")}.${part("z")}`;

describe("the agent task's JSON logger", () => {
  it("masks a JWT nobody registered and the values the task registered, in the message and the attributes", () => {
    const lines: string[] = [];
    const redactor = new Redactor();
    redactor.add("per-start-agent-secret");
    const logger = createJsonLogger({
      redactor,
      write: (l) => lines.push(l),
      base: { service: "agent-task" },
    });
    logger.warn(
      `OpenClaw said: 401 for ${JWT}`,
      { url: `wss://x/?token=${JWT}` },
      { secret: "per-start-agent-secret" },
    );
    const record = JSON.parse(lines[0] ?? "{}");
    expect(lines[0]).not.toContain(JWT);
    expect(lines[0]).not.toContain("per-start-agent-secret");
    expect(record).toMatchObject({
      level: "warn",
      service: "agent-task",
      message: "OpenClaw said: 401 for [redacted-jwt]",
      url: "wss://x/?token=[redacted]",
      secret: "[redacted]",
    });
  });

  it("drops lines below its level", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ redactor: new Redactor(), level: "warn", write: (l) => lines.push(l) });
    logger.info("quiet");
    logger.error("loud");
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(["loud"]);
  });
});
