import * as z from "zod";
import { invalidArgument } from "./store-error";

/**
 * Settings values are JSON documents. Normalising them through JSON gives every adapter the same
 * semantics (undefined fields dropped, dates as strings) and keeps DynamoDB's marshaller from
 * rejecting undefined values.
 */
export function toJsonValue(value: unknown): unknown {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined)
    throw invalidArgument("A setting value must be JSON (not undefined or a function).");
  return JSON.parse(text);
}

export function validateSettingKey(settingKey: string): string {
  if (settingKey.length === 0 || settingKey.length > 256) {
    throw invalidArgument("A setting key must be 1 to 256 characters long.");
  }
  return settingKey;
}

export const ExpiresAtSchema = z.number().int().positive();

export function validateExpiresAt(expiresAt: number | undefined): number | undefined {
  if (expiresAt === undefined) return undefined;
  if (!ExpiresAtSchema.safeParse(expiresAt).success || expiresAt > 1e11) {
    throw invalidArgument("expiresAt must be a whole number of epoch seconds.");
  }
  return expiresAt;
}
