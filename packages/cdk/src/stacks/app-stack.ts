import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { Construct } from "constructs";
import type { DeployConfig } from "../config";
import { AgentTask, TASK_SIZE } from "../constructs/agent-task";
import { AgentHttpApi, ManagementHttpApi, WebSocketApis } from "../constructs/apis";
import { MonthlyBudget } from "../constructs/budget";
import { GatewayFunctions } from "../constructs/gateway-functions";
import { Monitoring } from "../constructs/monitoring";
import { Network } from "../constructs/network";
import { Scheduling } from "../constructs/scheduling";
import { TelegramWebhookSetup } from "../constructs/telegram-webhook-setup";
import { WebSite } from "../constructs/web-site";
import type { ImageSource, LambdaEntries } from "../paths";
import type { DataStack } from "./data-stack";
import { logRetention } from "./log-retention";

export interface AppStackProps extends StackProps {
  readonly config: DeployConfig;
  readonly data: DataStack;
  readonly repoRoot: string;
  readonly lambdaEntries: LambdaEntries;
  readonly image: ImageSource;
  /** Directory uploaded as the web app (packages/web/dist or the placeholder page). */
  readonly webAssetDir: string;
}

/** Everything stateless: network, APIs, Lambdas, the agent task definition and the web front end. */
export class AppStack extends Stack {
  readonly network: Network;
  readonly sockets: WebSocketApis;
  readonly agentHttp: AgentHttpApi;
  readonly agent: AgentTask;
  readonly functions: GatewayFunctions;
  readonly http: ManagementHttpApi;
  readonly web: WebSite;
  readonly scheduling: Scheduling;
  readonly monitoring: Monitoring;
  /** Registers the bot's webhook on deploy (when Telegram is on). */
  readonly telegramSetup?: TelegramWebhookSetup;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const retention = logRetention(config.logRetentionDays);
    const { tables, dataBucket } = data.storage;
    const { userPool, client } = data.auth;

    this.network = new Network(this, "Network");
    this.sockets = new WebSocketApis(this, "Sockets");
    this.agentHttp = new AgentHttpApi(this, "AgentHttp", { logRetention: retention });
    this.agent = new AgentTask(this, "Agent", {
      config,
      image: props.image,
      vpc: this.network.vpc,
      securityGroup: this.network.taskSecurityGroup,
      agentStage: this.sockets.agentStage,
      agentHttpApi: this.agentHttp,
      logRetention: retention,
    });
    this.web = new WebSite(this, "Web", { region: this.region, logRetention: retention });
    this.functions = new GatewayFunctions(this, "Gateway", {
      webOrigin: this.web.origin,
      config,
      repoRoot: props.repoRoot,
      entries: props.lambdaEntries,
      tables,
      dataBucket,
      userPoolId: userPool.userPoolId,
      userPoolClientId: client.userPoolClientId,
      clientStage: this.sockets.clientStage,
      agentStage: this.sockets.agentStage,
      vpc: this.network.vpc,
      taskSecurityGroup: this.network.taskSecurityGroup,
      cluster: this.agent.cluster,
      taskDefinition: this.agent.taskDefinition,
      logRetention: retention,
    });
    this.sockets.addRoutes(this.functions.get("web-socket"), this.functions.get("agent-socket"));
    this.agentHttp.addRoutes(this.functions.get("agent-api"));

    new Rule(this, "WatchdogSchedule", {
      description: "Stops stale or overlong agent tasks and repairs TaskState",
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(this.functions.get("watchdog"), { retryAttempts: 0 })],
    });
    // A stopped agent task goes to the watchdog at once: it repairs the row and restarts the agent
    // for messages the task left unanswered (Spot interruption, crash). AWS service events are free.
    new Rule(this, "AgentTaskStopped", {
      description: "Hands stopped agent tasks to the watchdog so pending messages are answered",
      eventPattern: {
        source: ["aws.ecs"],
        detailType: ["ECS Task State Change"],
        detail: { clusterArn: [this.agent.cluster.clusterArn], lastStatus: ["STOPPED"] },
      },
      targets: [new LambdaFunction(this.functions.get("watchdog"), { retryAttempts: 2 })],
    });

    this.http = new ManagementHttpApi(this, "Http", {
      handler: this.functions.get("http-api"),
      telegramHandler: config.telegram ? this.functions.get("telegram-webhook") : undefined,
      discordHandler: config.discord ? this.functions.get("discord-interactions") : undefined,
      slackHandler: config.slack ? this.functions.get("slack-events") : undefined,
      userPoolId: userPool.userPoolId,
      userPoolClientId: client.userPoolClientId,
      region: this.region,
      webOrigin: this.web.origin,
      logRetention: retention,
    });
    this.web.deploy(props.webAssetDir, {
      region: this.region,
      userPoolId: userPool.userPoolId,
      userPoolClientId: client.userPoolClientId,
      cognitoEndpoint: `https://cognito-idp.${this.region}.amazonaws.com/`,
      wsUrl: this.sockets.clientStage.url,
      apiUrl: this.http.url,
      selfSignUp: config.selfSignUp,
      ...(config.telegramBotUsername ? { telegramBotUsername: config.telegramBotUsername } : {}),
      ...(config.discord || config.slack
        ? {
            chatChannels: [
              ...(config.discord ? (["discord"] as const) : []),
              ...(config.slack ? (["slack"] as const) : []),
            ],
          }
        : {}),
    });

    // Scheduled prompts (docs/schedules.md): EventBridge Scheduler invokes schedule-fire.
    this.scheduling = new Scheduling(this, "Schedules", {
      fire: this.functions.get("schedule-fire"),
      // The HTTP API (web app) and the Telegram webhook (/schedule) create and change schedules.
      managers: [
        this.functions.get("http-api"),
        ...(config.telegram ? [this.functions.get("telegram-webhook")] : []),
      ],
    });
    // Alarms, the alarm topic and the dashboard (docs/monitoring.md).
    const size = config.browser ? TASK_SIZE.browser : TASK_SIZE.standard;
    this.monitoring = new Monitoring(this, "Monitoring", {
      config,
      functions: Object.fromEntries(
        Object.entries(this.functions.functions).filter(
          (e): e is [string, NonNullable<(typeof e)[1]>] => !!e[1],
        ),
      ),
      agentLogGroup: this.agent.logGroup,
      taskSize: { vcpu: size.cpu / 1024, memoryGb: size.memoryLimitMiB / 1024 },
    });

    if (config.budgetMonthlyUsd > 0) {
      new MonthlyBudget(this, "Budget", { limitUsd: config.budgetMonthlyUsd, email: config.budgetEmail });
    }
    if (config.telegram) {
      this.telegramSetup = new TelegramWebhookSetup(this, "TelegramWebhookSetup", {
        repoRoot: props.repoRoot,
        webhookUrl: `${this.http.url}/telegram/webhook`,
        secretPrefix: config.secretPrefix,
        settingsTable: tables.settings,
        logRetention: retention,
      });
    }
    this.outputs(props);
  }

  private outputs(props: AppStackProps): void {
    const { config } = props;
    const { userPool, client } = props.data.auth;
    const region = this.region;
    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    out("WebUrl", this.web.origin, "Open this in a browser");
    out("ClientWebSocketUrl", this.sockets.clientStage.url, "WebSocket API for the web chat");
    out("AgentWebSocketUrl", this.sockets.agentStage.url, "WebSocket API the agent task connects to (IAM)");
    out("HttpApiUrl", this.http.url, "Management HTTP API");
    out("UserPoolId", userPool.userPoolId, "Cognito user pool");
    out("UserPoolClientId", client.userPoolClientId, "Cognito app client of the web chat");
    out(
      "CreateFirstUserCommand",
      `aws cognito-idp admin-create-user --region ${region} --user-pool-id ${userPool.userPoolId} ` +
        "--username you@example.com --user-attributes Name=email,Value=you@example.com Name=email_verified,Value=true",
      "Creates a user (replace the address twice); Cognito e-mails a temporary password",
    );
    if (config.telegram) {
      out(
        "SetTelegramTokenCommand",
        `aws ssm put-parameter --region ${region} --type SecureString --overwrite ` +
          `--name ${config.secretPrefix}/telegram/bot-token --value '<token from @BotFather>'`,
        "Stores the Telegram bot token (SecureString; never in the template)",
      );
      if (this.telegramSetup) {
        out(
          "TelegramWebhookStatus",
          this.telegramSetup.status,
          "Whether the deploy registered the bot's webhook",
        );
      }
      out(
        "RegisterTelegramWebhookCommand",
        `AWS_REGION=${region} npx tsx scripts/telegram-set-webhook.ts --url ${this.http.url}/telegram/webhook ` +
          `--secret-prefix ${config.secretPrefix}`,
        "Run from the repository root if the token was stored after the deploy (the deploy registers it otherwise)",
      );
      out(
        "TelegramWebhookUrl",
        `${this.http.url}/telegram/webhook`,
        "Where Telegram delivers the bot's updates",
      );
    }
    if (config.discord) {
      out(
        "DiscordInteractionsUrl",
        `${this.http.url}/discord/interactions`,
        "Interactions Endpoint URL for the Discord app (docs/discord.md)",
      );
    }
    if (config.slack) {
      out(
        "SlackEventsUrl",
        `${this.http.url}/slack/events`,
        "Event Subscriptions Request URL (docs/slack.md)",
      );
      out(
        "SlackCommandsUrl",
        `${this.http.url}/slack/commands`,
        "Request URL of the /openclaw slash command",
      );
    }
  }
}
