import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
} from 'chart.js';

// Tree-shaken: only the bar and line charts the dashboard draws (no time scale, no animations plugin set up).
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
Chart.defaults.color = '#5d6673'; // --muted: AA on white
Chart.defaults.borderColor = '#e6e9ee';
Chart.defaults.animation = false; // figures, not motion; and nothing moves under a reader or a screenshot

export const CHART_COLORS = {
  accent: '#2f5bd3',
  accentLight: '#9db4ee',
  ok: '#1e7a46',
  warn: '#b7791f',
  danger: '#b42318',
  muted: '#8a939f',
};

export type MixedData = ChartData<'bar' | 'line', number[], string>;
export type MixedOptions = ChartOptions<'bar' | 'line'>;

/**
 * A chart.js chart on a canvas. The canvas is an image with a name (`label`):
 * every chart on these pages has its figures as text or a table beside it.
 * Redrawn from scratch when the data change (small charts, no animation).
 */
export function ChartCanvas(props: { type: 'bar' | 'line'; data: MixedData; options?: MixedOptions; label: string; testId: string; className?: string }) {
  const { type, data, options, label, testId, className } = props;
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const node = canvas.current;
    if (!node) return;
    const chart = new Chart<'bar' | 'line', number[], string>(node, {
      type,
      data,
      options: { responsive: true, maintainAspectRatio: false, ...options },
    });
    return () => chart.destroy();
  }, [type, data, options]);

  return (
    <div className={`chart ${className ?? ''}`}>
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId}>
        {label}
      </canvas>
    </div>
  );
}
