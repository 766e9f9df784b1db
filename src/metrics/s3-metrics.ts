/**
 * The S3 front end's Prometheus metrics, in a Registry this instance owns (never the
 * process-wide default registry: two front ends in one process, as tests run them, must
 * not share series). Everything here is an in-memory increment: no I/O on the request path.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { PromGcMetrics } from './gc-metrics.js';

/** One finished request, as the metrics see it. */
export interface RequestSample {
  operation: string;
  status: number;
  durationS: number;
  bytesIn: number;
  bytesOut: number;
}

/** Latency buckets, in seconds: 1 ms to 60 s. */
const LATENCY_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60,
];

/** The front end's metrics. */
export class S3Metrics {
  readonly registry = new Registry();
  private readonly requests;
  private readonly errors;
  private readonly latency;
  private readonly bytesIn;
  private readonly bytesOut;
  /** What the GC worker reports into (this registry's cairn_gc_* series). */
  readonly gc: PromGcMetrics;
  private readonly repairs;
  private readonly usageFlushes;
  private readonly usageReconciles;
  private readonly partChunkReads;

  constructor(options: { processMetrics: boolean } = { processMetrics: true }) {
    const registers = [this.registry];
    const byOp = ['operation'] as const;
    const byOpStatus = ['operation', 'status'] as const;
    this.requests = new Counter({
      name: 'cairn_s3_requests_total',
      help: 'S3 and admin requests answered, by operation and HTTP status',
      labelNames: byOpStatus,
      registers,
    });
    this.errors = new Counter({
      name: 'cairn_s3_errors_total',
      help: 'Requests answered with a 4xx or 5xx status, by operation and status',
      labelNames: byOpStatus,
      registers,
    });
    this.latency = new Histogram({
      name: 'cairn_s3_request_duration_seconds',
      help: 'Time from request headers to the last response byte, by operation',
      labelNames: byOp,
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.bytesIn = new Counter({
      name: 'cairn_s3_received_bytes_total',
      help: 'Request body bytes (declared length), by operation',
      labelNames: byOp,
      registers,
    });
    this.bytesOut = new Counter({
      name: 'cairn_s3_sent_bytes_total',
      help: 'Response body bytes (declared length), by operation',
      labelNames: byOp,
      registers,
    });
    this.gc = new PromGcMetrics(registers);
    this.repairs = new Counter({
      name: 'cairn_ring_read_repairs_total',
      help: 'Replica repairs this front end sent after a read found stale replicas',
      registers,
    });
    this.usageFlushes = new Counter({
      name: 'cairn_usage_counter_flushes_total',
      help: 'Storage counter flushes, by result',
      labelNames: ['result'] as const,
      registers,
    });
    this.usageReconciles = new Counter({
      name: 'cairn_usage_reconciles_total',
      help: 'Buckets reconciled against a manifest scan, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.partChunkReads = new Counter({
      name: 'cairn_manifest_part_chunk_reads_total',
      help: "Chunk records of multipart objects' part lists read",
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one finished request. */
  observeRequest(sample: RequestSample): void {
    const status = String(sample.status);
    const { operation } = sample;
    this.requests.inc({ operation, status });
    if (sample.status >= 400) this.errors.inc({ operation, status });
    this.latency.observe({ operation }, sample.durationS);
    if (sample.bytesIn > 0) this.bytesIn.inc({ operation }, sample.bytesIn);
    if (sample.bytesOut > 0) this.bytesOut.inc({ operation }, sample.bytesOut);
  }

  /** Counts one repair the ring client sent. */
  countRepair(): void {
    this.repairs.inc();
  }

  /** Counts a storage-counter flush. */
  countFlush(result: 'ok' | 'failed'): void {
    this.usageFlushes.inc({ result });
  }

  /** Counts one read of a part-list chunk record. */
  countPartChunkRead(): void {
    this.partChunkReads.inc();
  }

  /** Counts one reconciler pass. */
  countReconcile(outcome: string): void {
    this.usageReconciles.inc({ outcome });
  }

  /** The text exposition of every series. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
