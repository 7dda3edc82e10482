import { intervalsOfSeries, type IntervalHistograms } from './interval.js';
import type { SeriesData } from './series.js';

/** The version of HdrHistogram's interval log format written (HistogramLogWriter's, Java and JS alike). */
export const HLOG_FORMAT_VERSION = '1.3';

/**
 * Values are recorded in µs; `Interval_Max` is written in ms, i.e. divided by this ratio (HistogramLogWriter's
 * `maxValueUnitRatio`; jHiccup records ns and writes ms with 1e6). The histograms themselves stay in µs.
 */
export const HLOG_MAX_VALUE_UNIT_RATIO = 1000;

const LEGEND = '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"';

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * Writes an HdrHistogram interval log (format 1.3), as HistogramLogWriter does: a header of comments
 * (`#[Histogram log format version 1.3]`, `#[StartTime: <s> (seconds since epoch), <date>]`, `#[BaseTime: ...]`),
 * the legend line, then one line per interval and tag:
 *
 *     Tag=<tag>,<start s, relative to BaseTime>,<length s>,<max ms>,<HDR V2 compressed base64>
 *
 * Readable by HistogramLogReader (Java, hdr-histogram-js), HdrLogProcessing and the HdrHistogram plotter. The
 * writer only formats: it hands text to `out`, so a CLI can stream it to a file and a parent process can feed it
 * intervals merged from its children (`mergeIntervals`), in time order.
 */
export class HlogWriter {
  private headerDone = false;

  /**
   * `startMs`: the run's start (the log's StartTime, ms since the epoch). `baseMs`: what interval timestamps are
   * relative to (BaseTime); by default the start's whole second, as series intervals are keyed by second.
   */
  constructor(
    private readonly out: (text: string) => void, readonly startMs: number, readonly baseMs = Math.floor(startMs / 1000) * 1000,
  ) {}

  /** The header; written by the first `interval()` if not called before. */
  header(): void {
    if (this.headerDone) return;
    this.headerDone = true;
    this.out([
      `#[Histogram log format version ${HLOG_FORMAT_VERSION}]`,
      `#[StartTime: ${seconds(this.startMs)} (seconds since epoch), ${new Date(this.startMs).toISOString()}]`,
      `#[BaseTime: ${seconds(this.baseMs)} (seconds since epoch)]`,
      '#[chargestorm: values in microseconds, Interval_Max in milliseconds; tags: ocpp_call_duration (all actions),'
        + ' ocpp_call_duration.<Action>, ocpp_connect_duration]',
      LEGEND,
      '',
    ].join('\n'));
  }

  /** One line per tag of the interval, tags in name order; an interval without samples writes nothing. */
  interval(iv: IntervalHistograms): void {
    this.header();
    const start = seconds(iv.startMs - this.baseMs);
    const length = seconds(iv.ms);
    let text = '';
    for (const tag of Object.keys(iv.histograms).sort()) {
      const h = iv.histograms[tag]!;
      text += `Tag=${tag},${start},${length},${(h.maxUs / HLOG_MAX_VALUE_UNIT_RATIO).toFixed(3)},${h.hdr}\n`;
    }
    if (text !== '') this.out(text);
  }
}

/** A whole hlog from a (merged) snapshot's series: every second that timed something, every tag. */
export function hlogOfSeries(series: SeriesData, startMs: number): string {
  let text = '';
  const w = new HlogWriter((t) => { text += t; }, startMs);
  w.header();
  for (const iv of intervalsOfSeries(series)) w.interval(iv);
  return text;
}
