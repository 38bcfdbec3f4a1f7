import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FILE,
  loadBundle,
  parseBundle,
  readBundle,
  serializeBundle,
  writeModelFolder,
  type BundleContent,
} from '../src/index.js';
import { sampleBundle } from './helpers.js';

describe('bundle format', () => {
  it('is deterministic and round-trips', () => {
    const a = serializeBundle(sampleBundle());
    const b = serializeBundle(sampleBundle());
    expect(a).toBe(b);
    expect(a.startsWith('{"format":"mlops-model-bundle","schema_version":1,"checksum":"sha256:')).toBe(true);
    expect(parseBundle(a, 'x.json')).toEqual(JSON.parse(JSON.stringify(sampleBundle())));
  });

  it('refuses an edited, truncated, foreign or other-version file, naming it', () => {
    const text = serializeBundle(sampleBundle());
    const edited = text.replace('"model_name":"LogisticRegression"', '"model_name":"LogisticRegressioN"');
    expect(() => parseBundle(edited, 'm/model_bundle.json')).toThrow(
      'm/model_bundle.json: damaged model bundle: checksum mismatch (the file was truncated or edited)',
    );
    expect(() => parseBundle(text.slice(0, text.length - 100), 'f.json')).toThrow(
      'f.json: damaged model bundle: the file is truncated',
    );
    expect(() => parseBundle(text.slice(0, 1000) + '}', 'f.json')).toThrow(
      'f.json: damaged model bundle: checksum mismatch',
    );
    expect(() => parseBundle(text.slice(0, 60), 'f.json')).toThrow(
      'f.json: damaged model bundle: unreadable header',
    );
    expect(() => parseBundle('{"a":1}', 'f.json')).toThrow('f.json: not a model bundle');
    expect(() => parseBundle(text.replace('"schema_version":1', '"schema_version":2'), 'f.json')).toThrow(
      'f.json: model bundle schema version 2; this build reads version 1',
    );
  });

  it('refuses values JSON cannot hold, naming their path', () => {
    const bad = { ...sampleBundle(), params: { C: NaN } } as BundleContent;
    expect(() => serializeBundle(bad)).toThrow('bundle: content.params.C is NaN');
    const typed = { ...sampleBundle(), params: { w: new Float64Array(2) } } as unknown as BundleContent;
    expect(() => serializeBundle(typed)).toThrow('content.params.w is a typed array');
  });

  it('checks the structure behind a valid checksum', () => {
    const content = { ...sampleBundle(), labels: ['only'] } as unknown as BundleContent;
    expect(() => parseBundle(serializeBundle(content), 'f.json')).toThrow(
      'f.json: invalid model bundle: labels',
    );
    const proto = {
      ...sampleBundle(),
      labels: ['__proto__', 'b', 'c', 'd', 'e', 'f', 'g'],
    } as unknown as BundleContent;
    expect(() => parseBundle(serializeBundle(proto), 'f.json')).toThrow(
      'labels: "__proto__" is not lower snake case',
    );
  });
});

describe('model folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'model-folder-'));

  it('is written whole, replaced whole, and read back', () => {
    const dir = join(root, 'models');
    writeModelFolder(dir, [
      { name: BUNDLE_FILE, data: serializeBundle(sampleBundle(1)) },
      { name: 'MLmodel', data: 'x' },
    ]);
    expect(readdirSync(dir).sort()).toEqual(['MLmodel', BUNDLE_FILE]);
    writeModelFolder(dir, [{ name: BUNDLE_FILE, data: serializeBundle(sampleBundle(2)) }]);
    expect(readdirSync(dir)).toEqual([BUNDLE_FILE]);
    expect(readdirSync(root)).toEqual(['models']);
    expect(readBundle(dir).preprocessing).toEqual(sampleBundle(2).preprocessing);
    expect(loadBundle(join(dir, BUNDLE_FILE)).labels).toHaveLength(7);
  });

  it('never replaces a folder that is not a model folder, nor a file', () => {
    const other = join(root, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'keep.txt'), 'mine');
    expect(() => writeModelFolder(other, [{ name: BUNDLE_FILE, data: '{}' }])).toThrow(
      `${other}: cannot write the model folder: it holds other files and no ${BUNDLE_FILE}`,
    );
    expect(readFileSync(join(other, 'keep.txt'), 'utf8')).toBe('mine');
    expect(() => writeModelFolder(join(other, 'keep.txt'), [])).toThrow(
      'cannot write the model folder: it is a file',
    );
  });

  it('a missing folder or file is a clear error', () => {
    expect(() => loadBundle(join(root, 'nope'))).toThrow(`${join(root, 'nope')}: no model bundle there`);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => loadBundle(empty)).toThrow(`${join(empty, BUNDLE_FILE)}: no model bundle there`);
  });
});
