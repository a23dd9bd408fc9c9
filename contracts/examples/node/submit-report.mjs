// Submits a signed infringement report to IntelExchange and verifies the receipt, with jose and Node's https module.
//
//   node submit-report.mjs [--data DIR] [--url URL] [--tenant ID] [--report FILE]
//
//   --data    data folder holding dev-pki/ (default: $INTELX_DATA or ./.intelx)
//   --url     partner API base URL (default: https://127.0.0.1:5443)
//   --tenant  demo tenant whose certificate and signing key are used (default: ifpi)
//   --report  report to send, byte for byte (default: ../curl/report.json with a fresh externalId)
//
// Prints the exchange's answer, "reportId: <id>" and "receipt verified", or exits non-zero.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as jose from 'jose';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.INTELX_DATA ?? './.intelx' },
    url: { type: 'string', default: 'https://127.0.0.1:5443' },
    tenant: { type: 'string', default: 'ifpi' },
    report: { type: 'string' },
  },
});
const baseUrl = options.url.replace(/\/$/, '');
const tenant = options.tenant;
const pki = path.join(options.data, 'dev-pki');

// mTLS: our client certificate, and trust only the exchange's CA.
const agent = new https.Agent({
  ca: await readFile(path.join(pki, 'ca.crt')),
  cert: await readFile(path.join(pki, tenant, 'client.crt')),
  key: await readFile(path.join(pki, tenant, 'client.key')),
});

const body = await reportBytes();
const signingKey = await jose.importPKCS8(await readFile(path.join(pki, tenant, 'signing.key'), 'utf8'), 'ES256');
const kid = (await readFile(path.join(pki, tenant, 'signing.kid'), 'utf8')).trim();
const signature = await signDetached(body, signingKey, {
  alg: 'ES256',
  kid,
  iat: Math.floor(Date.now() / 1000),
  iss: tenant,
  jti: randomUUID(),
  crit: ['iat', 'iss', 'jti'],
});

const response = await send('POST', '/v1/reports', body, {
  'Content-Type': 'application/json',
  'Idempotency-Key': `"${randomUUID()}"`,
  'X-JWS-Signature': signature,
});
console.log(`HTTP ${response.status}`);
console.log(response.body.toString('utf8'));
if (response.status !== 202) {
  fail('the exchange did not accept the report');
}
const accepted = JSON.parse(response.body.toString('utf8'));
console.log(`reportId: ${accepted.reportId}`);

// The receipt is a compact JWS signed by the exchange with a key from its JWKS.
const jwks = await send('GET', '/.well-known/jwks.json');
if (jwks.status !== 200) {
  fail(`GET /.well-known/jwks.json answered ${jwks.status}`);
}
const { payload } = await jose.compactVerify(accepted.receipt, jose.createLocalJWKSet(JSON.parse(jwks.body.toString('utf8'))), {
  algorithms: ['ES256'],
});
const receipt = JSON.parse(new TextDecoder().decode(payload));

// A valid signature is only worth something if it covers what we sent, as us.
if (receipt.bodySha256 !== createHash('sha256').update(body).digest('hex')) {
  fail('receipt bodySha256 is not the hash of the bytes sent');
}
if (receipt.reportId !== accepted.reportId || receipt.tenant !== tenant) {
  fail('receipt names another report or tenant');
}
console.log(`receipt: ${JSON.stringify(receipt)}`);
console.log('receipt verified');

/** The report as bytes: a given file untouched, or the example with a fresh externalId so re-running works. */
async function reportBytes() {
  if (options.report) {
    return readFile(options.report);
  }
  const report = JSON.parse(await readFile(path.join(here, '..', 'curl', 'report.json'), 'utf8'));
  report.externalId = `IFPI-PE-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  return Buffer.from(JSON.stringify(report, null, 2), 'utf8');
}

/**
 * A detached JWS (RFC 7515 Appendix F): sign BASE64URL(header).BASE64URL(body) as usual (b64 stays true), then drop
 * the payload part. jose refuses unknown crit names unless told they are understood.
 */
async function signDetached(bytes, key, header) {
  const compact = await new jose.CompactSign(bytes)
    .setProtectedHeader(header)
    .sign(key, { crit: { iat: true, iss: true, jti: true } });
  const [encodedHeader, , encodedSignature] = compact.split('.');
  return `${encodedHeader}..${encodedSignature}`;
}

function send(method, requestPath, requestBody, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = https.request(new URL(baseUrl + requestPath), { method, agent, headers, timeout: 30_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${method} ${requestPath} timed out`)));
    request.on('error', reject);
    request.end(requestBody);
  });
}

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}
