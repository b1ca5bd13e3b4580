import { CfnBudget } from "aws-cdk-lib/aws-budgets";
import { Construct } from "constructs";

export interface MonthlyBudgetProps {
  readonly limitUsd: number;
  readonly email?: string;
}

/**
 * An AWS Budgets cost budget for the account (budgets without actions are free). It alerts by e-mail
 * at 80 % of actual and 100 % of forecast spend when an address is given.
 */
export class MonthlyBudget extends Construct {
  constructor(scope: Construct, id: string, props: MonthlyBudgetProps) {
    super(scope, id);
    const subscribers = props.email ? [{ subscriptionType: "EMAIL", address: props.email }] : [];
    new CfnBudget(this, "Budget", {
      budget: {
        budgetType: "COST",
        timeUnit: "MONTHLY",
        budgetLimit: { amount: props.limitUsd, unit: "USD" },
      },
      notificationsWithSubscribers: props.email
        ? [
            {
              notification: {
                notificationType: "ACTUAL",
                comparisonOperator: "GREATER_THAN",
                threshold: 80,
                thresholdType: "PERCENTAGE",
              },
              subscribers,
            },
            {
              notification: {
                notificationType: "FORECASTED",
                comparisonOperator: "GREATER_THAN",
                threshold: 100,
                thresholdType: "PERCENTAGE",
              },
              subscribers,
            },
          ]
        : undefined,
    });
  }
}
