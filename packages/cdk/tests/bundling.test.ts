import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  agentImageSource,
  IMAGE_CONTEXT_EXCLUDE,
  REPO_ROOT,
  realLambdaEntries,
  webAssetDir,
} from "../src/paths";
import { cleanup, resourcesOf, type Synthesized, synth } from "./synth";

// One synth with everything the other files skip: esbuild bundling and CloudFormation's own linter.
let s: Synthesized;
beforeAll(() => {
  s = synth({ telegram: true }, { bundle: true, cfnValidation: true });
});
afterAll(() => cleanup(s));

describe("synth with bundling", () => {
  it("bundles each Lambda locally with esbuild (no Docker) into a minified ESM file with a source map", () => {
    const functions = resourcesOf(s.appTemplate, "AWS::Lambda::Function").filter(([id]) =>
      id.startsWith("Gateway"),
    );
    expect(functions).toHaveLength(5);
    for (const [id, p] of functions) {
      const key = String((p.Code as { S3Key: string }).S3Key).replace(/\.zip$/, "");
      const dir = join(s.outdir, `asset.${key}`);
      expect(existsSync(join(dir, "index.mjs")), id).toBe(true);
      expect(existsSync(join(dir, "index.mjs.map")), id).toBe(true);
      const code = readFileSync(join(dir, "index.mjs"), "utf8");
      expect(code).toMatch(/export\s*\{[^}]*handler/);
      expect(code.split("\n").length).toBeLessThan(10); // minified
      expect(p.Handler, id).toBe("index.handler");
    }
  });

  it("passes CloudFormation's own template validation without a finding", () => {
    const report = JSON.parse(readFileSync(join(s.outdir, "validation-report.json"), "utf8")) as {
      pluginReports: { pluginName: string; violations?: unknown[] }[];
    };
    const violations = report.pluginReports.flatMap((r) =>
      (r.violations ?? []).map((v) => ({ plugin: r.pluginName, v })),
    );
    expect(violations).toEqual([]);
  });

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
    expect(images[0]?.source.dockerBuildArgs).toEqual({ OPENCLAW_BROWSER: "false" });
  });
});

describe("paths of the real app", () => {
  it("points the Lambdas at packages/gateway/src/lambda/<name>.ts", () => {
    expect(realLambdaEntries()).toEqual({
      "web-socket": join(REPO_ROOT, "packages/gateway/src/lambda/web-socket.ts"),
      "agent-socket": join(REPO_ROOT, "packages/gateway/src/lambda/agent-socket.ts"),
      "http-api": join(REPO_ROOT, "packages/gateway/src/lambda/http-api.ts"),
      "telegram-webhook": join(REPO_ROOT, "packages/gateway/src/lambda/telegram-webhook.ts"),
      watchdog: join(REPO_ROOT, "packages/gateway/src/lambda/watchdog.ts"),
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
    // Copying node_modules or the OpenClaw cache into every synth would take minutes.
    expect(IMAGE_CONTEXT_EXCLUDE).toEqual(expect.arrayContaining(["**/node_modules", ".cache", ".git"]));
  });

  it("uploads packages/web/dist, or a placeholder page that says how to build it", () => {
    const web = webAssetDir();
    if (web.placeholder) expect(readFileSync(join(web.dir, "index.html"), "utf8")).toContain("npm run build");
    else expect(web.dir).toBe(join(REPO_ROOT, "packages/web/dist"));
  });
});
