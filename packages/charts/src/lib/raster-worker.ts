/**
 * A raster worker thread: receives { id, svg, dpi } and answers { id, png } (its buffer transferred, not copied) or
 * { id, error }. The font comes in workerData. Loads resvg only (no vega), so it starts in a few milliseconds, and
 * its heap is small, so the full collection after each image (which frees resvg's native pixmap) is cheap.
 */
import './native-memory.js';
import { parentPort, workerData } from 'node:worker_threads';
import type { ChartFont } from './font.js';
import { collectGarbage } from './gc.js';
import { svgToPngInThread } from './raster.js';

export interface RasterTask {
  id: number;
  svg: string;
  dpi: number;
}

export type RasterReply = { id: number; png: Uint8Array } | { id: number; error: string };

const font = (workerData as { font: ChartFont }).font;
const port = parentPort;
if (port) {
  // the pool sends a worker one task at a time
  port.on('message', async (task: RasterTask) => {
    let reply: RasterReply;
    try {
      reply = { id: task.id, png: await svgToPngInThread(task.svg, task.dpi, font, collectGarbage) };
    } catch (error) {
      reply = { id: task.id, error: error instanceof Error ? error.message : String(error) };
    }
    collectGarbage();
    // encodeRgbaPng's result owns its ArrayBuffer: transferring it moves the bytes without a copy
    if ('png' in reply) port.postMessage(reply, [reply.png.buffer as ArrayBuffer]);
    else port.postMessage(reply);
  });
}
