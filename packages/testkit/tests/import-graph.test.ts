import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkImports } from "../../../scripts/check-imports";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "import-graph-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const pkg = (name: string, exports: Record<string, string>) =>
  JSON.stringify({ name: `@serverless-openclaw/${name}`, exports });

describe("the import graph (npm run check)", () => {
  it("keeps every cross-package import of this repository to the packages' exports lists", () => {
    expect(checkImports(repo)).toEqual([]);
  });

  it("refuses a deep import, a relative climb into another package, a wildcard and a missing export target", async () => {
    const root = await tree({
      "packages/core/package.json": pkg("core", { ".": "./src/index.ts", "./ports": "./src/ports.ts" }),
      "packages/core/src/index.ts": "export const a = 1;\n",
      "packages/core/src/ports.ts": "export type P = 1;\n",
      "packages/core/src/secret.ts": "export const s = 1;\n",
      "packages/app/package.json": pkg("app", { "./*": "./src/*.ts", ".": "./src/index.ts" }),
      "packages/app/src/ok.ts":
        'import { a } from "@serverless-openclaw/core";\nimport type { P } from "@serverless-openclaw/core/ports";\n',
      "packages/app/src/deep.ts": 'import { s } from "@serverless-openclaw/core/secret";\n',
      "packages/app/src/climb.ts": 'import { s } from "../../core/src/secret";\n',
    });
    const problems = checkImports(root);
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).toMatch(/deep\.ts: @serverless-openclaw\/core\/secret is not in the exports/);
    expect(problems.join("\n")).toMatch(
      /climb\.ts: \.\.\/\.\.\/core\/src\/secret reaches into another package/,
    );
    expect(problems.join("\n")).toMatch(/export "\.\/\*" is a wildcard/);
    expect(problems.join("\n")).toMatch(/export "\." names \.\/src\/index\.ts, which does not exist/);
  });

  it("holds the agent task's sources (not its tests) to the core's agent entry point", async () => {
    const root = await tree({
      "packages/gateway/package.json": pkg("gateway", {
        ".": "./src/index.ts",
        "./agent": "./src/agent.ts",
        "./aws": "./src/aws.ts",
      }),
      "packages/gateway/src/index.ts": "export const core = 1;\n",
      "packages/gateway/src/agent.ts": "export const agent = 1;\n",
      "packages/gateway/src/aws.ts": "export const aws = 1;\n",
      "packages/container/package.json": pkg("container", {}),
      "packages/container/src/ok.ts": 'import { agent } from "@serverless-openclaw/gateway/agent";\n',
      "packages/container/src/aws.ts": 'import { aws } from "@serverless-openclaw/gateway/aws";\n',
      "packages/container/src/core.ts": 'import type { core } from "@serverless-openclaw/gateway";\n',
      "packages/container/tests/fixture.ts": 'import { aws } from "@serverless-openclaw/gateway/aws";\n',
    });
    const problems = checkImports(root);
    expect(problems).toHaveLength(2);
    expect(problems.join("\n")).toMatch(
      /src\/aws\.ts: @serverless-openclaw\/gateway\/aws: .* may use only \.\/agent/,
    );
    expect(problems.join("\n")).toMatch(
      /src\/core\.ts: @serverless-openclaw\/gateway: .* may use only \.\/agent/,
    );
  });

  it("holds bench/ and scripts/ to the exports too, and keeps every package's sources off a ./testing harness", async () => {
    const root = await tree({
      "packages/core/package.json": pkg("core", { ".": "./src/index.ts", "./testing": "./tests/testing.ts" }),
      "packages/core/src/index.ts": "export const a = 1;\n",
      "packages/core/src/secret.ts": "export const s = 1;\n",
      "packages/core/tests/testing.ts": "export const harness = 1;\n",
      "packages/app/package.json": pkg("app", {}),
      "packages/app/src/uses-harness.ts": 'import { harness } from "@serverless-openclaw/core/testing";\n',
      "packages/app/tests/ok.test.ts": 'import { harness } from "@serverless-openclaw/core/testing";\n',
      "bench/ok.ts":
        'import { a } from "@serverless-openclaw/core";\nimport { harness } from "@serverless-openclaw/core/testing";\nimport { x } from "./lib/x";\n',
      "bench/climb.ts": 'import { s } from "../packages/core/src/secret";\n',
      "bench/deep.ts": 'import { s } from "@serverless-openclaw/core/secret";\n',
      "scripts/climb.ts": 'const m = await import("../packages/core/tests/testing");\n',
    });
    const problems = checkImports(root);
    expect(problems).toHaveLength(4);
    const text = problems.join("\n");
    expect(text).toMatch(/bench\/climb\.ts: \.\.\/packages\/core\/src\/secret reaches into another package/);
    expect(text).toMatch(/bench\/deep\.ts: @serverless-openclaw\/core\/secret is not in the exports/);
    expect(text).toMatch(
      /scripts\/climb\.ts: \.\.\/packages\/core\/tests\/testing reaches into another package/,
    );
    expect(text).toMatch(/src\/uses-harness\.ts: @serverless-openclaw\/core\/testing is a test harness/);
  });
});
