import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import type { BuiltApp } from "../src/build-app";
import { createApp } from "../src/main";
import { LAMBDA_NAMES, type LambdaEntries } from "../src/paths";

/** The feature flags of cdk.json, so tests synthesize exactly what `cdk synth` does. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(import.meta.dirname, "../cdk.json"), "utf8")) as {
    context: Record<string, unknown>;
  }
).context;

export const FIXTURE_HANDLER = join(import.meta.dirname, "fixtures/handler.ts");

export function fixtureEntries(): LambdaEntries {
  return Object.fromEntries(LAMBDA_NAMES.map((n) => [n, FIXTURE_HANDLER])) as LambdaEntries;
}

export interface Synthesized extends BuiltApp {
  readonly dataTemplate: Template;
  readonly appTemplate: Template;
  readonly outdir: string;
}

/**
 * Synthesizes the app with the fixture handler. Bundling is skipped (`aws:cdk:bundling-stacks` = [])
 * unless asked for: it is proven once in its own test, and every other assertion is about the template.
 */
export function synth(
  context: Record<string, unknown> = {},
  opts: { bundle?: boolean; cfnValidation?: boolean; lambdaEntries?: LambdaEntries } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "openclaw-cdk-"));
  const built = createApp({
    appProps: {
      outdir,
      // The built-in CloudFormation linter (WASM) takes ~10 s per synth; one test runs it.
      builtinCloudFormationValidation: opts.cfnValidation ?? false,
      context: { ...CDK_JSON_CONTEXT, ...(opts.bundle ? {} : { "aws:cdk:bundling-stacks": [] }), ...context },
    },
    lambdaEntries: opts.lambdaEntries ?? fixtureEntries(),
    image: { directory: join(import.meta.dirname, "fixtures/image"), file: "Dockerfile", missing: false },
  });
  return {
    ...built,
    outdir,
    dataTemplate: Template.fromStack(built.data),
    appTemplate: Template.fromStack(built.appStack),
  };
}

/** Removes a synth's output directory. */
export function cleanup(s: Synthesized | undefined): void {
  if (s) rmSync(s.outdir, { recursive: true, force: true });
}

type Json = Record<string, unknown>;

/** Resources of a template by type: [logicalId, properties][] */
export function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [id, (r.Properties ?? {}) as Json]);
}

/** Every IAM policy statement attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Json[] {
  return resourcesOf(template, "AWS::IAM::Policy")
    .filter(([, p]) => (p.Roles as Json[]).some((r) => r.Ref === roleLogicalId))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: Json[] }).Statement);
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Logical id of the single resource of a type whose logical id starts with a prefix. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(", ")}`);
  return ids[0] as string;
}
