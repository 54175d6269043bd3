"""Generate test/vectors/tokenize.json: pinned FedCredit tokens, computed independently of
src/privacy/tokenize.ts with python `cryptography` (OpenSSL's HKDF, HMAC and AES-SIV).

The token format must never change silently: a lender's export made today has to link with
one made next year under the same consortium key. The construction (docs/tokenization.md):
  k    = HKDF-SHA256(ikm=consortium key, salt="fedcredit/tokenize/v1", info=mode || 0x00 || domain)
         (32 bytes for hmac, 64 bytes for siv)
  hmac: tk_ || base64url(HMAC-SHA256(k, utf8(value)))
  siv:  tk_ || base64url(AES-SIV(k, pad16(utf8(value)), AD = ["fedcredit/tokenize/v1", domain]))
        where pad16 appends 0x80 then zeros up to a multiple of 16 bytes.

Run: python3 test/vectors/tokenize-vectors.py > test/vectors/tokenize.json
"""
import base64
import json

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT = b'fedcredit/tokenize/v1'
KEY = bytes(range(32))  # 000102...1f


def derive(mode, domain, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=SALT,
                info=mode.encode() + b'\x00' + domain.encode()).derive(KEY)


def b64url(raw):
    return 'tk_' + base64.urlsafe_b64encode(raw).decode().rstrip('=')


def hmac_token(domain, value):
    h = hmac.HMAC(derive('hmac', domain, 32), hashes.SHA256())
    h.update(value.encode())
    return b64url(h.finalize())


def siv_token(domain, value):
    data = value.encode() + b'\x80'
    data += b'\x00' * (-len(data) % 16)
    return b64url(AESSIV(derive('siv', domain, 64)).encrypt(data, [SALT, domain.encode()]))


CASES = [('statussex', 'A93'), ('statussex', 'A92'), ('foreignworker', 'A201'), ('id', ''),
         ('id', 'exactly 15 byte'), ('id', 'exactly 16 bytes'), ('name', 'Müller-Straße 7 ✓')]

print(json.dumps({
    'source': 'python cryptography 48 (OpenSSL 3) HKDF/HMAC/AESSIV, test/vectors/tokenize-vectors.py; key = bytes 0x00..0x1f',
    'key': KEY.hex(),
    'cases': [{'domain': d, 'value': v, 'hmac': hmac_token(d, v), 'siv': siv_token(d, v)} for d, v in CASES],
}, indent=2, ensure_ascii=False))
