import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TABLE_DEFINITIONS } from "@serverless-openclaw/gateway/aws";
import { API_ROUTES } from "@serverless-openclaw/shared";
import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asList, cleanup, logicalId, resourcesOf, type Synthesized, statementsOfRole, synth } from "./synth";

// Two synths shared by the whole file: the default deployment with Telegram on, and a variant with
// every other switch flipped.
let main: Synthesized;
let variant: Synthesized;
beforeAll(() => {
  main = synth({ telegram: true });
  variant = synth({
    telegram: false,
    browser: true,
    retainData: false,
    selfSignUp: true,
    budgetMonthlyUsd: 0,
    region: "eu-west-1",
    inactivityMinutes: 30,
  });
});
afterAll(() => {
  cleanup(main);
  cleanup(variant);
});

type Json = Record<string, unknown>;
const tableByPk = (s: Synthesized, name: string, extra: (p: Json) => boolean = () => true) =>
  resourcesOf(s.dataTemplate, "AWS::DynamoDB::Table").filter(
    ([id, p]) => id.startsWith(`Storage${name}`) && extra(p),
  );

describe("storage", () => {
  const expected = {
    Conversations: {
      keys: [
        ["userId", "HASH"],
        ["sk", "RANGE"],
      ],
      ttl: false,
      pitr: true,
    },
    Settings: {
      keys: [
        ["userId", "HASH"],
        ["settingKey", "RANGE"],
      ],
      ttl: true,
      pitr: true,
    },
    TaskState: { keys: [["userId", "HASH"]], ttl: false, pitr: false },
    Connections: { keys: [["connectionId", "HASH"]], ttl: true, pitr: false },
    PendingMessages: {
      keys: [
        ["userId", "HASH"],
        ["sk", "RANGE"],
      ],
      ttl: true,
      pitr: false,
    },
  };

  it("creates exactly the five tables, on demand, with the shared key schema, TTL and PITR", () => {
    main.dataTemplate.resourceCountIs("AWS::DynamoDB::Table", 5);
    for (const [name, e] of Object.entries(expected)) {
      const [[, p] = ["", {}]] = tableByPk(main, name);
      expect(p.BillingMode, name).toBe("PAY_PER_REQUEST");
      expect(
        (p.KeySchema as { AttributeName: string; KeyType: string }[]).map((k) => [
          k.AttributeName,
          k.KeyType,
        ]),
        name,
      ).toEqual(e.keys);
      const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      expect(ttl ? ttl : null, name).toEqual(e.ttl ? { AttributeName: "expiresAt", Enabled: true } : null);
      const pitr = (
        p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined
      )?.PointInTimeRecoveryEnabled;
      expect(pitr === true, name).toBe(e.pitr);
    }
  });

  it("mirrors the gateway's table definitions (keys, index, TTL) used with DynamoDB Local", () => {
    const cdkName = {
      conversations: "Conversations",
      settings: "Settings",
      taskState: "TaskState",
      connections: "Connections",
      pending: "PendingMessages",
    } as const;
    for (const [role, def] of Object.entries(TABLE_DEFINITIONS)) {
      const [[, p] = ["", {}]] = tableByPk(main, cdkName[role as keyof typeof cdkName]);
      expect(p.KeySchema, role).toEqual(def.KeySchema);
      expect(new Set(p.AttributeDefinitions as unknown[]), role).toEqual(new Set(def.AttributeDefinitions));
      const gsi = (p.GlobalSecondaryIndexes as Json[] | undefined)?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      }));
      expect(gsi, role).toEqual(def.GlobalSecondaryIndexes);
      expect((p.TimeToLiveSpecification as Json | undefined)?.AttributeName, role).toBe(def.ttlAttribute);
    }
  });

  it("indexes connections by user (GSI byUser on userId)", () => {
    const [[, p] = ["", {}]] = tableByPk(main, "Connections");
    expect(p.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({
        IndexName: "byUser",
        KeySchema: [{ AttributeName: "userId", KeyType: "HASH" }],
      }),
    ]);
  });

  it("retains tables, data bucket and user pool by default, and removes them with retainData=false", () => {
    for (const type of ["AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Cognito::UserPool"]) {
      for (const r of Object.values(main.dataTemplate.findResources(type)))
        expect(r.DeletionPolicy, type).toBe("Retain");
      for (const r of Object.values(variant.dataTemplate.findResources(type)))
        expect(r.DeletionPolicy, type).toBe("Delete");
    }
    main.dataTemplate.allResourcesProperties("AWS::DynamoDB::Table", { DeletionProtectionEnabled: true });
    // A removable versioned bucket must be emptied first: CDK's auto-delete handler does it.
    variant.dataTemplate.resourceCountIs("Custom::S3AutoDeleteObjects", 1);
    main.dataTemplate.resourceCountIs("Custom::S3AutoDeleteObjects", 0);
    // Its handler logs to a group with the deployment's retention, not one Lambda creates forever.
    // (The other function of the data stack is the user pool's trigger, session-trigger.test.ts.)
    const handlers = resourcesOf(variant.dataTemplate, "AWS::Lambda::Function").filter(
      ([id]) => !id.startsWith("SessionTrigger"),
    );
    expect(handlers).toHaveLength(1);
    const [, handler] = handlers[0] as [string, Json];
    const group = (handler.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
    expect(group).toBeDefined();
    const groups = Object.fromEntries(resourcesOf(variant.dataTemplate, "AWS::Logs::LogGroup"));
    expect(groups[group as string]?.RetentionInDays).toBe(14);
  });

  it("encrypts, versions, blocks public access to and expires old versions in the data bucket", () => {
    main.dataTemplate.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      VersioningConfiguration: { Status: "Enabled" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ NoncurrentVersionExpiration: Match.objectLike({ NoncurrentDays: 30 }) })],
      },
    });
  });

  it("denies every non-TLS request to both buckets", () => {
    for (const t of [main.dataTemplate, main.appTemplate]) {
      t.hasResourceProperties("AWS::S3::BucketPolicy", {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Action: "s3:*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
    }
  });
});

describe("auth", () => {
  it("requires a strong password and admin-created users by default", () => {
    main.dataTemplate.hasResourceProperties("AWS::Cognito::UserPool", {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ["email"],
    });
    variant.dataTemplate.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
    });
  });

  it("offers optional TOTP MFA (authenticator apps) and no SMS or e-mail second factor", () => {
    for (const template of [main.dataTemplate, variant.dataTemplate]) {
      template.hasResourceProperties("AWS::Cognito::UserPool", {
        MfaConfiguration: "OPTIONAL",
        EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      });
      for (const [id, p] of resourcesOf(template, "AWS::Cognito::UserPool")) {
        expect(JSON.stringify(p.EnabledMfas), id).not.toMatch(/SMS|EMAIL/);
        // SMS MFA would need an SNS role; none is created.
        expect(p.SmsConfiguration, id).toBeUndefined();
      }
    }
  });

  it("gives the SPA a public client with SRP and refresh-token sign-in only (no plain password flow)", () => {
    main.dataTemplate.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
    });
    for (const [id, p] of resourcesOf(main.dataTemplate, "AWS::Cognito::UserPoolClient")) {
      expect(p.ExplicitAuthFlows, id).not.toContain("ALLOW_USER_PASSWORD_AUTH");
      expect(p.ExplicitAuthFlows, id).not.toContain("ALLOW_ADMIN_USER_PASSWORD_AUTH");
    }
    // No OAuth flows and no leftover https://example.com callback (CDK's default without disableOAuth).
    for (const [id, p] of resourcesOf(main.dataTemplate, "AWS::Cognito::UserPoolClient")) {
      expect(p.CallbackURLs, id).toBeUndefined();
      expect(p.AllowedOAuthFlows, id).toBeUndefined();
      expect(JSON.stringify(p), id).not.toContain("example.com");
    }
  });
});

describe("network", () => {
  it("has public subnets in two AZs and no NAT gateway or interface endpoint", () => {
    const t = main.appTemplate;
    t.resourceCountIs("AWS::EC2::NatGateway", 0);
    t.resourceCountIs("AWS::EC2::Subnet", 2);
    t.allResourcesProperties("AWS::EC2::Subnet", { MapPublicIpOnLaunch: true });
    for (const [, p] of resourcesOf(t, "AWS::EC2::VPCEndpoint"))
      expect(p.VpcEndpointType ?? "Gateway").toBe("Gateway");
  });

  it("gives the task a security group without a single ingress rule", () => {
    const t = main.appTemplate;
    const groups = resourcesOf(t, "AWS::EC2::SecurityGroup");
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].SecurityGroupIngress).toBeUndefined();
    t.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
    expect(groups[0]?.[1].SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: "0.0.0.0/0" })]);
  });
});

describe("compute", () => {
  it("offers FARGATE_SPOT (default) and FARGATE capacity, and runs no ECS service", () => {
    main.appTemplate.hasResourceProperties("AWS::ECS::ClusterCapacityProviderAssociations", {
      CapacityProviders: Match.arrayWith(["FARGATE", "FARGATE_SPOT"]),
      DefaultCapacityProviderStrategy: [{ CapacityProvider: "FARGATE_SPOT", Weight: 1 }],
    });
    main.appTemplate.resourceCountIs("AWS::ECS::Service", 0);
  });

  it("runs OpenClaw on ARM64 with 1 vCPU / 2 GB, 2 vCPU / 4 GB with the browser, and 120 s to stop", () => {
    for (const [s, cpu, memory] of [
      [main, "1024", "2048"],
      [variant, "2048", "4096"],
    ] as const) {
      s.appTemplate.hasResourceProperties("AWS::ECS::TaskDefinition", {
        Cpu: cpu,
        Memory: memory,
        RequiresCompatibilities: ["FARGATE"],
        RuntimePlatform: { CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" },
        ContainerDefinitions: [
          Match.objectLike({
            Name: "openclaw",
            StopTimeout: 120,
            LogConfiguration: Match.objectLike({ LogDriver: "awslogs" }),
          }),
        ],
      });
    }
  });

  it("builds the image for linux/arm64, with Chromium only for the browser variant", () => {
    for (const [x, withChromium] of [
      [main, "0"],
      [variant, "1"],
    ] as const) {
      const assets = JSON.parse(
        readFileSync(join(x.outdir, "ServerlessOpenClaw-App.assets.json"), "utf8"),
      ) as {
        dockerImages: Record<
          string,
          { source: { platform?: string; dockerBuildArgs?: Record<string, string> } }
        >;
      };
      const [image] = Object.values(assets.dockerImages);
      expect(image?.source.platform).toBe("linux/arm64");
      expect(image?.source.dockerBuildArgs).toEqual({ WITH_CHROMIUM: withChromium });
    }
  });

  it("uses the 20 GiB of ephemeral storage included in the price (more bills per GB-hour)", () => {
    const [[, td] = ["", {}]] = resourcesOf(main.appTemplate, "AWS::ECS::TaskDefinition");
    expect((td.EphemeralStorage as { SizeInGiB?: number } | undefined)?.SizeInGiB ?? 20).toBeLessThanOrEqual(
      20,
    );
  });

  it("passes endpoints and settings to the task, no table, bucket or secret name, never a secret", () => {
    const [[, td] = ["", {}]] = resourcesOf(main.appTemplate, "AWS::ECS::TaskDefinition");
    const env =
      (td.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[])[0]?.Environment ??
      [];
    const names = env.map((e) => e.Name);
    for (const n of ["AGENT_WS_URL", "AGENT_API_URL"]) expect(names).toContain(n);
    // The task reaches its data only through the agent HTTP API: it needs no store's name.
    for (const n of names) expect(n).not.toMatch(/^TABLE_|^DATA_BUCKET$|^SECRET_PREFIX$|^CLIENT_PUSH/);
    expect(names.filter((n) => /SECRET$|TOKEN|KEY/.test(n))).toEqual([]);
    expect(env.find((e) => e.Name === "DEFAULT_INACTIVITY_MINUTES")?.Value).toBe("15");
    // OpenClaw's embedded agent unless the deployer opts into the gateway (-c openClawMode=gateway).
    expect(env.find((e) => e.Name === "OPENCLAW_MODE")?.Value).toBe("embedded");
    // The agent API only accepts IAM-signed connections.
    expect(env.find((e) => e.Name === "AGENT_WS_SIGN")?.Value).toBe("1");
  });
});

describe("task role (least privilege)", () => {
  const taskStatements = () =>
    statementsOfRole(
      main.appTemplate,
      logicalId(main.appTemplate, "AWS::IAM::Role", "AgentTaskDefinitionTaskRole"),
    );

  it("grants nothing but execute-api:Invoke: no DynamoDB, S3, SSM, KMS or ManageConnections", () => {
    const actions = taskStatements().flatMap((s) => asList(s.Action as string | string[]));
    expect([...new Set(actions)]).toEqual(["execute-api:Invoke"]);
    for (const s of taskStatements()) expect(s.Effect).toBe("Allow");
  });

  it("may open the agent API's $connect and call the agent HTTP API's four routes, nothing else", () => {
    const invoke = taskStatements()
      .flatMap((s) => asList(s.Resource))
      .map((r) => JSON.stringify(r));
    expect(invoke).toHaveLength(5);
    expect(invoke.filter((r) => /SocketsAgentApi.*\/prod\/\$connect"/.test(r))).toHaveLength(1);
    const routes = invoke.filter((r) => r.includes("AgentHttpApi"));
    expect(routes.map((r) => /\/\$default\/([A-Z]+\/[^"]+)"/.exec(r)?.[1]).sort()).toEqual([
      "DELETE/connections/*",
      "POST/blob-url",
      "POST/connections/*",
      "POST/rpc",
    ]);
    expect(invoke.join()).not.toContain("SocketsClientApi");
  });
});

describe("gateway Lambdas", () => {
  const functions = (s: Synthesized) =>
    resourcesOf(s.appTemplate, "AWS::Lambda::Function").filter(([id]) => id.startsWith("Gateway"));

  it("runs seven ARM64 Node 22+ functions with small memory, own log groups and the runtime env", () => {
    expect(functions(main)).toHaveLength(7);
    expect(functions(variant)).toHaveLength(6); // no Telegram webhook
    for (const [id, p] of functions(main)) {
      expect(p.Architectures, id).toEqual(["arm64"]);
      expect(Number(/^nodejs(\d+)\.x$/.exec(String(p.Runtime))?.[1]), id).toBeGreaterThanOrEqual(22);
      expect(p.MemorySize as number, id).toBeLessThanOrEqual(512);
      expect((p.LoggingConfig as Json).LogGroup, id).toBeDefined();
      const env = (p.Environment as { Variables: Json }).Variables;
      for (const n of [
        "TABLE_CONVERSATIONS",
        "TABLE_SETTINGS",
        "TABLE_TASK_STATE",
        "TABLE_CONNECTIONS",
        "TABLE_PENDING",
        "DATA_BUCKET",
        "SECRET_PREFIX",
        "USER_POOL_ID",
        "USER_POOL_CLIENT_ID",
        "CLIENT_WS_MANAGEMENT_ENDPOINT",
        "AGENT_WS_MANAGEMENT_ENDPOINT",
        "AGENT_WS_URL",
        "ECS_CLUSTER",
        "TASK_DEFINITION",
        "TASK_SUBNETS",
        "TASK_SECURITY_GROUP",
        "CONTAINER_NAME",
        "TELEGRAM_ENABLED",
        "POWERTOOLS_SERVICE_NAME",
        "ALLOWED_ORIGINS",
        "AGENT_TASK_ROLE_NAME",
      ]) {
        expect(env[n], `${id} ${n}`).toBeDefined();
      }
    }
  });

  it("does not use the broad AWSLambdaBasicExecutionRole managed policy", () => {
    for (const [, role] of resourcesOf(main.appTemplate, "AWS::IAM::Role").filter(([id]) =>
      id.startsWith("Gateway"),
    )) {
      expect(role.ManagedPolicyArns).toBeUndefined();
    }
  });

  it("lets only the starting functions RunTask, on this task definition in this cluster, and pass its roles to ECS", () => {
    const t = main.appTemplate;
    const taskDef = logicalId(t, "AWS::ECS::TaskDefinition", "AgentTaskDefinition");
    const cluster = logicalId(t, "AWS::ECS::Cluster", "AgentCluster");
    const runners = {
      WebSocket: true,
      HttpApi: true,
      TelegramWebhook: true,
      AgentSocket: false,
      AgentApi: false,
      Watchdog: false,
    };
    for (const [name, runs] of Object.entries(runners)) {
      const st = statementsOfRole(t, logicalId(t, "AWS::IAM::Role", `Gateway${name}Role`));
      const run = st.find((s) => asList(s.Action as string[]).includes("ecs:RunTask"));
      expect(Boolean(run), name).toBe(runs);
      if (!run) continue;
      expect(run.Resource).toEqual({ Ref: taskDef });
      expect(run.Condition).toEqual({ ArnEquals: { "ecs:cluster": { "Fn::GetAtt": [cluster, "Arn"] } } });
      const pass = st.find((s) => asList(s.Action as string[]).includes("iam:PassRole"));
      expect(pass?.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
      expect(asList(pass?.Resource)).toHaveLength(2);
    }
    const watchdog = statementsOfRole(t, logicalId(t, "AWS::IAM::Role", "GatewayWatchdogRole"));
    expect(watchdog.some((s) => asList(s.Action as string[]).includes("ecs:ListTasks"))).toBe(true);
    expect(watchdog.some((s) => asList(s.Action as string[]).includes("dynamodb:Scan"))).toBe(true);
  });

  it("lets only the http-api function write SSM secrets, and only under users/", () => {
    const t = main.appTemplate;
    for (const name of ["WebSocket", "AgentSocket", "HttpApi", "TelegramWebhook", "Watchdog"]) {
      const st = statementsOfRole(t, logicalId(t, "AWS::IAM::Role", `Gateway${name}Role`));
      const put = st.find((s) => asList(s.Action as string[]).includes("ssm:PutParameter"));
      expect(Boolean(put), name).toBe(name === "HttpApi");
      if (put) expect(JSON.stringify(put.Resource)).toContain(":parameter/serverless-openclaw/users/*");
    }
  });

  it("runs the watchdog every 5 minutes", () => {
    const watchdog = logicalId(main.appTemplate, "AWS::Lambda::Function", "GatewayWatchdog");
    main.appTemplate.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(5 minutes)",
      State: "ENABLED",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [watchdog, "Arn"] } })],
    });
  });

  it("hands every stopped task of the agent cluster to the watchdog", () => {
    const watchdog = logicalId(main.appTemplate, "AWS::Lambda::Function", "GatewayWatchdog");
    const cluster = logicalId(main.appTemplate, "AWS::ECS::Cluster", "AgentCluster");
    main.appTemplate.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: { clusterArn: [{ "Fn::GetAtt": [cluster, "Arn"] }], lastStatus: ["STOPPED"] },
      },
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [watchdog, "Arn"] } })],
    });
  });
});

describe("APIs", () => {
  const routes = (s: Synthesized) => resourcesOf(s.appTemplate, "AWS::ApiGatewayV2::Route").map(([, p]) => p);
  const apiId = (s: Synthesized, prefix: string) =>
    logicalId(s.appTemplate, "AWS::ApiGatewayV2::Api", prefix);
  const routesOf = (s: Synthesized, prefix: string) =>
    routes(s).filter((r) => (r.ApiId as { Ref: string }).Ref === apiId(s, prefix));

  it("routes the client socket's $connect/$disconnect/$default to the web-socket Lambda", () => {
    const r = routesOf(main, "SocketsClientApi");
    expect(r.map((x) => x.RouteKey).sort()).toEqual(["$connect", "$default", "$disconnect"]);
  });

  it("requires IAM (SigV4) on the agent socket's $connect", () => {
    const r = routesOf(main, "SocketsAgentApi");
    expect(r.find((x) => x.RouteKey === "$connect")?.AuthorizationType).toBe("AWS_IAM");
    expect(r.map((x) => x.RouteKey).sort()).toEqual(["$connect", "$default", "$disconnect"]);
  });

  it("requires IAM (SigV4) on every route of the agent HTTP API, served by the agent-api Lambda", () => {
    const r = routesOf(main, "AgentHttpApi");
    expect(r.map((x) => x.RouteKey).sort()).toEqual([
      "DELETE /connections/{connectionId}",
      "POST /blob-url",
      "POST /connections/{connectionId}",
      "POST /rpc",
    ]);
    for (const route of r) expect(route.AuthorizationType, String(route.RouteKey)).toBe("AWS_IAM");
    const integrations = resourcesOf(main.appTemplate, "AWS::ApiGatewayV2::Integration").filter(
      ([, p]) => (p.ApiId as { Ref: string }).Ref === apiId(main, "AgentHttpApi"),
    );
    expect(JSON.stringify(integrations)).toContain("GatewayAgentApi");
  });

  it("sends requests no route matches to the management Lambda ($default, no authorizer), which answers them in the API's error shape", () => {
    const r = routesOf(main, "HttpApi").find((x) => x.RouteKey === "$default");
    expect(r).toBeDefined();
    expect(r?.AuthorizationType ?? "NONE").toBe("NONE");
  });

  it("serves every management route from API_ROUTES behind the Cognito JWT authorizer", () => {
    const r = routesOf(main, "HttpApi");
    const authorizer = logicalId(main.appTemplate, "AWS::ApiGatewayV2::Authorizer", "HttpApiCognitoJwt");
    for (const [name, route] of Object.entries(API_ROUTES)) {
      const found = r.find((x) => x.RouteKey === route);
      // Discord and Slack are off in this synth (their routes are checked in channels.test.ts).
      if (name === "discordInteractions" || name === "slackEvents" || name === "slackCommands") {
        expect(found, route).toBeUndefined();
        continue;
      }
      expect(found, route).toBeDefined();
      if (route === API_ROUTES.telegramWebhook) {
        expect(found?.AuthorizationType ?? "NONE").toBe("NONE");
      } else {
        expect(found?.AuthorizationType, route).toBe("JWT");
        expect(found?.AuthorizerId, route).toEqual({ Ref: authorizer });
      }
    }
    main.appTemplate.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Audience: [Match.objectLike({ "Fn::ImportValue": Match.stringLikeRegexp("WebClient") })],
        Issuer: Match.objectLike({
          "Fn::Join": Match.arrayWith([Match.arrayWith(["https://cognito-idp.us-east-1.amazonaws.com/"])]),
        }),
      },
    });
  });

  it("has no Telegram webhook route when Telegram is off", () => {
    expect(routesOf(variant, "HttpApi").map((r) => r.RouteKey)).not.toContain(API_ROUTES.telegramWebhook);
  });

  it("throttles every stage", () => {
    const stages = resourcesOf(main.appTemplate, "AWS::ApiGatewayV2::Stage");
    expect(stages).toHaveLength(4);
    for (const [id, p] of stages) {
      const s = p.DefaultRouteSettings as { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number };
      expect(s?.ThrottlingRateLimit, id).toBeGreaterThan(0);
      expect(s?.ThrottlingBurstLimit, id).toBeGreaterThan(0);
    }
  });

  it("allows CORS from the CloudFront origin only", () => {
    const [[, api] = ["", {}]] = resourcesOf(main.appTemplate, "AWS::ApiGatewayV2::Api").filter(([id]) =>
      id.startsWith("HttpApi"),
    );
    const cors = api.CorsConfiguration as { AllowOrigins: unknown[]; AllowHeaders: string[] };
    expect(cors.AllowOrigins).toHaveLength(1);
    expect(JSON.stringify(cors.AllowOrigins[0])).toMatch(/https:\/\/.*WebDistribution.*DomainName/);
    expect(cors.AllowHeaders).toContain("authorization");
  });
});

describe("web", () => {
  it("serves the private bucket through CloudFront with origin access control", () => {
    const t = main.appTemplate;
    t.resourceCountIs("AWS::CloudFront::OriginAccessControl", 1);
    const oac = logicalId(t, "AWS::CloudFront::OriginAccessControl", "WebDistributionOrigin");
    t.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: "index.html",
        Origins: [Match.objectLike({ OriginAccessControlId: { "Fn::GetAtt": [oac, "Id"] } })],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: "redirect-to-https",
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        CustomErrorResponses: [
          Match.objectLike({ ErrorCode: 403, ResponseCode: 200, ResponsePagePath: "/index.html" }),
          Match.objectLike({ ErrorCode: 404, ResponseCode: 200, ResponsePagePath: "/index.html" }),
        ],
      }),
    });
    t.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Condition: { StringEquals: { "AWS:SourceArn": Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it("sends a CSP that allows exactly the app's own, Cognito's and API Gateway's origins", () => {
    const [[, p] = ["", {}]] = resourcesOf(main.appTemplate, "AWS::CloudFront::ResponseHeadersPolicy");
    const h = (p.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Json })
      .SecurityHeadersConfig as Record<string, Json>;
    const csp = String(h.ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(
      /connect-src 'self' https:\/\/cognito-idp\.us-east-1\.amazonaws\.com https:\/\/\*\.execute-api\.us-east-1\.amazonaws\.com wss:\/\/\*\.execute-api\.us-east-1\.amazonaws\.com;/,
    );
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(h.StrictTransportSecurity?.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31536000);
    expect(h.FrameOptions?.FrameOption).toBe("DENY");
    expect(h.ContentTypeOptions).toBeDefined();
    const variantCsp = JSON.stringify(
      resourcesOf(variant.appTemplate, "AWS::CloudFront::ResponseHeadersPolicy"),
    );
    expect(variantCsp).toContain("cognito-idp.eu-west-1.amazonaws.com");
  });

  it("writes /config.json in the shape the web app reads, endpoints filled in at deploy time", () => {
    const files = readdirSync(main.outdir)
      .filter((d) => d.startsWith("asset."))
      .map((d) => join(main.outdir, d, "config.json"))
      .filter((f) => existsSync(f));
    expect(files).toHaveLength(1);
    const config = JSON.parse(readFileSync(files[0] as string, "utf8")) as Record<string, unknown>;
    expect(Object.keys(config).sort()).toEqual(
      ["apiUrl", "cognitoEndpoint", "region", "selfSignUp", "userPoolClientId", "userPoolId", "wsUrl"].sort(),
    );
    expect(config).toMatchObject({
      region: "us-east-1",
      cognitoEndpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
      selfSignUp: false,
    });
    // Deploy-time values are markers that the deployment replaces with the real ids and URLs.
    for (const k of ["userPoolId", "userPoolClientId", "apiUrl"])
      expect(String(config[k]), k).toMatch(/<<marker:/);
    expect(String(config.wsUrl)).toMatch(/^wss:\/\/<<marker:.*\/prod$/);
  });

  it("uploads /config.json with the stack's endpoints next to the app, and invalidates the cache", () => {
    const deployments = resourcesOf(main.appTemplate, "Custom::CDKBucketDeployment");
    expect(deployments).toHaveLength(2);
    const entry = deployments.find(([id]) => id.startsWith("WebDeployEntry"))?.[1] ?? {};
    expect(entry.DistributionPaths).toEqual(["/*"]);
    expect(entry.Prune).toBe(false);
    // Source.jsonData fills in deploy-time values through markers; their names show what config.json holds.
    const markers = JSON.stringify(entry.SourceMarkers);
    for (const ref of ["AuthUserPool", "WebClient", "SocketsClientApi", "HttpApi"])
      expect(markers).toContain(ref);
  });
});

describe("logs, outputs and budget", () => {
  it("gives every log group a retention (14 days by default)", () => {
    const groups = resourcesOf(main.appTemplate, "AWS::Logs::LogGroup");
    expect(groups.length).toBeGreaterThanOrEqual(8);
    for (const [id, p] of groups) expect(p.RetentionInDays, id).toBe(14);
  });

  it("prints the URLs, ids and copy-pasteable commands for the first user and the Telegram token", () => {
    const outputs = main.appTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const k of ["WebUrl", "ClientWebSocketUrl", "HttpApiUrl", "UserPoolId", "UserPoolClientId"]) {
      expect(outputs[k], k).toBeDefined();
    }
    expect(JSON.stringify(outputs.CreateFirstUserCommand)).toContain("aws cognito-idp admin-create-user");
    expect(JSON.stringify(outputs.SetTelegramTokenCommand)).toContain(
      "aws ssm put-parameter --region us-east-1 --type SecureString --overwrite --name /serverless-openclaw/telegram/bot-token",
    );
    expect(JSON.stringify(outputs.RegisterTelegramWebhookCommand)).toContain(
      "npx tsx scripts/telegram-set-webhook.ts --url ",
    );
    const variantOutputs = variant.appTemplate.toJSON().Outputs as Record<string, unknown>;
    expect(variantOutputs.SetTelegramTokenCommand).toBeUndefined();
  });

  it("registers the Telegram webhook on deploy through a custom resource, with the least it needs", () => {
    const t = main.appTemplate;
    const api = logicalId(t, "AWS::ApiGatewayV2::Api", "HttpApi");
    const [[, resource] = ["", {}]] = resourcesOf(t, "Custom::TelegramWebhook");
    expect(JSON.stringify(resource.WebhookUrl)).toContain(api);
    expect(JSON.stringify(resource.WebhookUrl)).toContain("/telegram/webhook");
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.TelegramWebhookStatus?.Value)).toContain("Status");

    const st = statementsOfRole(t, logicalId(t, "AWS::IAM::Role", "TelegramWebhookSetupRole"));
    const actions = st.flatMap((x) => asList(x.Action as string | string[]));
    expect(actions).toContain("ssm:GetParameter");
    const put = st.find((x) => asList(x.Action as string[]).includes("ssm:PutParameter"));
    expect(JSON.stringify(put?.Resource)).toContain("/serverless-openclaw/telegram/webhook-secret");
    expect(JSON.stringify(put?.Resource)).not.toContain("*");
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual(["dynamodb:PutItem"]);
    expect(actions.some((a) => a.startsWith("ecs:") || a.startsWith("s3:"))).toBe(false);
    variant.appTemplate.resourceCountIs("Custom::TelegramWebhook", 0);
  });

  it("creates the monthly budget unless the cap is 0", () => {
    main.appTemplate.hasResourceProperties("AWS::Budgets::Budget", {
      Budget: { BudgetType: "COST", TimeUnit: "MONTHLY", BudgetLimit: { Amount: 10, Unit: "USD" } },
    });
    variant.appTemplate.resourceCountIs("AWS::Budgets::Budget", 0);
  });
});
