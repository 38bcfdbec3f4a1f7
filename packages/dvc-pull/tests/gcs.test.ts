import { createHash } from 'node:crypto';
import { cp, mkdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo, runCli, writeFiles } from './helpers.js';

const md5 = (b: string | Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * The slice of the GCS JSON API that @google-cloud/storage uses for get/exists/simple upload, answering like GCS:
 * objects are stored bytes, missing ones are 404 with a JSON error body.
 */
function fakeGcs(objects: Map<string, Buffer>, log: string[]): Server {
  const notFound = (res: ServerResponse, what: string) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 404, message: `No such object: ${what}`, errors: [{ reason: 'notFound' }] },
      }),
    );
  };
  const meta = (bucket: string, name: string, body: Buffer) => ({
    kind: 'storage#object',
    bucket,
    name,
    size: String(body.length),
    md5Hash: createHash('md5').update(body).digest('base64'),
  });
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push(`${req.method} ${url.pathname}`);
    const get = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && get) {
      const key = `${get[1]}/${decodeURIComponent(get[2]!)}`;
      const body = objects.get(key);
      if (!body) return notFound(res, key);
      if (url.searchParams.get('alt') === 'media') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        return res.end(body);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(meta(get[1]!, decodeURIComponent(get[2]!), body)));
    }
    const up = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (req.method === 'POST' && up && url.searchParams.get('uploadType') === 'multipart') {
      const boundary = /boundary=("?)([^";]+)\1/.exec(req.headers['content-type'] ?? '')?.[2];
      const raw = await readBody(req);
      if (!boundary) {
        res.writeHead(400).end('no boundary');
        return;
      }
      // multipart/related: part 1 = JSON metadata, part 2 = the media.
      const parts: Buffer[] = [];
      const sep = Buffer.from(`--${boundary}`);
      let at = raw.indexOf(sep);
      while (at >= 0) {
        const next = raw.indexOf(sep, at + sep.length);
        if (next < 0) break;
        const part = raw.subarray(at + sep.length, next);
        const headEnd = part.indexOf('\r\n\r\n');
        parts.push(part.subarray(headEnd + 4, part.length - 2));
        at = next;
      }
      const metadata = JSON.parse(parts[0]!.toString()) as { name?: string };
      const name = url.searchParams.get('name') ?? metadata.name;
      if (!name || parts.length < 2) {
        res.writeHead(400).end('bad upload');
        return;
      }
      objects.set(`${up[1]}/${name}`, Buffer.from(parts[1]!));
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(meta(up[1]!, name, parts[1]!)));
    }
    res.writeHead(501, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { code: 501, message: `not implemented: ${req.method} ${url.pathname}` } }),
    );
  });
}

describe('gs:// remote against a loopback GCS JSON API server', () => {
  const objects = new Map<string, Buffer>();
  const log: string[] = [];
  let server: Server;
  let endpoint = '';
  beforeAll(async () => {
    server = fakeGcs(objects, log);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('add → push → fresh clone → pull; corrupt object is refused', async () => {
    const config = `[core]\n    remote = g\n['remote "g"']\n    url = gs://bkt/dvc\n    endpointurl = ${endpoint}\n    projectname = test\n`;
    const repo = await makeRepo(config);
    await writeFiles(repo, {
      'data/d/a.txt': 'alpha\n',
      'data/d/b.txt': 'beta\n',
      'data/c.bin': Buffer.from([9, 8, 7]),
    });
    expect((await runCli(['add', 'data/d', 'data/c.bin'], { cwd: repo })).code).toBe(0);
    const push = await runCli(['push'], { cwd: repo });
    expect(push.stderr).toBe('');
    expect(push.stdout).toContain('4 files pushed');
    expect([...objects.keys()].every((k) => k.startsWith('bkt/dvc/files/md5/'))).toBe(true);
    expect(
      objects.get(`bkt/dvc/files/md5/${md5('alpha\n').slice(0, 2)}/${md5('alpha\n').slice(2)}`)?.toString(),
    ).toBe('alpha\n');

    const clone = await makeRepo(config);
    await mkdir(join(clone, 'data'));
    await cp(join(repo, 'data/d.dvc'), join(clone, 'data/d.dvc'));
    await cp(join(repo, 'data/c.bin.dvc'), join(clone, 'data/c.bin.dvc'));
    const pull = await runCli(['pull'], { cwd: clone });
    expect(pull.stderr).toBe('');
    expect(await readFile(join(clone, 'data/d/a.txt'), 'utf8')).toBe('alpha\n');
    expect([...(await readFile(join(clone, 'data/c.bin')))]).toEqual([9, 8, 7]);
    expect(log.some((l) => l.startsWith('GET /storage/v1/b/bkt/o/'))).toBe(true);

    const cKey = [...objects.keys()].find((k) => k.endsWith(md5(Buffer.from([9, 8, 7])).slice(2)))!;
    objects.set(cKey, Buffer.from([9, 8]));
    const clean = await makeRepo(config);
    await mkdir(join(clean, 'data'));
    await cp(join(repo, 'data/c.bin.dvc'), join(clean, 'data/c.bin.dvc'));
    const bad = await runCli(['pull'], { cwd: clean });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('corrupt or truncated');
    expect(bad.stderr).toContain('gs://bkt/dvc');
    const missing = await runCli(['pull', '-r', 'g'], {
      cwd: await makeRepoWith(config, `outs:\n- md5: ${md5('zz')}\n  size: 2\n  hash: md5\n  path: zz\n`),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing on remote 'g'");
  });
});

async function makeRepoWith(config: string, dvc: string): Promise<string> {
  const repo = await makeRepo(config);
  await writeFiles(repo, { 'zz.dvc': dvc });
  return repo;
}
