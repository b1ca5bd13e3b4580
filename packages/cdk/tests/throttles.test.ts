import { readFileSync } from "node:fs";
import { join } from "node:path";
import { API_ROUTES } from "@serverless-openclaw/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THROTTLE } from "../src/constructs/apis";
import { RESERVED_CONCURRENCY } from "../src/constructs/gateway-functions";
import { floodAll, floodCost, floodTable, OPEN_ENTRIES } from "../src/cost/flood";
import { REPO_ROOT } from "../src/paths";
import { cleanup, logicalId, resourcesOf, type Synthesized, synth } from "./synth";

type Json = Record<string, unknown>;

// Every channel on, so every open entry point exists; and the same with reserved concurrency off.
let all: Synthesized;
let unreserved: Synthesized;
beforeAll(() => {
  all = synth({ telegram: true, discord: true, slack: true });
  unreserved = synth({ telegram: true, reservedConcurrency: false });
});
afterAll(() => {
  cleanup(all);
  cleanup(unreserved);
});

const stageOf = (s: Synthesized, prefix: string): { id: string; props: Json; dependsOn: string[] } => {
  const id = logicalId(s.appTemplate, "AWS::ApiGatewayV2::Stage", prefix);
  const resource = s.appTemplate.toJSON().Resources[id] as { Properties: Json; DependsOn?: string[] };
  return { id, props: resource.Properties, dependsOn: resource.DependsOn ?? [] };
};
const routesOfApi = (s: Synthesized, apiPrefix: string): [string, Json][] => {
  const api = logicalId(s.appTemplate, "AWS::ApiGatewayV2::Api", apiPrefix);
  return resourcesOf(s.appTemplate, "AWS::ApiGatewayV2::Route").filter(
    ([, p]) => (p.ApiId as { Ref: string }).Ref === api,
  );
};
const limits = (t: { rateLimit: number; burstLimit: number }) => ({
  ThrottlingRateLimit: t.rateLimit,
  ThrottlingBurstLimit: t.burstLimit,
});
const lambdaByService = (s: Synthesized, name: string): Json | undefined =>
  resourcesOf(s.appTemplate, "AWS::Lambda::Function")
    .map(([, p]) => p)
    .find(
      (p) => (p.Environment as { Variables?: Json } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME === name,
    );

describe("throttles", () => {
  it("gives each chat webhook and the unauthenticated $default route of the HTTP API its own limit, apart from the management routes'", () => {
    const stage = stageOf(all, "HttpDefaultStage");
    expect(stage.props.DefaultRouteSettings).toMatchObject(limits(THROTTLE.http));
    const settings = stage.props.RouteSettings as Record<string, Json>;
    const webhooks = [
      API_ROUTES.telegramWebhook,
      API_ROUTES.discordInteractions,
      API_ROUTES.slackEvents,
      API_ROUTES.slackCommands,
    ];
    for (const route of webhooks) expect(settings[route], route).toEqual(limits(THROTTLE.webhook));
    expect(settings.$default).toEqual(limits(THROTTLE.httpDefault));
    // Below the management API's, so a flood of forged webhook calls reaches fewer Lambdas than a user may.
    expect(THROTTLE.webhook.rateLimit).toBeLessThan(THROTTLE.http.rateLimit);
    expect(Object.keys(settings).sort()).toEqual([...webhooks, "$default"].sort());
  });

  it("gives the browser socket's $connect (no authorizer) its own low limit", () => {
    const stage = stageOf(all, "SocketsClientStage");
    expect(stage.props.DefaultRouteSettings).toMatchObject(limits(THROTTLE.clientWs));
    expect(stage.props.RouteSettings).toEqual({ $connect: limits(THROTTLE.clientConnect) });
    expect(THROTTLE.clientConnect.rateLimit).toBeLessThan(THROTTLE.clientWs.rateLimit);
  });

  it("names only routes its API has, and creates each stage after them (API Gateway refuses a stage naming a missing route)", () => {
    for (const [stagePrefix, apiPrefix] of [
      ["HttpDefaultStage", "HttpApi"],
      ["SocketsClientStage", "SocketsClientApi"],
    ] as const) {
      for (const s of [all, unreserved]) {
        const stage = stageOf(s, stagePrefix);
        const routes = routesOfApi(s, apiPrefix);
        for (const key of Object.keys((stage.props.RouteSettings as Json) ?? {})) {
          const route = routes.find(([, p]) => p.RouteKey === key);
          expect(route, `${stagePrefix} ${key}`).toBeDefined();
          expect(stage.dependsOn, `${stagePrefix} waits for ${key}`).toContain(route?.[0]);
        }
      }
    }
    // Telegram only: no route settings for the Discord and Slack routes that are not deployed.
    const settings = stageOf(unreserved, "HttpDefaultStage").props.RouteSettings as Json;
    expect(Object.keys(settings).sort()).toEqual(["$default", API_ROUTES.telegramWebhook].sort());
  });
});

describe("reserved concurrency", () => {
  it("reserves (caps) the concurrency of every Lambda an unauthenticated caller reaches, and of no other", () => {
    const open = new Set(OPEN_ENTRIES.map((e) => e.lambda));
    for (const name of [
      "web-socket",
      "http-api",
      "telegram-webhook",
      "discord-interactions",
      "slack-events",
    ]) {
      expect(open.has(name as never), name).toBe(true);
      expect(lambdaByService(all, name)?.ReservedConcurrentExecutions, name).toBe(
        RESERVED_CONCURRENCY[name as keyof typeof RESERVED_CONCURRENCY],
      );
    }
    for (const name of ["agent-socket", "agent-api", "watchdog", "schedule-fire"]) {
      expect(lambdaByService(all, name), name).toBeDefined();
      expect(lambdaByService(all, name)?.ReservedConcurrentExecutions, name).toBeUndefined();
    }
    // Lambda keeps 100 unreserved: the deploy doc says an account needs a quota of at least this.
    const total = Object.values(RESERVED_CONCURRENCY).reduce((n, c) => n + c, 0);
    expect(100 + total).toBe(135);
  });

  it("reserves none with reservedConcurrency=off (accounts whose quota is still 10), the throttles stay", () => {
    const reserved = resourcesOf(unreserved.appTemplate, "AWS::Lambda::Function").filter(
      ([, p]) => p.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved).toEqual([]);
    expect(stageOf(unreserved, "SocketsClientStage").props.RouteSettings).toEqual({
      $connect: limits(THROTTLE.clientConnect),
    });
  });
});

describe("the cost of a flood", () => {
  it("bills a flooded entry point by its own rate, and caps its Lambda duration at the reserved concurrency", () => {
    for (const entry of OPEN_ENTRIES) {
      const capped = floodCost(entry, true);
      const open = floodCost(entry, false);
      expect(capped.totalUsd, entry.route).toBe(open.totalUsd);
      expect(capped.ceilingUsd, entry.route).toBeLessThan(open.ceilingUsd);
      // A flood at twice the rate costs about twice as much (the fixed part is per request).
      const doubled = floodCost(
        { ...entry, throttle: { ...entry.throttle, rateLimit: entry.throttle.rateLimit * 2 } },
        true,
      );
      expect(doubled.apiGatewayUsd).toBeCloseTo(capped.apiGatewayUsd * 2, 6);
    }
    // Every open entry point flooded at once for a whole month, with the chosen limits.
    expect(floodAll(true).totalUsd).toBeLessThan(150);
    expect(floodAll(true).ceilingUsd).toBeLessThan(450);
    expect(floodAll(false).ceilingUsd).toBeGreaterThan(floodAll(true).ceilingUsd * 10);
  });

  it("is printed in docs/cost.md exactly as the model computes it", () => {
    const doc = readFileSync(join(REPO_ROOT, "docs/cost.md"), "utf8")
      .replace(/ +\|/g, " |")
      .replace(/\| +/g, "| ");
    for (const reserved of [true, false]) {
      for (const row of floodTable(reserved).split("\n").slice(2)) {
        expect(doc, row).toContain(row.replace(/ +\|/g, " |").replace(/\| +/g, "| "));
      }
    }
  });
});
