/** Cost, requests, tokens and latency over the period (recharts, SVG), from the summary's time series. Loaded lazily. */
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCompact, formatCount, formatMs, formatUsd, formatUsdAxis } from '../../lib/format';
import type { ChartPoint, Headlines } from '../../lib/usage-stats';
import { ChartCard } from './chart-card';

const AXIS = { stroke: '#94a3b8', fontSize: 11, tickLine: false, axisLine: false } as const;
const GRID = { stroke: '#e2e8f0', strokeDasharray: '3 3', vertical: false } as const;
const HEIGHT = 210;

interface UsageChartsProps {
  points: ChartPoint[];
  /** The headers: the period's totals as the stat cards show them (not summed again from the buckets). */
  figures: Headlines;
}

export function UsageCharts({ points, figures }: UsageChartsProps) {
  const data = points;
  const interval = Math.max(0, Math.ceil(data.length / 7) - 1);
  const xAxis = <XAxis dataKey="label" {...AXIS} interval={interval} minTickGap={8} />;
  const tooltip = {
    contentStyle: { borderRadius: 8, border: '1px solid #e2e8f0', fontSize: 12 },
    labelStyle: { color: '#0f172a', fontWeight: 600 },
  };

  return (
    <div className="chart-grid">
      <ChartCard title="Cost" summary={figures.cost}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <AreaChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
            <defs>
              <linearGradient id="cost-fill" x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor="#6366f1" stopOpacity={0.35} />
                <stop offset="100%" stopColor="#6366f1" stopOpacity={0.02} />
              </linearGradient>
            </defs>
            <CartesianGrid {...GRID} />
            {xAxis}
            <YAxis {...AXIS} width={72} tickFormatter={(v: number) => formatUsdAxis(v)} />
            <Tooltip {...tooltip} formatter={(v) => [formatUsd(Math.round(Number(v))), 'Cost']} />
            <Area
              type="monotone"
              dataKey="cost_micro_usd"
              name="Cost"
              stroke="#4f46e5"
              strokeWidth={2}
              fill="url(#cost-fill)"
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title="Requests" summary={figures.requests}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <BarChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid {...GRID} />
            {xAxis}
            <YAxis {...AXIS} width={40} allowDecimals={false} />
            <Tooltip {...tooltip} cursor={{ fill: '#f1f5f9' }} formatter={(v, name) => [formatCount(Number(v)), name]} />
            <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="ok" name="Succeeded" stackId="r" fill="#10b981" isAnimationActive={false} />
            <Bar dataKey="errors" name="Failed" stackId="r" fill="#f43f5e" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title="Tokens" summary={figures.tokens}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <AreaChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid {...GRID} />
            {xAxis}
            <YAxis {...AXIS} width={48} allowDecimals={false} tickFormatter={(v: number) => formatCompact(v)} />
            <Tooltip {...tooltip} formatter={(v, name) => [formatCount(Number(v)), name]} />
            <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
            <Area
              type="monotone"
              dataKey="prompt_tokens"
              name="Input"
              stackId="t"
              stroke="#8b5cf6"
              fill="#ddd6fe"
              isAnimationActive={false}
            />
            <Area
              type="monotone"
              dataKey="completion_tokens"
              name="Output"
              stackId="t"
              stroke="#0ea5e9"
              fill="#bae6fd"
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title="Latency" summary={figures.latency}>
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart data={data} margin={{ top: 8, right: 8, left: 0, bottom: 0 }}>
            <CartesianGrid {...GRID} />
            {xAxis}
            <YAxis {...AXIS} width={56} tickFormatter={(v: number) => formatMs(v)} />
            <Tooltip {...tooltip} formatter={(v, name) => [formatMs(Number(v)), name]} />
            <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
            <Line
              type="monotone"
              dataKey="p50"
              name="p50"
              stroke="#0ea5e9"
              strokeWidth={2}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="p95"
              name="p95"
              stroke="#f59e0b"
              strokeWidth={2}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
    </div>
  );
}
