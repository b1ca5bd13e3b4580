import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { type BuiltApp, buildApp } from "../src/build-app";
import { LAMBDA_NAMES, type LambdaEntries } from "../src/paths";

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
  opts: { bundle?: boolean; cfnValidation?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "openclaw-cdk-"));
  const built = buildApp({
    appProps: {
      outdir,
      // The built-in CloudFormation linter (WASM) takes ~10 s per synth; one test runs it.
      builtinCloudFormationValidation: opts.cfnValidation ?? false,
      context: { ...(opts.bundle ? {} : { "aws:cdk:bundling-stacks": [] }), ...context },
    },
    lambdaEntries: fixtureEntries(),
    image: { directory: join(import.meta.dirname, "fixtures/image"), file: "Dockerfile", missing: false },
  });
  return {
    ...built,
    outdir,
    dataTemplate: Template.fromStack(built.data),
    appTemplate: Template.fromStack(built.appStack),
  };
}
