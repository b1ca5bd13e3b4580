import { join } from "node:path";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { type NodejsFunctionProps, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";

/**
 * How every Lambda of ours is built and run: bundled locally with esbuild (no Docker), ESM, ARM64,
 * Node 24, small memory. The gateway Lambdas and the deploy-time Telegram setup share it.
 */
export function nodeLambdaDefaults(repoRoot: string): NodejsFunctionProps {
  return {
    handler: "handler",
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: 256,
    projectRoot: repoRoot,
    depsLockFilePath: join(repoRoot, "package-lock.json"),
    bundling: {
      forceDockerBundling: false,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: "node22",
      format: OutputFormat.ESM,
      mainFields: ["module", "main"],
      // Bundle the AWS SDK too: pinned versions, and ESM cannot import the runtime's copy reliably.
      externalModules: [],
      // Some CommonJS dependencies call require(); give the ESM bundle one.
      banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  };
}
