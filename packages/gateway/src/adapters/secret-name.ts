import { invalidArgument } from "./store-error";

/** Secret names are paths like `users/<userId>/llm-api-key`, valid as SSM parameter name parts. */
export function validateSecretName(name: string): string {
  if (
    !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(name) ||
    name.length > 900 ||
    name.split("/").includes("..")
  ) {
    throw invalidArgument(
      `Invalid secret name ${JSON.stringify(name.slice(0, 100))}: use '/'-separated letters, digits, '.', '-' and '_'.`,
    );
  }
  return name;
}

/** SSM rejects empty values, so every secret store does. */
export function validateSecretValue(value: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 4096) {
    throw invalidArgument("A secret value must be a non-empty string of at most 4096 characters.");
  }
  return value;
}
