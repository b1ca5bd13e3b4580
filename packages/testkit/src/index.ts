export * from "./dynamodb-local";
export * from "./errors";
export * from "./free-port";
export * from "./process";
export * from "./s3rver";
