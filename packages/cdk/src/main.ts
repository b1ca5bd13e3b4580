import { Validations } from "aws-cdk-lib";
import { type BuildOptions, type BuiltApp, buildApp } from "./build-app";
import { IdleCostGuard } from "./cost/idle-guard";
import { OpenClawNagChecks } from "./nag";

/**
 * The app as `cdk synth` / `cdk deploy` build it: both stacks plus two validation plugins that fail
 * the synth on a finding, cdk-nag AwsSolutions (with this app's acknowledged exceptions) and the
 * idle-cost guard (no resource may bill while the agent is idle).
 */
export function createApp(options: BuildOptions = {}): BuiltApp {
  const built = buildApp(options);
  Validations.of(built.app).addPlugins(new OpenClawNagChecks(), new IdleCostGuard());
  return built;
}
