import { createPublicKey, sign, type KeyObject } from 'node:crypto'
import { bitString, explicit, implicitPrimitive, oid, octetString, sequence, set, utf8String, integer } from './der.js'

const OID = {
  commonName: '2.5.4.3',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
}

/**
 * A PKCS#10 certificate request (DER) for `domains` (the first is the subject's CN, all are DNS SANs),
 * signed with `key` (ECDSA P-256 with SHA-256, or RSA with SHA-256).
 */
export function certificateRequest(key: KeyObject, domains: readonly string[]): Buffer {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' })
  const subject = sequence(set(sequence(oid(OID.commonName), utf8String(domains[0]!))))
  const san = sequence(...domains.map((d) => implicitPrimitive(2, Buffer.from(d, 'ascii'))))
  const extensions = sequence(sequence(oid(OID.subjectAltName), octetString(san)))
  const attributes = explicit(0, sequence(oid(OID.extensionRequest), set(extensions)))
  const info = sequence(integer(0), subject, spki, attributes)
  const ec = key.asymmetricKeyType === 'ec'
  const algorithm = ec ? sequence(oid(OID.ecdsaWithSha256)) : sequence(oid(OID.sha256WithRsa), Buffer.from([0x05, 0x00]))
  return sequence(info, algorithm, bitString(sign('sha256', info, key)))
}
