import { join } from "node:path";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { CustomResource, Duration } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Provider } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { loggedFunction, ownLogs } from "./logged-function";
import { grantSecretRead, grantSecretWrite } from "./permissions";

export interface TelegramWebhookSetupProps {
  readonly repoRoot: string;
  /** Defaults to packages/gateway/src/lambda/telegram-webhook-setup.ts. */
  readonly entry?: string;
  /** `https://…/telegram/webhook` of this deployment. */
  readonly webhookUrl: string;
  readonly secretPrefix: string;
  /** The Settings table, where the bot's getMe answer is cached for cold starts. */
  readonly settingsTable: ITable;
  readonly logRetention: RetentionDays;
}

/**
 * Registers the bot's webhook on every deploy that changes its URL (setWebhook with the secret token
 * and allowed_updates), and removes it when the stack is deleted. A custom resource through the CDK's
 * Provider framework; its Status attribute (a stack output) says whether it worked and, if not, what to
 * do. It runs only during deploys, so it costs nothing while idle.
 */
export class TelegramWebhookSetup extends Construct {
  readonly status: string;

  constructor(scope: Construct, id: string, props: TelegramWebhookSetupProps) {
    super(scope, id);
    const fn = loggedFunction(this, "Function", {
      repoRoot: props.repoRoot,
      logRetention: props.logRetention,
      ids: { logs: "Logs", role: "Role" },
      entry: props.entry ?? join(props.repoRoot, "packages/gateway/src/lambda/telegram-webhook-setup.ts"),
      timeout: Duration.seconds(30),
      environment: {
        SECRET_PREFIX: props.secretPrefix,
        TABLE_SETTINGS: props.settingsTable.tableName,
        POWERTOOLS_LOG_LEVEL: "INFO",
      },
    });
    grantSecretRead(this, fn, props.secretPrefix, "telegram/*");
    grantSecretWrite(this, fn, props.secretPrefix, SECRET_NAMES.telegramWebhookSecret);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ["dynamodb:PutItem"], resources: [props.settingsTable.tableArn] }),
    );

    // The framework's own role, so its log writes go to its own group (not a managed policy).
    const framework = ownLogs(this, { logs: "ProviderLogs", role: "ProviderRole" }, props.logRetention);
    const provider = new Provider(this, "Provider", {
      onEventHandler: fn,
      logGroup: framework.logGroup,
      frameworkOnEventRole: framework.role,
    });
    const resource = new CustomResource(this, "Resource", {
      serviceToken: provider.serviceToken,
      resourceType: "Custom::TelegramWebhook",
      properties: { WebhookUrl: props.webhookUrl },
    });
    this.status = resource.getAttString("Status");
  }
}
