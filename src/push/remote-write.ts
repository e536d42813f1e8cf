import { networkOf } from '../model/network.ts';
import type { PairResult } from '../model/types.ts';
import { PAIR_METRICS } from '../metrics/names.ts';
import { PushError } from '../errors/push-error.ts';

// Prometheus remote write (1.0) as a sink that scales past a Pushgateway: each measurement is sent
// once, as a sample with its true timestamp (when the test ended), to any receiver — Prometheus with
// --web.enable-remote-write-receiver, Thanos Receive, Mimir, VictoriaMetrics. Nothing is rewritten
// or carried over: a run sends only what it measured, so its volume is O(tests per run), not O(N²).
// The body is a protobuf WriteRequest, snappy-compressed; both encoders are small and written here
// (only the message shapes and snappy's literal-only block form are needed).

export interface RemoteSample {
  /** Label name → value, __name__ included. */
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** The samples of a run's results: every per-pair metric a test produced, at the time it ended. */
export function resultSamples(results: readonly PairResult[], job: string, zones?: ReadonlyMap<string, string>): RemoteSample[] {
  const samples: RemoteSample[] = [];
  for (const result of results) {
    if (result.status === 'skipped' || result.finishedAt <= 0) continue;
    const { source, destination, protocol } = result.pair;
    const labels: Record<string, string> = {
      job,
      source_node: source.node,
      destination_node: destination.node,
      protocol,
      network: networkOf(source),
    };
    if (zones) Object.assign(labels, { source_zone: zones.get(source.node) ?? '', destination_zone: zones.get(destination.node) ?? '' });
    const at = result.finishedAt;
    const add = (name: string, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) samples.push({ labels: { __name__: name, ...labels }, value, timestampMs: at });
    };
    add(PAIR_METRICS.success.name, result.status === 'success' ? 1 : 0);
    add(PAIR_METRICS.duration.name, (result.finishedAt - result.startedAt) / 1000);
    add(PAIR_METRICS.timestamp.name, at / 1000);
    if (result.status !== 'success') continue;
    const measured = result.measurement;
    add(PAIR_METRICS.bandwidth.name, measured.bandwidthMbps);
    add(PAIR_METRICS.jitter.name, measured.jitterMs);
    add(PAIR_METRICS.packets.name, measured.packets);
    add(PAIR_METRICS.lostPackets.name, measured.lostPackets);
    add(PAIR_METRICS.retransmits.name, measured.retransmits);
    add(PAIR_METRICS.rtt.name, measured.rttSeconds);
  }
  return samples;
}

/** prometheus.WriteRequest: timeseries = 1 { labels = 1 { name = 1, value = 2 }, samples = 2 { value = 1 (double), timestamp = 2 } }. */
export function encodeWriteRequest(samples: readonly RemoteSample[]): Uint8Array {
  const out = new Writer();
  for (const sample of samples) {
    const series = new Writer();
    for (const name of Object.keys(sample.labels).sort()) {
      const label = new Writer();
      label.string(1, name);
      label.string(2, sample.labels[name]!);
      series.bytes(1, label.finish());
    }
    const point = new Writer();
    point.double(1, sample.value);
    point.varintField(2, sample.timestampMs);
    series.bytes(2, point.finish());
    out.bytes(1, series.finish());
  }
  return out.finish();
}

/** Snappy's block format with literals only: valid for every decoder, no compression (the transport may gzip). */
export function snappyBlock(data: Uint8Array): Uint8Array {
  const out = new Writer();
  out.varint(data.length);
  for (let offset = 0; offset < data.length; offset += 65536) {
    const chunk = data.subarray(offset, Math.min(data.length, offset + 65536));
    const last = chunk.length - 1; // a literal's tag holds its length − 1
    if (last < 60) out.byte(last << 2);
    else if (last < 256) out.raw([60 << 2, last]);
    else out.raw([61 << 2, last & 255, last >> 8]);
    out.raw(chunk);
  }
  return out.finish();
}

/** POSTs the samples; `fetch` is passed in (the entry's, or a test's). Throws a PushError naming the receiver. */
export async function remoteWrite(
  fetch: typeof globalThis.fetch,
  url: string,
  samples: readonly RemoteSample[],
  timeoutMs: number,
): Promise<void> {
  const body = snappyBlock(encodeWriteRequest(samples));
  const headers = {
    'Content-Type': 'application/x-protobuf',
    'Content-Encoding': 'snappy',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
  };
  let answer: Response;
  try {
    answer = await fetch(url, { method: 'POST', headers, body: Buffer.from(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new PushError('remote write', url, (error as Error).message, { cause: error });
  }
  const text = await answer.text();
  if (!answer.ok) throw new PushError('remote write', url, `HTTP ${answer.status}: ${text.trim().slice(0, 200)}`);
}

class Writer {
  private readonly parts: number[] = [];
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  byte(value: number): void {
    this.parts.push(value);
  }
  raw(bytes: ArrayLike<number>): void {
    this.flush();
    const copy = Uint8Array.from(bytes);
    this.chunks.push(copy);
    this.size += copy.length;
  }
  varint(value: number): void {
    let rest = value;
    while (rest >= 128) {
      this.parts.push((rest % 128) | 128);
      rest = Math.floor(rest / 128);
    }
    this.parts.push(rest);
  }
  varintField(field: number, value: number): void {
    this.varint(field << 3);
    this.varint(value);
  }
  double(field: number, value: number): void {
    this.varint((field << 3) | 1);
    const buffer = new DataView(new ArrayBuffer(8));
    buffer.setFloat64(0, value, true);
    this.raw(new Uint8Array(buffer.buffer));
  }
  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }
  bytes(field: number, value: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    this.raw(value);
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
  private flush(): void {
    if (this.parts.length === 0) return;
    const bytes = Uint8Array.from(this.parts);
    this.parts.length = 0;
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
}
