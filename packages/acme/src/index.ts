export { createCertificateManager, type CertificateManager, type CertificateManagerOptions, type AcmeStorage, type IssuedCertificate, type DomainStatus, type DomainState } from './manager.js'
export { createAcmeClient, type AcmeClient, type AcmeClientOptions, type Http01Responder, type IssueRequest } from './client.js'
export { nodeFetch, type AcmeFetch, type HttpReply } from './http.js'
export { generateAccountKey, accountKeyFromPem, accountKeyPem, keyAuthorization, type AccountKey } from './jws.js'
export { checkKeyPair, describeCertificate, renewalTime, splitChain, type CertificateInfo } from './certificate.js'
export { certificateRequest } from './csr.js'
export { AcmeError, isAcmeError, type AcmeErrorCode, type AcmeProblem } from './errors.js'

/** The path prefix of HTTP-01 challenges (RFC 8555 §8.3); the frontend answers it on plain HTTP for every host. */
export const HTTP01_PREFIX = '/.well-known/acme-challenge/'
