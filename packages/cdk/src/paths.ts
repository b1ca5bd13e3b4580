import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the monorepo (holds package-lock.json, docker/, packages/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const LAMBDA_NAMES = [
  "web-socket",
  "agent-socket",
  "agent-api",
  "http-api",
  "telegram-webhook",
  "discord-interactions",
  "slack-events",
  "watchdog",
  "schedule-fire",
] as const;
export type LambdaName = (typeof LAMBDA_NAMES)[number];
export type LambdaEntries = Record<LambdaName, string>;

/** The real Lambda entry files written by the gateway and Telegram packages. */
export function realLambdaEntries(root = REPO_ROOT): LambdaEntries {
  const entries = {} as LambdaEntries;
  for (const name of LAMBDA_NAMES) entries[name] = join(root, "packages/gateway/src/lambda", `${name}.ts`);
  return entries;
}

/**
 * The user pool's trigger (the data stack): not one of LAMBDA_NAMES, which are the application
 * stack's gateway functions.
 */
export function cognitoTriggerEntry(root = REPO_ROOT): string {
  return join(root, "packages/gateway/src/lambda/cognito-trigger.ts");
}

/** Entry files that do not exist yet (synth needs them all). */
export function missingEntries(
  entries: LambdaEntries,
  telegram: boolean,
  channels: { discord?: boolean; slack?: boolean } = {},
): string[] {
  const optional: Partial<Record<LambdaName, boolean>> = {
    "telegram-webhook": telegram,
    "discord-interactions": channels.discord === true,
    "slack-events": channels.slack === true,
  };
  return LAMBDA_NAMES.filter((n) => optional[n] ?? true)
    .map((n) => entries[n])
    .filter((p) => !existsSync(p));
}

/** The built web UI if present, else a placeholder page telling the operator to build it. */
export function webAssetDir(root = REPO_ROOT): { dir: string; placeholder: boolean } {
  const dist = join(root, "packages/web/dist");
  if (existsSync(join(dist, "index.html"))) return { dir: dist, placeholder: false };
  return { dir: join(root, "packages/cdk/assets/web-placeholder"), placeholder: true };
}

/** Docker build context and Dockerfile of the agent image. */
export interface ImageSource {
  readonly directory: string;
  readonly file: string;
  /** True when the real Dockerfile is missing and a build that fails on purpose stands in. */
  readonly missing: boolean;
}

/** The agent image: docker/openclaw/Dockerfile with the repo root as build context. */
export function agentImageSource(root = REPO_ROOT): ImageSource {
  const file = "docker/openclaw/Dockerfile";
  if (existsSync(join(root, file))) return { directory: root, file, missing: false };
  return { directory: join(root, "packages/cdk/assets/image-missing"), file: "Dockerfile", missing: true };
}

export const IMAGE_IGNORE_FILE = "docker/openclaw/Dockerfile.dockerignore";

/**
 * What the agent image's build context leaves out: docker/openclaw/Dockerfile.dockerignore, an allow
 * list (exclude everything, let back in what the Dockerfile copies), read as Docker reads it. The same
 * file is the root .dockerignore and what BuildKit and buildah read, so there is one list. CDK copies
 * and hashes only what it lets in: the asset's hash (and the task definition) changes only when the
 * image's content can, never for docs, tests or local data, and node_modules is never copied.
 */
export function imageContextExclude(root = REPO_ROOT): string[] {
  return readFileSync(join(root, IMAGE_IGNORE_FILE), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
