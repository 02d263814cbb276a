// Published Node clients against the emulator in strict mode: aliyun-sdk (RPC HMAC-SHA1, Timestamp with milliseconds) and @alicloud/openapi-client (ACS3-HMAC-SM3).
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');

const ALY = require('aliyun-sdk');
const OpenApi = require('@alicloud/openapi-client');

const ROOT = path.resolve(__dirname, '..', '..');
const BINARY = process.env.ECS_EMULATOR_BIN || path.join(ROOT, 'target', 'debug', 'ecs-emulator');
const KEY_ID = 'LTAI5tTESTKEYID00000001';
const KEY_SECRET = 'TestSecretKey0000000000000000A';
const ACCOUNT = '1000000000000001';
const STOPPED = 'i-bp1seedstopped000001';
const REGION = 'cn-hangzhou';
// The seed's running instance in Beijing, driven by the Tea client.
const BEIJING = 'i-2zeseedbeijing000001';

let emulator;
let base;

before(async () => {
  // The binary reads ECS_EMULATOR_* variables as flag defaults: keep the caller's out of it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ECS_EMULATOR_')));
  emulator = spawn(BINARY, [
    'serve', '--listen', '127.0.0.1:0', '--auth', 'strict', '--timing', 'instant',
    '--fixtures', path.join(ROOT, 'fixtures', 'example-seed.json'),
    '--access-key', `${KEY_ID}:${KEY_SECRET}:${ACCOUNT}`,
  ], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  base = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('the emulator printed no listening line')), 30000);
    emulator.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    emulator.on('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
});

after(() => {
  if (emulator) emulator.kill('SIGTERM');
});

async function requestLog() {
  const res = await fetch(`${base}/_emulator/requests`);
  return (await res.json()).requests;
}

async function instanceStatus(ecs) {
  const data = await call(ecs, 'describeInstances', { RegionId: REGION, InstanceIds: JSON.stringify([STOPPED]) });
  return data.Instances.Instance[0].Status;
}

function call(ecs, method, params) {
  return new Promise((resolve, reject) => {
    ecs[method](params, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

function aliyunSdk(secret = KEY_SECRET) {
  return new ALY.ECS({ accessKeyId: KEY_ID, secretAccessKey: secret, endpoint: base, apiVersion: '2014-05-26' });
}

test('aliyun-sdk signs with a millisecond Timestamp and is served in strict mode', async () => {
  const ecs = aliyunSdk();
  const regions = await call(ecs, 'describeRegions', {});
  assert.ok(regions.Regions.Region.some((r) => r.RegionId === REGION));
  await call(ecs, 'startInstance', { InstanceId: STOPPED });
  assert.equal(await instanceStatus(ecs), 'Running');
  await call(ecs, 'stopInstance', { InstanceId: STOPPED });
  assert.equal(await instanceStatus(ecs), 'Stopped');
  const sent = (await requestLog()).filter((e) => e.action === 'StartInstance');
  assert.equal(sent.length, 1);
  assert.match(sent[0].params.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(sent[0].status, 200);
});

test('aliyun-sdk with a wrong secret gets SignatureDoesNotMatch', async () => {
  const err = await call(aliyunSdk('WrongSecret'), 'describeRegions', {}).then(() => null, (e) => e);
  assert.ok(err, 'expected an error');
  assert.equal(err.code, 'SignatureDoesNotMatch');
});

function teaClient(secret = KEY_SECRET) {
  return new OpenApi.default(new OpenApi.Config({
    accessKeyId: KEY_ID,
    accessKeySecret: secret,
    endpoint: new URL(base).host,
    protocol: 'http',
    regionId: REGION,
    signatureAlgorithm: 'ACS3-HMAC-SM3',
  }));
}

function teaCall(client, action, query) {
  const params = new OpenApi.Params({
    action, version: '2014-05-26', protocol: 'HTTP', pathname: '/', method: 'POST',
    authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  const request = new OpenApi.OpenApiRequest({ query });
  return client.callApi(params, request, {});
}

test('@alicloud/openapi-client signs with ACS3-HMAC-SM3 and is served in strict mode', async () => {
  const client = teaClient();
  const status = async () => {
    const r = await teaCall(client, 'DescribeInstanceStatus', { RegionId: 'cn-beijing', 'InstanceId.1': BEIJING });
    return r.body.InstanceStatuses.InstanceStatus[0].Status;
  };
  const stopped = await teaCall(client, 'StopInstance', { InstanceId: BEIJING });
  assert.equal(stopped.statusCode, 200);
  assert.equal(await status(), 'Stopped');
  await teaCall(client, 'StartInstance', { InstanceId: BEIJING });
  assert.equal(await status(), 'Running');
});

test('@alicloud/openapi-client with ACS3-HMAC-SM3 and a wrong secret gets the SM3 string to sign', async () => {
  const err = await teaCall(teaClient('WrongSecret'), 'DescribeRegions', {}).then(() => null, (e) => e);
  assert.ok(err, 'expected an error');
  assert.equal(err.code, 'SignatureDoesNotMatch');
  assert.match(err.data.Message, /server string to sign is:ACS3-HMAC-SM3\n[0-9a-f]{64}$/);
});
