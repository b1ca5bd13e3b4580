import { RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import type { DeployConfig } from "../config";
import { Auth } from "../constructs/auth";
import { Storage } from "../constructs/storage";

export interface DataStackProps extends StackProps {
  readonly config: DeployConfig;
}

/**
 * Everything that holds user data: tables, the data bucket and the user pool. Kept apart from the
 * application stack so the application can be destroyed and redeployed without touching the data.
 */
export class DataStack extends Stack {
  readonly storage: Storage;
  readonly auth: Auth;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const removalPolicy = props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.storage = new Storage(this, "Storage", { removalPolicy });
    this.auth = new Auth(this, "Auth", { selfSignUp: props.config.selfSignUp, removalPolicy });
  }
}
