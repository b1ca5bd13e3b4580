import { RetentionDays } from "aws-cdk-lib/aws-logs";

/** CloudWatch accepts only these retention periods (days). */
const ALLOWED = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === "number" && v > 0 && v !== RetentionDays.INFINITE,
);

/** The smallest allowed retention that keeps logs at least `days` days. */
export function logRetention(days: number): RetentionDays {
  const sorted = [...ALLOWED].sort((a, b) => a - b);
  const match = sorted.find((d) => d >= days) ?? sorted[sorted.length - 1];
  return match as RetentionDays;
}
