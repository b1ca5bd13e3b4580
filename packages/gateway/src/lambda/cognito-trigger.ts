import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as z from "zod";
import { createDocumentClient } from "../adapters/aws/aws-stores";
import { DynamoConnectionStore } from "../adapters/aws/dynamo-connection-store";
import { DynamoSettingsStore } from "../adapters/aws/dynamo-settings-store";
import { systemClock } from "../deps";
import { createCognitoTriggerHandler } from "../handlers/cognito-trigger";

/**
 * The user pool's trigger lives in the data stack beside the pool and the tables (the application
 * stack depends on the data stack, so the pool cannot name a function there). It gets only the two
 * tables it writes: no WebSocket endpoint, so it drops the user's sockets rather than closing them.
 */
const env = z
  .object({
    TABLE_SETTINGS: z.string().min(1),
    TABLE_CONNECTIONS: z.string().min(1),
    POWERTOOLS_SERVICE_NAME: z.string().default("cognito-trigger"),
  })
  .parse(process.env);

const doc = createDocumentClient(new DynamoDBClient({}));
const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME });

export const handler = createCognitoTriggerHandler({
  settings: new DynamoSettingsStore(doc, env.TABLE_SETTINGS, systemClock),
  connections: new DynamoConnectionStore(doc, env.TABLE_CONNECTIONS),
  clock: systemClock,
  logger,
});
