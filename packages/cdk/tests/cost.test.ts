import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CfnTemplate } from "../src/cost/idle-guard";
import { estimateMonthlyCost, PRICES, readTemplateFacts, type TemplateFacts } from "../src/cost/model";
import { REPO_ROOT } from "../src/paths";
import { cleanup, type Synthesized, synth } from "./synth";

let s: Synthesized;
let facts: TemplateFacts;
beforeAll(() => {
  s = synth({ telegram: true });
  facts = readTemplateFacts([s.dataTemplate.toJSON() as CfnTemplate, s.appTemplate.toJSON() as CfnTemplate]);
});
afterAll(() => cleanup(s));

describe("cost model", () => {
  it("reads the deployment's shape from the synthesized templates", () => {
    expect(facts).toEqual({
      taskVcpu: 1,
      taskMemoryGb: 2,
      browser: false,
      gatewayLambdaMemoryMb: 256,
      watchdogInvocationsPerMonth: 8640,
      watchdogMemoryMb: 256,
      pitrTables: 2,
      // us-east-1 with a budget: the alarms watch 11 metrics; the dashboard is on by default.
      alarmMetrics: 11,
      dashboards: 1,
    });
  });

  it("keeps 2 agent-hours a day under $1.70 a month without any free tier but CloudWatch's per-account free alarms and dashboards", () => {
    const e = estimateMonthlyCost(facts, 2);
    // $1.60 until the task lost its own data access: its store calls and pushes now go through the
    // agent HTTP API (one request and one Lambda invocation each, ~$0.10 a month here), the price of a
    // task that can reach only its own user (docs/security.md).
    expect(e.total).toBeLessThan(1.7);
    // Compute dominates; if another line grows past it the model or the stack changed shape.
    const fargate = e.lines.find((l) => l.item.startsWith("Fargate"))?.usd ?? 0;
    expect(Math.max(...e.lines.map((l) => l.usd))).toBe(fargate);
  });

  it("bills no compute while idle: 0 hours a day costs only storage and the watchdog", () => {
    const idle = estimateMonthlyCost(facts, 0);
    for (const item of ["Fargate (ARM)", "Public IPv4", "API Gateway"]) {
      expect(idle.lines.find((l) => l.item === item)?.usd, item).toBe(0);
    }
    expect(idle.total).toBeLessThan(0.35);
    // Alarms and the dashboard bill while idle: 1 alarm metric past the free 10, the dashboard free.
    expect(idle.lines.find((l) => l.item === "CloudWatch alarms")?.usd).toBeCloseTo(0.1, 5);
    expect(idle.lines.find((l) => l.item === "Dashboard")?.usd).toBe(0);
    expect(estimateMonthlyCost({ ...facts, dashboards: 4 }, 0).total - idle.total).toBeCloseTo(3, 5);
  });

  it("grows with use and with a larger task, and shows what losing Spot would cost", () => {
    const at = (h: number, f = facts) => estimateMonthlyCost(f, h).total;
    expect(at(0)).toBeLessThan(at(2));
    expect(at(2)).toBeLessThan(at(8));
    expect(at(2, { ...facts, taskVcpu: 2, taskMemoryGb: 4, browser: true })).toBeGreaterThan(at(2));
    expect(estimateMonthlyCost(facts, 2, { spotDiscount: 0 }).total).toBeGreaterThan(
      estimateMonthlyCost(facts, 2, { spotDiscount: PRICES.spotDiscountWorstCase }).total,
    );
  });

  it("prints the table for 0, 2 and 8 agent-hours a day from a synthesized template (scripts/cost-model.ts)", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "scripts/cost-model.ts"), "--template-dir", s.outdir],
      { encoding: "utf8", cwd: REPO_ROOT },
    );
    expect(run.status, run.stderr).toBe(0);
    for (const h of [0, 2, 8]) expect(run.stdout).toContain(`${h} agent-hours/day:`);
    const twoHours = estimateMonthlyCost(facts, 2).total.toFixed(2);
    expect(run.stdout).toMatch(
      new RegExp(`2 agent-hours/day:[\\s\\S]*?TOTAL\\s+\\$\\s*${twoHours.replace(".", "\\.")}`),
    );
    expect(run.stdout).toContain("Fargate Spot at 68% below on-demand");
  });

  it("refuses templates without the agent task or the watchdog schedule", () => {
    expect(() => readTemplateFacts([{ Resources: {} }])).toThrow(/one ECS task definition/);
  });
});
