import type { UsageReport } from "@serverless-openclaw/shared";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";
import { UsageChart } from "./usage-chart";

export interface UsagePageProps {
  api: Pick<HttpApi, "getUsage" | "putSettings">;
}

/** Agent-hours and estimated cost per month, and the monthly budget cap (docs/monitoring.md). */
export function UsagePage({ api }: UsagePageProps) {
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [budget, setBudget] = useState("");
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(() => {
    api.getUsage().then(
      (r) => {
        setReport(r);
        setBudget(
          r.budgetSource === "settings" && r.monthlyBudgetUsd !== null ? String(r.monthlyBudgetUsd) : "",
        );
      },
      (e: Error) => setError(e.message),
    );
  }, [api]);
  useEffect(load, [load]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    const value = budget.trim() === "" ? null : Number(budget);
    if (value !== null && (!Number.isFinite(value) || value < 0)) {
      setError("The budget must be a number of dollars, 0 or more (empty: the deployment default).");
      return;
    }
    try {
      await api.putSettings({ monthlyBudgetUsd: value });
      setSaved(
        value === null
          ? "Using the deployment's default budget."
          : `Budget set to $${value.toFixed(2)} a month.`,
      );
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not save the budget.");
    }
  };

  const current = report?.months[0];
  return (
    <main className="settings-page usage-page" data-testid="usage-page">
      <h1>Usage</h1>
      {error && (
        <p className="form-error" role="alert" data-testid="usage-error">
          {error}
        </p>
      )}
      {report && current && (
        <>
          <p data-testid="usage-current">
            This month: <strong>{current.agentHours.toFixed(2)} agent-hours</strong> in {current.starts}{" "}
            {current.starts === 1 ? "start" : "starts"}, about{" "}
            <strong>${current.estimatedUsd.toFixed(2)}</strong>
            {report.monthlyBudgetUsd !== null && ` of your $${report.monthlyBudgetUsd.toFixed(2)} budget`}.
          </p>
          {report.budgetExceeded && (
            <p className="form-error" role="alert" data-testid="usage-over-budget">
              {report.budgetSource === "deployment"
                ? "This deployment's monthly budget is used up: the agent will not start until the month ends or whoever runs the deployment raises it."
                : "The monthly budget is used up: the agent will not start until you raise it below or the month ends."}
            </p>
          )}
          <UsageChart months={report.months} budgetUsd={report.monthlyBudgetUsd} />
          <table className="usage-table" data-testid="usage-table">
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Agent-hours</th>
                <th scope="col">Starts</th>
                <th scope="col">Estimate</th>
              </tr>
            </thead>
            <tbody>
              {report.months.map((m) => (
                <tr key={m.month}>
                  <td>{m.month}</td>
                  <td>{m.agentHours.toFixed(2)}</td>
                  <td>{m.starts}</td>
                  <td>${m.estimatedUsd.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            {report.note} One agent-hour is estimated at ${report.hourlyUsd.toFixed(4)}.
          </p>
        </>
      )}
      <form onSubmit={(e) => void save(e)} aria-labelledby="budget-title">
        <h2 id="budget-title">Monthly budget</h2>
        <div className="field">
          <label htmlFor="monthly-budget">
            Stop starting the agent once this month's estimate reaches (USD)
          </label>
          <input
            id="monthly-budget"
            inputMode="decimal"
            value={budget}
            placeholder={
              report?.budgetSource === "deployment" && report.monthlyBudgetUsd !== null
                ? `deployment default: ${report.monthlyBudgetUsd}`
                : "no limit"
            }
            onChange={(e) => setBudget(e.target.value)}
            data-testid="monthly-budget"
          />
          <small className="hint" data-testid="budget-ceiling">
            {report?.deploymentBudgetUsd
              ? `This deployment caps every user at $${report.deploymentBudgetUsd.toFixed(2)} a month: you can set a lower budget, not a higher one. `
              : ""}
            Empty uses the deployment's default; 0 keeps the agent from starting at all.
          </small>
        </div>
        <button type="submit" className="primary" data-testid="budget-save">
          Save budget
        </button>
        {saved && (
          <p className="notice" role="status" data-testid="budget-saved">
            {saved}
          </p>
        )}
      </form>
    </main>
  );
}
