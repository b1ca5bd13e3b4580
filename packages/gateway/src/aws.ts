// The AWS side of the core: the adapters over DynamoDB, S3 and SSM, the table definitions (the CDK
// stack and the stand-ins create the same tables) and the Lambda runtime that wires them.
export { type AwsStoresConfig, createAwsStores, createDocumentClient } from "./adapters/aws/aws-stores";
export { S3BlobStore } from "./adapters/aws/s3-blob-store";
export { SsmSecretStore } from "./adapters/aws/ssm-secret-store";
export {
  createTables,
  STANDIN_TABLE_NAMES,
  TABLE_DEFINITIONS,
  type TableDefinition,
  type TableNames,
} from "./adapters/aws/tables";
export {
  type AwsEnv,
  AwsEnvSchema,
  type AwsRuntime,
  awsRuntime,
  ConfigError,
  createAwsRuntime,
  lambdaHandler,
  METRICS_SERVICE,
  readAwsEnv,
} from "./runtime/aws";
