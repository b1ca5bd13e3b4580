import type { UsageMonth } from "@serverless-openclaw/shared";

export interface UsageChartProps {
  /** Newest first, as GET /usage returns them; drawn oldest → newest. */
  months: UsageMonth[];
  /** Drawn as a dashed line when set. */
  budgetUsd: number | null;
}

const W = 480;
const H = 180;
const PAD = { top: 12, right: 8, bottom: 28, left: 44 };

/** A plain SVG bar chart of estimated cost per month (no chart library: it would outweigh the page). */
export function UsageChart({ months, budgetUsd }: UsageChartProps) {
  const bars = [...months].reverse();
  const top = Math.max(0.01, budgetUsd ?? 0, ...bars.map((m) => m.estimatedUsd)) * 1.1;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, bars.length);
  const y = (usd: number) => PAD.top + innerH - (usd / top) * innerH;
  return (
    <svg
      className="usage-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label="Estimated agent cost per month"
      data-testid="usage-chart"
    >
      <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} stroke="currentColor" strokeOpacity={0.4} />
      <text x={PAD.left - 6} y={y(top / 1.1)} textAnchor="end" fontSize={11} dominantBaseline="middle">
        ${(top / 1.1).toFixed(2)}
      </text>
      <text x={PAD.left - 6} y={y(0)} textAnchor="end" fontSize={11} dominantBaseline="middle">
        $0
      </text>
      {bars.map((m, i) => {
        const x = PAD.left + i * slot + slot * 0.15;
        const h = y(0) - y(m.estimatedUsd);
        return (
          <g key={m.month} data-testid={`usage-bar-${m.month}`}>
            <rect
              x={x}
              y={y(m.estimatedUsd)}
              width={slot * 0.7}
              height={Math.max(0, h)}
              fill="currentColor"
              fillOpacity={0.6}
            >
              <title>{`${m.month}: ${m.agentHours.toFixed(2)} agent-hours, ~$${m.estimatedUsd.toFixed(2)}`}</title>
            </rect>
            <text x={x + slot * 0.35} y={H - 10} textAnchor="middle" fontSize={11}>
              {m.month.slice(2)}
            </text>
          </g>
        );
      })}
      {budgetUsd !== null && budgetUsd > 0 && (
        <g data-testid="usage-budget-line">
          <line
            x1={PAD.left}
            x2={W - PAD.right}
            y1={y(budgetUsd)}
            y2={y(budgetUsd)}
            stroke="currentColor"
            strokeDasharray="4 3"
          />
          <text x={W - PAD.right} y={y(budgetUsd) - 4} textAnchor="end" fontSize={11}>
            budget ${budgetUsd.toFixed(2)}
          </text>
        </g>
      )}
    </svg>
  );
}
