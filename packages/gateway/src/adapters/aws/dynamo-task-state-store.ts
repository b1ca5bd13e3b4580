import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { KEYS, type TaskState, TaskStateSchema } from "@serverless-openclaw/shared";
import type { Clock, TaskStateChange, TaskStateStore } from "../../ports";
import { systemClock } from "../clock";
import { expectedStates, idleRow, parseTaskStateChange } from "../task-state-change";
import { isConditionalCheckFailed } from "./dynamo-errors";

/** TaskState table (partition key userId). Every write is one conditional UpdateItem. */
export class DynamoTaskStateStore implements TaskStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async get(userId: string): Promise<TaskState> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [KEYS.taskState.pk]: userId },
        ConsistentRead: true,
      }),
    );
    return Item ? TaskStateSchema.parse(Item) : idleRow(userId);
  }

  async transition(input: TaskStateChange): Promise<TaskState | undefined> {
    const change = parseTaskStateChange(input);
    const names: Record<string, string> = {
      "#state": "state",
      "#version": "version",
    };
    const values: Record<string, unknown> = { ":one": 1, ":zero": 0, ":now": this.clock.now().toISOString() };

    const states = expectedStates(change);
    const stateList = states.map((state, i) => {
      values[`:s${i}`] = state;
      return `:s${i}`;
    });
    let condition = `#state IN (${stateList.join(", ")})`;
    if (change.expectVersion !== undefined) {
      values[":v"] = change.expectVersion;
      condition += " AND #version = :v";
    }
    // A missing row is Idle at version 0.
    if (states.includes("Idle") && (change.expectVersion ?? 0) === 0) {
      names["#pk"] = KEYS.taskState.pk;
      condition = `attribute_not_exists(#pk) OR (${condition})`;
    }

    const sets = ["#version = if_not_exists(#version, :zero) + :one", "#updatedAt = :now"];
    names["#updatedAt"] = "updatedAt";
    const removes: string[] = [];
    if (change.set.state === undefined) {
      values[":idle"] = "Idle";
      sets.push("#state = if_not_exists(#state, :idle)");
    }
    Object.entries(change.set).forEach(([field, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = field;
      if (value === null) removes.push(`#f${i}`);
      else {
        values[`:f${i}`] = value;
        sets.push(`#f${i} = :f${i}`);
      }
    });

    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [KEYS.taskState.pk]: change.userId },
          ConditionExpression: condition,
          UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return TaskStateSchema.parse(Attributes);
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  async listActive(): Promise<TaskState[]> {
    const out: TaskState[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "#state <> :idle",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":idle": "Idle" },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of page.Items ?? []) out.push(TaskStateSchema.parse(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
