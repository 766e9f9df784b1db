/**
 * A Chart.js chart as a component: the canvas is made once, its data replaced on each
 * render (no animation, so refreshes do not flicker). The label is the chart's accessible
 * name; the pages also show the same figures as a table.
 */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Colors,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Colors,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

/** Draws `config`; `label` describes it for screen readers. */
export function ChartView(props: { config: ChartConfiguration; label: string; small?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    if (!chart.current) {
      const options = { ...props.config.options, animation: false as const, responsive: true };
      chart.current = new Chart(canvas.current, { ...props.config, options });
    } else {
      chart.current.data = props.config.data;
      chart.current.update('none');
    }
  }, [props.config]);
  useEffect(() => () => chart.current?.destroy(), []);
  return (
    <div class={props.small ? 'chart small' : 'chart'}>
      <canvas ref={canvas} role="img" aria-label={props.label} />
    </div>
  );
}
