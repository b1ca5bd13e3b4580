#!/usr/bin/env node
import { ConfigError } from "../src/config";
import { createApp } from "../src/main";

try {
  const { app, webPlaceholder, image } = createApp();
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
  app.synth();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`${err.code}: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
