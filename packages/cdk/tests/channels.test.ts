import { API_ROUTES } from "@serverless-openclaw/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asList, cleanup, logicalId, resourcesOf, type Synthesized, statementsOfRole, synth } from "./synth";

// One synth with Discord and Slack on (and Telegram off), to check what the channel switches add.
let s: Synthesized;
beforeAll(() => {
  s = synth({ discord: true, discordChannelIds: "1300000000000000002", slack: true });
});
afterAll(() => cleanup(s));

type Route = { RouteKey: string; AuthorizationType?: string; Target?: unknown };
const routes = (): Route[] =>
  resourcesOf(s.appTemplate, "AWS::ApiGatewayV2::Route")
    .filter(([id]) => id.startsWith("HttpApi"))
    .map(([, p]) => p as unknown as Route);

describe("Discord and Slack switches (-c discord=true -c slack=true)", () => {
  it("adds the open channel routes (signature-checked in the handler), each on its own Lambda", () => {
    const r = routes();
    const integrations = resourcesOf(s.appTemplate, "AWS::ApiGatewayV2::Integration");
    const lambdaOf = (route: string) => {
      const found = r.find((x) => x.RouteKey === route);
      expect(found, route).toBeDefined();
      expect(found?.AuthorizationType ?? "NONE", route).toBe("NONE");
      const target = JSON.stringify(found?.Target);
      const integration = integrations.find(([id]) => target.includes(id));
      return JSON.stringify(integration?.[1].IntegrationUri);
    };
    expect(lambdaOf(API_ROUTES.discordInteractions)).toContain("GatewayDiscordInteractions");
    expect(lambdaOf(API_ROUTES.slackEvents)).toContain("GatewaySlackEvents");
    expect(lambdaOf(API_ROUTES.slackCommands)).toContain("GatewaySlackEvents");
    expect(r.map((x) => x.RouteKey)).not.toContain(API_ROUTES.telegramWebhook);
  });

  it("tells the gateway which channels are on, and lets the channel Lambdas start the agent", () => {
    const t = s.appTemplate;
    for (const name of ["DiscordInteractions", "SlackEvents", "HttpApi"]) {
      const [[, fn] = ["", {}]] = resourcesOf(t, "AWS::Lambda::Function").filter(([id]) =>
        id.startsWith(`Gateway${name}`),
      );
      const env = (fn.Environment as { Variables: Record<string, string> }).Variables;
      expect(env.DISCORD_ENABLED, name).toBe("true");
      expect(env.DISCORD_CHANNEL_IDS, name).toBe("1300000000000000002");
      expect(env.SLACK_ENABLED, name).toBe("true");
    }
    for (const name of ["DiscordInteractions", "SlackEvents"]) {
      const st = statementsOfRole(t, logicalId(t, "AWS::IAM::Role", `Gateway${name}Role`));
      expect(
        st.some((x) => asList(x.Action as string[]).includes("ecs:RunTask")),
        name,
      ).toBe(true);
      expect(
        st.some((x) => asList(x.Action as string[]).includes("ssm:PutParameter")),
        name,
      ).toBe(false);
    }
  });

  it("outputs the URLs to paste into the Discord and Slack app settings", () => {
    const outputs = s.appTemplate.findOutputs("*");
    expect(JSON.stringify(outputs.DiscordInteractionsUrl?.Value)).toContain("/discord/interactions");
    expect(JSON.stringify(outputs.SlackEventsUrl?.Value)).toContain("/slack/events");
    expect(JSON.stringify(outputs.SlackCommandsUrl?.Value)).toContain("/slack/commands");
  });

  it("gives the agent task no bot token (replies go through the chat relay) and no verification secret", () => {
    const t = s.appTemplate;
    const role = logicalId(t, "AWS::IAM::Role", "AgentTaskDefinitionTaskRole");
    const ssm = statementsOfRole(t, role).filter((x) =>
      asList(x.Action as string[]).includes("ssm:GetParameter"),
    );
    const resources = ssm.flatMap((x) => asList(x.Resource)).map((r) => JSON.stringify(r));
    expect(resources.join()).not.toContain("bot-token");
    // Nor any other parameter: its own user's LLM key comes through the agent API (docs/security.md).
    expect(resources).toEqual([]);
    expect(resources.join()).not.toContain("signing-secret");
    expect(resources.join()).not.toContain("public-key");
  });
});
