/**
 * DKIM for mail tests and benches: an RSA key pair, the TXT record that publishes its public half at
 * `<selector>._domainkey.<domain>`, and signing a raw message with mailauth's `dkimSign` (the signature
 * header is put in front of the message, as a sending MTA does).
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';

export interface DkimKey {
  domain: string;
  selector: string;
  privateKey: string;
  /** The DNS name the public key is published under. */
  recordName: string;
  /** The TXT value: `v=DKIM1; k=rsa; p=<base64 SPKI>`. */
  record: string;
}

export function makeDkimKey(domain: string, selector = 'test'): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    recordName: `${selector}._domainkey.${domain}`,
    record: `v=DKIM1; k=rsa; p=${spki}`,
  };
}

/** The raw message (headers CRLF body) with a DKIM-Signature header by `key` in front. */
export async function signMessage(raw: string | Buffer, key: DkimKey): Promise<Buffer> {
  const message = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const signature = { signingDomain: key.domain, selector: key.selector, privateKey: key.privateKey };
  // mailauth reads the key from `signatureData` only; its types also ask for the fields at the top level.
  const result = await dkimSign(message, { ...signature, canonicalization: 'relaxed/relaxed', signatureData: [signature] });
  if (result.errors.length > 0) throw new Error(`DKIM signing failed: ${JSON.stringify(result.errors)}`);
  return Buffer.concat([Buffer.from(result.signatures), message]);
}
