import { App, type AppProps } from "aws-cdk-lib";
import { ConfigError, type DeployConfig, readDeployConfig } from "./config";
import {
  agentImageSource,
  cognitoTriggerEntry,
  type ImageSource,
  type LambdaEntries,
  missingEntries,
  REPO_ROOT,
  realLambdaEntries,
  webAssetDir,
} from "./paths";
import { AppStack } from "./stacks/app-stack";
import { DataStack } from "./stacks/data-stack";

export const STACK_NAMES = { data: "ServerlessOpenClaw-Data", app: "ServerlessOpenClaw-App" } as const;

export interface BuildOptions {
  readonly appProps?: AppProps;
  readonly repoRoot?: string;
  /** Lambda entry files (tests point these at a fixture handler). */
  readonly lambdaEntries?: LambdaEntries;
  /** Web build to upload (defaults to packages/web/dist, or a placeholder when it is missing). */
  readonly webAssetDir?: string;
  /** Agent image build (tests use a stand-in Dockerfile). */
  readonly image?: ImageSource;
}

export interface BuiltApp {
  readonly app: App;
  readonly config: DeployConfig;
  readonly data: DataStack;
  readonly appStack: AppStack;
  readonly webPlaceholder: boolean;
  readonly image: ImageSource;
}

/** Builds the whole CDK app: used by bin/app.ts, the tests and the cost model. */
export function buildApp(options: BuildOptions = {}): BuiltApp {
  const app = new App(options.appProps);
  const config = readDeployConfig((key) => app.node.tryGetContext(key));
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const web = options.webAssetDir ? { dir: options.webAssetDir, placeholder: false } : webAssetDir(repoRoot);
  const lambdaEntries = options.lambdaEntries ?? realLambdaEntries(repoRoot);
  const missing = missingEntries(lambdaEntries, config.telegram, config);
  if (missing.length > 0) {
    throw new ConfigError(
      `Lambda entry files are missing (is the gateway package complete?): ${missing.join(", ")}`,
    );
  }
  const image = options.image ?? agentImageSource(repoRoot);
  // Region only, no account: the stacks stay environment-agnostic, so synth never looks anything up.
  const env = { region: config.region };
  const data = new DataStack(app, STACK_NAMES.data, {
    env,
    config,
    repoRoot,
    cognitoTriggerEntry: cognitoTriggerEntry(repoRoot),
    description: "serverless-openclaw: user data (DynamoDB tables, S3 data bucket, Cognito user pool)",
  });
  const appStack = new AppStack(app, STACK_NAMES.app, {
    env,
    config,
    data,
    repoRoot,
    lambdaEntries,
    image,
    webAssetDir: web.dir,
    description: "serverless-openclaw: APIs, gateway Lambdas, agent task definition, web front end",
  });
  return { app, config, data, appStack, webPlaceholder: web.placeholder, image };
}
