import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentImageSource, missingEntries, REPO_ROOT, realLambdaEntries, webAssetDir } from "../src/paths";
import { cleanup, resourcesOf, type Synthesized, synth } from "./synth";

// One synth with what the other files skip: esbuild bundling, of the real gateway entries (until they
// exist, of the stand-in handler). Bundling five Lambdas takes a while on a busy machine.
const realEntries = missingEntries(realLambdaEntries(), true).length === 0;
let s: Synthesized;
beforeAll(() => {
  s = synth(
    { telegram: true },
    { bundle: true, ...(realEntries ? { lambdaEntries: realLambdaEntries() } : {}) },
  );
}, 300_000);
afterAll(() => cleanup(s));

const bundleDir = (functionPrefix: string) => {
  const [[, p] = ["", {}]] = resourcesOf(s.appTemplate, "AWS::Lambda::Function").filter(([id]) =>
    id.startsWith(functionPrefix),
  );
  return join(s.outdir, `asset.${String((p.Code as { S3Key: string }).S3Key).replace(/\.zip$/, "")}`);
};

describe("synth with bundling", () => {
  it("bundles each Lambda locally with esbuild (no Docker) into a minified ESM file with a source map", () => {
    const functions = resourcesOf(s.appTemplate, "AWS::Lambda::Function").filter(([id]) =>
      id.startsWith("Gateway"),
    );
    expect(functions).toHaveLength(7);
    for (const [id, p] of functions) {
      const dir = bundleDir(id);
      expect(existsSync(join(dir, "index.mjs")), id).toBe(true);
      expect(existsSync(join(dir, "index.mjs.map")), id).toBe(true);
      const code = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(code).toMatch(/export\s*\{[^}]*handler/);
      expect(code.length / code.split("\n").length, "minified: long lines").toBeGreaterThan(1000);
      expect(p.Handler, id).toBe("index.handler");
    }
  });

  it.skipIf(!realEntries)(
    "produces a gateway bundle that starts from its environment and answers an unsigned request with 401 + CORS",
    () => {
      const env = {
        PATH: process.env.PATH,
        AWS_REGION: "us-east-1",
        TABLE_CONVERSATIONS: "c",
        TABLE_SETTINGS: "s",
        TABLE_TASK_STATE: "t",
        TABLE_CONNECTIONS: "x",
        TABLE_PENDING: "p",
        DATA_BUCKET: "b",
        SECRET_PREFIX: "/serverless-openclaw",
        USER_POOL_ID: "us-east-1_Abc123",
        USER_POOL_CLIENT_ID: "client",
        CLIENT_WS_MANAGEMENT_ENDPOINT: "https://a.execute-api.us-east-1.amazonaws.com/prod",
        AGENT_WS_MANAGEMENT_ENDPOINT: "https://b.execute-api.us-east-1.amazonaws.com/prod",
        AGENT_WS_URL: "wss://b.execute-api.us-east-1.amazonaws.com/prod",
        ECS_CLUSTER: "arn:aws:ecs:us-east-1:111111111111:cluster/c",
        TASK_DEFINITION: "arn:aws:ecs:us-east-1:111111111111:task-definition/t:1",
        TASK_SUBNETS: "subnet-1,subnet-2",
        TASK_SECURITY_GROUP: "sg-1",
        CONTAINER_NAME: "openclaw",
        TELEGRAM_ENABLED: "true",
        ALLOWED_ORIGINS: "https://d1.cloudfront.net",
        POWERTOOLS_SERVICE_NAME: "http-api",
      };
      const script = `
        const m = await import(${JSON.stringify(join(bundleDir("GatewayHttpApi"), "index.mjs"))});
        const event = { version: "2.0", routeKey: "GET /settings", rawPath: "/settings", rawQueryString: "",
          headers: { origin: "https://d1.cloudfront.net" }, isBase64Encoded: false,
          requestContext: { http: { method: "GET", path: "/settings", sourceIp: "192.0.2.1" }, requestId: "r1",
            routeKey: "GET /settings", stage: "$default" } };
        const res = await m.handler(event, { functionName: "f", awsRequestId: "a", getRemainingTimeInMillis: () => 9000 });
        process.stdout.write("RESULT" + JSON.stringify(res));`;
      const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        env,
        encoding: "utf8",
      });
      const out = /RESULT(.*)$/s.exec(run.stdout)?.[1];
      expect(out, run.stderr).toBeDefined();
      const res = JSON.parse(out ?? "{}") as { statusCode: number; headers: Record<string, string> };
      expect(res.statusCode).toBe(401);
      expect(res.headers["access-control-allow-origin"]).toBe("https://d1.cloudfront.net");
    },
  );

  it("writes both stacks and their asset manifests to the cloud assembly", () => {
    const files = readdirSync(s.outdir);
    for (const f of [
      "ServerlessOpenClaw-Data.template.json",
      "ServerlessOpenClaw-App.template.json",
      "ServerlessOpenClaw-App.assets.json",
    ]) {
      expect(files).toContain(f);
    }
    const assets = JSON.parse(readFileSync(join(s.outdir, "ServerlessOpenClaw-App.assets.json"), "utf8")) as {
      dockerImages: Record<
        string,
        { source: { platform?: string; dockerBuildArgs?: Record<string, string> } }
      >;
    };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0]?.source.platform).toBe("linux/arm64");
    expect(images[0]?.source.dockerBuildArgs).toEqual({ WITH_CHROMIUM: "0" });
  });
});

describe("paths of the real app", () => {
  it("points the Lambdas at packages/gateway/src/lambda/<name>.ts", () => {
    expect(realLambdaEntries()).toEqual({
      "web-socket": join(REPO_ROOT, "packages/gateway/src/lambda/web-socket.ts"),
      "agent-socket": join(REPO_ROOT, "packages/gateway/src/lambda/agent-socket.ts"),
      "agent-api": join(REPO_ROOT, "packages/gateway/src/lambda/agent-api.ts"),
      "http-api": join(REPO_ROOT, "packages/gateway/src/lambda/http-api.ts"),
      "telegram-webhook": join(REPO_ROOT, "packages/gateway/src/lambda/telegram-webhook.ts"),
      "discord-interactions": join(REPO_ROOT, "packages/gateway/src/lambda/discord-interactions.ts"),
      "slack-events": join(REPO_ROOT, "packages/gateway/src/lambda/slack-events.ts"),
      watchdog: join(REPO_ROOT, "packages/gateway/src/lambda/watchdog.ts"),
      "schedule-fire": join(REPO_ROOT, "packages/gateway/src/lambda/schedule-fire.ts"),
    });
  });

  it("builds the image from docker/openclaw/Dockerfile with the repo as context, or a build that fails on purpose", () => {
    const image = agentImageSource();
    if (existsSync(join(REPO_ROOT, "docker/openclaw/Dockerfile"))) {
      expect(image).toEqual({ directory: REPO_ROOT, file: "docker/openclaw/Dockerfile", missing: false });
    } else {
      expect(image.missing).toBe(true);
      expect(readFileSync(join(image.directory, image.file), "utf8")).toMatch(/exit 1/);
    }
  });

  it("uploads packages/web/dist, or a placeholder page that says how to build it", () => {
    const web = webAssetDir();
    if (web.placeholder) expect(readFileSync(join(web.dir, "index.html"), "utf8")).toContain("npm run build");
    else expect(web.dir).toBe(join(REPO_ROOT, "packages/web/dist"));
  });
});
