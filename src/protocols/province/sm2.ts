// SM2 signing of the token call (E-2.1, CONTRACT §3 "Token signature").
// sm-crypto does the arithmetic: Node's crypto cannot set the SM2 user id (distid).
import crypto from 'node:crypto';
import smCrypto from 'sm-crypto';

// @types/sm-crypto omits this function that sm-crypto has shipped since 0.3.
const sm2 = smCrypto.sm2 as typeof smCrypto.sm2 & { getPublicKeyFromPrivateKey(privateKeyHex: string): string };

/** GB/T 32918 default user id, used for the Z value. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

export type SignFormat = 'raw' | 'der';

export interface Sm2KeyPair {
  /** 64 hex digits. */
  privateKeyHex: string;
  /** Uncompressed point, 130 hex digits starting with 04. */
  publicKeyHex: string;
}

/** The exact bytes that are signed: raw values, not URL-encoded. */
export function tokenSignMessage(deviceCode: string, user: string, token: string): string {
  return `deviceCode=${deviceCode}&user=${user}&token=${token}`;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKeyHex: privateKey.padStart(64, '0'), publicKeyHex: publicKey };
}

export function publicKeyFromPrivate(privateKeyHex: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKeyHex);
}

/** Returns base64 of the signature, r||s (64 bytes) or DER. */
export function sm2Sign(message: string, privateKeyHex: string, format: SignFormat): string {
  const hex = sm2.doSignature(message, privateKeyHex, { hash: true, der: format === 'der', userId: SM2_DEFAULT_USER_ID });
  return Buffer.from(format === 'raw' ? hex.padStart(128, '0') : hex, 'hex').toString('base64');
}

/** Accepts raw r||s or DER, whichever the signature's length says it is. */
export function sm2Verify(message: string, signatureBase64: string, publicKeyHex: string): boolean {
  const sig = Buffer.from(signatureBase64, 'base64');
  if (sig.length === 0) return false;
  const der = sig.length !== 64;
  try {
    return sm2.doVerifySignature(message, sig.toString('hex'), publicKeyHex, {
      hash: true,
      der,
      userId: SM2_DEFAULT_USER_ID,
    });
  } catch {
    return false;
  }
}

// ---- keys from PEM ----

interface Tlv {
  tag: number;
  value: Buffer;
  end: number;
}

function readTlv(buf: Buffer, offset: number): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('truncated DER');
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | (buf[pos + i] ?? 0);
    pos += n;
  }
  if (pos + len > buf.length) throw new Error('truncated DER');
  return { tag, value: buf.subarray(pos, pos + len), end: pos + len };
}

function children(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const tlv = readTlv(buf, pos);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;

/** Private key (hex) from an SM2 PEM, PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"). */
export function privateKeyHexFromPem(pem: string): string {
  const pkcs8 = crypto.createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING (ECPrivateKey) }
  const info = children(readTlv(pkcs8, 0).value);
  const wrapped = info[2];
  if (!wrapped || wrapped.tag !== OCTET_STRING) throw new Error('not a PKCS#8 private key');
  const ecPrivateKey = readTlv(wrapped.value, 0);
  if (ecPrivateKey.tag !== SEQUENCE) throw new Error('not an EC private key');
  // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, ... }
  const key = children(ecPrivateKey.value)[1];
  if (!key || key.tag !== OCTET_STRING || key.value.length > 32) throw new Error('EC private key has no 32-byte scalar');
  return key.value.toString('hex').padStart(64, '0');
}

/** Public key (uncompressed hex) from a PEM SubjectPublicKeyInfo, or passed through when already hex. */
export function publicKeyHexFrom(pemOrHex: string): string {
  const trimmed = pemOrHex.trim();
  if (/^04[0-9a-fA-F]{128}$/.test(trimmed)) return trimmed.toLowerCase();
  const spki = crypto.createPublicKey(trimmed).export({ type: 'spki', format: 'der' });
  // The BIT STRING ends with the 65-byte uncompressed point.
  return spki.subarray(spki.length - 65).toString('hex');
}
