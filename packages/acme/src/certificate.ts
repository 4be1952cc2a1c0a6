import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto'
import { AcmeError } from './errors.js'

/** What the manager and the console show of one certificate. */
export interface CertificateInfo {
  readonly subject: string
  /** DNS names it covers. */
  readonly names: string[]
  readonly issuer: string
  readonly serial: string
  readonly notBefore: Date
  readonly notAfter: Date
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** The certificates of a PEM chain, leaf first. */
export function splitChain(pem: string): string[] {
  return pem.match(PEM_BLOCK) ?? []
}

/**
 * Parses a PEM chain and its private key and checks they belong together; throws CERT_INVALID naming `what`
 * (a file name, a domain) otherwise.
 */
export function checkKeyPair(chainPem: string, keyPem: string, what: string): { info: CertificateInfo; key: KeyObject } {
  const [leafPem] = splitChain(chainPem)
  if (!leafPem) throw new AcmeError('CERT_INVALID', `${what}: no PEM certificate found`)
  let leaf: X509Certificate
  let key: KeyObject
  try {
    leaf = new X509Certificate(leafPem)
  } catch (cause) {
    throw new AcmeError('CERT_INVALID', `${what}: the certificate cannot be parsed`, { cause })
  }
  try {
    key = createPrivateKey(keyPem)
  } catch (cause) {
    throw new AcmeError('CERT_INVALID', `${what}: the private key cannot be parsed`, { cause })
  }
  if (!leaf.checkPrivateKey(key)) throw new AcmeError('CERT_INVALID', `${what}: the private key does not match the certificate`)
  return { info: describeCertificate(leaf), key }
}

export function describeCertificate(cert: X509Certificate): CertificateInfo {
  const names = (cert.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4))
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    names,
    issuer: cert.issuer.replace(/\n/g, ', '),
    serial: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  }
}

/** When a certificate should be renewed: a third of its lifetime before expiry, at most 30 days before. */
export function renewalTime(info: CertificateInfo): number {
  const lifetime = info.notAfter.getTime() - info.notBefore.getTime()
  return info.notAfter.getTime() - Math.min(lifetime / 3, 30 * 86_400_000)
}
