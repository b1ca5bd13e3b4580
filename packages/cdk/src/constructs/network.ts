import { Validations } from "aws-cdk-lib";
import { GatewayVpcEndpointAwsService, SecurityGroup, SubnetType, Vpc } from "aws-cdk-lib/aws-ec2";
import { Construct } from "constructs";

/**
 * A VPC with public subnets only. The agent task gets a public IP for its outbound traffic (LLM APIs,
 * API Gateway, ECR), so there is no NAT gateway and no interface endpoint: both bill by the hour while
 * idle. S3 and DynamoDB gateway endpoints are free and keep that traffic inside AWS.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly taskSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: "public", subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
      // Nothing is ever placed in the default security group. Restricting it needs a custom-resource
      // Lambda whose log group CloudFormation cannot give a retention.
      restrictDefaultSecurityGroup: false,
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    Validations.of(this.vpc).acknowledge({
      id: "AwsSolutions-VPC7",
      reason:
        "The VPC hosts only the agent task, which accepts no inbound traffic; flow logs would bill " +
        "CloudWatch ingestion for every byte of its outbound traffic. Enable them for an investigation.",
    });

    // No ingress rule at all: the task connects out to the gateway over a WebSocket.
    this.taskSecurityGroup = new SecurityGroup(this, "TaskSecurityGroup", {
      vpc: this.vpc,
      description: "OpenClaw agent task: outbound only, no inbound rules",
      allowAllOutbound: true,
    });
  }
}
