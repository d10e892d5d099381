'use strict';
// Secret-key state: a per-user folder outside any repository, owner-only modes; CSV rows skip id/label columns.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { stateDir, statePath, writeState, readCsvRow } = require('../src/node-io');

test('state lives under XDG_CONFIG_HOME/veil (else ~/.config/veil) with modes 700/600', () => {
  const saved = process.env.XDG_CONFIG_HOME;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-state-'));
  try {
    process.env.XDG_CONFIG_HOME = home;
    assert.strictEqual(stateDir(), path.join(home, 'veil'));
    const file = statePath('bob');
    assert.strictEqual(file, path.join(home, 'veil', 'bob.json'));
    const old = process.umask(0o022);
    try { writeState(file, { secret_key: 'c2VjcmV0' }); } finally { process.umask(old); }
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
    assert.strictEqual(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { secret_key: 'c2VjcmV0' });
    delete process.env.XDG_CONFIG_HOME;
    assert.strictEqual(stateDir(), path.join(os.homedir(), '.config', 'veil'));
    assert.throws(() => statePath('../escape'), /not a plain name/);
  } finally {
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME; else process.env.XDG_CONFIG_HOME = saved;
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('CSV rows: header-named id and label columns are skipped, even numeric ones', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veil-csv-'));
  try {
    const file = path.join(dir, 'x.csv');
    fs.writeFileSync(file, 'id,a,b,label\n7,1.5,2.5,1\n8,3,4,0\n');
    assert.deepStrictEqual(readCsvRow(file, 1, 2), [3, 4]);
    fs.writeFileSync(file, '1,2,3\n');
    assert.deepStrictEqual(readCsvRow(file, 0, 2), [2, 3]);
    assert.throws(() => readCsvRow(file, 5, 2), /has 1 data rows/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
