import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  IniDocument,
  compareCodePoints,
  dos2unix,
  hashBytes,
  isIgnored,
  isTextBlock,
  isTransient,
  parseDvcFile,
  parseIgnore,
  parseTree,
  pyJsonDumps,
  redactText,
  redactUrl,
  remoteKeys,
  cachePath,
  serializeDvcFile,
  serializeTree,
  treeOid,
  unsafeRelpath,
  updateDvcFile,
  withRetry,
  HttpStatusError,
  ObjectNotFound,
} from '../src/index.js';

const md5 = (s: string | Uint8Array) => createHash('md5').update(s).digest('hex');
const tree = (files: Record<string, string>) =>
  Object.entries(files).map(([relpath, c]) => ({ relpath, md5: md5(c) }));

describe('.dir manifests (dvc-data hashfile/tree.py)', () => {
  it('reproduces the test vectors of dvc tests/func/test_install.py', () => {
    // test_merge_driver_no_ancestor: {"foo": "foo", "bar": "bar"} → 5ea40360….dir, size 6, nfiles 2
    const a = tree({ foo: 'foo', bar: 'bar' });
    expect(serializeTree(a).toString()).toBe(
      '[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]',
    );
    expect(treeOid(a)).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
    // test_merge_driver: {"master", "one", "two"} (each file holds its own name) → 839ef937….dir
    expect(treeOid(tree({ two: 'two', master: 'master', one: 'one' }))).toBe(
      '839ef9371606817569c1ee0e5f4ed233.dir',
    );
  });

  it('escapes like json.dumps(ensure_ascii=True) and sorts by code point (golden from CPython 3.11)', () => {
    const entries = tree({
      'données/é.csv': 'a',
      'z/😀.bin': 'b',
      'a"b\\c\t.txt': 'c',
      '\uff5e': 'd',
      '😀x': 'e',
      'del\x7f': 'f',
    });
    expect(serializeTree(entries).toString()).toBe(
      '[{"md5": "4a8a08f09d37b73795649038408b5f33", "relpath": "a\\"b\\\\c\\t.txt"}, ' +
        '{"md5": "8fa14cdd754f91cc6554c9e71929cce7", "relpath": "del\\u007f"}, ' +
        '{"md5": "0cc175b9c0f1b6a831c399e269772661", "relpath": "donn\\u00e9es/\\u00e9.csv"}, ' +
        '{"md5": "92eb5ffee6ae2fec3ad71c777531578f", "relpath": "z/\\ud83d\\ude00.bin"}, ' +
        '{"md5": "8277e0910d750195b448797616e091ad", "relpath": "\\uff5e"}, ' +
        '{"md5": "e1671797c52e15f763380b45e841ec32", "relpath": "\\ud83d\\ude00x"}]',
    );
    expect(treeOid(entries)).toBe('7eb1b4766cf24188661f7a3524bad04b.dir');
    // The manifest parses back to the same entries (a backslash is refused on checkout: see below).
    const safe = entries.filter((e) => !e.relpath.includes('\\'));
    expect(parseTree(serializeTree(safe), 'x.dir')).toEqual(
      [...safe].sort((p, q) => compareCodePoints(p.relpath, q.relpath)),
    );
  });

  it('pyJsonDumps matches Python for scalars and nesting', () => {
    expect(pyJsonDumps({ b: [1, true, null], a: 'x' })).toBe('{"a": "x", "b": [1, true, null]}');
    expect(compareCodePoints('\uff5e', '😀')).toBe(-1);
    expect('\uff5e' < '😀').toBe(false); // why the custom comparison exists
  });

  it('rejects entries that escape the output folder or are malformed', () => {
    const bad = (relpath: string) => Buffer.from(JSON.stringify([{ md5: md5('x'), relpath }]));
    for (const p of [
      '../evil',
      'a/../../evil',
      '/etc/passwd',
      'C:/x',
      'a\\..\\b',
      '',
      'a//b',
      './a',
      '.git/config',
    ])
      expect(() => parseTree(bad(p), 'bad.dir'), p).toThrow(/rejected/);
    expect(unsafeRelpath('a/b/c.txt')).toBeUndefined();
    expect(() => parseTree(Buffer.from('{"md5": 1}'), 'x.dir')).toThrow(/not a JSON list/);
    expect(() => parseTree(Buffer.from('[{"relpath": "a", "md5": "zz"}]'), 'x.dir')).toThrow(/no valid md5/);
    const dup = JSON.stringify([
      { md5: md5('a'), relpath: 'a' },
      { md5: md5('a'), relpath: 'a' },
    ]);
    expect(() => parseTree(Buffer.from(dup), 'x.dir')).toThrow(/duplicate/);
    const fileAndDir = JSON.stringify([
      { md5: md5('a'), relpath: 'a' },
      { md5: md5('a'), relpath: 'a/b' },
    ]);
    expect(() => parseTree(Buffer.from(fileAndDir), 'x.dir')).toThrow(/both a file and a folder/);
    expect(() => parseTree(Buffer.from('not json'), 'x.dir')).toThrow(/not valid JSON/);
  });
});

describe('hashing (dvc-data hashfile/hash.py, istextfile.py)', () => {
  it('md5 hashes raw bytes, CRLF kept', () => {
    expect(hashBytes(Buffer.from('foo'))).toBe('acbd18db4cc2f85cedef654fccc4a4d8');
    expect(hashBytes(Buffer.from('a\r\n'))).toBe(md5('a\r\n'));
  });

  it('md5-dos2unix normalises CRLF in text chunks only, chunk by chunk (golden values from Python)', () => {
    expect(hashBytes(Buffer.from('a,b\r\n1,2\r\n'), 'md5-dos2unix')).toBe('e5ebd4c02cefbe7955977c67ada242b7');
    expect(hashBytes(Buffer.from('a,b\r\n1,2\r\n'), 'md5-dos2unix')).toBe(md5('a,b\n1,2\n'));
    // A CRLF straddling the 1 MiB chunk boundary is not normalised.
    const straddle = Buffer.concat([Buffer.alloc(2 ** 20 - 1, 'x'), Buffer.from('\r\ny\r\n')]);
    expect(hashBytes(straddle, 'md5-dos2unix')).toBe('e1825541a28894307881fc219afcc49f');
    // First chunk text, second chunk binary (starts with NUL): only the first is normalised.
    const n = Math.floor(2 ** 20 / 3);
    const mixed = Buffer.concat([
      Buffer.from('t\r\n'.repeat(n)),
      Buffer.alloc(2 ** 20 - 3 * n, 't'),
      Buffer.from('\x00\r\nz\r\n', 'latin1'),
    ]);
    expect(mixed.length).toBe(1048582);
    expect(hashBytes(mixed, 'md5-dos2unix')).toBe('d1a4988b77547b6b31fb791af0e8da14');
    expect(hashBytes(Buffer.from('\x00\r\n', 'latin1'), 'md5-dos2unix')).toBe(
      md5(Buffer.from('\x00\r\n', 'latin1')),
    );
  });

  it('istextblock: empty is text, NUL is binary, 30% threshold', () => {
    expect(isTextBlock(new Uint8Array())).toBe(true);
    expect(isTextBlock(Buffer.from('abc\x00'))).toBe(false);
    expect(isTextBlock(Buffer.from([0xff, 0xff, 0xff, 65, 65, 65, 65, 65, 65, 65]))).toBe(true); // exactly 30%
    expect(isTextBlock(Buffer.from([0xff, 0xff, 0xff, 0xff, 65, 65, 65, 65, 65, 65]))).toBe(false);
    expect(Buffer.from(dos2unix(Buffer.from('a\r\nb\r\r\n'))).toString()).toBe('a\nb\r\n');
  });
});

describe('.dvc files', () => {
  it('writes the exact text of dvc tests/func/test_add.py and a directory output', () => {
    expect(serializeDvcFile({ md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3, path: 'foo' })).toBe(
      'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: foo\n',
    );
    expect(
      serializeDvcFile({ md5: '5ea40360f5b4ec688df672a4db9c17d1.dir', size: 6, nfiles: 2, path: 'data' }),
    ).toBe(
      'outs:\n- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  size: 6\n  nfiles: 2\n  hash: md5\n  path: data\n',
    );
  });

  it('reads the predecessor pointer, legacy outputs and rejects bad ones', () => {
    const pred = parseDvcFile(
      'outs:\n- md5: b371b6c2f50af512a1d71333499e3212\n  size: 292930\n  hash: md5\n  path: obesity_estimation_modified.csv\n  isexec: true\n',
      'x.dvc',
    );
    expect(pred.outs[0]).toMatchObject({
      md5: 'b371b6c2f50af512a1d71333499e3212',
      size: 292930,
      hashName: 'md5',
      isexec: true,
    });
    const legacy = parseDvcFile(
      'outs:\n- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  size: 6\n  nfiles: 2\n  path: data\n',
      'd.dvc',
    );
    expect(legacy.outs[0]!.hashName).toBe('md5-dos2unix');
    expect(() => parseDvcFile('outs:\n- md5: x\n  path: a\n', 'a.dvc')).toThrow(/a.dvc: .*not an md5/);
    expect(() =>
      parseDvcFile('outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  path: ../../etc/x\n', 'a.dvc'),
    ).toThrow(/outside the repository/);
    expect(() =>
      parseDvcFile('outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: sha256\n  path: a\n', 'a.dvc'),
    ).toThrow(/not supported/);
    expect(() => parseDvcFile('outs: [', 'a.dvc')).toThrow(/^a\.dvc: bad YAML at line \d+, column \d+/);
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nouts: [*c,*c,*c]\n';
    expect(() => parseDvcFile(bomb, 'bomb.dvc')).toThrow(/^bomb\.dvc: bad YAML: .*alias/);
    expect(() => parseDvcFile('foo: 1\n', 'a.dvc')).toThrow(/"outs"/);
  });

  it('updates in place, keeping comments and extra keys', () => {
    const text =
      '# data\nouts:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  path: foo\n  desc: the foo\n';
    const out = updateDvcFile(text, { md5: '37b51d194a7513e45b56f6524f2d51f2', size: 3 });
    expect(out).toContain('# data');
    expect(out).toContain('desc: the foo');
    expect(parseDvcFile(out, 'foo.dvc').outs[0]).toMatchObject({
      md5: '37b51d194a7513e45b56f6524f2d51f2',
      hashName: 'md5',
    });
  });
});

describe('.dvc/config (configobj INI)', () => {
  const sample =
    '[core]\n    remote = myremote\n# comment kept\n[\'remote "myremote"\']\n    url = s3://bucket/path\n    region = us-east-2  # inline\n';
  it('parses quoted section names, inline comments and quoted values', () => {
    const doc = IniDocument.parse(sample, 'config');
    expect(doc.get('core', 'remote')).toBe('myremote');
    expect(doc.get('remote "myremote"', 'url')).toBe('s3://bucket/path');
    expect(doc.get('remote "myremote"', 'region')).toBe('us-east-2');
    expect(IniDocument.parse('[a]\n  k = "x # y"\n', 'c').get('a', 'k')).toBe('x # y');
    expect(() => IniDocument.parse('[a\n', 'cfg')).toThrow(/cfg:1/);
    expect(() => IniDocument.parse('[a]\nnovalue\n', 'cfg')).toThrow(/cfg:2/);
  });
  it('edits keep every other line and write DVC-style sections', () => {
    const doc = IniDocument.parse(sample, 'config');
    doc.set('remote "myremote"', 'endpointurl', 'http://127.0.0.1:9000');
    doc.set('remote "other"', 'url', '../x');
    doc.set('core', 'remote', 'other');
    expect(doc.toString()).toBe(
      '[core]\n    remote = other\n# comment kept\n[\'remote "myremote"\']\n    url = s3://bucket/path\n    region = us-east-2  # inline\n' +
        '    endpointurl = http://127.0.0.1:9000\n[\'remote "other"\']\n    url = ../x\n',
    );
    doc.removeSection('remote "myremote"');
    expect(doc.toString()).not.toContain('myremote"');
  });
});

describe('.dvcignore', () => {
  it('follows gitignore rules', () => {
    const rules = parseIgnore('# c\n*.tmp\n/build/\nlogs/**/debug.log\n!keep.tmp\ndata/*.bak\n', '');
    expect(isIgnored(rules, 'a/x.tmp', false)).toBe(true);
    expect(isIgnored(rules, 'a/keep.tmp', false)).toBe(false);
    expect(isIgnored(rules, 'build', true)).toBe(true);
    expect(isIgnored(rules, 'a/build', true)).toBe(false);
    expect(isIgnored(rules, 'build', false)).toBe(false);
    expect(isIgnored(rules, 'logs/a/b/debug.log', false)).toBe(true);
    expect(isIgnored(rules, 'logs/debug.log', false)).toBe(true);
    expect(isIgnored(rules, 'data/x.bak', false)).toBe(true);
    expect(isIgnored(rules, 'other/data/x.bak', false)).toBe(false);
    expect(isIgnored([], 'a/.git', true)).toBe(true);
    const nested = parseIgnore('*.csv\n', 'sub');
    expect(isIgnored(nested, 'sub/a.csv', false)).toBe(true);
    expect(isIgnored(nested, 'a.csv', false)).toBe(false);
  });
});

describe('layout, secrets and retries', () => {
  it('maps oids to DVC 3 and legacy locations', () => {
    const oid = 'b371b6c2f50af512a1d71333499e3212';
    expect(remoteKeys({ oid, hashName: 'md5' })).toEqual(['files/md5/b3/71b6c2f50af512a1d71333499e3212']);
    expect(remoteKeys({ oid, hashName: 'md5-dos2unix' })[0]).toBe('b3/71b6c2f50af512a1d71333499e3212');
    expect(cachePath('/c', { oid: `${oid}.dir`, hashName: 'md5' })).toBe(
      '/c/files/md5/b3/71b6c2f50af512a1d71333499e3212.dir',
    );
  });

  it('redacts credentials from URLs and messages', () => {
    expect(redactUrl('https://user:hunter22@host/path?sig=abc')).toBe('https://host/path');
    expect(redactText('failed https://a.blob/x?sv=1&sig=SECRETSIG', [])).not.toContain('SECRETSIG');
    expect(redactText('key wJalrXUtnFEMI here', ['wJalrXUtnFEMI'])).toBe('key *** here');
    expect(redactText('DefaultEndpointsProtocol=http;AccountKey=abc123==;', [])).not.toContain('abc123');
  });

  it('retries transient errors with backoff, never missing objects', async () => {
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient({ $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isTransient(new HttpStatusError(403, 'no'))).toBe(false);
    expect(isTransient(new ObjectNotFound('k'))).toBe(false);
    const delays: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw new HttpStatusError(503, 'busy');
        return 'ok';
      },
      { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000, sleep: async (ms) => void delays.push(ms) },
    );
    expect(value).toBe('ok');
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    await expect(
      withRetry(async () => Promise.reject(new HttpStatusError(500, 'down')), {
        attempts: 3,
        baseDelayMs: 1,
        maxDelayMs: 1,
      }),
    ).rejects.toThrow('down');
  });
});
