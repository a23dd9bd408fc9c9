using IntelExchange.Api.Infrastructure.Data;

namespace IntelExchange.Api.Features.Audit;

/// <summary>
/// The bundle's README.txt. The two scripts in it are run as written by the tests (openssl, and Node.js with jose),
/// so what it tells a court to do is known to work.
/// </summary>
internal static class EvidenceReadme
{
    public const string OpensslScriptStart = "----- verify-signature.sh -----";
    public const string NodeScriptStart = "----- verify.mjs -----";
    public const string ScriptEnd = "----- end -----";

    public static string Text(ReportRecord report, long entryIndex, long treeSize) => $$"""
        IntelExchange evidence bundle
        =============================

        Report {{report.Id}} ("{{report.ExternalId}}"), submitted by tenant "{{report.TenantId}}",
        received by the exchange at {{report.ReceivedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}.
        Audit ledger entry {{entryIndex}}; signed checkpoint of tree size {{treeSize}}.

        Files
          report.json             the report body, byte for byte as the exchange received it
          report.jws              the submitter's detached JWS (RFC 7515 Appendix F, ES256) over report.json
          signer.pem              the submitter's public signing key (the JWS kid is its RFC 7638 thumbprint)
          client-certificate.pem  the client certificate the submitter presented over mutual TLS
          receipt.jws             the exchange's receipt: compact JWS, ES256, payload reportId, tenant,
                                  bodySha256, jti, receivedAt
          jwks.json               the exchange's public keys (JWKS) at the time the bundle was made
          inclusion-proof.json    the ledger entry that records the report (base64 in "entry") and its
                                  RFC 9162 inclusion proof in the tree of size "treeSize"
          checkpoint.jws          the exchange's signed checkpoint: compact JWS, ES256, payload
                                  { treeSize, rootHash, issuedAt }
          README.txt              this file

        What to check (all of it works offline)
          1. The submitter signed exactly these bytes: report.jws verifies with signer.pem over
             BASE64URL(protected header) "." BASE64URL(report.json).
          2. The exchange received them: receipt.jws verifies with a key of jwks.json, and its
             bodySha256 is the SHA-256 of report.json.
          3. The exchange recorded them: the entry in inclusion-proof.json is a "report.accepted" entry for
             this report whose details name the SHA-256 of report.json, of report.jws, of receipt.jws and of
             the DER of client-certificate.pem. Its leaf hash is SHA-256(0x00 || entry bytes), and the audit
             path leads from it to the root (RFC 9162 section 2.1.3.2, interior nodes
             SHA-256(0x01 || left || right)).
          4. That root is the one the exchange signed: checkpoint.jws verifies with a key of jwks.json, and
             its treeSize and rootHash are those of the proof.

        Whom to trust
          jwks.json is a copy made by the exchange. Compare its keys with the exchange's published
          /.well-known/jwks.json, or with a copy obtained independently. The agencies receive every
          checkpoint on the bus and keep it; a checkpoint they hold for the same tree size must carry the
          same rootHash, and a later one must be consistent with it (GET /v1/audit/proofs/consistency).

        With the intelx tool
          intelx verify bundle evidence.zip --jwks exchange-jwks.json

        With openssl (step 1), in the unzipped folder:
        {{OpensslScriptStart}}
        set -euo pipefail
        b64url_decode() { local s; s=$(tr '_-' '/+'); while [ $(( ${#s} % 4 )) -ne 0 ]; do s="$s="; done; printf '%s' "$s" | base64 -d; }
        header=$(cut -d. -f1 report.jws)
        printf '%s.%s' "$header" "$(base64 -w0 < report.json | tr '+/' '-_' | tr -d '=')" > signing-input
        sig=$(cut -d. -f3 report.jws | tr -d '\n' | b64url_decode | od -An -v -tx1 | tr -d ' \n')
        printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "${sig:0:64}" "${sig:64:64}" > signature.cnf
        openssl asn1parse -genconf signature.cnf -out signature.der -noout
        openssl dgst -sha256 -verify signer.pem -signature signature.der signing-input
        echo "report.json sha256: $(sha256sum report.json | cut -d' ' -f1)"
        {{ScriptEnd}}

        With Node.js 20 or later and the jose library (steps 2 to 4): npm install jose, save this as
        verify.mjs in the unzipped folder, and run node verify.mjs:
        {{NodeScriptStart}}
        import { readFileSync } from 'node:fs';
        import { createHash, X509Certificate } from 'node:crypto';
        import { compactVerify, createLocalJWKSet } from 'jose';

        const sha256 = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
        const text = (file) => readFileSync(file, 'utf8').trim();
        const check = (ok, what) => { if (!ok) { console.error('FAILED: ' + what); process.exit(1); } console.log('ok: ' + what); };
        const jwks = createLocalJWKSet(JSON.parse(readFileSync('jwks.json', 'utf8')));
        const verified = async (file, typ) => {
          const { payload, protectedHeader } = await compactVerify(text(file), jwks, { algorithms: ['ES256'] });
          check(protectedHeader.typ === typ, `${file} is a ${typ} signed by a key of jwks.json`);
          return JSON.parse(new TextDecoder().decode(payload));
        };

        const receipt = await verified('receipt.jws', 'intelx-receipt+jws');
        const checkpoint = await verified('checkpoint.jws', 'intelx-checkpoint+jws');
        const proof = JSON.parse(readFileSync('inclusion-proof.json', 'utf8'));
        const entryBytes = Buffer.from(proof.entry, 'base64');
        const entry = JSON.parse(entryBytes.toString('utf8'));
        const hex = (buffer) => buffer.toString('hex');

        check(hex(sha256(readFileSync('report.json'))) === receipt.bodySha256, 'the receipt names the SHA-256 of report.json');
        check(entry.kind === 'report.accepted' && entry.subject.id === receipt.reportId, 'the ledger entry records this report');
        check(entry.details.bodySha256 === receipt.bodySha256, 'the ledger entry names the same body');
        check(entry.details.signatureSha256 === hex(sha256(Buffer.from(text('report.jws')))), 'the ledger entry names report.jws');
        check(entry.details.receiptSha256 === hex(sha256(Buffer.from(text('receipt.jws')))), 'the ledger entry names receipt.jws');
        check(entry.details.clientCertificateSha256 === hex(sha256(new X509Certificate(readFileSync('client-certificate.pem')).raw)),
          'the ledger entry names client-certificate.pem');

        let fn = proof.index, sn = proof.treeSize - 1, r = sha256(Buffer.from([0]), entryBytes);
        check(hex(r) === proof.leafHash, 'the leaf hash is SHA-256(0x00 || entry)');
        for (const p of proof.auditPath.map((h) => Buffer.from(h, 'hex'))) {
          check(sn > 0, 'the audit path is not longer than the tree is deep');
          if (fn % 2 === 1 || fn === sn) {
            r = sha256(Buffer.from([1]), p, r);
            while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
          } else {
            r = sha256(Buffer.from([1]), r, p);
          }
          fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
        }
        check(sn === 0 && proof.treeSize === checkpoint.treeSize && hex(r) === checkpoint.rootHash,
          `the entry is in the signed checkpoint of tree size ${checkpoint.treeSize}`);
        console.log('bundle verified');
        {{ScriptEnd}}
        """;
}
