import { readFileSync } from "node:fs";
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from "aws-cdk-lib";

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
}

export interface IdleBillingFinding {
  readonly logicalId: string;
  readonly type: string;
  readonly why: string;
}

/** Resource types that bill by the hour (or month) whether or not anyone uses the agent. */
const ALWAYS_BILLED: Record<string, string> = {
  "AWS::EC2::NatGateway": "NAT gateways bill per hour (~$33/month) plus per GB",
  "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancers bill per hour (~$16/month)",
  "AWS::ElasticLoadBalancing::LoadBalancer": "classic load balancers bill per hour",
  "AWS::SecretsManager::Secret": "Secrets Manager bills $0.40 per secret-month; use SSM SecureString",
  "AWS::RDS::DBInstance": "database instances bill per hour",
  "AWS::RDS::DBCluster": "database clusters bill per hour (Aurora Serverless v2 has a minimum capacity)",
  "AWS::ElastiCache::CacheCluster": "cache nodes bill per hour",
  "AWS::ElastiCache::ReplicationGroup": "cache nodes bill per hour",
  "AWS::ElastiCache::ServerlessCache": "serverless caches bill a minimum storage per hour",
  "AWS::EC2::Instance": "instances bill per hour",
  "AWS::EC2::EIP": "Elastic IPs bill $0.005 per hour",
  "AWS::EKS::Cluster": "EKS control planes bill per hour",
  "AWS::WAFv2::WebACL": "web ACLs bill a monthly fee",
  "AWS::KMS::Key": "customer-managed KMS keys bill $1 per month",
  "AWS::OpenSearchService::Domain": "search domains bill per hour",
  "AWS::Elasticsearch::Domain": "search domains bill per hour",
  "AWS::OpenSearchServerless::Collection": "serverless collections bill a minimum of OCUs per hour",
  "AWS::MSK::Cluster": "Kafka brokers bill per hour",
  "AWS::Redshift::Cluster": "warehouse nodes bill per hour",
  "AWS::DocDB::DBCluster": "database clusters bill per hour",
  "AWS::Neptune::DBCluster": "database clusters bill per hour",
  "AWS::EC2::TransitGateway": "transit gateway attachments bill per hour",
  "AWS::NetworkFirewall::Firewall": "firewall endpoints bill per hour",
  "AWS::GlobalAccelerator::Accelerator": "accelerators bill per hour",
  "AWS::EC2::ClientVpnEndpoint": "VPN endpoint associations bill per hour",
  "AWS::AppRunner::Service": "App Runner keeps provisioned instances billed",
  "AWS::SageMaker::Endpoint": "endpoints bill per instance-hour",
};

/**
 * CloudWatch bills alarms ($0.10 per alarm metric-month beyond an account's 10 free) and dashboards ($3
 * per month beyond 3 free) whether or not anyone uses the agent. The deployment keeps to 11 alarm metrics
 * and one dashboard (docs/cost.md, docs/monitoring.md); more fails the guard, so a new alarm is a choice.
 */
export const MONITORING_ALLOWANCE = { alarmMetrics: 11, dashboards: 1 } as const;

/** How many metrics one alarm watches: CloudWatch bills each as an alarm metric. */
export function alarmMetricCount(properties: Record<string, unknown>): number {
  if (properties.MetricName) return 1;
  const metrics = (properties.Metrics as Array<{ MetricStat?: unknown }> | undefined) ?? [];
  return metrics.filter((m) => m.MetricStat).length;
}

/**
 * Finds every resource in a template that costs money while nobody uses the agent. The product promise
 * is zero idle compute; a finding here breaks it.
 */
export function findIdleBillingResources(template: CfnTemplate): IdleBillingFinding[] {
  const out: IdleBillingFinding[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources ?? {})) {
    const p = r.Properties ?? {};
    const add = (why: string) => out.push({ logicalId, type: r.Type, why });
    const fixed = ALWAYS_BILLED[r.Type];
    if (fixed) add(fixed);
    else if (r.Type === "AWS::EC2::VPCEndpoint" && (p.VpcEndpointType ?? "Gateway") !== "Gateway")
      add("interface endpoints bill per hour per AZ (~$7/month each)");
    else if (r.Type === "AWS::ECS::Service" && Number(p.DesiredCount ?? 1) > 0)
      add("an ECS service with desiredCount > 0 keeps a task running");
    else if (
      (r.Type === "AWS::Lambda::Alias" || r.Type === "AWS::Lambda::Version") &&
      p.ProvisionedConcurrencyConfig
    )
      add("provisioned concurrency bills per hour");
    else if (r.Type === "AWS::AutoScaling::AutoScalingGroup" && Number(p.MinSize ?? 0) > 0)
      add("an Auto Scaling group with MinSize > 0 keeps instances running");
    else if (r.Type === "AWS::DynamoDB::Table" && p.BillingMode !== "PAY_PER_REQUEST")
      add("provisioned DynamoDB capacity bills per hour; use on-demand");
    else if (r.Type === "AWS::DynamoDB::GlobalTable" && p.BillingMode !== "PAY_PER_REQUEST")
      add("provisioned DynamoDB capacity bills per hour; use on-demand");
  }
  const resources = Object.entries(template.Resources ?? {});
  let alarmMetrics = 0;
  for (const [logicalId, r] of resources) {
    if (r.Type !== "AWS::CloudWatch::Alarm") continue;
    alarmMetrics += alarmMetricCount(r.Properties ?? {});
    if (alarmMetrics > MONITORING_ALLOWANCE.alarmMetrics) {
      out.push({
        logicalId,
        type: r.Type,
        why: `alarms bill $0.10 per alarm metric-month beyond 10 free per account; this template watches ${alarmMetrics}, more than the ${MONITORING_ALLOWANCE.alarmMetrics} budgeted`,
      });
    }
  }
  const dashboards = resources.filter(([, r]) => r.Type === "AWS::CloudWatch::Dashboard");
  for (const [logicalId, r] of dashboards.slice(MONITORING_ALLOWANCE.dashboards)) {
    out.push({
      logicalId,
      type: r.Type,
      why: `dashboards bill $3 per month beyond 3 free per account; the deployment budgets ${MONITORING_ALLOWANCE.dashboards}`,
    });
  }
  return out;
}

/** Fails `cdk synth` when a template contains an idle-billing resource. */
export class IdleCostGuard implements IPolicyValidationPlugin {
  readonly name = "IdleCostGuard";

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = context.templatePaths.flatMap((templatePath) => {
      const template = JSON.parse(readFileSync(templatePath, "utf8")) as CfnTemplate;
      return findIdleBillingResources(template).map((f) => ({
        ruleName: "idle-billing",
        description: `${f.type} ${f.why}`,
        violatingResources: [{ resourceLogicalId: f.logicalId, templatePath, locations: ["Type"] }],
      }));
    });
    return { success: violations.length === 0, violations };
  }
}
