import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asList, cleanup, logicalId, resourcesOf, type Synthesized, statementsOfRole, synth } from "./synth";

let s: Synthesized;
beforeAll(() => {
  s = synth({ telegram: true });
});
afterAll(() => cleanup(s));

describe("a password reset through Cognito ends the user's sessions", () => {
  it("runs the session trigger on the user pool's post-confirmation (ConfirmForgotPassword), from the data stack", () => {
    const fn = logicalId(s.dataTemplate, "AWS::Lambda::Function", "SessionTriggerFunction");
    s.dataTemplate.hasResourceProperties("AWS::Cognito::UserPool", {
      LambdaConfig: { PostConfirmation: { "Fn::GetAtt": [fn, "Arn"] } },
    });
    // Cognito may invoke it, for this pool only.
    s.dataTemplate.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [fn, "Arn"] },
      Principal: "cognito-idp.amazonaws.com",
      SourceArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^AuthUserPool"), "Arn"] },
    });
  });

  it("gives it the two tables it writes and no WebSocket endpoint, ARM64 Node 22+, its own log group with retention", () => {
    const [[, props] = ["", {}]] = resourcesOf(s.dataTemplate, "AWS::Lambda::Function").filter(([id]) =>
      id.startsWith("SessionTriggerFunction"),
    );
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual(
      ["NODE_OPTIONS", "POWERTOOLS_SERVICE_NAME", "TABLE_CONNECTIONS", "TABLE_SETTINGS"].sort(),
    );
    expect(props.Architectures).toEqual(["arm64"]);
    expect(Number(String(props.Runtime).replace(/\D/g, ""))).toBeGreaterThanOrEqual(22);
    const logs = logicalId(s.dataTemplate, "AWS::Logs::LogGroup", "SessionTriggerLogs");
    expect(props.LoggingConfig).toMatchObject({ LogGroup: { Ref: logs } });
    s.dataTemplate.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 14 });
  });

  it("does not make the data stack depend on the application stack", () => {
    expect(JSON.stringify(s.dataTemplate.toJSON())).not.toMatch(/Fn::ImportValue/);
  });
});

describe("deleting or disabling a user in Cognito ends their sessions (the watchdog's sweep)", () => {
  it("lets only the watchdog list the pool's users, and nothing else of Cognito", () => {
    const roles = resourcesOf(s.appTemplate, "AWS::IAM::Role").map(([id]) => id);
    const cognitoStatements = roles.flatMap((role) =>
      statementsOfRole(s.appTemplate, role)
        .filter((st) => asList(st.Action as string | string[]).some((a) => a.startsWith("cognito-idp:")))
        .map((st) => ({ role, st })),
    );
    expect(cognitoStatements.map(({ role }) => role)).toEqual([
      logicalId(s.appTemplate, "AWS::IAM::Role", "GatewayWatchdogRole"),
    ]);
    const st: Record<string, unknown> = cognitoStatements[0]?.st ?? {};
    expect(st.Action).toBe("cognito-idp:ListUsers");
    expect(st.Effect).toBe("Allow");
    // This pool only: its id comes from the data stack.
    const resource = JSON.stringify(st.Resource);
    expect(resource).toMatch(/:userpool\/"/);
    expect(resource).toMatch(/AuthUserPool/);
    expect(resource).not.toMatch(/\*/);
  });
});
