import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig } from "../../src/config";

const valid = {
  region: "us-east-1",
  userPoolId: "us-east-1_abc",
  userPoolClientId: "client",
  cognitoEndpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
  wsUrl: "wss://ws.example.com/prod",
  apiUrl: "https://api.example.com",
};

describe("runtime config", () => {
  it("accepts a deployment's config and defaults selfSignUp to false", () => {
    expect(parseConfig(valid)).toEqual({ ...valid, selfSignUp: false, telegramBotUsername: undefined });
    expect(parseConfig({ ...valid, selfSignUp: true, telegramBotUsername: "bot" })).toMatchObject({
      selfSignUp: true,
      telegramBotUsername: "bot",
    });
  });

  it("signs in with SRP unless the config names the plain password flow (cognito-local only)", () => {
    expect(parseConfig(valid).passwordFlow).toBeUndefined();
    expect(parseConfig({ ...valid, passwordFlow: "USER_SRP_AUTH" }).passwordFlow).toBeUndefined();
    expect(parseConfig({ ...valid, passwordFlow: "USER_PASSWORD_AUTH" }).passwordFlow).toBe(
      "USER_PASSWORD_AUTH",
    );
    expect(() => parseConfig({ ...valid, passwordFlow: "CUSTOM_AUTH" })).toThrow(
      "passwordFlow must be USER_SRP_AUTH or USER_PASSWORD_AUTH when present",
    );
  });

  it("names every bad field", () => {
    expect(() => parseConfig({ ...valid, wsUrl: "https://not-a-socket", userPoolId: "" })).toThrow(
      "config is invalid: userPoolId must be a non-empty string; wsUrl must be a ws(s) URL.",
    );
    expect(() => parseConfig([])).toThrow(ConfigError);
  });

  it("reports an unreachable or broken /config.json", async () => {
    const failing = (() => Promise.reject(new Error("down"))) as typeof fetch;
    await expect(loadConfig("/config.json", failing)).rejects.toThrow("the server is unreachable");
    const notFound = (async () => new Response("nope", { status: 404 })) as typeof fetch;
    await expect(loadConfig("/config.json", notFound)).rejects.toThrow("HTTP 404");
    const garbage = (async () => new Response("<html>", { status: 200 })) as typeof fetch;
    await expect(loadConfig("/config.json", garbage)).rejects.toThrow("is not valid JSON");
  });
});
