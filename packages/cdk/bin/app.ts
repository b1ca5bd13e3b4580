#!/usr/bin/env node
import { Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { buildApp } from "../src/build-app";
import { ConfigError } from "../src/config";

try {
  const { app, webPlaceholder, image } = buildApp();
  if (image.missing) {
    console.warn(
      "docker/openclaw/Dockerfile is missing: synth works, but a deploy will fail at the image build.",
    );
  }
  if (webPlaceholder) {
    console.warn(
      "packages/web/dist is missing: deploying a placeholder page. Run `npm run build -w @serverless-openclaw/web` first.",
    );
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`${err.code}: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
